"""Connect a seeded fake company to a Lunas organisation as the connect flow would leave it (demo, chaos, bench).

The dashboard's real flow (consent page, code exchange) is what the connect tests walk; these shortcuts give the
same stored result: Xero tokens the fake issued for a user who consented to the tenant, or a QuickBooks code
exchanged through intuit-oauth against the fake.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from chalicelib import bootstrap
from chalicelib.domain.models import Connection, OAuthTokens


def connect_xero(sandbox: Any, org_id: str, tenant: dict[str, Any], *, read_profile: bool = False) -> Connection:
    """Store a connection to a seeded Xero tenant (`sandbox.xero.seed(...)`'s answer).

    `read_profile`: read the organisation's country, currency and time zone from Xero, as the connect flow does.
    """
    lunas = bootstrap.container()
    connection = Connection(
        org_id=org_id,
        connection_id=f"xero:{tenant['tenantId']}",
        provider="xero",
        tenant_id=tenant["tenantId"],
        tenant_name=tenant.get("tenantName", ""),
    )
    issued = sandbox.xero.issue_tokens([tenant["tenantId"]])
    lunas.stores.connections.add(
        connection,
        OAuthTokens(
            access_token=issued["access_token"],
            refresh_token=issued["refresh_token"],
            expires_at=sandbox.clock.now() + dt.timedelta(seconds=int(issued["expires_in"])),
        ),
    )
    if read_profile:
        profile = lunas.company_profile(
            provider="xero", tenant_id=tenant["tenantId"], access_token=issued["access_token"]
        )
        lunas.stores.connections.set_profile(org_id, connection.connection_id, profile)
    return connection


def connect_quickbooks(sandbox: Any, org_id: str, realm_id: str, name: str) -> Connection:
    """Store a connection to a seeded QuickBooks company: its authorization code exchanged through intuit-oauth."""
    from chalicelib.adapters.quickbooks_oauth import QuickBooksTokenRefresher

    env = sandbox.urls["env"]
    refresher = QuickBooksTokenRefresher(
        client_id=env["INTUIT_CLIENT_ID"],
        client_secret=env["INTUIT_CLIENT_SECRET"],
        token_url=env["INTUIT_TOKEN_URL"],
        revoke_url=env["INTUIT_REVOKE_URL"],
        authorize_url=env["INTUIT_AUTHORIZE_URL"],
        now=sandbox.clock.now,
    )
    tokens = refresher.exchange_code(sandbox.quickbooks.issue_authorization_code(realm_id), realm_id)
    connection = Connection(
        org_id=org_id,
        connection_id=f"quickbooks:{realm_id}",
        provider="quickbooks",
        tenant_id=realm_id,
        tenant_name=name,
    )
    bootstrap.container().stores.connections.add(connection, tokens)
    return connection


def connect_whatsapp(
    sandbox: Any,
    org_id: str,
    *,
    phone_number_id: str,
    waba_id: str,
    display_phone_number: str,
    verified_name: str,
) -> None:
    """Register a number with the fake Meta and store it as the dashboard does: Meta confirms the token manages it,
    then it is saved and routed. The organisation must exist."""
    import uuid

    from sandbox.run import META_APP_SECRET

    token = f"EAAG{uuid.uuid4().hex}"
    sandbox.meta.register_phone_number(
        phone_number_id,
        access_token=token,
        waba_id=waba_id,
        display_phone_number=display_phone_number,
        app_secret=META_APP_SECRET,
        webhook_url=f"{sandbox.app_url}/webhooks/whatsapp",
        verified_name=verified_name,
    )
    lunas = bootstrap.container()
    verified = lunas.whatsapp_account_check.verify(
        business_account_id=waba_id, phone_number_id=phone_number_id, access_token=token
    )
    lunas.stores.organisations.set_whatsapp(org_id, verified, token=token)
