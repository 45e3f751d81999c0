"""Seeded fault injection: mixed faults through the real entry points, then Lunas' four promises checked.

Each scenario is drawn from `random.Random(seed)` alone (`plan_scenario`): a small organisation (customers with and
without consent, one already opted out, one with only a landline; invoices before, on and after their due dates;
sometimes a second accounting source, QuickBooks, sharing a customer's phone with Xero) and two to four faults from
`FAULT_KINDS`:

    meta_429 / meta_5xx / meta_latency     Meta answers 429 (or 400 #130429), 5xx, or late
    meta_drop                              Meta accepts the message but the answer never arrives: a crash between
                                           "sent" and "recorded" (`drop_response`)
    xero_429 / xero_5xx / xero_latency     on the invoice list, the contacts or the payment-link calls
    qb_429 / qb_5xx / qb_latency           on QuickBooks queries (when the organisation has QuickBooks)
    concurrent_workers                     two or three workers run the same connection's cycle at once
    redelivery                             SQS delivers the same cycle message again (at once or afterwards)
    duplicate_schedule                     the hourly schedule fires twice; one to three pollers drain the queue
    stop_mid_cycle                         a customer replies STOP after the n-th send reached Meta (fake Meta's
                                           inbound API, then the webhooks are drained)
    paid_mid_cycle                         an invoice is paid (or voided) right after the cycle's first read (the
                                           fakes' triggers), before the re-check

The faulted round runs through app.py's handlers (`run_reminder_cycles`, `fan_out_reminders`) in threads, bounded by
deadlines. Then every fault is cleared, Meta's pending webhooks are delivered and processed, one clean cycle runs per
connection, the webhooks are drained again, and `sandbox.chaos_invariants.check` compares the ground truth (what fake
Meta accepted and when each request reached it, the fakes' invoices and when they were paid, the consent writes and
history, Lunas' ledger and decisions) with the promises.

A few things differ from the plain sandbox, none changing a rule: the accounting adapters' waits (Retry-After,
back-off) move the shared sandbox clock instead of sleeping, and fake Meta posts only the `sent` status of each
message (the one that completes a claim whose answer was lost). Consent writes are timed around the real repository
(`ObservedConsents`), so "opted out before the send" is judged on when the opt-out was recorded, not on the
customer's (whole-second) message timestamp.

Where a fault lands is chosen so that each promise applies: a payment right after the cycle's first read (Lunas
promises to catch it on the re-read before the batch), a STOP after the n-th send (Lunas promises the later ones see
it). A payment made after the batch's re-read answered, while its messages are going out, cannot be seen by any
re-read and is not injected; the checks themselves make no such allowance.

    python -m sandbox.chaos --scenarios 200      (make chaos N=200) a table: scenarios, sends, violations, seeds
    python -m sandbox.chaos --seed 17            (make chaos SEED=17) one scenario, described in full

`tests/test_chaos.py` runs a few seeds as part of `make test`. A seed fixes the plan; thread timing still varies,
so a replay re-runs the same faults, not necessarily the same interleaving.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import functools
import json
import logging
import os
import random
import re
import tempfile
import threading
import uuid
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from chalicelib import bootstrap
from chalicelib.clock import monotonic
from chalicelib.container import Container
from chalicelib.domain.models import (
    Connection,
    ConnectionStatus,
    Consent,
    ConsentStatus,
    ReminderSettings,
    WhatsAppAccount,
)
from chalicelib.domain.tracking import parse_tracker
from chalicelib.ports import Clock, IncrementalSource
from chalicelib.storage.consent import DynamoConsentRepository
from sandbox.chaos_invariants import (
    INVARIANTS,
    Accepted,
    ConsentWrite,
    DecisionTruth,
    GroundTruth,
    InvoiceTruth,
    check,
    final_read_gaps,
    races,
)
from sandbox.clock import SandboxClock
from sandbox.connect import connect_quickbooks, connect_xero
from sandbox.fakehttp import FakeServer, Fault
from sandbox.run import META_APP_SECRET, Sandbox

JAKARTA = ZoneInfo("Asia/Jakarta")
START = dt.datetime(2026, 11, 24, 10, 0, tzinfo=JAKARTA)  # a Tuesday 10:00 in Jakarta: inside the default window
ROUND_SECONDS = 60.0  # the faulted round (and each later step) must finish within this, else it is reported as hung
POLL_SECONDS = 0.005

META_FAULTS = ("meta_429", "meta_5xx", "meta_latency", "meta_drop")
XERO_FAULTS = ("xero_429", "xero_5xx", "xero_latency")
QB_FAULTS = ("qb_429", "qb_5xx", "qb_latency")
RUN_FAULTS = ("concurrent_workers", "redelivery", "duplicate_schedule")
EVENT_FAULTS = ("stop_mid_cycle", "paid_mid_cycle")
FAULT_KINDS = META_FAULTS + XERO_FAULTS + QB_FAULTS + RUN_FAULTS + EVENT_FAULTS

_XERO_PATHS = {
    "Invoices": r"^/api.xro/2.0/Invoices$",  # the open-invoice list and the re-read (IDs=)
    "Contacts": r"^/api.xro/2.0/Contacts$",
    "OnlineInvoice": r"^/api.xro/2.0/Invoices/[^/]+/OnlineInvoice$",  # the payment link, fetched before the claim
}
_DUES = (-31, -16, -8, -4, -1, 0, 2, 3, 6, 12)  # days from today; the default stages start 3 days before the due date
_AMOUNTS = (150_000, 480_000, 1_250_000, 2_750_000)


# -- plans: everything a seed decides ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerPlan:
    name: str
    phone: str | None  # an Indonesian mobile (E.164); None: only a landline
    consent: str  # opted_in | none | opted_out (recorded before the scenario starts)
    sources: tuple[str, ...]  # xero and/or quickbooks


@dataclass(frozen=True)
class InvoicePlan:
    number: str
    customer: str
    source: str  # xero | quickbooks
    due_in_days: int
    amount: int


@dataclass(frozen=True)
class FaultPlan:
    kind: str
    params: dict[str, Any]

    def describe(self) -> str:
        return f"{self.kind}({', '.join(f'{k}={v}' for k, v in self.params.items())})"


@dataclass(frozen=True)
class Scenario:
    seed: int
    customers: tuple[CustomerPlan, ...]
    invoices: tuple[InvoicePlan, ...]
    faults: tuple[FaultPlan, ...]

    @property
    def with_quickbooks(self) -> bool:
        return any(i.source == "quickbooks" for i in self.invoices)

    def fault(self, kind: str) -> FaultPlan | None:
        return next((f for f in self.faults if f.kind == kind), None)

    def customer(self, name: str) -> CustomerPlan:
        return next(c for c in self.customers if c.name == name)

    def describe(self) -> str:
        lines = [f"seed {self.seed}: " + "; ".join(f.describe() for f in self.faults)]
        for c in self.customers:
            mine = [i for i in self.invoices if i.customer == c.name]
            invoices = ", ".join(f"{i.number}@{i.source[:2]} due {i.due_in_days:+d}d" for i in mine)
            lines.append(f"  {c.name} {c.phone or '(landline)'} consent={c.consent}: {invoices}")
        return "\n".join(lines)


def plan_scenario(seed: int) -> Scenario:
    """The organisation and the faults of one scenario, from the seed alone."""
    rng = random.Random(seed)
    with_quickbooks = rng.random() < 0.4
    customers = _plan_customers(rng, with_quickbooks)
    invoices = _plan_invoices(rng, customers)
    kinds = [k for k in FAULT_KINDS if with_quickbooks or k not in QB_FAULTS]
    chosen = rng.sample(kinds, rng.randint(2, 4))
    faults = tuple(FaultPlan(kind, _fault_params(rng, kind, customers, invoices)) for kind in sorted(chosen))
    return Scenario(seed=seed, customers=customers, invoices=invoices, faults=faults)


def _plan_customers(rng: random.Random, with_quickbooks: bool) -> tuple[CustomerPlan, ...]:
    customers = []
    for n in range(rng.randint(3, 5)):
        consent: str = "opted_in"
        phone: str | None = _mobile(rng)
        if n >= 2:  # the first two may always be reminded
            consent = rng.choices(("opted_in", "none", "opted_out"), weights=(70, 18, 12))[0]
            phone = None if rng.random() < 0.1 else _mobile(rng)
        if with_quickbooks and n == 0:
            sources: tuple[str, ...] = ("xero", "quickbooks")  # one phone, two accounting sources
        elif with_quickbooks and rng.random() < 0.35:
            sources = ("quickbooks",)
        else:
            sources = ("xero",)
        customers.append(CustomerPlan(f"Customer {n}", phone, consent, sources))
    return tuple(customers)


def _mobile(rng: random.Random) -> str:
    return f"+62812{rng.randrange(10**8):08d}"


def _plan_invoices(rng: random.Random, customers: Sequence[CustomerPlan]) -> tuple[InvoicePlan, ...]:
    invoices: list[InvoicePlan] = []
    for customer in customers:
        for source in customer.sources:
            dues = [rng.choice(_DUES) for _ in range(rng.randint(1, 3))]
            if customer.consent == "opted_in" and customer.phone:
                dues[0] = rng.choice([d for d in _DUES if d <= 3])  # something due for every reachable customer
            for due in dues:
                number = f"{'INV' if source == 'xero' else 'QB'}-{len(invoices) + 1:03d}"
                invoices.append(InvoicePlan(number, customer.name, source, due, rng.choice(_AMOUNTS)))
    return tuple(invoices)


def _fault_params(
    rng: random.Random, kind: str, customers: Sequence[CustomerPlan], invoices: Sequence[InvoicePlan]
) -> dict[str, Any]:
    if kind in XERO_FAULTS + QB_FAULTS:
        return _accounting_params(rng, kind)
    reachable = [c.name for c in customers if c.consent == "opted_in" and c.phone]
    due = [i.number for i in invoices if i.due_in_days <= 3]
    makers: dict[str, Callable[[], dict[str, Any]]] = {
        "meta_429": lambda: {"shape": rng.choice(("http_429", "graph_130429")), "times": rng.randint(1, 2)},
        "meta_5xx": lambda: {"status": rng.choice((500, 502, 503)), "times": rng.randint(1, 2)},
        "meta_latency": lambda: {"ms": rng.choice((100, 250, 400)), "times": rng.randint(1, 3)},
        "meta_drop": lambda: {"times": rng.choice((1, 1, 2))},
        "concurrent_workers": lambda: {"workers": rng.randint(2, 3)},
        "redelivery": lambda: {"concurrent": rng.random() < 0.5},
        "duplicate_schedule": lambda: {"pollers": rng.randint(1, 3), "batch_size": rng.choice((1, 5))},
        "stop_mid_cycle": lambda: {
            "customer": rng.choice(reachable),
            "after_sends": rng.randint(0, 2),
            "slow_sends": rng.random() < 0.5,
        },
        "paid_mid_cycle": lambda: {"invoice": rng.choice(due), "action": rng.choice(("pay", "pay", "pay", "void"))},
    }
    return makers[kind]()


def _accounting_params(rng: random.Random, kind: str) -> dict[str, Any]:
    """Xero's and QuickBooks' faults; Xero's on one of the calls a cycle makes (list, contacts, payment link)."""
    params: dict[str, Any] = {"path": rng.choice(tuple(_XERO_PATHS))} if kind in XERO_FAULTS else {}
    if kind.endswith("_429"):
        params |= {"retry_after": rng.choice(("0", "1")), "times": rng.randint(1, 2)}
    elif kind.endswith("_5xx"):
        params |= {"status": rng.choice((500, 503)), "times": rng.randint(1, 3)}  # 3 in a row fails the cycle
    else:
        params |= {"ms": rng.choice((50, 150, 300)), "times": rng.randint(1, 3)}
    return params


