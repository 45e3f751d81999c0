"""Accounting connections (Xero tenants, QuickBooks companies), their KMS-encrypted rotating tokens, refresh leases.

A Xero connection reads the token set of its grant (`GrantRecord`, one per Lunas organisation and Xero user: see
chalicelib/domain/grants.py); QuickBooks connections, and Xero connections stored before grants existed, keep their
own (`ConnectionRecord.token_ciphertext`). `load_tokens` / `save_tokens` follow the connection to wherever its set
is, with that item's version, so a refresh rewrites the one shared set under optimistic locking.
"""

from __future__ import annotations

import datetime as dt
import json

from pynamodb.exceptions import DeleteError, PutError, UpdateError

from chalicelib.domain.errors import LunasError, TokenConflict
from chalicelib.domain.grants import GrantLink
from chalicelib.domain.models import (
    CompanyProfile,
    Connection,
    ConnectionStatus,
    OAuthTokens,
)
from chalicelib.domain.records import ConnectionHealth
from chalicelib.ports import Cipher, Clock
from chalicelib.storage.organisations import NotFound
from chalicelib.storage.routes import DynamoRoutes
from chalicelib.storage.schema import ACTIVE_CONNECTIONS, ConnectionRecord, GrantRecord, LeaseRecord, org_pk
from chalicelib.storage.writes import conditional_failed, edit_versioned


