"""Every seam between Lunas' rules and the outside world, one Protocol per concept.

Services depend on these protocols only; `bootstrap.py` is the one place that picks the real adapters (Xero,
QuickBooks, Meta, the DynamoDB repositories in `chalicelib/storage/`) or the in-memory ones a test wants. Value types
live in `chalicelib/domain/`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from chalicelib.domain.audit import AuditEntry
from chalicelib.domain.changes import ChangeSet, Snapshot, SnapshotChange, Sweep
from chalicelib.domain.digest import DigestPreference
from chalicelib.domain.errors import LunasError
from chalicelib.domain.grants import GrantLink, TenantConnection
from chalicelib.domain.meta_errors import WhatsAppAlert
from chalicelib.domain.models import (
    CompanyProfile,
    Connection,
    ConnectionStatus,
    Consent,
    Customer,
    Decision,
    Invoice,
    LedgerState,
    OAuthTokens,
    OutgoingMessage,
    SentMessage,
    TemplateRef,
    VerifiedWhatsAppNumber,
)
from chalicelib.domain.notes import Note
from chalicelib.domain.pricing import Delivered, MonthUsage
from chalicelib.domain.privacy import PersonData
from chalicelib.domain.records import (
    ConnectionHealth,
    ConnectionRoute,
    InvoiceView,
    LedgerEntry,
    MarketingPreference,
    MessageEntry,
    PaymentClaim,
    PaymentInstructions,
    PaymentPage,
    PaymentTarget,
    PendingAuthorization,
    QrisImage,
    StoredReply,
)
from chalicelib.domain.template_lifecycle import ListedTemplate, PushOutcome, TemplateDefinition
from chalicelib.domain.templates import TemplateState
from chalicelib.domain.tracking import DeliveryStatus


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current instant, timezone-aware (UTC)."""
        ...


class AccountingGateway(Protocol):
    """Reads one connected accounting organisation (a Xero tenant or a QuickBooks company).

    Implementations translate vendor errors into `chalicelib.domain.errors` and never return SDK objects.
    """

    source: str  # "xero" | "quickbooks"
    connection_id: str

    def open_invoices(self) -> list[Invoice]:
        """All open sales invoices (authorised, amount due > 0), every page."""
        ...

    def invoices_by_id(self, invoice_ids: Sequence[str]) -> list[Invoice]:
        """Re-read these invoices in batches (never one call per invoice), whatever their status now.

        Paid and voided invoices come back with InvoiceStatus.PAID / VOIDED; deleted ones are simply missing.
        """
        ...

    def customers(self, customer_ids: Sequence[str]) -> dict[str, Customer]:
        """The customers with these vendor ids, fetched in batches, by vendor id."""
        ...

    def remaining_calls_today(self) -> int | None:
        """The vendor's daily call allowance left for this organisation, as its last answer said; None: no daily
        cap, or not known yet."""
        ...


@runtime_checkable
class OwnRemindersReader(Protocol):
    """Whether the accounting system also sends its own payment reminders (the duplicate-chasing warning).

    Xero says (`GET /InvoiceReminders/Settings`); QuickBooks' API has no such setting, so it has no reader.
    """

    def own_reminders_enabled(self) -> bool | None:
        """True / False as the vendor says; None when it could not answer."""
        ...


class MessageSender(Protocol):
    """Sends approved WhatsApp templates from one business phone number."""

    def send_template(
        self,
        *,
        to: str,
        template: TemplateRef,
        body_params: Mapping[str, str],
        button_url_suffix: str | None,
        tracker: str,
    ) -> SentMessage:
        """Send one template message.

        Args:
            to: E.164 phone number, with +.
            template: approved template name and language.
            body_params: named body parameters, exactly those the template declares.
            button_url_suffix: the variable part of the template's URL button, if it has one.
            tracker: echoed back by Meta as biz_opaque_callback_data on every status webhook.

        Raises:
            SendFailed: Meta refused it, or the outcome is unknown (`maybe_sent`).
        """
        ...


class WhatsAppAccountCheck(Protocol):
    """Asks Meta whether an access token manages a WhatsApp number, before the number is stored or routed."""

    def verify(self, *, business_account_id: str, phone_number_id: str, access_token: str) -> VerifiedWhatsAppNumber:
        """The number as Meta lists it among the business account's numbers, read with this token.

        Raises:
            WhatsAppAccountRefused: the token is refused, cannot read the account, the account does not list the
                number, or Meta could not be asked (`reason` says which).
        """
        ...


