"""Lunas' own vocabulary: invoices, customers, consent, reminder stages and decisions.

Everything here is plain, immutable Python with no I/O. Vendor payloads (Xero, QuickBooks, Meta) are translated
into these types at the adapter boundary, so the rules in `policy.py` never see vendor JSON.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from chalicelib.domain.notes import Note


class Reason(StrEnum):
    """Why a reminder was or was not sent. Every invoice in every cycle gets exactly one."""

    SENT = "sent"
    WOULD_SEND = "would_send"  # planned and cleared every check; becomes sent / send_failed once sent
    PAID = "paid"
    PAUSED = "paused"
    BELOW_MINIMUM = "below_minimum"
    NOT_DUE = "not_due"
    ALREADY_SENT = "already_sent"
    SEND_UNCONFIRMED = "send_unconfirmed"  # claimed, outcome unknown (crash or timeout): never re-sent blindly
    NO_PHONE = "no_phone"
    INVALID_PHONE = "invalid_phone"
    NOT_ON_WHATSAPP = "not_on_whatsapp"
    NO_CONSENT = "no_consent"
    OPTED_OUT = "opted_out"
    OUTSIDE_WINDOW = "outside_window"
    ALREADY_MESSAGED_TODAY = "already_messaged_today"
    TEMPLATE_NOT_APPROVED = "template_not_approved"
    SEND_FAILED = "send_failed"
    DEFERRED = "deferred"  # something changed right before the send (an invoice, the date): planned again next cycle
    MESSAGING_LIMIT = "messaging_limit"  # over Meta's unique-recipients-per-24-hours tier: waits for the next window


class InvoiceStatus(StrEnum):
    OPEN = "open"
    PAID = "paid"
    VOIDED = "voided"


class ConsentStatus(StrEnum):
    OPTED_IN = "opted_in"
    OPTED_OUT = "opted_out"


class TemplateKind(StrEnum):
    """Which words a message uses: chosen by `policy.template_kind_on` from the day it is sent, never from the stage.

    A customer with several due invoices gets one STATEMENT instead.
    """

    PRE_DUE = "pre_due"
    DUE_TODAY = "due_today"
    OVERDUE = "overdue"
    STATEMENT = "statement"


# The WhatsApp template names (see templates/whatsapp/). One name per kind, one definition per language.
TEMPLATE_NAMES: dict[TemplateKind, str] = {
    TemplateKind.PRE_DUE: "lunas_invoice_pre_due",
    TemplateKind.DUE_TODAY: "lunas_invoice_due_today",
    TemplateKind.OVERDUE: "lunas_invoice_overdue",
    TemplateKind.STATEMENT: "lunas_invoice_statement",
}

# Quick-reply payload of every template's "stop reminders" button; inbound handling matches on it.
STOP_REMINDERS_PAYLOAD = "LUNAS_STOP_REMINDERS"


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str  # ISO 4217, upper case

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError("Money.amount must be a Decimal")


_SOURCE_NAMES = {"xero": "Xero", "quickbooks": "QuickBooks"}


def source_name(source: str) -> str:
    """An accounting source as people write it ("xero" -> "Xero"); an unknown one as given."""
    return _SOURCE_NAMES.get(source.lower(), source)


@dataclass(frozen=True, slots=True, kw_only=True)
class Invoice:
    """An open (or just closed) sales invoice, from any accounting source."""

    source: str  # "xero" | "quickbooks"
    connection_id: str  # our id of the connected Xero organisation / QuickBooks company
    invoice_id: str  # the vendor's id (Xero InvoiceID, QuickBooks Id)
    number: str  # what the customer knows it as (InvoiceNumber / DocNumber)
    customer_id: str  # the vendor's contact / customer id
    customer_name: str
    due_date: dt.date
    amount_due: Money  # the open balance, not the total
    status: InvoiceStatus
    payment_link: str | None = None
    issue_date: dt.date | None = None
    updated_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Customer:
    """Who an invoice is addressed to, with the WhatsApp number we would use.

    `phone` is E.164 (`+6281234567890`) or None; when None, `phone_problem` says why (no_phone / invalid_phone).
    """

    source: str
    connection_id: str
    customer_id: str
    name: str
    phone: str | None
    phone_problem: Reason | None = None


@dataclass(frozen=True, slots=True)
class Stage:
    """A reminder stage, `offset_days` relative to the due date in the organisation's local calendar.

    A stage decides *whether* a reminder is due (and is its dedupe key); it does not decide the words. A d0 stage first
    sent on a Monday for a Saturday due date must say "overdue", not "due today": see `policy.template_kind_on`.
    """

    offset_days: int

    @property
    def key(self) -> str:
        """Stable name used in ledger keys: d-3, d0, d+7."""
        if self.offset_days == 0:
            return "d0"
        return f"d{self.offset_days:+d}"


DEFAULT_STAGES: tuple[Stage, ...] = tuple(Stage(d) for d in (-3, 0, 3, 7, 14, 30))


@dataclass(frozen=True, slots=True, kw_only=True)
class NamedSchedule:
    """A schedule the owner named for a group of customers ("Late payers"): its own stages, on and off. Everything
    else (send window, minimums, days off) stays the organisation's. Rules: `domain/segment_schedules.py`."""

    schedule_id: str  # never reused: an assignment left behind by a deleted schedule falls back to the default
    name: str
    stages: tuple[Stage, ...]
    stages_off: tuple[Stage, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class SendWindow:
    """Local hours and weekdays (Monday=0) in which reminders may go out."""

    start: dt.time = dt.time(9, 0)
    end: dt.time = dt.time(17, 0)
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})


