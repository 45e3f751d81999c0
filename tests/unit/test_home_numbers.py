"""The home page's numbers and words as pure functions: aged totals, the month's messages, money paid after a
reminder, and internal values (stages, templates, cycle summaries, dates) in the owner's language."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from chalicelib.domain.aging import BUCKET_NAMES, age_invoices, bucket_of
from chalicelib.domain.home import (
    count_messages,
    cycle_counts,
    ever_delivered,
    reminded_in_month,
    settled_after_reminder,
    stage_offset,
)
from chalicelib.domain.models import Invoice, InvoiceStatus, LedgerState, Money, Stage
from chalicelib.domain.records import MessageEntry
from chalicelib.web.render import cycle_words, local_date, local_when, stage_words, template_words

TODAY = dt.date(2026, 11, 24)


def invoice(number: str, *, late: int, amount: str, currency: str = "IDR", status: str = "open") -> Invoice:
    return Invoice(
        source="xero",
        connection_id="xero:t1",
        invoice_id=f"id-{number}",
        number=number,
        customer_id="c1",
        customer_name="Budi",
        due_date=TODAY - dt.timedelta(days=late),
        amount_due=Money(Decimal(amount), currency),
        status=InvoiceStatus(status),
    )


@pytest.mark.parametrize(
    ("late", "bucket"),
    [
        (-30, "not_due"),
        (0, "not_due"),
        (1, "days_1_30"),
        (30, "days_1_30"),
        (31, "days_31_60"),
        (60, "days_31_60"),
        (61, "days_61_90"),
        (90, "days_61_90"),
        (91, "days_over_90"),
        (4000, "days_over_90"),
    ],
)
def test_bucket_edges(late: int, bucket: str) -> None:
    assert bucket_of(late) == bucket


def test_aged_totals_are_exact_per_currency_and_skip_what_is_not_owed() -> None:
    aged = age_invoices(
        [
            invoice("1", late=4, amount="1250000.50"),
            invoice("2", late=0, amount="800000"),  # due today: not overdue, due soon
            invoice("3", late=-7, amount="100"),  # due in a week: due soon
            invoice("4", late=-8, amount="7"),  # not soon
            invoice("5", late=45, amount="0.10"),
            invoice("6", late=95, amount="0.20"),
            invoice("7", late=10, amount="999", status="paid"),
            invoice("8", late=10, amount="0"),
            invoice("9", late=70, amount="10.25", currency="USD"),
        ],
        TODAY,
    )
    assert [a.currency for a in aged] == ["IDR", "USD"]  # biggest overdue first; never added together
    idr, usd = aged
    assert dict(idr.buckets) == {
        "not_due": Decimal("800107"),
        "days_1_30": Decimal("1250000.50"),
        "days_31_60": Decimal("0.10"),
        "days_61_90": Decimal(0),
        "days_over_90": Decimal("0.20"),
    }
    assert [name for name, _ in idr.buckets] == list(BUCKET_NAMES)
    assert (idr.overdue, idr.overdue_invoices) == (Decimal("1250000.80"), 3)
    assert (idr.due_soon, idr.due_soon_invoices) == (Decimal("800100"), 2)
    assert idr.total == Decimal("2050107.80")
    assert (usd.overdue, usd.bucket("days_61_90"), usd.due_soon) == (Decimal("10.25"), Decimal("10.25"), 0)
    assert age_invoices([], TODAY) == ()


def message(day: dt.date, state: LedgerState, delivery: str | None = None) -> MessageEntry:
    return MessageEntry(
        message_key=f"MSG#{day}#+62812",
        phone="+62812",
        local_date=day,
        state=state,
        connection_id="xero:t1",
        ledger_keys=(),
        template="lunas_invoice_overdue",
        language="id",
        claimed_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        delivery=delivery,
    )


def test_the_months_messages_are_counted_by_local_date() -> None:
    nov, oct_ = dt.date(2026, 11, 3), dt.date(2026, 10, 31)
    messages = [
        message(nov, LedgerState.SENT),
        message(nov, LedgerState.SENT, "delivered"),
        message(nov, LedgerState.SENT, "read"),
        message(nov, LedgerState.SENT, "failed"),
        message(nov, LedgerState.FAILED),
        message(nov, LedgerState.CLAIMED),
        message(oct_, LedgerState.SENT, "read"),  # last month
    ]
    month = count_messages(messages, "2026-11")
    assert (month.sent, month.delivered, month.read, month.failed, month.unconfirmed) == (3, 2, 1, 2, 1)
    assert count_messages(messages, "2026-12").total == 0
    assert ever_delivered(messages) and not ever_delivered(messages[:1] + messages[4:6])


def test_reminded_this_month_are_the_invoices_of_the_months_accepted_messages() -> None:
    nov, oct_ = dt.date(2026, 11, 1), dt.date(2026, 10, 31)  # local dates, as claimed in the organisation's zone

    def sent(day: dt.date, state: LedgerState, *keys: str) -> MessageEntry:
        return dataclasses.replace(message(day, state), ledger_keys=keys)

    messages = [
        sent(nov, LedgerState.SENT, "xero:t1#a#d+3", "xero:t1#b#d0"),  # a statement: two invoices
        sent(nov, LedgerState.SENT, "qbo:r#a#d+7"),
        sent(oct_, LedgerState.SENT, "xero:t1#c#d+3"),
        sent(nov, LedgerState.FAILED, "xero:t1#d#d+3"),
        sent(nov, LedgerState.CLAIMED, "xero:t1#e#d+3"),
        dataclasses.replace(sent(nov, LedgerState.SENT, "xero:t1#f#d+3"), delivery="failed"),
    ]
    assert reminded_in_month(messages, "2026-11") == {("xero:t1", "a"), ("xero:t1", "b"), ("qbo:r", "a")}
    assert reminded_in_month(messages, "2026-10") == {("xero:t1", "c")}


def test_settled_after_reminder_counts_only_what_was_paid() -> None:
    idr = lambda amount: Money(Decimal(amount), "IDR")  # noqa: E731
    reminded = [("xero:t1", i) for i in ("open", "gone", "paid-hook", "voided", "no-balance")] + [("qbo:r", "x")]
    settled = settled_after_reminder(
        reminded,
        still_open={("xero:t1", "open"), ("xero:t1", "paid-hook")},  # the webhook came before the sync
        synced_connections={"xero:t1"},  # qbo:r was disconnected: Lunas cannot tell
        closures={("xero:t1", "paid-hook"): "paid", ("xero:t1", "voided"): "voided"},
        balances={
            ("xero:t1", "open"): idr("5"),
            ("xero:t1", "gone"): idr("1250000"),
            ("xero:t1", "paid-hook"): idr("800000"),
            ("xero:t1", "voided"): idr("9"),
            ("qbo:r", "x"): idr("9"),
        },
    )
    assert settled.invoices == 2
    assert settled.amounts == (idr("2050000"),)


@pytest.mark.parametrize(
    ("key", "en", "id_"),
    [
        ("d+20", "20 days after the due date", "20 hari setelah jatuh tempo"),
        ("d-1", "1 day before the due date", "1 hari sebelum jatuh tempo"),
        ("d0", "on the due date", "pada hari jatuh tempo"),
        ("zz", "a reminder", "sebuah pengingat"),
    ],
)
def test_stages_in_words(key: str, en: str, id_: str) -> None:
    assert (stage_words(key, "en"), stage_words(key, "id")) == (en, id_)
    if key.startswith("d"):
        assert stage_offset(Stage(stage_offset(key) or 0).key) == stage_offset(key)


def test_templates_cycles_and_dates_in_words() -> None:
    assert template_words("lunas_invoice_due_today", "en", "en") == "Reminder on the due date (English)"
    assert template_words("lunas_invoice_overdue", "id", "id") == "Pengingat setelah jatuh tempo (Bahasa Indonesia)"
    summary = "already_sent=4, invalid_phone=1, no_consent=3"
    assert cycle_counts(summary) == (("already_sent", 4), ("invalid_phone", 1), ("no_consent", 3))
    words = cycle_words(summary, "en")
    assert words.startswith("8 invoices checked.") and "No consent recorded: 3" in words
    assert "=" not in words and "_" not in words
    assert "Belum ada persetujuan: 3" in cycle_words(summary, "id") or "persetujuan" in cycle_words(summary, "id")
    assert cycle_words("no open invoices", "id") == "Tidak ada tagihan terbuka untuk diperiksa."
    assert "connect it again" in cycle_words("reconnect needed: the accounting system refused", "en")
    assert cycle_counts("accounting API limit reached (x); retrying after 60 s") is None
    assert local_date(dt.date(2026, 11, 24), "en") == "24 Nov 2026"
    assert local_date("2026-12-24", "id") == "24 Des 2026"
    assert local_date(dt.date(2026, 8, 1), "id") == "1 Agu 2026"


def test_when_shows_a_localised_date_and_time_in_the_organisations_zone() -> None:
    instant = dt.datetime(2026, 12, 24, 3, 5, tzinfo=dt.UTC)
    assert local_when(instant, "en", "Asia/Jakarta") == "24 Dec 2026 10:05"
    assert local_when(instant, "id", "Asia/Makassar") == "24 Des 2026 11:05"
