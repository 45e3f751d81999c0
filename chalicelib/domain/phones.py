"""Turns the free-text phone numbers of accounting systems into WhatsApp-usable E.164 numbers.

Xero and QuickBooks store phones as whatever the bookkeeper typed. A reminder may only go to a number we are sure
of, so anything we cannot parse, and every landline, comes back as a reason instead of a guess. Pure functions on
top of `phonenumbers`; no I/O, no vendor SDK.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from chalicelib.domain.masking import mask_phone
from chalicelib.domain.models import Reason

__all__ = ["PhoneResult", "mask_phone", "message_language", "normalise_phone", "normalise_xero_phone"]

# Types WhatsApp can reach. FIXED_LINE_OR_MOBILE is what countries without distinct mobile ranges (US, CA) give.
_USABLE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})

_TYPE_NAMES = {
    value: name.lower()
    for name, value in vars(PhoneNumberType).items()
    if not name.startswith("_") and isinstance(value, int)
}

_DIGITS = re.compile(r"\d")
_NOT_DIGITS = re.compile(r"\D")


@dataclass(frozen=True, slots=True)
class PhoneResult:
    """An E.164 number (`+6281234567890`), or why there is none (`problem` is NO_PHONE or INVALID_PHONE)."""

    e164: str | None
    problem: Reason | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.e164 is not None


def normalise_phone(raw: str | None, default_region: str) -> PhoneResult:
    """Parse one free-text number; numbers without `+` are read as national numbers of `default_region`.

    Only mobile numbers are accepted: a landline gets INVALID_PHONE with a detail saying so.
    """
    if raw is None or not _DIGITS.search(raw):
        return PhoneResult(None, Reason.NO_PHONE, "no number")
    try:
        number = phonenumbers.parse(raw.strip(), default_region.upper())
    except NumberParseException as exc:
        return PhoneResult(None, Reason.INVALID_PHONE, f"unparseable: {exc.error_type}")
    return _usable(number)


def normalise_xero_phone(
    country_code: str | None, area_code: str | None, number: str | None, default_region: str
) -> PhoneResult:
    """Assemble Xero's three free-text parts (`PhoneCountryCode`, `PhoneAreaCode`, `PhoneNumber`) into E.164.

    `61 / 412 / 555 019` -> `+61412555019`; `+64 / 021 / 555 0147` -> `+64215550147` (the trunk 0 goes); with no
    country code the company's country applies: `"" / "" / 0812 3456 7890` (ID) -> `+6281234567890`.
    """
    number = (number or "").strip()
    area = (area_code or "").strip()
    if not _DIGITS.search(number + area):
        return PhoneResult(None, Reason.NO_PHONE, "no number")
    if number.startswith("+"):  # the whole international number was typed into PhoneNumber
        return normalise_phone(number, default_region)
    country = _NOT_DIGITS.sub("", country_code or "").removeprefix("00")
    if not country:
        return normalise_phone(f"{area} {number}", default_region)
    return _with_country_code(int(country), f"{area} {number}")


def _with_country_code(country: int, national: str) -> PhoneResult:
    region = phonenumbers.region_code_for_country_code(country)
    if region == phonenumbers.UNKNOWN_REGION:
        return PhoneResult(None, Reason.INVALID_PHONE, f"unknown country code {country}")
    try:
        # Parsing as a national number of that region strips the trunk prefix only where the region has one
        # (NZ 021 -> 21, but Italy's 06 keeps its 0), which a blind lstrip("0") would get wrong.
        parsed = phonenumbers.parse(national, region)
    except NumberParseException as exc:
        return PhoneResult(None, Reason.INVALID_PHONE, f"unparseable: {exc.error_type}")
    if parsed.country_code != country:
        return PhoneResult(None, Reason.INVALID_PHONE, "country code does not match the number")
    return _usable(parsed)


def _usable(number: phonenumbers.PhoneNumber) -> PhoneResult:
    if not phonenumbers.is_valid_number(number):
        return PhoneResult(None, Reason.INVALID_PHONE, "not a valid number")
    kind = phonenumbers.number_type(number)
    if kind not in _USABLE_TYPES:
        label = "landline" if kind == PhoneNumberType.FIXED_LINE else _TYPE_NAMES.get(kind, str(kind))
        return PhoneResult(None, Reason.INVALID_PHONE, f"{label} number, not usable for WhatsApp")
    return PhoneResult(phonenumbers.format_number(number, PhoneNumberFormat.E164))


def message_language(phone: str, home_country: str, home_language: str) -> str:
    """The language a customer reads their reminder in ("id" or "en": Lunas' templates come in these two).

    Customers with a number of the organisation's own country get the organisation's language; other Indonesian
    numbers get Bahasa Indonesia; everyone else English (an Indonesian business's Australian customer must not get
    Indonesian text). E.164 country codes are prefix-free, so the number's prefix tells its country code.
    """
    home = _calling_prefix(home_country)
    if home and phone.startswith(home):
        return home_language
    return "id" if phone.startswith("+62") else "en"


@cache
def _calling_prefix(country: str) -> str:
    code = phonenumbers.country_code_for_region(country.upper())
    return f"+{code}" if code else ""
