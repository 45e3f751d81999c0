"""xero-python's Invoice and Contact objects -> Lunas' domain types. No calls, no I/O.

Kept apart from the gateway so Xero's field rules can be read (and changed) in one place: only authorised sales
invoices with a due date are reminded (drafts, bills and undated ones are skipped), DELETED counts as voided, amounts
go through `str` so floats never leak in, and a contact's MOBILE number is preferred to its DEFAULT one.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from chalicelib.domain.countries import country_code, currency_code, iana_timezone
from chalicelib.domain.models import CompanyProfile, Customer, Invoice, InvoiceStatus, Money, Reason
from chalicelib.domain.phones import PhoneResult, mask_phone, normalise_xero_phone

log = logging.getLogger(__name__)

SOURCE = "xero"

_STATUSES = {
    "AUTHORISED": InvoiceStatus.OPEN,
    "PAID": InvoiceStatus.PAID,
    "VOIDED": InvoiceStatus.VOIDED,
    "DELETED": InvoiceStatus.VOIDED,
}


def _decimal(value: Any) -> Decimal:
    # The SDK may hand back floats (older versions) or Decimals; str() keeps 1234.56 from becoming 1234.559999...
    return Decimal(str(value if value is not None else 0))


def _text(value: Any) -> str:
    """The SDK gives enums (CurrencyCode.IDR) for some fields and plain strings for others."""
    return str(getattr(value, "value", value) or "")


def _as_date(value: Any) -> dt.date:
    # The SDK already reads /Date(ms+0000)/ as a UTC calendar date; a datetime only comes from ISO strings.
    return value.date() if isinstance(value, dt.datetime) else value


def map_invoice(row: Any, *, connection_id: str, known_links: Mapping[str, str | None]) -> Invoice | None:
    """One invoice, with its payment link if already known; None for one that is never reminded."""
    status = _STATUSES.get(_text(row.status))
    if _text(row.type) != "ACCREC" or status is None or row.due_date is None:
        # Drafts, bills and undated invoices are never reminded; the caller treats them like deleted ones.
        log.debug("skipping Xero invoice %s (type %s, status %s)", row.invoice_id, row.type, row.status)
        return None
    contact = row.contact
    invoice_id = str(row.invoice_id)
    return Invoice(
        source=SOURCE,
        connection_id=connection_id,
        invoice_id=invoice_id,
        number=str(row.invoice_number or ""),
        customer_id=str(contact.contact_id) if contact else "",
        customer_name=str(contact.name or "") if contact else "",
        due_date=_as_date(row.due_date),
        amount_due=Money(_decimal(row.amount_due), _text(row.currency_code).upper()),
        status=status,
        payment_link=known_links.get(invoice_id),
        issue_date=_as_date(row.date) if row.date is not None else None,
        updated_at=row.updated_date_utc,
    )


def map_customer(contact: Any, *, connection_id: str, country: str) -> Customer:
    """One contact, with its best WhatsApp-capable phone read in `country`: the company's own, else the Lunas
    organisation's (`Connection.phone_country`)."""
    result = _best_phone(contact.phones or [], country)
    if result.problem is not None:
        log.info("Xero contact %s: %s (%s)", contact.contact_id, result.problem.value, result.detail)
    else:
        log.debug("Xero contact %s: phone %s", contact.contact_id, mask_phone(result.e164))
    return Customer(
        source=SOURCE,
        connection_id=connection_id,
        customer_id=str(contact.contact_id),
        name=str(contact.name or ""),
        phone=result.e164,
        phone_problem=result.problem,
    )


def _best_phone(phones: Iterable[Any], country: str) -> PhoneResult:
    """MOBILE first, then DEFAULT; a landline in either is refused by phones.py rather than used."""
    slots = {_text(p.phone_type).upper(): p for p in phones}
    results = [
        normalise_xero_phone(p.phone_country_code, p.phone_area_code, p.phone_number, country)
        for p in (slots.get("MOBILE"), slots.get("DEFAULT"))
        if p is not None
    ]
    for result in results:
        if result.ok:
            return result
    tried = [r for r in results if r.problem == Reason.INVALID_PHONE]
    return tried[0] if tried else PhoneResult(None, Reason.NO_PHONE, "no MOBILE or DEFAULT number")


def map_organisation(organisation: Any) -> CompanyProfile:
    """`GET /Organisation`'s organisation: `CountryCode` (ISO alpha-2), `BaseCurrency`, `Timezone` (a Windows zone).

    https://developer.xero.com/documentation/api/accounting/organisation
    """
    country = country_code(organisation.country_code)
    return CompanyProfile(
        name=str(organisation.name or ""),
        country=country,
        currency=currency_code(organisation.base_currency),
        timezone=iana_timezone(organisation.timezone, country),
    )