# -- the container: the sandbox's, timing consent writes and waiting on the sandbox clock -----------------------


@dataclass
class ConsentLog:
    """Every consent write and read made through `ObservedConsents`, timed on the sandbox clock."""

    writes: list[tuple[str, str, ConsentWrite]] = field(default_factory=list)  # (org_id, phone, write)
    reads: list[tuple[str, str, float]] = field(default_factory=list)  # (org_id, phone, when the read began)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reads_for_org(self, org_id: str) -> dict[str, tuple[float, ...]]:
        with self.lock:
            mine = [(phone, at) for org, phone, at in self.reads if org == org_id]
        by_phone: dict[str, list[float]] = {}
        for phone, at in mine:
            by_phone.setdefault(phone, []).append(at)
        return {phone: tuple(sorted(times)) for phone, times in by_phone.items()}

    def for_org(self, org_id: str) -> dict[str, tuple[ConsentWrite, ...]]:
        with self.lock:
            mine = [(phone, w) for org, phone, w in self.writes if org == org_id]
        by_phone: dict[str, list[ConsentWrite]] = {}
        for phone, write in sorted(mine, key=lambda pw: pw[1].finished):
            by_phone.setdefault(phone, []).append(write)
        return {phone: tuple(writes) for phone, writes in by_phone.items()}


