"""Delivered WhatsApp messages per organisation, month, pricing category and paid/free: counters, never a scan.

A delivered message leaves a mark `DELIVERED#<wamid>` and adds 1 to its month's counter
`USAGE#<month>#<category>#<paid|free>`, in one transaction in which each mark is written only if absent. A body's
messages are counted together: one BatchGetItem per 100 marks finds those already counted, then one
TransactWriteItems per 50 new messages writes their marks and ADDs each counter once by its number of messages. A
redelivered or out-of-order status (`read` before `delivered`, the same status twice) finds the mark and adds nothing;
if a concurrent webhook counted one of them between the read and the write, the transaction is refused as a whole
and those messages are counted one transaction each (still conditional). A message first counted as "unknown" (its
status carried no pricing block) moves to its category when a later status names it: the mark changes only from
"unknown", with the two counters, in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from chalicelib.domain import retention
from chalicelib.domain.pricing import UNKNOWN, CategoryCount, Delivered, MonthUsage, merged
from chalicelib.storage.dynamo import shared_connection
from chalicelib.storage.schema import DeliveredMarkRecord, UsageCountRecord, org_pk
from chalicelib.storage.writes import batch_get

_MARK_LIFETIME = retention.DELIVERED_MARK.keep_for or dt.timedelta(0)  # statuses keep coming; Meta retries 7 days
_MARKS_PER_TRANSACTION = 50  # + at most as many counters: DynamoDB's 100 items per transaction


class DynamoUsageCounter:
    """`chalicelib.ports.UsageCounter` on the one table."""

    def count_delivered(self, org_id: str, deliveries: Sequence[Delivered], at: dt.datetime) -> int:
        """Count each message once; returns how many were new. `at` dates the marks' expiry."""
        unique: dict[str, Delivered] = {}
        for delivered in deliveries:  # one per message, the priced one if any
            if delivered.wamid not in unique or unique[delivered.wamid].category == UNKNOWN:
                unique[delivered.wamid] = delivered
        keys = [(org_pk(org_id), f"DELIVERED#{wamid}") for wamid in sorted(unique)]
        marks = {r.sk.removeprefix("DELIVERED#"): r for r in batch_get(DeliveredMarkRecord, keys)}
        new = [d for wamid, d in unique.items() if wamid not in marks]
        counted = 0
        for start in range(0, len(new), _MARKS_PER_TRANSACTION):
            chunk = new[start : start + _MARKS_PER_TRANSACTION]
            if _count_together(org_id, chunk, at):
                counted += len(chunk)
            else:  # one of them was counted meanwhile (a concurrent webhook): each on its own, still once
                counted += sum(_count_together(org_id, [d], at) for d in chunk)
        for wamid, mark in marks.items():
            if mark.category == UNKNOWN and unique[wamid].category != UNKNOWN:
                _classify(org_id, mark, unique[wamid])
        return counted

    def month(self, org_id: str, month: str) -> MonthUsage:
        records = UsageCountRecord.query(org_pk(org_id), UsageCountRecord.sk.startswith(f"USAGE#{month}#"))
        counts = []
        for record in records:
            _, _, category, paid = record.sk.split("#", 3)
            counts.append(CategoryCount(category, paid == "paid", int(record.messages or 0)))
        return MonthUsage(month, merged(counts))


def _count_together(org_id: str, deliveries: Sequence[Delivered], at: dt.datetime) -> bool:
    """Marks and counters of these messages in one transaction; False when any of them was already counted."""
    groups = Counter((d.month, d.category, _paid(d.paid)) for d in deliveries)
    try:
        with TransactWrite(connection=shared_connection()) as tx:
            for d in deliveries:
                mark = DeliveredMarkRecord(
                    org_pk(org_id),
                    f"DELIVERED#{d.wamid}",
                    month=d.month,
                    category=d.category,
                    paid=_paid(d.paid),
                    expires_at=at + _MARK_LIFETIME,
                )
                tx.save(mark, condition=DeliveredMarkRecord.sk.does_not_exist())
            for (month, category, paid), n in sorted(groups.items()):
                tx.update(_counter(org_id, month, category, paid), actions=[_add(n)])
    except TransactWriteError as exc:
        if exc.cause_response_code == "TransactionCanceledException":
            return False
        raise
    return True


def _classify(org_id: str, mark: DeliveredMarkRecord, delivered: Delivered) -> None:
    """A message counted as "unknown" gets its category now (once: only from "unknown")."""
    paid = _paid(delivered.paid)
    try:
        with TransactWrite(connection=shared_connection()) as tx:
            tx.update(
                mark,
                actions=[DeliveredMarkRecord.category.set(delivered.category), DeliveredMarkRecord.paid.set(paid)],
                condition=DeliveredMarkRecord.category == UNKNOWN,
            )
            tx.update(_counter(org_id, mark.month, UNKNOWN, mark.paid), actions=[_add(-1)])
            tx.update(_counter(org_id, mark.month, delivered.category, paid), actions=[_add(1)])
    except TransactWriteError as exc:
        if exc.cause_response_code != "TransactionCanceledException":
            raise


def _paid(paid: bool) -> str:
    return "paid" if paid else "free"


def _counter(org_id: str, month: str, category: str, paid: str) -> UsageCountRecord:
    return UsageCountRecord(org_pk(org_id), f"USAGE#{month}#{category}#{paid}")


def _add(n: int) -> Action:
    return UsageCountRecord.messages.add(n)
