"""The sandbox's local DynamoDB scales and still behaves like DynamoDB (sandbox/aws.py, `install_scalable_moto`).

moto as shipped deep-copies the whole table for every item of a transaction and sorts the whole table for every
Query; the sandbox replaces both. These tests hold the replacement to DynamoDB's behaviour: a cancelled transaction
leaves every item as it was, queries return their partition's items in sort-key order, page by page (Limit,
ExclusiveStartKey, the 1 MB page, descending order), GSIs answer; and the cost of a transaction does not grow with
the table (counted: which objects get deep-copied, never timed).
"""

from __future__ import annotations

import copy
import random
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from sandbox.run import Sandbox

Key = tuple[str, str]


@pytest.fixture(scope="module")
def dynamodb(sandbox: Sandbox) -> Any:
    return boto3.client("dynamodb")


def _new_table(dynamodb: Any, range_type: str = "S") -> str:
    """A table of its own (pk, sk of `range_type`) with a sparse GSI on gsi1pk/gsi1sk, as Lunas' table has."""
    name = f"scale-{uuid.uuid4().hex[:10]}"
    dynamodb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": range_type},
            {"AttributeName": "gsi1pk", "AttributeType": "S"},
            {"AttributeName": "gsi1sk", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gsi1",
                "KeySchema": [
                    {"AttributeName": "gsi1pk", "KeyType": "HASH"},
                    {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    return name


@pytest.fixture
def table(dynamodb: Any) -> Iterator[str]:
    name = _new_table(dynamodb)
    yield name
    dynamodb.delete_table(TableName=name)


def _put_many(dynamodb: Any, table: str, items: list[dict[str, Any]]) -> None:
    for start in range(0, len(items), 25):
        requests = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
        dynamodb.batch_write_item(RequestItems={table: requests})


def _item(pk: str, sk: str, **attrs: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}, **{k: {"S": v} for k, v in attrs.items()}}


def _get(dynamodb: Any, table: str, pk: str, sk: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = dynamodb.get_item(
        TableName=table, Key={"pk": {"S": pk}, "sk": {"S": sk}}, ConsistentRead=True
    ).get("Item")
    return found


def _query_pages(dynamodb: Any, table: str, **query: Any) -> list[dict[str, Any]]:
    """Every page of a query, following LastEvaluatedKey (bounded)."""
    pages = []
    start: dict[str, Any] | None = None
    for _ in range(1000):
        answer = dynamodb.query(TableName=table, **query, **({"ExclusiveStartKey": start} if start else {}))
        pages.append(answer)
        start = answer.get("LastEvaluatedKey")
        if start is None:
            return pages
    raise AssertionError("the query never ended")


def _sks(pages: list[dict[str, Any]], attribute: str = "sk") -> list[str]:
    return [next(iter(item[attribute].values())) for page in pages for item in page["Items"]]


def _claim(pk: str, sk: str) -> dict[str, Any]:
    return {"Put": {"Item": _item(pk, sk, state="claimed"), "ConditionExpression": "attribute_not_exists(pk)"}}


# -- transactions ---------------------------------------------------------------------------------------------------


def test_a_cancelled_transaction_leaves_every_item_as_it_was(dynamodb: Any, table: str) -> None:
    _put_many(
        dynamodb,
        table,
        [_item("ORG#a", "A", x="1"), _item("ORG#a", "C", x="3"), _item("ORG#a", "D", x="4", gsi1pk="K", gsi1sk="d")],
    )
    before = _sks(
        _query_pages(
            dynamodb, table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "ORG#a"}}
        )
    )
    actions = [
        {
            "Update": {
                "TableName": table,
                "Key": {"pk": {"S": "ORG#a"}, "sk": {"S": "A"}},
                "UpdateExpression": "SET x = :two",
                "ExpressionAttributeValues": {":two": {"S": "2"}},
            }
        },
        {"Put": {"TableName": table, "Item": _item("ORG#a", "B", x="new", gsi1pk="K", gsi1sk="b")}},
        {"Delete": {"TableName": table, "Key": {"pk": {"S": "ORG#a"}, "sk": {"S": "C"}}}},
        {
            "Put": {
                "TableName": table,
                "Item": _item("ORG#a", "D", x="overwritten"),
                "ConditionExpression": "attribute_not_exists(pk)",
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        },
    ]

    with pytest.raises(ClientError) as raised:
        dynamodb.transact_write_items(TransactItems=actions)

    error = raised.value.response
    assert error["Error"]["Code"] == "TransactionCanceledException"
    reasons = error["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["None", "None", "None", "ConditionalCheckFailed"]
    assert reasons[3]["Item"]["x"] == {"S": "4"}  # ALL_OLD: the item whose condition failed
    assert _get(dynamodb, table, "ORG#a", "A") == _item("ORG#a", "A", x="1")
    assert _get(dynamodb, table, "ORG#a", "B") is None
    assert _get(dynamodb, table, "ORG#a", "C") == _item("ORG#a", "C", x="3")
    assert _get(dynamodb, table, "ORG#a", "D") == _item("ORG#a", "D", x="4", gsi1pk="K", gsi1sk="d")
    after = _sks(
        _query_pages(
            dynamodb, table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "ORG#a"}}
        )
    )
    assert after == before == ["A", "C", "D"]
    on_index = dynamodb.query(
        TableName=table,
        IndexName="gsi1",
        KeyConditionExpression="gsi1pk = :k",
        ExpressionAttributeValues={":k": {"S": "K"}},
    )
    assert [i["sk"]["S"] for i in on_index["Items"]] == ["D"]


def test_a_transaction_naming_one_item_twice_is_refused_and_changes_nothing(dynamodb: Any, table: str) -> None:
    _put_many(dynamodb, table, [_item("ORG#a", "A", x="1")])
    actions = [
        {"Put": {"TableName": table, "Item": _item("ORG#a", "B", x="new")}},
        {
            "Update": {
                "TableName": table,
                "Key": {"pk": {"S": "ORG#a"}, "sk": {"S": "A"}},
                "UpdateExpression": "SET x = :two",
                "ExpressionAttributeValues": {":two": {"S": "2"}},
            }
        },
        {"Delete": {"TableName": table, "Key": {"pk": {"S": "ORG#a"}, "sk": {"S": "A"}}}},
    ]

    with pytest.raises(ClientError) as raised:
        dynamodb.transact_write_items(TransactItems=actions)

    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert _get(dynamodb, table, "ORG#a", "A") == _item("ORG#a", "A", x="1")
    assert _get(dynamodb, table, "ORG#a", "B") is None


def test_a_transaction_whose_conditions_hold_writes_every_item(dynamodb: Any, table: str) -> None:
    _put_many(dynamodb, table, [_item("ORG#a", "A", x="1"), _item("ORG#a", "C", x="3")])
    dynamodb.transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": table,
                    "Key": {"pk": {"S": "ORG#a"}, "sk": {"S": "A"}},
                    "UpdateExpression": "SET x = :two",
                    "ConditionExpression": "x = :one",
                    "ExpressionAttributeValues": {":one": {"S": "1"}, ":two": {"S": "2"}},
                }
            },
            {"Put": {**_claim("ORG#a", "B")["Put"], "TableName": table}},
            {"Delete": {"TableName": table, "Key": {"pk": {"S": "ORG#a"}, "sk": {"S": "C"}}}},
            {
                "ConditionCheck": {
                    "TableName": table,
                    "Key": {"pk": {"S": "ORG#a"}, "sk": {"S": "Z"}},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        ]
    )

    assert _get(dynamodb, table, "ORG#a", "A") == _item("ORG#a", "A", x="2")
    assert _get(dynamodb, table, "ORG#a", "B") == _item("ORG#a", "B", state="claimed")
    assert _get(dynamodb, table, "ORG#a", "C") is None
    assert _get(dynamodb, table, "ORG#a", "Z") is None  # a ConditionCheck writes nothing