class ObservedConsents(DynamoConsentRepository):
    """The real consent repository; each `record` is timed (started, finished) on the sandbox clock, and the start of
    each read is noted (to tell, of a message sent after an opt-out, whether Lunas had read consent before it)."""

    def __init__(self, clock: SandboxClock, log: ConsentLog) -> None:
        super().__init__()
        self._clock = clock
        self._log = log

    def record(self, consent: Consent) -> None:
        started = self._clock.timestamp()
        super().record(consent)
        write = ConsentWrite(status=consent.status.value, started=started, finished=self._clock.timestamp())
        with self._log.lock:
            self._log.writes.append((consent.org_id, consent.phone, write))

    def for_phones(self, org_id: str, phones: Iterable[str]) -> dict[str, Consent]:
        wanted = list(phones)
        started = self._clock.timestamp()
        with self._log.lock:
            self._log.reads += [(org_id, phone, started) for phone in wanted]
        return super().for_phones(org_id, wanted)


class ChaosContainer(Container):
    """The sandbox's container, except that the accounting adapters' waits move the sandbox clock (no real sleep)."""

    def _accounting_source(self, connection: Connection, settings: ReminderSettings) -> IncrementalSource:
        from chalicelib.adapters.quickbooks import QuickBooksAccountingGateway
        from chalicelib.adapters.xero import XeroAccountingGateway

        source = super()._accounting_source(connection, settings)
        if isinstance(source, XeroAccountingGateway | QuickBooksAccountingGateway):
            source._sleep = self._wait  # the adapters take `sleep` for exactly this (tests inject theirs)
        return source

    def _wait(self, seconds: float) -> None:
        clock: Clock = self.clock
        if isinstance(clock, SandboxClock):
            clock.advance(seconds)


def chaos_container(
    base: Container, clock: SandboxClock, log: ConsentLog, *, recheck_after_seconds: float = 0.0
) -> ChaosContainer:
    return ChaosContainer(
        settings=dataclasses.replace(base.settings, recheck_after_seconds=recheck_after_seconds),
        clock=clock,
        cipher=base.cipher,
        stores=dataclasses.replace(base.stores, consents=ObservedConsents(clock, log)),
        reminder_queue=base.reminder_queue,
        webhook_queue=base.webhook_queue,
        elapsed=base.elapsed,
    )


@contextmanager
def chaos_installed(sandbox: Sandbox, *, recheck_after_seconds: float = 0.0) -> Iterator[ConsentLog]:
    """Install the chaos container for the block (every entry point, webhooks included, uses it).

    Meta reports only the `sent` status of each message meanwhile: that is the one that completes a claim whose
    answer was lost; `delivered` and `read` would only triple the webhook traffic.
    """
    log = ConsentLog()
    before = sandbox.meta.configure()["final_status"]
    sandbox.meta.configure(final_status="sent")
    try:
        container = chaos_container(
            bootstrap.container(), sandbox.clock, log, recheck_after_seconds=recheck_after_seconds
        )
        with bootstrap.installed(container):
            yield log
    finally:
        sandbox.meta.configure(final_status=before)


# -- one scenario ----------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    scenario: Scenario
    send_attempts: int = 0
    accepted: int = 0
    failed_deliveries: int = 0  # cycle messages the worker reported failed (SQS would redeliver them)
    violations: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in INVARIANTS})
    problems: list[str] = field(default_factory=list)  # the harness's own trouble: hung threads, odd exceptions
    races: list[str] = field(default_factory=list)  # STOPs written after Lunas' final read (see chaos_invariants)
    final_read_gaps: list[float] = field(default_factory=list)  # seconds from the final consent read to the request
    notes: list[str] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)  # "INV-001 sent" ..., for the full description
    seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count_failed(self, deliveries: int) -> None:
        with self._lock:  # workers report from their own threads
            self.failed_deliveries += deliveries

    @property
    def failed(self) -> bool:
        return bool(self.problems) or any(self.violations.values())

    def describe(self) -> str:
        lines = [self.scenario.describe()]
        lines.append(f"  {self.send_attempts} send attempts, {self.accepted} accepted, {self.seconds:.1f} s")
        lines += [f"  decision {d}" for d in self.decisions]
        for invariant, found in self.violations.items():
            lines += [f"  VIOLATION {invariant} ({INVARIANTS[invariant]}): {v}" for v in found]
        lines += [f"  PROBLEM {p}" for p in self.problems]
        lines += [f"  {r}" for r in self.races]
        lines += [f"  note {n}" for n in self.notes]
        return "\n".join(lines)


