"""The seams between the reminder service and the outside world.

Services depend on these protocols only; `bootstrap.py` is the one place that picks the real adapters (Xero,
QuickBooks, Meta, DynamoDB) or the fakes a test wants.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from chalicelib.domain.models import (
    Consent,
    Customer,
    Decision,
    Invoice,
    LedgerState,
    OutgoingMessage,
    TemplateRef,
)


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


@dataclass(frozen=True, slots=True, kw_only=True)
class SentMessage:
    wamid: str


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


@dataclass(frozen=True, slots=True, kw_only=True)
class OAuthTokens:
    """One connection's OAuth 2.0 token set. Refresh tokens rotate: always keep the newest."""

    access_token: str
    refresh_token: str
    expires_at: dt.datetime  # when the access token expires, UTC
    scope: str = ""


class TokenRefresher(Protocol):
    """The provider's token endpoint (Xero or Intuit)."""

    def refresh(self, refresh_token: str) -> OAuthTokens:
        """Exchange a refresh token for a new token set.

        Raises:
            ReconnectNeeded: the provider answered invalid_grant.
            AccountingError: the endpoint could not be reached or answered 5xx.
        """
        ...


class AccessTokenProvider(Protocol):
    """Hands an adapter a valid access token for its connection, refreshing (once, safely) when needed."""

    def __call__(self, *, force_refresh: bool = False) -> str: ...


class ConsentStore(Protocol):
    def for_phones(self, org_id: str, phones: Iterable[str]) -> dict[str, Consent]: ...


class PhoneFlagStore(Protocol):
    def unreachable(self, org_id: str, phones: Iterable[str]) -> frozenset[str]: ...

    def mark_not_on_whatsapp(self, org_id: str, phone: str, at: dt.datetime, detail: str) -> None: ...


class PauseStore(Protocol):
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
    """At-most-once bookkeeping; see adapters/dynamo_ledger.py for the guarantees."""

    def states(self, org_id: str, ledger_keys: Iterable[str]) -> dict[str, LedgerState]: ...

    def phones_messaged_on(self, org_id: str, local_date: dt.date, phones: Iterable[str]) -> frozenset[str]: ...

    def claim(self, org_id: str, message: OutgoingMessage, local_date: dt.date, at: dt.datetime) -> str | None: ...

    def record_sent(self, org_id: str, msg_sk: str, wamid: str, at: dt.datetime) -> None: ...

    def record_failed(self, org_id: str, msg_sk: str, code: int | None, title: str, at: dt.datetime) -> None: ...

    def release(self, org_id: str, msg_sk: str) -> None: ...


class DecisionLog(Protocol):
    def save_decisions(self, org_id: str, decisions: Sequence[Decision], at: dt.datetime) -> None: ...


class PaymentLinkStore(Protocol):
    def create(self, org_id: str, links: Sequence[tuple[str, str]], expires_at: dt.datetime) -> str: ...
