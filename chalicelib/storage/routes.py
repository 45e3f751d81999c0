"""Routes from what a webhook names (a WhatsApp number, a WABA, a Xero tenant, a QuickBooks realm) to organisations."""

from __future__ import annotations

import datetime as dt

from pynamodb.exceptions import PutError

from chalicelib.domain.records import ConnectionRoute
from chalicelib.observability import logger
from chalicelib.storage.schema import BsuidRecord, RouteRecord, org_pk
from chalicelib.storage.writes import conditional_failed


class DynamoRoutes:
    """Where a webhook belongs. Phone numbers are owned by the first organisation that registered them."""

    def claim_phone_number(self, phone_number_id: str, org_id: str, at: dt.datetime) -> bool:
        """Route this WhatsApp number to the organisation unless another organisation already owns it."""
        record = RouteRecord(f"WAPHONE#{phone_number_id}", "ROUTE", org_id=org_id, created_at=at)
        try:
            record.save(condition=RouteRecord.pk.does_not_exist() | (RouteRecord.org_id == org_id))
        except PutError as exc:
            if not conditional_failed(exc):
                raise
            logger.warning("WhatsApp number already routed to another organisation; not re-routed")
            return False
        return True

    def add_business_account(self, waba_id: str, org_id: str, at: dt.datetime) -> None:
        RouteRecord(f"WABA#{waba_id}", f"ROUTE#{org_id}", org_id=org_id, created_at=at).save()

    def add_tenant(self, provider: str, tenant_id: str, org_id: str, connection_id: str, at: dt.datetime) -> None:
        RouteRecord(
            f"TENANT#{provider}#{tenant_id}",
            f"ROUTE#{org_id}#{connection_id}",
            org_id=org_id,
            connection_id=connection_id,
            created_at=at,
        ).save()

    def org_for_phone_number(self, phone_number_id: str) -> str | None:
        try:
            return RouteRecord.get(f"WAPHONE#{phone_number_id}", "ROUTE").org_id
        except RouteRecord.DoesNotExist:
            return None

    def orgs_for_business_account(self, waba_id: str) -> list[str]:
        records = RouteRecord.query(f"WABA#{waba_id}", RouteRecord.sk.startswith("ROUTE#"))
        return [r.org_id for r in records]

    def connections_for_tenant(self, provider: str, tenant_id: str) -> list[ConnectionRoute]:
        records = RouteRecord.query(f"TENANT#{provider}#{tenant_id}", RouteRecord.sk.startswith("ROUTE#"))
        return [ConnectionRoute(r.org_id, r.connection_id or "") for r in records]


class DynamoBsuids:
    """Business-scoped user ids (2026): a user with a username may arrive without a phone; keep the mapping."""

    def remember(self, org_id: str, pairs: dict[str, str], at: dt.datetime) -> None:
        with BsuidRecord.batch_write() as batch:
            for user_id, phone in sorted(pairs.items()):
                batch.save(BsuidRecord(org_pk(org_id), f"BSUID#{user_id}", phone=phone, seen_at=at))

    def phone_for(self, org_id: str, user_id: str) -> str | None:
        try:
            return BsuidRecord.get(org_pk(org_id), f"BSUID#{user_id}").phone
        except BsuidRecord.DoesNotExist:
            return None
