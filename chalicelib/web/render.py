"""jinja2 rendering for the dashboard: templates in `chalicelib/web/templates/` (they ship to Lambda), autoescaped."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

from chalicelib.domain.models import Money, source_name
from chalicelib.domain.notes import Note
from chalicelib.domain.wording import format_money
from chalicelib.web.i18n import translate

_TEMPLATES = Path(__file__).parent / "templates"
_DAY_NAMES = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "id": ("Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min"),
}


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(_TEMPLATES)),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, *, lang: str, timezone: str = "Asia/Jakarta", **context: Any) -> str:
    ZoneInfo(timezone)  # an unknown zone fails here, before anything renders

    def when(instant: dt.datetime) -> str:
        return local_when(instant, lang, timezone)

    def day(value: dt.date | str | None) -> str:
        return local_date(value, lang)

    def money(amount: Any, currency: str) -> str:
        try:
            return format_money(Money(Decimal(str(amount)), currency), lang)
        except (InvalidOperation, ValueError):
            return f"{currency} {amount}"

    def t(key: str, **values: object) -> str:
        return translate(lang, key, **values)

    defaults: dict[str, Any] = {"principal": None, "csrf": "", "flash": "", "flash_kind": "ok", "page": ""}
    return (
        _environment()
        .get_template(template)
        .render(
            {
                **defaults,
                **context,
                "lang": lang,
                "t": t,
                "when": when,
                "day": day,
                "money": money,
                "day_names": _DAY_NAMES[lang],
                "stage_words": lambda key: stage_words(key, lang),
                "template_words": lambda name, language="": template_words(name, language, lang),
                "cycle_words": lambda summary: cycle_words(summary, lang),
                "note_words": lambda note, detail="": note_words(note, detail, lang, timezone),
                "who_words": lambda who: who_words(who, lang),
            }
        )
    )


# -- owner-facing words for internal values (docs/dashboard.md "Words") -------------------------------------------


def local_date(value: dt.date | str | None, lang: str) -> str:
    """`24 Nov 2026` in either language (Babel's short month names: `24 Des 2026` in Indonesian); "" for nothing."""
    from babel.dates import format_date

    from chalicelib.domain.wording import LOCALES

    if value is None or value == "":
        return ""
    day: dt.date
    if isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    else:
        day = value.date() if isinstance(value, dt.datetime) else value
    return str(format_date(day, "d MMM y", locale=LOCALES.get(lang, "en")))


def local_when(instant: dt.datetime, lang: str, timezone: str) -> str:
    """`24 Nov 2026 10:00` in the organisation's time zone (the month in the page's language)."""
    local = instant.astimezone(ZoneInfo(timezone))
    return f"{local_date(local.date(), lang)} {local:%H:%M}"


def stage_words(key: str, lang: str) -> str:
    """`d+20` -> "20 days after the due date" / "20 hari setelah jatuh tempo"; `d0` -> "on the due date"."""
    from chalicelib.domain.home import stage_offset
    from chalicelib.domain.wording import format_days

    offset = stage_offset(key or "")
    if offset is None:
        return translate(lang, "stage_unknown")
    if offset == 0:
        return translate(lang, "stage_on_due")
    days = format_days(abs(offset), lang)
    return translate(lang, "stage_after" if offset > 0 else "stage_before", days=days)


def template_words(name: str, language: str, lang: str) -> str:
    """`lunas_invoice_due_today` (en) -> "Reminder on the due date (English)", the names the templates section uses."""
    from chalicelib.domain.template_lifecycle import OWNER_NAMES

    key = OWNER_NAMES.get(name)
    plain = translate(lang, key) if key else translate(lang, "tpl_name_other")
    return (
        translate(lang, "tpl_in_language", name=plain, language=translate(lang, f"tpl_lang_{language}"))
        if (language in ("id", "en"))
        else plain
    )


def cycle_words(summary: str, lang: str) -> str:
    """A cycle's stored summary in words: `already_sent=4, no_consent=3` -> "This stage was already sent: 4 ..."."""
    from chalicelib.domain.home import cycle_counts

    counts = cycle_counts(summary or "")
    if counts is None:
        text = (summary or "").lower()
        for start, key in (
            ("reconnect needed", "cycle_reconnect"),
            ("accounting api limit", "cycle_rate_limited"),
            ("no whatsapp number", "cycle_no_whatsapp"),  # chalicelib/worker.py NO_WHATSAPP_NUMBER
            ("skipped", "cycle_skipped"),
        ):
            if text.startswith(start):
                return translate(lang, key)
        return translate(lang, "cycle_other")
    if not counts:
        return translate(lang, "cycle_no_open_invoices")
    total = sum(n for _, n in counts)
    parts = "; ".join(f"{translate(lang, 'reason_' + reason)}: {n}" for reason, n in counts)
    return translate(lang, "cycle_counts", total=total, parts=parts)


def note_words(note: Note | None, detail: str, lang: str, timezone: str) -> str:
    """A decision's note in the page's language (chalicelib/domain/notes.py); without one, the stored English
    detail on an English page only (an Indonesian page shows the reason's own words instead)."""
    if note is None:
        return detail if lang == "en" else ""
    values = {name: _note_value(name, value, lang, timezone) for name, value in note.values}
    try:
        return translate(lang, f"note_{note.key}", **values)
    except (KeyError, IndexError, ValueError):  # words that ask for a value an older note lacks
        return detail if lang == "en" else ""


def _note_value(name: str, value: str, lang: str, timezone: str) -> str:
    """One value of a note, read by its name: instants, dates, money, consent sources and stages in words."""
    if name.endswith("_at"):
        return _note_instant(value, lang, timezone)
    if name == "date" or name.endswith("_date"):
        return local_date(value, lang)
    if name in ("amount", "minimum"):
        return _note_money(value, lang)
    if name == "source":
        words = translate(lang, f"consent_source_{value}")
        return value if words == f"consent_source_{value}" else words
    if name in _NOTE_WORDS:
        return _NOTE_WORDS[name](value, lang)
    return value


def _reason_counts(value: str, lang: str) -> str:
    """`no_consent=3,not_due=1` -> "No consent recorded: 3; Not due yet: 1" (the reasons' own names)."""
    parts = (part.partition("=") for part in value.split(",") if part)
    return "; ".join(f"{translate(lang, 'reason_' + reason)}: {n}" for reason, _, n in parts)


_NOTE_WORDS: dict[str, Callable[[str, str], str]] = {
    "stage": stage_words,
    "counts": _reason_counts,
    "summary": cycle_words,
    "system": lambda value, _lang: source_name(value),
}


def _note_instant(value: str, lang: str, timezone: str) -> str:
    try:
        return local_when(dt.datetime.fromisoformat(value), lang, timezone)
    except ValueError:
        return value


def _note_money(value: str, lang: str) -> str:
    amount, _, currency = value.partition(" ")
    try:
        return format_money(Money(Decimal(amount), currency), lang)
    except (InvalidOperation, ValueError):
        return value


_WHO = {"scheduler": "who_scheduler", "cli operator": "who_operator"}


def who_words(who: str | None, lang: str) -> str:
    """Who made a change (audit log, consent history) as the owner reads it: a signed-in user's e-mail (their id
    left out), the customer on WhatsApp, Lunas on its schedule, or a Lunas operator."""
    text = (who or "").strip()
    if text.startswith("whatsapp webhook"):
        return translate(lang, "who_whatsapp_customer")
    if text in _WHO:
        return translate(lang, _WHO[text])
    return re.sub(r"\s*\(user [^)]*\)$", "", text)
