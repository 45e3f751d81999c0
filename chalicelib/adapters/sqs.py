"""One SQS queue (reminder cycles, webhook bodies): `chalicelib.ports.Queue`.

Every queue of the process shares one SQS client (chalicelib/aws.py: built on first use from the process's one
botocore session, which the DynamoDB storage uses too), and each queue looks its URL up (`GetQueueUrl`) once,
on its first send; the container (chalicelib/container.py) keeps the queues for the life of a warm Lambda, so a
request costs no client and no lookup. A failed lookup is not kept, so the next send tries again.

Bodies go out with SendMessageBatch, packed by SQS's limits: at most 10 messages and 256 KiB per call (one body
may be up to 256 KiB itself: webhooks/intake.py keeps the parts it queues under that).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import Any

SQS_BATCH = 10  # messages per SendMessageBatch
SQS_BATCH_BYTES = 262_144  # 256 KiB: one message's limit, and the whole SendMessageBatch payload's
_ATTEMPTS = 3  # a batch's failed entries are sent again this many times in all, then the send fails


def shared_client() -> Any:
    """The process's SQS client (built on first send, not when app.py is imported; again only if the environment
    names another endpoint or region, as a sandbox started again in the same process does)."""
    from chalicelib import aws

    return aws.client("sqs")


class SqsQueue:
    def __init__(self, queue_name: str, client: Any = None) -> None:
        """`client`: an SQS client of the caller's (the process's shared one by default)."""
        self.queue_name = queue_name
        self._client = client
        self._url: str | None = None
        self._lock = threading.Lock()  # the sandbox serves requests and drains queues on several threads

    @property
    def client(self) -> Any:
        return self._client if self._client is not None else shared_client()

    @property
    def url(self) -> str:
        client = self.client
        with self._lock:
            if self._url is None:
                self._url = str(client.get_queue_url(QueueName=self.queue_name)["QueueUrl"])
            return self._url

    def send(self, bodies: Sequence[str]) -> None:
        """Every body, in SendMessageBatch calls of at most 10 messages and 256 KiB; entries SQS refused are sent
        again (twice), then the send fails, naming how many were refused."""
        for batch in batches(bodies):
            entries = [{"Id": str(i), "MessageBody": body} for i, body in enumerate(batch)]
            for _ in range(_ATTEMPTS):
                response = self.client.send_message_batch(QueueUrl=self.url, Entries=entries)
                failed = {str(f["Id"]) for f in response.get("Failed") or []}
                entries = [e for e in entries if e["Id"] in failed]
                if not entries:
                    break
            if entries:
                raise RuntimeError(f"SQS refused {len(entries)} of {len(batch)} messages")


def batches(bodies: Sequence[str]) -> Iterator[list[str]]:
    """`bodies` in order, packed into SendMessageBatch calls: at most 10 and 256 KiB (UTF-8) each."""
    batch: list[str] = []
    size = 0
    for body in bodies:
        body_size = len(body.encode())
        if batch and (len(batch) == SQS_BATCH or size + body_size > SQS_BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(body)
        size += body_size
    if batch:
        yield batch
