"""A local AWS: a moto server on 127.0.0.1 with the table, key and queues Lunas expects.

The table comes from the same pynamodb model production uses (`LunasTable`), the queues from the names in the
environment, so the sandbox and AWS differ only by configuration. Call `configure_environment` before anything
builds a boto3 client or touches a pynamodb model.

moto is made to scale here (`install_scalable_moto`, below): as shipped, a DynamoDB transaction deep-copies the whole
table for every item it writes and a Query sorts the whole table to find one partition (a company with a few thousand
invoices grew to tens of GB), and SQS reads the clock for every message in the queue, several times over, for each
message it hands out. The replacements are written against the moto pinned in requirements-dev.txt (5.2.5);
tests/test_local_dynamodb.py and tests/test_local_sqs.py check they still behave like DynamoDB and SQS, and that the
costs above no longer grow with the table or the queue.
"""

from __future__ import annotations

import bisect
import copy
import json
import logging
import os
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from typing import Any

DEFAULT_REGION = "ap-southeast-3"  # Jakarta
DIGEST_FROM = "ringkasan@lunas.example"  # the daily summary's sender (LUNAS_DIGEST_FROM), verified at start-up
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
    dynamodb: SerialisedDynamoDB | None = None  # the DynamoDB front door: its `requests` count every operation

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

    install_scalable_moto()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per AWS call drowns everything else
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    wsgi = server._server  # moto keeps its werkzeug server private; the app it serves is a plain attribute
    assert wsgi is not None, "moto's server did not start"
    dynamodb = wsgi.app = SerialisedDynamoDB(wsgi.app)
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    configure_environment(endpoint)
    queue_url, dlq_url = create_queues(os.environ.get("LUNAS_REMINDER_QUEUE", "lunas-reminders"))
    key_id = create_kms_key(os.environ.get("LUNAS_KMS_KEY_ID", "alias/lunas-tokens"))
    create_table()
    verify_mail_sender(os.environ.get("LUNAS_DIGEST_FROM", DIGEST_FROM))
    webhook_url, webhook_dlq_url = create_queues(os.environ.get("LUNAS_WEBHOOK_QUEUE", "lunas-webhooks"))
    return LocalAws(endpoint, queue_url, dlq_url, key_id, server, webhook_url, webhook_dlq_url, dynamodb)


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
        self.requests: Counter[str] = Counter()  # DynamoDB operation -> how many (the big demo prints them)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
        if not target.startswith("DynamoDB_"):
            return self._app(environ, start_response)
        with self._lock:
            self.requests[target.rpartition(".")[2]] += 1
            return list(self._app(environ, start_response))


def create_table() -> None:
    from chalicelib.storage.schema import LunasTable

    if not LunasTable.exists():
        LunasTable.create_table(wait=True)


def verify_mail_sender(address: str) -> None:
    """SES sends only from a verified identity: verify the daily summary's sender, as the deployer does once on AWS
    (moto marks it verified at once). https://docs.aws.amazon.com/ses/latest/dg/creating-identities.html"""
    import boto3

    boto3.client("ses").verify_email_identity(EmailAddress=address)


def sent_mail() -> list[dict[str, Any]]:
    """What SES accepted so far, newest first: the sandbox's outbox (moto keeps sent messages in memory; the
    ThreadedMotoServer runs in this process). Each: id, from, to, subject, body (the HTML part when there is one)."""
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    region = os.environ.get("AWS_DEFAULT_REGION", DEFAULT_REGION)
    messages = list(ses_backends[DEFAULT_ACCOUNT_ID][region].sent_messages)
    return [
        {
            "id": m.id,
            "from": m.source,
            "to": [a for addresses in m.destinations.values() for a in addresses],
            "subject": m.subject,
            "body": m.body,
        }
        for m in reversed(messages)
        if hasattr(m, "subject")
    ]


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