class TokenRefresher(Protocol):
    """The provider's token endpoint (Xero or Intuit)."""

    def refresh(self, refresh_token: str) -> OAuthTokens:
        """Exchange a refresh token for a new token set.

        Raises:
            ReconnectNeeded: the provider answered invalid_grant.
            AccountingError: the endpoint could not be reached or answered 5xx.
        """
        ...


class XeroConnections(Protocol):
    """Xero's identity service, called with one user's access token: the organisations that user connected to Lunas,
    dropping one of them, and revoking the user's whole consent (chalicelib/domain/grants.py)."""

    def connections(self, access_token: str, *, auth_event_id: str = "") -> list[TenantConnection]:
        """`GET /connections`: every organisation the user connected, or only those (re)connected by the consent
        `auth_event_id` names.

        Raises:
            AccountingError: Xero could not be asked, or refused the token.
        """
        ...

    def delete_connection(self, access_token: str, connection_id: str) -> bool:
        """`DELETE /connections/{id}`: True when Xero no longer has it (204, or 404: already gone); False when Xero
        could not be asked or refused."""
        ...

    def revoke(self, refresh_token: str) -> bool:
        """`POST /connect/revocation`: ends the user's token family, and with it every organisation the user
        connected. True when Xero answered 200."""
        ...


class AccessTokenProvider(Protocol):
    """Hands an adapter a valid access token for its connection, refreshing (once, safely) when needed."""

    def __call__(self, *, force_refresh: bool = False) -> str: ...


class ConsentRepository(Protocol):
    """One consent record per (organisation, E.164 phone) with its whole history. No record, no message."""

    def record(self, consent: Consent) -> None: ...

    def for_phones(self, org_id: str, phones: Iterable[str]) -> dict[str, Consent]: ...

    def history(self, org_id: str, phone: str) -> list[Consent]: ...

    def for_org(self, org_id: str) -> list[Consent]:
        """The current consent of every phone the organisation recorded one for, ordered by phone."""
        ...


class PhoneFlags(Protocol):
    """Phones Meta told us cannot get WhatsApp messages (error 131026)."""

    def unreachable(self, org_id: str, phones: Iterable[str]) -> frozenset[str]: ...

    def mark_not_on_whatsapp(self, org_id: str, phone: str, at: dt.datetime, detail: str) -> None: ...


class Holds(Protocol):
    """What holds reminders back besides consent: paused customers, invoices and phones, and invoices an accounting
    webhook reported closed before the next sync saw it."""

    def pause_customer(self, org_id: str, connection_id: str, customer_id: str, until: dt.datetime | None) -> None: ...

    def pause_invoice(
        self,
        org_id: str,
        connection_id: str,
        invoice_id: str,
        until: dt.datetime | None,
        *,
        note: str = "",
        why: Note | None = None,
    ) -> None:
        """Pause one invoice's reminders; `note` says why in English (the decision's detail), `why` in words the
        dashboard translates."""
        ...

    def pause_notes(self, org_id: str, now: dt.datetime) -> Mapping[tuple[str, str], tuple[str, Note]]:
        """Why each active paused invoice is paused, by (connection_id, invoice_id), where a note was given."""
        ...

    def pause_phone(self, org_id: str, phone: str, until: dt.datetime, note: str) -> None:
        """Pause a phone until `until` (the customer replied), never shortening a longer pause."""
        ...

    def close_invoice(
        self,
        org_id: str,
        connection_id: str,
        invoice_id: str,
        *,
        status: str,
        source: str,
        at: dt.datetime,
        keep_for: dt.timedelta,
    ) -> None: ...

    def reopen_invoice(self, org_id: str, connection_id: str, invoice_id: str) -> None: ...

    def active(self, org_id: str, now: dt.datetime) -> tuple[frozenset[tuple[str, str]], frozenset[tuple[str, str]]]:
        """(paused customers, paused invoices) as (connection_id, vendor id) pairs."""
        ...

    def paused_phones(self, org_id: str, phones: Iterable[str], now: dt.datetime) -> frozenset[str]:
        """E.164 phones paused for a while because the customer replied."""
        ...

    def closed_invoices(
        self, org_id: str, keys: Iterable[tuple[str, str]], now: dt.datetime
    ) -> dict[tuple[str, str], str]:
        """(connection_id, invoice_id) -> paid / voided / deleted, per an accounting webhook not yet seen by sync."""
        ...


