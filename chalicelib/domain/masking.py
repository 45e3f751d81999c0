"""Masking for logs, with no dependencies: observability imports it, and every Lambda imports observability.

Masked, wherever a log line carries them:
- phone numbers, where they are phone numbers: any value of a phone key (`phone`, `*_phone`, `phone_number`,
  `display_phone_number`, `wa_id`, `recipient_id`, `msisdn`, `mobile`, ...), a `to`/`from` value shaped like a number
  (`"+62…"` or 8-15 bare digits; not a date or an epoch), a `+` number in free text (`+6281234567890`,
  `+62 812-3456-7890`), and a bare Indonesian mobile number in free text (`6281234567890`, `081234567890`).
  All come out as `mask_phone` writes them (`+62********890`): told apart by their last digits, not readable.
- wamids (`wamid.HBgM…` base64-encodes the recipient's number): `wamid.#` and a short hash of the whole id, so two
  lines about one message still match.
- tokens and secrets: any value of a `*token`/`*secret`/`*password`/`authorization` key, `Bearer …`, `token=…`.

Left intact, because other digit runs are not phones and correlation needs them: UUIDs and request ids, X-Ray trace
ids, ARNs and the account id in them, amounts, invoice numbers, dates, timestamps, epochs, Xero tenant ids, QuickBooks
realm ids, Meta `phone_number_id`s. So a bare digit run is masked only by its key, or when it is an Indonesian mobile.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["mask_phone", "mask_wamid", "scrub", "scrub_fields"]

_NOT_DIGITS = re.compile(r"\D")

# Keys whose value is a phone number, whatever it looks like ("phone_number_id" is Meta's id for a number: not one).
_PHONE_KEY_SOURCE = r"[a-z_]*phone(?:_?number)?s?|wa_?id|recipient_id|msisdn|e164|mobile"
_PHONE_KEY = re.compile(_PHONE_KEY_SOURCE, re.IGNORECASE)
# "to"/"from" also name date ranges, epochs and status changes: their value is masked only when shaped like a number.
_MAYBE_PHONE_KEY = re.compile(r"to|from", re.IGNORECASE)
_SECRET_KEY = re.compile(r"(?:[\w.-]*[_.-])?(?:token|secret|password)|authorization", re.IGNORECASE)

_PHONE_CHARS = re.compile(r"\+?[\d\s().-]+")
_EPOCH = re.compile(r"1\d{9}|1\d{12}")  # seconds or milliseconds; no wa_id has that shape (NANP numbers are 11 digits)

# A number as written: compact ("6281234567890") or in groups ("0812-3456-7001", "62 (812) 3456 7890").
_NUMBER = r"(?:\d{6,15}(?!\d)|\d{1,4}(?:(?:[ .-]|\s?\(|\)[ .-]?)\d{1,5}){1,5}(?!\d))"
_KEYED_NUMBER = re.compile(
    rf"(?<!\w)(?P<key>{_PHONE_KEY_SOURCE}|to|from)(?P<sep>[\"']?\s*[:=]\s*[\"']?)(?P<value>\+?{_NUMBER})",
    re.IGNORECASE,
)
# A country code never starts with 0, which keeps "+07:00" / "+0700" time zones out.
_PLUS_NUMBER = re.compile(rf"(?<![A-Za-z0-9+])(?:\+|%2B)(?=[1-9]){_NUMBER}", re.IGNORECASE)
# Lunas' home market: 62 8xx or 08xx and 8-11 more digits. Not after ":" (ARNs) or "-" (UUIDs, invoice numbers).
_INDONESIAN_MOBILE = re.compile(r"(?<![\w.*+:-])(?:62|0)8[1-9]\d{7,10}(?![\w*]|[.,]\d)")
_WAMID = re.compile(r"wamid\.[A-Za-z0-9+/=_-]+")
_SECRET = re.compile(
    r"(?i)(bearer\s+|(?:access|refresh)_token\W+|\b(?:\w+_)?(?:token|secret|password)[\"']?\s*[:=]\s*[\"']?)"
    r"[A-Za-z0-9._~+/=-]{6,}"
)


def mask_phone(phone: str | None) -> str:
    """A number safe to log: country code kept, all but the last 3 digits hidden."""
    if not phone:
        return "-"
    digits = _NOT_DIGITS.sub("", phone)
    if len(digits) < 6:  # too short to keep any of it
        return "***"
    return "+" + digits[:2] + "*" * (len(digits) - 5) + digits[-3:]


def mask_wamid(wamid: str) -> str:
    """A WhatsApp message id safe to log: the same id always gives the same short hash, the number is gone."""
    import hashlib  # here, not at the top: every Lambda imports this module (via observability), few hash a wamid

    return "wamid.#" + hashlib.sha256(wamid.encode()).hexdigest()[:12]


def scrub(text: str) -> str:
    """Free text (a message, an exception, a JSON or repr dump) with phones, wamids and secrets masked."""
    text = _SECRET.sub(lambda m: m.group(1) + "***", text)
    text = _WAMID.sub(lambda m: mask_wamid(m.group(0)), text)
    text = _KEYED_NUMBER.sub(_mask_keyed_number, text)
    text = _PLUS_NUMBER.sub(_mask_plus_number, text)
    return _INDONESIAN_MOBILE.sub(lambda m: mask_phone(m.group(0)), text)


def scrub_fields(value: Any, key: str = "") -> Any:
    """A structured log record (dicts, lists, scalars) with phones, wamids and secrets masked, by key and by text."""
    if isinstance(value, dict):
        return {k: scrub_fields(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [scrub_fields(v, key) for v in value]
    return _scrub_scalar(key, value)


def _scrub_scalar(key: str, value: Any) -> Any:
    if value is None or isinstance(value, bool | float):
        return value
    if _SECRET_KEY.fullmatch(key):
        return "***" if value != "" else value
    text = str(value)  # what the JSON serializer would write for anything else
    if _is_phone(key, text):
        return mask_phone(text)
    return value if isinstance(value, int) else scrub(text)


def _is_phone(key: str, value: str) -> bool:
    digits = len(_NOT_DIGITS.sub("", value))
    if _PHONE_KEY.fullmatch(key):
        return digits >= 6
    if not _MAYBE_PHONE_KEY.fullmatch(key) or not _PHONE_CHARS.fullmatch(value) or not 8 <= digits <= 15:
        return False
    return value.startswith("+") or (value.isdigit() and not _EPOCH.fullmatch(value))


def _mask_keyed_number(match: re.Match[str]) -> str:
    if not _is_phone(match["key"], match["value"]):
        return match.group(0)
    return match["key"] + match["sep"] + mask_phone(match["value"])


def _mask_plus_number(match: re.Match[str]) -> str:
    number = re.sub(r"^%2B", "+", match.group(0), flags=re.IGNORECASE)  # "%2B" is a URL-encoded "+"
    digits = len(_NOT_DIGITS.sub("", number))
    return mask_phone(number) if 8 <= digits <= 15 else match.group(0)
