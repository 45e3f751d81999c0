"""The last look before messages go out: what may have changed since the cycle planned them.

A plan is made from one read of the accounting system and of DynamoDB, and a cycle takes a while (Meta's pace, many
customers). Meanwhile a customer may reply STOP or pay, the owner may pause someone, an accounting webhook may report
an invoice paid. So right before each small batch of messages is sent, `LastLook` reads again what is cheap to read
(consent, pauses, phone flags, webhook closures: DynamoDB, batched) and re-reads from the accounting system, in one
batched call, every invoice of the batch whose last read is older than `recheck_after` *at that moment*. A message
whose facts changed is not sent, and every invoice in it gets the reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from chalicelib.clock import Monotonic
from chalicelib.domain import notes, schedule
from chalicelib.domain.models import (
    ConsentStatus,
    Decision,
    Invoice,
    InvoiceStatus,
    OutgoingMessage,
    Reason,
    Stage,
)
from chalicelib.ports import AccountingGateway, Clock, ConsentRepository, Holds, PhoneFlags

_CHANGED = "changed after this cycle planned the message"


@dataclass(frozen=True, slots=True)
class _Facts:
    """What DynamoDB and the accounting system say now about one batch of messages."""

    now: dt.datetime
    fresh: Mapping[str, Invoice | None]  # re-read just now, by vendor id; None: gone from the accounting system
    consents: Mapping[str, ConsentStatus]
    paused_phones: frozenset[str]
    unreachable: frozenset[str]
    closed: Mapping[tuple[str, str], str]
    paused_customers: frozenset[tuple[str, str]]
    paused_invoices: frozenset[tuple[str, str]]


@dataclass(slots=True)
class Verdict:
    sendable: list[OutgoingMessage] = field(default_factory=list)
    held: list[Decision] = field(default_factory=list)  # one per invoice of each message not sent


@dataclass(kw_only=True)
class LastLook:
    org_id: str
    timezone: str
    gateway: AccountingGateway
    consents: ConsentRepository
    holds: Holds
    phone_flags: PhoneFlags
    clock: Clock
    elapsed: Monotonic
    recheck_after: dt.timedelta
    read_at: float  # elapsed-time reading of the cycle's first read of the accounting system
    _reread_at: dict[str, float] = field(default_factory=dict)

    def check(self, messages: Sequence[OutgoingMessage]) -> Verdict:
        facts = self._facts(messages)
        verdict = Verdict()
        for message in messages:
            held = _held(message, facts, schedule.local_today(facts.now, self.timezone))
            if held:
                verdict.held += held
            else:
                verdict.sendable.append(message)
        return verdict

    def _facts(self, messages: Sequence[OutgoingMessage]) -> _Facts:
        now = self.clock.now()
        phones = sorted({m.phone for m in messages})
        invoices = [r.invoice for m in messages for r in m.reminders]
        paused_customers, paused_invoices = self.holds.active(self.org_id, now)
        return _Facts(
            now=now,
            fresh=self._reread_stale(invoices),
            consents={p: c.status for p, c in self.consents.for_phones(self.org_id, phones).items()},
            paused_phones=self.holds.paused_phones(self.org_id, phones, now),
            unreachable=self.phone_flags.unreachable(self.org_id, phones),
            closed=self.holds.closed_invoices(self.org_id, [_key(i) for i in invoices], now),
            paused_customers=paused_customers,
            paused_invoices=paused_invoices,
        )

    def _reread_stale(self, invoices: Sequence[Invoice]) -> dict[str, Invoice | None]:
        """Re-read, in one batched call, the invoices whose last read is older than `recheck_after` right now."""
        now = self.elapsed()
        bound = self.recheck_after.total_seconds()
        stale = sorted(
            {i.invoice_id for i in invoices if now - self._reread_at.get(i.invoice_id, self.read_at) >= bound}
        )
        if not stale:
            return {}
        found = {i.invoice_id: i for i in self.gateway.invoices_by_id(stale)}
        read = self.elapsed()
        self._reread_at.update(dict.fromkeys(stale, read))
        return {invoice_id: found.get(invoice_id) for invoice_id in stale}


def _held(message: OutgoingMessage, facts: _Facts, today: dt.date) -> list[Decision]:
    """The decisions for a message that must not go out now; empty when it may."""
    whole = _whole_message_hold(message, facts, today)
    if whole is not None:
        reason, detail = whole
        return [_decision(r.invoice, r.stage, reason, detail) for r in message.reminders]
    paid = {r.invoice.invoice_id: _closed_status(r.invoice, facts) for r in message.reminders}
    changed = {r.invoice.invoice_id for r in message.reminders if _terms_changed(r.invoice, facts)}
    if not any(paid.values()) and not changed:
        return []
    held = []
    for reminder in message.reminders:
        invoice = reminder.invoice
        if paid[invoice.invoice_id]:
            detail = f"{paid[invoice.invoice_id]}: found on the re-check right before sending"
            held.append(_decision(invoice, reminder.stage, Reason.PAID, detail, notes.note("paid_at_recheck")))
        else:
            own = invoice.invoice_id in changed
            why = "its amount or due date" if own else "another invoice in the same message"
            detail = f"not sent: {why} changed right before sending; it is planned again in the next cycle"
            words = notes.note("changed_at_recheck" if own else "other_changed_at_recheck")
            held.append(_decision(invoice, reminder.stage, Reason.DEFERRED, detail, words))
    return held


def _whole_message_hold(message: OutgoingMessage, facts: _Facts, today: dt.date) -> tuple[Reason, str] | None:
    consent = facts.consents.get(message.phone)
    if consent is None:
        return Reason.NO_CONSENT, f"no WhatsApp opt-in for this number ({_CHANGED})"
    if consent is not ConsentStatus.OPTED_IN:
        return Reason.OPTED_OUT, f"the customer opted out ({_CHANGED})"
    if message.phone in facts.unreachable:
        return Reason.NOT_ON_WHATSAPP, "Meta reported this number is not on WhatsApp"
    if message.phone in facts.paused_phones or any(_paused(r.invoice, facts) for r in message.reminders):
        return Reason.PAUSED, f"reminders paused ({_CHANGED})"
    if message.send_date != today:
        # Its words ("due today", "3 days overdue") were true on the day it was planned for, not today.
        worded = f"worded for {message.send_date.isoformat()} but it is now {today.isoformat()} locally"
        return Reason.DEFERRED, f"not sent: {worded}; it is planned again in the next cycle"
    return None


def _paused(invoice: Invoice, facts: _Facts) -> bool:
    customer = (invoice.connection_id, invoice.customer_id)
    return customer in facts.paused_customers or _key(invoice) in facts.paused_invoices


def _closed_status(invoice: Invoice, facts: _Facts) -> str:
    """ "paid" / "voided" / "deleted" when the invoice is no longer open, else ""."""
    if _key(invoice) in facts.closed:
        return facts.closed[_key(invoice)]
    if invoice.invoice_id not in facts.fresh:
        return ""
    fresh = facts.fresh[invoice.invoice_id]
    if fresh is None:
        return "deleted"
    if fresh.status is not InvoiceStatus.OPEN or fresh.amount_due.amount <= 0:
        return "voided" if fresh.status is InvoiceStatus.VOIDED else "paid"
    return ""


def _terms_changed(invoice: Invoice, facts: _Facts) -> bool:
    """An open invoice whose amount or due date changed: the planned words would be wrong."""
    fresh = facts.fresh.get(invoice.invoice_id)
    return fresh is not None and (fresh.amount_due != invoice.amount_due or fresh.due_date != invoice.due_date)


def _decision(invoice: Invoice, stage: Stage, reason: Reason, detail: str, why: notes.Note | None = None) -> Decision:
    return Decision(invoice=invoice, reason=reason, stage=stage, detail=detail, note=why)


def _key(invoice: Invoice) -> tuple[str, str]:
    return (invoice.connection_id, invoice.invoice_id)
