"""The latest decision per invoice (what the owner sees) and each invoice's reminder timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from chalicelib.domain.models import (
    Decision,
)
from chalicelib.storage.schema import ConsentRecord, InvoiceViewRecord, LedgerRecord, MessageRecord, org_pk


class DynamoDecisionLog:
    def save_decisions(self, org_id: str, decisions: Sequence[Decision], at: dt.datetime) -> None:
        with InvoiceViewRecord.batch_write() as batch:
            for d in decisions:
                inv = d.invoice
                batch.save(
                    InvoiceViewRecord(
                        org_pk(org_id),
                        f"INVOICE#{inv.connection_id}#{inv.invoice_id}",
                        number=inv.number,
                        customer_name=inv.customer_name,
                        due_date=inv.due_date.isoformat(),
                        amount_due=str(inv.amount_due.amount),
                        currency=inv.amount_due.currency,
                        reason=d.reason.value,
                        stage=d.stage.key if d.stage else None,
                        detail=d.detail,
                        decided_at=at,
                    )
                )

    def for_org(self, org_id: str) -> list[InvoiceViewRecord]:
        return list(InvoiceViewRecord.query(org_pk(org_id), InvoiceViewRecord.sk.startswith("INVOICE#")))


class DynamoTimeline:
    """Reads for the invoice timeline and the customers page (all under the organisation's partition)."""

    def ledger(self, org_id: str) -> list[LedgerRecord]:
        return list(LedgerRecord.query(org_pk(org_id), LedgerRecord.sk.startswith("LEDGER#")))

    def messages(self, org_id: str) -> list[MessageRecord]:
        return list(MessageRecord.query(org_pk(org_id), MessageRecord.sk.startswith("MSG#")))

    def consents(self, org_id: str) -> list[ConsentRecord]:
        return list(ConsentRecord.query(org_pk(org_id), ConsentRecord.sk.startswith("CONSENT#")))
