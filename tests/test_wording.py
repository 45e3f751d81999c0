from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from chalicelib.domain.models import Money, TemplateKind
from chalicelib.domain.wording import (
    OVERDUE_PARAMS,
    SINGLE_INVOICE_PARAMS,
    STATEMENT_PARAMS,
    body_parameters,
    format_days,
    format_due_date,
    format_money,
)
from tests.meta_support import make_invoice, make_message


@pytest.mark.parametrize(
    ("amount", "currency", "language", "expected"),
    [
        ("1250000", "IDR", "id", "Rp 1.250.000"),
        ("1250000.00", "IDR", "id", "Rp 1.250.000"),
        ("1250000.50", "IDR", "id", "Rp 1.250.000,50"),  # never show a rounded figure
        ("1480.50", "USD", "id", "US$1.480,50"),
        ("1480.5", "SGD", "id", "SGD 1.480,50"),
        ("1250000", "IDR", "en", "IDR 1,250,000"),
        ("1480.50", "USD", "en", "USD 1,480.50"),
        ("99", "MYR", "en", "MYR 99.00"),
        ("0.5", "USD", "en", "USD 0.50"),
    ],
)
def test_format_money(amount: str, currency: str, language: str, expected: str) -> None:
    assert format_money(Money(Decimal(amount), currency), language) == expected


def test_format_money_has_plain_spaces_only() -> None:
    text = format_money(Money(Decimal("1250000"), "IDR"), "id")
    assert "\u00a0" not in text and "\u202f" not in text


@pytest.mark.parametrize(
    ("date", "language", "expected"),
    [
        (dt.date(2026, 11, 30), "id", "30 November 2026"),
        (dt.date(2026, 8, 1), "id", "1 Agustus 2026"),
        (dt.date(2026, 5, 7), "id", "7 Mei 2026"),
        (dt.date(2026, 11, 30), "en", "30 November 2026"),
        (dt.date(2026, 8, 1), "en", "1 August 2026"),
    ],
)
def test_format_due_date(date: dt.date, language: str, expected: str) -> None:
    assert format_due_date(date, language) == expected


def test_unknown_language_is_rejected() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        format_money(Money(Decimal(1), "IDR"), "fr")


@pytest.mark.parametrize(
    ("days", "language", "expected"),
    [
        (1, "en", "1 day"),
        (2, "en", "2 days"),
        (30, "en", "30 days"),
        (1000, "en", "1,000 days"),
        (1, "id", "1 hari"),
        (3, "id", "3 hari"),
        (1000, "id", "1.000 hari"),
    ],
)
def test_format_days(days: int, language: str, expected: str) -> None:
    assert format_days(days, language) == expected


def test_overdue_parameters_in_indonesian() -> None:
    message = make_message(make_invoice(), kind=TemplateKind.OVERDUE, language="id")  # sent 7 days after due
    params = body_parameters(message, "CV Sumber Rejeki")
    assert params == {
        "customer_name": "PT Maju Jaya",
        "business_name": "CV Sumber Rejeki",
        "invoice_number": "INV-0112",
        "amount_due": "Rp 1.250.000",
        "due_date": "30 November 2026",
        "days_overdue": "7 hari",
    }
    assert tuple(params) == OVERDUE_PARAMS


def test_days_overdue_count_from_the_send_date() -> None:
    invoice = make_invoice(due=dt.date(2026, 11, 28))
    one = make_message(invoice, kind=TemplateKind.OVERDUE, language="en", on=dt.date(2026, 11, 29))
    two = make_message(invoice, kind=TemplateKind.OVERDUE, language="en", on=dt.date(2026, 11, 30))
    assert body_parameters(one, "X")["days_overdue"] == "1 day"
    assert body_parameters(two, "X")["days_overdue"] == "2 days"


def test_single_invoice_parameters_in_english() -> None:
    message = make_message(make_invoice(amount="1480.50", currency="USD"), kind=TemplateKind.PRE_DUE, language="en")
    params = body_parameters(message, "Harbourside Trading")
    assert tuple(params) == SINGLE_INVOICE_PARAMS
    assert params["amount_due"] == "USD 1,480.50"
    assert params["due_date"] == "30 November 2026"


