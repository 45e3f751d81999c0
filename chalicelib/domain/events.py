"""What vendors' webhooks tell us, as typed events: Meta's delivery statuses, customers' messages, marketing
preferences and template changes, and Xero's and QuickBooks' change notices.

The adapters parse each vendor's payload into these (`adapters/meta_events.py`, `adapters/xero_events.py`,
`adapters/quickbooks_events.py`); services and webhook processing act on them without reading a vendor's JSON.
Each event that can be delivered twice carries the key it is deduplicated on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from chalicelib.domain.replies import ReplyMeaning


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusEvent:
    """One delivery status of a message we sent (sent, delivered, read, failed), not yet matched to the message."""

    wamid: str
    status: str
    at: dt.datetime
    recipient_id: str = ""
    tracker: str = ""
    error_code: int | None = None
    error_title: str | None = None
    pricing_category: str | None = None
    pricing_type: str | None = None  # regular | free_customer_service | free_entry_point (domain/pricing.py)
    billable: bool | None = None  # deprecated by Meta; read when a payload has no type

    @property
    def dedupe_key(self) -> str:
        return f"wa-status:{self.wamid}#{self.status}"


@dataclass(frozen=True, slots=True, kw_only=True)
class InboundMessage:
    """A customer's message to the business's number (a typed reply, a button tap, a photo...)."""

    message_id: str
    phone: str  # E.164, "" when Meta sent only a business-scoped user id we cannot map yet
    user_id: str
    kind: str
    text: str
    meaning: ReplyMeaning
    context_wamid: str | None
    at: dt.datetime

    @property
    def dedupe_key(self) -> str:
        return f"wa-in:{self.message_id}"


@dataclass(frozen=True, slots=True, kw_only=True)
class PreferenceUpdate:
    """A customer's marketing-message preference, as WhatsApp reports it (`user_preferences`)."""

    phone: str  # E.164
    category: str
    value: str
    detail: str
    at: dt.datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateEvent:
    """A change to one of a WhatsApp Business Account's templates: its status, category or quality.

    `updates` are (group, fields) pairs, each group applied unless a later event of that group already was.
    """

    waba_id: str
    name: str
    language: str
    field: str  # Meta's webhook field, e.g. message_template_status_update
    updates: tuple[tuple[str, dict[str, object]], ...]
    at: int | None  # unix seconds of the notification, when Meta gave it


@dataclass(frozen=True, slots=True, kw_only=True)
class ResourceChange:
    """An accounting source says an invoice, a customer or a payment changed (never what changed: it must be
    re-read; a payment names the invoices it pays)."""

    provider: str  # xero | quickbooks
    tenant_id: str  # Xero tenantId / QuickBooks realmId
    kind: str  # invoice | customer | payment (QuickBooks)
    resource_id: str
    operation: str  # create | update | delete | void | ...
    dedupe_key: str
