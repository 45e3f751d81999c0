"""What a customer reaches through a reminder's pay button (`/pay/<code>`), and the "I have paid" button there.

Payment pages not known when the reminder went out (Xero's online invoice costs one call per invoice) are looked up
here, once, when the customer opens the link, and kept on the link. A lookup that fails (a 429, a revoked
connection) is not kept: the page lists the invoice without a link and the next visit tries again.

"I have paid" records one claim per code (when, which invoices: the link's own) for the owner's overview, and pauses
those invoices' reminders until `claim_hold_days` after the first press. Pressing again (a double tap, the back
button) changes nothing: the claim is the first one and the pause ends at the same instant.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from chalicelib.domain import notes
from chalicelib.domain.errors import LunasError
from chalicelib.domain.records import PaymentClaim, PaymentInstructions, PaymentPage, QrisImage
from chalicelib.ports import Holds, PaymentInstructionsStore, PaymentLinks

log = logging.getLogger(__name__)

CLAIMS_KEPT = dt.timedelta(days=90)  # how long the owner's overview can list a claim

# (org_id, connection_id, invoice ids) -> invoice id -> the payment page's url, None when it has none
LookUp = Callable[[str, str, Sequence[str]], Mapping[str, str | None]]


def open_payment_page(code: str, *, links: PaymentLinks, now: dt.datetime, look_up: LookUp) -> PaymentPage | None:
    page = links.resolve(code, now)
    if page is None:
        return None
    unknown: dict[str, list[str]] = {}
    for target in page.targets:
        if not target.looked_up and target.connection_id and target.invoice_id:
            unknown.setdefault(target.connection_id, []).append(target.invoice_id)
    found: dict[str, str | None] = {}
    for connection_id, invoice_ids in unknown.items():
        try:
            found |= look_up(page.org_id, connection_id, invoice_ids)
        except LunasError as exc:
            log.warning("payment page lookup failed", extra={"error": type(exc).__name__})
    if not found:
        return page
    links.remember(code, found)
    targets = tuple(
        dataclasses.replace(t, url=found[t.invoice_id], looked_up=True) if t.invoice_id in found else t
        for t in page.targets
    )
    return dataclasses.replace(page, targets=targets)


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentView:
    """Everything the customer's page shows: the link's invoices, the business and how to pay it, and whether the
    customer already said they paid. All of it belongs to the link's organisation."""

    code: str
    page: PaymentPage
    business_name: str
    timezone: str  # the organisation's: the time of a claim reads in it
    instructions: PaymentInstructions
    qris: QrisImage | None
    claim: PaymentClaim | None


def payment_view(
    code: str,
    page: PaymentPage,
    *,
    business_name: str,
    timezone: str,
    instructions: PaymentInstructionsStore,
    links: PaymentLinks,
) -> PaymentView:
    info = instructions.get(page.org_id)
    offline = any(t.url is None for t in page.targets)
    return PaymentView(
        code=code,
        page=page,
        business_name=business_name,
        timezone=timezone,
        instructions=info,
        qris=instructions.qris(page.org_id) if info.qris_type and offline else None,
        claim=links.claim(page.org_id, code),
    )


def claim_paid(
    code: str,
    *,
    links: PaymentLinks,
    holds: Holds,
    instructions: PaymentInstructionsStore,
    now: dt.datetime,
    timezone_of: Callable[[str], str],
) -> PaymentClaim | None:
    """The customer pressed "I have paid": None when the code does not exist or has expired.

    `timezone_of`: an organisation's time zone (IANA name); the owner reads the note's times in it.
    """
    page = links.resolve(code, now)
    if page is None:
        return None
    claim = links.record_claim(page.org_id, code, page.targets, now, CLAIMS_KEPT)
    # From the first press: pausing again (a retry after a failure half-way, a second press) ends at the same time.
    until = claim.claimed_at + dt.timedelta(days=instructions.get(page.org_id).claim_hold_days)
    zone = ZoneInfo(timezone_of(page.org_id))
    note = (
        f'the customer pressed "I have paid" on the payment page on {_local(claim.claimed_at, zone)}; '
        f"reminders for it are held until {_local(until, zone)} while you check the payment"
    )
    why = notes.note(
        "said_paid_page", said_at=notes.instant_value(claim.claimed_at), until_at=notes.instant_value(until)
    )
    for invoice in claim.invoices:
        if invoice.connection_id and invoice.invoice_id:
            holds.pause_invoice(page.org_id, invoice.connection_id, invoice.invoice_id, until, note=note, why=why)
    log.info("customer said they paid", extra={"invoices": len(claim.invoices), "new": claim.claimed_at == now})
    return claim


def _local(at: dt.datetime, zone: ZoneInfo) -> str:
    """A time as the owner reads it: in the organisation's zone, with its abbreviation ("2026-12-02 15:04 WIB")."""
    return f"{at.astimezone(zone):%Y-%m-%d %H:%M %Z}"
