"""Comparing secrets (signatures, CSRF tokens, verify tokens) without leaking how much of them matched."""

from __future__ import annotations

import hmac


def same_secret(offered: str, expected: str) -> bool:
    """Constant-time equality of two strings of any characters.

    `hmac.compare_digest` refuses non-ASCII `str` with a TypeError, and anyone can put non-ASCII in a header or a form
    field: comparing the UTF-8 bytes answers False instead of failing with a 500.
    """
    return hmac.compare_digest(offered.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass"))
