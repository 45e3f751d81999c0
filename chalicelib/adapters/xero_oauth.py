"""Xero's identity service through xero-python: refreshing a grant's rotating tokens (TokenApi), and the
organisations a user connected, dropping one, revoking the user's consent (IdentityApi, TokenApi.revoke_token).

Separate from the gateway because it talks to other endpoints (Xero's identity service, not the accounting API) and
serves other callers (the token service and the connect flows, not the reminder cycle). SDK exceptions never leave
this module: they become `chalicelib.domain.errors`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import urllib3
from xero_python.api_client.oauth2 import TokenApi
from xero_python.exceptions import ApiException
from xero_python.identity import IdentityApi

from chalicelib.adapters.xero_client import BACKOFF_SECONDS, BearerAuth, api_client, http_status
from chalicelib.domain.errors import AccountingError, ReconnectNeeded
from chalicelib.domain.grants import ORGANISATION, TenantConnection
from chalicelib.domain.models import OAuthTokens

log = logging.getLogger(__name__)

# A refresh names no scope, as Xero's refresh request does
# (https://developer.xero.com/documentation/guides/oauth2/auth-flow/#refreshing-access-and-refresh-tokens): the new
# token keeps what the user granted. Naming scopes (xero-python sends whatever list it is given) can only narrow it:
# an earlier list without `accounting.settings.read` would have lost the organisation's country on every refresh.
DEFAULT_SCOPES: tuple[str, ...] = ()


class XeroTokenRefresher:
    """`chalicelib.ports.TokenRefresher` for Xero: xero-python's TokenApi, pointed at a configurable identity host.

    The token URL is set on the TokenApi *instance*, never on the class, so two refreshers never share it.
    """

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        identity_base: str = "https://identity.xero.com",
        scopes: Sequence[str] = DEFAULT_SCOPES,
        now: Callable[[], dt.datetime],  # the business clock: expiry is compared with it (bootstrap's Clock.now)
        sleep: Callable[[float], None] = time.sleep,
        max_attempts: int = 2,
    ) -> None:
        self._token_api = TokenApi(api_client(BearerAuth()), client_id, client_secret)
        self._token_api.refresh_token_url = identity_base.rstrip("/") + "/connect/token"
        self._scopes = list(scopes)
        self._now = now
        self._sleep = sleep
        self._max_attempts = max_attempts

    def refresh(self, refresh_token: str) -> OAuthTokens:
        # Retrying a lost refresh with the same token is safe: Xero keeps the previous one valid for 30 minutes.
        for attempt in range(1, self._max_attempts + 1):
            try:
                return self._parse(self._token_api.refresh_token(refresh_token, self._scopes))
            except ApiException as exc:
                self._raise_unless_transient(exc)
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                log.warning("Xero token refresh: transport error (%s)", type(exc).__name__)
            except ValueError:  # TokenApi json-decodes whatever came back with a 200
                raise AccountingError("Xero token endpoint: unreadable answer") from None
            if attempt < self._max_attempts:
                self._sleep(BACKOFF_SECONDS[attempt - 1])
        raise AccountingError("Xero token endpoint unreachable")

    @staticmethod
    def _raise_unless_transient(exc: ApiException) -> None:
        status = http_status(exc)
        if status and status < 500:
            error = _oauth_error(exc.body)
            if error == "invalid_grant":
                raise ReconnectNeeded("Xero refused the refresh token (invalid_grant): reconnect needed") from None
            raise AccountingError(f"Xero token endpoint: HTTP {status} {error}".rstrip()) from None
        log.warning("Xero token refresh: HTTP %s", status)

    def _parse(self, data: Any) -> OAuthTokens:
        try:
            expires_in = int(data["expires_in"])
            return OAuthTokens(
                access_token=str(data["access_token"]),
                refresh_token=str(data["refresh_token"]),
                expires_at=self._now() + dt.timedelta(seconds=expires_in),
                scope=str(data.get("scope") or ""),
            )
        except (KeyError, TypeError, ValueError):
            raise AccountingError("Xero token endpoint: unreadable answer") from None


class XeroIdentity:
    """`chalicelib.ports.XeroConnections` through xero-python: `IdentityApi.get_connections` (with `auth_event_id`),
    `IdentityApi.delete_connection`, and `TokenApi.revoke_token`, against configurable hosts.

    Each call gets its own API client with its own bearer header: one user's token never rides on another's call.
    No retries: the owner is waiting for the page, and a failure is shown or (disconnect) reported.
    """

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        api_base: str = "https://api.xero.com",
        identity_base: str = "https://identity.xero.com",
        timeout_seconds: float = 15,
    ) -> None:
        self._client_id = client_id
        self._client_secret = client_secret
        self._api_base = api_base.rstrip("/")
        self._revoke_url = identity_base.rstrip("/") + "/connect/revocation"
        self._timeout = timeout_seconds

    def _identity(self, access_token: str) -> Any:
        auth = BearerAuth()
        auth.access_token = access_token
        return IdentityApi(api_client(auth), base_url=self._api_base)

    def connections(self, access_token: str, *, auth_event_id: str = "") -> list[TenantConnection]:
        options: dict[str, Any] = {"auth_event_id": auth_event_id} if auth_event_id else {}
        try:
            rows = self._identity(access_token).get_connections(_request_timeout=self._timeout, **options)
        except ApiException as exc:
            raise AccountingError(f"Xero connections: HTTP {http_status(exc)}") from None
        except (urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
            raise AccountingError(f"Xero connections unreachable ({type(exc).__name__})") from None
        return [
            TenantConnection(
                connection_id=str(row.id or ""),
                tenant_id=str(row.tenant_id),
                tenant_name=str(row.tenant_name or ""),
                tenant_type=str(row.tenant_type or ORGANISATION),
                auth_event_id=str(row.auth_event_id or ""),
            )
            for row in rows or []
        ]

    def delete_connection(self, access_token: str, connection_id: str) -> bool:
        try:
            self._identity(access_token).delete_connection(connection_id, _request_timeout=self._timeout)
        except ApiException as exc:
            status = http_status(exc)
            log.warning("Xero delete connection: HTTP %s", status)
            return status == 404  # already gone
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            log.warning("Xero delete connection: transport error (%s)", type(exc).__name__)
            return False
        return True

    def revoke(self, refresh_token: str) -> bool:
        token_api = TokenApi(api_client(BearerAuth()), self._client_id, self._client_secret)
        token_api.revoke_token_url = self._revoke_url  # on the instance, never the class
        try:
            token_api.revoke_token(refresh_token)
        except ApiException as exc:
            log.warning("Xero revocation: HTTP %s", http_status(exc))
            return False
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            log.warning("Xero revocation: transport error (%s)", type(exc).__name__)
            return False
        except Exception:  # TokenApi raises a bare Exception for a 2xx other than 200
            log.warning("Xero revocation: unexpected answer")
            return False
        return True


def _oauth_error(body: Any) -> str:
    try:
        return str(json.loads(body or b"{}").get("error") or "")
    except (ValueError, AttributeError):
        return ""