@pytest.mark.parametrize(
    ("kind", "on", "true_kind"),
    [
        pytest.param(TemplateKind.DUE_TODAY, dt.date(2026, 12, 2), "overdue", id="due-today-2-days-late"),
        pytest.param(TemplateKind.DUE_TODAY, dt.date(2026, 11, 29), "pre_due", id="due-today-a-day-early"),
        pytest.param(TemplateKind.PRE_DUE, dt.date(2026, 11, 30), "due_today", id="pre-due-on-the-due-date"),
        pytest.param(TemplateKind.OVERDUE, dt.date(2026, 11, 30), "due_today", id="overdue-on-the-due-date"),
    ],
)
def test_words_that_would_be_false_on_the_send_date_are_refused(
    kind: TemplateKind, on: dt.date, true_kind: str
) -> None:
    message = make_message(make_invoice(due=dt.date(2026, 11, 30)), kind=kind, on=on)
    with pytest.raises(ValueError, match=f"would not be true on {on.isoformat()}: that day the message is {true_kind}"):
        body_parameters(message, "X")


def test_statement_parameters_sum_per_currency_and_pick_oldest_date() -> None:
    message = make_message(
        make_invoice("INV-1", "1000000", "IDR", dt.date(2026, 11, 2)),
        make_invoice("INV-2", "250.25", "USD", dt.date(2026, 11, 10)),
        make_invoice("INV-3", "500000", "IDR", dt.date(2026, 11, 20)),
        language="id",
    )
    params = body_parameters(message, "CV Sumber Rejeki")
    assert tuple(params) == STATEMENT_PARAMS
    assert params["invoice_count"] == "3"
    assert params["overdue_summary"] == "semuanya sudah lewat jatuh tempo"  # never "0 belum lewat jatuh tempo"
    assert params["total_due"] == "Rp 1.500.000 + US$250,25"
    assert params["oldest_due_date"] == "2 November 2026"


def test_statement_single_currency_in_english() -> None:
    message = make_message(
        make_invoice("INV-1", "1000000", due=dt.date(2026, 10, 31)),
        make_invoice("INV-2", "2500000", due=dt.date(2026, 11, 30)),
        language="en",
    )
    params = body_parameters(message, "Toko Abadi")
    assert params["total_due"] == "IDR 3,500,000"
    assert params["oldest_due_date"] == "31 October 2026"


def test_free_text_fields_are_made_safe_for_meta() -> None:
    # Meta rejects newlines, tabs and 5+ spaces in parameters; accounting names often contain them.
    message = make_message(make_invoice(number=" INV\t77 "), customer_name="  PT   Maju\nJaya  ")
    params = body_parameters(message, "CV  Sumber\tRejeki")
    assert params["customer_name"] == "PT Maju Jaya"
    assert params["business_name"] == "CV Sumber Rejeki"
    assert params["invoice_number"] == "INV 77"


def test_blank_customer_name_falls_back_politely() -> None:
    assert body_parameters(make_message(customer_name="  ", language="id"), "X")["customer_name"] == "Pelanggan"
    assert body_parameters(make_message(customer_name="", language="en"), "X")["customer_name"] == "Customer"


def test_long_names_are_shortened() -> None:
    params = body_parameters(make_message(customer_name="A" * 200), "B")
    assert len(params["customer_name"]) == 60
    assert params["customer_name"].endswith("…")


def test_statement_counts_overdue_and_not_yet_overdue_on_the_send_date() -> None:
    invoices = (
        make_invoice("INV-1", due=dt.date(2026, 11, 2)),
        make_invoice("INV-2", due=dt.date(2026, 11, 20)),
        make_invoice("INV-3", due=dt.date(2026, 11, 23)),  # due on the send date: not yet overdue
        make_invoice("INV-4", due=dt.date(2026, 11, 26)),
    )
    params = body_parameters(make_message(*invoices, on=dt.date(2026, 11, 23)), "X")
    assert (params["invoice_count"], params["overdue_summary"]) == ("4", "2 sudah lewat jatuh tempo, 2 belum")
