"""AWS clients reused and calls batched, counted through botocore's event system on the real entry points.

- a cold worker (a fresh interpreter running `app.run_reminder_cycles` against the sandbox) builds one botocore
  session and one DynamoDB client, whatever the number of item kinds it touches;
- a realistic Meta status body (one entry per status, shuffled, two statuses per message, some without our tracker)
  costs at most 3 DynamoDB calls per status through the signed route, the queue and `app.process_webhooks`;
- a warm webhook POST looks no queue URL up and sends its parts with SendMessageBatch;
- the hourly fan-out reads the active connections with one query, not a GetItem per connection.

The helpers are bench/aws_calls.py's (`make bench` prints the same measures, with timings).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest

import app
from bench.aws_calls import clock_offset, cold_worker, counting, post_signed, sent_messages, status_body
from chalicelib import bootstrap
from chalicelib.domain.models import Connection, OAuthTokens
from chalicelib.webhooks.intake import envelopes
from sandbox.lambda_runtime import LambdaContext, invoke_schedule
from sandbox.run import META_APP_SECRET, Sandbox
from tests.world import TUESDAY_10_JAKARTA, World

BUDI = "+6281234567001"


@pytest.fixture
def quiet_meta(sandbox: Sandbox) -> Iterator[None]:
    """Nothing else reaches the webhook queue while calls are counted: Meta's own statuses are flushed first."""
    sandbox.drain_webhooks(flush_fakes=True)
    sandbox.meta.configure(auto_deliver=False)
    yield
    sandbox.meta.reset()
    sandbox.meta.configure(auto_deliver=True)


def _processed(sandbox: Sandbox, body: dict[str, Any]) -> dict[str, int]:
    """POST `body` signed to the app's route and let the queue's worker process it, as Lambda would; the DynamoDB
    calls made meanwhile, by operation (the route makes none: it only queues)."""
    with counting("dynamodb") as calls:
        assert post_signed(sandbox.app_url, body, META_APP_SECRET) == 200
        sandbox.drain_webhooks()
    return dict(calls)


def _parts(body: dict[str, Any], now: dt.datetime) -> list[str]:
    """The queue messages the route makes of `body`."""
    return envelopes("whatsapp", json.dumps(body), body, now)


def _statuses(body: dict[str, Any]) -> int:
    return sum(len(c["value"]["statuses"]) for e in body["entry"] for c in e["changes"])


@pytest.mark.parametrize("messages", [50, 250])  # 100 statuses in one body; 500, split into parts
def test_a_status_body_costs_at_most_3_dynamodb_calls_per_status(
    world: World, sandbox: Sandbox, quiet_meta: None, messages: int
) -> None:
    world.create()
    at = sandbox.clock.now().replace(microsecond=0)
    warm = sent_messages(world.org_id, 3, at=at, tag="warm")
    _processed(sandbox, status_body(world.org_id, world.phone_number_id, world.waba_id, warm, at=at))
    sent = sent_messages(world.org_id, messages, at=at, tag="measured")
    body = status_body(world.org_id, world.phone_number_id, world.waba_id, sent, at=at)
    calls = _processed(sandbox, body)
    statuses = _statuses(body)
    assert statuses == 2 * messages
    total = sum(calls.values())
    assert 0 < total <= 3 * statuses, calls
    # the number's route and the organisation's time zone (its month, for the costs), not a read per message
    assert calls.get("GetItem", 0) <= 2 * len(_parts(body, at)), calls
    ledger = bootstrap.container().stores.ledger
    delivered = {m.message_key: m for m in ledger.messages(world.org_id)}
    assert {delivered[k].delivery for _, k, _ in sent} == {"read"}
    assert {delivered[k].pricing_category for _, k, _ in sent} == {"utility"}  # from the delivered status
    keys = {k for _, k, _ in sent}
    assert {e.delivery for e in ledger.entries(world.org_id) if e.message_key in keys} == {"read"}
    again = _processed(sandbox, body)  # Meta's retry of the whole body: duplicates are read, nothing is written
    assert set(again) <= {"BatchGetItem", "GetItem"}, again


def test_out_of_order_and_repeated_statuses_in_one_body_end_at_the_furthest(
    world: World, sandbox: Sandbox, quiet_meta: None
) -> None:
    world.create()
    at = sandbox.clock.now().replace(microsecond=0)
    [first, second] = sent_messages(world.org_id, 2, at=at, tag="order")
    for message, statuses in ((first, ("read", "delivered", "read", "sent")), (second, ("sent", "delivered"))):
        body = status_body(world.org_id, world.phone_number_id, world.waba_id, [message], statuses=statuses, at=at)
        _processed(sandbox, body)
    late = status_body(world.org_id, world.phone_number_id, world.waba_id, [first, second], statuses=("sent",), at=at)
    _processed(sandbox, late)  # behind both: changes nothing
    messages = {m.message_key: m for m in bootstrap.container().stores.ledger.messages(world.org_id)}
    assert (messages[first[1]].delivery, messages[second[1]].delivery) == ("read", "delivered")
    assert messages[second[1]].pricing_category == "utility"


