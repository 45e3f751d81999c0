"""DynamoDB repositories: organisations, connections and their tokens, consent, pauses, phone flags, views.

Each method takes the organisation id first and only ever builds keys under `ORG#<org_id>`; nothing here accepts a
raw key from a caller. pynamodb errors are translated into our own (`TokenConflict`) where callers must react.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Iterable, Sequence
from decimal import Decimal

from pynamodb.exceptions import PutError, UpdateError

from chalicelib.adapters.dynamo_models import (
    ACTIVE_CONNECTIONS,
    ConnectionRecord,
    ConsentChange,
    ConsentRecord,
    InvoiceViewRecord,
    LunasTable,
    OrganisationRecord,
    PauseRecord,
    PaymentLinkRecord,
    PhoneFlagRecord,
    batch_get,
    org_pk,
)
from chalicelib.adapters.kms import KmsCipher
from chalicelib.domain.errors import LunasError, TokenConflict
from chalicelib.domain.models import (
    Connection,
    ConnectionStatus,
    Consent,
    ConsentStatus,
    Decision,
    Money,
    ReminderSettings,
    SendWindow,
    Stage,
    WhatsAppAccount,
)
from chalicelib.ports import Clock, OAuthTokens
from chalicelib.webhooks import storage as webhook_storage


class NotFound(LunasError):
    """The organisation has no such item."""


def _is_conditional_failure(exc: Exception) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


def _hhmm(value: str) -> dt.time:
    hour, minute = value.split(":")
    return dt.time(int(hour), int(minute))


class DynamoOrganisationRepository:
    def __init__(self, cipher: KmsCipher, clock: Clock) -> None:
        self._cipher = cipher
        self._clock = clock

    def save(self, settings: ReminderSettings, whatsapp: WhatsAppAccount | None = None) -> None:
        record = OrganisationRecord(
            org_pk(settings.org_id),
            "PROFILE",
            business_name=settings.business_name,
            country=settings.country,
            timezone=settings.timezone,
            language=settings.language,
            stages=[s.offset_days for s in settings.stages],
            window_start=settings.window.start.strftime("%H:%M"),
            window_end=settings.window.end.strftime("%H:%M"),
            window_weekdays=sorted(settings.window.weekdays),
            minimum_amounts={m.currency: str(m.amount) for m in settings.minimum_amounts},
        )
        if whatsapp is not None:
            record.wa_phone_number_id = whatsapp.phone_number_id
            record.wa_business_account_id = whatsapp.business_account_id
            record.wa_token_ciphertext = self._cipher.encrypt(
                whatsapp.access_token.encode(), self._context(settings.org_id)
            )
        record.save()
        if whatsapp is not None:  # webhooks find the organisation by the number Meta posts for (chalicelib/webhooks)
            now = self._clock.now()
            webhook_storage.DynamoRoutes().claim_phone_number(whatsapp.phone_number_id, settings.org_id, now)
            if whatsapp.business_account_id:
                webhook_storage.DynamoRoutes().add_business_account(whatsapp.business_account_id, settings.org_id, now)

    def settings(self, org_id: str) -> ReminderSettings:
        record = self._get(org_id)
        return ReminderSettings(
            org_id=org_id,
            business_name=record.business_name,
            country=record.country,
            timezone=record.timezone,
            language=record.language,
            stages=tuple(Stage(int(d)) for d in record.stages),
            window=SendWindow(
                start=_hhmm(record.window_start),
                end=_hhmm(record.window_end),
                weekdays=frozenset(int(d) for d in record.window_weekdays),
            ),
            minimum_amounts=tuple(Money(Decimal(str(v)), c) for c, v in record.minimum_amounts.as_dict().items()),
        )

    def whatsapp(self, org_id: str) -> WhatsAppAccount | None:
        record = self._get(org_id)
        if not (record.wa_phone_number_id and record.wa_token_ciphertext):
            return None
        token = self._cipher.decrypt(record.wa_token_ciphertext, self._context(org_id)).decode()
        return WhatsAppAccount(
            phone_number_id=record.wa_phone_number_id,
            business_account_id=record.wa_business_account_id or "",
            access_token=token,
        )

    def _get(self, org_id: str) -> OrganisationRecord:
        try:
            return OrganisationRecord.get(org_pk(org_id), "PROFILE")
        except OrganisationRecord.DoesNotExist as exc:
            raise NotFound(f"organisation {org_id} not found") from exc

    @staticmethod
    def _context(org_id: str) -> dict[str, str]:
        return {"org_id": org_id, "item": "whatsapp_token"}


class DynamoConnectionRepository:
    """Connections and their OAuth tokens (KMS-encrypted, optimistic locking on every write)."""

    def __init__(self, cipher: KmsCipher, clock: Clock) -> None:
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
        webhook_storage.DynamoRoutes().add_tenant(  # Xero / QuickBooks change events name the tenant, not us
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
            if _is_conditional_failure(exc):
                raise TokenConflict(f"connection {connection_id} tokens changed meanwhile") from exc
            raise

    def set_status(self, org_id: str, connection_id: str, status: ConnectionStatus) -> None:
        for _ in range(3):
            record = self._record(org_id, connection_id)
            self._set_status(record, status)
            try:
                record.save()
                return
            except PutError as exc:
                if not _is_conditional_failure(exc):
                    raise
        raise TokenConflict(f"connection {connection_id} kept changing")

    def record_cycle(self, org_id: str, connection_id: str, at: dt.datetime, summary: str) -> None:
        record = self._record(org_id, connection_id)
        try:
            record.update(
                actions=[ConnectionRecord.last_cycle_at.set(at), ConnectionRecord.last_cycle_summary.set(summary)]
            )
        except UpdateError as exc:  # a concurrent token refresh won: the summary is not worth a retry loop
            if not _is_conditional_failure(exc):
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


class DynamoConsentRepository:
    """One consent record per (organisation, phone), with every change kept in its history."""

    def record(self, consent: Consent) -> None:
        change = ConsentChange(
            status=consent.status.value,
            source=consent.source,
            evidence=consent.evidence,
            captured_at=consent.captured_at,
        )
        for _ in range(3):
            try:
                existing = ConsentRecord.get(org_pk(consent.org_id), f"CONSENT#{consent.phone}")
            except ConsentRecord.DoesNotExist:
                existing = ConsentRecord(org_pk(consent.org_id), f"CONSENT#{consent.phone}", history=[])
            existing.status = consent.status.value
            existing.source = consent.source
            existing.evidence = consent.evidence
            existing.captured_at = consent.captured_at
            existing.history = [*existing.history, change]
            try:
                existing.save()
                return
            except PutError as exc:
                if not _is_conditional_failure(exc):
                    raise
        raise LunasError("consent kept changing; try again")

    def for_phones(self, org_id: str, phones: Iterable[str]) -> dict[str, Consent]:
        keys = [(org_pk(org_id), f"CONSENT#{p}") for p in sorted(set(phones))]
        result = {}
        for record in batch_get(ConsentRecord, keys):
            phone = record.sk.removeprefix("CONSENT#")
            result[phone] = Consent(
                org_id=org_id,
                phone=phone,
                status=ConsentStatus(record.status),
                source=record.source,
                evidence=record.evidence,
                captured_at=record.captured_at,
            )
        return result

    def history(self, org_id: str, phone: str) -> list[Consent]:
        try:
            record = ConsentRecord.get(org_pk(org_id), f"CONSENT#{phone}")
        except ConsentRecord.DoesNotExist:
            return []
        return [
            Consent(
                org_id=org_id,
                phone=phone,
                status=ConsentStatus(c.status),
                source=c.source,
                evidence=c.evidence,
                captured_at=c.captured_at,
            )
            for c in record.history
        ]


class DynamoPhoneFlags:
    def mark_not_on_whatsapp(self, org_id: str, phone: str, at: dt.datetime, detail: str) -> None:
        PhoneFlagRecord(org_pk(org_id), f"PHONE#{phone}", not_on_whatsapp_at=at, detail=detail).save()

    def unreachable(self, org_id: str, phones: Iterable[str]) -> frozenset[str]:
        keys = [(org_pk(org_id), f"PHONE#{p}") for p in sorted(set(phones))]
        return frozenset(r.sk.removeprefix("PHONE#") for r in batch_get(PhoneFlagRecord, keys) if r.not_on_whatsapp_at)


class DynamoPauses:
    def pause_customer(self, org_id: str, connection_id: str, customer_id: str, until: dt.datetime | None) -> None:
        PauseRecord(org_pk(org_id), f"PAUSE#CUST#{connection_id}#{customer_id}", until=until).save()

    def pause_invoice(self, org_id: str, connection_id: str, invoice_id: str, until: dt.datetime | None) -> None:
        PauseRecord(org_pk(org_id), f"PAUSE#INV#{connection_id}#{invoice_id}", until=until).save()

    def active(self, org_id: str, now: dt.datetime) -> tuple[frozenset[tuple[str, str]], frozenset[tuple[str, str]]]:
        """(paused customers, paused invoices) as (connection_id, vendor id) pairs, ignoring expired pauses."""
        customers: set[tuple[str, str]] = set()
        invoices: set[tuple[str, str]] = set()
        for record in PauseRecord.query(org_pk(org_id), PauseRecord.sk.startswith("PAUSE#")):
            if record.until is not None and record.until <= now:
                continue
            _, kind, rest = record.sk.split("#", 2)
            connection_id, vendor_id = rest.rsplit("#", 1)
            (customers if kind == "CUST" else invoices).add((connection_id, vendor_id))
        return frozenset(customers), frozenset(invoices)

    def paused_phones(self, org_id: str, phones: Iterable[str], now: dt.datetime) -> frozenset[str]:
        """Phones whose reminders are paused because the customer replied (see chalicelib/webhooks)."""
        return webhook_storage.paused_phones(org_id, list(phones), now)

    def closed_invoices(
        self, org_id: str, keys: Iterable[tuple[str, str]], now: dt.datetime
    ) -> dict[tuple[str, str], str]:
        """(connection_id, invoice_id) -> paid / voided / deleted, as an accounting webhook just reported."""
        return webhook_storage.closed_invoices(org_id, list(keys), now)


class DynamoInvoiceViews:
    def save_decisions(self, org_id: str, decisions: Sequence[Decision], at: dt.datetime) -> None:
        with InvoiceViewRecord.batch_write() as batch:
            for d in decisions:
                inv = d.invoice
                batch.save(
                    InvoiceViewRecord(
                        org_pk(org_id),
                        f"INVOICE#{inv.connection_id}#{inv.invoice_id}",
                        number=inv.number,
                        customer_name=inv.customer_name,
                        due_date=inv.due_date.isoformat(),
                        amount_due=str(inv.amount_due.amount),
                        currency=inv.amount_due.currency,
                        reason=d.reason.value,
                        stage=d.stage.key if d.stage else None,
                        detail=d.detail,
                        decided_at=at,
                    )
                )

    def for_org(self, org_id: str) -> list[InvoiceViewRecord]:
        return list(InvoiceViewRecord.query(org_pk(org_id), InvoiceViewRecord.sk.startswith("INVOICE#")))


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
