"""Planning a cycle of 10,000 invoices, against `json.loads` of the same invoices as Xero's pages carry them.

The policy (`domain/policy.plan_cycle`) is pure Python over domain objects; the yardstick is the least any cycle must
do with that many invoices: parse Xero's JSON. Both are timed in this process, best of several runs.

    python -m bench.planning [--invoices 10000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import timeit
from decimal import Decimal
from typing import Any

CUSTOMERS_PER_INVOICE = 0.2


def _xero_page(invoices: int, customers: int, today: dt.date) -> str:
    """Xero's Invoices page (https://developer.xero.com/documentation/api/accounting/invoices): what Lunas reads."""
    rows = [
        {
            "Type": "ACCREC",
            "InvoiceID": f"00000000-0000-0000-0000-{i:012d}",
            "InvoiceNumber": f"INV-{i:06d}",
            "Contact": {
                "ContactID": f"10000000-0000-0000-0000-{i % customers:012d}",
                "Name": f"Customer {i % customers}",
            },
            "DateString": f"{(today - dt.timedelta(days=40 + i % 30)).isoformat()}T00:00:00",
            "DueDateString": f"{(today - dt.timedelta(days=10 + i % 30)).isoformat()}T00:00:00",
            "Status": "AUTHORISED",
            "LineAmountTypes": "Exclusive",
            "SubTotal": 1250000.0,
            "TotalTax": 0.0,
            "Total": 1250000.0,
            "AmountDue": 1250000.0,
            "AmountPaid": 0.0,
            "CurrencyCode": "IDR",
            "UpdatedDateUTC": "/Date(1764547200000+0000)/",
            "LineItems": [
                {
                    "LineItemID": f"20000000-0000-0000-0000-{i * 2 + n:012d}",
                    "Description": "Kopi arabika 1 kg" if n else "Ongkos kirim",
                    "Quantity": 10.0 if n else 1.0,
                    "UnitAmount": 120000.0 if n else 50000.0,
                    "AccountCode": "200",
                    "TaxType": "OUTPUT",
                    "TaxAmount": 0.0,
                    "LineAmount": 1200000.0 if n else 50000.0,
                    "Tracking": [],
                }
                for n in range(2)
            ],
            "Payments": [],
            "CreditNotes": [],
            "HasAttachments": False,
            "Reference": f"PO-{i:05d}",
        }
        for i in range(invoices)
    ]
    return json.dumps({"Id": "bench", "Status": "OK", "Invoices": rows})


def _facts(invoices: int, customers: int, now: dt.datetime) -> Any:
    from chalicelib.domain.models import (
        TEMPLATE_NAMES,
        Consent,
        ConsentStatus,
        Customer,
        CycleFacts,
        Invoice,
        InvoiceStatus,
        Money,
        ReminderSettings,
        TemplateRef,
    )

    today = now.date()
    conn = "xero:bench"
    people = [
        Customer(source="xero", connection_id=conn, customer_id=f"c{k}", name=f"Customer {k}", phone=f"+62812{k:08d}")
        for k in range(customers)
    ]
    bills = tuple(
        Invoice(
            source="xero",
            connection_id=conn,
            invoice_id=f"i{i}",
            number=f"INV-{i:06d}",
            customer_id=f"c{i % customers}",
            customer_name=f"Customer {i % customers}",
            issue_date=today - dt.timedelta(days=40 + i % 30),
            due_date=today - dt.timedelta(days=10 + i % 30),
            amount_due=Money(Decimal("1250000"), "IDR"),
            status=InvoiceStatus.OPEN,
        )
        for i in range(invoices)
    )
    consents = {
        p.phone: Consent(
            org_id="bench",
            phone=p.phone,
            status=ConsentStatus.OPTED_IN,
            source="signed_form",
            evidence="bench",
            captured_at=now - dt.timedelta(days=60),
        )
        for p in people
        if p.phone
    }
    return CycleFacts(
        now=now,
        settings=ReminderSettings(org_id="bench", business_name="Bench"),
        invoices=bills,
        customers={(c.connection_id, c.customer_id): c for c in people},
        consents=consents,
        ledger={},
        approved_templates=frozenset(TemplateRef(n, lang) for n in TEMPLATE_NAMES.values() for lang in ("id", "en")),
    )


def measure(invoices: int = 10_000, repeat: int = 5) -> tuple[float, float]:
    """(seconds to plan, seconds to json.loads the pages), best of `repeat`."""
    from chalicelib.domain import policy

    now = dt.datetime(2026, 11, 24, 3, 0, tzinfo=dt.UTC)
    customers = max(int(invoices * CUSTOMERS_PER_INVOICE), 1)
    facts = _facts(invoices, customers, now)
    pages = [_xero_page(1000, customers, now.date()) for _ in range(max(invoices // 1000, 1))]
    plan = min(timeit.repeat(lambda: policy.plan_cycle(facts), number=1, repeat=repeat))
    parse = min(timeit.repeat(lambda: [json.loads(p) for p in pages], number=1, repeat=repeat))
    return plan, parse


def rows(invoices: int = 10_000) -> list[tuple[str, str, str]]:
    plan, parse = measure(invoices)
    return [
        (
            f"planning {invoices:,} invoices vs json.loads of their pages",
            f"{plan * 1000:.0f} ms vs {parse * 1000:.0f} ms ({plan / parse:.2f}x)",
            "about the cost of reading them",
        )
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.planning", description=__doc__.split("\n\n")[0])
    parser.add_argument("--invoices", type=int, default=10_000)
    args = parser.parse_args(argv)
    for measure_, value, target in rows(args.invoices):
        print(f"{measure_:<60} {value:>30}   {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