class DynamoConnectionRepository:
    """Connections and their OAuth tokens (KMS-encrypted, optimistic locking on every write)."""

    def __init__(self, cipher: Cipher, clock: Clock) -> None:
        self._cipher = cipher
        self._clock = clock

    def add(self, connection: Connection, tokens: OAuthTokens) -> None:
        record = ConnectionRecord(
            org_pk(connection.org_id),
            f"CONN#{connection.connection_id}",
            provider=connection.provider,
            tenant_id=connection.tenant_id,
            tenant_name=connection.tenant_name,
            country=connection.country,
            currency=connection.currency,
            timezone=connection.timezone,
        )
        self._set_status(record, connection.status)
        record.token_ciphertext = self._encrypt(tokens, self._context(connection.org_id, connection.connection_id))
        record.save()
        DynamoRoutes().add_tenant(  # Xero / QuickBooks change events name the tenant, not us
            connection.provider,
            connection.tenant_id,
            connection.org_id,
            connection.connection_id,
            self._clock.now(),
        )

    def get(self, org_id: str, connection_id: str) -> Connection:
        return self._to_domain(org_id, self._record(org_id, connection_id))

    def active(self) -> list[Connection]:
        """Every active connection of every organisation (the sparse index holds only active ones, with every field:
        one paged query, no read per connection)."""
        records = ConnectionRecord.active.query(ACTIVE_CONNECTIONS)
        return [self._to_domain(r.pk.removeprefix("ORG#"), r) for r in records]

    def for_org(self, org_id: str) -> list[Connection]:
        records = ConnectionRecord.query(org_pk(org_id), ConnectionRecord.sk.startswith("CONN#"))
        return [self._to_domain(org_id, r) for r in records]

    def health(self, org_id: str) -> list[ConnectionHealth]:
        """Every connection of the organisation with its status and last cycle, for the overview page."""
        records = ConnectionRecord.query(org_pk(org_id), ConnectionRecord.sk.startswith("CONN#"))
        return [
            ConnectionHealth(
                connection_id=r.sk.removeprefix("CONN#"),
                provider=r.provider,
                tenant_name=r.tenant_name,
                status=r.status,
                last_cycle_at=r.last_cycle_at,
                last_cycle_summary=r.last_cycle_summary or "",
            )
            for r in records
        ]

    def load_tokens(self, org_id: str, connection_id: str) -> tuple[OAuthTokens, int]:
        record = self._record(org_id, connection_id)
        if record.grant_id:
            found = self.grant_tokens(org_id, record.grant_id)
            if found is None:
                raise NotFound(f"connection {connection_id} has no tokens (its grant is gone)")
            return found
        if record.token_ciphertext is None:
            raise NotFound(f"connection {connection_id} has no tokens")
        tokens = self._decrypt(record.token_ciphertext, self._context(org_id, connection_id))
        return tokens, int(record.version or 0)

    def save_tokens(self, org_id: str, connection_id: str, tokens: OAuthTokens, *, expected_version: int) -> None:
        """Store rotated tokens unless someone else stored newer ones since `expected_version` was read."""
        record = self._record(org_id, connection_id)
        if record.grant_id:
            self.save_grant(org_id, record.grant_id, tokens, expected_version=expected_version)
            return
        if int(record.version or 0) != expected_version:
            raise TokenConflict(f"connection {connection_id} tokens changed meanwhile")
        record.token_ciphertext = self._encrypt(tokens, self._context(org_id, connection_id))
        try:
            record.save()
        except PutError as exc:
            if conditional_failed(exc):
                raise TokenConflict(f"connection {connection_id} tokens changed meanwhile") from exc
            raise

    # -- grants: one token set per (organisation, Xero user) -------------------------------------------------------

    def grant_tokens(self, org_id: str, grant_id: str) -> tuple[OAuthTokens, int] | None:
        try:
            record = GrantRecord.get(org_pk(org_id), f"GRANT#{grant_id}")
        except GrantRecord.DoesNotExist:
            return None
        return self._decrypt(record.token_ciphertext, _grant_context(org_id, grant_id)), int(record.version or 0)

    def save_grant(self, org_id: str, grant_id: str, tokens: OAuthTokens, *, expected_version: int | None) -> None:
        """A new grant (`expected_version` None: refused if one exists) or the same one, still at that version."""
        ciphertext = self._encrypt(tokens, _grant_context(org_id, grant_id))
        if expected_version is None:
            provider, _, user_id = grant_id.partition(":")
            record = GrantRecord(org_pk(org_id), f"GRANT#{grant_id}", provider=provider, user_id=user_id)
        else:
            try:
                record = GrantRecord.get(org_pk(org_id), f"GRANT#{grant_id}")
            except GrantRecord.DoesNotExist:
                raise TokenConflict(f"grant {grant_id} is gone") from None
            if int(record.version or 0) != expected_version:
                raise TokenConflict(f"grant {grant_id} tokens changed meanwhile")
        record.token_ciphertext = ciphertext
        record.updated_at = self._clock.now()
        try:
            record.save()  # pynamodb's version condition: not there yet / still the version read
        except PutError as exc:
            if conditional_failed(exc):
                raise TokenConflict(f"grant {grant_id} tokens changed meanwhile") from exc
            raise

    def delete_grant(self, org_id: str, grant_id: str) -> None:
        GrantRecord(org_pk(org_id), f"GRANT#{grant_id}").delete(add_version_condition=False)

    def link(self, org_id: str, connection_id: str) -> GrantLink:
        return _link(self._record(org_id, connection_id))

    def links(self, org_id: str) -> dict[str, GrantLink]:
        records = ConnectionRecord.query(org_pk(org_id), ConnectionRecord.sk.startswith("CONN#"))
        return {r.sk.removeprefix("CONN#"): _link(r) for r in records}

    def attach(self, connection: Connection, link: GrantLink) -> None:
        org_id, connection_id = connection.org_id, connection.connection_id

        def change(record: ConnectionRecord) -> None:
            record.provider, record.tenant_id = connection.provider, connection.tenant_id
            record.tenant_name = connection.tenant_name or record.tenant_name
            for name in ("country", "currency", "timezone"):
                value = getattr(connection, name)
                if value:
                    setattr(record, name, value)
            record.grant_id = link.grant_id or None
            record.provider_connection_id = link.provider_connection_id or None
            record.token_ciphertext = None  # the grant holds the set now
            self._set_status(record, connection.status)

        if _existing(org_id, connection_id) is None:
            record = ConnectionRecord(org_pk(org_id), f"CONN#{connection_id}", provider=connection.provider)
            change(record)
            try:
                record.save()  # only if it is still new
            except PutError as exc:
                if not conditional_failed(exc):
                    raise
            else:
                DynamoRoutes().add_tenant(
                    connection.provider, connection.tenant_id, org_id, connection_id, self._clock.now()
                )
                return
        edit_versioned(
            lambda: self._record(org_id, connection_id),
            change,
            gave_up=TokenConflict(f"connection {connection_id} kept changing"),
        )

    def set_link(self, org_id: str, connection_id: str, link: GrantLink) -> None:
        def change(record: ConnectionRecord) -> None:
            record.grant_id = link.grant_id or None
            record.provider_connection_id = link.provider_connection_id or None

        edit_versioned(
            lambda: self._record(org_id, connection_id),
            change,
            gave_up=TokenConflict(f"connection {connection_id} kept changing"),
        )

    def set_status(self, org_id: str, connection_id: str, status: ConnectionStatus) -> None:
        edit_versioned(
            lambda: self._record(org_id, connection_id),
            lambda record: self._set_status(record, status),
            gave_up=TokenConflict(f"connection {connection_id} kept changing"),
        )

    def set_profile(self, org_id: str, connection_id: str, profile: CompanyProfile) -> None:
        """Store what the accounting system said about the company (at a reconnect); unknown fields stay as they are."""

        def change(record: ConnectionRecord) -> None:
            for name in ("country", "currency", "timezone"):
                value = getattr(profile, name)
                if value:
                    setattr(record, name, value)

        edit_versioned(
            lambda: self._record(org_id, connection_id),
            change,
            gave_up=TokenConflict(f"connection {connection_id} kept changing"),
        )

    def record_cycle(self, org_id: str, connection_id: str, at: dt.datetime, summary: str) -> None:
        record = self._record(org_id, connection_id)
        try:
            record.update(
                actions=[ConnectionRecord.last_cycle_at.set(at), ConnectionRecord.last_cycle_summary.set(summary)]
            )
        except UpdateError as exc:  # a concurrent token refresh won: the summary is not worth a retry loop
            if not conditional_failed(exc):
                raise

    def set_own_reminders(self, org_id: str, connection_id: str, enabled: bool | None, at: dt.datetime) -> None:
        record = self._record(org_id, connection_id)
        own = ConnectionRecord.own_reminders
        try:
            record.update(
                actions=[
                    own.set(enabled) if enabled is not None else own.remove(),
                    ConnectionRecord.own_reminders_checked_at.set(at),
                ]
            )
        except UpdateError as exc:  # a concurrent token refresh won: tomorrow's check asks again
            if not conditional_failed(exc):
                raise

    def _record(self, org_id: str, connection_id: str) -> ConnectionRecord:
        try:
            return ConnectionRecord.get(org_pk(org_id), f"CONN#{connection_id}")
        except ConnectionRecord.DoesNotExist as exc:
            raise NotFound(f"connection {connection_id} not found") from exc

    @staticmethod
    def _set_status(record: ConnectionRecord, status: ConnectionStatus) -> None:
        record.status = status.value
        active = status is ConnectionStatus.ACTIVE
        record.gsi1pk = ACTIVE_CONNECTIONS if active else None
        record.gsi1sk = f"{record.pk}#{record.sk}" if active else None

    def _encrypt(self, tokens: OAuthTokens, context: dict[str, str]) -> bytes:
        raw = json.dumps(
            {
                "access_token": tokens.access_token,
                "refresh_token": tokens.refresh_token,
                "expires_at": tokens.expires_at.isoformat(),
                "scope": tokens.scope,
            }
        ).encode()
        return self._cipher.encrypt(raw, context)

    def _decrypt(self, ciphertext: bytes, context: dict[str, str]) -> OAuthTokens:
        data = json.loads(self._cipher.decrypt(ciphertext, context))
        return OAuthTokens(
            access_token=data["access_token"],
            refresh_token=data["refresh_token"],
            expires_at=dt.datetime.fromisoformat(data["expires_at"]),
            scope=data.get("scope", ""),
        )

    @staticmethod
    def _context(org_id: str, connection_id: str) -> dict[str, str]:
        return {"org_id": org_id, "connection_id": connection_id}

    @staticmethod
    def _to_domain(org_id: str, record: ConnectionRecord) -> Connection:
        return Connection(
            org_id=org_id,
            connection_id=record.sk.removeprefix("CONN#"),
            provider=record.provider,
            tenant_id=record.tenant_id,
            tenant_name=record.tenant_name,
            status=ConnectionStatus(record.status),
            country=record.country or None,
            currency=record.currency or None,
            timezone=record.timezone or None,
            own_reminders=record.own_reminders,
            own_reminders_checked_at=record.own_reminders_checked_at,
        )

    def version(self, org_id: str, connection_id: str) -> int | None:
        try:
            return int(ConnectionRecord.get(org_pk(org_id), f"CONN#{connection_id}").version or 0)
        except ConnectionRecord.DoesNotExist:
            return None

    def delete_tokens(self, org_id: str, connection_id: str) -> None:
        def forget(record: ConnectionRecord) -> None:
            record.token_ciphertext = None

        edit_versioned(
            lambda: _existing(org_id, connection_id),
            forget,
            gave_up=LunasError("the connection kept changing; try again"),
        )


