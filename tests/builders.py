"""Small builders of domain values for the storage contract and the unit tier (no I/O, no sandbox)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from chalicelib.domain.models import (
    TEMPLATE_NAMES,
    Consent,
    ConsentStatus,
    Customer,
    DueReminder,
    Invoice,
    InvoiceStatus,
    Money,
    OutgoingMessage,
    Reason,
    Stage,
    TemplateKind,
    TemplateRef,
)

UTC = dt.UTC
CONN = "xero:tenant-1"
# Tuesday 24 Nov 2026, 10:00 in Jakarta (UTC+7): inside the default send window.
TUESDAY_10_JKT = dt.datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
TODAY = dt.date(2026, 11, 24)


def new_org() -> str:
    """A fresh organisation id: the DynamoDB table is shared by every test of the session."""
    return f"org-{uuid.uuid4().hex[:12]}"


def invoice(
    invoice_id: str = "INV-1",
    *,
    customer_id: str = "C1",
    due: dt.date = TODAY - dt.timedelta(days=10),
    amount: str = "1250000",
    currency: str = "IDR",
    status: InvoiceStatus = InvoiceStatus.OPEN,
    connection_id: str = CONN,
    source: str = "xero",
    payment_link: str | None = None,
) -> Invoice:
    return Invoice(
        source=source,
        connection_id=connection_id,
        invoice_id=invoice_id,
        number=f"No-{invoice_id}",
        customer_id=customer_id,
        customer_name=f"Customer {customer_id}",
        due_date=due,
        amount_due=Money(Decimal(amount), currency),
        status=status,
        payment_link=payment_link,
    )


def customer(
    customer_id: str = "C1",
    phone: str | None = "+6281200000001",
    *,
    connection_id: str = CONN,
    phone_problem: Reason | None = None,
    source: str = "xero",
) -> Customer:
    return Customer(
        source=source,
        connection_id=connection_id,
        customer_id=customer_id,
        name=f"Customer {customer_id}",
        phone=phone,
        phone_problem=phone_problem,
    )


def consent(
    org_id: str,
    phone: str,
    status: ConsentStatus = ConsentStatus.OPTED_IN,
    *,
    at: dt.datetime = dt.datetime(2026, 1, 5, 2, 0, tzinfo=UTC),
    source: str = "signed_form",
    evidence: str = "Setuju menerima pengingat tagihan via WhatsApp",
) -> Consent:
    return Consent(org_id=org_id, phone=phone, status=status, source=source, evidence=evidence, captured_at=at)


def message(
    phone: str,
    *invoices: Invoice,
    stage: int = 7,
    on: dt.date = TODAY,
    kind: TemplateKind = TemplateKind.OVERDUE,
) -> OutgoingMessage:
    """What the policy would plan: one message to `phone` about these invoices at this stage."""
    invoices = invoices or (invoice(),)
    return OutgoingMessage(
        phone=phone,
        customer_name="PT Maju Jaya",
        reminders=tuple(DueReminder(invoice=i, stage=Stage(stage)) for i in invoices),
        template=TemplateRef(TEMPLATE_NAMES[TemplateKind.STATEMENT if len(invoices) > 1 else kind], "id"),
        send_date=on,
    )
