"""The reminder policy: which invoice gets which reminder now, in which words, and why every other invoice does not.

Kept pure (no I/O, no vendor types, no clock) so the rules behind the product notes' pain points can be tested with
plain values: no reminder after payment (P1), never a duplicate or a burst (P2), local dates and quiet hours across
time zones and DST (P3), and per-customer / per-invoice pauses (P8). The service layer gathers `CycleFacts`, this
module turns them into a `CyclePlan`, and the sender acts on the plan. The calendar (local time, the send window,
stages) is in `schedule.py`, the per-invoice checks in `eligibility.py`; this module words the messages and groups
the eligible invoices into at most one message per phone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from chalicelib.domain.eligibility import Cycle, Eligible, decide, decision
from chalicelib.domain.models import (
    TEMPLATE_NAMES,
    CycleFacts,
    CyclePlan,
    Decision,
    Invoice,
    OutgoingMessage,
    Reason,
    TemplateKind,
    TemplateRef,
)
from chalicelib.domain.phones import message_language

__all__ = ["days_overdue", "message_kind_on", "plan_cycle", "template_kind_on"]


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


# --- Grouping by phone ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _GroupOutcome:
    """A phone's message, or why it cannot be sent (then `message` is None)."""

    message: OutgoingMessage | None
    refusal: str = ""


def _reminder_order(eligible: Eligible) -> tuple[dt.date, str, str, str]:
    invoice = eligible.reminder.invoice
    return (invoice.due_date, invoice.connection_id, invoice.number, invoice.invoice_id)


def _plan_group(phone: str, members: Sequence[Eligible], cycle: Cycle) -> _GroupOutcome:
    """Build the single message for one phone: worded for today for one invoice, a statement for several."""
    facts = cycle.facts
    unique = {member.reminder.ledger_key: member for member in members}  # an invoice listed twice is sent once
    ordered = sorted(unique.values(), key=_reminder_order)
    kind = message_kind_on([member.reminder.invoice for member in ordered], cycle.today)
    language = message_language(phone, facts.settings.country, facts.settings.language)
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


def _group_by_phone(outcomes: Iterable[Decision | Eligible]) -> dict[str, list[Eligible]]:
    groups: dict[str, list[Eligible]] = {}
    for outcome in outcomes:
        if isinstance(outcome, Eligible):
            groups.setdefault(outcome.phone, []).append(outcome)
    return groups


def _final_decision(outcome: Decision | Eligible, groups: dict[str, _GroupOutcome]) -> Decision:
    if isinstance(outcome, Decision):
        return outcome
    group = groups[outcome.phone]
    if group.message is None:
        return decision(outcome.reminder, Reason.TEMPLATE_NOT_APPROVED, group.refusal)
    return decision(outcome.reminder, Reason.WOULD_SEND)


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
    cycle = Cycle.of(facts)
    outcomes = [decide(cycle, invoice) for invoice in facts.invoices]
    groups = {phone: _plan_group(phone, members, cycle) for phone, members in _group_by_phone(outcomes).items()}
    messages = tuple(group.message for _, group in sorted(groups.items()) if group.message is not None)
    return CyclePlan(
        decisions=tuple(_final_decision(outcome, groups) for outcome in outcomes),
        messages=messages,
    )
