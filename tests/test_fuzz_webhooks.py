"""Fuzzing the webhook routes: `/webhooks/whatsapp` (POST and the GET verify handshake), `/webhooks/xero`,
`/webhooks/quickbooks`.

Bodies of every shape (JSON of any nesting and encoding, Meta-, Xero- and Intuit-like payloads with fields of the
wrong type, huge bodies that need splitting and some that cannot be split, raw bytes), odd headers, and signatures
that are missing, wrong, for another body, non-ASCII, or correct (signed with the sandbox's secrets: correctly signed
garbage). Properties: never a 5xx; nothing is queued without a valid signature; a valid signature over JSON is
answered 200 (queued) or a 4xx that says why (400 malformed, 413 too large).

The webhook queue is replaced by a recorder that refuses what SQS would refuse, so no fuzzed body reaches the
sandbox's webhook worker. Bounded here; `make fuzz N=…` runs many more (see tests/fuzz_support.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sandbox.run import INTUIT_WEBHOOK_VERIFIER_TOKEN, META_APP_SECRET, META_VERIFY_TOKEN, XERO_WEBHOOK_KEY, Sandbox
from tests.fuzz_support import (
    RecordingQueue,
    answered,
    any_text,
    base64_signature,
    call,
    dynamodb_key_limits,
    fuzz_settings,
    fuzzing,
    huge_text,
    meta_signature,
    odd_header_value,
    odd_value,
    path_with,
    recording_queues,
)

pytestmark = pytest.mark.sandbox


@pytest.fixture(autouse=True)
def _dynamodb_key_limits() -> Iterator[None]:
    with dynamodb_key_limits():
        yield


@dataclass(frozen=True)
class Hook:
    name: str
    path: str
    header: str
    sign: Callable[[bytes], str]
    wrong_sign: Callable[[bytes], str]
    content_types: tuple[str, ...]


HOOKS = {
    "whatsapp": Hook(
        "whatsapp",
        "/webhooks/whatsapp",
        "X-Hub-Signature-256",
        lambda body: meta_signature(body, META_APP_SECRET),
        lambda body: meta_signature(body, "not-the-app-secret"),
        ("application/json",),
    ),
    "xero": Hook(
        "xero",
        "/webhooks/xero",
        "x-xero-signature",
        lambda body: base64_signature(body, XERO_WEBHOOK_KEY),
        lambda body: base64_signature(body, "not-the-webhook-key"),
        ("application/json",),
    ),
    "quickbooks": Hook(
        "quickbooks",
        "/webhooks/quickbooks",
        "intuit-signature",
        lambda body: base64_signature(body, INTUIT_WEBHOOK_VERIFIER_TOKEN),
        lambda body: base64_signature(body, "not-the-verifier-token"),
        ("application/json", "application/cloudevents-batch+json", "application/cloudevents+json"),
    ),
}

VALID_SIGNATURES = frozenset({"valid", "valid_padded"})


@pytest.fixture
def webhook_queue(sandbox: Sandbox) -> Iterator[RecordingQueue]:
    with recording_queues() as (webhooks, _):
        yield webhooks


# -- bodies ----------------------------------------------------------------------------------------------------------

leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    any_text(20),
    st.sampled_from(["", "0", "²", "wamid.x", "+6281234567001", "STOP", "statuses", "messages"]),
)
json_value = st.recursive(
    leaf,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(any_text(8), children, max_size=4),
    max_leaves=25,
)


def shaped(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the right shape, sometimes any JSON value in its place."""
    return st.one_of(good, json_value)


def _meta_status() -> st.SearchStrategy[Any]:
    return shaped(
        st.fixed_dictionaries(
            {"id": odd_value(), "status": st.sampled_from(["sent", "delivered", "read", "failed", "odd", ""])},
            optional={
                "timestamp": st.one_of(st.integers().map(str), odd_value()),
                "recipient_id": odd_value(),
                "biz_opaque_callback_data": odd_value(),
                "errors": json_value,
                "pricing": json_value,
            },
        )
    )


