"""Short, unguessable `/pay/<code>` links behind every reminder's pay button."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from pynamodb.attributes import MapAttribute

from chalicelib.domain.records import PaymentPage, PaymentTarget
from chalicelib.storage.schema import PaymentLinkRecord


class DynamoPaymentLinks:
    """One item per code: the invoices of one reminder, with the payment pages known so far.

    A code is made for every message (Meta refuses a template whose URL button has no value), with no vendor call;
    pages not known at send time are looked up once, when the customer opens the link (`remember`).
    """

    def create(self, org_id: str, targets: Sequence[PaymentTarget], expires_at: dt.datetime, *, language: str) -> str:
        code = secrets.token_urlsafe(12)
        PaymentLinkRecord(
            f"PAYLINK#{code}",
            "LINK",
            org_id=org_id,
            language=language,
            links=[_item(t) for t in targets],
            expires_at=expires_at,
        ).save(condition=PaymentLinkRecord.pk.does_not_exist())
        return code

    def resolve(self, code: str, now: dt.datetime) -> PaymentPage | None:
        try:
            record = PaymentLinkRecord.get(f"PAYLINK#{code}", "LINK")
        except PaymentLinkRecord.DoesNotExist:
            return None
        if record.expires_at is not None and record.expires_at <= now:
            return None
        targets = tuple(_target(_plain(link)) for link in record.links)
        return PaymentPage(org_id=record.org_id, language=record.language or "id", targets=targets)

    def remember(self, code: str, found: Mapping[str, str | None]) -> None:
        if not found:
            return
        try:
            record = PaymentLinkRecord.get(f"PAYLINK#{code}", "LINK")
        except PaymentLinkRecord.DoesNotExist:
            return
        links: list[MapAttribute[str, Any]] = []
        for link in record.links:
            item = _plain(link)
            if item.get("invoice_id") in found:
                item |= {"url": found[item["invoice_id"]], "looked_up": True}
            links.append(MapAttribute(**item))
        record.update(actions=[PaymentLinkRecord.links.set(links)])


def _plain(link: Any) -> dict[str, Any]:
    return dict(link.as_dict()) if isinstance(link, MapAttribute) else dict(link)


def _item(target: PaymentTarget) -> dict[str, Any]:
    return {
        "number": target.number,
        "connection_id": target.connection_id,
        "invoice_id": target.invoice_id,
        "url": target.url,
        "looked_up": target.looked_up,
    }


def _target(item: Mapping[str, Any]) -> PaymentTarget:
    return PaymentTarget(
        number=str(item["number"]),
        connection_id=str(item.get("connection_id") or ""),
        invoice_id=str(item.get("invoice_id") or ""),
        url=str(item["url"]) if item.get("url") else None,
        looked_up=bool(item.get("looked_up")) or bool(item.get("url")),
    )
