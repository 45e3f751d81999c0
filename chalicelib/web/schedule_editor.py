"""What the settings page's schedule editor shows: one row per stage, minimum amounts as people write them, time
zones by city, and each stage's message as the customer reads it (`dashboard.stage_previews`).

A refused form shows again with what was typed (`form`), never the stored values, so nothing typed is lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from chalicelib.domain.models import ReminderSettings, Stage

# Cities people know, mapped to IANA zone names (the stored value). Indonesia's three zones first.
TIME_ZONE_CITIES: tuple[tuple[str, str, str], ...] = (  # (IANA name, English label, Indonesian label)
    ("Asia/Jakarta", "Jakarta, Bandung, Surabaya, Medan (WIB)", "Jakarta, Bandung, Surabaya, Medan (WIB)"),
    ("Asia/Pontianak", "Pontianak (WIB)", "Pontianak (WIB)"),
    ("Asia/Makassar", "Makassar, Denpasar, Balikpapan (WITA)", "Makassar, Denpasar, Balikpapan (WITA)"),
    ("Asia/Jayapura", "Jayapura, Ambon (WIT)", "Jayapura, Ambon (WIT)"),
    ("Asia/Singapore", "Singapore", "Singapura"),
    ("Asia/Kuala_Lumpur", "Kuala Lumpur", "Kuala Lumpur"),
    ("Asia/Bangkok", "Bangkok", "Bangkok"),
    ("Asia/Manila", "Manila", "Manila"),
    ("Asia/Ho_Chi_Minh", "Ho Chi Minh City", "Kota Ho Chi Minh"),
    ("Australia/Perth", "Perth", "Perth"),
    ("Australia/Sydney", "Sydney, Melbourne", "Sydney, Melbourne"),
    ("UTC", "UTC", "UTC"),
)
CURRENCIES = ("IDR", "SGD", "MYR", "THB", "PHP", "VND", "AUD", "USD")
_BLANK_STAGE_ROWS = 2


@dataclass(frozen=True, slots=True)
class StageRow:
    days: str
    when: str  # before | on | after
    on: bool
    key: str = ""  # d-3 / d0 / d+7 of a valid row: where its preview is


@dataclass(slots=True)
class ScheduleEditor:
    rows: list[StageRow]
    minimums: list[tuple[str, str]]  # (amount as typed or shown, currency)
    timezones: list[tuple[str, str]]  # (IANA name, label in the page's language)
    timezone: str
    window_start: str
    window_end: str
    weekdays: frozenset[int]
    language: str
    skip_holidays: bool
    days_off: str
    country: str
    error_field: str = ""
    error: str = ""
    previews: dict[str, list[object]] = field(default_factory=dict)  # stage key -> its StagePreview per language
    holidays: list[tuple[object, str]] = field(default_factory=list)  # the next public holidays: (date, name)


def _row_of(stage: Stage, on: bool) -> StageRow:
    days = stage.offset_days
    when = "on" if days == 0 else ("before" if days < 0 else "after")
    return StageRow(days=str(abs(days)) if days else "", when=when, on=on, key=stage.key)


def _stage_key(days: str, when: str) -> str:
    if when == "on":
        return Stage(0).key
    if not re.fullmatch(r"[0-9]{1,3}", days) or int(days) > 365:  # ASCII digits: "²".isdigit() is True
        return ""
    return Stage(int(days) * (-1 if when == "before" else 1)).key


def _amount_text(amount: object, lang: str) -> str:
    from decimal import Decimal

    from babel.numbers import format_decimal

    return str(format_decimal(Decimal(str(amount)), format="#,##0.##", locale="id_ID" if lang == "id" else "en"))


def editor(
    settings: ReminderSettings, lang: str, form: dict[str, list[str]] | None = None, *, max_stages: int = 12
) -> ScheduleEditor:
    """The editor from the stored settings, or from the refused `form` exactly as typed."""
    zones = [(zone, en if lang == "en" else id_) for zone, en, id_ in TIME_ZONE_CITIES]
    if not form:
        rows = _stored_rows(settings.stages, settings.stages_off, max_stages)
        minimums = [(_amount_text(m.amount, lang), m.currency) for m in settings.minimum_amounts]
        minimums.append(("", "IDR" if settings.country == "ID" else ""))
        timezone = settings.timezone
        if timezone not in {z for z, _ in zones}:
            zones.insert(0, (timezone, timezone))
        return ScheduleEditor(
            rows=rows,
            minimums=minimums,
            timezones=zones,
            timezone=timezone,
            window_start=settings.window.start.strftime("%H:%M"),
            window_end=settings.window.end.strftime("%H:%M"),
            weekdays=settings.window.weekdays,
            language=settings.language,
            skip_holidays=settings.skip_holidays,
            days_off="\n".join(d.isoformat() for d in settings.days_off),
            country=settings.country,
        )

    def one(name: str) -> str:
        return (form.get(name) or [""])[0]

    rows = _typed_rows(form, max_stages)
    if not rows:  # an older form (one text box of stages): show the stored rows
        rows = [_row_of(s, True) for s in settings.stages]
    minimums = []
    for i in range(20):
        if f"minimum_{i}_amount" in form:
            minimums.append((one(f"minimum_{i}_amount")[:40], one(f"minimum_{i}_currency")[:3]))
    timezone = one("timezone")[:64]
    if timezone not in {z for z, _ in zones}:
        zones.insert(0, (timezone, timezone))
    return ScheduleEditor(
        rows=rows,
        minimums=minimums or [("", "IDR")],
        timezones=zones,
        timezone=timezone,
        window_start=one("window_start")[:8],
        window_end=one("window_end")[:8],
        weekdays=frozenset(int(d) for d in form.get("weekdays", []) if d in ("0", "1", "2", "3", "4", "5", "6")),
        language=one("language"),
        skip_holidays=bool(one("skip_holidays")),
        days_off=one("days_off")[:2000],
        country=one("country").strip().upper()[:2] if "country" in form else settings.country,
    )


def _typed_rows(form: dict[str, list[str]], max_stages: int) -> list[StageRow]:
    """The stage rows exactly as typed."""

    def one(name: str) -> str:
        return (form.get(name) or [""])[0]

    rows = []
    for i in range(max_stages):
        if f"stage_{i}_days" not in form and f"stage_{i}_when" not in form:
            continue
        days, when = one(f"stage_{i}_days").strip()[:6], one(f"stage_{i}_when")
        rows.append(StageRow(days=days, when=when, on=bool(one(f"stage_{i}_on")), key=_stage_key(days, when)))
    return rows


def _stored_rows(stages: tuple[Stage, ...], stages_off: tuple[Stage, ...], max_stages: int) -> list[StageRow]:
    """One row per stored stage (on and off, by day), then blank rows to add one."""
    ordered = sorted(
        [(s, True) for s in stages] + [(s, False) for s in stages_off], key=lambda item: item[0].offset_days
    )
    rows = [_row_of(stage, on) for stage, on in ordered]
    return rows + [StageRow(days="", when="after", on=True)] * min(_BLANK_STAGE_ROWS, max_stages - len(rows))


def with_previews(view: ScheduleEditor, org_id: str, business_name: str) -> ScheduleEditor:
    """Attach each valid row's message, both languages (see `dashboard.stage_previews`), and the country's next
    public holidays (what "business days only" skips)."""
    from chalicelib.web.dashboard import stage_previews, upcoming_holidays

    view.holidays = list(upcoming_holidays(org_id, view.country))

    stages = {row.key: Stage(_offset(row)) for row in view.rows if row.key}
    for preview in stage_previews(org_id, tuple(stages.values()), business_name=business_name):
        view.previews.setdefault(preview.stage.key, []).append(preview)
    return view


def _offset(row: StageRow) -> int:
    if row.when == "on":
        return 0
    return int(row.days) * (-1 if row.when == "before" else 1)


# -- named schedules, one per group of customers (domain/segment_schedules.py) ------------------------------------


@dataclass(frozen=True, slots=True)
class NamedScheduleView:
    """One named schedule's card on the settings page (or the "add a schedule" form, `schedule_id` "new")."""

    schedule_id: str
    name: str
    rows: list[StageRow]
    customers: int  # how many customers follow it
    error_field: str = ""  # a refused form: the field to mark, and why
    error: str = ""


