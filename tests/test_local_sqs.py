"""The sandbox's local SQS counts its messages at one instant, and still behaves like SQS (sandbox/aws.py).

moto as shipped reads the clock twice per message in the queue to count visible, delayed and in-flight messages, and
counts them three times for every message it hands out (its retention check reads every attribute): receiving from a
queue of a few thousand webhook bodies became the slowest part of a big demo. These tests hold the replacement to
SQS's behaviour (counts, visibility, delay) and count the clock reads of one receive: they do not grow with the queue.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from sandbox.run import Sandbox


@pytest.fixture(scope="module")
def sqs(sandbox: Sandbox) -> Any:
    return boto3.client("sqs")


@pytest.fixture
def queue(sqs: Any) -> Iterator[str]:
    url = str(sqs.create_queue(QueueName=f"scale-{uuid.uuid4().hex[:10]}")["QueueUrl"])
    yield url
    sqs.delete_queue(QueueUrl=url)


def _counts(sqs: Any, url: str) -> tuple[int, int, int]:
    names = [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    ]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    visible, in_flight, delayed = (int(attributes[n]) for n in names)
    return visible, in_flight, delayed


def _send(sqs: Any, url: str, count: int) -> None:
    for start in range(0, count, 10):
        entries = [{"Id": str(n), "MessageBody": f"body {n}"} for n in range(start, min(start + 10, count))]
        sqs.send_message_batch(QueueUrl=url, Entries=entries)


def test_counts_visibility_and_delay_behave_as_sqs(sqs: Any, queue: str) -> None:
    _send(sqs, queue, 3)
    sqs.send_message(QueueUrl=queue, MessageBody="later", DelaySeconds=900)
    assert _counts(sqs, queue) == (3, 0, 1)

    received = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=2, VisibilityTimeout=300)["Messages"]
    assert len(received) == 2
    assert _counts(sqs, queue) == (1, 2, 1)

    sqs.change_message_visibility(QueueUrl=queue, ReceiptHandle=received[0]["ReceiptHandle"], VisibilityTimeout=0)
    assert _counts(sqs, queue) == (2, 1, 1)

    rest = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, VisibilityTimeout=300)["Messages"]
    assert sorted(m["Body"] for m in rest) == sorted({"body 0", "body 1", "body 2"} - {received[1]["Body"]})
    for message in [received[1], *rest]:
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    assert _counts(sqs, queue) == (0, 0, 1)  # the delayed one is still waiting
    assert sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []) == []


def _messages_asked_the_time(sqs: Any, monkeypatch: pytest.MonkeyPatch, queued: int) -> int:
    """How many times one receive of 10 asks a message of this queue whether it is visible or delayed (a clock read
    each). Only this queue's messages count: the sandbox's webhook poller receives from its own queue meanwhile."""
    from moto.sqs.models import Message

    token = f"probe-{uuid.uuid4().hex}"
    url = str(sqs.create_queue(QueueName=f"scale-{uuid.uuid4().hex[:10]}")["QueueUrl"])
    try:
        for start in range(0, queued, 10):
            entries = [{"Id": str(n), "MessageBody": f"{token} {n}"} for n in range(start, min(start + 10, queued))]
            sqs.send_message_batch(QueueUrl=url, Entries=entries)
        asked = []

        def counted(original: Any) -> property:
            def read(message: Any) -> Any:
                if str(message.body).startswith(token):
                    asked.append(1)
                return original.fget(message)

            return property(read)

        with monkeypatch.context() as patched:
            patched.setattr(Message, "visible", counted(Message.visible))
            patched.setattr(Message, "delayed", counted(Message.delayed))
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=300)["Messages"]
        assert len(got) == 10
        return len(asked)
    finally:
        sqs.delete_queue(QueueUrl=url)


def test_receiving_asks_as_few_messages_the_time_on_a_long_queue_as_on_a_short_one(
    sqs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    short = _messages_asked_the_time(sqs, monkeypatch, queued=20)
    long = _messages_asked_the_time(sqs, monkeypatch, queued=600)

    assert short == long <= 10  # moto as shipped: 2,285 and 73,045 (a dozen per queued message per message received)
