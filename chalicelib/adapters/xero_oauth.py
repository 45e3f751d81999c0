"""Xero's OAuth 2.0 token endpoint through xero-python's TokenApi: refreshing a connection's rotating tokens.

Separate from the gateway because it talks to another host (Xero's identity service, not the accounting API) and
serves another caller (the token service, not the reminder cycle). SDK exceptions never leave this module: they
become `chalicelib.domain.errors`.
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

from chalicelib.adapters.xero_client import BACKOFF_SECONDS, BearerAuth, api_client, http_status
from chalicelib.domain.errors import AccountingError, ReconnectNeeded
from chalicelib.domain.models import OAuthTokens

log = logging.getLogger(__name__)

DEFAULT_SCOPES = ("offline_access", "accounting.invoices.read", "accounting.contacts.read")


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


def _oauth_error(body: Any) -> str:
    try:
        return str(json.loads(body or b"{}").get("error") or "")
    except (ValueError, AttributeError):
        return ""
