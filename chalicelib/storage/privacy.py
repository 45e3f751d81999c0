"""A person's data by phone number, and an organisation's data as a whole: found, exported and deleted.

`DynamoPersonalData` finds every item one organisation holds about one E.164 number (chalicelib/storage/schema.py's
`ITEM_KINDS` says which kinds hold a phone) by reading the organisation's own partition only: direct keys where the
key names the number (`CONSENT#`, `PHONE#`, `PHONEPAUSE#`, `WAPREF#`, `ALIAS#`, `CLAIM#OPTINPROMPT#`), filtered
queries where an attribute does (`REPLY#`, `BSUID#`, `SYNC#...#CUST#`), and the day's messages (`MSG#<date>#<phone>`).
What lies under other partition keys is reached through those items: a message's wamid leads to its pointer and
parked statuses (`WAMID#<wamid>`) and its delivery mark, its reminders to their ledger rows, a synced customer to its
invoices, their decisions and "I have paid" claims.

`DynamoOptOutHashes` keeps the keyed hash an erasure leaves (`OPTOUTHASH#<hmac>`), and `DynamoOrganisationData`
lists and deletes everything of one organisation (chalicelib/services/privacy.py's organisation deletion).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from pynamodb.attributes import MapAttribute
from pynamodb.models import Model

from chalicelib.domain.privacy import HeldKind, PersonData, erasure_hash
from chalicelib.storage import dynamo
from chalicelib.storage.schema import (
    TABLE_NAME,
    BsuidRecord,
    ClaimRecord,
    ConsentRecord,
    DeliveredMarkRecord,
    InvoiceViewRecord,
    LedgerRecord,
    MessageRecord,
    OptOutHashRecord,
    ParkedStatusRecord,
    PaymentClaimRecord,
    PhoneAliasRecord,
    PhoneFlagRecord,
    PhonePauseRecord,
    PreferenceRecord,
    ReplyRecord,
    SeenRecord,
    SyncCustomerRecord,
    SyncInvoiceRecord,
    WamidPointerRecord,
    org_pk,
)
from chalicelib.storage.writes import batch_get

_STATUSES = ("sent", "delivered", "read", "failed", "deleted", "warning")  # Meta's message statuses
ERASED_MESSAGE_KEY = "ERASED"  # what a scrubbed ledger row points at instead of `MSG#<date>#<phone>`

_DESCRIPTIONS = {
    "consent": "consent to WhatsApp reminders, with its evidence and every change",
    "marketing_preference": "the marketing preference WhatsApp reported",
    "messages": "reminders sent to the number (date, template, delivery status)",
    "reminders": "which invoice reminders those messages carried",
    "delivery_tracking": "WhatsApp message ids and statuses Lunas keeps to track delivery",
    "replies": "replies the person sent, with their text",
    "whatsapp_ids": "WhatsApp user ids and other ids Meta gave the number",
    "phone_flags": "the number marked as not on WhatsApp",
    "phone_pauses": "reminders paused after the person replied",
    "prompts": "short-lived notes about the conversation",
    "customers": "customer records synced from the accounting system with this number",
    "invoices": "their open invoices synced from the accounting system",
    "invoice_decisions": "the latest reminder decision shown for each of those invoices",
    "payment_claims": '"I have paid" presses on their pay links',
}


def plain(value: Any) -> Any:  # noqa: PLR0911  (one return per stored type)
    """A stored value as JSON-able data (dates ISO 8601, numbers as strings when not whole, binaries left out)."""
    if isinstance(value, MapAttribute):
        return {k: plain(v) for k, v in value.as_dict().items()}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, bytes):
        return "(encrypted, not exported)"
    return value


def as_item(record: Model) -> dict[str, Any]:
    """One stored item as the person's export shows it (keys included, the version counter left out)."""
    values = {k: plain(v) for k, v in record.attribute_values.items() if k != "version"}
    return {"pk": getattr(record, "pk"), "sk": getattr(record, "sk"), **values}  # noqa: B009


class _Found:
    """The records found about one person, by kind (kept as records: erasure deletes them)."""

    def __init__(self) -> None:
        self.by_kind: dict[str, list[Model]] = {kind: [] for kind in _DESCRIPTIONS}

    def add(self, kind: str, records: Iterable[Model]) -> None:
        seen = {(r.pk, r.sk) for r in self.by_kind[kind]}  # type: ignore[attr-defined]
        for record in records:
            key = (record.pk, record.sk)  # type: ignore[attr-defined]
            if key not in seen:
                seen.add(key)
                self.by_kind[kind].append(record)


