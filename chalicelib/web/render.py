"""jinja2 rendering for the dashboard: templates in `chalicelib/web/templates/` (they ship to Lambda), autoescaped."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

from chalicelib.domain.models import Money
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
    zone = ZoneInfo(timezone)

    def when(instant: dt.datetime) -> str:
        return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M")

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
            {**defaults, **context, "lang": lang, "t": t, "when": when, "money": money, "day_names": _DAY_NAMES[lang]}
        )
    )
