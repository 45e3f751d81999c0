"""Aged receivables: how much is owed per currency, split by how long past the due date it is.

Pure and exact (Decimal, never float), so the home page's totals are the sums of the open invoices' balances to the
last rupiah. Days are counted in the organisation's own calendar (`today` is its local date): an invoice due today
is not overdue yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from chalicelib.domain.models import Invoice, InvoiceStatus

# (bucket name, first day overdue, last day overdue); "not_due" holds everything due today or later.
BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("days_1_30", 1, 30),
    ("days_31_60", 31, 60),
    ("days_61_90", 61, 90),
    ("days_over_90", 91, None),
)
BUCKET_NAMES: tuple[str, ...] = ("not_due", *(name for name, _, _ in BUCKETS))
DUE_SOON_DAYS = 7  # "due soon": due today or within the next week


@dataclass(frozen=True, slots=True, kw_only=True)
class CurrencyAging:
    """One currency's open balances: totals per bucket (`BUCKET_NAMES` order), overdue and due soon."""

    currency: str
    buckets: tuple[tuple[str, Decimal], ...]
    overdue: Decimal
    overdue_invoices: int
    due_soon: Decimal
    due_soon_invoices: int
    total: Decimal

    def bucket(self, name: str) -> Decimal:
        return dict(self.buckets)[name]


def bucket_of(days_overdue: int) -> str:
    """The bucket of an invoice `days_overdue` days past its due date (0 or less: not due yet)."""
    for name, first, last in BUCKETS:
        if days_overdue >= first and (last is None or days_overdue <= last):
            return name
    return "not_due"


def age_invoices(
    invoices: Iterable[Invoice], today: dt.date, *, due_soon_days: int = DUE_SOON_DAYS
) -> tuple[CurrencyAging, ...]:
    """Open invoices with a balance, aged on `today`; one entry per currency, the biggest overdue amount first.

    Paid, voided and zero-balance invoices count for nothing (they are not owed). Currencies are never added together.
    """
    sums: dict[str, dict[str, Decimal]] = {}
    counts: dict[str, list[int]] = {}
    for invoice in invoices:
        if invoice.status is not InvoiceStatus.OPEN or invoice.amount_due.amount <= 0:
            continue
        currency = invoice.amount_due.currency.upper()
        amount = invoice.amount_due.amount
        days = (today - invoice.due_date).days
        totals = sums.setdefault(currency, {name: Decimal(0) for name in (*BUCKET_NAMES, "due_soon")})
        count = counts.setdefault(currency, [0, 0])
        totals[bucket_of(days)] += amount
        if days > 0:
            count[0] += 1
        elif -days <= due_soon_days:
            totals["due_soon"] += amount
            count[1] += 1
    result = [
        CurrencyAging(
            currency=currency,
            buckets=tuple((name, totals[name]) for name in BUCKET_NAMES),
            overdue=sum((totals[name] for name, _, _ in BUCKETS), Decimal(0)),
            overdue_invoices=counts[currency][0],
            due_soon=totals["due_soon"],
            due_soon_invoices=counts[currency][1],
            total=sum((totals[name] for name in BUCKET_NAMES), Decimal(0)),
        )
        for currency, totals in sums.items()
    ]
    return tuple(sorted(result, key=lambda a: (-a.overdue, -a.total, a.currency)))
