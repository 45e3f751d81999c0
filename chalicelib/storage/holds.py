"""What holds reminders back: paused customers, invoices and phones, closed invoices, unreachable phones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from pynamodb.exceptions import PutError

from chalicelib.domain import retention
from chalicelib.domain.notes import Note
from chalicelib.domain.notes import note as note_of
from chalicelib.storage.schema import InvoiceClosureRecord, PauseRecord, PhoneFlagRecord, PhonePauseRecord, org_pk
from chalicelib.storage.writes import batch_get, conditional_failed


def _pause_expiry(until: dt.datetime | None) -> dt.datetime | None:
    """A pause is kept a while after it ends (the owner sees it ended); one without an end is kept."""
    try:
        return retention.PAUSE.until(until) if until is not None else None
    except OverflowError:  # a pause "until" the end of the calendar: kept, like one without an end
        return None


class DynamoPhoneFlags:
    def mark_not_on_whatsapp(self, org_id: str, phone: str, at: dt.datetime, detail: str) -> None:
        PhoneFlagRecord(
            org_pk(org_id),
            f"PHONE#{phone}",
            not_on_whatsapp_at=at,
            detail=detail,
            expires_at=retention.PHONE_FLAG.until(at),  # then Lunas tries the number again
        ).save()

    def unreachable(self, org_id: str, phones: Iterable[str]) -> frozenset[str]:
        keys = [(org_pk(org_id), f"PHONE#{p}") for p in sorted(set(phones))]
        return frozenset(r.sk.removeprefix("PHONE#") for r in batch_get(PhoneFlagRecord, keys) if r.not_on_whatsapp_at)


class DynamoHolds:
    def pause_customer(self, org_id: str, connection_id: str, customer_id: str, until: dt.datetime | None) -> None:
        PauseRecord(
            org_pk(org_id), f"PAUSE#CUST#{connection_id}#{customer_id}", until=until, expires_at=_pause_expiry(until)
        ).save()

    def pause_invoice(
        self,
        org_id: str,
        connection_id: str,
        invoice_id: str,
        until: dt.datetime | None,
        *,
        note: str = "",
        why: Note | None = None,
    ) -> None:
        PauseRecord(
            org_pk(org_id),
            f"PAUSE#INV#{connection_id}#{invoice_id}",
            until=until,
            note=note,
            words=why.to_json() if why else None,
            expires_at=_pause_expiry(until),
        ).save()

    def pause_notes(self, org_id: str, now: dt.datetime) -> dict[tuple[str, str], tuple[str, Note]]:
        notes = {}
        for record in PauseRecord.query(org_pk(org_id), PauseRecord.sk.startswith("PAUSE#INV#")):
            if record.note and (record.until is None or record.until > now):
                connection_id, invoice_id = record.sk.removeprefix("PAUSE#INV#").rsplit("#", 1)
                why = Note.from_json(record.words) or note_of("invoice_paused")
                notes[(connection_id, invoice_id)] = (record.note, why)
        return notes

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

    def pause_phone(self, org_id: str, phone: str, until: dt.datetime, note: str) -> None:
        """Pause a phone until `until` (a customer replied), never shortening a longer pause already there."""
        record = PhonePauseRecord(
            org_pk(org_id), f"PHONEPAUSE#{phone}", until=until, note=note, expires_at=retention.PAUSE.until(until)
        )
        try:
            record.save(condition=PhonePauseRecord.pk.does_not_exist() | (PhonePauseRecord.until < until))
        except PutError as exc:
            if not conditional_failed(exc):
                raise

    def end_phone_pause(self, org_id: str, phone: str) -> None:
        """The owner ended a reply's pause (the unpause button): reminders may go again from the next cycle."""
        PhonePauseRecord(org_pk(org_id), f"PHONEPAUSE#{phone}").delete()

    def phone_pauses(self, org_id: str, now: dt.datetime) -> dict[str, dt.datetime]:
        """Phone -> until when, for every reply pause still running (the replies inbox, the customer page)."""
        records = PhonePauseRecord.query(org_pk(org_id), PhonePauseRecord.sk.startswith("PHONEPAUSE#"))
        return {r.sk.removeprefix("PHONEPAUSE#"): r.until for r in records if r.until > now}

    def customer_pauses(self, org_id: str, now: dt.datetime) -> dict[tuple[str, str], dt.datetime | None]:
        """(connection_id, customer id) -> until when (None: until the owner unpauses), for running pauses."""
        found: dict[tuple[str, str], dt.datetime | None] = {}
        for record in PauseRecord.query(org_pk(org_id), PauseRecord.sk.startswith("PAUSE#CUST#")):
            if record.until is None or record.until > now:
                connection_id, customer_id = record.sk.removeprefix("PAUSE#CUST#").rsplit("#", 1)
                found[(connection_id, customer_id)] = record.until
        return found

    def invoice_pauses(self, org_id: str, now: dt.datetime) -> dict[tuple[str, str], tuple[dt.datetime | None, str]]:
        """(connection_id, invoice id) -> (until, note) for running invoice holds (promises to pay, "I have paid")."""
        found: dict[tuple[str, str], tuple[dt.datetime | None, str]] = {}
        for record in PauseRecord.query(org_pk(org_id), PauseRecord.sk.startswith("PAUSE#INV#")):
            if record.until is None or record.until > now:
                connection_id, invoice_id = record.sk.removeprefix("PAUSE#INV#").rsplit("#", 1)
                found[(connection_id, invoice_id)] = (record.until, record.note or "")
        return found

    def paused_phones(self, org_id: str, phones: Iterable[str], now: dt.datetime) -> frozenset[str]:
        """Phones whose reminders are paused because the customer replied."""
        keys = [(org_pk(org_id), f"PHONEPAUSE#{p}") for p in sorted(set(phones))]
        return frozenset(r.sk.removeprefix("PHONEPAUSE#") for r in batch_get(PhonePauseRecord, keys) if r.until > now)

    def close_invoice(
        self,
        org_id: str,
        connection_id: str,
        invoice_id: str,
        *,
        status: str,
        source: str,
        at: dt.datetime,
        keep_for: dt.timedelta,
    ) -> None:
        """An accounting webhook said the invoice is paid / voided / deleted: hold it until sync sees it too."""
        InvoiceClosureRecord(
            org_pk(org_id),
            f"CLOSED#{connection_id}#{invoice_id}",
            status=status,
            source=source,
            at=at,
            expires_at=at + keep_for,
        ).save()

    def reopen_invoice(self, org_id: str, connection_id: str, invoice_id: str) -> None:
        InvoiceClosureRecord(org_pk(org_id), f"CLOSED#{connection_id}#{invoice_id}").delete()

    def closed_invoices(
        self, org_id: str, keys: Iterable[tuple[str, str]], now: dt.datetime
    ) -> dict[tuple[str, str], str]:
        """(connection_id, invoice_id) -> paid / voided / deleted, for unexpired closures a webhook reported."""
        wanted = [(org_pk(org_id), f"CLOSED#{c}#{i}") for c, i in sorted(set(keys))]
        result = {}
        for record in batch_get(InvoiceClosureRecord, wanted):
            if record.expires_at > now:
                connection_id, invoice_id = record.sk.removeprefix("CLOSED#").rsplit("#", 1)
                result[(connection_id, invoice_id)] = record.status
        return result
