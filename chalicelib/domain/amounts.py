"""Amounts as people type them: "Rp 50.000", "50.000", "50,000.00", "IDR 50000" -> Money(Decimal("50000"), "IDR").

Pure (no I/O): the schedule form's minimum amounts (chalicelib/web/dashboard.py) are read here. The number is read
with Babel in the page's language first, then in the other one: an Indonesian writes "50.000" and an English
speaker "50,000" for the same amount, and neither ever means more than two decimals, so a reading with three or more
decimals (English "50.000" = 50) is not what was meant and the other language's reading is taken.
"""

from __future__ import annotations

import re
from decimal import Decimal

from chalicelib.domain.models import Money

__all__ = ["AmountRefused", "parse_amount"]

MAX_DIGITS = 15  # before the decimal point: IDR 999 trillion is plenty
MAX_LENGTH = 40  # characters typed for one amount
_LOCALES = ("id", "en")
# What people write before or after the number, upper-cased -> ISO 4217. A code (IDR, SGD...) is taken as written.
_SYMBOLS = {"RP": "IDR", "RP.": "IDR", "S$": "SGD", "RM": "MYR", "₱": "PHP", "฿": "THB", "₫": "VND", "A$": "AUD"}
_SPLIT = re.compile(r"^\s*([^\d\s.,-]*)\s*([\d\s.,\u00a0\u202f]*?)\s*([^\d\s.,-]*)\s*$")


class AmountRefused(ValueError):
    """Not an amount; `problem` says why in a word the page translates: format | currency | too_large | negative."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"not an amount: {problem}")
        self.problem = problem


def _currency(prefix: str, suffix: str, default: str) -> str:
    marks = [m for m in (prefix, suffix) if m]
    if len(marks) > 1:
        raise AmountRefused("format")
    if not marks:
        return default
    mark = marks[0].upper()
    if mark in _SYMBOLS:
        return _SYMBOLS[mark]
    if mark == "$":
        return default if default.endswith("D") else "USD"  # a dollar of the row's currency (SGD, AUD, USD...)
    from babel.numbers import is_currency

    if re.fullmatch(r"[A-Z]{3}", mark) and is_currency(mark):
        return mark
    raise AmountRefused("currency")


def _number(text: str, locale: str) -> Decimal | None:
    from babel.numbers import NumberFormatError, parse_decimal

    try:
        value = parse_decimal(text, locale=locale, strict=True)
    except (NumberFormatError, ValueError):
        return None
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -2:
        return None  # "50.000" read as fifty with three decimals: not what anyone meant
    return value


def parse_amount(text: str, *, locale: str, currency: str = "IDR") -> Money:
    """Read one typed amount.

    Args:
        text: What the owner typed, e.g. "Rp 50.000" or "50,000.00".
        locale: The page's language ("id" or "en"): its reading of an ambiguous number wins.
        currency: The currency when the text names none (the row's currency).

    Returns:
        The amount, a whole number without trailing zeros where it is one (Decimal("50000"), not "50000.00").

    Raises:
        AmountRefused: empty, not a number, negative, an unknown currency mark, or more than 15 digits.
    """
    if len(text) > MAX_LENGTH:
        raise AmountRefused("too_large")
    if text.strip().startswith("-"):
        raise AmountRefused("negative")
    match = _SPLIT.match(text)
    if match is None or not match.group(2).strip():
        raise AmountRefused("format")
    code = _currency(match.group(1), match.group(3), currency.upper())
    digits = re.sub(r"[\s\u00a0\u202f]", "", match.group(2))
    order = (locale, *(other for other in _LOCALES if other != locale))
    value = next((v for v in (_number(digits, loc) for loc in order) if v is not None), None)
    if value is None:
        raise AmountRefused("format")
    if value < 0:
        raise AmountRefused("negative")
    if value >= Decimal(10) ** MAX_DIGITS:
        raise AmountRefused("too_large")
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    return Money(value, code)
