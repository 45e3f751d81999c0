"""One botocore session and one DynamoDB client for every item kind of the table, built once per process.

Left to itself, pynamodb gives every model class its own `TableConnection`, each with its own `Connection`, botocore
session and client: a cold worker built 18 of them, each session loading botocore's service data again (2.4–3.1 s
and 217 MiB, against 0.3 s and 48 MiB with one). Here every model of the table (the subclasses of `schema._Item`)
shares one `TableConnection` (`schema.py` sets it on the base class), transactions use the same `Connection`
(`shared_connection()`), and its client is built once, under a lock, from the process's one botocore session
(chalicelib/aws.py), the one the SQS, KMS and Cognito clients come from.

Where the client points is botocore's usual configuration, read when the client is built: `AWS_ENDPOINT_URL_DYNAMODB`
or `AWS_ENDPOINT_URL` (the sandbox's local endpoint), `AWS_DEFAULT_REGION`, or the models' `Meta.host` and
`Meta.region` (pynamodb's settings file). When those environment variables change (a sandbox started again in the
same process), the next call builds a new client; `reset()` forgets it explicitly.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from pynamodb.connection import Connection, TableConnection
from pynamodb.models import Model

from chalicelib.aws import configured_endpoint, process_session

if TYPE_CHECKING:
    from botocore.session import Session


class SharedConnection(Connection):
    """A pynamodb `Connection` whose session is the process's, and whose client is built once, under a lock."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._client_lock = threading.Lock()
        self._built_for: tuple[str, str] | None = None

    @property
    def session(self) -> Session:
        return process_session()

    @property
    def client(self) -> Any:
        # pynamodb builds the client on first use (and again if it ever lost its credentials); botocore's client
        # creation is not thread-safe, and two threads racing here would build two.
        with self._client_lock:
            where = configured_endpoint("dynamodb")
            if where != self._built_for:  # first use, or the environment moved (a sandbox restarted in-process)
                self._client = None
                self._built_for = where
            return super().client

    def reset(self) -> None:
        with self._client_lock:
            self._client = None


_SHARED: list[TableConnection] = []  # the table's one TableConnection, once `share` made it


def share(model: type[Model]) -> TableConnection:
    """`model`'s TableConnection (it holds the table's key schema and index), switched to a `SharedConnection` with
    the same settings. schema.py sets it on the base class of every model, so they all use it."""
    table = model._get_connection()  # builds the TableConnection and its schema; no client, no I/O
    meta = model.Meta
    shared = SharedConnection(
        region=meta.region,
        host=meta.host,
        connect_timeout_seconds=meta.connect_timeout_seconds,
        read_timeout_seconds=meta.read_timeout_seconds,
        max_retry_attempts=meta.max_retry_attempts,
        max_pool_connections=meta.max_pool_connections,
        extra_headers=meta.extra_headers,
    )
    shared.add_meta_table(table.get_meta_table())
    table.connection = shared
    _SHARED[:] = [table]
    return table


def shared_connection() -> SharedConnection:
    """The connection every model of the table uses (`TransactWrite(connection=shared_connection())`)."""
    import chalicelib.storage.schema  # noqa: F401  (it shares the connection when imported)

    connection = _SHARED[0].connection
    assert isinstance(connection, SharedConnection)
    return connection


def client() -> Any:
    """The process's one DynamoDB client (built on first use)."""
    return shared_connection().client


def reset() -> None:
    """Forget the DynamoDB client: the next call builds one from the configuration in force then."""
    shared_connection().reset()
