"""One reminder cycle for one connection: read, decide, re-check, claim, send, record.

The rules live in `domain/policy.py`; this module gathers the facts they need, and carries out the plan with the
safety rails that must hold whatever the rules say: a fresh read of each invoice right before its reminder, an
atomic claim before every send (`DynamoSendLedger`), and a recorded reason for every invoice, sent or not.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from chalicelib.clock import Monotonic, monotonic
from chalicelib.domain import meta_errors, pace, policy, schedule
from chalicelib.domain.errors import LunasError, SendFailed
from chalicelib.domain.meta_errors import AlertKind, ErrorClass, RetryPolicy, WhatsAppAlert
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
    SentMessage,
    TemplateRef,
    WhatsAppAccount,
    source_name,
)
from chalicelib.domain.records import PaymentTarget
from chalicelib.domain.segment_schedules import stages_for_invoice
from chalicelib.domain.tracking import tracker_for
from chalicelib.domain.wording import body_parameters
from chalicelib.observability import count, logger, mask_phone
from chalicelib.ports import (
    AccountingGateway,
    Clock,
    ConsentRepository,
    DecisionLog,
    ErasedPhones,
    Holds,
    MessageSender,
    PaymentLinks,
    PhoneFlags,
    RecipientCounts,
    SendLedger,
    WhatsAppAlerts,
)
from chalicelib.services.pacing import PairGuard, SendPace, Sleep, real_sleep
from chalicelib.services.presend import LastLook

_PAYMENT_LINK_LIFETIME = dt.timedelta(days=90)
# At most this many messages are re-checked together (services/presend.py) right before they go out, and at most
# REREAD_BATCH invoices: one batched re-read call (Xero takes about 52 ids a call). 50 one-invoice messages fill one
# call: at Xero's 60 calls a minute that is 50 messages a second, the most a re-read before every send allows
# (docs/whatsapp-sending.md, "Pace").
SEND_BATCH = 50
REREAD_BATCH = 50
# Sends in flight at once for one number: 76/s at ~100 ms of Meta latency needs 8; the rest covers the ledger's
# writes around each send. The cycle re-checks at most SEND_WINDOW messages ahead of the sends: enough to keep
# sending through the next batch's re-read call, few enough that a re-check is at most ~1.5 s old at Meta's pace.
SEND_CONCURRENCY = 16
SEND_WINDOW = 2 * SEND_BATCH
PROGRESS_EVERY = 500  # a long run logs its counts every this many messages
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
    vendor = source_name(gateway.source)
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
    # Pace and limits (docs/whatsapp-sending.md): the waits go through `sleep`, timed on `elapsed`.
    sleep: Sleep = real_sleep
    account: WhatsAppAccount | None = None  # its messaging-limit tier and quality rating, as Meta last said
    throughput_per_second: float | None = None  # a rate to use instead of the account's throughput level (bench)
    recipients: RecipientCounts | None = None  # who was messaged in the last 24 hours (None: limit not enforced)
    alerts: WhatsAppAlerts | None = None  # account blocked / template stopped, kept until the owner fixes it
    erased: ErasedPhones | None = None  # numbers erased at the person's request (docs/privacy.md)
    concurrency: int = SEND_CONCURRENCY
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # Runs once the cycle's reminders are sent and recorded, e.g. the thank-yous for paid invoices (services/thanks.py).
    after_cycle: Callable[[Connection, Sequence[Invoice], CycleResult, CycleDependencies], None] | None = None


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
    if deps.after_cycle is not None:
        deps.after_cycle(connection, invoices, result, deps)
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
        erased_phones=deps.erased.erased(org_id, phones) if deps.erased else frozenset(),
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
        stage = schedule.due_stage(invoice, today, stages_for_invoice(settings, invoice))  # as eligibility.decide
        if stage is not None:
            keys.append(DueReminder(invoice=invoice, stage=stage).ledger_key)
    return keys


def _by_id(invoices: Sequence[Invoice]) -> dict[str, Invoice]:
    return {i.invoice_id: i for i in invoices}


def _invoice_key(invoice: Invoice) -> tuple[str, str]:
    return (invoice.connection_id, invoice.invoice_id)


class _RecipientAllowance:
    """Meta's messaging limit for this cycle: new recipients left in the rolling 24 hours (services decide in order,
    most overdue first, so what does not fit is the least overdue)."""

    def __init__(self, limit: int, recent: frozenset[str]) -> None:
        self.limit = limit
        self.recent = set(recent)
        self.left = max(0, limit - len(recent))

    def admit(self, phone: str) -> bool:
        if phone in self.recent:
            return True  # already a recipient of this window: it does not count again
        if self.left <= 0:
            return False
        self.left -= 1
        self.recent.add(phone)
        return True

    def detail(self) -> str:
        return (
            f"not sent: WhatsApp's messaging limit for this number ({self.limit:,} customers in 24 hours) is used up; "
            "the most overdue invoices went first, this one is sent when the 24-hour window moves on. To raise the "
            "limit, keep the number's quality high and verify the business in Meta Business Manager"
        )


class _Delivery:
    """Carries out a plan's messages for one organisation, collecting an outcome per invoice.

    Batches of messages are re-checked (`LastLook`) in order, most overdue first, and their sendable messages are
    handed to a small pool of threads; each message keeps its own claim, its own consent re-read right before each
    request, and waits for its slot in the number's `SendPace` (Meta's throughput) and `PairGuard` (Meta's pair
    limit). The main thread stays at most `_window` messages ahead of the sends, so a re-check is never stale.
    """

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
        account = deps.account
        quality = account.quality_rating if account else None
        # Meta's throughput level for the number (HIGH: 1,000 a second), unless the caller gave a rate
        throughput = deps.throughput_per_second or (pace.throughput_of(account.throughput_level) if account else None)
        self.pace = SendPace(pace.send_rate(throughput, quality), elapsed=deps.elapsed, sleep=deps.sleep)
        self.pairs = PairGuard(elapsed=deps.elapsed, sleep=deps.sleep)
        self._lock = threading.Lock()
        self._window = threading.BoundedSemaphore(max(2 * max(1, deps.concurrency), SEND_WINDOW))
        self._account_block: WhatsAppAlert | None = None
        self._stopped_templates: dict[TemplateRef, str] = {}  # template -> the detail every later message gets
        self._throttled: str | None = None  # Meta kept asking to slow down: the rest waits for the next cycle
        self._crash: BaseException | None = None
        self._template_alerts: set[str] = set()
        self._done = 0

    # -- the cycle's messages, in order --

    def send_all(self, messages: Sequence[OutgoingMessage]) -> dict[tuple[str, str], Decision]:
        self._read_alerts()
        batches = send_batches(messages)
        affordable = _affordable_batches(batches, self.deps.gateway.remaining_calls_today())
        allowance = self._allowance() if messages else None
        with ThreadPoolExecutor(max_workers=max(1, self.deps.concurrency), thread_name_prefix="send") as pool:
            for index, batch in enumerate(batches):
                if self._crash is not None:
                    break  # re-raised below: SQS delivers the cycle again, nothing more is re-read or sent
                stopped = self._stopped_detail(None)
                if stopped is not None:
                    for message in batch:
                        self._decide(message, Reason.SEND_FAILED, stopped)
                elif self._out_of_time():
                    for message in batch:
                        self._decide(message, Reason.DEFERRED, _OUT_OF_TIME)
                elif index >= affordable:
                    for message in batch:
                        self._decide(message, Reason.DEFERRED, _allowance_detail(self.deps.gateway))
                else:
                    self._hand_over(pool, batch, allowance)
        if self._crash is not None:
            raise self._crash
        return self.outcomes

    def _hand_over(
        self, pool: ThreadPoolExecutor, batch: Sequence[OutgoingMessage], allowance: _RecipientAllowance | None
    ) -> None:
        """Re-check one batch right now and hand what may still go to the senders."""
        verdict = self.last_look.check(batch)
        with self._lock:
            for decision in verdict.held:
                self.outcomes[_invoice_key(decision.invoice)] = decision
        for message in verdict.sendable:
            if allowance is not None and not allowance.admit(message.phone):
                self._decide(message, Reason.MESSAGING_LIMIT, allowance.detail())
                continue
            self._window.acquire()
            future = pool.submit(self._send_guarded, message)
            future.add_done_callback(self._release_window)

    def _release_window(self, _: Future[None]) -> None:
        self._window.release()

    def _send_guarded(self, message: OutgoingMessage) -> None:
        """One message on a pool thread; an unexpected error stops the cycle (SQS redelivers it) like before."""
        if self._crash is not None:
            self._decide(message, Reason.DEFERRED, _INTERRUPTED)
            return
        try:
            self._send(message)
        except BaseException as exc:  # re-raised by send_all on the cycle's thread
            with self._lock:
                self._crash = self._crash or exc
            self._decide(message, Reason.DEFERRED, _INTERRUPTED)
        self._progress()

    # -- one message --

    def _send(self, message: OutgoingMessage) -> None:
        prepared = self._prepare(message)
        if prepared is None:
            return
        now = self.deps.clock.now()
        today = schedule.local_today(now, self.deps.settings.timezone)
        msg_sk = self.deps.ledger.claim(self.org_id, message, today, now, body_params=prepared[0])
        if msg_sk is None:
            self._decide(message, Reason.ALREADY_MESSAGED_TODAY, "another worker or source messaged this phone today")
            return
        self._attempt(msg_sk, message, *prepared)

    def _prepare(self, message: OutgoingMessage) -> tuple[Mapping[str, str], str] | None:
        """The message's parameters and pay link, unless it must not go now (then its reason is decided)."""
        stopped = self._stopped_detail(message.template)
        if stopped is not None:
            self._decide(message, self._stopped_reason(message.template), stopped)
            return None
        try:  # everything that can fail before the request leaves happens before the claim
            return body_parameters(message, self.deps.settings.business_name), self._payment_code(
                message, self.deps.clock.now()
            )
        except LunasError as exc:
            self._decide(message, Reason.SEND_FAILED, f"not sent: {exc}; will retry next cycle")
            logger.warning("message not prepared", extra={"error": type(exc).__name__})
            return None

    def _attempt(self, msg_sk: str, message: OutgoingMessage, body_params: Mapping[str, str], button: str) -> None:
        """Send one claimed message: retryable refusals are tried again here, a bounded number of times."""
        tracker = tracker_for(self.org_id, msg_sk)
        for attempt in range(1, max(1, self.deps.retry.attempts) + 1):
            # Wait for Meta's pace first: the final consent read below must stay right before the request leaves.
            self.pairs.wait(message.phone)
            self.pace.acquire()
            if not self._may_still_send(msg_sk, message):
                return
            try:
                sent = self.deps.sender.send_template(
                    to=message.phone,
                    template=message.template,
                    body_params=body_params,
                    button_url_suffix=button,
                    tracker=tracker,
                )
            except SendFailed as exc:
                if self._retry_now(exc, message, attempt):
                    continue
                self._record_failure(msg_sk, message, exc)
                return
            except Exception:
                # The adapter turns every known failure into SendFailed; anything else may have happened after the
                # request left, so the claim stays (never sent twice) and a status webhook settles it if Meta got it.
                self._decide(message, Reason.SEND_UNCONFIRMED, "the send ended in an unexpected error; not retried")
                logger.exception("unexpected error while sending; the claim is kept")
                return
            self._record_sent(msg_sk, message, sent, tracker)
            return

    def _may_still_send(self, msg_sk: str, message: OutgoingMessage) -> bool:
        """Right before each request: the account or template was not stopped meanwhile, and consent holds."""
        stopped = self._stopped_detail(message.template)
        if stopped is not None:
            self.deps.ledger.release(self.org_id, msg_sk)
            self._decide(message, self._stopped_reason(message.template), stopped)
            return False
        try:
            withdrawn = self._consent_withdrawn(message)
        except Exception:
            self.deps.ledger.release(self.org_id, msg_sk)  # nothing has left for Meta: the claim must not strand it
            raise
        if withdrawn is not None:
            self.deps.ledger.release(self.org_id, msg_sk)
            self._decide(message, withdrawn, "consent changed after the last look, right before sending; not sent")
            return False
        return True

    def _retry_now(self, exc: SendFailed, message: OutgoingMessage, attempt: int) -> bool:
        """A retryable refusal: slow down if asked to, wait (bounded, exponential) and try again in this cycle."""
        if exc.maybe_sent or _error_class(exc) is not ErrorClass.RETRYABLE:
            return False
        if exc.throttled or exc.code in meta_errors.THROTTLE_CODES:
            self.pace.slow_down()
            logger.warning("Meta asked to slow down; sending at half the rate", extra={"code": exc.code})
        if exc.code == meta_errors.PAIR_LIMIT_CODE:
            self.pairs.sent(message.phone)  # the next try waits out the pair limit
        if attempt >= self.deps.retry.attempts or self._out_of_time():
            return False
        self.deps.sleep(self.deps.retry.wait_before(attempt))
        return True

    def _record_sent(self, msg_sk: str, message: OutgoingMessage, sent: SentMessage, tracker: str) -> None:
        now = self.deps.clock.now()
        self.deps.ledger.record_sent(
            self.org_id, msg_sk, sent.wamid, now, accepted_status=sent.accepted_status, wa_id=sent.wa_id
        )
        self.pace.accepted()
        self.pairs.sent(message.phone)
        with self._lock:
            self.result.sent.append(SentReminder(message=message, wamid=sent.wamid, tracker=tracker))
        self._clear_template_alert(message.template)
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
        error_class = _error_class(exc)
        extra = {"code": exc.code, "class": error_class.value, "retryable": exc.retryable, "maybe_sent": exc.maybe_sent}
        logger.warning("send failed", extra=extra)
        if exc.maybe_sent:
            # We cannot know whether Meta accepted it: keep the claim, let the status webhook settle it.
            self._decide(message, Reason.SEND_UNCONFIRMED, _describe(exc))
            return
        if error_class is ErrorClass.ACCOUNT:
            self.deps.ledger.release(self.org_id, msg_sk)  # it reached nobody: it goes once the account works again
            alert = self._block_account(exc, now)
            self._decide(message, Reason.SEND_FAILED, meta_errors.account_blocked_detail(alert))
            return
        if error_class is ErrorClass.TEMPLATE:
            self.deps.ledger.release(self.org_id, msg_sk)  # it goes once the template is usable again
            self._decide(message, Reason.TEMPLATE_NOT_APPROVED, self._stop_template(message.template, exc, now))
            return
        if error_class is ErrorClass.RETRYABLE:
            self.deps.ledger.release(self.org_id, msg_sk)
            detail = f"{_describe(exc)}; will retry next cycle"
            if exc.throttled or exc.code in meta_errors.THROTTLE_CODES:
                with self._lock:
                    self._throttled = self._throttled or detail  # still throttled after the retries: stop for now
            self._decide(message, Reason.SEND_FAILED, detail)
            return
        self.deps.ledger.record_failed(self.org_id, msg_sk, exc.code, exc.title, now)
        if exc.code == meta_errors.NOT_ON_WHATSAPP:
            self.deps.phone_flags.mark_not_on_whatsapp(self.org_id, message.phone, now, _describe(exc))
        detail = _describe(exc)
        if error_class is ErrorClass.RECIPIENT:
            detail = f"{detail}: {meta_errors.advice(exc.code)}"
        self._decide(message, Reason.SEND_FAILED, detail)

    # -- account and template stops --

    def _read_alerts(self) -> None:
        """An account block stored by an earlier cycle stops this one before anything is sent."""
        if self.deps.alerts is None:
            return
        for alert in self.deps.alerts.alerts(self.org_id):
            if alert.kind is AlertKind.ACCOUNT:
                self._account_block = alert
            else:
                self._template_alerts.add(alert.template)

    def _block_account(self, exc: SendFailed, now: dt.datetime) -> WhatsAppAlert:
        alert = WhatsAppAlert(
            kind=AlertKind.ACCOUNT, code=exc.code, reason=meta_errors.advice(exc.code, exc.title), at=now
        )
        with self._lock:
            first = self._account_block is None
            self._account_block = self._account_block or alert
            alert = self._account_block
        if first:
            logger.error("WhatsApp account blocked; every send stopped", extra={"code": exc.code})
            if self.deps.alerts is not None:
                self.deps.alerts.raise_alert(self.org_id, alert)
        return alert

    def _stop_template(self, template: TemplateRef, exc: SendFailed, now: dt.datetime) -> str:
        name = f"{template.name}/{template.language}"
        reason = meta_errors.advice(exc.code, exc.title)
        detail = meta_errors.template_stopped_detail(name, exc.code, reason)
        with self._lock:
            first = template not in self._stopped_templates
            self._stopped_templates.setdefault(template, detail)
            self._template_alerts.add(name)
        if first:
            logger.error("WhatsApp template stopped for this cycle", extra={"code": exc.code, "template": name})
            if self.deps.alerts is not None:
                alert = WhatsAppAlert(kind=AlertKind.TEMPLATE, code=exc.code, reason=reason, at=now, template=name)
                self.deps.alerts.raise_alert(self.org_id, alert)
        return detail

    def _clear_template_alert(self, template: TemplateRef) -> None:
        name = f"{template.name}/{template.language}"
        with self._lock:
            known = name in self._template_alerts
            self._template_alerts.discard(name)
        if known and self.deps.alerts is not None:
            self.deps.alerts.clear(self.org_id, f"TEMPLATE#{name}")

    def _stopped_detail(self, template: TemplateRef | None) -> str | None:
        with self._lock:
            if self._account_block is not None:
                return meta_errors.account_blocked_detail(self._account_block)
            if self._throttled is not None:
                return self._throttled
            return self._stopped_templates.get(template) if template is not None else None

    def _stopped_reason(self, template: TemplateRef) -> Reason:
        with self._lock:
            if self._account_block is None and self._throttled is None and template in self._stopped_templates:
                return Reason.TEMPLATE_NOT_APPROVED
        return Reason.SEND_FAILED

    # -- limits, time, progress --

    def _allowance(self) -> _RecipientAllowance | None:
        """Meta's messaging limit: unique recipients in the last 24 hours against the number's tier."""
        account = self.deps.account
        limit = pace.messaging_limit(account.messaging_limit_tier, account.quality_rating) if account else None
        if limit is None or self.deps.recipients is None or account is None:
            return None
        now = self.deps.clock.now()
        since = now - dt.timedelta(hours=24)
        days = {
            schedule.local_today(since, self.deps.settings.timezone),
            schedule.local_today(now, self.deps.settings.timezone),
        }
        return _RecipientAllowance(limit, self.deps.recipients.recipients_since(self.org_id, days, since))

    def _out_of_time(self) -> bool:
        return self.deps.deadline is not None and self.deps.elapsed() >= self.deps.deadline

    def _progress(self) -> None:
        with self._lock:
            self._done += 1
            done, sent = self._done, len(self.result.sent)
        if done % PROGRESS_EVERY == 0:
            logger.info(
                "sending progress",
                extra={"done": done, "sent": sent, "rate_per_second": round(self.pace.rate, 1)},
            )

    def _decide(self, message: OutgoingMessage, reason: Reason, detail: str) -> None:
        with self._lock:
            for reminder in message.reminders:
                self.outcomes[_invoice_key(reminder.invoice)] = Decision(
                    invoice=reminder.invoice, reason=reason, stage=reminder.stage, detail=detail
                )


_INTERRUPTED = "not sent: the cycle stopped on an unexpected error before this message; it goes in the next cycle"


def _error_class(exc: SendFailed) -> ErrorClass:
    return meta_errors.classify(exc.code, retryable=exc.retryable)


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
