"""Which invoice may be reminded now, and why every other one may not: the per-invoice checks of the reminder policy.

Checks run in the order of the README's reason table and the first that fails decides: closed, paused and below the
minimum (the invoice alone), not due yet, the send ledger (never twice, P2), then the recipient (phone, WhatsApp,
consent, the send window, one message per phone per day). An invoice that clears them all is `Eligible`; `policy.py`
then groups the eligible ones by phone. Pure, like the rest of the policy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from chalicelib.domain.models import (
    ConsentStatus,
    Customer,
    CycleFacts,
    Decision,
    DueReminder,
    Invoice,
    InvoiceStatus,
    LedgerState,
    Money,
    Reason,
)
from chalicelib.domain.notes import Note, money_value, note
from chalicelib.domain.privacy import ERASED_DETAIL
from chalicelib.domain.schedule import due_stage, in_send_window, local_now, stage_date
from chalicelib.domain.segment_schedules import stages_for_invoice


@dataclass(frozen=True, slots=True)
class Cycle:
    """Facts plus what is derived from them once per cycle rather than once per invoice."""

    facts: CycleFacts
    local_now: dt.datetime
    window_open: bool
    minimums: dict[str, Decimal]

    @classmethod
    def of(cls, facts: CycleFacts) -> Cycle:
        settings = facts.settings
        return cls(
            facts=facts,
            local_now=local_now(facts.now, settings.timezone),
            window_open=in_send_window(facts.now, settings),
            minimums=_minimums_by_currency(settings.minimum_amounts),
        )

    @property
    def today(self) -> dt.date:
        return self.local_now.date()


@dataclass(frozen=True, slots=True)
class Eligible:
    """An invoice that cleared every per-invoice check; it still needs its phone group's template approved."""

    reminder: DueReminder
    phone: str
    customer: Customer


def _minimums_by_currency(minimums: Iterable[Money]) -> dict[str, Decimal]:
    # A currency listed twice keeps its highest minimum: the stricter reading of an ambiguous setting.
    result: dict[str, Decimal] = {}
    for money in minimums:
        result[money.currency] = max(money.amount, result.get(money.currency, money.amount))
    return result


def _fmt_money(amount: Decimal, currency: str) -> str:
    return f"{currency} {amount:,}"


def _check_closed(cycle: Cycle, invoice: Invoice) -> Decision | None:
    if invoice.status is InvoiceStatus.VOIDED:
        return Decision(invoice=invoice, reason=Reason.PAID, detail="voided", note=note("voided"))
    if invoice.status is not InvoiceStatus.OPEN:
        return Decision(invoice=invoice, reason=Reason.PAID, detail=str(invoice.status))
    if invoice.amount_due.amount <= 0:
        return Decision(invoice=invoice, reason=Reason.PAID, detail="nothing left to pay", note=note("nothing_to_pay"))
    return None


def _check_paused(cycle: Cycle, invoice: Invoice) -> Decision | None:
    facts = cycle.facts
    key = (invoice.connection_id, invoice.invoice_id)
    if key in facts.paused_invoices:
        detail, why = facts.pause_notes.get(key) or ("invoice paused", note("invoice_paused"))
        return Decision(invoice=invoice, reason=Reason.PAUSED, detail=detail, note=why)
    if (invoice.connection_id, invoice.customer_id) in facts.paused_customers:
        return Decision(invoice=invoice, reason=Reason.PAUSED, detail="customer paused", note=note("customer_paused"))
    return None


def _check_minimum(cycle: Cycle, invoice: Invoice) -> Decision | None:
    money = invoice.amount_due
    minimum = cycle.minimums.get(money.currency)
    if minimum is None or money.amount >= minimum:
        return None
    detail = f"{_fmt_money(money.amount, money.currency)} is below the minimum of {_fmt_money(minimum, money.currency)}"
    why = note("below_minimum", amount=money_value(money), minimum=money_value(Money(minimum, money.currency)))
    return Decision(invoice=invoice, reason=Reason.BELOW_MINIMUM, detail=detail, note=why)


# Checks that need only the invoice; permanent, actionable reasons first.
_INVOICE_CHECKS: tuple[Callable[[Cycle, Invoice], Decision | None], ...] = (
    _check_closed,
    _check_paused,
    _check_minimum,
)


def _not_due(cycle: Cycle, invoice: Invoice) -> Decision:
    stages = stages_for_invoice(cycle.facts.settings, invoice)  # the schedule the customer follows
    if not stages:
        return Decision(
            invoice=invoice, reason=Reason.NOT_DUE, detail="no reminder stages configured", note=note("no_stages")
        )
    first = min(stages, key=lambda stage: stage.offset_days)
    first_date = stage_date(invoice, first).isoformat()
    why = note("first_reminder", date=first_date)
    return Decision(invoice=invoice, reason=Reason.NOT_DUE, detail=f"first reminder on {first_date}", note=why)


