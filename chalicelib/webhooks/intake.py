"""The HTTP side of every webhook: check the signature over the raw body, make the body durable on SQS, answer.

Nothing is processed here. Meta, Xero and Intuit all want an answer within seconds and retry on anything but 2xx,
so the rule is: a bad or missing signature -> 401 (nothing stored; Xero's intent-to-receive check requires 401);
a signed body that is not JSON -> 400; the body safely on the queue -> 200; the queue unreachable -> 500, so the
sender retries rather than the event being lost behind a 200.

A queue message is a small JSON envelope `{"v": 1, "provider", "received_at", "body"}` around the raw body. Meta
may post up to 3 MB; a body larger than one SQS message is split by `entry[].changes[]` and their
`statuses[]` / `messages[]` lists (the same envelope around each part), after the signature was checked on the
original bytes. The queue is the container's (`bootstrap.container().webhook_queue`): one SQS client and one queue
URL lookup per warm Lambda, not per request.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.secrecy import same_secret
from chalicelib.observability import count, logger
from chalicelib.ports import Queue

MAX_MESSAGE_BYTES = 240_000  # under SQS's classic 256 KiB limit, envelope included
PROVIDERS = ("whatsapp", "xero", "quickbooks")


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: str = ""


def meta_signature_is_valid(raw: bytes, header: str | None, app_secret: str) -> bool:
    """`X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>`."""
    if not header or not app_secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), raw, hashlib.sha256).hexdigest()
    return same_secret(header.removeprefix("sha256=").strip(), expected)


def base64_signature_is_valid(raw: bytes, header: str | None, key: str) -> bool:
    """Xero's `x-xero-signature` and Intuit's `intuit-signature`: base64(HMAC-SHA256(key, raw body))."""
    if not header or not key:
        return False
    expected = base64.b64encode(hmac.new(key.encode(), raw, hashlib.sha256).digest()).decode()
    return same_secret(header.strip(), expected)


def receive(provider: str, raw: bytes, signature_ok: bool, queue: Queue, now: dt.datetime) -> Answer:
    """Verify, parse, enqueue. See the module docstring for the answers."""
    if not signature_ok:
        count("WebhooksRejected", provider=provider)
        logger.warning("webhook with a missing or wrong signature refused", extra={"provider": provider})
        return Answer(401, "invalid signature")
    try:
        payload = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested deeper than json can parse
        return Answer(400, "malformed JSON")
    if provider == "xero" and isinstance(payload, dict) and not payload.get("events"):
        return Answer(200)  # Xero's intent-to-receive check (or an empty delivery): nothing to keep
    try:
        queue.send(envelopes(provider, raw.decode(), payload, now))
    except Exception:
        logger.exception("webhook could not be queued; answering 500 so the sender retries")
        return Answer(500, "try again later")
    count("WebhooksQueued", provider=provider)
    return Answer(200, "" if provider == "xero" else "ok")


def envelopes(provider: str, raw_text: str, payload: Any, now: dt.datetime) -> list[str]:
    """The raw body in one envelope, or (only when too big for one SQS message) split into several."""
    whole = _envelope(provider, raw_text, now)
    if len(whole.encode()) <= MAX_MESSAGE_BYTES or provider != "whatsapp" or not isinstance(payload, dict):
        return [whole]
    parts = [_envelope(provider, json.dumps(part, separators=(",", ":")), now) for part in split_meta(payload)]
    logger.info("large webhook body split for the queue", extra={"parts": len(parts)})
    return parts


def _envelope(provider: str, body: str, now: dt.datetime) -> str:
    return json.dumps({"v": 1, "provider": provider, "received_at": now.isoformat(), "body": body})


def split_meta(payload: Mapping[str, Any], limit: int = MAX_MESSAGE_BYTES // 2) -> Iterator[dict[str, Any]]:
    """One payload per change, each change's `statuses` / `messages` cut into chunks of about `limit` bytes."""
    for entry in payload.get("entry") or []:
        for change in entry.get("changes") or []:
            value = change.get("value") or {}
            lists = [k for k in ("statuses", "messages") if isinstance(value.get(k), list) and value[k]]
            if not lists:
                yield _one_change(payload, entry, change)
                continue
            for key in lists:
                rest = {k: v for k, v in value.items() if k not in ("statuses", "messages")}
                for chunk in _chunks(value[key], limit):
                    yield _one_change(payload, entry, {**change, "value": {**rest, key: chunk}})


def _one_change(payload: Mapping[str, Any], entry: Mapping[str, Any], change: Any) -> dict[str, Any]:
    return {**payload, "entry": [{**entry, "changes": [change]}]}


def _chunks(items: list[Any], limit: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    size = 0
    for item in items:
        item_size = len(json.dumps(item, separators=(",", ":")).encode())
        if chunk and size + item_size > limit:
            yield chunk
            chunk, size = [], 0
        chunk.append(item)
        size += item_size
    if chunk:
        yield chunk
