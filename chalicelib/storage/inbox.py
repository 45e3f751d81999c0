"""The webhook inbox: events already processed (dedupe), customers' replies, and one-time claims."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from pynamodb.exceptions import PutError

from chalicelib.domain import retention
from chalicelib.domain.records import StoredReply
from chalicelib.storage.schema import ClaimRecord, ReplyRecord, SeenRecord, org_pk
from chalicelib.storage.writes import batch_get, conditional_failed


class DynamoWebhookInbox:
    """Events already processed, kept a little longer than the sender retries (Meta 7 days, Xero 31 days)."""

    def seen(self, keys: Iterable[str], now: dt.datetime) -> frozenset[str]:
        wanted = sorted(set(keys))
        found = batch_get(SeenRecord, [(f"WEBHOOK#{k}", "SEEN") for k in wanted])
        return frozenset(r.pk.removeprefix("WEBHOOK#") for r in found if r.expires_at > now)

    def mark(self, keys: Iterable[str], now: dt.datetime, keep_for: dt.timedelta) -> None:
        with SeenRecord.batch_write() as batch:
            for key in sorted(set(keys)):
                batch.save(SeenRecord(f"WEBHOOK#{key}", "SEEN", seen_at=now, expires_at=now + keep_for))


class DynamoReplies:
    """Customers' replies per organisation, newest first, for the owner's dashboard."""

    def save(self, reply: StoredReply, phone_number_id: str) -> None:
        ReplyRecord(
            org_pk(reply.org_id),
            f"REPLY#{reply.received_at.isoformat()}#{reply.message_id}",
            message_id=reply.message_id,
            phone=reply.phone,
            kind=reply.kind,
            text=reply.text,
            intent=reply.intent,
            action=reply.action,
            received_at=reply.received_at,
            context_wamid=reply.context_wamid,
            phone_number_id=phone_number_id,
            expires_at=retention.REPLIES.until(reply.received_at),
        ).save()

    def for_org(self, org_id: str, limit: int = 200) -> list[StoredReply]:
        records = ReplyRecord.query(
            org_pk(org_id), ReplyRecord.sk.startswith("REPLY#"), scan_index_forward=False, limit=limit
        )
        return [
            StoredReply(
                org_id=org_id,
                message_id=r.message_id,
                phone=r.phone,
                kind=r.kind,
                text=r.text,
                intent=r.intent,
                action=r.action,
                received_at=r.received_at,
                context_wamid=r.context_wamid,
            )
            for r in records
        ]

    def mark_resolved(self, org_id: str, message_id: str, at: dt.datetime) -> None:
        """The owner dealt with this reply: it leaves the inbox's "to read" list (kept as long as replies are)."""
        ClaimRecord(
            org_pk(org_id), f"CLAIM#REPLYDONE#{message_id}", at=at, expires_at=retention.REPLIES.until(at)
        ).save()

    def resolved(self, org_id: str) -> frozenset[str]:
        """The message ids of the replies the owner marked resolved."""
        records = ClaimRecord.query(org_pk(org_id), ClaimRecord.sk.startswith("CLAIM#REPLYDONE#"))
        return frozenset(r.sk.removeprefix("CLAIM#REPLYDONE#") for r in records)


class DynamoOneTimeClaims:
    """Things done at most once (e.g. the opt-out confirmation), and short-lived prompts."""

    def claim(self, org_id: str, what: str, at: dt.datetime, keep_for: dt.timedelta, detail: str = "") -> bool:
        record = ClaimRecord(org_pk(org_id), f"CLAIM#{what}", at=at, detail=detail, expires_at=at + keep_for)
        try:
            record.save(condition=ClaimRecord.pk.does_not_exist() | (ClaimRecord.expires_at < at))
        except PutError as exc:
            if conditional_failed(exc):
                return False
            raise
        return True

    def put(self, org_id: str, what: str, at: dt.datetime, keep_for: dt.timedelta, detail: str = "") -> None:
        ClaimRecord(org_pk(org_id), f"CLAIM#{what}", at=at, detail=detail, expires_at=at + keep_for).save()

    def active(self, org_id: str, what: str, now: dt.datetime) -> bool:
        try:
            record = ClaimRecord.get(org_pk(org_id), f"CLAIM#{what}")
        except ClaimRecord.DoesNotExist:
            return False
        return record.expires_at > now

    def release(self, org_id: str, what: str) -> None:
        ClaimRecord(org_pk(org_id), f"CLAIM#{what}").delete()
