"""Amounts as people type them (chalicelib/domain/amounts.py): examples from owners, and properties over any amount
formatted the way Babel writes it in either language, with or without a currency mark."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.amounts import AmountRefused, parse_amount
from chalicelib.domain.models import Money


@pytest.mark.parametrize("locale", ["id", "en"])
@pytest.mark.parametrize("typed", ["Rp 50.000", "50.000", "50,000.00", "IDR 50000", "Rp50.000", "50.000 IDR", "50 000"])
def test_the_ways_people_write_fifty_thousand_rupiah(typed: str, locale: str) -> None:
    assert parse_amount(typed, locale=locale) == Money(Decimal("50000"), "IDR")


def test_the_currency_comes_from_the_text_or_the_row() -> None:
    assert parse_amount("USD 10", locale="en") == Money(Decimal("10"), "USD")
    assert parse_amount("S$ 12.50", locale="en") == Money(Decimal("12.50"), "SGD")
    assert parse_amount("RM 20", locale="id") == Money(Decimal("20"), "MYR")
    assert parse_amount("12.50", locale="en", currency="SGD") == Money(Decimal("12.50"), "SGD")
    assert parse_amount("$ 5", locale="en", currency="AUD") == Money(Decimal("5"), "AUD")


def test_decimals_are_read_in_the_page_language_first() -> None:
    assert parse_amount("1,5", locale="id", currency="USD").amount == Decimal("1.5")
    assert parse_amount("1.5", locale="en", currency="USD").amount == Decimal("1.5")
    assert parse_amount("Rp 1.000.000,50", locale="en").amount == Decimal("1000000.50")


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("", "format"),
        ("Rp", "format"),
        ("lima puluh ribu", "format"),
        ("50.00.0,0", "format"),
        ("-50000", "negative"),
        ("XYZW 5", "currency"),
        ("ABC 5", "currency"),
        ("Rp 50.000 IDR", "format"),
        ("9" * 16, "too_large"),
        ("1" * 41, "too_large"),
    ],
)
def test_what_is_not_an_amount_says_why(typed: str, problem: str) -> None:
    with pytest.raises(AmountRefused) as refused:
        parse_amount(typed, locale="id")
    assert refused.value.problem == problem


amounts = st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2, allow_nan=False)


@given(
    amount=amounts,
    written_in=st.sampled_from(["id", "en"]),
    page=st.sampled_from(["id", "en"]),
    grouped=st.booleans(),
    mark=st.sampled_from(["", "Rp ", "Rp", "IDR ", " IDR"]),
)
def test_any_amount_written_in_either_language_reads_back(
    amount: Decimal, written_in: str, page: str, grouped: bool, mark: str
) -> None:
    number = format_decimal(amount, format="#,##0.##", locale=written_in, group_separator=grouped)
    typed = f"{number}{mark}" if mark.startswith(" ") else f"{mark}{number}"
    read = parse_amount(typed, locale=page)
    assert read.currency == "IDR" and read.amount == amount


@given(text=st.text(max_size=60))
def test_any_text_is_an_amount_or_refused_never_a_crash(text: str) -> None:
    try:
        read = parse_amount(text, locale="id")
    except AmountRefused:
        return
    assert read.amount >= 0 and len(read.currency) == 3
