"""Short, unguessable `/pay/<code>` links to the accounting system's payment pages."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence

from chalicelib.storage.schema import PaymentLinkRecord


class DynamoPaymentLinks:
    """Short random codes behind the template's URL button, so one template serves every accounting source."""

    def create(self, org_id: str, links: Sequence[tuple[str, str]], expires_at: dt.datetime) -> str:
        code = secrets.token_urlsafe(12)
        PaymentLinkRecord(
            f"PAYLINK#{code}",
            "LINK",
            org_id=org_id,
            links=[{"number": number, "url": url} for number, url in links],
            expires_at=expires_at,
        ).save(condition=PaymentLinkRecord.pk.does_not_exist())
        return code

    def resolve(self, code: str, now: dt.datetime) -> list[tuple[str, str]]:
        try:
            record = PaymentLinkRecord.get(f"PAYLINK#{code}", "LINK")
        except PaymentLinkRecord.DoesNotExist:
            return []
        if record.expires_at is not None and record.expires_at <= now:
            return []
        return [(str(link["number"]), str(link["url"])) for link in record.links]