class DynamoPersonalData:
    """`chalicelib.ports.PersonalData` on the one table."""

    def find(self, org_id: str, phone: str) -> PersonData:
        found = self._found(org_id, phone)
        consent = found.by_kind["consent"]
        kinds = tuple(
            HeldKind(kind=kind, description=_DESCRIPTIONS[kind], items=tuple(as_item(r) for r in records))
            for kind, records in found.by_kind.items()
        )
        opted_out = bool(consent) and getattr(consent[0], "status", "") == "opted_out"
        return PersonData(org_id=org_id, phone=phone, kinds=kinds, opted_out=opted_out)

    def erase(self, org_id: str, phone: str) -> dict[str, int]:
        """Delete every item about the number; ledger rows are kept without the number or wamid (they are what stops
        the same invoice reminder being sent twice). Returns how many items of each kind were removed."""
        found = self._found(org_id, phone)
        removed: dict[str, int] = {}
        for kind, records in found.by_kind.items():
            if not records:
                continue
            if kind == "reminders":
                for record in records:
                    record.update(
                        actions=[LedgerRecord.message_sk.set(ERASED_MESSAGE_KEY), LedgerRecord.wamid.remove()]
                    )
            else:
                _delete_all(records)
            removed[kind] = len(records)
        return removed

    # -- finding ---------------------------------------------------------------------------------------------------

    def _found(self, org_id: str, phone: str) -> _Found:
        pk = org_pk(org_id)
        found = _Found()
        aliases = [r for r in PhoneAliasRecord.query(pk, PhoneAliasRecord.sk.startswith("ALIAS#")) if r.phone == phone]
        phones = sorted({phone, *(r.sk.removeprefix("ALIAS#") for r in aliases)})
        found.add("whatsapp_ids", aliases)
        found.add("whatsapp_ids", batch_get(PhoneAliasRecord, [(pk, f"ALIAS#{p}") for p in phones]))
        found.add(
            "whatsapp_ids", BsuidRecord.query(pk, BsuidRecord.sk.startswith("BSUID#"), BsuidRecord.phone.is_in(*phones))
        )
        found.add("consent", batch_get(ConsentRecord, [(pk, f"CONSENT#{p}") for p in phones]))
        found.add("marketing_preference", batch_get(PreferenceRecord, [(pk, f"WAPREF#{p}") for p in phones]))
        found.add("phone_flags", batch_get(PhoneFlagRecord, [(pk, f"PHONE#{p}") for p in phones]))
        found.add("phone_pauses", batch_get(PhonePauseRecord, [(pk, f"PHONEPAUSE#{p}") for p in phones]))
        found.add("prompts", batch_get(ClaimRecord, [(pk, f"CLAIM#OPTINPROMPT#{p}") for p in phones]))
        replies = list(ReplyRecord.query(pk, ReplyRecord.sk.startswith("REPLY#"), ReplyRecord.phone.is_in(*phones)))
        found.add("replies", replies)
        found.add("replies", batch_get(SeenRecord, [(f"WEBHOOK#wa-in:{r.message_id}", "SEEN") for r in replies]))
        self._messages(pk, phones, found)
        self._customers(pk, phones, found)
        return found

    @staticmethod
    def _messages(pk: str, phones: Sequence[str], found: _Found) -> None:
        suffixes = tuple(f"#{p}" for p in phones)
        messages = [m for m in MessageRecord.query(pk, MessageRecord.sk.startswith("MSG#")) if m.sk.endswith(suffixes)]
        found.add("messages", messages)
        found.add("reminders", batch_get(LedgerRecord, sorted({(pk, sk) for m in messages for sk in m.ledger_sks})))
        wamids = sorted({m.wamid for m in messages if m.wamid})
        found.add("delivery_tracking", batch_get(DeliveredMarkRecord, [(pk, f"DELIVERED#{w}") for w in wamids]))
        # Webhooks already processed are remembered by a key that names the wamid (chalicelib/domain/events.py).
        receipts = [(f"WEBHOOK#wa-status:{w}#{status}", "SEEN") for w in wamids for status in _STATUSES]
        found.add("delivery_tracking", batch_get(SeenRecord, receipts))
        for wamid in wamids:
            found.add("delivery_tracking", WamidPointerRecord.query(f"WAMID#{wamid}", WamidPointerRecord.sk == "MSG"))
            parked = ParkedStatusRecord.query(f"WAMID#{wamid}", ParkedStatusRecord.sk.startswith("STATUS#"))
            found.add("delivery_tracking", parked)

    @staticmethod
    def _customers(pk: str, phones: Sequence[str], found: _Found) -> None:
        customers = list(
            SyncCustomerRecord.query(
                pk, SyncCustomerRecord.sk.startswith("SYNC#"), SyncCustomerRecord.phone.is_in(*phones)
            )
        )
        customers = [c for c in customers if "#CUST#" in c.sk]
        found.add("customers", customers)
        wanted: dict[str, set[str]] = {}  # connection id -> customer ids
        for customer in customers:
            connection_id, customer_id = customer.sk.removeprefix("SYNC#").split("#CUST#", 1)
            wanted.setdefault(connection_id, set()).add(customer_id)
        invoices: list[tuple[str, str]] = []  # (connection id, invoice id)
        for connection_id, customer_ids in sorted(wanted.items()):
            prefix = f"SYNC#{connection_id}#INV#"
            for record in SyncInvoiceRecord.query(pk, SyncInvoiceRecord.sk.startswith(prefix)):
                if record.customer_id in customer_ids:
                    found.add("invoices", [record])
                    invoices.append((connection_id, record.sk.removeprefix(prefix)))
        views = batch_get(InvoiceViewRecord, [(pk, f"INVOICE#{c}#{i}") for c, i in sorted(set(invoices))])
        found.add("invoice_decisions", views)
        theirs = set(invoices)
        claims = PaymentClaimRecord.query(pk, PaymentClaimRecord.sk.startswith("PAYCLAIM#"))
        found.add("payment_claims", [c for c in claims if theirs & _claimed_invoices(c)])


