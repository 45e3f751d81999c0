"""The audit log on the one table: `ORG#<org>` / `AUDIT#<UTC time>#<random>` (docs/privacy.md "Audit log").

The sort key starts with the time written in one fixed UTC format, so a date range is a key condition and the newest
entries come first by reading the partition backwards: one query, never another organisation's items. Each entry
expires by DynamoDB TTL after the configured retention (chalicelib/domain/retention.py `AUDIT`).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import uuid
from collections.abc import Iterable

from chalicelib.domain import retention
from chalicelib.domain.audit import AuditEntry, entry
from chalicelib.domain.notes import Note
from chalicelib.storage.schema import AuditRecord, org_pk

PREFIX = "AUDIT#"
_HIGHEST = "AUDIT#~"  # sorts after every time written below


def configured_retention() -> dt.timedelta:
    """`LUNAS_AUDIT_RETENTION_DAYS` (chalicelib/config.py reads the same variable), else retention.AUDIT's default."""
    days = os.environ.get("LUNAS_AUDIT_RETENTION_DAYS", "")
    return dt.timedelta(days=int(days)) if days.strip().isdigit() else retention.AUDIT_DEFAULT


def time_key(at: dt.datetime) -> str:
    """`at` as the sort key writes it: UTC, fixed width, so text order is time order."""
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class DynamoAuditLog:
    """`chalicelib.ports.AuditLog`."""

    def __init__(self, keep_for: dt.timedelta | None = None) -> None:
        self._keep_for = keep_for or configured_retention()

    def record(
        self, org_id: str, kind: str, who: str, what: str, at: dt.datetime, *, words: Note | None = None
    ) -> None:
        line = entry(org_id, kind, who, what, at, words=words)
        AuditRecord(
            org_pk(org_id),
            f"{PREFIX}{time_key(at)}#{uuid.uuid4().hex[:12]}",
            kind=line.kind,
            who=line.who,
            what=line.what,
            words=words.to_json() if words else None,
            at=at,
            expires_at=at + self._keep_for,
        ).save()

    def entries(
        self,
        org_id: str,
        kinds: Iterable[str] = (),
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        limit: int = 200,
    ) -> list[AuditEntry]:
        low = PREFIX + (time_key(since) if since else "")
        high = PREFIX + time_key(until) if until else _HIGHEST
        wanted = sorted(set(kinds))
        records = AuditRecord.query(
            org_pk(org_id),
            AuditRecord.sk.between(low, high),
            filter_condition=AuditRecord.kind.is_in(*wanted) if wanted else None,
            scan_index_forward=False,
            page_size=min(max(limit, 1), 500),
        )
        found = (
            AuditEntry(org_id=org_id, kind=r.kind, who=r.who, what=r.what, at=r.at, words=Note.from_json(r.words))
            for r in records
            if not until or r.at < until
        )
        return list(itertools.islice(found, max(limit, 0)))
