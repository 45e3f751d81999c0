"""The thank-you a customer gets on WhatsApp when an invoice Lunas reminded them about is paid (an owner's option).

Pure rules, no I/O. A thank-you is only ever sent on positive evidence of payment: an accounting webhook that
reported the invoice paid, or the invoice read again from Xero / QuickBooks showing PAID or nothing left to pay. An
invoice that merely left the open list may have been voided or deleted, so it never counts by itself. One per
invoice, ever: the services claim it before sending (services/thanks.py, storage/thanks.py).

The invoice is *watched* from the first cycle that sees it open with a reminder Meta accepted, while the option is
on; it remembers the number, the customer and the open balance (what the thank-you names: once paid, the vendor's
balance is zero). Invoices paid before the option was switched on were never watched, so switching it on never
thanks customers for old payments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from chalicelib.domain.models import Consent, ConsentStatus, Invoice, InvoiceStatus, Money, TemplateRef
from chalicelib.domain.wording import customer_name_parameter, format_money, parameter_text

TEMPLATE_NAME = "lunas_payment_thanks"
PARAMS: tuple[str, ...] = ("customer_name", "business_name", "invoice_number", "amount")
# A thank-you days after the payment reads oddly: one that could not go out in this time is not sent at all.
SEND_WITHIN = dt.timedelta(days=3)


class ThanksState(StrEnum):
    WATCHING = "watching"  # reminded and still open: waiting for evidence of payment
    DUE = "due"  # paid; waiting to be sent (outside the send window, the template not approved yet, ...)
    CLAIMED = "claimed"  # claimed right before sending: never sent again, even if the worker died
    SENT = "sent"  # Meta accepted it
    NOT_SENT = "not_sent"  # paid, but it will not be sent (the reason says why)
    NOT_PAID = "not_paid"  # closed without payment (voided, deleted): nothing to thank for


FINAL = frozenset({ThanksState.CLAIMED, ThanksState.SENT, ThanksState.NOT_SENT, ThanksState.NOT_PAID})


class ThanksReason(StrEnum):
    """Why a thank-you was not sent (yet); each has words for the owner (chalicelib/web/words/thanks.py)."""

    NO_PHONE = "no_phone"
    NO_CONSENT = "no_consent"
    OPTED_OUT = "opted_out"
    ERASED = "erased"
    OUTSIDE_WINDOW = "outside_window"
    TEMPLATE_NOT_APPROVED = "template_not_approved"
    SEND_FAILED = "send_failed"  # Meta refused it for good
    RETRY = "retry"  # Meta could not take it now; tried again next cycle
    UNCONFIRMED = "unconfirmed"  # the send's outcome is unknown: never sent again
    TOO_LATE = "too_late"  # could not go out within SEND_WITHIN of the payment


@dataclass(frozen=True, slots=True, kw_only=True)
class Watched:
    """One reminded invoice's thank-you, as stored."""

    connection_id: str
    invoice_id: str
    number: str
    customer_id: str
    due_date: dt.date
    amount: Money  # the open balance when last seen open
    state: ThanksState = ThanksState.WATCHING
    reason: str = ""  # a ThanksReason value, or ""
    paid_at: dt.datetime | None = None  # when Lunas found the evidence of payment
    changed_at: dt.datetime | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.connection_id, self.invoice_id)


class Evidence(StrEnum):
    PAID = "paid"
    NOT_PAID = "not_paid"  # voided or deleted
    OPEN = "open"  # still owed


def evidence(closure: str | None, reread: Invoice | None, *, reread_done: bool) -> Evidence | None:
    """What is known about a watched invoice that left the open list (or a webhook closed); None: nothing yet.

    Args:
        closure: what an accounting webhook reported (paid / voided / deleted), if anything.
        reread: the invoice read again from the vendor just now (None: not found, or not read).
        reread_done: whether it was read again (a missing invoice is only "deleted" if it was asked for).
    """
    if closure == "paid":
        return Evidence.PAID
    if closure in ("voided", "deleted"):
        return Evidence.NOT_PAID
    if not reread_done:
        return None
    if reread is None or reread.status is InvoiceStatus.VOIDED:
        return Evidence.NOT_PAID
    if reread.status is InvoiceStatus.PAID or reread.amount_due.amount <= 0:
        return Evidence.PAID
    return Evidence.OPEN


def consent_refusal(consent: Consent | None, *, erased: bool) -> ThanksReason | None:
    """The customer's own say: only an opt-in on record allows a message; an opt-out or an erasure never does."""
    if erased:
        return ThanksReason.ERASED
    if consent is None:
        return ThanksReason.NO_CONSENT
    return None if consent.status is ConsentStatus.OPTED_IN else ThanksReason.OPTED_OUT


def too_late(watched: Watched, now: dt.datetime) -> bool:
    return watched.paid_at is not None and now - watched.paid_at > SEND_WITHIN


def template(language: str) -> TemplateRef:
    return TemplateRef(TEMPLATE_NAME, language)


def body_parameters(watched: Watched, *, customer_name: str, business_name: str, language: str) -> dict[str, str]:
    """The template's named parameters in the customer's language: `Rp 1.250.000` / `IDR 1,250,000` (Babel)."""
    return {
        "customer_name": customer_name_parameter(customer_name, language),
        "business_name": parameter_text(business_name),
        "invoice_number": parameter_text(watched.number) or "-",
        "amount": format_money(watched.amount, language),
    }
