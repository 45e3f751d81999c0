"""Meta's WhatsApp Business Management API: does an access token manage this WhatsApp number?

`WhatsAppAccountCheck` (the port of the same name in `chalicelib/ports.py`) reads
`GET /{version}/{waba-id}/phone_numbers` with the owner's token, following the cursor paging, and accepts the number
only if the answer lists its id. Graph errors leave here as `WhatsAppAccountRefused` with a reason the dashboard
explains to the owner. Only httpx is imported (not pywa): the dashboard's Lambda runs this check.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from chalicelib.adapters import http
from chalicelib.domain.errors import WhatsAppAccountRefused, WhatsAppRefusal
from chalicelib.domain.models import VerifiedWhatsAppNumber
from chalicelib.observability import count

logger = logging.getLogger(__name__)

PHONE_NUMBER_FIELDS = "id,display_phone_number,verified_name,quality_rating"

# Graph codes: the token itself is refused (190 expired/invalid/revoked, 102 session); Meta is busy or throttling us
# (1 unknown, 2 service, 4/17/32/613 rate limits, 341 app limit, 80007 WABA limit, 131000 something went wrong,
# 131016 service unavailable); anything else 4xx (10 and 200-299 permission, 100 no such object or not visible to
# this token, 3 capability) means this token cannot read that business account.
TOKEN_CODES = frozenset({102, 190})
TRY_AGAIN_CODES = frozenset({1, 2, 4, 17, 32, 341, 613, 80007, 131000, 131016})


class WhatsAppAccountCheck:
    """`chalicelib.ports.WhatsAppAccountCheck` over httpx: one pooled client; the token goes with each request."""

    def __init__(
        self,
        *,
        graph_base_url: str,
        api_version: str,
        timeout_seconds: float = 8.0,
        connect_timeout_seconds: float = 4.0,
        page_size: int = 100,
        max_pages: int = 20,
    ) -> None:
        self._page_size = page_size
        self._max_pages = max_pages
        self._http = http.graph_client(
            graph_base_url, api_version, timeout=httpx.Timeout(timeout_seconds, connect=connect_timeout_seconds)
        )

    def close(self) -> None:
        self._http.close()

    def verify(self, *, business_account_id: str, phone_number_id: str, access_token: str) -> VerifiedWhatsAppNumber:
        if not access_token.strip():
            raise WhatsAppAccountRefused("no access token", reason="token_invalid")
        params: dict[str, str | int] = {"fields": PHONE_NUMBER_FIELDS, "limit": self._page_size}
        seen_cursors: set[str] = set()
        for _ in range(self._max_pages):
            page = self._get(business_account_id, access_token, params)
            rows = page.get("data")
            if not isinstance(rows, list):
                raise WhatsAppAccountRefused("Meta's phone number list had no data", reason="unavailable")
            for row in rows:
                if isinstance(row, dict) and str(row.get("id", "")) == phone_number_id:
                    logger.info("whatsapp number confirmed by meta for its business account")
                    return VerifiedWhatsAppNumber(
                        phone_number_id=phone_number_id,
                        business_account_id=business_account_id,
                        display_phone_number=str(row.get("display_phone_number") or ""),
                        verified_name=str(row.get("verified_name") or ""),
                    )
            paging = _mapping(page.get("paging"))
            after = _mapping(paging.get("cursors")).get("after")
            if not paging.get("next") or not isinstance(after, str) or not after or after in seen_cursors:
                break
            seen_cursors.add(after)
            params = {**params, "after": after}
        else:
            logger.warning("whatsapp number check stopped after %s pages", self._max_pages)
        raise WhatsAppAccountRefused(
            "the WhatsApp Business Account does not list this phone number for this token",
            reason="number_not_in_account",
        )

    def _get(self, business_account_id: str, access_token: str, params: dict[str, str | int]) -> dict[str, Any]:
        count("WhatsAppApiCalls")
        try:
            response = self._http.get(
                f"/{business_account_id}/phone_numbers",
                params=params,
                headers={"Authorization": f"Bearer {access_token}"},
            )
        except httpx.LocalProtocolError:  # only the token varies in the request's headers
            raise WhatsAppAccountRefused("the token cannot be sent in a header", reason="token_invalid") from None
        except httpx.HTTPError as exc:
            logger.warning("whatsapp number check could not reach meta: %s", type(exc).__name__)
            raise WhatsAppAccountRefused(f"could not reach Meta ({type(exc).__name__})", reason="unavailable") from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code < 400 and isinstance(body, dict):
            return body
        raise refusal(response.status_code, body)


def refusal(status: int, body: object) -> WhatsAppAccountRefused:
    """An answer that is not a phone number list, as our error (the token never appears in it)."""
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    if not isinstance(code, int) or status < 400:
        reason: WhatsAppRefusal = "unavailable"  # a proxy's page, an unreadable 2xx: nothing is known
        code = None
    elif code in TOKEN_CODES:
        reason = "token_invalid"
    elif code in TRY_AGAIN_CODES or status >= 500 or status == 429:
        reason = "unavailable"
    else:
        reason = "no_access"
    title = str(error.get("message", ""))[:200] if isinstance(error, dict) else ""
    logger.warning("whatsapp number check refused: http=%s code=%s reason=%s", status, code, reason)
    message = f"Meta answered HTTP {status} (code {code}) {title}".strip()
    return WhatsAppAccountRefused(message, reason=reason, code=code)


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
