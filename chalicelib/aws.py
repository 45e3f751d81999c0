"""The process's one botocore session and one client per AWS service, built once per warm container.

Every AWS client of the process comes from here: the DynamoDB storage (chalicelib/storage/dynamo.py), the queues
(adapters/sqs.py), KMS (adapters/kms.py) and Cognito (auth/cognito.py). botocore alone, not boto3: Lunas uses
nothing of boto3 but `boto3.client`, and importing boto3 also imports s3transfer and its thread pools, about a
tenth of a cold worker's CPU (`make bench`).

Where a client points is botocore's usual configuration, read when it is built: `AWS_ENDPOINT_URL_<SERVICE>` or
`AWS_ENDPOINT_URL` (the sandbox's local endpoints), `AWS_DEFAULT_REGION` / `AWS_REGION`. When those change (a
sandbox started again in the same process), the next `client()` builds a new one.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.session import Session

# Reentrant: `client()` builds under it and asks `process_session()`, which takes it too. botocore's session and
# client creation are not thread-safe, and the sandbox serves requests on several threads.
_LOCK = threading.RLock()
_SESSION: list[Session] = []
_CLIENTS: dict[str, tuple[tuple[str, str], Any]] = {}  # service -> (where it was built for, the client)


def process_session() -> Session:
    """The process's one botocore session (created on first use)."""
    with _LOCK:
        if not _SESSION:
            from botocore.session import get_session

            _SESSION.append(get_session())
        return _SESSION[0]


def configured_endpoint(service: str) -> tuple[str, str]:
    """The endpoint and region botocore's environment names for `service` (what a client built now would use)."""
    env = os.environ
    endpoint = env.get(f"AWS_ENDPOINT_URL_{service.upper().replace('-', '_')}") or env.get("AWS_ENDPOINT_URL") or ""
    return endpoint, env.get("AWS_DEFAULT_REGION") or env.get("AWS_REGION") or ""


def client(service: str) -> Any:
    """The process's client for `service` ("sqs", "kms", "cognito-idp"): built on first use, and again only when the
    environment names another endpoint or region."""
    where = configured_endpoint(service)
    with _LOCK:
        built = _CLIENTS.get(service)
        if built is None or built[0] != where:
            built = (where, process_session().create_client(service))
            _CLIENTS[service] = built
        return built[1]