def _meta_message() -> st.SearchStrategy[Any]:
    return shaped(
        st.fixed_dictionaries(
            {"from": odd_value(), "id": odd_value(), "type": st.sampled_from(["text", "button", "interactive", "x"])},
            optional={"text": shaped(st.fixed_dictionaries({"body": odd_value()})), "timestamp": odd_value()},
        )
    )


def _meta_payload() -> st.SearchStrategy[Any]:
    value = shaped(
        st.fixed_dictionaries(
            {},
            optional={
                "metadata": shaped(st.fixed_dictionaries({"phone_number_id": odd_value()})),
                "statuses": shaped(st.lists(_meta_status(), max_size=4)),
                "messages": shaped(st.lists(_meta_message(), max_size=3)),
                "contacts": json_value,
                "event": odd_value(),
            },
        )
    )
    change = shaped(st.fixed_dictionaries({"field": odd_value(), "value": value}))
    entry = shaped(st.fixed_dictionaries({"id": odd_value(), "changes": shaped(st.lists(change, max_size=3))}))
    return st.fixed_dictionaries(
        {
            "object": st.sampled_from(["whatsapp_business_account", "page", ""]),
            "entry": shaped(st.lists(entry, max_size=3)),
        }
    )


def _xero_payload() -> st.SearchStrategy[Any]:
    event = shaped(
        st.fixed_dictionaries(
            {},
            optional={
                "resourceId": odd_value(),
                "tenantId": odd_value(),
                "eventCategory": st.sampled_from(["INVOICE", "CONTACT", "invoice", "X", ""]),
                "eventType": st.sampled_from(["UPDATE", "CREATE", ""]),
                "eventDateUtc": odd_value(),
            },
        )
    )
    return st.fixed_dictionaries(
        {"events": shaped(st.lists(event, max_size=4))},
        optional={"firstEventSequence": json_value, "lastEventSequence": json_value, "entropy": odd_value()},
    )


def _quickbooks_payload() -> st.SearchStrategy[Any]:
    cloud_event = shaped(
        st.fixed_dictionaries(
            {},
            optional={
                "id": odd_value(),
                "type": st.sampled_from(["qbo.invoice.updated.v1", "qbo.customer.created.v1", "qbo.x", "", "a.b"]),
                "intuitaccountid": odd_value(),
                "intuitentityid": odd_value(),
                "time": odd_value(),
            },
        )
    )
    entity = shaped(st.fixed_dictionaries({"name": odd_value(), "id": odd_value(), "operation": odd_value()}))
    note = shaped(
        st.fixed_dictionaries(
            {"realmId": odd_value(), "dataChangeEvent": shaped(st.fixed_dictionaries({"entities": st.lists(entity)}))}
        )
    )
    return st.one_of(
        st.lists(cloud_event, max_size=4), st.fixed_dictionaries({"eventNotifications": shaped(st.lists(note))})
    )


def _big(provider: str) -> st.SearchStrategy[Any]:
    """Past one queue message: many small items (split into parts), or one item too big to split."""
    count = st.sampled_from([1, 500, 3_000, 12_000])
    pad = st.sampled_from([0, 100, 300_000, 1_100_000])

    def build(n: int, padding: int, kind: str) -> Any:
        filler = "x" * padding
        if provider == "whatsapp":
            statuses = [{"id": f"wamid.{i}", "status": "read", "timestamp": "1", "recipient_id": "1"} for i in range(n)]
            if kind == "one_big":
                statuses.append({"id": "wamid.big", "status": "read", "pad": filler})
            value = {"metadata": {"phone_number_id": "1" if kind != "big_rest" else filler}, "statuses": statuses}
            return {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"value": value}]}]}
        if provider == "xero":
            events = [{"resourceId": str(i), "tenantId": "t", "eventCategory": "INVOICE"} for i in range(n)]
            if kind == "one_big":
                events.append({"resourceId": filler})
            return {"events": events, "entropy": filler if kind == "big_rest" else "e"}
        items = [{"id": str(i), "type": "qbo.invoice.updated.v1", "intuitaccountid": "r"} for i in range(n)]
        if kind == "one_big":
            items.append({"id": filler})
        if kind == "big_rest":
            return {"eventNotifications": [{"realmId": filler, "dataChangeEvent": {"entities": items}}]}
        return items

    return st.builds(build, count, pad, st.sampled_from(["many", "one_big", "big_rest"]))


