"""Conditional writes, optimistic-retry loops and batched reads: one copy for every repository."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from pynamodb.exceptions import PutError
from pynamodb.models import Model


def conditional_failed(exc: Exception) -> bool:
    """Whether a pynamodb write failed only because its condition did not hold (someone else got there first)."""
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


_M = TypeVar("_M", bound=Model)


_BATCH_GET_LIMIT = 100


def batch_get(model: type[_M], keys: Sequence[tuple[str, str]]) -> list[_M]:
    """BatchGetItem in chunks of 100 (DynamoDB's limit); missing keys are simply absent from the result."""
    out: list[_M] = []
    for start in range(0, len(keys), _BATCH_GET_LIMIT):
        out.extend(model.batch_get(keys[start : start + _BATCH_GET_LIMIT]))
    return out


_V = TypeVar("_V", bound=Model)


def edit_versioned(
    load: Callable[[], _V | None], change: Callable[[_V], None], *, gave_up: Exception, attempts: int = 5
) -> None:
    """Read-modify-write one item with a version attribute: on a conflict (someone saved it between our read and
    our write) read it again and re-apply `change`. `load` returning None means there is nothing to edit."""
    for _ in range(attempts):
        record = load()
        if record is None:
            return
        change(record)
        try:
            record.save()
            return
        except PutError as exc:
            if not conditional_failed(exc):
                raise
    raise gave_up
