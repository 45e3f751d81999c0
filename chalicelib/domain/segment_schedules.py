"""Several reminder schedules, one per group of customers: which stages a customer's invoices follow, and what the
owner may name and add.

The organisation has its default schedule (`ReminderSettings.stages`) and up to `MAX_SCHEDULES` named ones (gentle
for regular customers, firmer for late payers). A customer follows the default unless the owner chose another; an
assignment naming a schedule that no longer exists counts as the default, so a half-finished delete never leaves
a customer without reminders. The catch-up rule and the send ledger are unchanged: the stages chosen here go into
`schedule.due_stage`, and a stage already sent is never sent again, whichever schedule reached it. Pure.
"""

from __future__ import annotations

from chalicelib.domain.errors import LunasError
from chalicelib.domain.models import Invoice, NamedSchedule, ReminderSettings, Stage

__all__ = [
    "MAX_NAME_LENGTH",
    "MAX_SCHEDULES",
    "ScheduleRefused",
    "check_name",
    "check_room",
    "customers_of",
    "schedule_of",
    "stages_for",
    "stages_for_invoice",
]

MAX_SCHEDULES = 5  # named ones, besides the default: a few groups are easy to keep in mind, dozens are not
MAX_NAME_LENGTH = 60


class ScheduleRefused(LunasError):
    """The owner's schedule change cannot be made; `reason` says why: too_many | name_missing | name_too_long |
    name_taken | not_found."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def schedule_of(settings: ReminderSettings, connection_id: str, customer_id: str) -> NamedSchedule | None:
    """The named schedule this customer follows, or None for the default."""
    wanted = settings.schedule_of.get((connection_id, customer_id))
    if not wanted:
        return None
    return next((s for s in settings.schedules if s.schedule_id == wanted), None)


def stages_for(settings: ReminderSettings, connection_id: str, customer_id: str) -> tuple[Stage, ...]:
    """The stages that are on for this customer: their schedule's, else the organisation's default."""
    named = schedule_of(settings, connection_id, customer_id)
    return named.stages if named is not None else settings.stages


def stages_for_invoice(settings: ReminderSettings, invoice: Invoice) -> tuple[Stage, ...]:
    """The stages an invoice is reminded at: those of the schedule its customer follows."""
    return stages_for(settings, invoice.connection_id, invoice.customer_id)


def customers_of(settings: ReminderSettings, schedule_id: str) -> list[tuple[str, str]]:
    """The (connection_id, customer_id) of every customer following `schedule_id`, sorted."""
    return sorted(key for key, chosen in settings.schedule_of.items() if chosen == schedule_id)


def check_room(schedules: tuple[NamedSchedule, ...]) -> None:
    """Refuse a new schedule beyond `MAX_SCHEDULES`."""
    if len(schedules) >= MAX_SCHEDULES:
        raise ScheduleRefused("too_many")


def check_name(name: str, schedules: tuple[NamedSchedule, ...], *, schedule_id: str = "") -> str:
    """The name as kept (spaces trimmed and collapsed), or ScheduleRefused: empty, too long, or already the name of
    another schedule (compared without case), so the owner can tell them apart on a customer's page."""
    clean = " ".join(name.split())
    if not clean:
        raise ScheduleRefused("name_missing")
    if len(clean) > MAX_NAME_LENGTH:
        raise ScheduleRefused("name_too_long")
    if any(s.name.casefold() == clean.casefold() and s.schedule_id != schedule_id for s in schedules):
        raise ScheduleRefused("name_taken")
    return clean