def test_a_warm_webhook_post_looks_no_queue_url_up_and_sends_its_parts_in_batches(
    world: World, sandbox: Sandbox, quiet_meta: None
) -> None:
    world.create()
    at = sandbox.clock.now().replace(microsecond=0)
    sent = sent_messages(world.org_id, 300, at=at, tag="big")
    body = status_body(world.org_id, world.phone_number_id, world.waba_id, sent, at=at)  # 600 statuses, about 320 KB
    _processed(sandbox, status_body(world.org_id, world.phone_number_id, world.waba_id, sent[:1], at=at))  # warm
    with counting("sqs") as sqs:
        assert post_signed(sandbox.app_url, body, META_APP_SECRET) == 200
    sends = {op: n for op, n in sqs.items() if op in ("GetQueueUrl", "SendMessage", "SendMessageBatch")}
    assert sends.get("GetQueueUrl", 0) == 0 and sends.get("SendMessage", 0) == 0, sends
    parts = _parts(body, at)
    assert 2 <= len(parts) <= 3  # as few parts as fit under the message limit, not one per change or per status
    assert 1 <= sends.get("SendMessageBatch", 0) <= len(parts), sends
    sandbox.drain_webhooks()
    delivered = {m.message_key: m.delivery for m in bootstrap.container().stores.ledger.messages(world.org_id)}
    assert {delivered[k] for _, k, _ in sent} == {"read"}


def test_one_invocation_builds_one_processor_for_all_its_records(
    world: World, sandbox: Sandbox, quiet_meta: None
) -> None:
    """Ten bodies in one SQS event (one Lambda invocation): the number's route is read once, not once per body."""
    world.create()
    at = sandbox.clock.now().replace(microsecond=0)
    sent = sent_messages(world.org_id, 10, at=at, tag="records")
    records = [
        _record(f"m-{i}", envelope)
        for i, message in enumerate(sent)
        for envelope in _parts(status_body(world.org_id, world.phone_number_id, world.waba_id, [message], at=at), at)
    ]
    with counting("dynamodb") as calls:
        answer = app.process_webhooks({"Records": records}, LambdaContext("process_webhooks"))
    assert answer == {"batchItemFailures": []}
    assert calls["GetItem"] == 2, calls  # the number's route and the organisation's time zone, once each
    delivered = {m.message_key: m.delivery for m in bootstrap.container().stores.ledger.messages(world.org_id)}
    assert {delivered[k] for _, k, _ in sent} == {"read"}


def _record(message_id: str, body: str) -> dict[str, Any]:
    return {
        "messageId": message_id,
        "receiptHandle": f"rh-{message_id}",
        "body": body,
        "attributes": {"ApproximateReceiveCount": "1"},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:ap-southeast-3:123456789012:lunas-webhooks",
        "awsRegion": "ap-southeast-3",
    }


def test_a_cold_worker_builds_one_botocore_session_and_one_dynamodb_client(world: World, sandbox: Sandbox) -> None:
    world.customer("Budi Santoso", BUDI)
    world.invoice("INV-001", "Budi Santoso", due_in_days=-4)
    world.create()
    world.consent(BUDI)
    report = cold_worker(world.org_id, world.connection_id, clock_offset(sandbox.clock))
    assert report["answer"] == {"batchItemFailures": []}
    assert world.reasons() == {"INV-001": "sent"}, world.decisions()  # the cycle really read and wrote the table
    assert report["clients"]["dynamodb"] == 1, report
    assert report["botocore_sessions"] == 1, report
    assert report["clients"]["kms"] <= 1 and report["clients"]["sqs"] <= 1, report


def test_the_fan_out_reads_active_connections_with_one_query(world: World, sandbox: Sandbox) -> None:
    world.create()
    connections = bootstrap.container().stores.connections
    for n in range(3):
        expires = sandbox.clock.now() + dt.timedelta(hours=1)
        tokens = OAuthTokens(access_token="a", refresh_token="r", expires_at=expires)
        connections.add(
            Connection(org_id=world.org_id, connection_id=f"xero:extra-{n}", provider="xero", tenant_id=f"t-{n}"),
            tokens,
        )
    with counting("dynamodb") as calls:
        result = invoke_schedule(app.fan_out_reminders, TUESDAY_10_JAKARTA)
    assert result == {"enqueued": 4, "outside_window": 0}
    assert calls.get("Query") == 1, calls
    assert calls.get("GetItem", 0) <= 1, calls  # the organisation's settings; no read per connection