# -- a local DynamoDB that scales ------------------------------------------------------------------------------------
#
# moto 5.2's DynamoDB keeps a table as {hash key: {range key: Item}}, which is the right shape, but
# - `transact_write_items` deep-copies the whole table once per item of the transaction, to roll back by swapping
#   the copy in: a 4-item claim on a 30,000-item table copied 120,000 items;
# - `Table.query` sorts every item of the table, then keeps those of the one partition asked for, then walks the
#   partition from its start to find the page after `ExclusiveStartKey`.
# The replacements below keep moto's behaviour (conditions, CancellationReasons, ReturnValuesOnConditionCheckFailure,
# Limit and the 1 MB page, LastEvaluatedKey, filters and projections) and change only the cost: a transaction keeps a
# copy of the items it touches and puts them back if it is cancelled; a Query reads its partition's range keys, kept
# in order, and bisects to the page. GSI queries, scans and tables with streams keep moto's own code (Lunas queries
# its index once per fan-out). SQS: see `install_scalable_moto`.

_KEY_OPERATORS = {
    "=": "EQ",
    "EQ": "EQ",
    "<": "LT",
    "LT": "LT",
    "<=": "LE",
    "LE": "LE",
    ">": "GT",
    "GT": "GT",
    ">=": "GE",
    "GE": "GE",
    "BETWEEN": "BETWEEN",
    "BEGINS_WITH": "BEGINS_WITH",
}
_PATCHED: dict[str, Any] = {}  # moto's own methods, by name, once installed


def install_scalable_moto() -> None:
    """Replace moto's table-copying transaction, table-sorting Query and per-message SQS clock reads (idempotent)."""
    import moto.backends
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table
    from moto.sqs.models import Queue, SQSBackend

    if _PATCHED:
        return
    _PATCHED["transact_write_items"] = DynamoDBBackend.transact_write_items
    _PATCHED["query"] = Table.query
    DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]
    Table.query = _query  # type: ignore[method-assign]
    # SQS: moto asks every message of the queue `visible`/`delayed` (two clock reads each) to count them, three times
    # per message received (the retention check reads all attributes) and once per message sent: read it once.
    Queue.messages = property(_ready_messages)  # type: ignore[method-assign,assignment]
    Queue.approximate_number_of_messages_delayed = property(_delayed_count)  # type: ignore[method-assign,assignment]
    Queue.approximate_number_of_messages_not_visible = property(_in_flight_count)  # type: ignore[method-assign,assignment]
    SQSBackend.is_message_valid_based_on_retention_period = _retained  # type: ignore[method-assign,assignment]
    # The server lists moto's package directory on every request to route it; the directory does not change.
    modules = tuple(moto.backends.list_of_moto_modules())
    moto.backends.list_of_moto_modules = lambda: modules


def _now_millis() -> float:
    from moto.core.utils import unix_time_millis

    return float(unix_time_millis())


def _ready_messages(queue: Any) -> list[Any]:
    """moto's `Queue.messages`: visible and not delayed, at one instant."""
    now = _now_millis()
    return [m for m in queue._messages if now > m.visible_at and not now < m.delayed_until]


def _delayed_count(queue: Any) -> int:
    now = _now_millis()
    return sum(1 for m in queue._messages if now < m.delayed_until)


def _in_flight_count(queue: Any) -> int:
    now = _now_millis()
    return sum(1 for m in queue._messages if not now > m.visible_at)


def _retained(backend: Any, queue_name: str, message: Any) -> bool:
    """moto's retention check, reading the one attribute it needs (not every attribute, each counting the queue)."""
    from moto.core.utils import unix_time

    retention_period = int(backend.get_queue(queue_name).message_retention_period)
    return bool(retention_period + message.sent_timestamp / 1000 > unix_time())


def _order_key(value: Any) -> Any:
    """How moto orders key values (DynamoType's comparisons): numbers as Decimal, strings and binaries as stored."""
    return value.cast_value


