"""Connecting and disconnecting Xero organisations and QuickBooks companies: the OAuth 2.0 authorization-code flow.

1. `start`: a random `state` (stored hashed for ten minutes, bound to the signed-in user and organisation) and, for
   Xero, a PKCE verifier; the browser goes to the provider's authorize page.
2. `finish`: the callback must bring back a `state` this user started and has not used; the code is exchanged at the
   token endpoint (xero-python has no helper for it, so this is plain `requests`); Xero's `/connections` lists the
   organisations the consent covers (each becomes a connection, all sharing the one token set); QuickBooks names
   its company in `realmId`. Each company's country, currency and time zone are read with the new token (Xero
   `Organisation`, QuickBooks `CompanyInfo` and `Preferences`: `CompanyProfileReader`) and kept on the connection:
   its customers' numbers written without `+` are read in that country. A company that cannot say (an error, a
   throttle) is connected all the same and falls back to the organisation's country. Tokens are stored
   KMS-encrypted (`DynamoConnectionRepository`).
3. `disconnect`: revoke at the provider, delete the stored tokens at once, mark the connection disconnected (the
   hourly fan-out only reads active connections, so its reminders stop).

Every failure is a `ConnectError` with a `kind` the dashboard turns into a page a person understands. Tokens and
codes never appear in an exception message, a log line or a URL we build.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode

import jwt
import requests

from chalicelib.domain.changes import SnapshotChange
from chalicelib.domain.errors import LunasError, StateInvalid
from chalicelib.domain.models import CompanyProfile, Connection, ConnectionStatus, OAuthTokens
from chalicelib.domain.records import PendingAuthorization
from chalicelib.observability import logger
from chalicelib.ports import Clock, ConnectionRepository, OAuthStates, SnapshotStore

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
    ) -> None:
        self._providers = providers
        self._states = states
        self._connections = connections
        self._clock = clock
        self._base = public_base_url.rstrip("/")
        self._http = http or requests.Session()
        self._profiles = profiles
        self._snapshots = snapshots

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
        tokens, raw = self._exchange(provider, code, pending)
        tenants = self._tenants(provider, tokens, raw, query)
        if not tenants:
            raise ConnectError("the consent covers no organisation", kind="no_organisations")
        connections = [
            self._store(
                org_id, provider.name, tenant_id, name, tokens, profile=self._profile(provider.name, tenant_id, tokens)
            )
            for tenant_id, name in tenants
        ]
        logger.info("connected", extra={"provider": provider.name, "connections": len(connections)})
        return connections

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

    def _exchange(self, provider: OAuthProvider, code: str, pending: PendingAuthorization) -> tuple[OAuthTokens, Any]:
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

    def _tenants(
        self, provider: OAuthProvider, tokens: OAuthTokens, raw: Any, query: dict[str, str]
    ) -> list[tuple[str, str]]:
        if provider.name == "quickbooks":
            realm = query.get("realmId", "")
            return [(realm, f"QuickBooks company {realm}")] if realm else []
        params = {}
        event = _auth_event_id(tokens.access_token)
        if event:
            params["authEventId"] = event  # only the organisations connected in this flow
        try:
            response = self._http.get(
                provider.connections_url,
                params=params,
                headers={"Authorization": f"Bearer {tokens.access_token}", "Accept": "application/json"},
                timeout=_TIMEOUT,
            )
        except requests.RequestException as exc:
            raise ConnectError(f"connections unreachable ({type(exc).__name__})", kind="provider_error") from None
        if response.status_code != 200:
            raise ConnectError(f"connections answered HTTP {response.status_code}", kind="provider_error")
        rows = response.json()
        return [
            (str(r["tenantId"]), str(r.get("tenantName") or ""))
            for r in rows
            if r.get("tenantType", "ORGANISATION") == "ORGANISATION"
        ]

    def _store(
        self, org_id: str, provider: str, tenant_id: str, name: str, tokens: OAuthTokens, *, profile: CompanyProfile
    ) -> Connection:
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
        if profile.country and profile.country != before.country and self._snapshots is not None:
            forget_customer_phones(self._snapshots, org_id, connection.connection_id)
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
        revoked = self._revoke(provider, connection)
        self._connections.set_status(org_id, connection_id, ConnectionStatus.DISCONNECTED)
        self._connections.delete_tokens(org_id, connection_id)
        logger.info("disconnected", extra={"provider": provider.name, "revoked": revoked})
        return Disconnected(connection=connection, revoked_at_provider=revoked)

    def _revoke(self, provider: OAuthProvider, connection: Connection) -> bool:
        try:
            tokens, _ = self._connections.load_tokens(connection.org_id, connection.connection_id)
        except LunasError:
            return True  # nothing stored: nothing to revoke
        if self._shared(connection, tokens.refresh_token):
            return True  # another connection of this consent still uses the token set; ours is deleted below
        try:
            if provider.name == "quickbooks":
                response = self._http.post(
                    provider.revoke_url,
                    json={"token": tokens.refresh_token},
                    auth=_basic(provider),
                    headers={"Accept": "application/json"},
                    timeout=_TIMEOUT,
                )
            else:
                response = self._http.post(
                    provider.revoke_url, data={"token": tokens.refresh_token}, auth=_basic(provider), timeout=_TIMEOUT
                )
        except requests.RequestException:
            return False
        return response.status_code == 200

    def _shared(self, connection: Connection, refresh_token: str) -> bool:
        for other in self._connections.for_org(connection.org_id):
            if other.connection_id == connection.connection_id or other.status is ConnectionStatus.DISCONNECTED:
                continue
            try:
                theirs, _ = self._connections.load_tokens(other.org_id, other.connection_id)
            except LunasError:
                continue
            if theirs.refresh_token == refresh_token:
                return True
        return False


def _oauth_error(response: requests.Response) -> str:
    try:
        return str(response.json().get("error") or "")
    except (ValueError, AttributeError):
        return ""


def _parse_tokens(response: requests.Response, now: dt.datetime) -> tuple[OAuthTokens, Any]:
    try:
        data = response.json()
        tokens = OAuthTokens(
            access_token=str(data["access_token"]),
            refresh_token=str(data["refresh_token"]),
            expires_at=now + dt.timedelta(seconds=int(data["expires_in"])),
            scope=str(data.get("scope") or ""),
        )
    except (ValueError, KeyError, TypeError):
        raise ConnectError("unreadable token answer", kind="provider_error") from None
    return tokens, data


def _auth_event_id(access_token: str) -> str:
    """Xero's access token is a JWT naming the consent (`authentication_event_id`); other tokens have none."""
    try:
        claims = jwt.decode(access_token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return ""
    return str(claims.get("authentication_event_id") or "")


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
