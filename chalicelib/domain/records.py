"""Value types the stores hand back that are not part of the reminder rules: members, connect flows in
progress, replies, routes, health."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


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
