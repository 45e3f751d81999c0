"""Removing the organisation's WhatsApp number (Settings, confirmed; docs/privacy.md "Removing the WhatsApp number").

In an order that is safe to run again: drop our app's webhook subscription to the WhatsApp Business Account
(`DELETE /{waba-id}/subscribed_apps`, https://developers.facebook.com/docs/graph-api/reference/
whats-app-business-account/subscribed_apps) unless another organisation still uses that account, as organisation
deletion does; then delete the stored token and the number's and account's routes. The messages already sent stay in
the history (their retention rule applies). Until a number is added again, every cycle says "no WhatsApp number
connected" on the connection, and nothing is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chalicelib.domain import notes
from chalicelib.domain.audit import WHATSAPP
from chalicelib.domain.errors import LunasError
from chalicelib.domain.models import WhatsAppAccount
from chalicelib.observability import count, logger
from chalicelib.ports import AuditLog, Clock, WhatsAppNumberRemoval, WhatsAppSubscription
from chalicelib.services.audit import note


class NoWhatsAppNumber(LunasError):
    """There is no number to remove (already removed, or never added)."""


@dataclass(frozen=True)
class RemovalDependencies:
    clock: Clock
    whatsapp_of: Callable[[str], WhatsAppAccount | None]
    orgs_for_business_account: Callable[[str], list[str]]
    subscription: WhatsAppSubscription
    numbers: WhatsAppNumberRemoval
    audit: AuditLog | None = None


@dataclass(frozen=True)
class Removal:
    unsubscribed: bool  # Meta confirmed, or another organisation still uses the account (its subscription stays)
    shared: bool  # another organisation uses the same WhatsApp Business Account


def remove_whatsapp(org_id: str, who: str, deps: RemovalDependencies) -> Removal:
    """Remove the number: the token and routes go even when Meta could not be reached (its webhooks then find no
    organisation and are dropped)."""
    account = deps.whatsapp_of(org_id)
    if account is None:
        raise NoWhatsAppNumber("no WhatsApp number is connected")
    waba = account.business_account_id
    shared = bool(waba) and any(o != org_id for o in deps.orgs_for_business_account(waba))
    unsubscribed = True
    if waba and not shared:
        unsubscribed = deps.subscription.unsubscribe(business_account_id=waba, access_token=account.access_token)
    deps.numbers.remove_whatsapp(org_id)
    logger.info("WhatsApp number removed", extra={"unsubscribed": unsubscribed, "shared": shared})
    count("WhatsAppNumberRemoved")
    subscription = (
        "kept (another organisation uses the account)"
        if shared
        else ("dropped" if unsubscribed else "not confirmed by Meta")
    )
    what = f"Removed the WhatsApp number (token deleted; webhook subscription {subscription})"
    key = (
        "audit_wa_removed_shared"
        if shared
        else ("audit_wa_removed" if unsubscribed else "audit_wa_removed_unconfirmed")
    )
    note(deps.audit, org_id, WHATSAPP, who, what, at=deps.clock.now(), words=notes.note(key))
    return Removal(unsubscribed=unsubscribed, shared=shared)
