"""The reminder-cycle queue (SQS). Messages are sent in batches of ten, SQS's maximum."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import boto3

_SQS_BATCH = 10


class SqsQueue:
    def __init__(self, queue_name: str, client: Any = None) -> None:
        self._queue_name = queue_name
        self._client = client
        self._url: str | None = None

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = boto3.client("sqs")
        return self._client

    @property
    def url(self) -> str:
        if self._url is None:
            self._url = str(self.client.get_queue_url(QueueName=self._queue_name)["QueueUrl"])
        return self._url

    def send_all(self, bodies: Sequence[str]) -> None:
        for start in range(0, len(bodies), _SQS_BATCH):
            chunk = bodies[start : start + _SQS_BATCH]
            entries = [{"Id": str(i), "MessageBody": body} for i, body in enumerate(chunk)]
            response = self.client.send_message_batch(QueueUrl=self.url, Entries=entries)
            if response.get("Failed"):
                raise RuntimeError(f"SQS refused {len(response['Failed'])} cycle messages")
