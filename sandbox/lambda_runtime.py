"""Runs app.py's handlers the way Lambda does, without Lambda.

`invoke_schedule` calls the scheduled handler with an EventBridge "Scheduled Event"; `SqsEventSource` plays the
part of Lambda's SQS event source mapping: it receives messages from the (local) queue, hands them to the worker as
an SQS event, deletes the ones that succeeded and makes the reported failures visible again, so SQS's redrive
policy moves a message that keeps failing to the dead-letter queue, as on AWS.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chalicelib.clock import monotonic

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class LambdaContext:
    """The attributes Powertools reads from a Lambda context."""

    function_name: str
    memory_limit_in_mb: int = 1024
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    invoked_function_arn: str = ""
    deadline_ms: float = field(default_factory=lambda: monotonic() * 1000 + 300_000)  # on the elapsed-time clock

    def __post_init__(self) -> None:
        if not self.invoked_function_arn:
            self.invoked_function_arn = f"arn:aws:lambda:ap-southeast-3:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return int(self.deadline_ms - monotonic() * 1000)


def scheduled_event(now: dt.datetime, rule: str = "lunas-dev-fan_out_reminders") -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": "ap-southeast-3",
        "resources": [f"arn:aws:events:ap-southeast-3:123456789012:rule/{rule}"],
        "detail": {},
    }


def invoke_schedule(handler: Handler, now: dt.datetime) -> Any:
    return handler(scheduled_event(now), LambdaContext("fan_out_reminders"))


@dataclass
class BatchOutcome:
    received: int = 0
    failed: int = 0
    responses: list[Any] = field(default_factory=list)


class SqsEventSource:
    """Lambda's SQS event source mapping, for one queue and one handler."""

    def __init__(self, *, queue_url: str, handler: Handler, function_name: str, batch_size: int = 5) -> None:
        import boto3

        self._sqs = boto3.client("sqs")
        self._queue_url = queue_url
        self._queue_arn = self._sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        self._handler = handler
        self._function_name = function_name
        self._batch_size = batch_size

    def poll_once(self) -> BatchOutcome:
        """Receive one batch (no long polling), invoke the handler, settle the messages."""
        messages = self._sqs.receive_message(
            QueueUrl=self._queue_url,
            MaxNumberOfMessages=self._batch_size,
            AttributeNames=["All"],
            WaitTimeSeconds=0,
        ).get("Messages", [])
        outcome = BatchOutcome(received=len(messages))
        if not messages:
            return outcome
        event = {"Records": [self._record(m) for m in messages]}
        try:
            response = self._handler(event, LambdaContext(self._function_name))
            failed_ids = {f["itemIdentifier"] for f in (response or {}).get("batchItemFailures", [])}
        except Exception:  # the whole invocation failed: Lambda retries the whole batch
            response, failed_ids = None, {m["MessageId"] for m in messages}
        outcome.responses.append(response)
        for message in messages:
            if message["MessageId"] in failed_ids:
                outcome.failed += 1
                # Visible again at once (on AWS: after the visibility timeout) so the next poll retries it.
                self._sqs.change_message_visibility(
                    QueueUrl=self._queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                )
            else:
                self._sqs.delete_message(QueueUrl=self._queue_url, ReceiptHandle=message["ReceiptHandle"])
        return outcome

    def drain(self, *, max_batches: int = 50) -> list[BatchOutcome]:
        """Poll until the queue is empty (bounded), as Lambda would keep invoking while messages remain."""
        outcomes = []
        for _ in range(max_batches):
            outcome = self.poll_once()
            if outcome.received == 0:
                break
            outcomes.append(outcome)
        return outcomes

    def _record(self, message: Any) -> dict[str, Any]:
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": {},
            "md5OfBody": message.get("MD5OfBody", ""),
            "eventSource": "aws:sqs",
            "eventSourceARN": self._queue_arn,
            "awsRegion": "ap-southeast-3",
        }


class BackgroundPoller:
    """Lambda's event source mapping running by itself: polls one queue in a thread until stopped.

    The webhook routes answer 200 once the body is on the queue; this is what then processes it, as AWS would.
    `drain()` processes everything queued so far (including retries of failures, up to the redrive limit) before
    returning, so a test can wait for processing without sleeping.
    """

    def __init__(self, source: SqsEventSource, *, idle_wait_seconds: float = 0.05, name: str = "sqs-poller") -> None:
        self._source = source
        self._idle_wait = idle_wait_seconds
        self._lock = threading.Lock()  # one poll at a time: drain() sees no message in flight elsewhere
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def drain(self, *, max_batches: int = 500) -> list[BatchOutcome]:
        with self._lock:
            return self._source.drain(max_batches=max_batches)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with self._lock:
                    received = self._source.poll_once().received
            except Exception:  # the local AWS stopping under us, say: keep the thread alive until stop()
                received = 0
            if not received:
                self._stop.wait(self._idle_wait)