@dataclass
class _World:
    """One scenario's organisation as created in the sandbox."""

    scenario: Scenario
    org_id: str
    phone_number_id: str
    connections: list[Connection] = field(default_factory=list)
    invoice_ids: dict[str, tuple[str, str]] = field(default_factory=dict)  # number -> (connection_id, invoice_id)
    settings: ReminderSettings | None = None
    inbound: list[str] = field(default_factory=list)  # wamids of the customers' messages (the STOP)

    def connection(self, provider: str) -> Connection:
        return next(c for c in self.connections if c.provider == provider)

    def event(self, message_id: str) -> dict[str, Any]:
        """The SQS event Lambda hands the worker: one record per connection."""
        records = []
        for connection in self.connections:
            body = {"org_id": self.org_id, "connection_id": connection.connection_id}
            records.append(
                {
                    "messageId": f"{message_id}-{connection.provider}",
                    "receiptHandle": f"rh-{message_id}-{connection.provider}",
                    "body": json.dumps(body),
                    "attributes": {"ApproximateReceiveCount": "1"},
                    "messageAttributes": {},
                    "md5OfBody": "",
                    "eventSource": "aws:sqs",
                    "eventSourceARN": "arn:aws:sqs:ap-southeast-3:123456789012:lunas-reminders",
                    "awsRegion": "ap-southeast-3",
                }
            )
        return {"Records": records}


def run_scenario(sandbox: Sandbox, scenario: Scenario, log: ConsentLog) -> Outcome:
    """Build the organisation, run the faulted round, clear the faults, run a clean cycle, check the promises.

    Call inside `chaos_installed(sandbox)`, which provides `log`.
    """
    started = monotonic()
    outcome = Outcome(scenario)
    sandbox.clock.pin(START)
    world = _build(sandbox, scenario)
    try:
        try:
            _arm(sandbox, world)
            _faulted_round(sandbox, world, outcome)
        finally:
            clear_faults(sandbox)
        _settle(sandbox, outcome)
        _clean_cycles(world, outcome)
        _settle(sandbox, outcome)
        _judge(sandbox, world, log, outcome)
    except Exception as exc:  # reported with the seed; the run goes on with the next scenario
        outcome.problems.append(f"scenario raised {type(exc).__name__}: {exc}")
    finally:
        _retire(sandbox, world)
    outcome.seconds = monotonic() - started
    return outcome


def _clean_cycles(world: _World, outcome: Outcome) -> None:
    """The faults are gone: one ordinary cycle per connection must settle everything left (the next hour's run)."""
    from chalicelib.worker import run_connection_cycle

    for connection in world.connections:
        summary = run_connection_cycle(world.org_id, connection.connection_id)
        outcome.notes.append(f"clean cycle {connection.provider}: {summary}")


def _judge(sandbox: Sandbox, world: _World, log: ConsentLog, outcome: Outcome) -> None:
    truth = _ground_truth(sandbox, world, log)
    outcome.violations = check(truth)
    outcome.races, outcome.final_read_gaps = races(truth), final_read_gaps(truth)
    outcome.send_attempts, outcome.accepted = truth.send_attempts, len(truth.accepted)
    outcome.notes += truth.notes
    numbers = {ids: number for number, ids in world.invoice_ids.items()}
    outcome.decisions = sorted(
        f"{numbers.get((d.connection_id, d.invoice_id), d.invoice_id)} {d.reason}" + (f" ({d.detail})" * bool(d.detail))
        for d in truth.decisions
    )


def _build(sandbox: Sandbox, scenario: Scenario) -> _World:
    today = START.date()
    world = _World(scenario, org_id=f"chaos-{scenario.seed}-{uuid.uuid4().hex[:8]}", phone_number_id="")
    world.phone_number_id = f"pn{uuid.uuid4().int % 10**12}"
    waba_id = f"waba{uuid.uuid4().int % 10**12}"
    token = f"EAAG{uuid.uuid4().hex}"
    sandbox.meta.register_phone_number(
        world.phone_number_id,
        access_token=token,
        waba_id=waba_id,
        display_phone_number="+62 21 5555 0000",
        app_secret=META_APP_SECRET,
        webhook_url=f"{sandbox.app_url}/webhooks/whatsapp",
    )
    stores = bootstrap.container().stores
    world.settings = ReminderSettings(org_id=world.org_id, business_name="Toko Chaos")
    account = WhatsAppAccount(phone_number_id=world.phone_number_id, business_account_id=waba_id, access_token=token)
    stores.organisations.save(world.settings, account)
    _connect_xero(sandbox, world, today)
    if scenario.with_quickbooks:
        _connect_quickbooks(sandbox, world, today)
    for customer in scenario.customers:
        if customer.phone and customer.consent != "none":
            stores.consents.record(
                Consent(
                    org_id=world.org_id,
                    phone=customer.phone,
                    status=ConsentStatus(customer.consent),
                    source="signed_form",
                    evidence="Signed the WhatsApp reminders form at the shop, 1 Oct 2026",
                    captured_at=dt.datetime(2026, 10, 1, tzinfo=dt.UTC),
                )
            )
    return world


def _invoices_of(scenario: Scenario, source: str) -> list[InvoicePlan]:
    return [i for i in scenario.invoices if i.source == source]


def _connect_xero(sandbox: Sandbox, world: _World, today: dt.date) -> None:
    scenario = world.scenario
    contacts = []
    for c in scenario.customers:
        if "xero" in c.sources:
            phones: dict[str, Any] = {"DEFAULT": "021 555 0100"}
            if c.phone:
                digits = c.phone.removeprefix("+")
                phones = {"MOBILE": {"countryCode": digits[:2], "areaCode": digits[2:5], "number": digits[5:]}}
            contacts.append({"name": c.name, "phones": phones})
    invoices = [
        {
            "number": i.number,
            "contact": i.customer,
            "status": "AUTHORISED",
            "date": (today + dt.timedelta(days=i.due_in_days - 30)).isoformat(),
            "dueDate": (today + dt.timedelta(days=i.due_in_days)).isoformat(),
            "currency": "IDR",
            "total": str(i.amount),
        }
        for i in _invoices_of(scenario, "xero")
    ]
    seeded = sandbox.xero.seed({"tenantName": f"Toko {world.org_id}", "contacts": contacts, "invoices": invoices})
    connection = connect_xero(sandbox, world.org_id, seeded)
    world.connections.append(connection)
    for number, invoice_id in seeded["invoices"].items():
        world.invoice_ids[str(number)] = (connection.connection_id, str(invoice_id))


