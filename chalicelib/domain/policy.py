"""The reminder policy: which invoice gets which reminder now, and why every other invoice does not.

Kept pure (no I/O, no vendor types, no clock) so the rules behind the product notes' pain points can be tested with
plain values: no reminder after payment (P1), never a duplicate or a burst (P2), local dates and quiet hours across
time zones and DST (P3), and per-customer / per-invoice pauses (P8). The service layer gathers `CycleFacts`, this
module turns them into a `CyclePlan`, and the sender acts on the plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from chalicelib.domain.models import (
    TEMPLATE_NAMES,
    ConsentStatus,
    Customer,
    CycleFacts,
    CyclePlan,
    Decision,
    DueReminder,
    Invoice,
    InvoiceStatus,
    LedgerState,
    Money,
    OutgoingMessage,
    Reason,
    ReminderSettings,
    Stage,
    TemplateKind,
    TemplateRef,
)

__all__ = [
    "days_overdue",
    "due_stage",
    "in_send_window",
    "local_now",
    "local_today",
    "message_kind_on",
    "plan_cycle",
    "stage_date",
    "template_kind_on",
]


# --- Time -------------------------------------------------------------------------------------------------------


def local_now(now: dt.datetime, tz: str) -> dt.datetime:
    """Convert an instant to the organisation's wall clock.

    Args:
        now: A timezone-aware instant.
        tz: An IANA time zone name, e.g. "Asia/Jakarta".

    Returns:
        The same instant, expressed in `tz` (DST applied for that instant).

    Raises:
        ValueError: if `now` is naive; `astimezone` would silently treat it as the server's local time.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, got naive {now.isoformat()}")
    return now.astimezone(ZoneInfo(tz))


def local_today(now: dt.datetime, tz: str) -> dt.date:
    """The calendar date in `tz` at instant `now`: the date "days overdue" is counted from."""
    return local_now(now, tz).date()


def in_send_window(now: dt.datetime, settings: ReminderSettings) -> bool:
    """Whether reminders may go out at `now` under the organisation's quiet hours.

    Args:
        now: A timezone-aware instant.
        settings: The organisation's settings; `window` is read in `timezone`.

    Returns:
        True if the local weekday is one of `window.weekdays` and `window.start <= local time < window.end`.
        Windows do not wrap past midnight.
    """
    local = local_now(now, settings.timezone)
    window = settings.window
    return local.weekday() in window.weekdays and window.start <= local.time() < window.end


# --- Stages -----------------------------------------------------------------------------------------------------


def stage_date(invoice: Invoice, stage: Stage) -> dt.date:
    """The local calendar date on which `stage` of `invoice` becomes due."""
    return invoice.due_date + dt.timedelta(days=stage.offset_days)


def due_stage(invoice: Invoice, today: dt.date, stages: Iterable[Stage]) -> Stage | None:
    """The stage to remind `invoice` at today, applying the catch-up rule.

    Only the latest reached stage counts: after missed runs (outage, pause lifted, backlog import) the customer gets
    one reminder for where the invoice stands now, never a burst of the stages that were skipped.

    Args:
        invoice: The invoice; only `due_date` is read.
        today: The organisation's local date (see `local_today`).
        stages: The reminder stages, in any order.

    Returns:
        The reached stage with the largest offset, or None if no stage is reached yet.
    """
    reached = [stage for stage in stages if stage_date(invoice, stage) <= today]
    return max(reached, key=lambda stage: stage.offset_days, default=None)


# --- Words -----------------------------------------------------------------------------------------------------


def template_kind_on(invoice: Invoice, local_date: dt.date) -> TemplateKind:
    """The words a reminder about `invoice` may use when sent on `local_date`: the one rule, used by every path.

    The stage decides whether a reminder is due; where the invoice stands on the day the message goes out decides
    what it says. A d0 stage reached on a Saturday and sent on Monday is OVERDUE (2 days); a d-1 stage first sent on
    the due date (after a weekend, an outage or a pause) is DUE_TODAY. So "due today" is only ever said on the due
    date.

    Args:
        invoice: The invoice; only `due_date` is read.
        local_date: The organisation's local date of sending (see `local_today`).

    Returns:
        PRE_DUE before the due date, DUE_TODAY on it, OVERDUE after it.
    """
    if local_date < invoice.due_date:
        return TemplateKind.PRE_DUE
    if local_date == invoice.due_date:
        return TemplateKind.DUE_TODAY
    return TemplateKind.OVERDUE


def message_kind_on(invoices: Sequence[Invoice], local_date: dt.date) -> TemplateKind:
    """The template kind of one message about `invoices` sent on `local_date`: a STATEMENT for several."""
    if not invoices:
        raise ValueError("a message is about at least one invoice")
    return TemplateKind.STATEMENT if len(invoices) > 1 else template_kind_on(invoices[0], local_date)


