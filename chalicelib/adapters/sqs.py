"""One SQS queue (reminder cycles, webhook bodies): `chalicelib.ports.Queue`.

The container (chalicelib/container.py) keeps one `SqsQueue` per queue for the life of a warm Lambda: its boto3
client is created and its URL looked up (`GetQueueUrl`) on first use, then reused. A failed lookup is not kept, so
the next send tries again.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

_SQS_BATCH = 10


class SqsQueue:
    def __init__(self, queue_name: str, client: Any = None, *, one_at_a_time: bool = False) -> None:
        """`one_at_a_time`: one SendMessage per body, for bodies that may each be close to SQS's request limit
        (the webhook parts of webhooks/intake.py); otherwise batches of ten, SQS's maximum."""
        self.queue_name = queue_name
        self._client = client
        self._url: str | None = None
        self._one_at_a_time = one_at_a_time
        self._lock = threading.Lock()  # the sandbox serves requests and drains queues on several threads

    @property
    def client(self) -> Any:
        with self._lock:
            if self._client is None:
                import boto3  # on first send, not when app.py is imported

                self._client = boto3.client("sqs")
            return self._client

    @property
    def url(self) -> str:
        client = self.client
        with self._lock:
            if self._url is None:
                self._url = str(client.get_queue_url(QueueName=self.queue_name)["QueueUrl"])
            return self._url

    def send(self, bodies: Sequence[str]) -> None:
        if self._one_at_a_time:
            for body in bodies:
                self.client.send_message(QueueUrl=self.url, MessageBody=body)
            return
        for start in range(0, len(bodies), _SQS_BATCH):
            chunk = bodies[start : start + _SQS_BATCH]
            entries = [{"Id": str(i), "MessageBody": body} for i, body in enumerate(chunk)]
            response = self.client.send_message_batch(QueueUrl=self.url, Entries=entries)
            if response.get("Failed"):
                raise RuntimeError(f"SQS refused {len(response['Failed'])} of {len(chunk)} messages")
