"""What an accounting source reports for incremental sync: a full sweep, or the changes since a point in time.

Both carry `as_of`, a point on the *vendor's* clock (taken from its own responses), so the next change read starts
where this one ended even when Lunas' clock and the vendor's disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

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


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot:
    """One connection's stored view: open invoices and customers by vendor id, and where to read changes from."""

    invoices: Mapping[str, Invoice] = field(default_factory=dict)
    customers: Mapping[str, Customer] = field(default_factory=dict)
    cursor: dt.datetime | None = None  # vendor clock
    full_sweep_at: dt.datetime | None = None  # Lunas' clock
    version: int = 0  # of the cursor item; 0 = never stored


@dataclass(frozen=True, slots=True, kw_only=True)
class SnapshotChange:
    """What to write: items first, then the cursor (only if nobody moved it since `Snapshot.version`)."""

    put_invoices: tuple[Invoice, ...] = ()
    delete_invoice_ids: frozenset[str] = frozenset()
    put_customers: tuple[Customer, ...] = ()
    delete_customer_ids: frozenset[str] = frozenset()
    cursor: dt.datetime | None = None  # None: leave the cursor as it is
    full_sweep_at: dt.datetime | None = None  # None: leave it as it is
