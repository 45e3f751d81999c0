"""A local AWS: a moto server on 127.0.0.1 with the table, key and queues Lunas expects.

The table comes from the same pynamodb model production uses (`LunasTable`), the queues from the names in the
environment, so the sandbox and AWS differ only by configuration. Call `configure_environment` before anything
builds a boto3 client or touches a pynamodb model.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

DEFAULT_REGION = "ap-southeast-3"  # Jakarta
_MAX_RECEIVE_COUNT = 3


@dataclass(frozen=True)
class LocalAws:
    endpoint: str
    queue_url: str
    dead_letter_queue_url: str
    kms_key_id: str
    server: Any
    webhook_queue_url: str = ""  # Meta / Xero / QuickBooks webhook bodies (app.py's process_webhooks)
    webhook_dead_letter_queue_url: str = ""

    def stop(self) -> None:
        self.server.stop()


def configure_environment(endpoint: str, region: str = DEFAULT_REGION) -> None:
    """Point every AWS SDK in this process (boto3, pynamodb, Powertools) at the local endpoint."""
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": region,
            "AWS_REGION": region,
        }
    )
    os.environ.pop("AWS_PROFILE", None)


def start_local_aws() -> LocalAws:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per AWS call drowns everything else
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    wsgi = server._server  # moto keeps its werkzeug server private; the app it serves is a plain attribute
    assert wsgi is not None, "moto's server did not start"
    wsgi.app = SerialisedDynamoDB(wsgi.app)
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    configure_environment(endpoint)
    queue_url, dlq_url = create_queues(os.environ.get("LUNAS_REMINDER_QUEUE", "lunas-reminders"))
    key_id = create_kms_key(os.environ.get("LUNAS_KMS_KEY_ID", "alias/lunas-tokens"))
    create_table()
    webhook_url, webhook_dlq_url = create_queues(os.environ.get("LUNAS_WEBHOOK_QUEUE", "lunas-webhooks"))
    return LocalAws(endpoint, queue_url, dlq_url, key_id, server, webhook_url, webhook_dlq_url)


class SerialisedDynamoDB:
    """WSGI middleware: one DynamoDB request at a time, as DynamoDB's own guarantees need.

    Real DynamoDB applies a conditional write or a transaction atomically. moto's threaded server checks a condition
    and then writes without a lock, so two threads claiming one key could both win (seen: 2 of 60 races with four
    threads). Serialising DynamoDB requests gives the sandbox and the tests the guarantee production has; other
    services (SQS, KMS, Cognito) still run concurrently.
    """

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not str(environ.get("HTTP_X_AMZ_TARGET", "")).startswith("DynamoDB_"):
            return self._app(environ, start_response)
        with self._lock:
            return list(self._app(environ, start_response))


def create_table() -> None:
    from chalicelib.storage.schema import LunasTable

    if not LunasTable.exists():
        LunasTable.create_table(wait=True)


def create_kms_key(alias: str) -> str:
    import boto3

    kms = boto3.client("kms")
    key_id = str(kms.create_key(Description="Lunas OAuth and WhatsApp tokens")["KeyMetadata"]["KeyId"])
    if alias.startswith("alias/"):
        kms.create_alias(AliasName=alias, TargetKeyId=key_id)
    return key_id


def create_queues(name: str) -> tuple[str, str]:
    """A queue (reminders, webhooks) and its dead-letter queue (a message failing 3 times moves there)."""
    import boto3

    sqs = boto3.client("sqs")
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(_MAX_RECEIVE_COUNT)})
    queue_url = sqs.create_queue(QueueName=name, Attributes={"RedrivePolicy": redrive, "VisibilityTimeout": "300"})[
        "QueueUrl"
    ]
    return str(queue_url), str(dlq_url)
