"""QuickBooks Online's webhook payloads -> `ResourceChange` events. Pure: no I/O, no SDK.

Intuit sends either the CloudEvents array (`type: qbo.invoice.updated.v1`, deduplicated on the event `id`) or the
legacy `eventNotifications` object (deduplicated on realm, entity, id, operation and `lastUpdated`). Both name what
changed, never the record itself, so processing re-reads it (`webhooks/accounting.py`). Invoice, Customer and
Payment events are kept: a received payment is announced as a Payment create or update (`qbo.payment.created.v1`,
legacy `{"name": "Payment", "operation": "Create"}`), not as an event of the invoices it pays.
https://developer.intuit.com/app/developer/qbo/docs/develop/webhooks
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.events import ResourceChange

_KINDS = {"invoice": "invoice", "customer": "customer", "payment": "payment"}


def parse_quickbooks(payload: Any) -> list[ResourceChange]:
    """The invoice, customer and payment events of one delivery, in either format; anything else is skipped."""
    if isinstance(payload, list):
        return [c for c in map(_cloud_event, payload) if c is not None]
    changes = []
    for note in (payload.get("eventNotifications") or []) if isinstance(payload, dict) else []:
        realm = str((note or {}).get("realmId", ""))
        for entity in ((note or {}).get("dataChangeEvent") or {}).get("entities") or []:
            kind = _KINDS.get(str(entity.get("name", "")).lower())
            if kind is None or not realm or not entity.get("id"):
                continue
            operation = str(entity.get("operation", "")).lower()
            key = f"qbo:{realm}#{kind}#{entity['id']}#{operation}#{entity.get('lastUpdated', '')}"
            changes.append(
                ResourceChange(
                    provider="quickbooks",
                    tenant_id=realm,
                    kind=kind,
                    resource_id=str(entity["id"]),
                    operation=operation,
                    dedupe_key=key,
                )
            )
    return changes


def _cloud_event(event: Any) -> ResourceChange | None:
    if not isinstance(event, dict):
        return None
    parts = str(event.get("type", "")).split(".")  # qbo.<entity>.<verb>.v1
    kind = _KINDS.get(parts[1].lower()) if len(parts) >= 3 else None
    realm, resource = str(event.get("intuitaccountid", "")), str(event.get("intuitentityid", ""))
    if kind is None or not realm or not resource:
        return None
    event_id = str(event.get("id") or f"{realm}#{resource}#{parts[2]}#{event.get('time', '')}")
    return ResourceChange(
        provider="quickbooks",
        tenant_id=realm,
        kind=kind,
        resource_id=resource,
        operation=parts[2].lower(),
        dedupe_key=f"qbo-ce:{event_id}",
    )