class DynamoLeases:
    """Short leases with a conditional write: at most one holder per key until it releases or the lease runs out."""

    def acquire(self, org_id: str, key: str, owner: str, *, now: float, seconds: float) -> bool:
        record = LeaseRecord(
            org_pk(org_id),
            f"LEASE#{key}",
            owner=owner,
            lease_until=round(now + seconds, 3),
            expires_at=dt.datetime.fromtimestamp(now + 86_400, dt.UTC),
        )
        try:
            record.save(condition=LeaseRecord.sk.does_not_exist() | (LeaseRecord.lease_until < now))
        except PutError as exc:
            if conditional_failed(exc):
                return False
            raise
        return True

    def release(self, org_id: str, key: str, owner: str) -> None:
        try:
            LeaseRecord(org_pk(org_id), f"LEASE#{key}").delete(condition=LeaseRecord.owner == owner)
        except DeleteError as exc:
            if not conditional_failed(exc):  # already expired and taken over: nothing of ours to release
                raise


def _link(record: ConnectionRecord) -> GrantLink:
    return GrantLink(grant_id=record.grant_id or "", provider_connection_id=record.provider_connection_id or "")


def _grant_context(org_id: str, grant_id: str) -> dict[str, str]:
    """The grant's ciphertext opens only under its own organisation and grant."""
    return {"org_id": org_id, "grant_id": grant_id}


def _existing(org_id: str, connection_id: str) -> ConnectionRecord | None:
    try:
        return ConnectionRecord.get(org_pk(org_id), f"CONN#{connection_id}")
    except ConnectionRecord.DoesNotExist:
        return None