def _payload(provider: str) -> st.SearchStrategy[Any]:
    own = {"whatsapp": _meta_payload, "xero": _xero_payload, "quickbooks": _quickbooks_payload}[provider]()
    return st.one_of(own, own, json_value, _big(provider))


def _encode(value: Any, encoding: str, ensure_ascii: bool) -> bytes:
    text = json.dumps(value, ensure_ascii=ensure_ascii)
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


def bodies(provider: str) -> st.SearchStrategy[bytes]:
    encoded = st.builds(
        _encode,
        _payload(provider),
        st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-16", "utf-32", "utf-8-sig", "latin-1"]),
        st.booleans(),
    )
    raw = st.one_of(
        st.binary(max_size=300),
        st.sampled_from([b"", b"{", b"[1, 2", b"\xff\xfe", b"NaN", b"1e999999", b'"\\ud800"', b'{"a": "\\udfff"}']),
        st.integers(1, 300_000).map(lambda n: b"[" * n + b"]" * n),
        st.integers(1, 20_000).map(lambda n: b'{"a":' * n + b"1" + b"}" * n),
        huge_text().map(lambda text: json.dumps({"entry": text}).encode("utf-8", "surrogatepass")),
        st.text(max_size=200).map(lambda text: text.encode("utf-8", "surrogatepass")),
    )
    return st.one_of(encoded, encoded, encoded, raw)


# -- signatures and headers -------------------------------------------------------------------------------------------


def signature_header(hook: Hook, body: bytes, variant: str, garbage: str) -> str | None:
    right = hook.sign(body)
    variants: dict[str, str | None] = {
        "valid": right,
        "valid_padded": f"  {right} ",
        "missing": None,
        "empty": "",
        "wrong_key": hook.wrong_sign(body),
        "other_body": hook.sign(body + b" "),
        "truncated": right[:-2],
        "upper": right.upper() if right != right.upper() else right + "A",
        "prefix_only": "sha256=",
    }
    return variants.get(variant, garbage)


SIGNATURE_VARIANTS = [
    "valid",
    "valid",
    "valid_padded",
    "missing",
    "empty",
    "wrong_key",
    "other_body",
    "truncated",
    "upper",
    "prefix_only",
    "garbage",
]
CONTENT_TYPES = [
    "application/json",
    "application/json",
    "application/json; charset=utf-8",
    "application/json; charset=utf-16",
    "application/cloudevents-batch+json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "",
    "é/é",
]
EXTRA_HEADERS = ["Accept-Language", "User-Agent", "X-Forwarded-For", "Cookie", "Content-Encoding", "Accept", "X-Odd"]


@st.composite
def webhook_requests(draw: st.DrawFn, hook: Hook) -> tuple[bytes, dict[str, str], str, str | None]:
    body = draw(bodies(hook.name))
    variant = draw(st.sampled_from(SIGNATURE_VARIANTS))
    signature = signature_header(hook, body, variant, draw(odd_header_value()))
    headers: dict[str, str] = dict(
        draw(st.dictionaries(st.sampled_from(EXTRA_HEADERS), odd_header_value(), max_size=3))
    )
    content_type = draw(st.one_of(st.sampled_from(CONTENT_TYPES), st.none()))
    if content_type is not None:
        headers["Content-Type"] = content_type
    if signature is not None:
        headers[draw(st.sampled_from([hook.header, hook.header.lower(), hook.header.upper()]))] = signature
    return body, headers, variant, content_type


