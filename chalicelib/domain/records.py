"""Value types the stores hand back that are not part of the reminder rules: members, connect flows in
progress, replies, routes, health, and what the owner's pages read back (decisions, the send ledger, marketing
preferences)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from chalicelib.domain.models import LedgerState, Money, Reason
from chalicelib.domain.notes import Note


@dataclass(frozen=True, slots=True, kw_only=True)
class PendingAuthorization:
    org_id: str
    user_sub: str
    provider: str
    code_verifier: str
    redirect_uri: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Membership:
    user_sub: str
    org_id: str
    role: str
    email: str
    signed_out_at: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class WhatsAppSummary:
    """What the dashboard may show about the WhatsApp number: never the access token."""

    phone_number_id: str
    business_account_id: str
    has_token: bool
    verified: bool = False  # Meta confirmed the stored token manages this number (saved through the check)
    display_phone_number: str = ""  # what Meta answered for the number when it was verified
    verified_name: str = ""
    quality_rating: str = ""  # GREEN | YELLOW | RED | UNKNOWN; "" until Meta said
    messaging_limit_tier: str = ""  # TIER_250 | TIER_2K | TIER_10K | TIER_100K | TIER_UNLIMITED; "" until Meta said
    account_status: str = ""  # the last account_update problem Meta reported ("" = none)


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectionHealth:
    connection_id: str
    provider: str
    tenant_name: str
    status: str
    last_cycle_at: dt.datetime | None
    last_cycle_summary: str


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredReply:
    org_id: str
    message_id: str
    phone: str
    kind: str
    text: str
    intent: str
    action: str
    received_at: dt.datetime
    context_wamid: str | None = None


@dataclass(frozen=True, slots=True)
class ConnectionRoute:
    org_id: str
    connection_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class InvoiceView:
    """The latest decision about one invoice, as the owner sees it (`DecisionLog.for_org`)."""

    connection_id: str
    invoice_id: str
    number: str
    customer_name: str
    due_date: dt.date
    amount_due: Money
    reason: Reason
    stage: str | None  # the stage's key (d-3, d0, d+7), None when no stage was due
    detail: str
    decided_at: dt.datetime
    note: Note | None = None  # the detail in words the dashboard translates


@dataclass(frozen=True, slots=True, kw_only=True)
class LedgerEntry:
    """One claimed reminder, a (connection, invoice, stage), and what became of it (`SendLedger.entries`)."""

    connection_id: str
    invoice_id: str
    stage: str  # the stage's key (d-3, d0, d+7)
    state: LedgerState
    message_key: str  # the message that carried it
    claimed_at: dt.datetime
    sent_at: dt.datetime | None = None
    wamid: str | None = None
    delivery: str | None = None  # sent | delivered | read | failed (Meta's status webhooks)
    error_code: int | None = None
    error_title: str | None = None

    @property
    def ledger_key(self) -> str:
        """The reminder's identity, as `DueReminder.ledger_key` names it."""
        return f"{self.connection_id}#{self.invoice_id}#{self.stage}"


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageEntry:
    """The one message a phone got on a local date, and its delivery (`SendLedger.messages`)."""

    message_key: str  # what `SendLedger.claim` returned (and Meta echoes back as the tracker)
    phone: str  # E.164
    local_date: dt.date
    state: LedgerState
    connection_id: str
    ledger_keys: tuple[str, ...]  # the reminders it carried (`LedgerEntry.ledger_key`)
    template: str
    language: str
    claimed_at: dt.datetime
    sent_at: dt.datetime | None = None
    wamid: str | None = None
    delivery: str | None = None  # sent | delivered | read | failed (Meta's status webhooks)
    delivery_at: dt.datetime | None = None
    pricing_category: str | None = None
    error_code: int | None = None
    error_title: str | None = None
    # Meta's send answer: `message_status` (accepted, or held back by template pacing: held_for_quality_assessment,
    # paused) and the WhatsApp id it resolved the number to, when it differs from the claimed phone's digits.
    accepted_status: str | None = None
    wa_id: str | None = None
    body_params: tuple[tuple[str, str], ...] = ()  # the template's body parameters as sent (name, value)


@dataclass(frozen=True, slots=True, kw_only=True)
class MarketingPreference:
    """The latest `user_preferences` event Meta sent about a phone (about MARKETING templates only)."""

    phone: str  # E.164
    category: str  # e.g. marketing_messages
    value: str  # stop | resume
    detail: str
    at: dt.datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentTarget:
    """One invoice behind a reminder's pay button. `url` is the accounting system's payment page when known at send
    time (QuickBooks' InvoiceLink comes with the invoice); otherwise it is looked up when the customer opens the
    link (Xero's online invoice costs one call per invoice, so never in the send loop). `looked_up` says the lookup
    ran: a None url after it means the invoice has no online payment page."""

    number: str
    connection_id: str
    invoice_id: str
    url: str | None = None
    looked_up: bool = False
    # What the reminder said: the open balance and due date when it went out (None on links made before they were
    # kept; the page then shows the number alone).
    amount: Money | None = None
    due_date: dt.date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentPage:
    """What a `/pay/<code>` link leads to: the organisation's invoices in one reminder."""

    org_id: str
    language: str  # the reminder's language ("id" / "en"): the page speaks it
    targets: tuple[PaymentTarget, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentClaim:
    """A customer pressed "I have paid" on a pay page: when, and for which invoices (the page's). One per code."""

    org_id: str
    code: str
    claimed_at: dt.datetime
    invoices: tuple[PaymentTarget, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class BankAccount:
    bank: str  # e.g. "BCA"
    account_number: str
    holder: str  # the name on the account ("atas nama")


DEFAULT_CLAIM_HOLD_DAYS = 3
MAX_BANK_ACCOUNTS = 3


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentInstructions:
    """How a business is paid outside the accounting system's online payment page, set by the owner in the
    dashboard and shown on the pay page of invoices that have no online payment page."""

    bank_accounts: tuple[BankAccount, ...] = ()
    virtual_account: str = ""  # free text, e.g. "BCA virtual account 39010 0812 3456 7001"
    e_wallet: str = ""  # free text, e.g. "GoPay / OVO 0812-3456-7890 (Toko Sumber Rejeki)"
    claim_hold_days: int = DEFAULT_CLAIM_HOLD_DAYS  # "I have paid" holds that invoice's reminders this long
    qris_type: str = ""  # "image/png" / "image/jpeg" when a QRIS image is stored (`QrisImage`), else ""

    @property
    def given(self) -> bool:
        """Whether the owner has said anything a customer can pay with."""
        return bool(self.bank_accounts or self.virtual_account or self.e_wallet or self.qris_type)


@dataclass(frozen=True, slots=True, kw_only=True)
class QrisImage:
    """The business's QRIS code as uploaded (PNG or JPEG), shown on the pay page."""

    content_type: str  # image/png | image/jpeg
    data: bytes
