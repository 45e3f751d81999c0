"""The owner's daily summary e-mail: when it is due, and yesterday's numbers (docs/dashboard.md "Notifications").

Pure functions: the service (services/digest.py) asks the stores, these decide.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from chalicelib.domain.home import MonthMessages, count_messages, month_key
from chalicelib.domain.records import MessageEntry

DIGEST_HOUR = 8  # 08:00 in the organisation's time zone: before the working day, after the night's statuses


@dataclass(frozen=True, slots=True, kw_only=True)
class DigestPreference:
    """Where the owner's summary goes (the owner's sign-in address, remembered at their first visit) and whether
    the owner left it on (Settings)."""

    email: str = ""
    enabled: bool = True

    @property
    def sends(self) -> bool:
        return self.enabled and "@" in self.email


def digest_day(now: dt.datetime, timezone: str) -> dt.date | None:
    """The organisation's local date if its local hour is the digest hour (the hourly schedule's pick), else None."""
    local = now.astimezone(ZoneInfo(timezone))
    return local.date() if local.hour == DIGEST_HOUR else None


def digest_marker(day: dt.date) -> str:
    """The one-time claim that makes a day's summary go out once, however often the schedule runs."""
    return f"digest:{day.isoformat()}"


def day_messages(messages: Iterable[MessageEntry], day: dt.date) -> MonthMessages:
    """The reminder messages of one local day, counted as the home page counts a month (domain/home.py)."""
    return count_messages((m for m in messages if m.local_date == day), month_key(day))
