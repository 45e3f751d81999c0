"""Intuit's OAuth 2.0 token endpoint through intuit-oauth: refreshing tokens and exchanging the connect flow's code.

Separate from the gateway because it talks to another host (Intuit's identity platform, not the company's API) and
serves another caller (the token service and the connect flow, not the reminder cycle). intuit-oauth's AuthClient
GETs a discovery document in its constructor; `_StaticDiscoveryAuthClient` answers that GET from static values, so
refreshing a token is exactly one POST. SDK exceptions never leave this module: they become
`chalicelib.domain.errors`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import requests
from intuitlib.client import AuthClient
from intuitlib.exceptions import AuthClientError

from chalicelib.adapters.quickbooks_transport import BACKOFF_SECONDS
from chalicelib.domain.errors import AccountingError, ReconnectNeeded
from chalicelib.domain.models import OAuthTokens

log = logging.getLogger(__name__)

# Intuit's published production discovery document (api-facts.md §2.1), so constructing AuthClient costs no GET.
PRODUCTION_DISCOVERY: Mapping[str, str] = {
    "issuer": "https://oauth.platform.intuit.com/op/v1",
    "authorization_endpoint": "https://appcenter.intuit.com/connect/oauth2",
    "token_endpoint": "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
    "userinfo_endpoint": "https://accounts.platform.intuit.com/v1/openid_connect/userinfo",
    "revocation_endpoint": "https://developer.api.intuit.com/v2/oauth2/tokens/revoke",
    "jwks_uri": "https://oauth.platform.intuit.com/op/v1/jwks",
}
PRODUCTION_DISCOVERY_URL = "https://developer.intuit.com/.well-known/openid_configuration/"


def static_discovery(*, token_url: str, revoke_url: str, authorize_url: str) -> dict[str, str]:
    """Intuit's discovery document with these endpoints (the sandbox points them at the fake)."""
    return {
        **PRODUCTION_DISCOVERY,
        "token_endpoint": token_url,
        "revocation_endpoint": revoke_url,
        "authorization_endpoint": authorize_url,
    }


class _StaticDiscoveryAuthClient(AuthClient):  # type: ignore[misc]  # intuit-oauth is untyped
    """intuit-oauth's AuthClient, but the discovery GET of its constructor is answered from static values.

    (Patching `intuitlib.client.get_discovery_doc` would do the same for every AuthClient in the process.)
    """

    def __init__(self, *, client_id: str, client_secret: str, redirect_uri: str, discovery: Mapping[str, str]) -> None:
        self._discovery_url = PRODUCTION_DISCOVERY_URL
        self._discovery = dict(discovery)
        super().__init__(client_id, client_secret, redirect_uri, environment=self._discovery_url)

    def get(self, url: Any, **kwargs: Any) -> requests.Response:
        if url == self._discovery_url:
            response = requests.Response()
            response.status_code = 200
            response._content = json.dumps(self._discovery).encode()
            return response
        return super().get(url, **kwargs)  # type: ignore[no-any-return]


class QuickBooksTokenRefresher:
    """`chalicelib.ports.TokenRefresher` for Intuit: intuit-oauth with configurable endpoints and no discovery GET.

    Intuit may hand back a new refresh token on any refresh: the caller must store the one returned.
    """

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        token_url: str = PRODUCTION_DISCOVERY["token_endpoint"],
        revoke_url: str = PRODUCTION_DISCOVERY["revocation_endpoint"],
        authorize_url: str = PRODUCTION_DISCOVERY["authorization_endpoint"],
        redirect_uri: str = "",
        now: Callable[[], dt.datetime],  # the business clock: expiry is compared with it (bootstrap's Clock.now)
        sleep: Callable[[float], None] = time.sleep,
        max_attempts: int = 2,
    ) -> None:
        self._client_id = client_id
        self._client_secret = client_secret
        self._discovery = static_discovery(token_url=token_url, revoke_url=revoke_url, authorize_url=authorize_url)
        self._redirect_uri = redirect_uri
        self._now = now
        self._sleep = sleep
        self._max_attempts = max_attempts

    def auth_client(self) -> Any:
        """A fresh intuit-oauth client (one per exchange: it keeps the tokens it receives as attributes)."""
        return _StaticDiscoveryAuthClient(
            client_id=self._client_id,
            client_secret=self._client_secret,
            redirect_uri=self._redirect_uri,
            discovery=self._discovery,
        )

    def refresh(self, refresh_token: str) -> OAuthTokens:
        # Retrying with the same token is safe: Intuit keeps a superseded refresh token working for about a day.
        return self._exchange("token refresh", lambda client: client.refresh(refresh_token=refresh_token))

    def exchange_code(self, code: str, realm_id: str) -> OAuthTokens:
        """The authorization code from the connect callback -> the first token set."""
        return self._exchange("code exchange", lambda client: client.get_bearer_token(code, realm_id=realm_id))

    def _exchange(self, what: str, call: Callable[[Any], None]) -> OAuthTokens:
        for attempt in range(1, self._max_attempts + 1):
            client = self.auth_client()
            try:
                call(client)
                return self._tokens(client)
            except AuthClientError as exc:
                self._raise_unless_transient(what, exc)
            except requests.RequestException as exc:
                log.warning("Intuit %s: transport error (%s)", what, type(exc).__name__)
            except ValueError:
                raise AccountingError(f"Intuit {what}: unreadable answer") from None
            if attempt < self._max_attempts:
                self._sleep(BACKOFF_SECONDS[attempt - 1])
        raise AccountingError(f"Intuit token endpoint unreachable ({what})")

    @staticmethod
    def _raise_unless_transient(what: str, exc: AuthClientError) -> None:
        status = int(exc.status_code or 0)
        if 0 < status < 500:
            error = _oauth_error(exc.content)
            if error == "invalid_grant":
                raise ReconnectNeeded(f"Intuit refused the grant in {what} (invalid_grant): reconnect needed") from None
            raise AccountingError(f"Intuit {what}: HTTP {status} {error}".rstrip()) from None
        log.warning("Intuit %s: HTTP %s", what, status)

    def _tokens(self, client: Any) -> OAuthTokens:
        try:
            expires_in = int(client.expires_in)
            if not (client.access_token and client.refresh_token):
                raise ValueError("missing token")
            return OAuthTokens(
                access_token=str(client.access_token),
                refresh_token=str(client.refresh_token),
                expires_at=self._now() + dt.timedelta(seconds=expires_in),
                scope="com.intuit.quickbooks.accounting",
            )
        except (TypeError, ValueError):
            raise AccountingError("Intuit token endpoint: unreadable answer") from None


def _oauth_error(body: Any) -> str:
    try:
        return str(json.loads(body or b"{}").get("error") or "")
    except (ValueError, AttributeError):
        return ""