def days_overdue(invoice: Invoice, local_date: dt.date) -> int:
    """Whole local days past the due date on `local_date`; 0 on or before it."""
    return max(0, (local_date - invoice.due_date).days)


# --- Per-invoice checks -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Cycle:
    """Facts plus what is derived from them once per cycle rather than once per invoice."""

    facts: CycleFacts
    local_now: dt.datetime
    window_open: bool
    minimums: dict[str, Decimal]

    @classmethod
    def of(cls, facts: CycleFacts) -> _Cycle:
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
class _Eligible:
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


def _check_closed(cycle: _Cycle, invoice: Invoice) -> Decision | None:
    if invoice.status is InvoiceStatus.VOIDED:
        return Decision(invoice=invoice, reason=Reason.PAID, detail="voided")
    if invoice.status is not InvoiceStatus.OPEN:
        return Decision(invoice=invoice, reason=Reason.PAID, detail=str(invoice.status))
    if invoice.amount_due.amount <= 0:
        return Decision(invoice=invoice, reason=Reason.PAID, detail="nothing left to pay")
    return None


def _check_paused(cycle: _Cycle, invoice: Invoice) -> Decision | None:
    facts = cycle.facts
    if (invoice.connection_id, invoice.invoice_id) in facts.paused_invoices:
        return Decision(invoice=invoice, reason=Reason.PAUSED, detail="invoice paused")
    if (invoice.connection_id, invoice.customer_id) in facts.paused_customers:
        return Decision(invoice=invoice, reason=Reason.PAUSED, detail="customer paused")
    return None


def _check_minimum(cycle: _Cycle, invoice: Invoice) -> Decision | None:
    money = invoice.amount_due
    minimum = cycle.minimums.get(money.currency)
    if minimum is None or money.amount >= minimum:
        return None
    detail = f"{_fmt_money(money.amount, money.currency)} is below the minimum of {_fmt_money(minimum, money.currency)}"
    return Decision(invoice=invoice, reason=Reason.BELOW_MINIMUM, detail=detail)


# Checks that need only the invoice; permanent, actionable reasons first.
_INVOICE_CHECKS: tuple[Callable[[_Cycle, Invoice], Decision | None], ...] = (
    _check_closed,
    _check_paused,
    _check_minimum,
)


def _not_due(cycle: _Cycle, invoice: Invoice) -> Decision:
    stages = cycle.facts.settings.stages
    if not stages:
        return Decision(invoice=invoice, reason=Reason.NOT_DUE, detail="no reminder stages configured")
    first = min(stages, key=lambda stage: stage.offset_days)
    detail = f"first reminder on {stage_date(invoice, first).isoformat()}"
    return Decision(invoice=invoice, reason=Reason.NOT_DUE, detail=detail)


_LEDGER_REASONS: dict[LedgerState, tuple[Reason, str]] = {
    LedgerState.SENT: (Reason.ALREADY_SENT, "the {key} reminder was already sent"),
    LedgerState.CLAIMED: (Reason.SEND_UNCONFIRMED, "the {key} reminder was claimed but never confirmed; not re-sent"),
    LedgerState.FAILED: (Reason.SEND_FAILED, "WhatsApp refused the {key} reminder earlier; not retried at this stage"),
}


def _check_ledger(cycle: _Cycle, reminder: DueReminder) -> Decision | None:
    state = cycle.facts.ledger.get(reminder.ledger_key)
    if state is None:
        return None
    reason, detail = _LEDGER_REASONS[state]
    return _decision(reminder, reason, detail.format(key=reminder.stage.key))


def _phone_problem(reminder: DueReminder, customer: Customer | None) -> Decision:
    if customer is None:
        return _decision(reminder, Reason.NO_PHONE, "customer record not found")
    return _decision(reminder, customer.phone_problem or Reason.NO_PHONE)


def _check_reachable(cycle: _Cycle, reminder: DueReminder, phone: str) -> Decision | None:
    if phone in cycle.facts.unreachable_phones:
        return _decision(reminder, Reason.NOT_ON_WHATSAPP)
    return None


def _check_consent(cycle: _Cycle, reminder: DueReminder, phone: str) -> Decision | None:
    consent = cycle.facts.consents.get(phone)
    # Consent is given to one business: a record of another organisation does not count.
    if consent is None or consent.org_id != cycle.facts.settings.org_id:
        return _decision(reminder, Reason.NO_CONSENT)
    if consent.status is ConsentStatus.OPTED_OUT:
        return _decision(
            reminder, Reason.OPTED_OUT, f"opted out via {consent.source} on {consent.captured_at:%Y-%m-%d}"
        )
    return None


def _check_window(cycle: _Cycle, reminder: DueReminder, phone: str) -> Decision | None:
    if cycle.window_open:
        return None
    settings = cycle.facts.settings
    window = settings.window
    detail = (
        f"local time {cycle.local_now:%a %H:%M} ({settings.timezone}) is outside "
        f"{window.start:%H:%M}-{window.end:%H:%M} on allowed weekdays"
    )
    return _decision(reminder, Reason.OUTSIDE_WINDOW, detail)