@dataclass(frozen=True, slots=True, kw_only=True)
class ReminderSettings:
    """An organisation's reminder rules. Defaults suit an Indonesian small business."""

    org_id: str
    business_name: str
    country: str = "ID"  # ISO 3166 alpha-2, asked at sign-up: numbers without + that the owner types, and those of
    # connections whose company did not say its country (`Connection.phone_country`)
    timezone: str = "Asia/Jakarta"  # IANA name
    language: str = "id"  # template language: "id" or "en"
    stages: tuple[Stage, ...] = DEFAULT_STAGES
    window: SendWindow = field(default_factory=SendWindow)
    minimum_amounts: tuple[Money, ...] = ()  # per currency; invoices below are not reminded
    stages_off: tuple[Stage, ...] = ()  # stages the owner switched off in the editor: kept for them, never sent
    # Business days: no reminder on the country's public holidays (domain/holidays.py) or the owner's days off.
    skip_holidays: bool = False
    days_off: tuple[dt.date, ...] = ()
    # Named schedules besides this default one, and which customer follows which: (connection_id, customer_id) ->
    # schedule_id; a customer not listed follows `stages` (domain/segment_schedules.py `stages_for`).
    schedules: tuple[NamedSchedule, ...] = ()
    schedule_of: Mapping[tuple[str, str], str] = field(default_factory=dict, hash=False)
    # Thank the customer on WhatsApp when an invoice Lunas reminded them about is paid (domain/thanks.py).
    thank_paid: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Consent:
    org_id: str
    phone: str  # E.164
    status: ConsentStatus
    source: str  # e.g. "signed_form", "whatsapp_reply", "dashboard", "cli"
    evidence: str  # what the customer agreed to, or said
    captured_at: dt.datetime
    recorded_by: str = ""  # who made the change: a user's e-mail and id, "whatsapp webhook (...)", "cli operator"
    evidence_at: dt.datetime | None = None  # when the evidence dates from (an owner's opt-in after a customer's STOP)


@dataclass(frozen=True, slots=True)
class TemplateRef:
    name: str
    language: str  # "id" | "en"


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    """The outcome for one invoice in one cycle."""

    invoice: Invoice
    reason: Reason
    stage: Stage | None = None
    detail: str = ""  # human-readable extra in English (logs, CLI, export), e.g. the Meta error code and title
    note: Note | None = None  # the same specifics as words the dashboard translates (domain/notes.py)