class _Partition(dict[Any, Any]):
    """One partition of a moto table (range key -> Item) that keeps its range keys in order once a Query asked.

    moto writes a partition with `[key] = item` and `.pop(key)`; both keep the order current (a bisect per new or
    removed key). Anything else that changes the keys drops the order, and the next Query sorts again.
    """

    _order: list[Any] | None = None

    def ordered_keys(self) -> list[Any]:
        if self._order is None:
            self._order = sorted(self, key=_order_key)
        return self._order

    def __setitem__(self, key: Any, value: Any) -> None:
        if self._order is not None and key not in self:
            bisect.insort(self._order, key, key=_order_key)
        super().__setitem__(key, value)

    def __delitem__(self, key: Any) -> None:
        super().__delitem__(key)
        self._forget(key)

    def pop(self, key: Any, *default: Any) -> Any:
        if key not in self:
            return super().pop(key, *default)
        value = super().pop(key)
        self._forget(key)
        return value

    def _forget(self, key: Any) -> None:
        if self._order is None:
            return
        at = bisect.bisect_left(self._order, _order_key(key), key=_order_key)
        if at < len(self._order) and self._order[at] == key:
            del self._order[at]
        else:
            self._order = None

    def popitem(self) -> tuple[Any, Any]:
        self._order = None
        return super().popitem()

    def clear(self) -> None:
        self._order = None
        super().clear()

    def update(self, *args: Any, **kwargs: Any) -> None:
        self._order = None
        super().update(*args, **kwargs)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if key not in self:
            self._order = None
        return super().setdefault(key, default)

    def __ior__(self, other: Any) -> Any:  # type: ignore[misc]
        self._order = None
        return super().__ior__(other)

    def __deepcopy__(self, memo: dict[int, Any]) -> _Partition:  # moto's backups and restores copy tables
        return _Partition({copy.deepcopy(k, memo): copy.deepcopy(v, memo) for k, v in self.items()})

    def __reduce__(self) -> Any:
        return (_Partition, (dict(self),))


def _left(keys: list[Any], value: Any) -> int:
    return bisect.bisect_left(keys, value, key=_order_key)


def _right(keys: list[Any], value: Any) -> int:
    return bisect.bisect_right(keys, value, key=_order_key)


def _prefix_window(keys: list[Any], prefix: Any) -> tuple[int, int]:
    """BEGINS_WITH on a string key: from `prefix` to the first string after every "prefix..." one."""
    text = str(prefix)
    if not text or ord(text[-1]) == 0x10FFFF:
        return _left(keys, text), len(keys)  # the page loop checks startswith for these
    return _left(keys, text), _left(keys, text[:-1] + chr(ord(text[-1]) + 1))


# operator -> (ordered range keys, the operands' values) -> the slice [low, high) the key condition selects
_WINDOWS: dict[str, Callable[[list[Any], list[Any]], tuple[int, int]]] = {
    "EQ": lambda keys, v: (_left(keys, v[0]), _right(keys, v[0])),
    "LT": lambda keys, v: (0, _left(keys, v[0])),
    "LE": lambda keys, v: (0, _right(keys, v[0])),
    "GT": lambda keys, v: (_right(keys, v[0]), len(keys)),
    "GE": lambda keys, v: (_left(keys, v[0]), len(keys)),
    "BETWEEN": lambda keys, v: (_left(keys, v[0]), max(_left(keys, v[0]), _right(keys, v[1]))),
    "BEGINS_WITH": lambda keys, v: _prefix_window(keys, v[0]),
}


@dataclass
class _QueryCall:
    """The arguments moto's DynamoDBBackend.query passes to Table.query, by name."""

    hash_key: Any
    range_comparison: str | None
    range_objs: list[Any]
    limit: int | None
    exclusive_start_key: dict[str, Any] | None
    scan_index_forward: bool
    projection_expressions: Any
    index_name: str | None = None
    consistent_read: bool = False
    filter_expression: Any = None
    hash_key_conditions: Any = None
    range_key_conditions: Any = None
    filter_kwargs: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, *args: Any, **kwargs: Any) -> _QueryCall:
        named = {f.name for f in fields(cls)} - {"filter_kwargs"}
        extra = {k: v for k, v in kwargs.items() if k not in named}
        call = cls(*args, **{k: v for k, v in kwargs.items() if k in named})
        call.filter_kwargs = extra
        return call

    @property
    def operator(self) -> str | None:
        return _KEY_OPERATORS.get(self.range_comparison.upper()) if self.range_comparison else None

    def reads_one_partition(self, table: Any) -> bool:
        """A key condition on the table's own keys that the partition read answers exactly as moto would."""
        range_attr = table.range_key_attr
        return not (
            self.index_name
            or self.filter_kwargs
            or self.hash_key is None
            or range_attr is None
            or (self.range_comparison and self.operator is None)
            or (self.operator == "BEGINS_WITH" and table.range_key_type != "S")
            or (self.range_key_conditions and [c[0] for c in self.range_key_conditions] != [range_attr])
            or (self.exclusive_start_key is not None and range_attr not in self.exclusive_start_key)
        )


