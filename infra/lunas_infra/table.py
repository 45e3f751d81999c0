"""The DynamoDB table, built from the pynamodb model the code uses (`LunasTable`), so the two cannot drift."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from constructs import Construct

_TYPES = {"S": dynamodb.AttributeType.STRING, "N": dynamodb.AttributeType.NUMBER, "B": dynamodb.AttributeType.BINARY}


@dataclass(frozen=True, slots=True)
class IndexSchema:
    name: str
    partition_key: str
    sort_key: str | None


@dataclass(frozen=True, slots=True)
class TableSchema:
    partition_key: str
    sort_key: str | None
    attribute_types: dict[str, str]  # attribute name -> S | N | B
    indexes: tuple[IndexSchema, ...]
    ttl_attribute: str | None
    on_demand: bool

    def attribute(self, name: str) -> dynamodb.Attribute:
        return dynamodb.Attribute(name=name, type=_TYPES[self.attribute_types[name]])


def _keys(key_schema: list[dict[str, str]]) -> tuple[str, str | None]:
    by_type = {key["KeyType"]: key["AttributeName"] for key in key_schema}
    return by_type["HASH"], by_type.get("RANGE")


def schema_from_model(model: Any) -> TableSchema:
    """Read keys, global indexes and the TTL attribute from a pynamodb model (the schema `create_table` uses)."""
    raw = model._get_schema()
    partition, sort = _keys(raw["key_schema"])
    if raw["local_secondary_indexes"]:
        raise ValueError("local secondary indexes are not supported by this stack yet")
    indexes = tuple(
        IndexSchema(index["index_name"], *_keys(index["key_schema"])) for index in raw["global_secondary_indexes"]
    )
    for index in raw["global_secondary_indexes"]:
        if index["projection"]["ProjectionType"] != "ALL":
            raise ValueError(f"index {index['index_name']}: only ALL projections are supported by this stack yet")
    ttl = model._ttl_attribute()
    return TableSchema(
        partition_key=partition,
        sort_key=sort,
        attribute_types={a["AttributeName"]: a["AttributeType"] for a in raw["attribute_definitions"]},
        indexes=indexes,
        ttl_attribute=ttl.attr_name if ttl is not None else None,
        on_demand=getattr(model.Meta, "billing_mode", None) == "PAY_PER_REQUEST",
    )


def lunas_schema() -> TableSchema:
    from chalicelib.storage.schema import LunasTable

    return schema_from_model(LunasTable)


def build_table(
    scope: Construct, construct_id: str, *, schema: TableSchema, name: str, key: kms.IKey, protect: bool
) -> dynamodb.Table:
    """Point-in-time recovery, encrypted with our key, retained when the stack goes away."""
    if not schema.on_demand:
        raise ValueError("the model must use PAY_PER_REQUEST: this stack sets no provisioned capacity")
    table = dynamodb.Table(
        scope,
        construct_id,
        table_name=name,
        partition_key=schema.attribute(schema.partition_key),
        sort_key=schema.attribute(schema.sort_key) if schema.sort_key else None,
        billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
        encryption_key=key,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        time_to_live_attribute=schema.ttl_attribute,
        deletion_protection=protect,
        removal_policy=RemovalPolicy.RETAIN,
    )
    for index in schema.indexes:
        table.add_global_secondary_index(
            index_name=index.name,
            partition_key=schema.attribute(index.partition_key),
            sort_key=schema.attribute(index.sort_key) if index.sort_key else None,
            projection_type=dynamodb.ProjectionType.ALL,
        )
    return table
