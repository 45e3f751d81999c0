"""An organisation's own data, read for its export a page at a time (docs/privacy.md "Export").

Every read is a Query of the organisation's partition (`ORG#<org>`) by sort-key prefix, as chalicelib/storage/
privacy.py reads it, so nothing of another organisation can come back. Queries page lazily (`PAGE` items a page), so
an export of many thousands of rows holds one page at a time; the counts use `Select=COUNT` queries (no item read).
Stored values become JSON-able with privacy.py's `plain`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from chalicelib.storage import segment_schedules
from chalicelib.storage.privacy import plain
from chalicelib.storage.schema import (
    AuditRecord,
    ConsentRecord,
    MessageRecord,
    ReplyRecord,
    SyncCustomerRecord,
    org_pk,
)

PAGE = 200
KINDS = ("customers", "consent", "messages", "replies", "audit")
_PREFIXES = {"customers": "SYNC#", "consent": "CONSENT#", "messages": "MSG#", "replies": "REPLY#", "audit": "AUDIT#"}
_MODELS: dict[str, Any] = {
    "customers": SyncCustomerRecord,
    "consent": ConsentRecord,
    "messages": MessageRecord,
    "replies": ReplyRecord,
    "audit": AuditRecord,
}


def _query(org_id: str, kind: str, **options: Any) -> Iterator[Any]:
    model = _MODELS[kind]
    return iter(model.query(org_pk(org_id), model.sk.startswith(_PREFIXES[kind]), page_size=PAGE, **options))


def _is_customer(sk: str) -> bool:
    return "#CUST#" in sk  # the snapshot's cursor and invoices share the `SYNC#<connection>#` prefix


class DynamoOrganisationExport:
    """`chalicelib.ports.OrganisationExport`."""

    def counts(self, org_id: str) -> dict[str, int]:
        found = {}
        for kind in KINDS:
            if kind == "customers":
                keys = _query(org_id, kind, attributes_to_get=["pk", "sk"])
                found[kind] = sum(1 for r in keys if _is_customer(r.sk))
            else:
                model = _MODELS[kind]
                found[kind] = model.count(org_pk(org_id), model.sk.startswith(_PREFIXES[kind]))
        return found

    def rows(self, org_id: str, kind: str) -> Iterator[dict[str, object]]:
        schedules = segment_schedules.schedule_names(org_id) if kind == "customers" else {}
        for record in _query(org_id, kind):
            if kind == "customers" and not _is_customer(record.sk):
                continue
            row = _ROWS[kind](record)
            if kind == "customers":  # the named reminder schedule the customer follows; "" for the default
                row["reminder_schedule"] = schedules.get((str(row["connection_id"]), str(row["customer_id"])), "")
            yield row


def _customer(r: SyncCustomerRecord) -> dict[str, object]:
    connection_id, customer_id = r.sk.removeprefix("SYNC#").split("#CUST#", 1)
    return {
        "connection_id": connection_id,
        "customer_id": customer_id,
        "source": r.source,
        "name": r.name,
        "phone": r.phone or "",
        "phone_problem": r.phone_problem or "",
    }


def _consent(r: ConsentRecord) -> dict[str, object]:
    return {
        "phone": r.sk.removeprefix("CONSENT#"),
        "status": r.status,
        "source": r.source,
        "evidence": r.evidence,
        "evidence_at": plain(r.evidence_at) or "",
        "captured_at": plain(r.captured_at),
        "recorded_by": r.recorded_by or "",
        "history": [plain(change) for change in r.history],
    }


def _message(r: MessageRecord) -> dict[str, object]:
    _, day, phone = r.sk.split("#", 2)
    return {
        "date": day,
        "phone": phone,
        "connection_id": r.connection_id,
        "status": r.delivery or r.state,  # Meta's latest delivery status, else Lunas' own (claimed / sent / failed)
        "state": r.state,
        "delivery": r.delivery or "",
        "delivery_at": plain(r.delivery_at) or "",
        "template": r.template,
        "language": r.language,
        "claimed_at": plain(r.claimed_at),
        "sent_at": plain(r.sent_at) or "",
        "error_code": plain(r.error_code) if r.error_code is not None else "",
        "error_title": r.error_title or "",
        "reminders": list(r.ledger_sks),
    }


def _reply(r: ReplyRecord) -> dict[str, object]:
    return {
        "received_at": plain(r.received_at),
        "phone": r.phone,
        "kind": r.kind,
        "text": r.text,
        "intent": r.intent,
        "action": r.action,
        "message_id": r.message_id,
    }


def _audit(r: AuditRecord) -> dict[str, object]:
    return {"at": plain(r.at), "kind": r.kind, "who": r.who, "what": r.what}


_ROWS: dict[str, Callable[[Any], dict[str, object]]] = {
    "customers": _customer,
    "consent": _consent,
    "messages": _message,
    "replies": _reply,
    "audit": _audit,
}