@dataclass(frozen=True, slots=True, kw_only=True)
class DueReminder:
    """One invoice whose stage is due now."""

    invoice: Invoice
    stage: Stage

    @property
    def ledger_key(self) -> str:
        """Identity of "this reminder": one per (connection, invoice, stage), claimed before sending."""
        return f"{self.invoice.connection_id}#{self.invoice.invoice_id}#{self.stage.key}"


@dataclass(frozen=True, slots=True, kw_only=True)
class OutgoingMessage:
    """One WhatsApp message to one customer phone: a single-invoice reminder or a statement of several."""

    phone: str  # E.164
    customer_name: str
    reminders: tuple[DueReminder, ...]  # sorted by due date, oldest first
    template: TemplateRef
    # The organisation's local date the words are true on ("due today", "3 days overdue"): the day it was planned
    # for, and the only day it may be sent.
    send_date: dt.date

    @property
    def is_statement(self) -> bool:
        return len(self.reminders) > 1


@dataclass(frozen=True, slots=True, kw_only=True)
class CyclePlan:
    """What the policy decided for one cycle: a decision per invoice, and the messages to send.

    Invoices inside `messages` carry Reason.WOULD_SEND in `decisions` until the sender reports the outcome.
    """

    decisions: tuple[Decision, ...]
    messages: tuple[OutgoingMessage, ...]


class LedgerState(StrEnum):
    """Where one (connection, invoice, stage) reminder stands in the send ledger."""

    CLAIMED = "claimed"  # claimed before sending; no wamid recorded yet (in flight, or the worker died)
    SENT = "sent"  # Meta accepted it; wamid recorded
    FAILED = "failed"  # Meta refused it for good (e.g. 131026, 132001); not retried at this stage


@dataclass(frozen=True, slots=True, kw_only=True)
class CycleFacts:
    """Everything the policy needs to decide one cycle for one organisation. Gathered by the service layer.

    Keys of `customers`, `paused_customers` and `paused_invoices` are (connection_id, vendor id) pairs, so two
    connections can never collide on a vendor id.
    """

    now: dt.datetime  # timezone-aware
    settings: ReminderSettings
    invoices: tuple[Invoice, ...]
    customers: dict[tuple[str, str], Customer]
    consents: dict[str, Consent]  # by E.164 phone
    ledger: dict[str, LedgerState]  # by DueReminder.ledger_key
    phones_messaged_today: frozenset[str] = frozenset()  # E.164 phones that already got a message today
    unreachable_phones: frozenset[str] = frozenset()  # E.164 phones Meta said are not on WhatsApp
    erased_phones: frozenset[str] = frozenset()  # E.164 phones erased at the person's request: never messaged
    paused_customers: frozenset[tuple[str, str]] = frozenset()
    paused_invoices: frozenset[tuple[str, str]] = frozenset()
    # why a paused invoice is paused: (English detail, the note the owner reads)
    pause_notes: Mapping[tuple[str, str], tuple[str, Note]] = field(default_factory=dict)
    approved_templates: frozenset[TemplateRef] = frozenset()
    template_notes: Mapping[TemplateRef, str] = field(default_factory=dict)  # why one is not approved, if known


class ConnectionStatus(StrEnum):
    ACTIVE = "active"
    RECONNECT_NEEDED = "reconnect_needed"  # the provider refused our refresh token: reminders pause
    DISCONNECTED = "disconnected"