class SendLedger(Protocol):
    """At-most-once bookkeeping and delivery statuses; see chalicelib/storage/ledger.py for the guarantees."""

    def states(self, org_id: str, ledger_keys: Iterable[str]) -> dict[str, LedgerState]: ...

    def phones_messaged_on(self, org_id: str, local_date: dt.date, phones: Iterable[str]) -> frozenset[str]: ...

    def numbers_known_as(self, org_id: str, phones: Iterable[str]) -> dict[str, str]:
        """Phone -> the number Lunas messaged, for phones that are another WhatsApp id Meta resolved it to (the
        send answer's `wa_id`): a reply from one of them is that number's reply."""
        ...

    def claim(
        self,
        org_id: str,
        message: OutgoingMessage,
        local_date: dt.date,
        at: dt.datetime,
        *,
        body_params: Mapping[str, str] | None = None,
    ) -> str | None:
        """Claim the phone's message of the day and its reminders at once; `body_params` are kept for the owner."""
        ...

    def message_entry(self, org_id: str, message_key: str) -> MessageEntry | None:
        """One message by its key (what a reply's context wamid `locate`s to), or None."""
        ...

    def record_sent(
        self, org_id: str, msg_sk: str, wamid: str, at: dt.datetime, *, accepted_status: str = ..., wa_id: str = ...
    ) -> None:
        """Meta took the message (`SentMessage`): a held one (`accepted_status` not accepted) stays claimed until a
        status webhook proves it went out; `wa_id` is the WhatsApp id Meta resolved the number to."""
        ...

    def record_failed(self, org_id: str, msg_sk: str, code: int | None, title: str, at: dt.datetime) -> None: ...

    def release(self, org_id: str, msg_sk: str) -> None: ...

    def apply_status(self, update: DeliveryStatus) -> bool:
        """Apply a delivery status to its message and reminders; False if there is nothing to apply it to (yet)."""
        ...

    def apply_statuses(self, updates: Sequence[DeliveryStatus]) -> int:
        """`apply_status` for each, in order, in bulk; returns how many found their message."""
        ...

    def locate(self, wamids: Iterable[str]) -> dict[str, tuple[str, str]]:
        """wamid -> (org_id, message key) for the wamids a send was recorded for."""
        ...

    def park(self, org_id: str, updates: Sequence[DeliveryStatus]) -> None: ...

    def apply_parked(self, wamid: str, org_id: str, msg_sk: str) -> int: ...

    def recipient(self, message_key: str) -> str | None:
        """The E.164 phone a message key was claimed for; None for a key the ledger did not write."""
        ...

    def entries(self, org_id: str) -> list[LedgerEntry]:
        """Every reminder claimed for the organisation, ordered by its ledger key (the owner's invoice timeline)."""
        ...

    def messages(self, org_id: str, *, since: dt.date | None = None) -> list[MessageEntry]:
        """Every message claimed for the organisation (of local dates from `since` on, when given), ordered by its
        message key (local date, then phone)."""
        ...

    def any_delivered(self, org_id: str) -> bool:
        """Whether any message ever reached a customer's phone (delivered or read); stops at the first."""
        ...


class RecipientCounts(Protocol):
    """Who the organisation messaged lately (Meta's messaging limit: unique recipients in a rolling 24 hours)."""

    def recipients_since(self, org_id: str, local_dates: Iterable[dt.date], since: dt.datetime) -> frozenset[str]:
        """The phones claimed (not refused for good) on those local dates at or after `since`."""
        ...


class WhatsAppAlerts(Protocol):
    """WhatsApp problems the owner must fix (account blocked, template stopped), per organisation, until fixed."""

    def raise_alert(self, org_id: str, alert: WhatsAppAlert) -> None: ...

    def alerts(self, org_id: str) -> list[WhatsAppAlert]: ...

    def clear(self, org_id: str, key: str) -> None:
        """Clear one alert (`WhatsAppAlert.key`); nothing happens when there is none."""
        ...


