"""Phone masking for logs, with no dependencies: observability imports it, and every Lambda imports observability."""

from __future__ import annotations

import re

_NOT_DIGITS = re.compile(r"\D")


def mask_phone(phone: str | None) -> str:
    """A number safe to log: country code kept, all but the last 3 digits hidden."""
    if not phone:
        return "-"
    digits = _NOT_DIGITS.sub("", phone)
    if len(digits) < 6:  # too short to keep any of it
        return "***"
    return "+" + digits[:2] + "*" * (len(digits) - 5) + digits[-3:]
