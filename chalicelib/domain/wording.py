"""How amounts, dates and names read inside a WhatsApp template, per template language.

Pure functions (Babel, no I/O), so the exact text a customer sees is unit-tested and the same in the worker, the
preview and the sandbox. The keys of `body_parameters` are the named parameters the templates under
`templates/whatsapp/` declare; tests/test_templates.py keeps the two in step.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency

from chalicelib.domain.models import Money, OutgoingMessage

SINGLE_INVOICE_PARAMS: tuple[str, ...] = ("customer_name", "business_name", "invoice_number", "amount_due", "due_date")
STATEMENT_PARAMS: tuple[str, ...] = ("customer_name", "business_name", "invoice_count", "total_due", "oldest_due_date")

# Template language -> Babel locale. English keeps Babel's neutral "en" separators (1,250,000.50).
_LOCALES = {"id": "id_ID", "en": "en"}
# Currencies written without minor units in the customer's language, when the amount is whole.
_WHOLE_UNIT_CURRENCIES = frozenset({"IDR"})
# Meta rejects parameters with newlines, tabs or long runs of spaces; names come from free-text accounting fields.
_MAX_NAME_LENGTH = 60
_FALLBACK_CUSTOMER = {"id": "Pelanggan", "en": "Customer"}
# A letter directly before a digit ("Rp1.250.000", "IDR1,250,000") reads badly; "$1,480.50" does not.
_SYMBOL_THEN_DIGIT = re.compile(r"([A-Za-z])(\d)")


def _locale(language: str) -> str:
    try:
        return _LOCALES[language]
    except KeyError:
        raise ValueError(f"unsupported template language {language!r}") from None


def format_money(money: Money, language: str) -> str:
    """`Rp 1.250.000` / `US$1.480,50` in Indonesian; `IDR 1,250,000` / `USD 1,480.50` in English.

    English uses ISO codes: "$" alone is ambiguous for customers across South-East Asia (SGD, AUD, USD...).
    A rupiah amount with a fraction keeps its decimals rather than show the customer a rounded figure.
    """
    locale = _locale(language)
    currency = money.currency.upper()
    whole = money.amount == money.amount.to_integral_value()
    pattern = "¤¤#,##0.00" if language == "en" else "¤#,##0.00"
    if currency in _WHOLE_UNIT_CURRENCIES and whole:
        text = format_currency(
            money.amount, currency, format=pattern.replace("0.00", "0"), locale=locale, currency_digits=False
        )
    else:
        text = format_currency(money.amount, currency, format=pattern, locale=locale)
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    return _SYMBOL_THEN_DIGIT.sub(r"\1 \2", text, count=1)


def format_due_date(date: dt.date, language: str) -> str:
    """`30 November 2026` (en) / `1 Agustus 2026` (id): day-month-year reads the same way across the region."""
    return str(format_date(date, "d MMMM y", locale=_locale(language)))


def _clean(text: str, *, limit: int | None = None) -> str:
    cleaned = " ".join(text.split())
    if limit is not None and len(cleaned) > limit:
        cleaned = cleaned[: limit - 1].rstrip() + "…"
    return cleaned


def _totals(amounts: list[Money]) -> list[Money]:
    """Per-currency sums, in order of first appearance (reminders come oldest first)."""
    sums: dict[str, Decimal] = {}
    for money in amounts:
        sums[money.currency] = sums.get(money.currency, Decimal(0)) + money.amount
    return [Money(amount, currency) for currency, amount in sums.items()]


def body_parameters(message: OutgoingMessage, business_name: str) -> dict[str, str]:
    """The named body parameters of `message`'s template, formatted in its language."""
    if not message.reminders:
        raise ValueError("an outgoing message needs at least one reminder")
    language = message.template.language
    _locale(language)
    params = {
        "customer_name": _clean(message.customer_name, limit=_MAX_NAME_LENGTH) or _FALLBACK_CUSTOMER[language],
        "business_name": _clean(business_name, limit=_MAX_NAME_LENGTH),
    }
    invoices = [reminder.invoice for reminder in message.reminders]
    if not message.is_statement:
        invoice = invoices[0]
        params["invoice_number"] = _clean(invoice.number, limit=_MAX_NAME_LENGTH) or "-"
        params["amount_due"] = format_money(invoice.amount_due, language)
        params["due_date"] = format_due_date(invoice.due_date, language)
        return params
    params["invoice_count"] = str(len(invoices))
    params["total_due"] = " + ".join(
        format_money(total, language) for total in _totals([i.amount_due for i in invoices])
    )
    params["oldest_due_date"] = format_due_date(min(i.due_date for i in invoices), language)
    return params
