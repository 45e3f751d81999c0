"""Xero's webhook payload -> `ResourceChange` events. Pure: no I/O, no SDK.

Xero sends thin events (`{"events": [{"resourceId", "eventDateUtc", "eventType", "eventCategory", "tenantId"}]}`):
which invoice or contact changed and how, never the record itself, so processing re-reads it
(`webhooks/accounting.py`). Xero may replay events for up to 31 days after an outage; an event is deduplicated on
(tenant, resource, time, type).
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.events import ResourceChange

_KINDS = {"INVOICE": "invoice", "CONTACT": "customer"}


def parse_xero(payload: Any) -> list[ResourceChange]:
    """The invoice and contact events of one delivery; anything else, or anything malformed, is skipped."""
    changes = []
    for event in (payload.get("events") or []) if isinstance(payload, dict) else []:
        if not isinstance(event, dict):
            continue
        kind = _KINDS.get(str(event.get("eventCategory", "")).upper())
        tenant, resource = str(event.get("tenantId", "")), str(event.get("resourceId", ""))
        if kind is None or not tenant or not resource:
            continue
        operation = str(event.get("eventType", "")).lower()
        key = f"xero:{tenant}#{resource}#{event.get('eventDateUtc', '')}#{operation}"
        changes.append(
            ResourceChange(
                provider="xero", tenant_id=tenant, kind=kind, resource_id=resource, operation=operation, dedupe_key=key
            )
        )
    return changes