def _query(self: Any, *args: Any, **kwargs: Any) -> tuple[list[Any], int, dict[str, Any] | None]:
    """moto's `Table.query`, reading only the partition asked for (see the section comment)."""
    call = _QueryCall.of(*args, **kwargs)
    if not call.reads_one_partition(self):
        return _PATCHED["query"](self, *args, **kwargs)  # type: ignore[no-any-return]
    partition = self.items.get(call.hash_key)
    if partition is not None and not isinstance(partition, _Partition):
        partition = self.items[call.hash_key] = _Partition(partition)
    keys = partition.ordered_keys() if partition is not None else []
    low, high = (
        _WINDOWS[call.operator](keys, [_order_key(o) for o in call.range_objs]) if call.operator else (0, len(keys))
    )
    if call.exclusive_start_key is not None:  # the page after that key, in the query's direction
        from moto.dynamodb.models.dynamo_type import DynamoType

        start = _order_key(DynamoType(call.exclusive_start_key[self.range_key_attr]))
        if call.scan_index_forward:
            low = max(low, bisect.bisect_right(keys, start, low, high, key=_order_key))
        else:
            high = min(high, bisect.bisect_left(keys, start, low, high, key=_order_key))
    page, last_key = _page(self, call, (partition[k] for k in _in_direction(keys, low, high, call)))
    more = high < len(keys) if call.scan_index_forward else low > 0
    if last_key is None and page and len(page) == call.limit and more:
        # As moto answers: a page that reached Limit gets a LastEvaluatedKey when the partition goes on past it.
        last_key = self._get_last_evaluated_key(page[-1], None)
    scanned = len(page)
    results = copy.deepcopy(page)
    if call.filter_expression is not None:
        results = [item for item in results if call.filter_expression.expr(item)]
    if call.projection_expressions:
        results = [item.project(call.projection_expressions) for item in results]
    return results, scanned, last_key


def _in_direction(keys: list[Any], low: int, high: int, call: _QueryCall) -> Iterable[Any]:
    return keys[low:high] if call.scan_index_forward else reversed(keys[low:high])


def _page(table: Any, call: _QueryCall, candidates: Iterable[Any]) -> tuple[list[Any], dict[str, Any] | None]:
    """Items up to Limit or 1 MB (moto's RESULT_SIZE_LIMIT), and the LastEvaluatedKey when a limit cut the page."""
    from moto.dynamodb.models.table import RESULT_SIZE_LIMIT

    prefix = str(call.range_objs[0].cast_value) if call.operator == "BEGINS_WITH" else None
    page: list[Any] = []
    size = 0
    for item in candidates:
        if prefix is not None and not str(item.range_key.cast_value).startswith(prefix):
            continue
        item_size = item.size()
        if len(page) == call.limit or size + item_size > RESULT_SIZE_LIMIT:
            return page, table._get_last_evaluated_key(page[-1], None)
        page.append(item)
        size += item_size
    return page, None


def _transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
    """moto's `transact_write_items`, rolling back from a copy of the items it touched, not of every table."""
    from moto.dynamodb.exceptions import TooManyTransactionsException, TransactionCanceledException

    named = {op.get("TableName") for item in transact_items for op in item.values() if isinstance(op, dict)}
    if any(getattr(self.tables.get(name), "stream_shard", None) is not None for name in named):
        _PATCHED["transact_write_items"](self, transact_items)  # moto's own, for tables with streams
        return
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    transaction = _Transaction(self)
    errors = [transaction.apply(item) for item in transact_items]
    if any(code is not None for code, _, _ in errors):
        transaction.roll_back()
        raise TransactionCanceledException(errors)


