"""How amounts, dates and names read inside a WhatsApp template, per template language.

Pure functions (Babel, no I/O), so the exact text a customer sees is unit-tested and the same in the worker, the
preview and the sandbox. The keys of `body_parameters` are the named parameters the templates under
`templates/whatsapp/` declare (`PARAMS`); tests/test_templates.py keeps the two in step.

Words are true on the message's `send_date`: days overdue and the statement's overdue / not-overdue counts are
counted from it, and `body_parameters` refuses a template that `policy.message_kind_on` would not pick that day.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency
from babel.units import format_unit

from chalicelib.domain.models import TEMPLATE_NAMES, Money, OutgoingMessage, TemplateKind
from chalicelib.domain.policy import days_overdue, message_kind_on, template_kind_on

# Named body parameters per template kind (each language's body may use them in its own order).
SINGLE_INVOICE_PARAMS: tuple[str, ...] = ("customer_name", "business_name", "invoice_number", "amount_due", "due_date")
OVERDUE_PARAMS: tuple[str, ...] = (*SINGLE_INVOICE_PARAMS, "days_overdue")
STATEMENT_PARAMS: tuple[str, ...] = (
    "customer_name",
    "business_name",
    "invoice_count",
    "total_due",
    "overdue_summary",  # how many are past their due date on the send date, in words (`format_overdue_summary`)
    "oldest_due_date",
)
PARAMS: dict[TemplateKind, tuple[str, ...]] = {
    TemplateKind.PRE_DUE: SINGLE_INVOICE_PARAMS,
    TemplateKind.DUE_TODAY: SINGLE_INVOICE_PARAMS,
    TemplateKind.OVERDUE: OVERDUE_PARAMS,
    TemplateKind.STATEMENT: STATEMENT_PARAMS,
}
_KIND_BY_NAME = {name: kind for kind, name in TEMPLATE_NAMES.items()}

# Template language -> Babel locale. English keeps Babel's neutral "en" separators (1,250,000.50). The Lambda
# package ships only these locales' data (`babel_locales`); the test session has no other (tests/conftest.py).
LOCALES = {"id": "id_ID", "en": "en"}
# Currencies written without minor units in the customer's language, when the amount is whole.
_WHOLE_UNIT_CURRENCIES = frozenset({"IDR"})
# Meta rejects parameters with newlines, tabs or long runs of spaces; names come from free-text accounting fields.
_MAX_NAME_LENGTH = 60
_FALLBACK_CUSTOMER = {"id": "Pelanggan", "en": "Customer"}
# A letter directly before a digit ("Rp1.250.000", "IDR1,250,000") reads badly; "$1,480.50" does not.
_SYMBOL_THEN_DIGIT = re.compile(r"([A-Za-z])(\d)")


# The statement's split of overdue and not-yet-due invoices: "0 belum lewat jatuh tempo" reads as a mistake.
_OVERDUE_SUMMARY = {
    "en": ("all overdue", "none overdue yet", "{overdue} overdue, {not_yet} not yet due"),
    "id": (
        "semuanya sudah lewat jatuh tempo",
        "belum ada yang lewat jatuh tempo",
        "{overdue} sudah lewat jatuh tempo, {not_yet} belum",
    ),
}


def _locale(language: str) -> str:
    try:
        return LOCALES[language]
    except KeyError:
        raise ValueError(f"unsupported template language {language!r}") from None


def babel_locales() -> frozenset[str]:
    """Every Babel locale Lunas loads: each template language's locale and the ones it inherits from, up to `root`.

    Babel merges a locale's data over its parent's (`id_ID` over `id` over `root`), so all of them must ship; the
    Lambda package ships only these (`countries.py` reads country names in `en` and `id`, which are among them).
    """
    from babel.core import get_global

    needed: set[str] = set()
    for locale in LOCALES.values():
        name = locale
        while name not in needed:
            needed.add(name)
            if name == "root":
                break
            name = get_global("parent_exceptions").get(name) or "_".join(name.split("_")[:-1]) or "root"
    return frozenset(needed)


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


def format_days(days: int, language: str) -> str:
    """`1 day` / `3 days` (en), `3 hari` (id): a count of days with its unit, in the number the language wants."""
    text = str(format_unit(days, "duration-day", length="long", locale=_locale(language)))
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def parameter_text(text: str) -> str:
    """Free text from an accounting field (a name, an invoice number) as Meta takes it in a template parameter: one
    line without runs of spaces, at most `_MAX_NAME_LENGTH` characters."""
    return _clean(text, limit=_MAX_NAME_LENGTH)


def customer_name_parameter(name: str, language: str) -> str:
    """The customer's name as a parameter, or a polite "Pelanggan" / "Customer" when the record has none."""
    return parameter_text(name) or _FALLBACK_CUSTOMER.get(language, "Customer")


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


def _template_kind(message: OutgoingMessage) -> TemplateKind:
    """The kind of `message`'s template, checked against the words that are true on its send date."""
    kind = _KIND_BY_NAME.get(message.template.name)
    if kind is None:
        raise ValueError(f"unknown template {message.template.name!r}")
    true_kind = message_kind_on([reminder.invoice for reminder in message.reminders], message.send_date)
    if kind is not true_kind:
        raise ValueError(
            f"template {message.template.name} would not be true on {message.send_date.isoformat()}: "
            f"that day the message is {true_kind.value}"
        )
    return kind


def body_parameters(message: OutgoingMessage, business_name: str) -> dict[str, str]:
    """The named body parameters of `message`'s template, formatted in its language, true on its send date.

    Raises:
        ValueError: no reminders, an unsupported language, or a template whose words would be false on
            `message.send_date` (e.g. "due today" on any day but the due date).
    """
    if not message.reminders:
        raise ValueError("an outgoing message needs at least one reminder")
    language = message.template.language
    _locale(language)
    kind = _template_kind(message)
    params = {
        "customer_name": customer_name_parameter(message.customer_name, language),
        "business_name": parameter_text(business_name),
    }
    invoices = [reminder.invoice for reminder in message.reminders]
    if kind is not TemplateKind.STATEMENT:
        invoice = invoices[0]
        params["invoice_number"] = parameter_text(invoice.number) or "-"
        params["amount_due"] = format_money(invoice.amount_due, language)
        params["due_date"] = format_due_date(invoice.due_date, language)
        if kind is TemplateKind.OVERDUE:
            params["days_overdue"] = format_days(days_overdue(invoice, message.send_date), language)
        return params
    overdue = sum(1 for i in invoices if template_kind_on(i, message.send_date) is TemplateKind.OVERDUE)
    params["invoice_count"] = str(len(invoices))
    params["total_due"] = " + ".join(
        format_money(total, language) for total in _totals([i.amount_due for i in invoices])
    )
    params["overdue_summary"] = format_overdue_summary(overdue, len(invoices) - overdue, language)
    params["oldest_due_date"] = format_due_date(min(i.due_date for i in invoices), language)
    return params


def format_overdue_summary(overdue: int, not_yet_due: int, language: str) -> str:
    """How many of a statement's invoices are overdue, in words that read right for every split.

    `(3 overdue, 0 not yet due)` and `(0 sudah lewat jatuh tempo, ...)` read as mistakes; all and none have their own
    words.
    """
    every, none, some = _OVERDUE_SUMMARY[language]
    if not_yet_due == 0:
        return every
    if overdue == 0:
        return none
    return some.format(overdue=overdue, not_yet=not_yet_due)
