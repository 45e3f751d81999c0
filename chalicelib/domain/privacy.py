"""A person's request (UU PDP: access, portability, erasure) as values: what Lunas holds about one phone number.

Pure: the repository (chalicelib/storage/privacy.py) finds the items, the service (chalicelib/services/privacy.py)
decides what to do with them. An erased number leaves only a keyed one-way hash (`erasure_hash`), so the policy can
still refuse to message it (chalicelib/domain/eligibility.py) while nothing can turn the hash back into the number.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ERASED_DETAIL = "erased at the customer's request: never messaged again"


@dataclass(frozen=True, slots=True)
class HeldKind:
    """The items of one kind held about a person: `items` are JSON-able dicts, one per stored item."""

    kind: str  # e.g. "consent", "messages": what the dashboard and the export call it
    description: str  # what it is, in plain words (English; the dashboard translates the kind name)
    items: tuple[Mapping[str, Any], ...]

    @property
    def count(self) -> int:
        return len(self.items)


@dataclass(frozen=True, slots=True)
class PersonData:
    """Everything one organisation holds about one E.164 number (and the WhatsApp ids Meta resolved it to)."""

    org_id: str
    phone: str
    kinds: tuple[HeldKind, ...] = ()
    blocked: bool = False  # an earlier erasure left the number's hash: it is never messaged again
    opted_out: bool = False  # its consent record says opted out

    @property
    def total(self) -> int:
        return sum(k.count for k in self.kinds)

    @property
    def held(self) -> tuple[HeldKind, ...]:
        return tuple(k for k in self.kinds if k.items)


@dataclass(frozen=True, slots=True)
class ErasureResult:
    """What an erasure removed, per kind (counts only: the removed data is gone)."""

    org_id: str
    masked_phone: str
    removed: Mapping[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.removed.values())


def erasure_key(secret: str) -> bytes:
    """The key of the opt-out hashes, derived from a deployment secret (never the secret itself)."""
    return hmac.new(secret.encode(), b"lunas/erasure-hash/v1", hashlib.sha256).digest()


def erasure_hash(key: bytes, org_id: str, phone: str) -> str:
    """HMAC-SHA256 of the organisation and E.164 number: the same number in another organisation hashes differently,
    and without the key a list of every possible number cannot be matched against the hashes."""
    return hmac.new(key, f"{org_id}\n{phone}".encode(), hashlib.sha256).hexdigest()