@dataclass(frozen=True, slots=True, kw_only=True)
class Connection:
    """One connected accounting organisation (a Xero tenant or a QuickBooks company) of a Lunas organisation."""

    org_id: str
    connection_id: str  # "xero:<tenantId>" / "quickbooks:<realmId>"
    provider: str
    tenant_id: str
    tenant_name: str = ""
    status: ConnectionStatus = ConnectionStatus.ACTIVE
    # Where the connected company is, read at connect (Xero Organisation, QuickBooks CompanyInfo and Preferences).
    # None: not known (connected before Lunas read it, or the read failed): the organisation's own country applies.
    country: str | None = None  # ISO 3166 alpha-2: its customers' numbers without + are read in this country
    currency: str | None = None  # ISO 4217: the company's base / home currency
    timezone: str | None = None  # IANA name (Xero only; QuickBooks does not say)
    # Whether the accounting system's own payment reminders are on too (duplicate chasing), as last read at most
    # daily; None: not asked yet, or it cannot say (QuickBooks has no such setting in its API).
    own_reminders: bool | None = None
    own_reminders_checked_at: dt.datetime | None = None

    def phone_country(self, organisation_country: str) -> str:
        """The country a number without `+` is read in: the company's own, else the organisation's."""
        return self.country or organisation_country


@dataclass(frozen=True, slots=True, kw_only=True)
class CompanyProfile:
    """What the accounting system says about a connected company: its name, country, currency and time zone.

    Every field is optional: a vendor may not say, and an older consent may not allow asking.
    """

    name: str = ""
    country: str | None = None  # ISO 3166 alpha-2
    currency: str | None = None  # ISO 4217
    timezone: str | None = None  # IANA name


@dataclass(frozen=True, slots=True, kw_only=True)
class WhatsAppAccount:
    """The business's own WhatsApp number on the Cloud API."""

    phone_number_id: str
    business_account_id: str
    access_token: str
    # What Meta last said about the number (GET /{phone-number-id}, `account_update`, `phone_number_quality_update`):
    # Meta's tier name ("TIER_250", "TIER_1K", ..., "TIER_UNLIMITED") and GREEN / YELLOW / RED; None until known.
    messaging_limit_tier: str | None = None
    quality_rating: str | None = None
    throughput_level: str | None = None  # Meta's STANDARD (80 messages a second) or HIGH (1,000); None until known


@dataclass(frozen=True, slots=True, kw_only=True)
class VerifiedWhatsAppNumber:
    """A WhatsApp number Meta confirmed an access token can manage: it is listed in that WhatsApp Business Account's
    phone numbers when asked with that token (`chalicelib.ports.WhatsAppAccountCheck`)."""

    phone_number_id: str
    business_account_id: str
    display_phone_number: str = ""  # as Meta shows it, e.g. "+62 21 5098 7654"
    verified_name: str = ""  # the business name Meta approved for the number


@dataclass(frozen=True, slots=True, kw_only=True)
class OAuthTokens:
    """One connection's OAuth 2.0 token set. Refresh tokens rotate: always keep the newest."""

    access_token: str
    refresh_token: str
    expires_at: dt.datetime  # when the access token expires, UTC
    scope: str = ""


ACCEPTED = "accepted"  # Meta's `message_status` for a send that goes out now


@dataclass(frozen=True, slots=True, kw_only=True)
class SentMessage:
    """Meta's answer to a send: `{"contacts": [{"input", "wa_id"}], "messages": [{"id", "message_status"}]}`.

    `accepted_status` is `messages[0].message_status` as Meta gives it: `accepted`, or a template-pacing value
    (`held_for_quality_assessment`, `paused`) for a message Meta holds back: it is not sent until a status webhook
    says so, and may be dropped. `wa_id` is `contacts[0].wa_id`, the WhatsApp id Meta resolved the number to (digits,
    no +): it can differ from the number sent to (e.g. a Brazilian or Mexican mobile written without its extra 9 or
    1); "" when Meta did not say.
    https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages
    https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/template-pacing
    """

    wamid: str
    accepted_status: str = ACCEPTED
    wa_id: str = ""

    @property
    def held(self) -> bool:
        """Meta took the request but holds the message back (template pacing): not sent yet."""
        return self.accepted_status != ACCEPTED