def _claimed_invoices(claim: PaymentClaimRecord) -> set[tuple[str, str]]:
    items = (plain(i) for i in claim.invoices)
    return {(str(i.get("connection_id") or ""), str(i.get("invoice_id") or "")) for i in items}


def _delete_all(records: Sequence[Model]) -> None:
    """BatchWriteItem deletes (pynamodb retries what DynamoDB leaves unprocessed)."""
    by_class: dict[type[Model], list[Model]] = {}
    for record in records:
        by_class.setdefault(type(record), []).append(record)
    for model, items in by_class.items():
        with model.batch_write() as batch:
            for item in items:
                batch.delete(item)


class DynamoOptOutHashes:
    """`chalicelib.ports.ErasedPhones`: erased numbers as keyed hashes under the organisation."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def remember(self, org_id: str, phone: str, at: dt.datetime) -> None:
        OptOutHashRecord(org_pk(org_id), f"OPTOUTHASH#{erasure_hash(self._key, org_id, phone)}", erased_at=at).save()

    def erased(self, org_id: str, phones: Iterable[str]) -> frozenset[str]:
        by_hash = {erasure_hash(self._key, org_id, p): p for p in set(phones)}
        keys = [(org_pk(org_id), f"OPTOUTHASH#{h}") for h in sorted(by_hash)]
        return frozenset(by_hash[r.sk.removeprefix("OPTOUTHASH#")] for r in batch_get(OptOutHashRecord, keys))


# -- the whole organisation ----------------------------------------------------------------------------------------


def _raw_items(**request: Any) -> Iterator[dict[str, Any]]:
    """Every item a paginated Query or Scan returns, in DynamoDB's wire format (keys only are needed here)."""
    client = dynamo.client()
    operation = client.query if "KeyConditionExpression" in request else client.scan
    while True:
        answer = operation(TableName=TABLE_NAME, **request)
        yield from answer.get("Items", [])
        if "LastEvaluatedKey" not in answer:
            return
        request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


def _keys(items: Iterable[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(item["pk"]["S"], item["sk"]["S"]) for item in items]


def _receipts(items: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    """The webhook receipts (`WEBHOOK#...` / `SEEN`) that name the organisation's wamids and customers' messages."""
    wanted = []
    for item in items:
        if "wamid" in item:
            wanted += [(f"WEBHOOK#wa-status:{item['wamid']['S']}#{s}", "SEEN") for s in _STATUSES]
        if "message_id" in item:
            wanted.append((f"WEBHOOK#wa-in:{item['message_id']['S']}", "SEEN"))
    return [(r.pk, r.sk) for r in batch_get(SeenRecord, sorted(set(wanted)))]


class DynamoOrganisationData:
    """Every item of one organisation: its partition, and the items elsewhere that name it (`org_id` attribute)."""

    def keys(self, org_id: str) -> list[tuple[str, str]]:
        own = list(
            _raw_items(
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": org_pk(org_id)}},
                ProjectionExpression="pk, sk, wamid, message_id",
            )
        )
        # Lookups keyed by what an outside party names (routes, wamids, pay links, memberships, OAuth states) carry the
        # organisation id as an attribute: one filtered Scan finds them all, whatever wrote them and whenever.
        named = _raw_items(
            FilterExpression="org_id = :org",
            ExpressionAttributeValues={":org": {"S": org_id}},
            ProjectionExpression="pk, sk",
        )
        return sorted(set(_keys(own)) | set(_keys(named)) | set(_receipts(own)))

    def partition(self, pk: str, sk_prefix: str) -> list[tuple[str, str]]:
        """The keys of one partition's items whose sort key starts with `sk_prefix` (e.g. a WABA's templates)."""
        items = _raw_items(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :sk)",
            ExpressionAttributeValues={":pk": {"S": pk}, ":sk": {"S": sk_prefix}},
            ProjectionExpression="pk, sk",
        )
        return _keys(items)

    def delete(self, keys: Sequence[tuple[str, str]]) -> int:
        """BatchWriteItem deletes, 25 at a time, retrying what DynamoDB leaves unprocessed; returns how many."""
        client = dynamo.client()
        for start in range(0, len(keys), 25):
            pending = [
                {"DeleteRequest": {"Key": {"pk": {"S": pk}, "sk": {"S": sk}}}} for pk, sk in keys[start : start + 25]
            ]
            for _ in range(10):
                answer = client.batch_write_item(RequestItems={TABLE_NAME: pending})
                pending = answer.get("UnprocessedItems", {}).get(TABLE_NAME, [])
                if not pending:
                    break
            if pending:
                raise RuntimeError("DynamoDB kept some deletes unprocessed; run the deletion again")
        return len(keys)
