"""Countries, currencies and time zones as the accounting systems write them -> the codes Lunas keeps.

A phone number written without `+` means nothing until we know the country it was written in: each connection reads
its customers' numbers in its own company's country (Xero `Organisation.CountryCode`, QuickBooks `CompanyInfo.Country`),
and the organisation's own country (asked at sign-up) covers what the owner types and connections that could not say.

- Countries are ISO 3166 alpha-2 codes that `phonenumbers` knows (`ID`, `US`, `AU`). Xero writes them so; QuickBooks
  documents `Country` as the company's country and shows `US` in its examples, but a name or an alpha-3 code (`USA`)
  is read too, and `UK` means `GB`.
- Currencies are ISO 4217 codes (`IDR`).
- Xero writes its time zones as Windows zone names without spaces (`SEASIASTANDARDTIME`); they become IANA names
  (`Asia/Jakarta`) through CLDR's Windows mapping, preferring a zone of the company's own country.

Pure functions; Babel's CLDR data and `phonenumbers`' metadata are loaded on first use.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

DEFAULT_COUNTRY = "ID"
_ALPHA2 = re.compile(r"[A-Z]{2}")
_CURRENCY = re.compile(r"[A-Z]{3}")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")
# Xero and QuickBooks time zone / country spellings that CLDR does not list as names.
_NAME_ALIASES = {"UNITEDSTATESOFAMERICA": "US", "UNITEDKINGDOM": "GB", "GREATBRITAIN": "GB", "ENGLAND": "GB"}


@cache
def _regions() -> frozenset[str]:
    import phonenumbers

    return frozenset(str(region) for region in phonenumbers.SUPPORTED_REGIONS if region)


def is_country(code: str) -> bool:
    """An ISO 3166 alpha-2 code whose phone numbers we can read (upper case)."""
    return bool(_ALPHA2.fullmatch(code)) and code in _regions()


@cache
def _names_to_codes() -> dict[str, str]:
    from babel import Locale

    found: dict[str, str] = dict(_NAME_ALIASES)
    for language in ("en", "id"):
        for code, name in Locale.parse(language).territories.items():
            if is_country(code):
                found.setdefault(_key(name), code)
    return found


def _key(text: str) -> str:
    return _NOT_ALNUM.sub("", text.upper())


def country_code(value: object) -> str | None:
    """`ID`, `id`, `IDN`, `Indonesia`, `UK` -> the alpha-2 code (`ID`, ..., `GB`); None when it names no country."""
    text = str(getattr(value, "value", value) or "").strip()
    if not text:
        return None
    upper = text.upper()
    if is_country(upper):
        return upper
    if re.fullmatch(r"[A-Z]{2,3}", upper):
        from babel.core import get_global

        alias = get_global("territory_aliases").get(upper) or []  # ISO alpha-3 and retired codes: USA -> US
        if alias and is_country(alias[0]):
            return str(alias[0])
    return _names_to_codes().get(_key(text))


def currency_code(value: object) -> str | None:
    """`IDR`, `CurrencyCode.IDR`, `idr` -> `IDR`; None for anything that is not a three-letter code."""
    text = str(getattr(value, "value", value) or "").strip().upper()
    return text if _CURRENCY.fullmatch(text) else None


@cache
def _windows_zones() -> dict[str, str]:
    from babel.core import get_global

    return {_key(name): zone for name, zone in get_global("windows_zone_mapping").items()}


def iana_timezone(windows_name: object, country: str | None = None) -> str | None:
    """Xero's `Timezone` (`SEASIASTANDARDTIME`, `AUSEASTERNSTANDARDTIME`) -> an IANA name, or None if unknown.

    CLDR maps each Windows zone to one city (`SE Asia Standard Time` -> `Asia/Bangkok`); when the company's country
    has a zone keeping the same clock all year, that one is preferred (an Indonesian organisation -> `Asia/Jakarta`).
    """
    text = str(getattr(windows_name, "value", windows_name) or "")
    zone = _windows_zones().get(_key(text))
    if zone is None or not country:
        return zone
    from babel.core import get_global

    if get_global("zone_territories").get(zone) == country:
        return zone
    for candidate in get_global("territory_zones").get(country, ()):
        if _same_clock(candidate, zone):
            return str(candidate)
    return zone


def _same_clock(one: str, other: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        a, b = ZoneInfo(one), ZoneInfo(other)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    # Two instants half a year apart: equal offsets at both mean the same standard and daylight time.
    probes = (dt.datetime(2026, 1, 15, 12, tzinfo=dt.UTC), dt.datetime(2026, 7, 15, 12, tzinfo=dt.UTC))
    return all(p.astimezone(a).utcoffset() == p.astimezone(b).utcoffset() for p in probes)


def country_name(code: str, language: str) -> str:
    """`AU` -> `Australia` (English) / `Australia` (Indonesian); the code itself if CLDR has no name."""
    return _country_names(language).get(code, code)


@cache
def _country_names(language: str) -> dict[str, str]:
    from babel import Locale

    territories = Locale.parse("id" if language == "id" else "en").territories
    return {code: str(name) for code, name in territories.items() if is_country(code)}


@cache
def country_choices(language: str) -> tuple[tuple[str, str], ...]:
    """Every country we can read phone numbers of, as (code, name in `language`), sorted by name."""
    names = _country_names(language)
    choices = [(code, names.get(code) or code) for code in _regions()]
    return tuple(sorted(choices, key=lambda choice: (choice[1].casefold(), choice[0])))
