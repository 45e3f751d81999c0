"""Accounting connections (Xero tenants, QuickBooks companies), their KMS-encrypted rotating tokens, refresh leases."""

from __future__ import annotations

import datetime as dt
import json

from pynamodb.exceptions import DeleteError, PutError, UpdateError

from chalicelib.domain.errors import LunasError, TokenConflict
from chalicelib.domain.models import (
    Connection,
    ConnectionStatus,
    OAuthTokens,
)
from chalicelib.domain.records import ConnectionHealth
from chalicelib.ports import Cipher, Clock
from chalicelib.storage.organisations import NotFound
from chalicelib.storage.routes import DynamoRoutes
from chalicelib.storage.schema import ACTIVE_CONNECTIONS, ConnectionRecord, LeaseRecord, LunasTable, org_pk
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
        )
        self._set_status(record, connection.status)
        record.token_ciphertext = self._encrypt(connection.org_id, connection.connection_id, tokens)
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
        """Every active connection of every organisation (the sparse index holds only active ones)."""
        result = []
        for item in LunasTable.by_kind.query(ACTIVE_CONNECTIONS):
            org_id = item.pk.removeprefix("ORG#")
            result.append(self._to_domain(org_id, ConnectionRecord.get(item.pk, item.sk)))
        return result

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
        if record.token_ciphertext is None:
            raise NotFound(f"connection {connection_id} has no tokens")
        raw = self._cipher.decrypt(record.token_ciphertext, self._context(org_id, connection_id))
        data = json.loads(raw)
        tokens = OAuthTokens(
            access_token=data["access_token"],
            refresh_token=data["refresh_token"],
            expires_at=dt.datetime.fromisoformat(data["expires_at"]),
            scope=data.get("scope", ""),
        )
        return tokens, int(record.version or 0)

    def save_tokens(self, org_id: str, connection_id: str, tokens: OAuthTokens, *, expected_version: int) -> None:
        """Store rotated tokens unless someone else stored newer ones since `expected_version` was read."""
        record = self._record(org_id, connection_id)
        if int(record.version or 0) != expected_version:
            raise TokenConflict(f"connection {connection_id} tokens changed meanwhile")
        record.token_ciphertext = self._encrypt(org_id, connection_id, tokens)
        try:
            record.save()
        except PutError as exc:
            if conditional_failed(exc):
                raise TokenConflict(f"connection {connection_id} tokens changed meanwhile") from exc
            raise

    def set_status(self, org_id: str, connection_id: str, status: ConnectionStatus) -> None:
        edit_versioned(
            lambda: self._record(org_id, connection_id),
            lambda record: self._set_status(record, status),
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

    def _encrypt(self, org_id: str, connection_id: str, tokens: OAuthTokens) -> bytes:
        raw = json.dumps(
            {
                "access_token": tokens.access_token,
                "refresh_token": tokens.refresh_token,
                "expires_at": tokens.expires_at.isoformat(),
                "scope": tokens.scope,
            }
        ).encode()
        return self._cipher.encrypt(raw, self._context(org_id, connection_id))

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


def _existing(org_id: str, connection_id: str) -> ConnectionRecord | None:
    try:
        return ConnectionRecord.get(org_pk(org_id), f"CONN#{connection_id}")
    except ConnectionRecord.DoesNotExist:
        return None
