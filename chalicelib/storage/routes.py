"""Routes from what a webhook names (a WhatsApp number, a WABA, a Xero tenant, a QuickBooks realm) to organisations."""

from __future__ import annotations

import datetime as dt

from pynamodb.exceptions import UpdateError

from chalicelib.domain import retention
from chalicelib.domain.records import ConnectionRoute
from chalicelib.observability import logger
from chalicelib.storage.schema import BsuidRecord, RouteRecord, org_pk
from chalicelib.storage.writes import batch_get, conditional_failed


class DynamoRoutes:
    """Where a webhook belongs.

    A WhatsApp number routes to one organisation. The dashboard claims it only after Meta confirmed the owner's token
    manages it (`DynamoOrganisationRepository.set_whatsapp`, marked `proven_at`); such a claim is never taken by
    another organisation. A claim without that proof (saved before the check existed, or seeded by the sandbox and
    the tests through `claim_phone_number`) keeps routing until an organisation proves the number.
    """

    def claim_phone_number(self, phone_number_id: str, org_id: str, at: dt.datetime) -> bool:
        """An unproven claim: route this number here unless another organisation already has it (proven or not)."""
        try:
            RouteRecord(f"WAPHONE#{phone_number_id}", "ROUTE").update(
                actions=[RouteRecord.org_id.set(org_id), RouteRecord.created_at.set(RouteRecord.created_at | at)],
                condition=RouteRecord.pk.does_not_exist() | (RouteRecord.org_id == org_id),
            )
        except UpdateError as exc:
            if not conditional_failed(exc):
                raise
            logger.warning("WhatsApp number already routed to another organisation; not re-routed")
            return False
        return True

    def add_business_account(self, waba_id: str, org_id: str, at: dt.datetime) -> None:
        """An unproven route from a WhatsApp Business Account to the organisation (a proven one stays proven)."""
        RouteRecord(f"WABA#{waba_id}", f"ROUTE#{org_id}").update(
            actions=[RouteRecord.org_id.set(org_id), RouteRecord.created_at.set(RouteRecord.created_at | at)]
        )

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
        """The organisations that proved they manage the account; only if none did, those that claimed it."""
        records = list(RouteRecord.query(f"WABA#{waba_id}", RouteRecord.sk.startswith("ROUTE#")))
        proven = [r.org_id for r in records if r.proven_at is not None]
        return proven or [r.org_id for r in records]

    def connections_for_tenant(self, provider: str, tenant_id: str) -> list[ConnectionRoute]:
        records = RouteRecord.query(f"TENANT#{provider}#{tenant_id}", RouteRecord.sk.startswith("ROUTE#"))
        return [ConnectionRoute(r.org_id, r.connection_id or "") for r in records]


class DynamoBsuids:
    """Business-scoped user ids (2026): a user with a username may arrive without a phone; keep the mapping."""

    def remember(self, org_id: str, pairs: dict[str, str], at: dt.datetime) -> None:
        """Store the pairs not stored yet (or paired with another phone since): nearly every status webhook repeats
        its contact, so one batched read spares the writes. `seen_at` is when the pair was stored."""
        wanted = sorted(pairs.items())
        stored = batch_get(BsuidRecord, [(org_pk(org_id), f"BSUID#{user_id}") for user_id, _ in wanted])
        known = {r.sk.removeprefix("BSUID#"): r.phone for r in stored}
        changed = [(user_id, phone) for user_id, phone in wanted if known.get(user_id) != phone]
        if not changed:
            return
        with BsuidRecord.batch_write() as batch:
            for user_id, phone in changed:
                batch.save(
                    BsuidRecord(
                        org_pk(org_id),
                        f"BSUID#{user_id}",
                        phone=phone,
                        seen_at=at,
                        expires_at=retention.BSUID.until(at),  # learnt again from the next webhook that names it
                    )
                )

    def phone_for(self, org_id: str, user_id: str) -> str | None:
        try:
            return BsuidRecord.get(org_pk(org_id), f"BSUID#{user_id}").phone
        except BsuidRecord.DoesNotExist:
            return None
