"""Incremental sync: read what changed since the last cycle instead of every open invoice, every hour.

Intuit meters reads (CorePlus calls) and Xero caps them per day, so `IncrementalGateway` keeps, per connection, a
snapshot of the open invoices and their customers plus a cursor on the vendor's clock (DynamoDB, see
`adapters/dynamo_sync.py`). A cycle then costs one change read (QuickBooks CDC, Xero `If-Modified-Since`) instead
of a sweep. It sweeps everything when there is no cursor, when the cursor is older than QuickBooks' CDC look-back
(30 days), when the source cannot list the changes (too many), and every `full_sweep_every` as a safety net.

What never comes from the snapshot: `invoices_by_id`, the re-read right before a reminder goes out. It always asks
the vendor, so a stale snapshot can at worst plan a reminder that the re-read then stops, never send one.
The wrapper is source-agnostic: any gateway that also offers `sweep()` and `changed_since()` can be wrapped.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence

from chalicelib.domain import notes
from chalicelib.domain.audit import SCHEDULER, SYNC
from chalicelib.domain.changes import ChangesUnavailable, Snapshot, SnapshotChange
from chalicelib.domain.models import Customer, Invoice, InvoiceStatus
from chalicelib.ports import AuditLog, Clock, IncrementalSource, SnapshotStore
from chalicelib.services.audit import note

log = logging.getLogger(__name__)

FULL_SWEEP_EVERY = dt.timedelta(days=7)
MAX_CHANGE_WINDOW = dt.timedelta(days=29)  # QuickBooks CDC looks back at most 30 days; keep a day in hand
OVERLAP = dt.timedelta(minutes=5)  # re-read a little before the cursor: a change seen twice is harmless


def _is_open(invoice: Invoice) -> bool:
    return invoice.status is InvoiceStatus.OPEN and invoice.amount_due.amount > 0


class IncrementalGateway:
    """`chalicelib.ports.AccountingGateway` over an `IncrementalSource`, backed by a stored snapshot."""

    def __init__(
        self,
        inner: IncrementalSource,
        *,
        org_id: str,
        store: SnapshotStore,
        clock: Clock,
        full_sweep_every: dt.timedelta = FULL_SWEEP_EVERY,
        max_change_window: dt.timedelta = MAX_CHANGE_WINDOW,
        audit: AuditLog | None = None,
    ) -> None:
        self.source = inner.source
        self.connection_id = inner.connection_id
        self._inner = inner
        self._org_id = org_id
        self._store = store
        self._clock = clock
        self._full_sweep_every = full_sweep_every
        self._max_change_window = max_change_window
        self._customers: dict[str, Customer] = {}
        self._audit = audit  # each read in the organisation's audit log: counts, never contents
        self.last_read = ""  # "sweep: <why>" or "changes", for logs and tests

    @property
    def inner(self) -> IncrementalSource:
        return self._inner

    # -- the port -------------------------------------------------------------------------------------------------

    def open_invoices(self) -> list[Invoice]:
        snapshot = self._store.load(self._org_id, self.connection_id)
        reason = self._sweep_reason(snapshot)
        if reason is None:
            try:
                return self._apply_changes(snapshot)
            except ChangesUnavailable as exc:
                reason = str(exc)
        return self._full_sweep(snapshot, reason)

    def invoices_by_id(self, invoice_ids: Sequence[str]) -> list[Invoice]:
        """Always the vendor, never the snapshot: this is the last check before a reminder goes out."""
        return self._inner.invoices_by_id(invoice_ids)

    def customers(self, customer_ids: Sequence[str]) -> dict[str, Customer]:
        wanted = list(dict.fromkeys(customer_ids))
        found = {i: self._customers[i] for i in wanted if i in self._customers}
        missing = [i for i in wanted if i not in found]
        if missing:
            fetched = self._inner.customers(missing)
            self._customers.update(fetched)
            found.update(fetched)
            change = SnapshotChange(put_customers=tuple(fetched.values()))
            self._store.save(self._org_id, self.connection_id, change, expected_version=None)
        return found

    def remaining_calls_today(self) -> int | None:
        return self._inner.remaining_calls_today()

    def payment_link(self, invoice_id: str) -> str | None:
        """The source's payment page (a customer opened a pay link: services/payments.py)."""
        return self._inner.payment_link(invoice_id)

    # -- reading --------------------------------------------------------------------------------------------------

    def _sweep_reason(self, snapshot: Snapshot) -> str | None:
        now = self._clock.now()
        if snapshot.cursor is None:
            return "no cursor yet"
        if now - snapshot.cursor > self._max_change_window:
            return f"cursor older than {self._max_change_window.days} days"
        if snapshot.full_sweep_at is None or now - snapshot.full_sweep_at >= self._full_sweep_every:
            return f"safety sweep (every {self._full_sweep_every.days} days)"
        return None

    def _full_sweep(self, snapshot: Snapshot, reason: str) -> list[Invoice]:
        sweep = self._inner.sweep()
        current = {i.invoice_id: i for i in sweep.invoices if _is_open(i)}
        # Customer details may have changed unseen while there was no cursor: forget them, read them again.
        change = SnapshotChange(
            put_invoices=tuple(i for key, i in current.items() if snapshot.invoices.get(key) != i),
            delete_invoice_ids=frozenset(snapshot.invoices) - frozenset(current),
            delete_customer_ids=frozenset(snapshot.customers),
            cursor=sweep.as_of,
            full_sweep_at=self._clock.now(),
        )
        self._customers = {}
        self._save(snapshot, change)
        self.last_read = f"sweep: {reason}"
        log.info("%s: full sweep (%s), %d open invoices", self.connection_id, reason, len(current))
        self._note(
            f"Synced {self.source}: read every open invoice ({reason}), {len(current)} open",
            notes.note("audit_sync_sweep", system=self.source, open=str(len(current))),
        )
        return list(current.values())

    def _apply_changes(self, snapshot: Snapshot) -> list[Invoice]:
        assert snapshot.cursor is not None  # _sweep_reason() checked it
        changes = self._inner.changed_since(snapshot.cursor - OVERLAP)
        invoices = dict(snapshot.invoices)
        put, gone = _merge_invoices(invoices, changes.invoices, changes.deleted_invoice_ids)
        customers = dict(snapshot.customers)
        updated = [c for c in changes.customers if c.customer_id in customers and customers[c.customer_id] != c]
        customers.update((c.customer_id, c) for c in updated)
        cursor = max(changes.as_of, snapshot.cursor) if changes.as_of else snapshot.cursor
        change = SnapshotChange(
            put_invoices=tuple(put), delete_invoice_ids=frozenset(gone), put_customers=tuple(updated), cursor=cursor
        )
        self._customers = customers
        self._save(snapshot, change)
        self.last_read = "changes"
        log.info(
            "%s: %d changed invoices (%d closed), %d changed customers",
            self.connection_id,
            len(put) + len(gone),
            len(gone),
            len(updated),
        )
        self._note(
            f"Synced {self.source}: {len(put) + len(gone)} changed invoices ({len(gone)} closed), "
            f"{len(updated)} changed customers, {len(invoices)} open",
            notes.note(
                "audit_sync_changes",
                system=self.source,
                changed=str(len(put) + len(gone)),
                closed=str(len(gone)),
                customers=str(len(updated)),
                open=str(len(invoices)),
            ),
        )
        return list(invoices.values())

    def _note(self, what: str, words: notes.Note) -> None:
        note(self._audit, self._org_id, SYNC, SCHEDULER, what, at=self._clock.now(), words=words)

    def _save(self, snapshot: Snapshot, change: SnapshotChange) -> None:
        if not self._store.save(self._org_id, self.connection_id, change, expected_version=snapshot.version):
            log.info("%s: another worker moved the sync cursor meanwhile; kept theirs", self.connection_id)


def _merge_invoices(
    invoices: dict[str, Invoice], changed: Iterable[Invoice], deleted: Iterable[str]
) -> tuple[list[Invoice], set[str]]:
    """Apply changes to `invoices` in place; (invoices to store, ids to forget). Paid/voided/deleted ones go."""
    put: list[Invoice] = []
    gone: set[str] = set()
    for invoice in changed:
        key = invoice.invoice_id
        if _is_open(invoice):
            if invoices.get(key) != invoice:
                invoices[key] = invoice
                put.append(invoice)
        elif invoices.pop(key, None) is not None:
            gone.add(key)
    for key in deleted:
        if invoices.pop(key, None) is not None:
            gone.add(key)
    return put, gone
