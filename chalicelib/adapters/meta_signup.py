"""Meta's Graph calls after Embedded Signup, as a Tech Provider makes them (`chalicelib.ports.MetaSignup`).

https://developers.facebook.com/documentation/business-messaging/whatsapp/embedded-signup/onboarding-customers-as-a-tech-provider
    1. `GET /{v}/oauth/access_token?client_id&client_secret&code` -> {"access_token", "token_type"}: the business token
    2. `POST /{v}/{waba-id}/subscribed_apps` -> {"success": true}: Meta sends that account's webhooks to our app
    3. `POST /{v}/{phone-number-id}/register` {"messaging_product": "whatsapp", "pin": "123456"} -> {"success": true}
    4. `GET /{v}/{phone-number-id}?fields=...` -> the display number, verified name, quality rating and messaging limit
       (`whatsapp_business_manager_messaging_limit`: `messaging_limit_tier` is deprecated,
       https://developers.facebook.com/documentation/business-messaging/whatsapp/messaging-limits)

Every Graph error leaves as `WhatsAppSignupRefused` with the step and a reason the dashboard explains in plain words;
the code, the app secret and the token never appear in a message or a log line. Only httpx is imported (the
dashboard's Lambda runs this).
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from chalicelib.adapters import http
from chalicelib.adapters.whatsapp_accounts import TOKEN_CODES, TRY_AGAIN_CODES
from chalicelib.observability import count
from chalicelib.ports import SignupReason, SignupStep, WhatsAppNumberDetails, WhatsAppSignupRefused

logger = logging.getLogger(__name__)

NUMBER_FIELDS = "display_phone_number,verified_name,quality_rating,whatsapp_business_manager_messaging_limit,throughput"

# Graph codes per step (https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes):
# 100 on the code exchange: the code is malformed, expired (subcode 36007) or already used (36009); 101 / 1 with an
# app id or secret Meta does not accept: our app's setup. 133005: the number's two-step PIN is another one; 133006 /
# 133010: the number is not verified / not registered with the business platform yet; 133015 / 133016: too many
# registration attempts (try later).
_APP_CODES = frozenset({101, 191})
_PIN_CODES = frozenset({133005})
_NOT_READY_CODES = frozenset({133006, 133010})
_LATER_CODES = frozenset({133015, 133016})


class GraphSignup:
    """`chalicelib.ports.MetaSignup` over httpx: one pooled client; the token goes with each request."""

    def __init__(
        self,
        *,
        graph_base_url: str,
        api_version: str,
        app_id: str,
        app_secret: str,
        timeout_seconds: float = 10.0,
        connect_timeout_seconds: float = 4.0,
    ) -> None:
        self._app_id = app_id
        self._app_secret = app_secret
        self._http = http.graph_client(
            graph_base_url, api_version, timeout=httpx.Timeout(timeout_seconds, connect=connect_timeout_seconds)
        )

    def close(self) -> None:
        self._http.close()

    def exchange_code(self, code: str) -> str:
        if not (self._app_id and self._app_secret):
            raise WhatsAppSignupRefused(
                "the Meta app id or secret is not configured", step="exchange", reason="app_not_configured"
            )
        params = {"client_id": self._app_id, "client_secret": self._app_secret, "code": code}
        body = self._call("exchange", "GET", "/oauth/access_token", params=params)
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise WhatsAppSignupRefused(
                "Meta's token answer had no access_token", step="exchange", reason="unavailable"
            )
        return token

    def subscribe_app(self, *, business_account_id: str, access_token: str) -> None:
        body = self._call("subscribe", "POST", f"/{business_account_id}/subscribed_apps", token=access_token)
        self._succeeded("subscribe", body)

    def register_number(self, *, phone_number_id: str, access_token: str, pin: str) -> None:
        payload = {"messaging_product": "whatsapp", "pin": pin}
        body = self._call("register", "POST", f"/{phone_number_id}/register", token=access_token, json=payload)
        self._succeeded("register", body)

    def read_number(self, *, phone_number_id: str, access_token: str) -> WhatsAppNumberDetails:
        body = self._call("read", "GET", f"/{phone_number_id}", token=access_token, params={"fields": NUMBER_FIELDS})
        return WhatsAppNumberDetails(
            phone_number_id=str(body.get("id") or phone_number_id),
            display_phone_number=_text(body.get("display_phone_number")),
            verified_name=_text(body.get("verified_name")),
            quality_rating=_text(body.get("quality_rating")).upper() or None,
            messaging_limit_tier=_tier(body),
            throughput_level=_throughput(body),
        )

    # -- one call -----------------------------------------------------------------------------------------------

    def _call(
        self,
        step: SignupStep,
        method: str,
        path: str,
        *,
        token: str | None = None,
        params: dict[str, str] | None = None,
        json: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        count("WhatsAppApiCalls")
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        try:
            response = self._http.request(method, path, params=params, json=json, headers=headers)
        except httpx.LocalProtocolError:  # only the token varies in the request's headers
            raise WhatsAppSignupRefused(
                "the token cannot be sent in a header", step=step, reason="token_invalid"
            ) from None
        except httpx.HTTPError as exc:
            logger.warning("whatsapp signup could not reach meta: step=%s %s", step, type(exc).__name__)
            raise WhatsAppSignupRefused(
                f"could not reach Meta ({type(exc).__name__})", step=step, reason="unavailable"
            ) from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code < 400 and isinstance(body, dict):
            return body
        raise signup_refusal(step, response.status_code, body)

    @staticmethod
    def _succeeded(step: SignupStep, body: dict[str, Any]) -> None:
        if body.get("success") is not True:
            raise WhatsAppSignupRefused("Meta did not answer success", step=step, reason="unavailable")


def signup_refusal(step: SignupStep, status: int, body: object) -> WhatsAppSignupRefused:
    """A Graph error answer of one signup step, as our error (no code, secret or token ever appears in it)."""
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    if not isinstance(code, int) or status < 400:
        code = None
    reason = _reason(step, status, code)
    title = str(error.get("message", ""))[:200] if isinstance(error, dict) else ""
    logger.warning("whatsapp signup refused: step=%s http=%s code=%s reason=%s", step, status, code, reason)
    return WhatsAppSignupRefused(
        f"Meta answered HTTP {status} (code {code}) {title}".strip(), step=step, reason=reason, code=code
    )


_BY_CODE: dict[int, SignupReason] = {
    **dict.fromkeys(TOKEN_CODES, "token_invalid"),
    **dict.fromkeys(_PIN_CODES, "pin_mismatch"),
    **dict.fromkeys(_NOT_READY_CODES, "number_not_ready"),
    10: "no_access",
    100: "no_access",
}


def _reason(step: SignupStep, status: int, code: int | None) -> SignupReason:
    if step == "exchange" and (code in _APP_CODES or (code == 1 and status == 400)):  # 1: "Error validating client
        return "app_not_configured"  # secret." (a 400, unlike code 1's usual "unknown error", a 5xx)
    if code is None or code in TRY_AGAIN_CODES or code in _LATER_CODES or status >= 500 or status == 429:
        return "unavailable"
    if step == "exchange":
        return "code_invalid"
    if 200 <= code <= 299:  # permission errors: the owner did not share this asset with our app
        return "no_access"
    return _BY_CODE.get(code, "refused")


def _text(value: object) -> str:
    return str(value) if isinstance(value, str | int) else ""


def _throughput(body: dict[str, Any]) -> str | None:
    """`"throughput": {"level": "STANDARD" | "HIGH" | "NOT_APPLICABLE"}` -> the level, or None."""
    throughput = body.get("throughput")
    level = _text(throughput.get("level")).upper() if isinstance(throughput, dict) else ""
    return level or None


def _tier(body: dict[str, Any]) -> str | None:
    """The messaging limit: `whatsapp_business_manager_messaging_limit` (current), else the deprecated
    `messaging_limit_tier` an older API version may still return."""
    for key in ("whatsapp_business_manager_messaging_limit", "messaging_limit_tier"):
        value = _text(body.get(key)).upper()
        if value:
            return value
    return None
