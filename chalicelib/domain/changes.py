"""What an accounting source reports for incremental sync: a full sweep, or the changes since a point in time.

Both carry `as_of`, a point on the *vendor's* clock (taken from its own responses), so the next change read starts
where this one ended even when Lunas' clock and the vendor's disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from chalicelib.domain.errors import AccountingError
from chalicelib.domain.models import Customer, Invoice


@dataclass(frozen=True, slots=True, kw_only=True)
class Sweep:
    """Every open invoice, and the vendor time the sweep started at (None when the vendor gave no clue)."""

    invoices: tuple[Invoice, ...]
    as_of: dt.datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeSet:
    """Invoices and customers created or changed since a point in time, whatever their status now.

    `deleted_invoice_ids` are invoices that no longer exist at all. `as_of` is where the next read should start.
    """

    invoices: tuple[Invoice, ...] = ()
    customers: tuple[Customer, ...] = ()
    deleted_invoice_ids: frozenset[str] = frozenset()
    as_of: dt.datetime | None = None


class ChangesUnavailable(AccountingError):
    """The source cannot answer "what changed since then" (too far back, too many changes): sweep instead."""
