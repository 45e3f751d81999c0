"""Business days (chalicelib/domain/holidays.py, schedule.in_send_window): Indonesia's public holidays from the
`holidays` package, the owner's own days off, and the lean Lambda layer that keeps only Lunas' countries."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import schedule
from chalicelib.domain.holidays import CALENDAR_COUNTRIES, is_day_off, public_holidays
from chalicelib.domain.models import ReminderSettings, SendWindow

JAKARTA = dt.timezone(dt.timedelta(hours=7))


@pytest.mark.parametrize(
    ("day", "what"),
    [
        ("2026-03-19", "Nyepi"),
        ("2026-03-21", "Idul Fitri (Lebaran)"),
        ("2026-03-22", "Idul Fitri, second day"),
        ("2026-12-25", "Natal"),
        ("2026-08-17", "Hari Kemerdekaan"),
        ("2027-03-08", "Nyepi"),
        ("2027-03-10", "Idul Fitri (Lebaran)"),
        ("2027-12-25", "Natal"),
    ],
)
def test_indonesian_public_holidays_are_days_off(day: str, what: str) -> None:
    assert is_day_off(dt.date.fromisoformat(day), country="ID"), what


def test_ordinary_days_and_countries_without_a_calendar() -> None:
    assert not is_day_off(dt.date(2026, 3, 24), country="ID")
    assert public_holidays("FR", 2026) == frozenset()  # not shipped: only the owner's own days off count there
    assert is_day_off(dt.date(2026, 7, 14), country="FR", days_off=[dt.date(2026, 7, 14)])
    assert is_day_off(dt.date(2026, 8, 9), country="SG")  # Singapore's National Day
    assert {"ID", "SG", "MY"} <= CALENDAR_COUNTRIES


def test_the_next_holidays_with_their_names() -> None:
    from chalicelib.domain.holidays import upcoming

    nearest = upcoming("ID", dt.date(2026, 12, 2))
    assert [day for day, _ in nearest] == [dt.date(2026, 12, 25), dt.date(2027, 1, 1), dt.date(2027, 1, 5)]
    assert all(name for _, name in nearest)
    assert upcoming("FR", dt.date(2026, 12, 2)) == []


def _settings(**changes: object) -> ReminderSettings:
    base = ReminderSettings(org_id="org", business_name="Toko", window=SendWindow(weekdays=frozenset(range(7))))
    return ReminderSettings(**{**{f: getattr(base, f) for f in base.__slots__}, **changes})  # type: ignore[arg-type]


def test_the_send_window_skips_holidays_only_when_the_owner_asks() -> None:
    nyepi_10am = dt.datetime(2026, 3, 19, 10, tzinfo=JAKARTA)
    assert schedule.in_send_window(nyepi_10am, _settings())
    assert not schedule.in_send_window(nyepi_10am, _settings(skip_holidays=True))
    assert schedule.in_send_window(nyepi_10am + dt.timedelta(days=1), _settings(skip_holidays=True))
    own = _settings(days_off=(dt.date(2026, 3, 24),))
    assert not schedule.in_send_window(dt.datetime(2026, 3, 24, 10, tzinfo=JAKARTA), own)  # always a day off


@given(
    instant=st.datetimes(
        min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 12, 31), timezones=st.just(dt.UTC)
    ),
    weekdays=st.frozensets(st.integers(0, 6), min_size=1),
)
def test_business_days_only_ever_narrow_the_window(instant: dt.datetime, weekdays: frozenset[int]) -> None:
    plain = _settings(window=SendWindow(weekdays=weekdays))
    business = _settings(window=SendWindow(weekdays=weekdays), skip_holidays=True)
    local = schedule.local_today(instant, plain.timezone)
    if schedule.in_send_window(instant, business):
        assert schedule.in_send_window(instant, plain) and not is_day_off(local, country="ID")
    elif schedule.in_send_window(instant, plain):
        assert is_day_off(local, country="ID")


# -- the lean layer keeps only Lunas' countries ------------------------------------------------------------------


def test_the_lean_layer_keeps_lunas_countries_and_prunes_the_rest() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "infra"))
    from lunas_infra import lean_layer

    locales = lean_layer.kept_locales()
    assert lean_layer.reason_to_prune("holidays/countries/indonesia.py", locales) is None
    assert lean_layer.reason_to_prune("holidays/countries/singapore.py", locales) is None
    assert lean_layer.reason_to_prune("holidays/calendars/islamic.py", locales) is None
    assert (
        lean_layer.reason_to_prune("holidays/countries/france.py", locales) == "holiday calendars Lunas does not read"
    )
    assert (
        lean_layer.reason_to_prune("holidays/countries/__init__.py", locales) == "holiday calendars Lunas does not read"
    )
    # The settings page names the next holidays in the country's language: those names stay, other countries' go.
    assert lean_layer.reason_to_prune("holidays/locale/id/LC_MESSAGES/ID.mo", locales) is None
    assert lean_layer.reason_to_prune("holidays/locale/fr/LC_MESSAGES/FR.mo", locales) == (
        "holiday names Lunas does not show"
    )


def test_the_pruned_holidays_package_still_answers(tmp_path: Path) -> None:
    """Pruned as the layer is, `holidays` still loads Indonesia's calendar lazily (a fresh interpreter)."""
    import holidays

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "infra"))
    from lunas_infra import lean_layer

    source = Path(holidays.__file__).parent
    target = tmp_path / "holidays"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    locales = lean_layer.kept_locales()
    for path in sorted(target.rglob("*"), reverse=True):
        if path.is_file() and lean_layer.reason_to_prune(f"holidays/{path.relative_to(target)}", locales):
            path.unlink()
    size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    assert size < 3_000_000, f"{size} bytes left"
    code = "import holidays; print(sorted(holidays.country_holidays('ID', years=2026))[0])"
    answer = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.strip() == "2026-01-01"
