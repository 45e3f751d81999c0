"""The latest decision per invoice: what the owner sees next to each invoice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from chalicelib.domain import retention
from chalicelib.domain.models import Decision, Money, Reason
from chalicelib.domain.notes import Note
from chalicelib.domain.records import InvoiceView
from chalicelib.storage.schema import InvoiceViewRecord, org_pk


def _sk(connection_id: str, invoice_id: str) -> str:
    return f"INVOICE#{connection_id}#{invoice_id}"


class DynamoDecisionLog:
    def save_decisions(self, org_id: str, decisions: Sequence[Decision], at: dt.datetime) -> None:
        with InvoiceViewRecord.batch_write() as batch:
            for d in decisions:
                inv = d.invoice
                batch.save(
                    InvoiceViewRecord(
                        org_pk(org_id),
                        _sk(inv.connection_id, inv.invoice_id),
                        number=inv.number,
                        customer_name=inv.customer_name,
                        due_date=inv.due_date.isoformat(),
                        amount_due=str(inv.amount_due.amount),
                        currency=inv.amount_due.currency,
                        reason=d.reason.value,
                        stage=d.stage.key if d.stage else None,
                        detail=d.detail,
                        note=d.note.to_json() if d.note else None,
                        decided_at=at,
                        expires_at=retention.INVOICE_VIEW.until(at),  # rewritten every cycle while it is open
                    )
                )

    def save_closed(self, org_id: str, decisions: Sequence[Decision], at: dt.datetime) -> None:
        """One UpdateItem per invoice (a webhook closes a few): the balance and currency are set only where none is
        stored yet (`if_not_exists`), so the last open balance stays."""
        view = InvoiceViewRecord
        for d in decisions:
            inv = d.invoice
            view(org_pk(org_id), _sk(inv.connection_id, inv.invoice_id)).update(
                actions=[
                    view.number.set(inv.number),
                    view.customer_name.set(inv.customer_name),
                    view.due_date.set(inv.due_date.isoformat()),
                    view.amount_due.set(view.amount_due | str(inv.amount_due.amount)),
                    view.currency.set(view.currency | inv.amount_due.currency),
                    view.reason.set(d.reason.value),
                    view.stage.remove() if d.stage is None else view.stage.set(d.stage.key),
                    view.detail.set(d.detail),
                    view.note.remove() if d.note is None else view.note.set(d.note.to_json()),
                    view.decided_at.set(at),
                    view.expires_at.set(retention.INVOICE_VIEW.until(at)),
                ]
            )

    def for_org(self, org_id: str) -> list[InvoiceView]:
        """Every invoice's latest decision, by connection and invoice id."""
        records = InvoiceViewRecord.query(org_pk(org_id), InvoiceViewRecord.sk.startswith("INVOICE#"))
        return [_to_domain(r) for r in records]


def _to_domain(record: InvoiceViewRecord) -> InvoiceView:
    connection_id, _, invoice_id = record.sk.removeprefix("INVOICE#").rpartition("#")
    return InvoiceView(
        connection_id=connection_id,
        invoice_id=invoice_id,
        number=record.number,
        customer_name=record.customer_name,
        due_date=dt.date.fromisoformat(record.due_date),
        amount_due=Money(Decimal(record.amount_due), record.currency),
        reason=Reason(record.reason),
        stage=record.stage,
        detail=record.detail,
        note=Note.from_json(record.note),
        decided_at=record.decided_at,
    )