def _connect_quickbooks(sandbox: Sandbox, world: _World, today: dt.date) -> None:
    scenario = world.scenario
    customers = []
    for c in scenario.customers:
        if "quickbooks" in c.sources:
            local = "0" + c.phone.removeprefix("+62") if c.phone else ""
            customers.append({"displayName": c.name, "mobile": local, "primaryPhone": "" if local else "021 5550100"})
    invoices = [
        {
            "docNumber": i.number,
            "customer": i.customer,
            "txnDate": (today + dt.timedelta(days=i.due_in_days - 30)).isoformat(),
            "dueDate": (today + dt.timedelta(days=i.due_in_days)).isoformat(),
            "total": str(i.amount),
        }
        for i in _invoices_of(scenario, "quickbooks")
    ]
    fake = sandbox.quickbooks
    seeded = fake.seed({"companyName": f"PT {world.org_id}", "customers": customers, "invoices": invoices})
    connection = connect_quickbooks(sandbox, world.org_id, str(seeded["realmId"]), f"PT {world.org_id}")
    world.connections.append(connection)
    for number, invoice_id in seeded["invoices"].items():
        world.invoice_ids[str(number)] = (connection.connection_id, str(invoice_id))


# -- faults ------------------------------------------------------------------------------------------------------


def _meta_fault(world: _World, plan: FaultPlan) -> Fault:
    path = re.compile(rf"/{re.escape(world.phone_number_id)}/messages$")
    p = plan.params
    if plan.kind == "meta_429" and p["shape"] == "graph_130429":
        body = {
            "error": {
                "message": "(#130429) Rate limit hit",
                "type": "OAuthException",
                "code": 130429,
                "error_data": {"messaging_product": "whatsapp", "details": "Cloud API throughput reached"},
                "fbtrace_id": "Achaos",
            }
        }
        return Fault(method="POST", path=path, status=400, body=body, times=p["times"])
    if plan.kind == "meta_429":
        return Fault(method="POST", path=path, status=429, body="Too Many Requests", times=p["times"])
    if plan.kind == "meta_5xx":
        return Fault(method="POST", path=path, status=p["status"], body="upstream unavailable", times=p["times"])
    if plan.kind == "meta_latency":
        return Fault(method="POST", path=path, latency_ms=p["ms"], times=p["times"])
    return Fault(method="POST", path=path, drop_response=True, times=p["times"])


def _accounting_fault(sandbox: Sandbox, world: _World, plan: FaultPlan) -> tuple[FakeServer, Fault]:
    p = plan.params
    fake: FakeServer
    if plan.kind in XERO_FAULTS:
        path, method, fake = re.compile(_XERO_PATHS[p["path"]]), "GET", sandbox.xero
    else:
        realm_id = world.connection("quickbooks").tenant_id
        path, method, fake = re.compile(rf"^/v3/company/{realm_id}/query$"), None, sandbox.quickbooks
    if plan.kind.endswith("_429"):
        if plan.kind in XERO_FAULTS:
            headers = {"Retry-After": p["retry_after"], "X-Rate-Limit-Problem": "minute"}
            return fake, Fault(method, path, 429, headers, {"Title": "Rate limit exceeded"}, times=p["times"])
        from sandbox.quickbooks import throttle_xml

        headers = {"Retry-After": p["retry_after"], "Content-Type": "application/xml"}
        return fake, Fault(method, path, 429, headers, throttle_xml(sandbox.clock.timestamp()), times=p["times"])
    if plan.kind.endswith("_5xx"):
        return fake, Fault(method, path, p["status"], body="service unavailable", times=p["times"])
    return fake, Fault(method, path, latency_ms=p["ms"], times=p["times"])


def _arm(sandbox: Sandbox, world: _World) -> None:
    scenario = world.scenario
    for plan in scenario.faults:
        if plan.kind in META_FAULTS:
            sandbox.meta.add_fault(_meta_fault(world, plan))
        elif plan.kind in XERO_FAULTS + QB_FAULTS:
            fake, fault = _accounting_fault(sandbox, world, plan)
            fake.add_fault(fault)
        elif plan.kind == "paid_mid_cycle":
            _arm_payment(sandbox, world, plan)
        elif plan.kind == "stop_mid_cycle" and plan.params["slow_sends"]:
            path = re.compile(rf"/{re.escape(world.phone_number_id)}/messages$")
            sandbox.meta.add_fault(Fault(method="POST", path=path, latency_ms=300, times=3))


def _arm_payment(sandbox: Sandbox, world: _World, plan: FaultPlan) -> None:
    """Pay (or void) the invoice right after the first successful read of the invoice list: mid-cycle, before the
    re-check that must catch it."""
    number, action = plan.params["invoice"], plan.params["action"]
    connection_id, invoice_id = world.invoice_ids[number]
    if connection_id.startswith("xero:"):
        sandbox.xero.add_trigger(
            after_path=_XERO_PATHS["Invoices"], after_count=1, action=action, invoice_id=invoice_id
        )
    else:
        realm_id = connection_id.removeprefix("quickbooks:")
        sandbox.quickbooks.add_trigger(rf"^/v3/company/{realm_id}/query$", 1, action, realm_id, invoice_id)