class DecisionLog(Protocol):
    """The latest decision per invoice: what the owner sees next to it."""

    def save_decisions(self, org_id: str, decisions: Sequence[Decision], at: dt.datetime) -> None: ...

    def save_closed(self, org_id: str, decisions: Sequence[Decision], at: dt.datetime) -> None:
        """Decisions about invoices the accounting system closed: like `save_decisions`, except that an invoice
        already listed keeps the last open balance Lunas saw (a paid invoice reads 0, and the home page credits the
        reminder with what was owed)."""
        ...

    def for_org(self, org_id: str) -> list[InvoiceView]:
        """Every invoice's latest decision, ordered by connection, then invoice id."""
        ...


class PaymentLinks(Protocol):
    """Short random codes behind every reminder's pay button (`/pay/<code>`)."""

    def create(
        self, org_id: str, targets: Sequence[PaymentTarget], expires_at: dt.datetime, *, language: str
    ) -> str: ...

    def resolve(self, code: str, now: dt.datetime) -> PaymentPage | None:
        """The page behind a code, or None when it does not exist or has expired."""
        ...

    def remember(self, code: str, found: Mapping[str, str | None]) -> None:
        """Keep the payment pages looked up when the link was opened (invoice id -> url, None: it has none)."""
        ...

    def record_claim(
        self, org_id: str, code: str, invoices: Sequence[PaymentTarget], at: dt.datetime, keep_for: dt.timedelta
    ) -> PaymentClaim:
        """The customer said they paid the link's invoices: kept once per code (pressing again returns the first
        claim unchanged), under the organisation, for `keep_for`."""
        ...

    def claim(self, org_id: str, code: str) -> PaymentClaim | None:
        """The claim made on this code, if any (expired ones may linger until DynamoDB's TTL removes them)."""
        ...

    def claims(self, org_id: str, limit: int = 20) -> list[PaymentClaim]:
        """The organisation's latest claims, newest first."""
        ...


class PaymentInstructionsStore(Protocol):
    """How customers pay the business where the accounting system has no online payment page (bank accounts,
    virtual account, e-wallet, a QRIS image), set by the owner in the dashboard."""

    def get(self, org_id: str) -> PaymentInstructions:
        """The organisation's instructions; empty ones (with the default hold) when none are set."""
        ...

    def save(self, org_id: str, instructions: PaymentInstructions) -> None:
        """Replace the text instructions and the hold; the QRIS image (and `qris_type`) stay as they are."""
        ...

    def set_qris(self, org_id: str, image: QrisImage) -> None: ...

    def remove_qris(self, org_id: str) -> None: ...

    def qris(self, org_id: str) -> QrisImage | None: ...


class TextSender(Protocol):
    """Sends a free-form text (only inside the 24-hour window a customer's message opens)."""

    def send_text(self, *, to: str, text: str, reply_to: str | None = None) -> SentMessage: ...


class Queue(Protocol):
    """A work queue (SQS): the reminder cycles of the fan-out, the webhook bodies of the intake."""

    def send(self, bodies: Sequence[str]) -> None: ...


# -- accounting connections and their tokens ------------------------------------------------------------------------


