"""Connecting and disconnecting Xero organisations and QuickBooks companies: the OAuth 2.0 authorization-code flow.

1. `start`: a random `state` (stored hashed for ten minutes, bound to the signed-in user and organisation) and, for
   Xero, a PKCE verifier; the browser goes to the provider's authorize page.
2. `finish`: the callback must bring back a `state` this user started and has not used; the code is exchanged at the
   token endpoint (xero-python has no helper for it, so this is plain `requests`). Xero's tokens belong to the
   Xero user who consented: they are stored once, as that user's grant (`services/grants.py`), and
   `GET /connections?authEventId=<the access token's authentication_event_id>` lists the organisations this
   consent connected; each becomes a connection of the grant, with Xero's connection id. The user's other
   organisations already connected here read the new tokens too, and are never dropped. QuickBooks names its
   company in `realmId` and keeps a token set per company. Each company's country, currency and time zone are read
   with the new token (Xero `Organisation`, QuickBooks `CompanyInfo` and `Preferences`: `CompanyProfileReader`)
   and kept on the connection: its customers' numbers written without `+` are read in that country. A company that
   cannot say (an error, a throttle) is connected all the same and falls back to the organisation's country.
   Tokens are stored KMS-encrypted (`DynamoConnectionRepository`). `held_elsewhere` names the organisations another
   Lunas organisation has connected too (the dashboard warns: their customers could be reminded twice).
3. `disconnect`: Xero: `DELETE /connections/{id}` drops that organisation alone; the grant's tokens are deleted
   (and revoked, which drops every organisation of the user) only with its last connection. QuickBooks: revoke.
   The stored tokens go at once and the connection is marked disconnected (the hourly fan-out only reads active
   connections, so its reminders stop).

Every failure is a `ConnectError` with a `kind` the dashboard turns into a page a person understands. Tokens and
codes never appear in an exception message, a log line or a URL we build.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote, urlencode

import requests

from chalicelib.clock import Monotonic, monotonic
from chalicelib.domain import retention
from chalicelib.domain.changes import SnapshotChange
from chalicelib.domain.errors import AccountingError, LunasError, StateInvalid
from chalicelib.domain.grants import ORGANISATION, TenantConnection
from chalicelib.domain.models import CompanyProfile, Connection, ConnectionStatus, OAuthTokens
from chalicelib.domain.records import PendingAuthorization
from chalicelib.observability import logger
from chalicelib.ports import (
    AccessTokenProvider,
    Clock,
    ConnectionRepository,
    Leases,
    OAuthStates,
    Routes,
    SnapshotRetention,
    SnapshotStore,
    XeroConnections,
)
from chalicelib.services.grants import XeroGrants

# `accounting.settings.read` lets Lunas read the organisation's country, currency and time zone (`GET /Organisation`).
XERO_SCOPES = "offline_access accounting.invoices.read accounting.contacts.read accounting.settings.read"
QUICKBOOKS_SCOPES = "com.intuit.quickbooks.accounting"
STATE_LIFETIME = dt.timedelta(minutes=10)
_TIMEOUT = 15


class ConnectError(LunasError):
    """A connect, callback or disconnect step failed. `kind` picks the explanation shown to the owner."""

    def __init__(self, message: str, *, kind: str) -> None:
        super().__init__(message)
        self.kind = kind  # denied | missing_state | expired_state | replayed | wrong_user | code_rejected |
        # provider_error | no_organisations | unknown_provider | not_found


@dataclass(frozen=True, slots=True, kw_only=True)
class OAuthProvider:
    name: str  # "xero" | "quickbooks"
    client_id: str
    client_secret: str
    authorize_url: str
    token_url: str
    revoke_url: str
    scopes: str
    pkce: bool
    connections_url: str = ""  # Xero only


def pkce_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _basic(provider: OAuthProvider) -> tuple[str, str]:
    return (provider.client_id, provider.client_secret)


class CompanyProfileReader(Protocol):
    """Asks the accounting system where a just-connected company is (`chalicelib.container.Container.company_profile`:
    the Xero and QuickBooks gateways). Raises a `LunasError` when it cannot say."""

    def __call__(self, *, provider: str, tenant_id: str, access_token: str) -> CompanyProfile: ...


def forget_customer_phones(snapshots: SnapshotStore, org_id: str, connection_id: str) -> None:
    """The connection's numbers are now read in another country: drop the customers of its sync snapshot (their
    numbers were read in the old one), so the next cycle reads them again. Invoices and the cursor stay."""
    snapshot = snapshots.load(org_id, connection_id)
    if snapshot.customers:
        change = SnapshotChange(delete_customer_ids=frozenset(snapshot.customers))
        snapshots.save(org_id, connection_id, change, expected_version=None)


@dataclass(frozen=True, slots=True)
class Disconnected:
    connection: Connection
    revoked_at_provider: bool


class ConnectFlows:
    def __init__(
        self,
        *,
        providers: dict[str, OAuthProvider],
        states: OAuthStates,
        connections: ConnectionRepository,
        clock: Clock,
        public_base_url: str,
        http: requests.Session | None = None,
        profiles: CompanyProfileReader | None = None,
        snapshots: SnapshotStore | None = None,
        snapshot_retention: SnapshotRetention | None = None,
        xero: XeroConnections | None = None,
        leases: Leases | None = None,
        routes: Routes | None = None,
        access_tokens: Callable[[Connection], AccessTokenProvider] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        elapsed: Monotonic = monotonic,
    ) -> None:
        """`xero`: Xero's identity service (the container passes xero-python's; by default plain `requests` on
        `http`). `leases`: a consent waits for refreshes of the organisation's Xero tokens. `routes`: who else holds
        an organisation. `access_tokens`: a connection's token provider, for the call that disconnects it.
        `snapshot_retention`: a disconnected connection's synced customers and invoices expire (retention.SNAPSHOT)."""
        self._providers = providers
        self._states = states
        self._connections = connections
        self._clock = clock
        self._base = public_base_url.rstrip("/")
        self._http = http or requests.Session()
        self._profiles = profiles
        self._snapshots = snapshots
        self._snapshot_retention = snapshot_retention
        self._routes = routes
        xero_provider = providers.get("xero")
        identity = xero or (HttpXeroConnections(xero_provider, self._http) if xero_provider else None)
        self._xero = (
            XeroGrants(
                connections=connections,
                xero=identity,
                clock=clock,
                leases=leases,
                access_tokens=access_tokens,
                sleep=sleep,
                elapsed=elapsed,
            )
            if identity is not None
            else None
        )

    def redirect_uri(self, provider: str) -> str:
        return f"{self._base}/connect/{provider}/callback"

    def _provider(self, name: str) -> OAuthProvider:
        provider = self._providers.get(name)
        if provider is None:
            raise ConnectError(f"unknown provider {name!r}", kind="unknown_provider")
        return provider

    # -- 1. start ----------------------------------------------------------------------------------------------

    def start(self, *, org_id: str, user_sub: str, provider_name: str) -> str:
        """Store a fresh state (and PKCE verifier) and return the provider's authorize URL."""
        provider = self._provider(provider_name)
        state = secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(64) if provider.pkce else ""
        redirect_uri = self.redirect_uri(provider.name)
        pending = PendingAuthorization(
            org_id=org_id, user_sub=user_sub, provider=provider.name, code_verifier=verifier, redirect_uri=redirect_uri
        )
        self._states.put(state, pending, now=self._clock.now(), ttl=STATE_LIFETIME)
        query = {
            "response_type": "code",
            "client_id": provider.client_id,
            "redirect_uri": redirect_uri,
            "scope": provider.scopes,
            "state": state,
        }
        if provider.pkce:
            query |= {"code_challenge": pkce_challenge(verifier), "code_challenge_method": "S256"}
        return f"{provider.authorize_url}?{urlencode(query)}"

    # -- 2. callback -------------------------------------------------------------------------------------------

    def finish(self, *, org_id: str, user_sub: str, provider_name: str, query: dict[str, str]) -> list[Connection]:
        """Check the state, exchange the code, store a connection per organisation the consent covers."""
        provider = self._provider(provider_name)
        pending = self._take_state(provider, user_sub, query)
        if pending.org_id != org_id:
            raise ConnectError("state started for another organisation", kind="wrong_user")
        if query.get("error"):
            kind = "denied" if query["error"] == "access_denied" else "provider_error"
            raise ConnectError(f"provider answered error={query['error']}", kind=kind)
        code = query.get("code", "")
        if not code:
            raise ConnectError("callback without a code", kind="provider_error")
        if provider.name == "xero":
            connections = self._finish_xero(org_id, provider, code, pending)
        else:
            realm = query.get("realmId", "")
            if not realm:
                raise ConnectError("the consent covers no company", kind="no_organisations")
            tokens = self._exchange(provider, code, pending)
            profile = self._profile(provider.name, realm, tokens)
            name = f"QuickBooks company {realm}"
            connections = [self._store(org_id, provider.name, realm, name, tokens, profile=profile)]
        for connection in connections:  # connected again within the retention: its snapshot is live again
            self._retain_snapshot(org_id, connection.connection_id, None)
        logger.info("connected", extra={"provider": provider.name, "connections": len(connections)})
        return connections

    def _finish_xero(
        self, org_id: str, provider: OAuthProvider, code: str, pending: PendingAuthorization
    ) -> list[Connection]:
        """The consent's tokens become its Xero user's grant; each organisation it connected, a connection of it."""
        grants = self._xero_grants()
        try:
            consent = grants.consent(org_id, lambda: self._exchange(provider, code, pending))
        except ConnectError:
            raise
        except LunasError as exc:
            raise ConnectError(f"Xero connections unreadable ({type(exc).__name__})", kind="provider_error") from None
        if not consent.organisations:
            raise ConnectError("the consent covers no organisation", kind="no_organisations")
        connections = []
        for organisation in consent.organisations:
            profile = self._profile("xero", organisation.tenant_id, consent.tokens)
            connection, before = grants.attach(org_id, consent, organisation, profile)
            if before is not None and profile.country and profile.country != before.country:
                self._forget_phones(org_id, connection.connection_id)
            connections.append(connection)
        restored = grants.restore(org_id, consent, [c.connection_id for c in connections])
        if restored:
            logger.info("the Xero user's other organisations read the new tokens", extra={"restored": len(restored)})
        return connections

    def held_elsewhere(self, org_id: str, connections: list[Connection]) -> list[Connection]:
        """Those of `connections` that another Lunas organisation has connected too (not disconnected there): both
        would remind their customers, and both share the provider's limits for that company."""
        if self._routes is None:
            return []
        shared = []
        for connection in connections:
            for route in self._routes.connections_for_tenant(connection.provider, connection.tenant_id):
                if route.org_id == org_id:
                    continue
                try:
                    other = self._connections.get(route.org_id, route.connection_id)
                except LunasError:
                    continue
                if other.status is not ConnectionStatus.DISCONNECTED:
                    shared.append(connection)
                    break
        return shared

    def _xero_grants(self) -> XeroGrants:
        if self._xero is None:
            raise ConnectError("Xero is not configured", kind="unknown_provider")
        return self._xero

    def _forget_phones(self, org_id: str, connection_id: str) -> None:
        if self._snapshots is not None:
            forget_customer_phones(self._snapshots, org_id, connection_id)

    def _profile(self, provider: str, tenant_id: str, tokens: OAuthTokens) -> CompanyProfile:
        """Where the company is, or an empty profile (the organisation's country applies) if it cannot be read."""
        if self._profiles is None:
            return CompanyProfile()
        try:
            return self._profiles(provider=provider, tenant_id=tenant_id, access_token=tokens.access_token)
        except LunasError as exc:
            logger.warning(
                "could not read the company's country; the organisation's applies",
                extra={"provider": provider, "tenant_id": tenant_id, "error": str(exc)},
            )
            return CompanyProfile()

    def _take_state(self, provider: OAuthProvider, user_sub: str, query: dict[str, str]) -> PendingAuthorization:
        state = query.get("state", "")
        if not state:
            raise ConnectError("callback without state", kind="missing_state")
        try:
            return self._states.consume(state, user_sub=user_sub, provider=provider.name, now=self._clock.now())
        except StateInvalid as exc:
            kinds = {"missing": "missing_state", "expired": "expired_state", "replayed": "replayed"}
            raise ConnectError(str(exc), kind=kinds.get(exc.kind, "wrong_user")) from None

    def _exchange(self, provider: OAuthProvider, code: str, pending: PendingAuthorization) -> OAuthTokens:
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": pending.redirect_uri}
        if pending.code_verifier:
            form["code_verifier"] = pending.code_verifier
        try:
            response = self._http.post(
                provider.token_url,
                data=form,
                auth=_basic(provider),
                headers={"Accept": "application/json"},
                timeout=_TIMEOUT,
            )
        except requests.RequestException as exc:
            raise ConnectError(f"token endpoint unreachable ({type(exc).__name__})", kind="provider_error") from None
        if response.status_code == 400 and _oauth_error(response) == "invalid_grant":
            raise ConnectError("the provider refused the code (used, expired or not ours)", kind="code_rejected")
        if response.status_code != 200:
            raise ConnectError(f"token endpoint answered HTTP {response.status_code}", kind="provider_error")
        return _parse_tokens(response, self._clock.now())

    def _store(
        self, org_id: str, provider: str, tenant_id: str, name: str, tokens: OAuthTokens, *, profile: CompanyProfile
    ) -> Connection:
        """A QuickBooks company: its own token set (Intuit's tokens are per company)."""
        connection = Connection(
            org_id=org_id,
            connection_id=f"{provider}:{tenant_id}",
            provider=provider,
            tenant_id=tenant_id,
            tenant_name=(profile.name or name) if provider == "quickbooks" else name,  # realmId names no company
            country=profile.country,
            currency=profile.currency,
            timezone=profile.timezone,
        )
        version = self._connections.version(org_id, connection.connection_id)
        if version is None:
            self._connections.add(connection, tokens)
            return connection
        # Connecting again (after "reconnect needed" or a disconnect): new tokens, active again, the company's news.
        before = self._connections.get(org_id, connection.connection_id)
        self._connections.save_tokens(org_id, connection.connection_id, tokens, expected_version=version)
        self._connections.set_status(org_id, connection.connection_id, ConnectionStatus.ACTIVE)
        if profile.country or profile.currency or profile.timezone:
            self._connections.set_profile(org_id, connection.connection_id, profile)
        if profile.country and profile.country != before.country:
            self._forget_phones(org_id, connection.connection_id)
        return self._connections.get(org_id, connection.connection_id)

    # -- 3. disconnect -----------------------------------------------------------------------------------------

    def disconnect(self, *, org_id: str, connection_id: str) -> Disconnected:
        provider_name, _, tenant_id = connection_id.partition(":")
        if provider_name not in self._providers or not tenant_id or len(connection_id.encode()) > 512:
            raise ConnectError("no such connection in this organisation", kind="not_found")  # never a key lookup
        try:
            connection = self._connections.get(org_id, connection_id)
        except LunasError:
            raise ConnectError("no such connection in this organisation", kind="not_found") from None
        provider = self._provider(connection.provider)
        if provider.name == "xero":
            revoked = self._xero_grants().drop(connection)  # this organisation only; the grant with its last one
        else:
            revoked = self._revoke(provider, connection)
            self._connections.delete_tokens(org_id, connection_id)
        self._connections.set_status(org_id, connection_id, ConnectionStatus.DISCONNECTED)
        self._retain_snapshot(org_id, connection_id, retention.SNAPSHOT.until(self._clock.now()))
        logger.info("disconnected", extra={"provider": provider.name, "revoked": revoked})
        return Disconnected(connection=connection, revoked_at_provider=revoked)

    def _retain_snapshot(self, org_id: str, connection_id: str, until: dt.datetime | None) -> None:
        if self._snapshot_retention is not None:
            self._snapshot_retention.retain_until(org_id, connection_id, until)

    def _revoke(self, provider: OAuthProvider, connection: Connection) -> bool:
        """QuickBooks: Intuit's tokens are per company, so revoking them drops this company only."""
        try:
            tokens, _ = self._connections.load_tokens(connection.org_id, connection.connection_id)
        except LunasError:
            return True  # nothing stored: nothing to revoke
        try:
            response = self._http.post(
                provider.revoke_url,
                json={"token": tokens.refresh_token},
                auth=_basic(provider),
                headers={"Accept": "application/json"},
                timeout=_TIMEOUT,
            )
        except requests.RequestException:
            return False
        return response.status_code == 200