def clear_faults(sandbox: Sandbox) -> None:
    """Every fake forgets its faults and triggers (through their admin APIs)."""
    with httpx.Client(timeout=10.0) as client:
        for fake in (sandbox.meta, sandbox.xero, sandbox.quickbooks):
            client.delete(f"{fake.url}/_sandbox/faults").raise_for_status()
        client.delete(f"{sandbox.xero.url}/_sandbox/xero/triggers").raise_for_status()
        client.delete(f"{sandbox.quickbooks.url}/_sandbox/quickbooks/triggers").raise_for_status()


# -- the faulted round -------------------------------------------------------------------------------------------


def _invoke(event: dict[str, Any], outcome: Outcome) -> None:
    """One Lambda invocation of the worker; failed records are what SQS would redeliver."""
    import app
    from sandbox.lambda_runtime import LambdaContext

    try:
        response = app.run_reminder_cycles(event, LambdaContext("run_reminder_cycles"))
        outcome.count_failed(len(response.get("batchItemFailures", [])))
    except Exception as exc:  # Powertools raises when every record of the batch failed
        if type(exc).__name__ != "BatchProcessingError":
            raise
        outcome.count_failed(len(event["Records"]))


def _poll(sandbox: Sandbox, batch_size: int, outcome: Outcome) -> None:
    """One poller of Lambda's SQS event source mapping, draining the reminder queue (bounded)."""
    import app
    from sandbox.lambda_runtime import SqsEventSource

    source = SqsEventSource(
        queue_url=sandbox.aws.queue_url,
        handler=app.run_reminder_cycles,
        function_name="run_reminder_cycles",
        batch_size=batch_size,
    )
    outcome.count_failed(sum(o.failed for o in source.drain(max_batches=12)))


def _faulted_round(sandbox: Sandbox, world: _World, outcome: Outcome) -> None:
    import app
    from sandbox.lambda_runtime import invoke_schedule

    scenario = world.scenario
    together: list[Callable[[], None]] = []
    afterwards: list[Callable[[], None]] = []
    first = world.event("w0")
    schedule = scenario.fault("duplicate_schedule")
    if schedule is not None:
        for _ in range(2):
            invoke_schedule(app.fan_out_reminders, sandbox.clock.now())
        size = int(schedule.params["batch_size"])
        together += [functools.partial(_poll, sandbox, size, outcome) for _ in range(int(schedule.params["pollers"]))]
    else:
        workers = scenario.fault("concurrent_workers")
        count = int(workers.params["workers"]) if workers else 1
        events = [first] + [world.event(f"w{n}") for n in range(1, count)]
        together += [functools.partial(_invoke, e, outcome) for e in events]
    redelivery = scenario.fault("redelivery")
    if redelivery is not None:
        (together if redelivery.params["concurrent"] else afterwards).append(functools.partial(_invoke, first, outcome))
    done = threading.Event()
    stop = scenario.fault("stop_mid_cycle")
    stopper = _Stopper(sandbox, world, stop, done, outcome) if stop else None
    try:
        _run_together(together, outcome, "worker")
        for step in afterwards:
            _run_together([step], outcome, "redelivery")
    finally:
        done.set()
        if stopper is not None:
            stopper.join()


def _run_together(steps: Sequence[Callable[[], None]], outcome: Outcome, name: str) -> None:
    """Run the steps in threads released at once; report any that raise or outlive the deadline."""
    barrier = threading.Barrier(len(steps))

    def run(step: Callable[[], None]) -> None:
        try:
            barrier.wait(timeout=ROUND_SECONDS)
            step()
        except Exception as exc:
            outcome.problems.append(f"{name} raised {type(exc).__name__}: {exc}")

    threads = [
        threading.Thread(target=run, args=(s,), name=f"chaos-{name}-{n}", daemon=True) for n, s in enumerate(steps)
    ]
    for t in threads:
        t.start()
    deadline = monotonic() + ROUND_SECONDS
    for t in threads:
        t.join(max(0.0, deadline - monotonic()))
        if t.is_alive():
            outcome.problems.append(f"{t.name} still running after {ROUND_SECONDS:.0f} s")


