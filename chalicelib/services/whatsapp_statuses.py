"""Delivery statuses from Meta's webhook: sent, delivered, read, failed.

This is the minimal path the send ledger needs (a status completes a send whose worker died before recording it,
and a 131026 marks the phone as not on WhatsApp). It parses Meta's documented shapes itself rather than through
pywa, which drops `failed` statuses that have no `contacts` block and all but the first item of a batched POST
(api-facts.md §4.5). Customer replies, template events and queueing the body before answering come with the
webhooks issue.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterator
from typing import Any, Protocol

from chalicelib.domain.tracking import DeliveryStatus, parse_tracker
from chalicelib.observability import logger, mask_phone

_NOT_ON_WHATSAPP = 131026


def signature_is_valid(raw_body: bytes, header: str | None, app_secret: str) -> bool:
    """`X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the app secret>`."""
    if not header or not app_secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256="))


def iter_statuses(payload: Any) -> Iterator[DeliveryStatus]:
    """Every status of every change of every entry (one POST can carry up to 1,000), ours only."""
    if not isinstance(payload, dict):
        return
    for entry in payload.get("entry") or []:
        for change in entry.get("changes") or []:
            if change.get("field") != "messages":
                continue
            for status in (change.get("value") or {}).get("statuses") or []:
                parsed = _parse_status(status)
                if parsed is not None:
                    yield parsed


def _parse_status(status: dict[str, Any]) -> DeliveryStatus | None:
    tracked = parse_tracker(str(status.get("biz_opaque_callback_data") or ""))
    if tracked is None:
        return None  # not a message Lunas sent with a tracker (the webhooks issue adds a wamid lookup)
    errors = status.get("errors") or [{}]
    pricing = status.get("pricing") or {}
    return DeliveryStatus(
        org_id=tracked[0],
        message_key=tracked[1],
        wamid=str(status.get("id", "")),
        status=str(status.get("status", "")),
        at=dt.datetime.fromtimestamp(int(status.get("timestamp") or 0), dt.UTC),
        recipient_id=str(status.get("recipient_id", "")),
        error_code=errors[0].get("code"),
        error_title=errors[0].get("title"),
        pricing_category=pricing.get("category"),
    )


class StatusLedger(Protocol):
    def apply_status(self, update: DeliveryStatus) -> bool: ...


class PhoneFlags(Protocol):
    def mark_not_on_whatsapp(self, org_id: str, phone: str, at: dt.datetime, detail: str) -> None: ...


def apply_statuses(payload: Any, *, ledger: StatusLedger, phone_flags: PhoneFlags) -> int:
    """Apply every status in a webhook body; returns how many matched a message Lunas sent."""
    applied = 0
    for status in iter_statuses(payload):
        if ledger.apply_status(status):
            applied += 1
        if status.status == "failed" and status.error_code == _NOT_ON_WHATSAPP:
            phone = status.message_key.rsplit("#", 1)[1]
            phone_flags.mark_not_on_whatsapp(status.org_id, phone, status.at, f"(#131026) {status.error_title}")
            logger.info("phone marked not on WhatsApp", extra={"phone": mask_phone(phone)})
    return applied
