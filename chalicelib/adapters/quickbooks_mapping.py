"""QuickBooks Online JSON rows (Invoice, Customer) -> Lunas' domain types. Pure: no SDK, no I/O.

Kept apart from the gateway so the vendor's field rules can be read (and changed) in one place: a missing due date
means "never reminded", a zero balance means paid unless the invoice was voided, instants carry Intuit's offset,
phones are free text read in the company's country (`Connection.phone_country`) with the mobile number first.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from chalicelib.domain.countries import country_code, currency_code
from chalicelib.domain.errors import AccountingError
from chalicelib.domain.models import CompanyProfile, Customer, Invoice, InvoiceStatus, Money, Reason
from chalicelib.domain.phones import PhoneResult, mask_phone, normalise_phone

log = logging.getLogger(__name__)

SOURCE = "quickbooks"


def decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value if value is not None else 0))
    except InvalidOperation:
        raise AccountingError(f"QuickBooks: not an amount: {value!r}") from None


def instant(value: Any) -> dt.datetime | None:
    """Intuit writes instants with an offset (`2026-11-19T10:22:15-08:00`); returned in UTC."""
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone(dt.timedelta(hours=-8)))
    return parsed.astimezone(dt.UTC)


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _ref(row: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = row.get(key)
    return value if isinstance(value, Mapping) else {}


def map_invoice(row: Mapping[str, Any], *, connection_id: str) -> Invoice | None:
    """One Invoice row; None for one without a due date (never reminded; callers treat it like a deleted one)."""
    due = _date(row.get("DueDate"))
    if due is None:
        log.debug("skipping QuickBooks invoice %s without a due date", row.get("Id"))
        return None
    balance = decimal(row.get("Balance"))
    customer = _ref(row, "CustomerRef")
    currency = str(_ref(row, "CurrencyRef").get("value") or "").upper()
    link = row.get("InvoiceLink")
    return Invoice(
        source=SOURCE,
        connection_id=connection_id,
        invoice_id=str(row.get("Id")),
        number=str(row.get("DocNumber") or row.get("Id")),
        customer_id=str(customer.get("value") or ""),
        customer_name=str(customer.get("name") or ""),
        due_date=due,
        amount_due=Money(balance, currency),
        status=_status(row, balance),
        payment_link=str(link) if link else None,
        issue_date=_date(row.get("TxnDate")),
        updated_at=instant(_ref(row, "MetaData").get("LastUpdatedTime")),
    )


def _status(row: Mapping[str, Any], balance: Decimal) -> InvoiceStatus:
    if balance > 0:
        return InvoiceStatus.OPEN
    voided = "voided" in str(row.get("PrivateNote") or "").lower() and decimal(row.get("TotalAmt")) == 0
    return InvoiceStatus.VOIDED if voided else InvoiceStatus.PAID


def map_customer(row: Mapping[str, Any], *, connection_id: str, country: str) -> Customer:
    """One Customer row, with its best WhatsApp-capable phone read in `country`: the company's own, else the Lunas
    organisation's (`Connection.phone_country`)."""
    result = _best_phone(row, country)
    customer_id = str(row.get("Id"))
    if result.problem is not None:
        log.info("QuickBooks customer %s: %s (%s)", customer_id, result.problem.value, result.detail)
    else:
        log.debug("QuickBooks customer %s: phone %s", customer_id, mask_phone(result.e164))
    return Customer(
        source=SOURCE,
        connection_id=connection_id,
        customer_id=customer_id,
        name=str(row.get("DisplayName") or ""),
        phone=result.e164,
        phone_problem=result.problem,
    )


def _best_phone(row: Mapping[str, Any], country: str) -> PhoneResult:
    """Mobile first, then PrimaryPhone; free text read in the company's country; landlines refused."""
    raws = [_ref(row, key).get("FreeFormNumber") for key in ("Mobile", "PrimaryPhone")]
    results = [normalise_phone(str(raw), country) for raw in raws if raw]
    for result in results:
        if result.ok:
            return result
    tried = [r for r in results if r.problem == Reason.INVALID_PHONE]
    return tried[0] if tried else PhoneResult(None, Reason.NO_PHONE, "no Mobile or PrimaryPhone number")


def map_company(info: Any, preferences: Any) -> CompanyProfile:
    """python-quickbooks' `CompanyInfo` and `Preferences` -> where the company is and its home currency.

    `CompanyInfo.Country` is the company's country (Intuit's examples write `US`; a name or `USA` is read too), with
    the company address's country when it is empty; the home currency is `Preferences.CurrencyPrefs.HomeCurrency`.
    QuickBooks says nothing about a time zone here.
    https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/companyinfo
    https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/preferences
    """
    addresses = (getattr(info, name, None) for name in ("CompanyAddr", "LegalAddr"))
    candidates = [getattr(info, "Country", None), *(getattr(a, "Country", None) for a in addresses if a)]
    country = next((code for code in map(country_code, candidates) if code), None)
    currency_prefs = getattr(preferences, "CurrencyPrefs", None) if preferences is not None else None
    home = getattr(currency_prefs, "HomeCurrency", None) if currency_prefs is not None else None
    return CompanyProfile(
        name=str(getattr(info, "CompanyName", "") or ""),
        country=country,
        currency=currency_code(getattr(home, "value", None)) if home is not None else None,
    )