@dataclass(frozen=True, slots=True)
class NamedSchedules:
    cards: list[NamedScheduleView]
    new: NamedScheduleView
    room: bool  # another one may be added
    limit: int


@dataclass(frozen=True, slots=True)
class Refused:
    """A named-schedule form the owner must correct: which form ("new" or the schedule id), what was typed, why."""

    schedule_id: str
    form: dict[str, list[str]]
    field: str
    message: str


def named_schedules(
    settings: ReminderSettings, refused: Refused | None = None, *, max_stages: int = 12
) -> NamedSchedules:
    """The settings page's named schedules, a refused form shown again exactly as typed."""
    from chalicelib.domain.segment_schedules import MAX_SCHEDULES, customers_of

    def view(schedule_id: str, name: str, rows: list[StageRow], customers: int) -> NamedScheduleView:
        if refused is None or refused.schedule_id != schedule_id:
            return NamedScheduleView(schedule_id, name, rows, customers)
        typed = _typed_rows(refused.form, max_stages) or rows
        typed_name = (refused.form.get("name") or [""])[0][:200]
        return NamedScheduleView(schedule_id, typed_name, typed, customers, refused.field, refused.message)

    cards = [
        view(
            s.schedule_id,
            s.name,
            _stored_rows(s.stages, s.stages_off, max_stages),
            len(customers_of(settings, s.schedule_id)),
        )
        for s in settings.schedules
    ]
    new = view("new", "", _stored_rows(settings.stages, settings.stages_off, max_stages), 0)  # starts as the default
    return NamedSchedules(cards, new, len(settings.schedules) < MAX_SCHEDULES, MAX_SCHEDULES)


