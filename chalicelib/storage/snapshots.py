"""DynamoDB storage of the incremental-sync snapshot (see services/sync.py): one item per open invoice and per
customer, and a cursor item with a version, all under the organisation's partition.

Items are written before the cursor, so a worker that dies halfway leaves the old cursor, and the next cycle reads
the same changes again (applying a change twice is harmless). The cursor is only moved by a writer that still
holds the version it read; a loser keeps the winner's cursor.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pynamodb.exceptions import PutError, UpdateError

from chalicelib.domain.changes import Snapshot, SnapshotChange
from chalicelib.domain.models import Customer, Invoice, InvoiceStatus, Money, Reason
from chalicelib.storage.schema import SyncCursorRecord, SyncCustomerRecord, SyncInvoiceRecord, org_pk
from chalicelib.storage.writes import conditional_failed


def _prefix(connection_id: str) -> str:
    return f"SYNC#{connection_id}#"


class DynamoSyncSnapshots:
    """`chalicelib.services.sync.SnapshotStore` on the single table."""

    def load(self, org_id: str, connection_id: str) -> Snapshot:
        pk, prefix = org_pk(org_id), _prefix(connection_id)
        invoices = {
            i.invoice_id: i
            for i in (
                self._invoice(connection_id, r)
                for r in SyncInvoiceRecord.query(pk, SyncInvoiceRecord.sk.startswith(prefix + "INV#"))
            )
        }
        customers = {
            c.customer_id: c
            for c in (
                self._customer(connection_id, r)
                for r in SyncCustomerRecord.query(pk, SyncCustomerRecord.sk.startswith(prefix + "CUST#"))
            )
        }
        try:
            cursor = SyncCursorRecord.get(pk, prefix + "CURSOR")
        except SyncCursorRecord.DoesNotExist:
            return Snapshot(invoices=invoices, customers=customers)
        return Snapshot(
            invoices=invoices,
            customers=customers,
            cursor=cursor.cursor,
            full_sweep_at=cursor.full_sweep_at,
            version=int(cursor.version or 0),
        )

    def save(self, org_id: str, connection_id: str, change: SnapshotChange, *, expected_version: int | None) -> bool:
        self._write_items(org_id, connection_id, change)
        if expected_version is None or (change.cursor is None and change.full_sweep_at is None):
            return True
        return self._move_cursor(org_id, connection_id, change, expected_version)

    def retain_until(self, org_id: str, connection_id: str, until: dt.datetime | None) -> None:
        """Set (or, with None, remove) `expires_at` on every item of the connection's snapshot: disconnected, the
        synced customers and invoices go 30 days later (retention.SNAPSHOT); connected again, they are kept (a sync
        rewrites only what changed, so an item left to expire would vanish from a live snapshot)."""
        pk, prefix = org_pk(org_id), _prefix(connection_id)
        for model, kind in ((SyncInvoiceRecord, "INV#"), (SyncCustomerRecord, "CUST#")):
            for item in model.query(pk, model.sk.startswith(prefix + kind), attributes_to_get=["pk", "sk"]):
                action = model.expires_at.set(until) if until is not None else model.expires_at.remove()
                try:  # never recreate an item a sync deleted meanwhile
                    item.update(actions=[action], condition=model.pk.exists())
                except UpdateError as exc:
                    if not conditional_failed(exc):
                        raise
        try:
            cursor = SyncCursorRecord.get(pk, prefix + "CURSOR")
        except SyncCursorRecord.DoesNotExist:
            return
        cursor.expires_at = until
        try:
            cursor.save()  # versioned: a sync that moved it meanwhile wins, and the next disconnect sets it again
        except PutError as exc:
            if not conditional_failed(exc):
                raise

    # -- internals ------------------------------------------------------------------------------------------------

    def _write_items(self, org_id: str, connection_id: str, change: SnapshotChange) -> None:
        pk, prefix = org_pk(org_id), _prefix(connection_id)
        with SyncInvoiceRecord.batch_write() as invoices:
            for key in change.delete_invoice_ids:
                invoices.delete(SyncInvoiceRecord(pk, f"{prefix}INV#{key}"))
            for invoice in change.put_invoices:
                invoices.save(self._invoice_record(pk, prefix, invoice))
        with SyncCustomerRecord.batch_write() as customers:
            for key in change.delete_customer_ids:
                customers.delete(SyncCustomerRecord(pk, f"{prefix}CUST#{key}"))
            for customer in change.put_customers:
                customers.save(
                    SyncCustomerRecord(
                        pk,
                        f"{prefix}CUST#{customer.customer_id}",
                        source=customer.source,
                        name=customer.name,
                        phone=customer.phone,
                        phone_problem=customer.phone_problem.value if customer.phone_problem else None,
                    )
                )

    @staticmethod
    def _move_cursor(org_id: str, connection_id: str, change: SnapshotChange, expected_version: int) -> bool:
        pk, sk = org_pk(org_id), _prefix(connection_id) + "CURSOR"
        try:
            record = SyncCursorRecord.get(pk, sk)
        except SyncCursorRecord.DoesNotExist:
            record = SyncCursorRecord(pk, sk)
        if int(record.version or 0) != expected_version:
            return False
        if change.cursor is not None:
            record.cursor = change.cursor
        if change.full_sweep_at is not None:
            record.full_sweep_at = change.full_sweep_at
        try:
            record.save()
        except PutError as exc:
            if conditional_failed(exc):
                return False
            raise
        return True

    @staticmethod
    def _invoice_record(pk: str, prefix: str, invoice: Invoice) -> SyncInvoiceRecord:
        return SyncInvoiceRecord(
            pk,
            f"{prefix}INV#{invoice.invoice_id}",
            source=invoice.source,
            number=invoice.number,
            customer_id=invoice.customer_id,
            customer_name=invoice.customer_name,
            due_date=invoice.due_date.isoformat(),
            amount_due=str(invoice.amount_due.amount),
            currency=invoice.amount_due.currency,
            status=invoice.status.value,
            payment_link=invoice.payment_link,
            issue_date=invoice.issue_date.isoformat() if invoice.issue_date else None,
            updated_at=invoice.updated_at,
        )

    @staticmethod
    def _invoice(connection_id: str, record: SyncInvoiceRecord) -> Invoice:
        return Invoice(
            source=record.source,
            connection_id=connection_id,
            invoice_id=record.sk.rsplit("#INV#", 1)[1],
            number=record.number,
            customer_id=record.customer_id,
            customer_name=record.customer_name,
            due_date=dt.date.fromisoformat(record.due_date),
            amount_due=Money(Decimal(record.amount_due), record.currency),
            status=InvoiceStatus(record.status),
            payment_link=record.payment_link,
            issue_date=dt.date.fromisoformat(record.issue_date) if record.issue_date else None,
            updated_at=record.updated_at,
        )

    @staticmethod
    def _customer(connection_id: str, record: SyncCustomerRecord) -> Customer:
        return Customer(
            source=record.source,
            connection_id=connection_id,
            customer_id=record.sk.rsplit("#CUST#", 1)[1],
            name=record.name,
            phone=record.phone,
            phone_problem=Reason(record.phone_problem) if record.phone_problem else None,
        )