class ConnectionRepository(Protocol):
    """Connections (Xero tenants, QuickBooks companies) and their encrypted, rotating OAuth tokens.

    A connection reads the token set of its Xero grant (one per Lunas organisation and Xero user, shared by that
    user's connections) or, for QuickBooks and for Xero connections stored before grants, its own. `load_tokens`
    and `save_tokens` take a connection id either way: the version is the token set's (the grant's, or the
    connection's own), so a refresh stores the one shared set once, under optimistic locking.
    """

    def add(self, connection: Connection, tokens: OAuthTokens) -> None: ...

    def get(self, org_id: str, connection_id: str) -> Connection: ...

    def active(self) -> list[Connection]: ...

    def for_org(self, org_id: str) -> list[Connection]: ...

    def health(self, org_id: str) -> list[ConnectionHealth]:
        """The organisation's connections with their status and last cycle (the overview page)."""
        ...

    def load_tokens(self, org_id: str, connection_id: str) -> tuple[OAuthTokens, int]:
        """The token set the connection reads (its grant's, or its own) and that set's version."""
        ...

    def save_tokens(self, org_id: str, connection_id: str, tokens: OAuthTokens, *, expected_version: int) -> None:
        """Replace the token set the connection reads, if it is still at `expected_version` (else TokenConflict)."""
        ...

    def set_status(self, org_id: str, connection_id: str, status: ConnectionStatus) -> None: ...

    def set_profile(self, org_id: str, connection_id: str, profile: CompanyProfile) -> None:
        """Store the company's country, currency and time zone (read again at a reconnect); None fields are kept."""
        ...

    def record_cycle(self, org_id: str, connection_id: str, at: dt.datetime, summary: str) -> None: ...

    def set_own_reminders(self, org_id: str, connection_id: str, enabled: bool | None, at: dt.datetime) -> None:
        """Store whether the accounting system's own reminders are on (None: it cannot say) and when it was asked."""
        ...

    def version(self, org_id: str, connection_id: str) -> int | None: ...

    def delete_tokens(self, org_id: str, connection_id: str) -> None:
        """Delete the connection's own token set (a grant's is deleted with `delete_grant`)."""
        ...

    def link(self, org_id: str, connection_id: str) -> GrantLink:
        """The connection's grant and Xero connection id; `GrantLink()` for one that keeps its own token set."""
        ...

    def links(self, org_id: str) -> dict[str, GrantLink]:
        """`link` of every connection of the organisation, by connection id."""
        ...

    def grant_tokens(self, org_id: str, grant_id: str) -> tuple[OAuthTokens, int] | None:
        """The grant's token set and its version; None when the organisation has no such grant."""
        ...

    def save_grant(self, org_id: str, grant_id: str, tokens: OAuthTokens, *, expected_version: int | None) -> None:
        """Store a grant's token set: a new grant (`expected_version` None), or an existing one still at
        `expected_version`. Raises TokenConflict otherwise."""
        ...

    def delete_grant(self, org_id: str, grant_id: str) -> None:
        """Forget the grant and its tokens (nothing happens if there is none)."""
        ...

    def attach(self, connection: Connection, link: GrantLink) -> None:
        """Store the connection (created if new) as reading its grant's tokens: status and name as given, the
        company's country / currency / time zone where given (unknown ones stay), its own token set deleted."""
        ...

    def set_link(self, org_id: str, connection_id: str, link: GrantLink) -> None:
        """Change only the connection's link (fill in Xero's connection id; `GrantLink()`: it left its grant)."""
        ...


class Leases(Protocol):
    """Short exclusive leases (one token refresh per token family at a time), expiring in business time."""

    def acquire(self, org_id: str, key: str, owner: str, *, now: float, seconds: float) -> bool: ...

    def release(self, org_id: str, key: str, owner: str) -> None: ...


class OAuthStates(Protocol):
    """Connect flows in progress: single-use `state` values bound to the user who started them."""

    def put(self, state: str, pending: PendingAuthorization, *, now: dt.datetime, ttl: dt.timedelta) -> None: ...

    def consume(self, state: str, *, user_sub: str, provider: str, now: dt.datetime) -> PendingAuthorization: ...


class IncrementalSource(AccountingGateway, Protocol):
    """An AccountingGateway that can also sweep with a cursor and list changes since one."""

    def sweep(self) -> Sweep: ...

    def changed_since(self, since: dt.datetime) -> ChangeSet: ...

    def payment_link(self, invoice_id: str) -> str | None:
        """The invoice's online payment page, or None when it has none (one vendor call: only when a customer opens
        a pay link, never in the send loop)."""
        ...


class SnapshotStore(Protocol):
    def load(self, org_id: str, connection_id: str) -> Snapshot: ...

    def save(self, org_id: str, connection_id: str, change: SnapshotChange, *, expected_version: int | None) -> bool:
        """Write the items, then the cursor (not at all when `expected_version` is None).

        Returns False when another worker moved the cursor since `expected_version` was read (theirs is kept).
        """
        ...


# -- what webhooks read and write -----------------------------------------------------------------------------------


class SnapshotRetention(Protocol):
    def retain_until(self, org_id: str, connection_id: str, until: dt.datetime | None) -> None:
        """Let the connection's sync snapshot expire at `until` (its disconnect + retention.SNAPSHOT), or, with
        None, keep it again (connected again)."""
        ...


