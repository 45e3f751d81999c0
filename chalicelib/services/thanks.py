"""Thank-you messages, run at the end of each reminder cycle when the owner switched them on (domain/thanks.py).

After the reminders of a cycle went out, for one connection: watch every open invoice with a reminder Meta accepted;
for each watched invoice that left the open list (or an accounting webhook closed), find positive evidence of
payment (the webhook said paid, or the invoice read again shows PAID / nothing to pay: a voided or deleted invoice
is never thanked); then send each paid invoice's thank-you once, with the same rails as a reminder: an opt-in on
record, checked again right before the request, the send window, an approved template, Meta's pace. Each one is
claimed before it is sent and never sent twice, even if the worker dies in between. What was or was not sent, and
why, is the invoice's latest decision (reason `paid` with a note), which the owner reads on the Invoices page.

A failure here is logged and never fails the cycle: the reminders of the cycle have gone out already.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

from chalicelib.domain import meta_errors, notes, pace, schedule
from chalicelib.domain import thanks as rules
from chalicelib.domain.errors import SendFailed
from chalicelib.domain.meta_errors import AlertKind, ErrorClass
from chalicelib.domain.models import (
    Connection,
    Customer,
    Decision,
    Invoice,
    InvoiceStatus,
    LedgerState,
    Reason,
    TemplateRef,
    source_name,
)
from chalicelib.domain.phones import message_language
from chalicelib.domain.thanks import Evidence, ThanksReason, ThanksState, Watched
from chalicelib.observability import count, logger, mask_phone
from chalicelib.services.pacing import PairGuard, SendPace

if TYPE_CHECKING:
    from chalicelib.services.reminders import CycleDependencies, CycleResult

REREAD_BATCH = 50  # invoices per re-read call (services/reminders.py reads in the same batches)
_KEEP_CALLS = 50  # as reminders.RESERVED_CALLS: a vendor's daily allowance running low is kept for reminders

Key = tuple[str, str]


class ThanksStore(Protocol):
    """storage/thanks.py `DynamoThanks`."""

    def for_connection(self, org_id: str, connection_id: str) -> dict[Key, Watched]: ...

    def watch(self, org_id: str, items: Sequence[Watched], at: dt.datetime) -> None: ...

    def move(
        self,
        org_id: str,
        key: Key,
        to: ThanksState,
        at: dt.datetime,
        *,
        reason: str = "",
        paid_at: dt.datetime | None = None,
        language: str | None = None,
        body_params: Mapping[str, str] | None = None,
    ) -> bool: ...


def hook(store: ThanksStore) -> Callable[[Connection, Sequence[Invoice], CycleResult, CycleDependencies], None]:
    """What `CycleDependencies.after_cycle` runs (chalicelib/container.py)."""

    def after_cycle(
        connection: Connection, invoices: Sequence[Invoice], result: CycleResult, deps: CycleDependencies
    ) -> None:
        if not deps.settings.thank_paid:
            return
        try:
            thank_payers(connection, invoices, result, deps, store)
        except Exception:  # the cycle's reminders went out already; the next cycle tries again
            logger.exception("thank-you messages stopped on an unexpected error")

    return after_cycle


def thank_payers(
    connection: Connection,
    invoices: Sequence[Invoice],
    result: CycleResult,
    deps: CycleDependencies,
    store: ThanksStore,
) -> list[Decision]:
    """Watch, find the paid, send. Returns the decisions recorded (the owner's view of each thank-you)."""
    run = _Run(connection, deps, store, result)
    run.watch(invoices)
    run.find_paid({(i.connection_id, i.invoice_id) for i in invoices if _is_open(i)})
    run.send_due()
    if run.decisions:
        deps.decision_log.save_decisions(connection.org_id, run.decisions, deps.clock.now())
    return run.decisions


def _is_open(invoice: Invoice) -> bool:
    return invoice.status is InvoiceStatus.OPEN and invoice.amount_due.amount > 0


class _Run:
    def __init__(
        self, connection: Connection, deps: CycleDependencies, store: ThanksStore, result: CycleResult
    ) -> None:
        self.connection = connection
        self.org_id = connection.org_id
        self.deps = deps
        self.store = store
        self.items = store.for_connection(self.org_id, connection.connection_id)
        self.decisions: list[Decision] = []
        account = deps.account
        throughput = deps.throughput_per_second or (pace.throughput_of(account.throughput_level) if account else None)
        rate = pace.send_rate(throughput, account.quality_rating if account else None)
        self.pace = SendPace(rate, elapsed=deps.elapsed, sleep=deps.sleep)
        self.pairs = PairGuard(elapsed=deps.elapsed, sleep=deps.sleep)
        for sent in result.sent:  # Meta's pair limit: a reminder that just went to the same phone counts
            self.pairs.sent(sent.message.phone)

    # -- watching --

    def watch(self, invoices: Sequence[Invoice]) -> None:
        """Open invoices with a reminder Meta accepted (and did not report undelivered) are watched, with their
        current balance: the thank-you names it once the vendor's balance is zero. The send ledger is read only when
        an open invoice is not watched yet (or changed)."""
        candidates = [i for i in invoices if _is_open(i) and _needs_watching(self.items.get(_key(i)), i)]
        if not candidates:
            return
        reminded = {
            (e.connection_id, e.invoice_id)
            for e in self.deps.ledger.entries(self.org_id)
            if e.connection_id == self.connection.connection_id
            and e.state is LedgerState.SENT
            and e.delivery != "failed"
        }
        fresh = [_watched(i) for i in candidates if _key(i) in reminded]
        for item in fresh:
            self.items[item.key] = item
        if fresh:
            self.store.watch(self.org_id, fresh, self.deps.clock.now())

    # -- evidence --

    def find_paid(self, open_keys: set[Key]) -> None:
        watching = [k for k, item in self.items.items() if item.state is ThanksState.WATCHING]
        if not watching:
            return
        now = self.deps.clock.now()
        closures = self.deps.holds.closed_invoices(self.org_id, watching, now)
        gone = [k for k in watching if k not in open_keys or k in closures]
        to_read = [k for k in gone if k not in closures]
        reread, read = self._reread([invoice_id for _, invoice_id in to_read])
        for key in gone:
            invoice = reread.get(key[1])
            found = rules.evidence(closures.get(key), invoice, reread_done=key[1] in read)
            if found is Evidence.PAID:
                # The vendor's last change is the payment (at the latest): an invoice paid while the option was off
                # is found too late for a thank-you (rules.SEND_WITHIN), not thanked weeks on.
                changed = invoice.updated_at if invoice is not None and invoice.updated_at else now
                changed = changed if changed.tzinfo else changed.replace(tzinfo=dt.UTC)
                self._move(key, ThanksState.DUE, paid_at=min(changed, now))
            elif found is Evidence.NOT_PAID:
                self._move(key, ThanksState.NOT_PAID)

    def _reread(self, invoice_ids: Sequence[str]) -> tuple[dict[str, Invoice], set[str]]:
        """The invoices read again from the vendor, in batches, while its daily allowance lasts."""
        found: dict[str, Invoice] = {}
        read: set[str] = set()
        for start in range(0, len(invoice_ids), REREAD_BATCH):
            remaining = self.deps.gateway.remaining_calls_today()
            if remaining is not None and remaining <= _KEEP_CALLS:
                logger.info("thank-you evidence waits for the vendor's daily allowance")
                break
            batch = invoice_ids[start : start + REREAD_BATCH]
            found.update((i.invoice_id, i) for i in self.deps.gateway.invoices_by_id(batch))
            read.update(batch)
        return found, read

    # -- sending --

    def send_due(self) -> None:
        due = [item for item in self.items.values() if item.state is ThanksState.DUE]
        if not due:
            return
        customers = self.deps.gateway.customers(sorted({i.customer_id for i in due}))
        for item in sorted(due, key=lambda i: (i.paid_at or dt.datetime.min.replace(tzinfo=dt.UTC), i.number)):
            if self.deps.deadline is not None and self.deps.elapsed() >= self.deps.deadline:
                return  # the worker's time is up: the rest goes next cycle
            self._send_one(item, customers.get(item.customer_id))

    def _send_one(self, item: Watched, customer: Customer | None) -> None:
        now = self.deps.clock.now()
        invoice = self._invoice(item, customer)
        if rules.too_late(item, now):
            self._not_sent(item, invoice, ThanksReason.TOO_LATE)
            return
        phone = customer.phone if customer else None
        if not phone:
            self._not_sent(item, invoice, ThanksReason.NO_PHONE)
            return
        refusal = self._consent_refusal(phone)
        if refusal is not None:
            self._not_sent(item, invoice, refusal)
            return
        settings = self.deps.settings
        language = message_language(phone, settings.country, settings.language)  # as the reminders chose
        waiting = self._must_wait(rules.template(language), now)
        if waiting is not None:
            self._wait(item, invoice, waiting)
            return
        params = rules.body_parameters(
            item, customer_name=invoice.customer_name, business_name=settings.business_name, language=language
        )
        kept = {k: v for k, v in params.items() if k != "customer_name"}  # the text as sent, but no person's name
        if not self.store.move(self.org_id, item.key, ThanksState.CLAIMED, now, language=language, body_params=kept):
            return  # another worker claimed it: it is theirs
        self._deliver(item, invoice, phone, language, params)

    def _deliver(self, item: Watched, invoice: Invoice, phone: str, language: str, params: Mapping[str, str]) -> None:
        self.pairs.wait(phone)
        self.pace.acquire()
        refusal = self._consent_refusal(phone)  # read again right before the request, as for every reminder
        if refusal is not None:
            self._not_sent(item, invoice, refusal)
            return
        try:
            sent = self.deps.sender.send_template(
                to=phone, template=rules.template(language), body_params=params, button_url_suffix=None, tracker=""
            )
        except SendFailed as exc:
            self._failed(item, invoice, exc)
            return
        except Exception:  # it may have left: the claim stays, it is never sent again
            logger.exception("thank-you send ended in an unexpected error; the claim is kept")
            self._decide(invoice, ThanksReason.UNCONFIRMED)
            return
        self.pace.accepted()
        self.pairs.sent(phone)
        now = self.deps.clock.now()
        self.store.move(self.org_id, item.key, ThanksState.SENT, now)
        self._decide(invoice, None, sent_at=now)
        count("ThanksSent")
        logger.info("thank-you sent", extra={"to": mask_phone(phone), "wamid_known": bool(sent.wamid)})

    def _failed(self, item: Watched, invoice: Invoice, exc: SendFailed) -> None:
        logger.warning("thank-you not sent", extra={"code": exc.code, "maybe_sent": exc.maybe_sent})
        if exc.maybe_sent:
            self._decide(invoice, ThanksReason.UNCONFIRMED)  # stays claimed: never sent twice
            return
        error_class = meta_errors.classify(exc.code, retryable=exc.retryable)
        if error_class in (ErrorClass.RETRYABLE, ErrorClass.ACCOUNT, ErrorClass.TEMPLATE):
            self._move(item.key, ThanksState.DUE, reason=ThanksReason.RETRY)  # it reached nobody: next cycle
            self._decide(invoice, ThanksReason.RETRY)
            return
        self._not_sent(item, invoice, ThanksReason.SEND_FAILED)

    # -- the rules' facts --

    def _consent_refusal(self, phone: str) -> ThanksReason | None:
        consent = self.deps.consents.for_phones(self.org_id, [phone]).get(phone)
        erased = bool(self.deps.erased and phone in self.deps.erased.erased(self.org_id, [phone]))
        return rules.consent_refusal(consent, erased=erased)

    def _must_wait(self, template: TemplateRef, now: dt.datetime) -> ThanksReason | None:
        if not schedule.in_send_window(now, self.deps.settings):
            return ThanksReason.OUTSIDE_WINDOW
        if template not in self.deps.approved_templates():
            return ThanksReason.TEMPLATE_NOT_APPROVED
        alerts = self.deps.alerts.alerts(self.org_id) if self.deps.alerts is not None else []
        if any(a.kind is AlertKind.ACCOUNT for a in alerts):
            return ThanksReason.RETRY
        return None

    def _invoice(self, item: Watched, customer: Customer | None) -> Invoice:
        """The paid invoice as the owner's invoice list shows it: the balance it was reminded for, now paid."""
        return Invoice(
            source=self.connection.provider,
            connection_id=item.connection_id,
            invoice_id=item.invoice_id,
            number=item.number,
            customer_id=item.customer_id,
            customer_name=customer.name if customer else "",
            due_date=item.due_date,
            amount_due=item.amount,
            status=InvoiceStatus.PAID,
        )

    # -- recording --

    def _move(self, key: Key, to: ThanksState, *, reason: str = "", paid_at: dt.datetime | None = None) -> bool:
        moved = self.store.move(self.org_id, key, to, self.deps.clock.now(), reason=reason, paid_at=paid_at)
        if moved:
            item = self.items[key]
            self.items[key] = dataclasses.replace(item, state=to, reason=reason, paid_at=paid_at or item.paid_at)
        return moved

    def _not_sent(self, item: Watched, invoice: Invoice, reason: ThanksReason) -> None:
        if self._move(item.key, ThanksState.NOT_SENT, reason=reason):
            self._decide(invoice, reason)

    def _wait(self, item: Watched, invoice: Invoice, reason: ThanksReason) -> None:
        """Not now; tried again next cycle. The owner is told once per reason, not every hour."""
        if item.reason == reason:
            return
        if self._move(item.key, ThanksState.DUE, reason=reason):
            self._decide(invoice, reason)

    def _decide(self, invoice: Invoice, reason: ThanksReason | None, *, sent_at: dt.datetime | None = None) -> None:
        system = source_name(self.connection.provider)
        if reason is None:
            at = sent_at or self.deps.clock.now()
            note = notes.note("thanks_sent", system=system, sent_at=notes.instant_value(at))
            detail = f"paid in {system}; thank-you sent on WhatsApp"
        else:
            note = notes.note(f"thanks_{reason.value}", system=system)
            detail = f"paid in {system}; thank-you not sent: {reason.value.replace('_', ' ')}"
        self.decisions.append(Decision(invoice=invoice, reason=Reason.PAID, detail=detail, note=note))


def _key(invoice: Invoice) -> Key:
    return (invoice.connection_id, invoice.invoice_id)


def _watched(invoice: Invoice) -> Watched:
    return Watched(
        connection_id=invoice.connection_id,
        invoice_id=invoice.invoice_id,
        number=invoice.number,
        customer_id=invoice.customer_id,
        due_date=invoice.due_date,
        amount=invoice.amount_due,
    )


def _needs_watching(known: Watched | None, invoice: Invoice) -> bool:
    """Not watched yet, or still watched with other terms (number, customer, due date, balance) than now."""
    if known is None:
        return True
    watched = (known.number, known.customer_id, known.due_date, known.amount)
    return known.state is ThanksState.WATCHING and watched != (
        invoice.number,
        invoice.customer_id,
        invoice.due_date,
        invoice.amount_due,
    )
