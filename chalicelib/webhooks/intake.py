"""The HTTP side of every webhook: check the signature over the raw body, make the body durable on SQS, answer.

Nothing is processed here. Meta, Xero and Intuit all want an answer within seconds and retry on anything but 2xx,
so the rule is: a bad or missing signature -> 401 (nothing stored; Xero's intent-to-receive check requires 401);
a signed body that is not JSON (UTF-8, as all three send) -> 400; the body safely on the queue -> 200; a signed body
that cannot be brought under one queue message even split -> 413 (it could never be queued: retrying cannot help);
the queue unreachable -> 500, so the sender retries rather than the event being lost behind a 200.

A queue message is a small JSON envelope `{"v": 1, "provider", "received_at", "body"}` around the raw body. Meta
may post up to 3 MB; a body larger than one SQS message is split, after the signature was checked on the original
bytes, into as few parts as fit under SQS's 256 KiB message limit (the same envelope around each part; parts are
whole items: Meta's `entry[].changes[]`, a long `statuses[]` / `messages[]` list cut, Xero's `events[]`, Intuit's
CloudEvents and its legacy `eventNotifications[]`), and the parts go out in SendMessageBatch calls (10 messages and
256 KiB each at most). The queue is the container's (`bootstrap.container().webhook_queue`): one SQS client per
process and one queue URL lookup per warm Lambda, not per request.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator, Mapping
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
    header = (header or "").strip()  # surrounding whitespace is not part of a header value (as in the base64 check)
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
        text = raw.decode("utf-8")  # not json.loads(bytes): it also reads UTF-16/32, which the queue would not keep
        payload = json.loads(text)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError; RecursionError: nested too deep
        return Answer(400, "malformed JSON")
    if provider == "xero" and isinstance(payload, dict) and not payload.get("events"):
        return Answer(200)  # Xero's intent-to-receive check (or an empty delivery): nothing to keep
    try:
        bodies = envelopes(provider, text, payload, now)
    except TooLarge:
        count("WebhooksTooLarge", provider=provider)
        logger.warning("signed webhook body too large to queue, even split; refused", extra={"bytes": len(raw)})
        return Answer(413, "payload too large")
    try:
        queue.send(bodies)
    except Exception:
        logger.exception("webhook could not be queued; answering 500 so the sender retries")
        return Answer(500, "try again later")
    count("WebhooksQueued", provider=provider)
    return Answer(200, "" if provider == "xero" else "ok")


class TooLarge(ValueError):
    """A part of the body is bigger than one queue message and cannot be split further."""


def envelopes(provider: str, raw_text: str, payload: Any, now: dt.datetime) -> list[str]:
    """The raw body in one envelope, or (only when too big for one SQS message) split into as few envelopes as fit;
    TooLarge when a part would still be too big (or the body has no shape we know how to split)."""
    whole = _envelope(provider, raw_text, now)
    if len(whole.encode()) <= MAX_MESSAGE_BYTES:
        return [whole]
    try:
        wrap, bundles = _splittable(provider, payload)
    except _Unsplittable:
        raise TooLarge(f"{provider} body of {len(raw_text)} characters in an unknown shape") from None
    parts = [part for group in _groups(provider, wrap, bundles, now) for part in _fitting(provider, wrap, group, now)]
    if not parts:
        raise TooLarge(f"{provider} body of {len(raw_text)} characters has nothing to split")
    logger.info("large webhook body split for the queue", extra={"parts": len(parts)})
    return parts


_Wrap = Callable[[list[Any]], Any]


def _splittable(provider: str, payload: Any) -> tuple[_Wrap, list[list[Any]]]:
    """What a body is a list of (Meta: one entry per change, long `statuses` / `messages` lists cut; Xero: its
    `events`; Intuit: its CloudEvents, or its legacy `eventNotifications`), in bundles to keep in one part when they
    fit, and how to put some of them back into a body of the same shape."""
    if provider == "whatsapp":
        meta = _dict(payload)
        return (lambda items: {**meta, "entry": items}), _by_message([part["entry"][0] for part in split_meta(meta)])
    if provider == "xero":
        xero = _dict(payload)
        return (lambda items: {**xero, "events": items}), [[e] for e in _list(xero.get("events"))]
    if provider == "quickbooks" and isinstance(payload, list):
        return (lambda items: items), [[e] for e in payload]
    if provider == "quickbooks":
        legacy = _dict(payload)
        notifications = _list(legacy.get("eventNotifications"))
        return (lambda items: {**legacy, "eventNotifications": items}), [[n] for n in notifications]
    raise _Unsplittable


def _by_message(entries: list[dict[str, Any]]) -> list[list[Any]]:
    """Meta's one-change entries with the statuses of one message (wamid) bundled, so the part that gets them can
    merge them (the worker merges per message within a body); other changes (replies, preferences) first, in order."""
    others: list[list[Any]] = []
    statuses: dict[str, list[Any]] = {}
    for entry in entries:
        wamid = _first_wamid(entry)
        if wamid is None:
            others.append([entry])
        else:
            statuses.setdefault(wamid, []).append(entry)
    return others + list(statuses.values())


def _first_wamid(entry: dict[str, Any]) -> str | None:
    change = (entry.get("changes") or [None])[0]
    value = change.get("value") if isinstance(change, dict) else None
    items = value.get("statuses") if isinstance(value, dict) else None
    first = items[0] if isinstance(items, list) and items else None
    return str(first["id"]) if isinstance(first, dict) and first.get("id") else None


def _groups(provider: str, wrap: _Wrap, bundles: list[list[Any]], now: dt.datetime) -> Iterator[list[Any]]:
    """Items, as many per group as one envelope holds (each item's size as it will be in the envelope: its JSON,
    escaped again inside the envelope's `body` string), a bundle kept in one group unless it is bigger than one."""
    budget = MAX_MESSAGE_BYTES - len(_envelope(provider, _compact(wrap([])), now).encode())
    group: list[Any] = []
    size = 0
    for bundle in bundles:
        costs = [len(json.dumps(_compact(item)).encode()) - 1 for item in bundle]  # less the quotes, plus a comma
        if group and size + sum(costs) > budget:
            yield group
            group, size = [], 0
        for item, cost in zip(bundle, costs, strict=True):
            if group and size + cost > budget:  # only a bundle bigger than a whole envelope gets here
                yield group
                group, size = [], 0
            group.append(item)
            size += cost
    if group:
        yield group


def _fitting(provider: str, wrap: _Wrap, group: list[Any], now: dt.datetime) -> list[str]:
    """The group in one envelope, or in halves if it does not fit after all; TooLarge for one item too big."""
    part = _envelope(provider, _compact(wrap(group)), now)
    if len(part.encode()) <= MAX_MESSAGE_BYTES:
        return [part]
    if len(group) == 1:
        raise TooLarge(f"{provider} body has a part over {MAX_MESSAGE_BYTES} bytes")
    middle = len(group) // 2
    return _fitting(provider, wrap, group[:middle], now) + _fitting(provider, wrap, group[middle:], now)


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _envelope(provider: str, body: str, now: dt.datetime) -> str:
    return json.dumps({"v": 1, "provider": provider, "received_at": now.isoformat(), "body": body})


class _Unsplittable(Exception):
    """Not the shape the provider documents: there is nothing safe to split it by."""


def _dict(value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _Unsplittable
    return value


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Unsplittable
    return value


def split_meta(payload: Any, limit: int = MAX_MESSAGE_BYTES // 2) -> Iterator[dict[str, Any]]:
    """One payload per change, each change's `statuses` / `messages` cut into chunks of about `limit` bytes (the
    pieces `envelopes` packs back together, as many per envelope as fit)."""
    payload = _dict(payload)
    for entry in map(_dict, _list(payload.get("entry"))):
        for change in map(_dict, _list(entry.get("changes"))):
            value = _dict(change.get("value") or {})
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