def _accepted_type(hook: Hook, content_type: str | None) -> bool:
    return content_type is None or content_type.split(";")[0].strip() in hook.content_types


def _strict_json(body: bytes) -> bool:
    try:
        json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):
        return False
    return True


def _depth(body: bytes) -> int:
    """How deeply the JSON's arrays and objects nest (outside strings)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in body.decode("utf-8"):
        if in_string:
            escaped, in_string = (False, True) if escaped else (ch == "\\", ch != '"')
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _describe(body: bytes, headers: dict[str, str]) -> str:
    return f"headers={ {k: v[:80] for k, v in headers.items()} } body({len(body)} bytes)={body[:300]!r}"


def check_webhook(hook: Hook, queue: RecordingQueue, body: bytes, headers: dict[str, str], variant: str) -> int:
    queue.take()
    reply = call("POST", hook.path, headers, body)
    answered(f"POST {hook.path}", reply.status, lambda: _describe(body, headers) + f" -> {reply.text[:200]}")
    queued = queue.take()
    signed = variant in VALID_SIGNATURES
    if queued:
        assert signed, f"queued without a valid signature ({variant}): {_describe(body, headers)}"
        assert reply.status == 200, reply.status
    if not signed and reply.status != 415:
        assert reply.status == 401, (reply.status, variant)
    if signed and _accepted_type(hook, headers.get("Content-Type")) and reply.status < 500:
        if _strict_json(body):  # JSON nested deeper than the handler's stack allows is refused too (400)
            assert reply.status in (200, 413) or (reply.status == 400 and _depth(body) > 500), reply.text[:200]
        else:
            assert reply.status == 400, (reply.status, reply.text[:200])
    return reply.status


@pytest.mark.parametrize("provider", sorted(HOOKS))
def test_fuzz_webhook_posts(request: pytest.FixtureRequest, webhook_queue: RecordingQueue, provider: str) -> None:
    hook = HOOKS[provider]

    @fuzz_settings(request.node.name, 100)
    @given(webhook_requests(hook))
    def prop(drawn: tuple[bytes, dict[str, str], str, str | None]) -> None:
        body, headers, variant, _ = drawn
        check_webhook(hook, webhook_queue, body, headers, variant)

    with fuzzing(f"POST {hook.path}"):
        prop()


# -- the GET verify handshake ---------------------------------------------------------------------------------------


@st.composite
def verify_queries(draw: st.DrawFn) -> list[tuple[str, str]]:
    names = st.sampled_from(["hub.mode", "hub.verify_token", "hub.challenge", "hub_mode", "hub.mode[]", "x"])
    values = st.one_of(
        odd_value(huge=False), st.sampled_from(["subscribe", META_VERIFY_TOKEN, META_VERIFY_TOKEN + " ", "42"])
    )
    query = draw(st.lists(st.tuples(names, values), max_size=6))
    if draw(st.booleans()):
        query += [("hub.mode", "subscribe"), ("hub.verify_token", draw(st.sampled_from([META_VERIFY_TOKEN, "no"])))]
        query.append(("hub.challenge", draw(odd_value(huge=False))))
    return query


def test_fuzz_whatsapp_verify(request: pytest.FixtureRequest, webhook_queue: RecordingQueue) -> None:
    @fuzz_settings(request.node.name, 100)
    @given(verify_queries(), st.dictionaries(st.sampled_from(EXTRA_HEADERS), odd_header_value(), max_size=3))
    def prop(query: list[tuple[str, str]], headers: dict[str, str]) -> None:
        reply = call("GET", path_with("/webhooks/whatsapp", query), headers)
        answered("GET /webhooks/whatsapp", reply.status, lambda: f"query={str(query)[:500]} headers={headers}")
        last = dict(query)  # repeated parameters: the last one counts
        if reply.status == 200:
            assert last.get("hub.mode") == "subscribe" and last.get("hub.verify_token") == META_VERIFY_TOKEN
        assert webhook_queue.take() == 0

    with fuzzing("GET /webhooks/whatsapp"):
        prop()
