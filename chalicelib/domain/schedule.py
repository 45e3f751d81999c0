"""When a reminder may go and which one: the organisation's local time, its send window, the stage an invoice reached.

The calendar half of the reminder policy (`policy.py`), kept pure (no I/O, no clock: `now` is always passed in) so
local dates and quiet hours can be tested across time zones and DST (P3), and the catch-up rule (P2: never a burst
of missed stages) with plain values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from chalicelib.domain.models import Invoice, ReminderSettings, Stage

__all__ = ["due_stage", "in_send_window", "local_now", "local_today", "stage_date"]


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
        True if the local weekday is one of `window.weekdays` and `window.start <= local time < window.end`, the
        local date is not one of the owner's `days_off`, and, with `skip_holidays`, not a public holiday of
        `settings.country` (`holidays.is_day_off`). Windows do not wrap past midnight. A stage reached on a day off
        goes out on the next day in the window (the catch-up rule of `due_stage`).
    """
    local = local_now(now, settings.timezone)
    window = settings.window
    if not (local.weekday() in window.weekdays and window.start <= local.time() < window.end):
        return False
    if local.date() in settings.days_off:
        return False
    if settings.skip_holidays:
        from chalicelib.domain.holidays import is_day_off

        return not is_day_off(local.date(), country=settings.country)
    return True


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