class Routes(Protocol):
    """From what a webhook names (a WhatsApp number, a WABA, a Xero tenant, a QuickBooks realm) to organisations.
    A webhook never trusts an organisation id it carries itself.

    The dashboard writes WhatsApp routes as *proven* (Meta confirmed the owner's token manages the number) through
    the organisation repository's `set_whatsapp`; the two methods below write *unproven* routes (seeding, data saved
    before the check existed), which give way to a proven claim."""

    def claim_phone_number(self, phone_number_id: str, org_id: str, at: dt.datetime) -> bool:
        """An unproven claim; False if another organisation has the number."""
        ...

    def add_business_account(self, waba_id: str, org_id: str, at: dt.datetime) -> None: ...

    def add_tenant(self, provider: str, tenant_id: str, org_id: str, connection_id: str, at: dt.datetime) -> None: ...

    def org_for_phone_number(self, phone_number_id: str) -> str | None: ...

    def orgs_for_business_account(self, waba_id: str) -> list[str]:
        """The organisations that proved they manage the account or, only if none did, those that claimed it."""
        ...

    def connections_for_tenant(self, provider: str, tenant_id: str) -> list[ConnectionRoute]: ...


class WebhookInbox(Protocol):
    """Events already processed, so a redelivered webhook changes nothing."""

    def seen(self, keys: Iterable[str], now: dt.datetime) -> frozenset[str]: ...

    def mark(self, keys: Iterable[str], now: dt.datetime, keep_for: dt.timedelta) -> None: ...


class Replies(Protocol):
    def save(self, reply: StoredReply, phone_number_id: str) -> None: ...

    def for_org(self, org_id: str, limit: int = 200) -> list[StoredReply]: ...


class DigestPreferences(Protocol):
    """The owner's daily summary e-mail: its address and the Settings switch (docs/dashboard.md "Notifications")."""

    def get(self, org_id: str) -> DigestPreference: ...

    def remember_owner(self, org_id: str, email: str) -> None:
        """Keep the owner's sign-in address for the summary, the first time only."""
        ...

    def set_enabled(self, org_id: str, enabled: bool) -> None: ...


class MailSender(Protocol):
    """Sends one e-mail (Amazon SES); returns the provider's message id."""

    def send(self, *, sender: str, to: str, subject: str, text: str, html: str) -> str: ...


class OneTimeClaims(Protocol):
    """Things done at most once (the opt-out confirmation) and short-lived prompts."""

    def claim(self, org_id: str, what: str, at: dt.datetime, keep_for: dt.timedelta, detail: str = "") -> bool: ...

    def put(self, org_id: str, what: str, at: dt.datetime, keep_for: dt.timedelta, detail: str = "") -> None: ...

    def active(self, org_id: str, what: str, now: dt.datetime) -> bool: ...

    def release(self, org_id: str, what: str) -> None: ...


class Bsuids(Protocol):
    """Business-scoped user ids (Meta may send one instead of a phone number) -> E.164 phone."""

    def remember(self, org_id: str, pairs: dict[str, str], at: dt.datetime) -> None: ...

    def phone_for(self, org_id: str, user_id: str) -> str | None: ...


class MarketingPreferences(Protocol):
    def record(self, org_id: str, phone: str, *, category: str, value: str, detail: str, at: dt.datetime) -> None:
        """Keep the latest choice; an older event arriving late changes nothing."""
        ...

    def get(self, org_id: str, phone: str) -> MarketingPreference | None: ...


class TemplateRegistry(Protocol):
    """What Meta's template events last said about each template of a WhatsApp Business Account."""

    def update(self, waba_id: str, name: str, language: str, *, group: str, values: dict[str, object], at: int) -> bool:
        """Set one group of fields (status / category / quality) unless a later event of that group already did."""
        ...

    def states(self, waba_id: str) -> list[TemplateState]: ...


class Cipher(Protocol):
    """Envelope encryption of secrets at rest (OAuth and WhatsApp tokens), bound to an encryption context that names
    the organisation and item, so a ciphertext cannot be replayed into another organisation's item."""

    def encrypt(self, plaintext: bytes, context: dict[str, str]) -> bytes: ...

    def decrypt(self, ciphertext: bytes, context: dict[str, str]) -> bytes: ...


# -- WhatsApp onboarding (Embedded Signup) and the number's health ---------------------------------------------------
# Its value types and errors live here, beside the ports that use them (docs/whatsapp-onboarding.md).