def _refusal(exc: Exception) -> Exception:
    """A domain refusal as the form error the page shows beside its field."""
    from chalicelib.web.dashboard import InvalidInput

    reason = getattr(exc, "reason", "")
    return InvalidInput(reason, key=f"sched_refused_{reason}", field="name" if reason.startswith("name") else "")


def _parsed(form: dict[str, list[str]]) -> tuple[str, tuple[Stage, ...], tuple[Stage, ...]]:
    from chalicelib.web.dashboard import _stage_rows  # one reading of a stage row, as the default schedule's

    return (form.get("name") or [""])[0], *_stage_rows(form)


def add_named(org_id: str, form: dict[str, list[str]]) -> str:
    """Add a named schedule from its form; its name as kept. InvalidInput when refused."""
    from chalicelib import bootstrap
    from chalicelib.domain.segment_schedules import ScheduleRefused, check_name

    name, stages, stages_off = _parsed(form)
    organisations = bootstrap.container().stores.organisations
    try:
        organisations.add_schedule(org_id, name, stages, stages_off)
    except ScheduleRefused as exc:
        raise _refusal(exc) from None
    return check_name(name, ())


def save_named(org_id: str, schedule_id: str, form: dict[str, list[str]]) -> None:
    """Rename a named schedule and set its stages. InvalidInput when refused."""
    from chalicelib import bootstrap
    from chalicelib.domain.models import NamedSchedule
    from chalicelib.domain.segment_schedules import ScheduleRefused

    name, stages, stages_off = _parsed(form)
    schedule = NamedSchedule(schedule_id=schedule_id, name=name, stages=stages, stages_off=stages_off)
    try:
        bootstrap.container().stores.organisations.update_schedule(org_id, schedule)
    except ScheduleRefused as exc:
        raise _refusal(exc) from None


def delete_named(org_id: str, schedule_id: str) -> tuple[str, int]:
    """Delete a named schedule: (its name, how many customers went back to the default). InvalidInput if unknown."""
    from chalicelib import bootstrap
    from chalicelib.domain.segment_schedules import ScheduleRefused

    organisations = bootstrap.container().stores.organisations
    named = {s.schedule_id: s.name for s in organisations.settings(org_id).schedules}
    try:
        moved = organisations.delete_schedule(org_id, schedule_id)
    except ScheduleRefused as exc:
        raise _refusal(exc) from None
    return named.get(schedule_id, ""), moved


def assign(org_id: str, connection_id: str, customer_id: str, schedule_id: str) -> None:
    """The customer follows `schedule_id` ("" or "default": the default). InvalidInput if it is not one of ours."""
    from chalicelib import bootstrap
    from chalicelib.domain.segment_schedules import ScheduleRefused
    from chalicelib.web.dashboard import customer_page_guard

    customer_page_guard(org_id, connection_id)  # only this organisation's connections
    chosen = None if schedule_id in ("", "default") else schedule_id
    try:
        bootstrap.container().stores.organisations.assign_schedule(org_id, connection_id, customer_id, chosen)
    except ScheduleRefused as exc:
        raise _refusal(exc) from None