_LEDGER_REASONS: dict[LedgerState, tuple[Reason, str]] = {
    LedgerState.SENT: (Reason.ALREADY_SENT, "the {key} reminder was already sent"),
    LedgerState.CLAIMED: (Reason.SEND_UNCONFIRMED, "the {key} reminder was claimed but never confirmed; not re-sent"),
    LedgerState.FAILED: (Reason.SEND_FAILED, "WhatsApp refused the {key} reminder earlier; not retried at this stage"),
}


def _check_ledger(cycle: Cycle, reminder: DueReminder) -> Decision | None:
    state = cycle.facts.ledger.get(reminder.ledger_key)
    if state is None:
        return None
    reason, detail = _LEDGER_REASONS[state]
    why = note(f"ledger_{state.value}", stage=reminder.stage.key)
    return decision(reminder, reason, detail.format(key=reminder.stage.key), why)


def _phone_problem(reminder: DueReminder, customer: Customer | None) -> Decision:
    if customer is None:
        return decision(reminder, Reason.NO_PHONE, "customer record not found")
    return decision(reminder, customer.phone_problem or Reason.NO_PHONE)


def _check_reachable(cycle: Cycle, reminder: DueReminder, phone: str) -> Decision | None:
    if phone in cycle.facts.unreachable_phones:
        return decision(reminder, Reason.NOT_ON_WHATSAPP)
    return None


def _check_consent(cycle: Cycle, reminder: DueReminder, phone: str) -> Decision | None:
    if phone in cycle.facts.erased_phones:  # whatever consent says now (a sync brings the number back): never again
        return decision(reminder, Reason.OPTED_OUT, ERASED_DETAIL, note("erased"))
    consent = cycle.facts.consents.get(phone)
    # Consent is given to one business: a record of another organisation does not count.
    if consent is None or consent.org_id != cycle.facts.settings.org_id:
        return decision(reminder, Reason.NO_CONSENT)
    if consent.status is ConsentStatus.OPTED_OUT:
        day = f"{consent.captured_at:%Y-%m-%d}"
        why = note("opted_out", source=consent.source, date=day)
        return decision(reminder, Reason.OPTED_OUT, f"opted out via {consent.source} on {day}", why)
    return None


def _check_window(cycle: Cycle, reminder: DueReminder, phone: str) -> Decision | None:
    if cycle.window_open:
        return None
    settings = cycle.facts.settings
    window = settings.window
    detail = (
        f"local time {cycle.local_now:%a %H:%M} ({settings.timezone}) is outside "
        f"{window.start:%H:%M}-{window.end:%H:%M} on allowed weekdays"
    )
    why = note("outside_window", start=f"{window.start:%H:%M}", end=f"{window.end:%H:%M}")
    return decision(reminder, Reason.OUTSIDE_WINDOW, detail, why)


def _check_daily_cap(cycle: Cycle, reminder: DueReminder, phone: str) -> Decision | None:
    if phone in cycle.facts.phones_messaged_today:
        return decision(reminder, Reason.ALREADY_MESSAGED_TODAY)
    return None


# Checks on the recipient, in the order of the contract: unreachable, consent, then the transient ones.
_PHONE_CHECKS: tuple[Callable[[Cycle, DueReminder, str], Decision | None], ...] = (
    _check_reachable,
    _check_consent,
    _check_window,
    _check_daily_cap,
)


def decision(reminder: DueReminder, reason: Reason, detail: str = "", why: Note | None = None) -> Decision:
    return Decision(invoice=reminder.invoice, reason=reason, stage=reminder.stage, detail=detail, note=why)


def _first(decisions: Iterable[Decision | None]) -> Decision | None:
    # Consumes a lazy generator, so checks after the first failing one never run.
    return next((decision for decision in decisions if decision is not None), None)


def decide(cycle: Cycle, invoice: Invoice) -> Decision | Eligible:
    """Run every per-invoice check; the first failing one decides."""
    facts = cycle.facts
    if (decision := _first(check(cycle, invoice) for check in _INVOICE_CHECKS)) is not None:
        return decision
    stage = due_stage(invoice, cycle.today, stages_for_invoice(facts.settings, invoice))
    if stage is None:
        return _not_due(cycle, invoice)
    reminder = DueReminder(invoice=invoice, stage=stage)
    if (decision := _check_ledger(cycle, reminder)) is not None:
        return decision
    customer = facts.customers.get((invoice.connection_id, invoice.customer_id))
    if customer is None or customer.phone is None:
        return _phone_problem(reminder, customer)
    phone = customer.phone
    if (decision := _first(check(cycle, reminder, phone) for check in _PHONE_CHECKS)) is not None:
        return decision
    return Eligible(reminder=reminder, phone=phone, customer=customer)