SignupStep = Literal["input", "exchange", "subscribe", "register", "verify", "read", "store"]
SignupReason = Literal[
    "code_invalid",  # the signup code is wrong, expired or already used: start Connect WhatsApp again
    "app_not_configured",  # Meta refused our app id / secret: Lunas' setup, not the owner's
    "token_invalid",  # Meta refused the business token it had just given (revoked meanwhile)
    "no_access",  # the owner did not share this WhatsApp account or number with Lunas in the popup
    "pin_mismatch",  # the number already has a two-step verification PIN Lunas does not know
    "number_not_ready",  # the number is not verified / not yet ready to be registered
    "number_taken",  # another Lunas organisation uses this number
    "unavailable",  # Meta could not be reached, answered 5xx or throttled: nothing is known, try again
    "refused",  # any other Graph error
]


class WhatsAppSignupRefused(LunasError):
    """One step of connecting a WhatsApp number through Embedded Signup failed; `step` and `reason` say which and
    why, `code` is Meta's error code when Meta gave one. The message never contains a token or the code."""

    def __init__(self, message: str, *, step: SignupStep, reason: SignupReason, code: int | None = None) -> None:
        super().__init__(message)
        self.step: SignupStep = step
        self.reason: SignupReason = reason
        self.code = code


class WhatsAppNumberTaken(LunasError):
    """The WhatsApp number is already connected to another Lunas organisation (which proved it)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class WhatsAppNumberDetails:
    """`GET /{phone-number-id}`: what Meta says about the number now."""

    phone_number_id: str
    display_phone_number: str = ""
    verified_name: str = ""
    quality_rating: str | None = None  # GREEN | YELLOW | RED | UNKNOWN
    messaging_limit_tier: str | None = None  # TIER_250 | TIER_2K | TIER_10K | TIER_100K | TIER_UNLIMITED | ...
    throughput_level: str | None = None  # `throughput.level`: STANDARD | HIGH | NOT_APPLICABLE


@dataclass(frozen=True, slots=True, kw_only=True)
class NumberHealthUpdate:
    """What a webhook said about a business account's number (None: the event did not say). `display_phone_number`
    (digits) narrows it to that number; empty: every number of the business account."""

    business_account_id: str
    display_phone_number: str = ""
    quality_rating: str | None = None
    messaging_limit_tier: str | None = None
    throughput_level: str | None = None  # HIGH after Meta's THROUGHPUT_UPGRADE event
    account_status: str | None = None  # e.g. "DISABLED_UPDATE: DISABLE", "ACCOUNT_VIOLATION", "" = nothing wrong


class MetaSignup(Protocol):
    """The Graph calls a Tech Provider makes after Embedded Signup (server to server).
    https://developers.facebook.com/documentation/business-messaging/whatsapp/embedded-signup/onboarding-customers-as-a-tech-provider

    Every method raises `WhatsAppSignupRefused` (with its step) when Meta refuses or cannot be asked.
    """

    def exchange_code(self, code: str) -> str:
        """The business token for the code the signup popup returned (`GET /oauth/access_token`)."""
        ...

    def subscribe_app(self, *, business_account_id: str, access_token: str) -> None:
        """Subscribe our app to the business account's webhooks (`POST /{waba-id}/subscribed_apps`)."""
        ...

    def register_number(self, *, phone_number_id: str, access_token: str, pin: str) -> None:
        """Register the number for Cloud API with a 6-digit two-step PIN (`POST /{phone-number-id}/register`)."""
        ...

    def read_number(self, *, phone_number_id: str, access_token: str) -> WhatsAppNumberDetails:
        """The display number, verified name, quality rating and messaging limit (`GET /{phone-number-id}`)."""
        ...


class WhatsAppNumbers(Protocol):
    """The organisation's WhatsApp number as onboarding and webhooks change it (`DynamoOrganisationRepository`)."""

    def set_whatsapp(
        self,
        org_id: str,
        number: VerifiedWhatsAppNumber,
        *,
        token: str,
        quality_rating: str | None = None,
        messaging_limit_tier: str | None = None,
        throughput_level: str | None = None,
    ) -> None:
        """Store a number Meta confirmed `token` manages and route its webhooks here.

        Raises:
            WhatsAppNumberTaken: another organisation proved this number.
        """
        ...

    def update_whatsapp_health(self, org_id: str, update: NumberHealthUpdate) -> bool:
        """Apply what a webhook said, if it is about the organisation's current number; True when it was."""
        ...


# -- template lifecycle and costs (docs/whatsapp-templates.md, docs/webhooks.md "Costs") --------------------------