class _Transaction:
    """One TransactWriteItems on moto's backend, with an undo log of the items it wrote."""

    def __init__(self, backend: Any) -> None:
        self._backend = backend
        self._undo: list[tuple[Any, Any, Any, Any]] = []  # (table, hash key, range key, the item before or None)
        self._keys: set[tuple[str, str]] = set()

    def apply(self, item: dict[str, Any]) -> tuple[str | None, str | None, dict[str, Any] | None]:
        """Check and write one action; (None, None, None) or its CancellationReason (code, message, item)."""
        from moto.dynamodb.exceptions import (
            ConditionalCheckFailed,
            MockValidationException,
            MultipleTransactionsException,
            TransactWriteSingleOpException,
        )

        if len(item) > 1:
            raise TransactWriteSingleOpException
        failed: dict[str, Any] = {}  # ALL_OLD: the item whose condition failed
        try:
            op_type, op = next(iter(item.items()))
            if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                raise ValueError("Unsupported transaction operation")
            key = self._key(op_type, op)
            if op_type != "ConditionCheck":
                self._remember(op["TableName"], key)
            self._check(op, key, failed)
            self._write(op_type, op, key)
            return None, None, None
        except (MultipleTransactionsException, MockValidationException):
            self.roll_back()
            raise
        except ConditionalCheckFailed as e:
            return "ConditionalCheckFailed", str(e.message), failed.get("item")
        except Exception as e:  # as moto: any other failure cancels the transaction with its name and message
            return type(e).__name__, str(e), failed.get("item")

    def _key(self, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
        """The action's key; two actions on one item are refused (DynamoDB's ValidationException)."""
        from moto.dynamodb.exceptions import MultipleTransactionsException

        if op_type == "Put":
            table = self._backend.get_table(op["TableName"])
            attrs = op["Item"]
            key = {table.hash_key_attr: attrs[table.hash_key_attr]}
            if table.range_key_attr is not None:
                key[table.range_key_attr] = attrs[table.range_key_attr]
        else:
            key = op["Key"]
        unique = (str(op["TableName"]), str(dict(sorted(key.items()))))
        if unique in self._keys:
            raise MultipleTransactionsException()
        self._keys.add(unique)
        return dict(key)

    def _remember(self, table_name: str, key: dict[str, Any]) -> None:
        table = self._backend.get_table(table_name)
        hash_key, range_key = self._backend.get_keys_value(table, key)
        self._undo.append((table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key))))

    def _check(self, op: dict[str, Any], key: dict[str, Any], failed: dict[str, Any]) -> None:
        from moto.dynamodb.comparisons import get_filter_expression
        from moto.dynamodb.exceptions import ConditionalCheckFailed

        current = self._backend.get_item(op["TableName"], key)  # also: an unknown table or a bad key fails here
        condition = op.get("ConditionExpression")
        if condition is None:
            return
        names, values = op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
        if not get_filter_expression(condition, names, values).expr(current):
            if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                failed["item"] = current.to_json()["Attributes"]
            raise ConditionalCheckFailed(item=failed.get("item"))

    def _write(self, op_type: str, op: dict[str, Any], key: dict[str, Any]) -> None:
        expression = {
            "condition_expression": op.get("ConditionExpression"),
            "expression_attribute_names": op.get("ExpressionAttributeNames"),
            "expression_attribute_values": op.get("ExpressionAttributeValues"),
        }
        if op_type == "Put":
            self._backend.put_item(op["TableName"], op["Item"], **expression)
        elif op_type == "Delete":
            self._backend.delete_item(op["TableName"], key, **expression)
        elif op_type == "Update":
            self._backend.update_item(op["TableName"], key, update_expression=op["UpdateExpression"], **expression)

    def roll_back(self) -> None:
        """Put back every item this transaction wrote, as it was before (absent ones removed)."""
        for table, hash_key, range_key, before in reversed(self._undo):
            home = table.items if range_key is None else table.items[hash_key]
            slot = hash_key if range_key is None else range_key
            if before is None:
                home.pop(slot, None)
            else:
                home[slot] = before
        self._undo.clear()
