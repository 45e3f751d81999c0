"""xero-python set up for one gateway or token refresher: its own bearer header, no hidden retries, readable errors.

Shared by `xero.py` (the accounting gateway) and `xero_oauth.py` (the token endpoint). Token state is per client:
xero-python's `Configuration` is a process-wide singleton whose `OAuth2Token` would be shared by every tenant in a
warm Lambda, so each client gets its own copy of the configuration with its own bearer-header provider.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from xero_python.api_client import ApiClient, Configuration
from xero_python.exceptions import ApiException

BACKOFF_SECONDS = (0.5, 1.0, 2.0, 4.0)  # between retries of a transient failure (API calls and token refreshes)


class BearerAuth:
    """Stands in for xero-python's OAuth2Token on one gateway's Configuration: a fixed, per-gateway bearer header.

    The SDK calls `get_auth_settings()(api_client=...)` before every request; nothing here is shared between gateways.
    """

    def __init__(self) -> None:
        self.access_token = ""

    def get_auth_settings(self) -> Callable[..., dict[str, str]]:
        return self._settings

    def _settings(self, api_client: Any = None) -> dict[str, str]:
        return {"type": "oauth2", "in": "header", "key": "Authorization", "value": f"Bearer {self.access_token}"}


def api_client(auth: BearerAuth) -> Any:
    # Configuration() returns a copy of the process-wide default; replacing `oauth2_token` on the copy keeps this
    # gateway's token out of every other gateway's requests.
    configuration = Configuration()
    configuration.oauth2_token = auth
    client = ApiClient(configuration, pool_threads=1)
    # Transport retries happen in one place (ours, with the injected sleep), not hidden inside urllib3 as well.
    client.rest_client.pool_manager.connection_pool_kw["retries"] = False
    return client


def http_status(exc: ApiException) -> int:
    """The HTTP status, read from the response itself: the SDK's `status` property parses error bodies and can raise."""
    status = getattr(exc.http_resp, "status", None)
    return status if isinstance(status, int) else 0