class HttpXeroConnections:
    """`XeroConnections` over plain `requests` (the default when no other is given; the container passes
    xero-python's, `chalicelib.adapters.xero_oauth.XeroIdentity`)."""

    def __init__(self, provider: OAuthProvider, http: requests.Session) -> None:
        self._provider = provider
        self._http = http

    def connections(self, access_token: str, *, auth_event_id: str = "") -> list[TenantConnection]:
        params = {"authEventId": auth_event_id} if auth_event_id else {}
        try:
            response = self._http.get(
                self._provider.connections_url, params=params, headers=_bearer(access_token), timeout=_TIMEOUT
            )
            rows = response.json() if response.status_code == 200 else None
        except (requests.RequestException, ValueError) as exc:
            raise AccountingError(f"Xero connections unreachable ({type(exc).__name__})") from None
        if not isinstance(rows, list):
            raise AccountingError(f"Xero connections answered HTTP {response.status_code}")
        return [
            TenantConnection(
                connection_id=str(row.get("id") or ""),
                tenant_id=str(row["tenantId"]),
                tenant_name=str(row.get("tenantName") or ""),
                tenant_type=str(row.get("tenantType") or ORGANISATION),
                auth_event_id=str(row.get("authEventId") or ""),
            )
            for row in rows
        ]

    def delete_connection(self, access_token: str, connection_id: str) -> bool:
        url = f"{self._provider.connections_url}/{quote(connection_id, safe='')}"
        try:
            response = self._http.delete(url, headers=_bearer(access_token), timeout=_TIMEOUT)
        except requests.RequestException:
            return False
        return response.status_code in (200, 204, 404)  # 404: already gone

    def revoke(self, refresh_token: str) -> bool:
        provider = self._provider
        try:
            response = self._http.post(
                provider.revoke_url, data={"token": refresh_token}, auth=_basic(provider), timeout=_TIMEOUT
            )
        except requests.RequestException:
            return False
        return response.status_code == 200


