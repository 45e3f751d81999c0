"""Business days: the organisation's country's public holidays and the owner's own days off.

The public holidays come from the maintained `holidays` package (https://github.com/vacanza/holidays), which
computes the lunar and Islamic ones (Idul Fitri / Lebaran, Nyepi, Waisak...) per year; nothing here keeps a list
of dates that would go stale. Pure apart from that package (no I/O, no clock): `schedule.in_send_window` asks
`is_day_off` for the local date when the owner switched "business days only" on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cache

__all__ = ["CALENDAR_COUNTRIES", "is_day_off", "public_holidays", "upcoming"]

# The countries whose calendars ship in the Lambda layer (infra/lunas_infra/lean_layer.py prunes the others; the
# package covers ~200): where Lunas' owners are. Elsewhere only the owner's own days off count.
CALENDAR_COUNTRIES = frozenset({"ID", "SG", "MY", "TH", "PH", "VN", "AU"})


@cache
def public_holidays(country: str, year: int) -> frozenset[dt.date]:
    """The public holidays of `country` (ISO 3166 alpha-2) in `year`; empty for a country without a calendar."""
    if country.upper() not in CALENDAR_COUNTRIES:
        return frozenset()
    import holidays  # here, not at import: only cycles of owners who skip holidays need it

    return frozenset(holidays.country_holidays(country.upper(), years=year).keys())


def is_day_off(day: dt.date, *, country: str, days_off: Iterable[dt.date] = ()) -> bool:
    """Whether `day` (a local date) is a public holiday of `country` or one of the owner's own days off."""
    return day in public_holidays(country, day.year) or day in set(days_off)


def upcoming(country: str, today: dt.date, count: int = 3) -> list[tuple[dt.date, str]]:
    """The next `count` public holidays from `today` on, with their names in the country's own language (the
    settings page shows them so the owner sees which days are skipped)."""
    if country.upper() not in CALENDAR_COUNTRIES:
        return []
    import holidays

    calendar = holidays.country_holidays(country.upper())
    years = [today.year, today.year + 1]
    # Said explicitly: left out, the library reads the machine's LANG and names them in English on most servers.
    try:
        named = holidays.country_holidays(country.upper(), years=years, language=calendar.default_language)
    except FileNotFoundError:  # no compiled names for that language in this package: the library's own names
        named = holidays.country_holidays(country.upper(), years=years)
    return [(day, str(named[day])) for day in sorted(d for d in named if d >= today)[:count]]
