"""One reminder cycle for one connection: read, decide, re-check, claim, send, record.

The rules live in `domain/policy.py`; this module gathers the facts they need, and carries out the plan with the
safety rails that must hold whatever the rules say: a fresh read of each invoice right before its reminder, an
atomic claim before every send (`DynamoSendLedger`), and a recorded reason for every invoice, sent or not.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from chalicelib.clock import Monotonic, monotonic
from chalicelib.domain import policy, schedule
from chalicelib.domain.errors import LunasError, SendFailed
from chalicelib.domain.models import (
    Connection,
    ConsentStatus,
    Customer,
    CycleFacts,
    CyclePlan,
    Decision,
    DueReminder,
    Invoice,
    InvoiceStatus,
    OutgoingMessage,
    Reason,
    ReminderSettings,
    TemplateRef,
)
from chalicelib.domain.records import PaymentTarget
from chalicelib.domain.tracking import tracker_for
from chalicelib.domain.wording import body_parameters
from chalicelib.observability import count, logger, mask_phone
from chalicelib.ports import (
    AccountingGateway,
    Clock,
    ConsentRepository,
    DecisionLog,
    Holds,
    MessageSender,
    PaymentLinks,
    PhoneFlags,
    SendLedger,
)
from chalicelib.services.presend import LastLook

# Meta errors that mean "this template cannot be used", not "this customer cannot be reached".
_TEMPLATE_ERRORS = frozenset({132000, 132001, 132015, 132016})
_NOT_ON_WHATSAPP = 131026
_THROUGHPUT_ERRORS = frozenset({130429, 131056, 131057, 4, 80007})
_PAYMENT_LINK_LIFETIME = dt.timedelta(days=90)
SEND_BATCH = 20  # at most this many messages are re-checked together (services/presend.py) right before they go out
REREAD_BATCH = 50  # ...and at most this many invoices: one batched re-read call (Xero takes about 52 ids a call)
# Calls a day kept aside when a vendor's daily allowance runs low: customers opening pay links, the next read.
RESERVED_CALLS = 50


def send_batches(messages: Sequence[OutgoingMessage]) -> list[list[OutgoingMessage]]:
    """The messages, most overdue first, in batches that cost one re-read call each (a statement of more than
    REREAD_BATCH invoices goes alone): the cheapest re-check that is still right before each send."""
    ordered = sorted(messages, key=lambda m: (min(r.invoice.due_date for r in m.reminders), m.phone))
    batches: list[list[OutgoingMessage]] = []
    invoices = 0
    for message in ordered:
        size = len(message.reminders)
        if not batches or len(batches[-1]) >= SEND_BATCH or invoices + size > REREAD_BATCH:
            batches.append([])
            invoices = 0
        batches[-1].append(message)
        invoices += size
    return batches


def _reread_calls(batch: Sequence[OutgoingMessage]) -> int:
    return -(-sum(len(m.reminders) for m in batch) // REREAD_BATCH)


def _affordable_batches(batches: Sequence[Sequence[OutgoingMessage]], remaining: int | None) -> int:
    """How many batches (most overdue first) the vendor's daily allowance pays for, keeping RESERVED_CALLS aside."""
    if remaining is None:
        return len(batches)
    budget = remaining - RESERVED_CALLS
    for index, batch in enumerate(batches):
        budget -= _reread_calls(batch)
        if budget < 0:
            return index
    return len(batches)


_OUT_OF_TIME = (
    "not sent: this cycle ran out of time (the worker's limit) before reaching it; the most overdue went first, "
    "this one goes in the next cycle"
)