def _bearer(access_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token}", "Accept": "application/json"}


def _oauth_error(response: requests.Response) -> str:
    try:
        return str(response.json().get("error") or "")
    except (ValueError, AttributeError):
        return ""


def _parse_tokens(response: requests.Response, now: dt.datetime) -> OAuthTokens:
    try:
        data = response.json()
        return OAuthTokens(
            access_token=str(data["access_token"]),
            refresh_token=str(data["refresh_token"]),
            expires_at=now + dt.timedelta(seconds=int(data["expires_in"])),
            scope=str(data.get("scope") or ""),
        )
    except (ValueError, KeyError, TypeError):
        raise ConnectError("unreadable token answer", kind="provider_error") from None


def providers_from_settings(config: Any) -> dict[str, OAuthProvider]:
    """Both providers from `chalicelib.config.Settings`."""
    xero_identity = config.xero_identity_base.rstrip("/")
    return {
        "xero": OAuthProvider(
            name="xero",
            client_id=config.xero_client_id,
            client_secret=config.xero_client_secret,
            authorize_url=config.xero_authorize_url,
            token_url=f"{xero_identity}/connect/token",
            revoke_url=f"{xero_identity}/connect/revocation",
            scopes=XERO_SCOPES,
            pkce=True,
            connections_url=config.xero_api_base.rstrip("/") + "/connections",
        ),
        "quickbooks": OAuthProvider(
            name="quickbooks",
            client_id=config.intuit_client_id,
            client_secret=config.intuit_client_secret,
            authorize_url=config.intuit_authorize_url,
            token_url=config.intuit_token_url,
            revoke_url=config.intuit_revoke_url,
            scopes=QUICKBOOKS_SCOPES,
            pkce=False,
        ),
    }
