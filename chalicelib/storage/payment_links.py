"""Short, unguessable `/pay/<code>` links behind every reminder's pay button, and what customers said on them
("I have paid")."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from pynamodb.attributes import MapAttribute
from pynamodb.exceptions import PutError

from chalicelib.domain.models import Money
from chalicelib.domain.records import PaymentClaim, PaymentPage, PaymentTarget
from chalicelib.storage.schema import PaymentClaimRecord, PaymentLinkRecord, org_pk
from chalicelib.storage.writes import conditional_failed


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

    def record_claim(
        self, org_id: str, code: str, invoices: Sequence[PaymentTarget], at: dt.datetime, keep_for: dt.timedelta
    ) -> PaymentClaim:
        """Once per code (a conditional put): a second press, or two at once, returns the first claim unchanged."""
        record = PaymentClaimRecord(
            org_pk(org_id),
            f"PAYCLAIM#{code}",
            claimed_at=at,
            invoices=[_claimed(t) for t in invoices],
            expires_at=at + keep_for,
        )
        try:
            record.save(condition=PaymentClaimRecord.pk.does_not_exist())
        except PutError as exc:
            if not conditional_failed(exc):
                raise
            first = self.claim(org_id, code)
            if first is not None:
                return first
        return _claim(record)

    def claim(self, org_id: str, code: str) -> PaymentClaim | None:
        try:
            return _claim(PaymentClaimRecord.get(org_pk(org_id), f"PAYCLAIM#{code}"))
        except PaymentClaimRecord.DoesNotExist:
            return None

    def claims(self, org_id: str, limit: int = 20) -> list[PaymentClaim]:
        records = PaymentClaimRecord.query(org_pk(org_id), PaymentClaimRecord.sk.startswith("PAYCLAIM#"))
        found = [_claim(r) for r in records]
        return sorted(found, key=lambda c: (c.claimed_at, c.code), reverse=True)[:limit]


def _plain(link: Any) -> dict[str, Any]:
    return dict(link.as_dict()) if isinstance(link, MapAttribute) else dict(link)


def _item(target: PaymentTarget) -> dict[str, Any]:
    return {
        "number": target.number,
        "connection_id": target.connection_id,
        "invoice_id": target.invoice_id,
        "url": target.url,
        "looked_up": target.looked_up,
        **_terms(target),
    }


def _terms(target: PaymentTarget) -> dict[str, Any]:
    """The amount and due date the reminder showed (absent on links made before they were kept)."""
    terms: dict[str, Any] = {}
    if target.amount is not None:
        terms |= {"amount": str(target.amount.amount), "currency": target.amount.currency}
    if target.due_date is not None:
        terms["due_date"] = target.due_date.isoformat()
    return terms


def _target(item: Mapping[str, Any]) -> PaymentTarget:
    return PaymentTarget(
        number=str(item["number"]),
        connection_id=str(item.get("connection_id") or ""),
        invoice_id=str(item.get("invoice_id") or ""),
        url=str(item["url"]) if item.get("url") else None,
        looked_up=bool(item.get("looked_up")) or bool(item.get("url")),
        amount=_money(item.get("amount"), item.get("currency")),
        due_date=_date(item.get("due_date")),
    )


def _money(amount: Any, currency: Any) -> Money | None:
    if not amount or not currency:
        return None
    try:
        return Money(Decimal(str(amount)), str(currency))
    except InvalidOperation:
        return None


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _claimed(target: PaymentTarget) -> dict[str, Any]:
    return {"number": target.number, "connection_id": target.connection_id, "invoice_id": target.invoice_id} | _terms(
        target
    )


def _claim(record: PaymentClaimRecord) -> PaymentClaim:
    return PaymentClaim(
        org_id=record.pk.removeprefix("ORG#"),
        code=record.sk.removeprefix("PAYCLAIM#"),
        claimed_at=record.claimed_at,
        invoices=tuple(_target(_plain(item)) for item in record.invoices),
    )