def _allowance_detail(gateway: AccountingGateway) -> str:
    vendor = {"xero": "Xero", "quickbooks": "QuickBooks"}.get(gateway.source, gateway.source)
    left = gateway.remaining_calls_today()
    return (
        f"waiting for {vendor}'s daily API allowance ({left} calls left today, {RESERVED_CALLS} kept for pay links "
        "and the next read); the most overdue invoices went first, this one is sent when the allowance resets"
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class SentReminder:
    message: OutgoingMessage
    wamid: str
    tracker: str


@dataclass(slots=True, kw_only=True)
class CycleResult:
    connection: Connection
    decisions: list[Decision] = field(default_factory=list)
    sent: list[SentReminder] = field(default_factory=list)

    def summary(self) -> str:
        counts: dict[str, int] = {}
        for d in self.decisions:
            counts[d.reason.value] = counts.get(d.reason.value, 0) + 1
        return ", ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "no open invoices"


@dataclass(kw_only=True)
class CycleDependencies:
    """Everything a cycle touches, built by bootstrap.py (or by a test with its own pieces)."""

    clock: Clock
    settings: ReminderSettings
    gateway: AccountingGateway
    sender: MessageSender
    consents: ConsentRepository
    phone_flags: PhoneFlags
    holds: Holds
    ledger: SendLedger
    decision_log: DecisionLog
    payment_links: PaymentLinks
    approved_templates: Callable[[], frozenset[TemplateRef]]
    public_base_url: str
    recheck_after: dt.timedelta
    template_notes: Callable[[], Mapping[TemplateRef, str]] = dict  # why a template is unusable (Meta's events)
    elapsed: Monotonic = monotonic  # how fresh the first read still is: elapsed time, never the business clock
    deadline: float | None = None  # an `elapsed` reading after which nothing more is sent (the Lambda's time limit)


def run_cycle(connection: Connection, deps: CycleDependencies) -> CycleResult:
    """Run one reminder cycle for one connection and record every decision.

    Returns:
        The decision for every open invoice and the messages Meta accepted.

    Raises:
        AccountingError (and subclasses): the accounting system could not be read; nothing was sent.
    """
    org_id = connection.org_id
    read_at = deps.elapsed()
    invoices = tuple(deps.gateway.open_invoices())
    customer_ids = sorted({i.customer_id for i in invoices})
    customers = list(deps.gateway.customers(customer_ids).values()) if customer_ids else []
    plan = _plan(org_id, deps, invoices, customers)
    result = CycleResult(connection=connection)
    outcomes = _Delivery(org_id, deps, result, read_at).send_all(plan.messages)
    result.decisions = [outcomes.get(_invoice_key(d.invoice), d) for d in plan.decisions]
    deps.decision_log.save_decisions(org_id, result.decisions, deps.clock.now())
    _count_decisions(result.decisions)
    logger.info("cycle finished", extra={"summary": result.summary(), "sent": len(result.sent)})
    return result


@dataclass(frozen=True, slots=True, kw_only=True)
class CyclePreview:
    """What a cycle would decide right now for one connection, and the customers it read to decide it."""

    connection: Connection
    plan: CyclePlan
    customers: tuple[Customer, ...]


def plan_for_connection(connection: Connection, deps: CycleDependencies) -> CyclePreview:
    """The owner's preview: read and decide exactly as `run_cycle` would, but claim, send and record nothing.

    Messages in the plan are what would go out now; every other invoice carries the reason it would not.
    """
    invoices = tuple(deps.gateway.open_invoices())
    customer_ids = sorted({i.customer_id for i in invoices})
    customers = tuple(deps.gateway.customers(customer_ids).values()) if customer_ids else ()
    return CyclePreview(
        connection=connection, plan=_plan(connection.org_id, deps, invoices, customers), customers=customers
    )


def _plan(
    org_id: str, deps: CycleDependencies, invoices: tuple[Invoice, ...], customers: Sequence[Customer]
) -> CyclePlan:
    phones = sorted({c.phone for c in customers if c.phone})
    now = deps.clock.now()
    today = schedule.local_today(now, deps.settings.timezone)
    invoices = _closed_by_webhook(org_id, deps, invoices, now)
    candidate_keys = _candidate_ledger_keys(invoices, deps.settings, today)
    paused_customers, paused_invoices = deps.holds.active(org_id, now)
    paused_customers |= _paused_by_reply(org_id, deps, customers, now)
    facts = CycleFacts(
        now=now,
        settings=deps.settings,
        invoices=invoices,
        customers={(c.connection_id, c.customer_id): c for c in customers},
        consents=deps.consents.for_phones(org_id, phones),
        ledger=deps.ledger.states(org_id, candidate_keys),
        phones_messaged_today=deps.ledger.phones_messaged_on(org_id, today, phones),
        unreachable_phones=deps.phone_flags.unreachable(org_id, phones),
        paused_customers=paused_customers,
        paused_invoices=paused_invoices,
        pause_notes=deps.holds.pause_notes(org_id, now) if paused_invoices else {},
        approved_templates=deps.approved_templates(),
        template_notes=deps.template_notes(),
    )
    return policy.plan_cycle(facts)


def _closed_by_webhook(
    org_id: str, deps: CycleDependencies, invoices: tuple[Invoice, ...], now: dt.datetime
) -> tuple[Invoice, ...]:
    """An invoice Xero / QuickBooks just reported paid or voided is closed, even if this cycle's read is older."""
    closed = deps.holds.closed_invoices(org_id, [_invoice_key(i) for i in invoices], now)
    if not closed:
        return invoices
    voided = {k for k, status in closed.items() if status != "paid"}
    return tuple(
        dataclasses.replace(i, status=InvoiceStatus.VOIDED if _invoice_key(i) in voided else InvoiceStatus.PAID)
        if _invoice_key(i) in closed
        else i
        for i in invoices
    )


def _paused_by_reply(
    org_id: str, deps: CycleDependencies, customers: Sequence[Customer], now: dt.datetime
) -> frozenset[tuple[str, str]]:
    """Customers whose phone replied with something other than STOP / START: paused for a few days."""
    phones = deps.holds.paused_phones(org_id, sorted({c.phone for c in customers if c.phone}), now)
    return frozenset((c.connection_id, c.customer_id) for c in customers if c.phone in phones)


def _candidate_ledger_keys(invoices: Sequence[Invoice], settings: ReminderSettings, today: dt.date) -> list[str]:
    keys = []
    for invoice in invoices:
        stage = schedule.due_stage(invoice, today, settings.stages)
        if stage is not None:
            keys.append(DueReminder(invoice=invoice, stage=stage).ledger_key)
    return keys


def _by_id(invoices: Sequence[Invoice]) -> dict[str, Invoice]:
    return {i.invoice_id: i for i in invoices}


def _invoice_key(invoice: Invoice) -> tuple[str, str]:
    return (invoice.connection_id, invoice.invoice_id)


class _Delivery:
    """Carries out a plan's messages for one organisation, collecting an outcome per invoice."""

    def __init__(self, org_id: str, deps: CycleDependencies, result: CycleResult, read_at: float) -> None:
        self.org_id = org_id
        self.deps = deps
        self.result = result
        self.outcomes: dict[tuple[str, str], Decision] = {}
        self.last_look = LastLook(
            org_id=org_id,
            timezone=deps.settings.timezone,
            gateway=deps.gateway,
            consents=deps.consents,
            holds=deps.holds,
            phone_flags=deps.phone_flags,
            clock=deps.clock,
            elapsed=deps.elapsed,
            recheck_after=deps.recheck_after,
            read_at=read_at,
        )

    def send_all(self, messages: Sequence[OutgoingMessage]) -> dict[tuple[str, str], Decision]:
        batches = send_batches(messages)
        affordable = _affordable_batches(batches, self.deps.gateway.remaining_calls_today())
        throttled: SendFailed | None = None
        for index, batch in enumerate(batches):
            if self.deps.deadline is not None and self.deps.elapsed() >= self.deps.deadline:
                for message in batch:
                    self._decide(message, Reason.DEFERRED, _OUT_OF_TIME)
            elif index >= affordable:
                for message in batch:
                    self._decide(message, Reason.DEFERRED, _allowance_detail(self.deps.gateway))
            elif throttled is not None:
                for message in batch:
                    self._decide(message, Reason.SEND_FAILED, f"{_describe(throttled)}; will retry next cycle")
            else:
                throttled = self._send_batch(batch)
        return self.outcomes

    def _send_batch(self, batch: Sequence[OutgoingMessage]) -> SendFailed | None:
        """Send what is still right to send, right now; returns Meta's throughput error if it asked us to slow down."""
        verdict = self.last_look.check(batch)
        for decision in verdict.held:
            self.outcomes[_invoice_key(decision.invoice)] = decision
        for index, message in enumerate(verdict.sendable):
            try:
                self._send(message)
            except SendFailed as exc:
                if exc.throttled or exc.code in _THROUGHPUT_ERRORS:  # leave the rest of this cycle for the next one
                    for later in verdict.sendable[index + 1 :]:
                        self._decide(later, Reason.SEND_FAILED, f"{_describe(exc)}; will retry next cycle")
                    return exc
        return None

    def _send(self, message: OutgoingMessage) -> None:
        now = self.deps.clock.now()
        today = schedule.local_today(now, self.deps.settings.timezone)
        try:  # everything that can fail before the request leaves happens before the claim
            body_params = body_parameters(message, self.deps.settings.business_name)
            button = self._payment_code(message, now)
        except LunasError as exc:
            self._decide(message, Reason.SEND_FAILED, f"not sent: {exc}; will retry next cycle")
            logger.warning("message not prepared", extra={"error": type(exc).__name__})
            return
        msg_sk = self.deps.ledger.claim(self.org_id, message, today, now)
        if msg_sk is None:
            self._decide(message, Reason.ALREADY_MESSAGED_TODAY, "another worker or source messaged this phone today")
            return
        try:
            withdrawn = self._consent_withdrawn(message)
        except Exception:
            self.deps.ledger.release(self.org_id, msg_sk)  # nothing has left for Meta: the claim must not strand it
            raise
        if withdrawn is not None:
            self.deps.ledger.release(self.org_id, msg_sk)
            self._decide(message, withdrawn, "consent changed after the last look, right before sending; not sent")
            return
        tracker = tracker_for(self.org_id, msg_sk)
        try:
            sent = self.deps.sender.send_template(
                to=message.phone,
                template=message.template,
                body_params=body_params,
                button_url_suffix=button,
                tracker=tracker,
            )
        except SendFailed as exc:
            self._record_failure(msg_sk, message, exc)
            raise
        except Exception:
            # The adapter turns every known failure into SendFailed; anything else may have happened after the
            # request left, so the claim stays (never sent twice) and a status webhook settles it if Meta got it.
            self._decide(message, Reason.SEND_UNCONFIRMED, "the send ended in an unexpected error; not retried")
            logger.exception("unexpected error while sending; the claim is kept")
            return
        now = self.deps.clock.now()
        self.deps.ledger.record_sent(
            self.org_id, msg_sk, sent.wamid, now, accepted_status=sent.accepted_status, wa_id=sent.wa_id
        )
        self.result.sent.append(SentReminder(message=message, wamid=sent.wamid, tracker=tracker))
        if sent.held:  # Meta holds it back (template pacing): not sent until a status webhook says so
            self._decide(message, Reason.SEND_UNCONFIRMED, _held_detail(sent.accepted_status))
            return
        self._decide(message, Reason.SENT, sent.wamid)
        logger.info("reminder sent", extra={"to": mask_phone(message.phone), "template": message.template.name})

    def _consent_withdrawn(self, message: OutgoingMessage) -> Reason | None:
        """Consent read again for this one phone, after the claim and right before the request leaves.

        The batch's last look read it before the batch's first send; a STOP recorded while earlier messages of the
        batch were going out must still stop this one (found by the chaos suite, sandbox/chaos.py).
        """
        consent = self.deps.consents.for_phones(self.org_id, [message.phone]).get(message.phone)
        if consent is None:
            return Reason.NO_CONSENT
        return None if consent.status is ConsentStatus.OPTED_IN else Reason.OPTED_OUT

    def _payment_code(self, message: OutgoingMessage, now: dt.datetime) -> str:
        """The pay button's link for every message: no vendor call here (Xero's online invoice is looked up when the
        customer opens it; invoices with no online payment page get a page that says how to pay). The link keeps
        what the message said (number, amount, due date) for the page to show."""
        targets = [
            PaymentTarget(
                number=r.invoice.number,
                connection_id=r.invoice.connection_id,
                invoice_id=r.invoice.invoice_id,
                url=r.invoice.payment_link,
                amount=r.invoice.amount_due,
                due_date=r.invoice.due_date,
            )
            for r in message.reminders
        ]
        expires = now + _PAYMENT_LINK_LIFETIME
        return self.deps.payment_links.create(self.org_id, targets, expires, language=message.template.language)

    def _record_failure(self, msg_sk: str, message: OutgoingMessage, exc: SendFailed) -> None:
        now = self.deps.clock.now()
        extra = {"code": exc.code, "retryable": exc.retryable, "maybe_sent": exc.maybe_sent}
        logger.warning("send failed", extra=extra)
        if exc.maybe_sent:
            # We cannot know whether Meta accepted it: keep the claim, let the status webhook settle it.
            self._decide(message, Reason.SEND_UNCONFIRMED, _describe(exc))
            return
        if exc.retryable:
            self.deps.ledger.release(self.org_id, msg_sk)
            self._decide(message, Reason.SEND_FAILED, f"{_describe(exc)}; will retry next cycle")
            return
        self.deps.ledger.record_failed(self.org_id, msg_sk, exc.code, exc.title, now)
        if exc.code == _NOT_ON_WHATSAPP:
            self.deps.phone_flags.mark_not_on_whatsapp(self.org_id, message.phone, now, _describe(exc))
        reason = Reason.TEMPLATE_NOT_APPROVED if exc.code in _TEMPLATE_ERRORS else Reason.SEND_FAILED
        self._decide(message, reason, _describe(exc))

    def _decide(self, message: OutgoingMessage, reason: Reason, detail: str) -> None:
        for reminder in message.reminders:
            self.outcomes[_invoice_key(reminder.invoice)] = Decision(
                invoice=reminder.invoice, reason=reason, stage=reminder.stage, detail=detail
            )


def _held_detail(accepted_status: str) -> str:
    why = {
        "held_for_quality_assessment": "held by Meta for quality assessment",
        "paused": "paused by Meta (the template is paused)",
    }.get(accepted_status, f"held by Meta ({accepted_status})")
    return f"{why}: not sent until Meta releases it (a status will say); never sent again by Lunas"


def _describe(exc: SendFailed) -> str:
    return f"(#{exc.code}) {exc.title}" if exc.code is not None else exc.title


def _count_decisions(decisions: Sequence[Decision]) -> None:
    by_reason: dict[Reason, int] = {}
    for d in decisions:
        by_reason[d.reason] = by_reason.get(d.reason, 0) + 1
    for reason, n in sorted(by_reason.items()):
        if reason is Reason.SENT:
            count("RemindersSent", n)
        else:
            count("RemindersSkipped", n, reason=reason.value)
