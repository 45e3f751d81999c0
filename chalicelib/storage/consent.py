"""Customers' WhatsApp consent (opted in / out, evidence, history) and their marketing preferences."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from pynamodb.exceptions import PutError

from chalicelib.domain.errors import LunasError
from chalicelib.domain.models import (
    Consent,
    ConsentStatus,
)
from chalicelib.domain.records import MarketingPreference
from chalicelib.storage.schema import ConsentChange, ConsentRecord, PreferenceRecord, org_pk
from chalicelib.storage.writes import batch_get, conditional_failed, edit_versioned

HISTORY_KEPT = 50  # changes kept per number: the first (how consent was first given) and the latest 49
_HISTORY_BYTES = 250_000  # well under DynamoDB's 400 KB item limit, with the current evidence beside it


def kept_history(history: list[ConsentChange]) -> list[ConsentChange]:
    """The history to store: the first change and as many of the latest as fit (in count and in bytes).

    Customers can opt out and in again as often as they like (STOP / START replies); an item that outgrew
    DynamoDB's 400 KB limit could never be written again, so that number's consent could not change any more.
    """

    def size(change: ConsentChange) -> int:
        return len(change.evidence.encode()) + len(change.source.encode()) + len(change.status) + 64

    first, rest = history[:1], history[1:]
    kept: list[ConsentChange] = []
    budget = _HISTORY_BYTES - sum(size(c) for c in first)
    for change in reversed(rest):
        if len(kept) + len(first) >= HISTORY_KEPT or size(change) > budget:
            break
        kept.append(change)
        budget -= size(change)
    return first + kept[::-1]


def _audit(consent: Consent) -> None:
    """The change in the organisation's audit log too (storage/audit.py): who, the masked number, the source."""
    from chalicelib.domain import notes
    from chalicelib.domain.masking import mask_phone
    from chalicelib.storage.audit import DynamoAuditLog

    who = consent.recorded_by or consent.source
    status = consent.status.value.replace("_", " ")
    what = f"Consent {status} for {mask_phone(consent.phone)} (source: {consent.source})"
    words = notes.note(f"audit_consent_{consent.status.value}", phone=mask_phone(consent.phone), source=consent.source)
    DynamoAuditLog().record(consent.org_id, "consent", who, what, consent.captured_at, words=words)


class DynamoConsentRepository:
    """One consent record per (organisation, phone), with every change kept in its history."""

    def record(self, consent: Consent) -> None:
        change = ConsentChange(
            status=consent.status.value,
            source=consent.source,
            evidence=consent.evidence,
            captured_at=consent.captured_at,
            recorded_by=consent.recorded_by or None,
            evidence_at=consent.evidence_at,
        )

        def load() -> ConsentRecord:
            try:
                return ConsentRecord.get(org_pk(consent.org_id), f"CONSENT#{consent.phone}")
            except ConsentRecord.DoesNotExist:
                return ConsentRecord(org_pk(consent.org_id), f"CONSENT#{consent.phone}", history=[])

        def apply(existing: ConsentRecord) -> None:
            existing.status = consent.status.value
            existing.source = consent.source
            existing.evidence = consent.evidence
            existing.captured_at = consent.captured_at
            existing.recorded_by = consent.recorded_by or None
            existing.evidence_at = consent.evidence_at
            existing.history = kept_history([*existing.history, change])

        edit_versioned(load, apply, gave_up=LunasError("consent kept changing; try again"), attempts=3)
        _audit(consent)

    def for_phones(self, org_id: str, phones: Iterable[str]) -> dict[str, Consent]:
        keys = [(org_pk(org_id), f"CONSENT#{p}") for p in sorted(set(phones))]
        consents = (_current(org_id, record) for record in batch_get(ConsentRecord, keys))
        return {c.phone: c for c in consents}

    def for_org(self, org_id: str) -> list[Consent]:
        """The current consent of every phone the organisation recorded one for, by phone."""
        records = ConsentRecord.query(org_pk(org_id), ConsentRecord.sk.startswith("CONSENT#"))
        return [_current(org_id, r) for r in records]

    def history(self, org_id: str, phone: str) -> list[Consent]:
        try:
            record = ConsentRecord.get(org_pk(org_id), f"CONSENT#{phone}")
        except ConsentRecord.DoesNotExist:
            return []
        return _history(org_id, phone, record)

    def histories(self, org_id: str) -> dict[str, list[Consent]]:
        """Every phone's consent history (oldest first), in one query: the owner's customers page."""
        records = ConsentRecord.query(org_pk(org_id), ConsentRecord.sk.startswith("CONSENT#"))
        return {r.sk.removeprefix("CONSENT#"): _history(org_id, r.sk.removeprefix("CONSENT#"), r) for r in records}


def _history(org_id: str, phone: str, record: ConsentRecord) -> list[Consent]:
    return [
        Consent(
            org_id=org_id,
            phone=phone,
            status=ConsentStatus(c.status),
            source=c.source,
            evidence=c.evidence,
            captured_at=c.captured_at,
            recorded_by=c.recorded_by or "",
            evidence_at=c.evidence_at,
        )
        for c in record.history
    ]


def _current(org_id: str, record: ConsentRecord) -> Consent:
    return Consent(
        org_id=org_id,
        phone=record.sk.removeprefix("CONSENT#"),
        status=ConsentStatus(record.status),
        source=record.source,
        evidence=record.evidence,
        captured_at=record.captured_at,
        recorded_by=record.recorded_by or "",
        evidence_at=record.evidence_at,
    )


class DynamoMarketingPreferences:
    """Meta's `user_preferences` events: only about MARKETING templates, kept for the record (and the owner)."""

    def record(self, org_id: str, phone: str, *, category: str, value: str, detail: str, at: dt.datetime) -> None:
        """Keep the latest choice; an older event arriving late changes nothing."""
        record = PreferenceRecord(
            org_pk(org_id), f"WAPREF#{phone}", category=category, value=value, detail=detail, at=at
        )
        try:
            record.save(condition=PreferenceRecord.pk.does_not_exist() | (PreferenceRecord.at <= at))
        except PutError as exc:
            if not conditional_failed(exc):
                raise

    def get(self, org_id: str, phone: str) -> MarketingPreference | None:
        try:
            record = PreferenceRecord.get(org_pk(org_id), f"WAPREF#{phone}")
        except PreferenceRecord.DoesNotExist:
            return None
        return MarketingPreference(
            phone=phone, category=record.category, value=record.value, detail=record.detail, at=record.at
        )