class _Stopper:
    """The customer's STOP: sent once `after_sends` template sends have reached Meta (or when the round ends)."""

    def __init__(
        self, sandbox: Sandbox, world: _World, plan: FaultPlan, done: threading.Event, outcome: Outcome
    ) -> None:
        self._sandbox, self._world, self._done, self._outcome = sandbox, world, done, outcome
        phone = world.scenario.customer(plan.params["customer"]).phone
        assert phone is not None
        self._phone = phone
        self._after = int(plan.params["after_sends"])
        self._thread = threading.Thread(target=self._run, name="chaos-stop", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            deadline = monotonic() + ROUND_SECONDS
            while monotonic() < deadline and not self._done.is_set():
                if len(_template_requests(self._sandbox, self._world)) >= self._after:
                    break
                self._done.wait(POLL_SECONDS)
            self._world.inbound.append(
                self._sandbox.meta.simulate_text(self._world.phone_number_id, self._phone, "STOP")
            )
            self._sandbox.meta.flush()
            self._sandbox.drain_webhooks()
        except Exception as exc:
            self._outcome.problems.append(f"STOP injection raised {type(exc).__name__}: {exc}")

    def join(self) -> None:
        self._thread.join(ROUND_SECONDS)
        if self._thread.is_alive():
            self._outcome.problems.append(f"STOP injection still running after {ROUND_SECONDS:.0f} s")


# -- settling, ground truth ----------------------------------------------------------------------------------------


def _settle(sandbox: Sandbox, outcome: Outcome) -> None:
    """Meta posts every status and reply it still holds; the webhook worker processes everything queued."""
    sandbox.meta.flush()
    sandbox.drain_webhooks()
    if sandbox.meta.deliveries()["pending"]:
        outcome.problems.append("Meta still holds webhooks after a flush")


def _template_requests(sandbox: Sandbox, world: _World) -> list[tuple[float, dict[str, Any]]]:
    """(when it reached Meta, body) of every template send request for the world's number."""
    found = []
    for request in sandbox.meta.recorded(rf"/{re.escape(world.phone_number_id)}/messages$"):
        if request["method"] != "POST":
            continue
        try:
            body = json.loads(request["body"] or "null")
        except ValueError:
            continue
        if isinstance(body, dict) and body.get("type") == "template":
            found.append((float(request["at"]), body))
    return found


def _ground_truth(sandbox: Sandbox, world: _World, log: ConsentLog) -> GroundTruth:
    stores = bootstrap.container().stores
    assert world.settings is not None
    zone = ZoneInfo(world.settings.timezone)
    entries = {m.message_key: m for m in stores.ledger.messages(world.org_id)}
    requests = _template_requests(sandbox, world)
    accepted = []
    for message in sandbox.meta.messages(phone_number_id=world.phone_number_id):
        if message["type"] != "template":
            continue
        tracker = message["tracker"]
        received = float(message["received_at"])
        reached = [at for at, body in requests if body.get("biz_opaque_callback_data") == tracker and at <= received]
        at = max(reached, default=received)
        parsed = parse_tracker(tracker) if tracker else None
        reminders: tuple[tuple[str, str, str], ...] = ()
        claimed_at = None
        if parsed is not None and parsed[0] == world.org_id and parsed[1] in entries:
            entry = entries[parsed[1]]
            reminders = tuple(_reminder(key) for key in entry.ledger_keys)
            claimed_at = entry.claimed_at.timestamp()
        accepted.append(
            Accepted(
                wamid=message["wamid"],
                phone="+" + message["wa_id"],
                requested_at=at,
                local_day=dt.datetime.fromtimestamp(at, zone).date(),
                reminders=reminders,
                tracker=tracker,
                claimed_at=claimed_at,
            )
        )
    consents = log.for_org(world.org_id)
    notes = _history_notes(world, consents)
    decisions = []
    for view in stores.decisions.for_org(world.org_id):
        decisions.append(DecisionTruth(view.connection_id, view.invoice_id, view.reason.value, view.detail or ""))
    return GroundTruth(
        accepted=tuple(accepted),
        send_attempts=len(requests),
        invoices=tuple(_invoice_truths(sandbox, world)),
        consents=consents,
        consent_reads=log.reads_for_org(world.org_id),
        decisions=tuple(decisions),
        today=sandbox.clock.now().astimezone(zone).date(),
        first_stage_offset=min(s.offset_days for s in world.settings.stages),
        notes=tuple(notes),
    )


def _reminder(ledger_key: str) -> tuple[str, str, str]:
    """(connection, invoice, stage) of a ledger key (`DueReminder.ledger_key`)."""
    connection_id, invoice_id, stage = ledger_key.rsplit("#", 2)
    return connection_id, invoice_id, stage


def _history_notes(world: _World, observed: dict[str, tuple[ConsentWrite, ...]]) -> list[str]:
    """The consent records' own history must list the writes observed, in order (else the timing is unreliable)."""
    consents = bootstrap.container().stores.consents
    notes = []
    for phone, writes in observed.items():
        history = [c.status.value for c in consents.history(world.org_id, phone)]
        if history != [w.status for w in writes]:
            notes.append(f"consent history of {phone} is {history}, but the writes observed were {writes}")
    return notes


def _invoice_truths(sandbox: Sandbox, world: _World) -> Iterator[InvoiceTruth]:
    """Each invoice as the fakes hold it now, with the instant it was paid or voided (the fakes' own records)."""
    phones = {c.name: c.phone for c in world.scenario.customers}
    for plan in world.scenario.invoices:
        connection_id, invoice_id = world.invoice_ids[plan.number]
        closed_at: float | None = None
        if plan.source == "xero":
            xero_invoice = sandbox.xero._invoice(invoice_id)  # the fake's record: `updated` is when it was paid
            if xero_invoice.status in ("PAID", "VOIDED") or xero_invoice.amount_due <= 0:
                closed_at = xero_invoice.updated
        else:
            company = sandbox.quickbooks._company(connection_id.removeprefix("quickbooks:"))
            qb_invoice = company.invoices[invoice_id]
            if qb_invoice.balance <= 0:
                closed_at = qb_invoice.updated
        yield InvoiceTruth(
            connection_id=connection_id,
            invoice_id=invoice_id,
            number=plan.number,
            phone=phones[plan.customer],
            due_date=START.date() + dt.timedelta(days=plan.due_in_days),
            closed_at=closed_at,
        )


def _retire(sandbox: Sandbox, world: _World) -> None:
    """Nothing of this scenario may run in a later one: its connections stop, its queue messages and items go."""
    import boto3

    connections = bootstrap.container().stores.connections
    for connection in world.connections:
        connections.set_status(world.org_id, connection.connection_id, ConnectionStatus.DISCONNECTED)
    sqs = boto3.client("sqs")
    for url in (sandbox.aws.queue_url, sandbox.aws.dead_letter_queue_url):
        for _ in range(20):
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages")
            if not messages:
                break
            for message in messages:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    _forget(sandbox, world)
    with httpx.Client(timeout=10.0) as client:  # a later test counting a fake's requests must not count ours
        for fake in (sandbox.meta, sandbox.xero, sandbox.quickbooks):
            client.delete(f"{fake.url}/_sandbox/requests").raise_for_status()


def _forget(sandbox: Sandbox, world: _World) -> None:
    """Delete the scenario's items from the local table once it is judged.

    moto copies the whole table on every TransactWriteItems (its rollback copy), so each claim costs time in
    proportion to everything ever written: without this, a run slows down scenario by scenario (2-3 s a scenario at
    first, 3 to 5 times that after a hundred) until workers outlive their deadline. Items are found by their keys:
    the organisation's partition, its routes, and the wamid-keyed pointers and webhook markers.
    """
    import boto3

    wamids = [m["wamid"] for m in sandbox.meta.messages(phone_number_id=world.phone_number_id)]
    markers = [world.org_id, world.phone_number_id, *(c.tenant_id for c in world.connections), *wamids, *world.inbound]
    client = boto3.client("dynamodb")
    table = bootstrap.container().settings.table_name
    doomed = []
    names = {"#pk": "pk", "#sk": "sk"}
    for page in client.get_paginator("scan").paginate(
        TableName=table, ProjectionExpression="#pk, #sk", ExpressionAttributeNames=names
    ):
        for key in page.get("Items", []):
            if any(m in key["pk"]["S"] or m in key["sk"]["S"] for m in markers):
                doomed.append({"DeleteRequest": {"Key": key}})
    for start in range(0, len(doomed), 25):
        pending: dict[str, Any] = {table: doomed[start : start + 25]}
        for _ in range(5):  # unprocessed items are retried a few times, then left
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            if not pending:
                break


# -- many scenarios: the table -----------------------------------------------------------------------------------


def run_seeds(
    sandbox: Sandbox,
    seeds: Sequence[int],
    *,
    progress: Callable[[Outcome], None],
    max_seconds: float | None = None,
    recheck_after_seconds: float = 0.0,
) -> list[Outcome]:
    """Run each seed's scenario in turn (stopping early once `max_seconds` have passed)."""
    from chalicelib.observability import metrics

    outcomes = []
    started = monotonic()
    with chaos_installed(sandbox, recheck_after_seconds=recheck_after_seconds) as log:
        for seed in seeds:
            if max_seconds is not None and monotonic() - started > max_seconds:
                break
            outcome = run_scenario(sandbox, plan_scenario(seed), log)
            outcomes.append(outcome)
            metrics.clear_metrics()  # cycles run outside a handler add metrics that nothing flushes
            progress(outcome)
    return outcomes


def table(outcomes: Sequence[Outcome], seconds: float) -> str:
    rows = [
        ("scenarios run", str(len(outcomes))),
        ("send attempts (template requests that reached Meta)", str(sum(o.send_attempts for o in outcomes))),
        ("messages accepted by Meta", str(sum(o.accepted for o in outcomes))),
        ("cycle messages failed (SQS would redeliver)", str(sum(o.failed_deliveries for o in outcomes))),
    ]
    rows += [
        (f"violations {k}: {text}", str(sum(len(o.violations[k]) for o in outcomes))) for k, text in INVARIANTS.items()
    ]
    rows.append(("harness problems (hung or crashed steps)", str(sum(len(o.problems) for o in outcomes))))
    gaps = sorted(g for o in outcomes for g in o.final_read_gaps)
    rows.append(
        ("STOP races (written after Lunas' final read; not violations)", str(sum(len(o.races) for o in outcomes)))
    )
    if gaps:
        median, worst = gaps[len(gaps) // 2], gaps[-1]
        rows.append(("final consent read -> request, median / max (ms)", f"{median * 1000:.0f} / {worst * 1000:.0f}"))
    width = max(len(r[0]) for r in rows)
    lines = [f"Chaos: {len(outcomes)} scenarios in {seconds:.0f} s"]
    lines += [f"  {label:<{width}}  {value:>6}" for label, value in rows]
    mix = Counter(f.kind for o in outcomes for f in o.scenario.faults)
    lines.append("  fault mix: " + ", ".join(f"{k} {mix[k]}" for k in FAULT_KINDS if mix[k]))
    failing = [o.scenario.seed for o in outcomes if o.failed]
    lines.append(
        "  failing seeds: "
        + (" ".join(map(str, failing)) + "  (replay one: make chaos SEED=<seed>)" if failing else "none")
    )
    return "\n".join(lines)


def _quiet() -> None:
    """The table is the output; Lunas' logs (retries, failed sends: the faults at work) stay out of it."""
    from chalicelib.observability import logger

    logger.setLevel("CRITICAL")
    logging.getLogger("chalicelib").setLevel(logging.CRITICAL)
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
    warnings.filterwarnings("ignore", message="No application metrics to publish")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox.chaos", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenarios", type=int, default=50, help="how many scenarios (seeds first-seed, +1, ...)")
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--seed", type=int, nargs="+", help="run these seeds only, each described in full")
    parser.add_argument("--max-seconds", type=float, default=1800.0, help="start no new scenario after this long")
    parser.add_argument("--verbose", action="store_true", help="describe every scenario, show Lunas' logs")
    parser.add_argument(
        "--recheck-after-seconds",
        type=float,
        default=0.0,
        help="LUNAS_RECHECK_AFTER_SECONDS for the run (0, the default: re-read before every batch)",
    )
    args = parser.parse_args(argv)
    if not args.verbose:
        _quiet()
    seeds = args.seed or list(range(args.first_seed, args.first_seed + args.scenarios))
    describe_all = args.verbose or args.seed is not None
    from sandbox.run import start_sandbox

    started = monotonic()
    with tempfile.TemporaryDirectory(prefix="lunas-chaos-") as scratch:
        sandbox = start_sandbox(Path(scratch) / "urls.json")  # leaves a running demo's .sandbox/urls.json alone
        try:

            def progress(outcome: Outcome) -> None:
                if describe_all or outcome.failed:
                    print(outcome.describe(), flush=True)
                done = len(outcomes_so_far) + 1
                outcomes_so_far.append(outcome)
                if not describe_all and done % 10 == 0:
                    failing = sum(o.failed for o in outcomes_so_far)
                    print(
                        f"  {done}/{len(seeds)} scenarios, {failing} failing, {monotonic() - started:.0f} s", flush=True
                    )

            outcomes_so_far: list[Outcome] = []
            outcomes = run_seeds(
                sandbox,
                seeds,
                max_seconds=args.max_seconds,
                progress=progress,
                recheck_after_seconds=args.recheck_after_seconds,
            )
        finally:
            sandbox.stop()
    print(table(outcomes, monotonic() - started))
    if len(outcomes) < len(seeds):
        print(f"  (stopped after --max-seconds {args.max_seconds:.0f}: {len(seeds) - len(outcomes)} seeds not run)")
    return 1 if any(o.failed for o in outcomes) else 0


if __name__ == "__main__":
    raise SystemExit(main())