class TemplateManagement(Protocol):
    """One WhatsApp Business Account's templates at Meta (`adapters/whatsapp_templates.py`)."""

    def create(self, definition: TemplateDefinition) -> PushOutcome:
        """`POST /{waba-id}/message_templates`; an existing one is the outcome "exists", not an error."""
        ...

    def listed(self) -> list[ListedTemplate]:
        """Every template of the account, all pages."""
        ...

    def edit(self, template_id: str, definition: TemplateDefinition) -> PushOutcome:
        """`POST /{template-id}` with the definition's components: "edited" (back to PENDING) or "refused"."""
        ...

    def close(self) -> None: ...


class UsageCounter(Protocol):
    """Delivered messages per organisation, month, pricing category and paid/free (`storage/usage.py`)."""

    def count_delivered(self, org_id: str, deliveries: Sequence[Delivered], at: dt.datetime) -> int:
        """Count each message once however often its statuses arrive; returns how many were new."""
        ...

    def month(self, org_id: str, month: str) -> MonthUsage: ...


# -- privacy: a person's request by phone number, and deleting an organisation (docs/privacy.md) -----------------


class PersonalData(Protocol):
    """Everything one organisation holds about one E.164 number (`storage/privacy.py`)."""

    def find(self, org_id: str, phone: str) -> PersonData: ...

    def erase(self, org_id: str, phone: str) -> dict[str, int]:
        """Delete it all (ledger rows kept without the number); returns how many items of each kind went."""
        ...


class ErasedPhones(Protocol):
    """Erased numbers, kept only as keyed one-way hashes: the policy never messages them again."""

    def remember(self, org_id: str, phone: str, at: dt.datetime) -> None: ...

    def erased(self, org_id: str, phones: Iterable[str]) -> frozenset[str]:
        """Those of `phones` an erasure left a hash for."""
        ...


class OrganisationData(Protocol):
    """The keys of every item of one organisation, wherever it lies, and their deletion (`storage/privacy.py`)."""

    def keys(self, org_id: str) -> list[tuple[str, str]]: ...

    def partition(self, pk: str, sk_prefix: str) -> list[tuple[str, str]]: ...

    def delete(self, keys: Sequence[tuple[str, str]]) -> int: ...


class WhatsAppSubscription(Protocol):
    """Our app's webhook subscription to a WhatsApp Business Account (`DELETE /{waba-id}/subscribed_apps`)."""

    def unsubscribe(self, *, business_account_id: str, access_token: str) -> bool:
        """True when Meta confirmed (or the subscription was already gone)."""
        ...


class UserAccounts(Protocol):
    """The sign-in accounts (Cognito users) of an organisation's members."""

    def delete_user(self, user_sub: str) -> None:
        """Delete the user; one already gone is fine."""
        ...


# -- audit log and export (docs/privacy.md "Audit log", "Export") ---------------------------------------------------


class AuditLog(Protocol):
    """Who did what, when, per organisation (`storage/audit.py`); entries expire after `retention.AUDIT`."""

    def record(
        self, org_id: str, kind: str, who: str, what: str, at: dt.datetime, *, words: Note | None = None
    ) -> None:
        """Keep one entry (`what` in plain English words: masked numbers, counts, never a token or a message's
        text; `words` the same for the dashboard to say in the owner's language)."""
        ...

    def entries(
        self,
        org_id: str,
        kinds: Iterable[str] = (),
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        limit: int = 200,
    ) -> list[AuditEntry]:
        """The newest first, at most `limit`; only `kinds` when given, `since` <= at < `until`."""
        ...


class OrganisationExport(Protocol):
    """One organisation's data, read a page at a time (`storage/export.py`): nothing else's, never all at once."""

    def counts(self, org_id: str) -> dict[str, int]:
        """How many items of each exported kind (customers, consent, messages, replies, audit)."""
        ...

    def rows(self, org_id: str, kind: str) -> Iterator[dict[str, object]]:
        """The kind's items as JSON-able rows, read lazily page by page."""
        ...


class WhatsAppNumberRemoval(Protocol):
    """Forgetting the organisation's WhatsApp number (`DynamoOrganisationRepository.remove_whatsapp`)."""

    def remove_whatsapp(self, org_id: str) -> None:
        """Delete the stored token and number, and the number's and business account's routes to this organisation
        (never another organisation's); nothing to remove is fine."""
        ...