def _check_daily_cap(cycle: _Cycle, reminder: DueReminder, phone: str) -> Decision | None:
    if phone in cycle.facts.phones_messaged_today:
        return _decision(reminder, Reason.ALREADY_MESSAGED_TODAY)
    return None


# Checks on the recipient, in the order of the contract: unreachable, consent, then the transient ones.
_PHONE_CHECKS: tuple[Callable[[_Cycle, DueReminder, str], Decision | None], ...] = (
    _check_reachable,
    _check_consent,
    _check_window,
    _check_daily_cap,
)


def _decision(reminder: DueReminder, reason: Reason, detail: str = "") -> Decision:
    return Decision(invoice=reminder.invoice, reason=reason, stage=reminder.stage, detail=detail)


def _first(decisions: Iterable[Decision | None]) -> Decision | None:
    # Consumes a lazy generator, so checks after the first failing one never run.
    return next((decision for decision in decisions if decision is not None), None)


def _decide(cycle: _Cycle, invoice: Invoice) -> Decision | _Eligible:
    """Run every per-invoice check; the first failing one decides."""
    facts = cycle.facts
    if (decision := _first(check(cycle, invoice) for check in _INVOICE_CHECKS)) is not None:
        return decision
    stage = due_stage(invoice, cycle.today, facts.settings.stages)
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
    return _Eligible(reminder=reminder, phone=phone, customer=customer)


# --- Grouping by phone ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _GroupOutcome:
    """A phone's message, or why it cannot be sent (then `message` is None)."""

    message: OutgoingMessage | None
    refusal: str = ""


def _reminder_order(eligible: _Eligible) -> tuple[dt.date, str, str, str]:
    invoice = eligible.reminder.invoice
    return (invoice.due_date, invoice.connection_id, invoice.number, invoice.invoice_id)


def _plan_group(phone: str, members: Sequence[_Eligible], cycle: _Cycle) -> _GroupOutcome:
    """Build the single message for one phone: worded for today for one invoice, a statement for several."""
    facts = cycle.facts
    unique = {member.reminder.ledger_key: member for member in members}  # an invoice listed twice is sent once
    ordered = sorted(unique.values(), key=_reminder_order)
    kind = message_kind_on([member.reminder.invoice for member in ordered], cycle.today)
    language = facts.settings.language
    template = TemplateRef(TEMPLATE_NAMES[kind], language)
    if template not in facts.approved_templates:
        note = facts.template_notes.get(template)
        refusal = f"template {template.name} ({language}) is not approved" + (f": {note}" if note else "")
        return _GroupOutcome(message=None, refusal=refusal)
    message = OutgoingMessage(
        phone=phone,
        # Customers sharing a number are usually one business; address the one owing the oldest invoice.
        customer_name=ordered[0].customer.name,
        reminders=tuple(member.reminder for member in ordered),
        template=template,
        send_date=cycle.today,
    )
    return _GroupOutcome(message=message)


def _group_by_phone(outcomes: Iterable[Decision | _Eligible]) -> dict[str, list[_Eligible]]:
    groups: dict[str, list[_Eligible]] = {}
    for outcome in outcomes:
        if isinstance(outcome, _Eligible):
            groups.setdefault(outcome.phone, []).append(outcome)
    return groups


def _final_decision(outcome: Decision | _Eligible, groups: dict[str, _GroupOutcome]) -> Decision:
    if isinstance(outcome, Decision):
        return outcome
    group = groups[outcome.phone]
    if group.message is None:
        return _decision(outcome.reminder, Reason.TEMPLATE_NOT_APPROVED, group.refusal)
    return _decision(outcome.reminder, Reason.WOULD_SEND)


def plan_cycle(facts: CycleFacts) -> CyclePlan:
    """Decide one reminder cycle for one organisation.

    Every invoice gets exactly one Decision, in the order of `facts.invoices`. Invoices that clear every check are
    grouped by phone so each phone gets at most one message per cycle; those decisions carry Reason.WOULD_SEND and
    their stage until the sender reports the outcome. A message's template is worded for the local date of `facts.now`
    (`message_kind_on`), whichever stage made it due.

    Args:
        facts: Everything known about the organisation at `facts.now` (timezone-aware).

    Returns:
        The decisions, and the messages to send ordered by phone.
    """
    cycle = _Cycle.of(facts)
    outcomes = [_decide(cycle, invoice) for invoice in facts.invoices]
    groups = {phone: _plan_group(phone, members, cycle) for phone, members in _group_by_phone(outcomes).items()}
    messages = tuple(group.message for _, group in sorted(groups.items()) if group.message is not None)
    return CyclePlan(
        decisions=tuple(_final_decision(outcome, groups) for outcome in outcomes),
        messages=messages,
    )
