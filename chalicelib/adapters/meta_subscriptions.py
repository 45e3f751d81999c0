"""Dropping our app's webhook subscription to a WhatsApp Business Account (the organisation is being deleted).

`DELETE /{v}/{waba-id}/subscribed_apps` with the business token -> {"success": true}: Meta stops sending that
account's webhooks to our app (https://developers.facebook.com/docs/graph-api/reference/whats-app-business-account/
subscribed_apps, "Deleting"). Only httpx is imported; the token never appears in a log line.
"""

from __future__ import annotations

import httpx

from chalicelib.adapters import http
from chalicelib.observability import count, logger

_GONE_CODES = frozenset({100})  # the account is gone: nothing left to unsubscribe from


class GraphSubscriptions:
    """`chalicelib.ports.WhatsAppSubscription` over httpx."""

    def __init__(self, *, graph_base_url: str, api_version: str, timeout_seconds: float = 10.0) -> None:
        self._where = (graph_base_url, api_version)
        self._timeout = httpx.Timeout(timeout_seconds, connect=4.0)

    def unsubscribe(self, *, business_account_id: str, access_token: str) -> bool:
        try:
            with http.graph_client(*self._where, timeout=self._timeout, access_token=access_token) as client:
                answer = client.delete(f"/{business_account_id}/subscribed_apps")
        except httpx.HTTPError as exc:
            logger.warning(
                "Meta unreachable: the app's subscription was not dropped", extra={"error": type(exc).__name__}
            )
            count("WhatsAppUnsubscribeFailed")
            return False
        if answer.status_code == 200:
            return bool(_json(answer).get("success"))
        code = (_json(answer).get("error") or {}).get("code")
        if code in _GONE_CODES:
            return True
        logger.warning(
            "Meta refused to drop the app's subscription", extra={"status": answer.status_code, "code": code}
        )
        count("WhatsAppUnsubscribeFailed")
        return False


def _json(answer: httpx.Response) -> dict:  # type: ignore[type-arg]
    try:
        body = answer.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