class _CopySpy:
    """Counts the moto tables and items `copy.deepcopy` is asked for (nested copies included)."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {"Table": 0, "Item": 0}
        self._deepcopy = copy.deepcopy

    def __call__(self, value: Any, memo: Any = None, *rest: Any) -> Any:
        kind = type(value).__name__
        if kind in self.counts and type(value).__module__.startswith("moto.dynamodb"):
            self.counts[kind] += 1
        return self._deepcopy(value, memo, *rest)


def _copies_for_one_claim(dynamodb: Any, monkeypatch: pytest.MonkeyPatch, items_in_table: int) -> dict[str, int]:
    name = _new_table(dynamodb)
    try:
        _put_many(dynamodb, name, [_item(f"ORG#{n % 7}", f"INVOICE#{n:06d}", x="1") for n in range(items_in_table)])
        spy = _CopySpy()
        with monkeypatch.context() as patched:
            patched.setattr(copy, "deepcopy", spy)
            dynamodb.transact_write_items(
                TransactItems=[
                    {"Put": {**_claim("ORG#1", "MSG#2026-11-24#+6281200000001")["Put"], "TableName": name}},
                    {"Put": {**_claim("ORG#1", "LEDGER#a#INV-1#d+3")["Put"], "TableName": name}},
                    {"Put": {**_claim("ORG#1", "LEDGER#a#INV-2#d+7")["Put"], "TableName": name}},
                ]
            )
            with pytest.raises(ClientError):  # the same claim again: cancelled, rolled back
                dynamodb.transact_write_items(
                    TransactItems=[
                        {"Put": {**_claim("ORG#1", "MSG#2026-11-24#+6281200000002")["Put"], "TableName": name}},
                        {"Put": {**_claim("ORG#1", "LEDGER#a#INV-1#d+3")["Put"], "TableName": name}},
                    ]
                )
        assert _get(dynamodb, name, "ORG#1", "MSG#2026-11-24#+6281200000002") is None
        return spy.counts
    finally:
        dynamodb.delete_table(TableName=name)


def test_a_transaction_copies_the_items_it_touches_not_the_table(
    dynamodb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = _copies_for_one_claim(dynamodb, monkeypatch, items_in_table=10)
    large = _copies_for_one_claim(dynamodb, monkeypatch, items_in_table=2000)

    assert small["Table"] == large["Table"] == 0
    assert small == large  # the same claim costs the same on a table 200 times bigger
    assert large["Item"] <= 5  # at most one copy per existing item written (here: the one that made it fail)


# -- queries --------------------------------------------------------------------------------------------------------

_PREFIXES = ("CONSENT#", "INVOICE#", "LEDGER#", "MSG#", "ORG", "PAUSE#")


def _partition(rng: random.Random, size: int) -> list[str]:
    """Sort keys as Lunas writes them, plus neighbours that test the edges of begins_with and between."""
    keys = {f"{rng.choice(_PREFIXES)}{rng.randrange(10_000):05d}" for _ in range(size)}
    return sorted(keys | {"INVOICE#", "INVOICE$", "INVOICD~", "ORG"})


CONDITIONS: list[tuple[str, dict[str, Any], Any]] = [
    ("", {}, lambda sk: True),
    ("begins_with(sk, :a)", {":a": "INVOICE#"}, lambda sk: sk.startswith("INVOICE#")),
    ("begins_with(sk, :a)", {":a": "I"}, lambda sk: sk.startswith("I")),
    ("begins_with(sk, :a)", {":a": "NOPE#"}, lambda sk: False),
    ("sk BETWEEN :a AND :b", {":a": "INVOICE#02", ":b": "LEDGER#05"}, lambda sk: "INVOICE#02" <= sk <= "LEDGER#05"),
    ("sk = :a", {":a": "ORG"}, lambda sk: sk == "ORG"),
    ("sk < :a", {":a": "LEDGER#"}, lambda sk: sk < "LEDGER#"),
    ("sk <= :a", {":a": "INVOICE#"}, lambda sk: sk <= "INVOICE#"),
    ("sk > :a", {":a": "MSG#03"}, lambda sk: sk > "MSG#03"),
    ("sk >= :a", {":a": "ORG"}, lambda sk: sk >= "ORG"),
]


@pytest.mark.parametrize("condition, values, selects", CONDITIONS, ids=[c[0] or "partition" for c in CONDITIONS])
def test_queries_return_the_partition_in_sort_key_order_page_by_page(
    dynamodb: Any, table: str, condition: str, values: dict[str, str], selects: Any
) -> None:
    rng = random.Random(condition)
    keys = _partition(rng, 200)
    shuffled = list(keys)
    rng.shuffle(shuffled)
    _put_many(dynamodb, table, [_item("ORG#a", sk, n=str(i)) for i, sk in enumerate(shuffled)])
    _put_many(dynamodb, table, [_item(pk, sk) for pk in ("ORG#", "ORG#a0", "ORG#b") for sk in keys[:40]])
    expression = "pk = :p" + (f" AND {condition}" if condition else "")
    attribute_values = {":p": {"S": "ORG#a"}, **{k: {"S": v} for k, v in values.items()}}
    expected = [sk for sk in keys if selects(sk)]

    for limit in (None, 3, 1000):
        for forward in (True, False):
            query: dict[str, Any] = {
                "KeyConditionExpression": expression,
                "ExpressionAttributeValues": attribute_values,
                "ScanIndexForward": forward,
            }
            if limit:
                query["Limit"] = limit
            pages = _query_pages(dynamodb, table, **query)

            assert _sks(pages) == (expected if forward else expected[::-1]), (limit, forward)
            assert all(len(page["Items"]) <= (limit or len(keys)) for page in pages)
            assert all(page["Count"] == page["ScannedCount"] == len(page["Items"]) for page in pages)
            if limit and len(expected) > limit:
                assert len(pages) >= len(expected) // limit
                assert all(len(page["Items"]) == limit for page in pages[:-1])


def test_queries_follow_writes_and_deletes_between_pages(dynamodb: Any, table: str) -> None:
    rng = random.Random(7)
    keys = set(_partition(rng, 300))
    _put_many(dynamodb, table, [_item("ORG#a", sk) for sk in keys])
    query = {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "ORG#a"}}}
    assert _sks(_query_pages(dynamodb, table, **query)) == sorted(keys)  # the partition's order is now kept

    added = {f"{rng.choice(_PREFIXES)}{rng.randrange(10_000):05d}x" for _ in range(50)}
    removed = set(rng.sample(sorted(keys), 60))
    _put_many(dynamodb, table, [_item("ORG#a", sk) for sk in added])
    for sk in removed:
        dynamodb.delete_item(TableName=table, Key={"pk": {"S": "ORG#a"}, "sk": {"S": sk}})
    dynamodb.update_item(  # an update that creates its item
        TableName=table,
        Key={"pk": {"S": "ORG#a"}, "sk": {"S": "AAA"}},
        UpdateExpression="SET x = :x",
        ExpressionAttributeValues={":x": {"S": "1"}},
    )
    keys = (keys | added | {"AAA"}) - removed

    assert _sks(_query_pages(dynamodb, table, **query, Limit=13)) == sorted(keys)
    first = dynamodb.query(TableName=table, **query, Limit=5)
    start = first["LastEvaluatedKey"]
    dynamodb.delete_item(TableName=table, Key=start)  # the page boundary itself goes away: the next page still follows
    rest = _sks(_query_pages(dynamodb, table, **query, ExclusiveStartKey=start))
    assert _sks([first]) + rest == sorted(keys)


def test_a_query_filters_and_projects_after_the_key_condition_and_limit(dynamodb: Any, table: str) -> None:
    _put_many(
        dynamodb, table, [_item("ORG#a", f"INVOICE#{n:03d}", state="sent" if n % 3 else "claimed") for n in range(30)]
    )
    answer = dynamodb.query(
        TableName=table,
        KeyConditionExpression="pk = :p AND begins_with(sk, :i)",
        FilterExpression="#s = :claimed",
        ProjectionExpression="sk",
        ExpressionAttributeNames={"#s": "state"},
        ExpressionAttributeValues={":p": {"S": "ORG#a"}, ":i": {"S": "INVOICE#"}, ":claimed": {"S": "claimed"}},
        Limit=10,
    )

    # DynamoDB applies Limit to the items read, then the filter: 10 read, 4 of them claimed.
    assert answer["ScannedCount"] == 10
    assert answer["Items"] == [{"sk": {"S": f"INVOICE#{n:03d}"}} for n in (0, 3, 6, 9)]
    assert answer["LastEvaluatedKey"] == {"pk": {"S": "ORG#a"}, "sk": {"S": "INVOICE#009"}}


def test_a_page_ends_at_one_megabyte(dynamodb: Any, table: str) -> None:
    big = "x" * 100_000
    _put_many(dynamodb, table, [_item("ORG#a", f"SNAPSHOT#{n:02d}", body=big) for n in range(25)])
    pages = _query_pages(
        dynamodb, table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "ORG#a"}}
    )

    assert _sks(pages) == [f"SNAPSHOT#{n:02d}" for n in range(25)]
    assert len(pages) >= 3
    assert all(len(page["Items"]) <= 10 for page in pages)


def test_numbers_sort_as_numbers(dynamodb: Any) -> None:
    name = _new_table(dynamodb, range_type="N")
    try:
        numbers = ["10", "2", "-3", "0.5", "100", "-20", "7"]
        for n in numbers:
            dynamodb.put_item(TableName=name, Item={"pk": {"S": "ORG#a"}, "sk": {"N": n}})
        pages = _query_pages(
            dynamodb,
            name,
            KeyConditionExpression="pk = :p AND sk BETWEEN :lo AND :hi",
            ExpressionAttributeValues={":p": {"S": "ORG#a"}, ":lo": {"N": "-5"}, ":hi": {"N": "10"}},
            Limit=2,
        )
        assert _sks(pages) == ["-3", "0.5", "2", "7", "10"]
    finally:
        dynamodb.delete_table(TableName=name)


def test_a_query_reads_its_partition_not_the_table(dynamodb: Any, table: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.dynamodb.models.table import Table

    _put_many(dynamodb, table, [_item(f"ORG#{n % 20}", f"INVOICE#{n:05d}") for n in range(600)])
    whole_table_reads = []
    all_items = Table.all_items
    monkeypatch.setattr(Table, "all_items", lambda self: whole_table_reads.append(1) or all_items(self))

    pages = _query_pages(
        dynamodb,
        table,
        KeyConditionExpression="pk = :p AND begins_with(sk, :i)",
        ExpressionAttributeValues={":p": {"S": "ORG#3"}, ":i": {"S": "INVOICE#"}},
        Limit=4,
    )

    assert _sks(pages) == [f"INVOICE#{n:05d}" for n in range(3, 600, 20)]
    assert whole_table_reads == []


def test_a_sparse_gsi_answers_in_its_own_sort_order(dynamodb: Any, table: str) -> None:
    items = [
        _item(f"ORG#{n}", "CONNECTION#xero", gsi1pk="ACTIVE_CONNECTIONS", gsi1sk=f"{(n * 37) % 50:03d}")
        for n in range(50)
    ]
    items += [_item(f"ORG#{n}", "CONNECTION#quickbooks") for n in range(50)]  # not on the index
    items += [_item(f"ORG#{n}", "CONNECTION#old", gsi1pk="INACTIVE", gsi1sk="000") for n in range(5)]
    _put_many(dynamodb, table, items)

    pages = _query_pages(
        dynamodb,
        table,
        IndexName="gsi1",
        KeyConditionExpression="gsi1pk = :k",
        ExpressionAttributeValues={":k": {"S": "ACTIVE_CONNECTIONS"}},
        Limit=8,
    )

    assert _sks(pages, "gsi1sk") == [f"{n:03d}" for n in range(50)]
    assert {item["sk"]["S"] for page in pages for item in page["Items"]} == {"CONNECTION#xero"}
