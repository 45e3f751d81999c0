"""In-memory implementations of the repository ports in `chalicelib/ports.py`, for fast tests (never shipped).

Each class mirrors its DynamoDB twin in `chalicelib/storage/` rule for rule, edge cases included, and
tests/contract/test_storage_contract.py runs one suite against both so they cannot drift apart:

- what DynamoDB does in one conditional write or one transaction happens here under the store's lock (the ledger's
  claim: the phone-day message and every (connection, invoice, stage) row, all or nothing);
- versions count every write of a versioned item, as pynamodb's `VersionAttribute` does (a cycle summary bumps a
  connection's version, so a token save holding the old one is a `TokenConflict`);
- expiry is checked where the DynamoDB repository checks it on read (TTL deletion is lazy: a `locate`, a one-time
  `claim` or an OAuth `put` does not look at it), and nowhere else; an expiry kept in a TTL attribute has whole
  seconds, as there;
- what DynamoDB refuses outright (one transaction or batch naming an item twice) raises here too;
- the organisation and connection repositories keep secrets as plain values (DynamoDB keeps them KMS-encrypted).

`MemoryStores` bundles one of each under the names `chalicelib.container.Stores` uses.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from chalicelib.domain.audit import AuditEntry
from chalicelib.domain.audit import entry as audit_entry
from chalicelib.domain.changes import Snapshot, SnapshotChange
from chalicelib.domain.errors import LunasError, StateInvalid, TokenConflict
from chalicelib.domain.grants import GrantLink
from chalicelib.domain.meta_errors import WhatsAppAlert
from chalicelib.domain.models import (
    CompanyProfile,
    Connection,
    ConnectionStatus,
    Consent,
    Customer,
    Decision,
    Invoice,
    LedgerState,
    OAuthTokens,
    OutgoingMessage,
    ReminderSettings,
    VerifiedWhatsAppNumber,
    WhatsAppAccount,
)
from chalicelib.domain.notes import Note
from chalicelib.domain.pricing import UNKNOWN, CategoryCount, Delivered, MonthUsage, merged
from chalicelib.domain.records import (
    ConnectionHealth,
    ConnectionRoute,
    InvoiceView,
    LedgerEntry,
    MarketingPreference,
    MessageEntry,
    PaymentClaim,
    PaymentInstructions,
    PaymentPage,
    PaymentTarget,
    PendingAuthorization,
    QrisImage,
    StoredReply,
    WhatsAppSummary,
)
from chalicelib.domain.templates import TemplateState
from chalicelib.domain.tracking import DeliveryStatus
from chalicelib.ports import Clock, NumberHealthUpdate
from chalicelib.storage.ledger import message_key, recipient_of
from chalicelib.storage.organisations import NotFound, NumberTaken, health_applies

_DELIVERY_RANK = {"sent": 1, "delivered": 2, "read": 3, "failed": 4}
_POINTER_LIFETIME = dt.timedelta(days=60)
_PARKED_LIFETIME = dt.timedelta(days=8)
_TEMPLATE_GROUPS = ("status", "category", "quality")


class AlreadyExists(LunasError):
    """A create-only write found the item there (DynamoDB: a failed `attribute_not_exists` condition)."""


def _ttl(at: dt.datetime) -> dt.datetime:
    """An expiry as DynamoDB's TTL attribute keeps it: whole epoch seconds, rounded down."""
    return at.replace(microsecond=0)


# -- consent, preferences, phone flags ------------------------------------------------------------------------------


class MemoryConsentRepository:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._history: dict[tuple[str, str], list[Consent]] = {}

    def record(self, consent: Consent) -> None:
        with self._lock:
            self._history.setdefault((consent.org_id, consent.phone), []).append(consent)

    def for_phones(self, org_id: str, phones: Iterable[str]) -> dict[str, Consent]:
        with self._lock:
            return {p: self._history[(org_id, p)][-1] for p in sorted(set(phones)) if (org_id, p) in self._history}

    def history(self, org_id: str, phone: str) -> list[Consent]:
        with self._lock:
            return list(self._history.get((org_id, phone), []))

    def for_org(self, org_id: str) -> list[Consent]:
        """The latest consent per phone, ordered by phone (DynamoDB: the query's order of `CONSENT#<phone>`)."""
        with self._lock:
            return [history[-1] for (o, _), history in sorted(self._history.items()) if o == org_id and history]

    def histories(self, org_id: str) -> dict[str, list[Consent]]:
        with self._lock:
            return {p: list(h) for (o, p), h in sorted(self._history.items()) if o == org_id and h}


class MemoryMarketingPreferences:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[tuple[str, str], MarketingPreference] = {}

    def record(self, org_id: str, phone: str, *, category: str, value: str, detail: str, at: dt.datetime) -> None:
        """Keep the latest choice; an older event arriving late changes nothing (an equal time overwrites)."""
        with self._lock:
            current = self._rows.get((org_id, phone))
            if current is None or current.at <= at:
                self._rows[(org_id, phone)] = MarketingPreference(
                    phone=phone, category=category, value=value, detail=detail, at=at
                )

    def get(self, org_id: str, phone: str) -> MarketingPreference | None:
        with self._lock:
            return self._rows.get((org_id, phone))


class MemoryPhoneFlags:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flags: dict[tuple[str, str], tuple[dt.datetime, str]] = {}

    def mark_not_on_whatsapp(self, org_id: str, phone: str, at: dt.datetime, detail: str) -> None:
        with self._lock:
            self._flags[(org_id, phone)] = (at, detail)

    def unreachable(self, org_id: str, phones: Iterable[str]) -> frozenset[str]:
        with self._lock:
            return frozenset(p for p in phones if (org_id, p) in self._flags)


# -- holds ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Closure:
    status: str
    source: str
    at: dt.datetime
    expires_at: dt.datetime


class MemoryHolds:
    """Paused customers and invoices (optional end), phone pauses (never shortened), closures (with expiry)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pauses: dict[tuple[str, str, str, str], dt.datetime | None] = {}  # (org, CUST|INV, conn, id)
        self._notes: dict[tuple[str, str, str], tuple[str, Note]] = {}  # (org, conn, invoice id) -> why it is paused
        self._phones: dict[tuple[str, str], tuple[dt.datetime, str]] = {}
        self._closures: dict[tuple[str, str, str], Closure] = {}

    def pause_customer(self, org_id: str, connection_id: str, customer_id: str, until: dt.datetime | None) -> None:
        with self._lock:
            self._pauses[(org_id, "CUST", connection_id, customer_id)] = until

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
        with self._lock:
            self._pauses[(org_id, "INV", connection_id, invoice_id)] = until
            self._notes[(org_id, connection_id, invoice_id)] = (note, why or Note("invoice_paused"))

    def pause_notes(self, org_id: str, now: dt.datetime) -> dict[tuple[str, str], tuple[str, Note]]:
        found = {}
        with self._lock:
            for (org, connection_id, invoice_id), (note, why) in self._notes.items():
                until = self._pauses.get((org, "INV", connection_id, invoice_id), now)
                if org == org_id and note and (until is None or until > now):
                    found[(connection_id, invoice_id)] = (note, why)
        return found

    def active(self, org_id: str, now: dt.datetime) -> tuple[frozenset[tuple[str, str]], frozenset[tuple[str, str]]]:
        customers: set[tuple[str, str]] = set()
        invoices: set[tuple[str, str]] = set()
        with self._lock:
            for (org, kind, connection_id, vendor_id), until in self._pauses.items():
                if org != org_id or (until is not None and until <= now):
                    continue
                (customers if kind == "CUST" else invoices).add((connection_id, vendor_id))
        return frozenset(customers), frozenset(invoices)

    def pause_phone(self, org_id: str, phone: str, until: dt.datetime, note: str) -> None:
        with self._lock:
            current = self._phones.get((org_id, phone))
            if current is None or current[0] < until:
                self._phones[(org_id, phone)] = (until, note)

    def paused_phones(self, org_id: str, phones: Iterable[str], now: dt.datetime) -> frozenset[str]:
        with self._lock:
            return frozenset(p for p in phones if (org_id, p) in self._phones and self._phones[(org_id, p)][0] > now)

    def phone_pause(self, org_id: str, phone: str) -> tuple[dt.datetime, str] | None:
        """(until, note) of a phone's pause, expired or not (tests look at it)."""
        with self._lock:
            return self._phones.get((org_id, phone))

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
        with self._lock:
            self._closures[(org_id, connection_id, invoice_id)] = Closure(status, source, at, _ttl(at + keep_for))

    def reopen_invoice(self, org_id: str, connection_id: str, invoice_id: str) -> None:
        with self._lock:
            self._closures.pop((org_id, connection_id, invoice_id), None)

    def closed_invoices(
        self, org_id: str, keys: Iterable[tuple[str, str]], now: dt.datetime
    ) -> dict[tuple[str, str], str]:
        result = {}
        with self._lock:
            for connection_id, invoice_id in set(keys):
                closure = self._closures.get((org_id, connection_id, invoice_id))
                if closure is not None and closure.expires_at > now:
                    result[(connection_id, invoice_id)] = closure.status
        return result


# -- the send ledger ------------------------------------------------------------------------------------------------


@dataclass(slots=True, kw_only=True)
class _MessageRow:
    """What `MessageRecord` keeps; `messages` hands out `MessageEntry`s, as DynamoDB's repository does."""

    sk: str
    state: str
    connection_id: str
    ledger_sks: list[str]
    template: str
    language: str
    claimed_at: dt.datetime
    sent_at: dt.datetime | None = None
    wamid: str | None = None
    delivery: str | None = None
    delivery_at: dt.datetime | None = None
    pricing_category: str | None = None
    error_code: int | None = None
    error_title: str | None = None
    accepted_status: str | None = None
    wa_id: str | None = None
    body_params: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True, kw_only=True)
class _LedgerRow:
    """What `LedgerRecord` keeps; `entries` hands out `LedgerEntry`s."""

    sk: str
    state: str
    message_sk: str
    claimed_at: dt.datetime
    sent_at: dt.datetime | None = None
    wamid: str | None = None
    delivery: str | None = None
    error_code: int | None = None
    error_title: str | None = None


@dataclass(frozen=True, slots=True)
class _Parked:
    org_id: str
    update: DeliveryStatus
    expires_at: dt.datetime


class MemorySendLedger:
    """`DynamoSendLedger` in memory: claims all or nothing, statuses never backwards, parked statuses."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._messages: dict[tuple[str, str], _MessageRow] = {}
        self._ledger: dict[tuple[str, str], _LedgerRow] = {}  # (org, "LEDGER#<key>")
        self._pointers: dict[str, tuple[str, str, dt.datetime]] = {}  # wamid -> (org, msg_sk, expires_at)
        self._parked: dict[str, dict[str, _Parked]] = {}  # wamid -> status -> parked
        self._aliases: dict[tuple[str, str], str] = {}  # (org, phone Meta resolved to) -> the number messaged

    def recipient(self, message_key: str) -> str | None:
        return recipient_of(message_key)

    def states(self, org_id: str, ledger_keys: Iterable[str]) -> dict[str, LedgerState]:
        with self._lock:
            rows = {k: self._ledger.get((org_id, f"LEDGER#{k}")) for k in set(ledger_keys)}
            return {k: LedgerState(r.state) for k, r in rows.items() if r is not None}

    def phones_messaged_on(self, org_id: str, local_date: dt.date, phones: Iterable[str]) -> frozenset[str]:
        with self._lock:
            rows = {p: self._messages.get((org_id, message_key(local_date, p))) for p in set(phones)}
            return frozenset(p for p, row in rows.items() if row is not None and row.state != LedgerState.FAILED.value)

    def recipients_since(self, org_id: str, local_dates: Iterable[dt.date], since: dt.datetime) -> frozenset[str]:
        prefixes = tuple(f"MSG#{d.isoformat()}#" for d in set(local_dates))
        with self._lock:
            return frozenset(
                row.sk.rsplit("#", 1)[1]
                for (org, sk), row in self._messages.items()
                if org == org_id
                and sk.startswith(prefixes)
                and row.state != LedgerState.FAILED.value
                and row.claimed_at >= since
            )

    def claim(
        self,
        org_id: str,
        message: OutgoingMessage,
        local_date: dt.date,
        at: dt.datetime,
        *,
        body_params: Mapping[str, str] | None = None,
    ) -> str | None:
        msg_sk = message_key(local_date, message.phone)
        ledger_sks = [f"LEDGER#{r.ledger_key}" for r in message.reminders]
        connection_id = message.reminders[0].invoice.connection_id
        if len(set(ledger_sks)) != len(ledger_sks):  # DynamoDB: one transaction may not touch an item twice
            raise ValueError("a message names the same reminder twice")
        with self._lock:
            day = self._messages.get((org_id, msg_sk))
            taken = day is not None and day.state != LedgerState.FAILED.value  # a refusal for good frees the day
            if taken or any((org_id, sk) in self._ledger for sk in ledger_sks):
                return None
            self._messages[(org_id, msg_sk)] = _MessageRow(
                sk=msg_sk,
                state=LedgerState.CLAIMED.value,
                connection_id=connection_id,
                ledger_sks=ledger_sks,
                template=message.template.name,
                language=message.template.language,
                claimed_at=at,
                body_params=tuple((body_params or {}).items()),
            )
            for sk in ledger_sks:
                self._ledger[(org_id, sk)] = _LedgerRow(
                    sk=sk, state=LedgerState.CLAIMED.value, message_sk=msg_sk, claimed_at=at
                )
        return msg_sk

    def record_sent(
        self,
        org_id: str,
        msg_sk: str,
        wamid: str,
        at: dt.datetime,
        *,
        accepted_status: str = "accepted",
        wa_id: str = "",
    ) -> None:
        with self._lock:
            held = accepted_status != "accepted"  # held back by Meta: claimed (never re-sent) until a status says
            self._complete(org_id, msg_sk, state=LedgerState.CLAIMED if held else LedgerState.SENT, wamid=wamid, at=at)
            message = self._messages.get((org_id, msg_sk))
            if message is not None:
                message.accepted_status = accepted_status
                other = "".join(ch for ch in wa_id if ch.isdigit())
                message.wa_id = other if other and f"+{other}" != recipient_of(msg_sk) else None
                if message.wa_id:
                    self._aliases[(org_id, f"+{message.wa_id}")] = recipient_of(msg_sk) or ""
            self._point(org_id, msg_sk, wamid, at)
            self.apply_parked(wamid, org_id, msg_sk)

    def numbers_known_as(self, org_id: str, phones: Iterable[str]) -> dict[str, str]:
        with self._lock:
            return {p: self._aliases[(org_id, p)] for p in set(phones) if self._aliases.get((org_id, p))}

    def record_failed(self, org_id: str, msg_sk: str, code: int | None, title: str, at: dt.datetime) -> None:
        with self._lock:
            self._complete(org_id, msg_sk, state=LedgerState.FAILED, error=(code, title), at=at)

    def release(self, org_id: str, msg_sk: str) -> None:
        """Free a claim whose send was refused for now; refused (nothing deleted) once anything completed it."""
        with self._lock:
            message = self._messages.get((org_id, msg_sk))
            if message is None:
                return
            rows = [self._ledger.get((org_id, sk)) for sk in message.ledger_sks]
            if message.state != LedgerState.CLAIMED.value or any(
                r is None or r.state != LedgerState.CLAIMED.value for r in rows
            ):
                return  # something completed it meanwhile (a status webhook): nothing to free
            for sk in message.ledger_sks:
                del self._ledger[(org_id, sk)]
            del self._messages[(org_id, msg_sk)]

    def apply_status(self, update: DeliveryStatus) -> bool:
        with self._lock:
            message = self._messages.get((update.org_id, update.message_key))
            if message is None:
                return False
            if message.state == LedgerState.CLAIMED.value:
                self._complete(
                    update.org_id, update.message_key, state=LedgerState.SENT, wamid=update.wamid, at=update.at
                )
                self._point(update.org_id, update.message_key, update.wamid, update.at)
            if update.status not in _DELIVERY_RANK:
                return True
            if _newer(message.delivery, update.status):
                message.delivery = update.status
                message.delivery_at = update.at
                if update.pricing_category:
                    message.pricing_category = update.pricing_category
                if update.error_code is not None:
                    message.error_code = update.error_code
                    message.error_title = update.error_title or ""
            for sk in message.ledger_sks:
                row = self._ledger.get((update.org_id, sk))
                if row is not None and _newer(row.delivery, update.status):
                    row.delivery = update.status
                    if update.error_code is not None:
                        row.error_code = update.error_code
                        row.error_title = update.error_title or ""
            return True

    def apply_statuses(self, updates: Sequence[DeliveryStatus]) -> int:
        with self._lock:
            return sum(int(self.apply_status(update)) for update in updates)

    def locate(self, wamids: Iterable[str]) -> dict[str, tuple[str, str]]:
        with self._lock:
            return {w: self._pointers[w][:2] for w in set(wamids) if w in self._pointers}

    def park(self, org_id: str, updates: Sequence[DeliveryStatus]) -> None:
        with self._lock:
            for update in updates:
                self._parked.setdefault(update.wamid, {})[update.status] = _Parked(
                    org_id, update, update.at + _PARKED_LIFETIME
                )

    def apply_parked(self, wamid: str, org_id: str, msg_sk: str) -> int:
        applied = 0
        with self._lock:
            parked = self._parked.get(wamid, {})
            for status in sorted(parked):  # DynamoDB's query order: STATUS#delivered < STATUS#failed < ...
                item = parked[status]
                if item.org_id != org_id:
                    continue  # parked by another organisation's number: never applied to this one's message
                update = dataclasses.replace(item.update, org_id=org_id, message_key=msg_sk, wamid=wamid)
                applied += int(self.apply_status(update))
        return applied

    # -- what the dashboard (and tests) read --

    def entries(self, org_id: str) -> list[LedgerEntry]:
        with self._lock:
            return [_ledger_entry(r) for (o, _), r in sorted(self._ledger.items()) if o == org_id]

    def messages(self, org_id: str, *, since: dt.date | None = None) -> list[MessageEntry]:
        with self._lock:
            found = [_message_entry(m) for (o, _), m in sorted(self._messages.items()) if o == org_id]
        return [m for m in found if since is None or m.local_date >= since]

    def any_delivered(self, org_id: str) -> bool:
        return any(m.delivery in ("delivered", "read") for m in self.messages(org_id))

    def message_entry(self, org_id: str, message_key: str) -> MessageEntry | None:
        with self._lock:
            row = self._messages.get((org_id, message_key))
            return _message_entry(row) if row is not None else None

    def _point(self, org_id: str, msg_sk: str, wamid: str, at: dt.datetime) -> None:
        self._pointers[wamid] = (org_id, msg_sk, at + _POINTER_LIFETIME)

    def _complete(
        self,
        org_id: str,
        msg_sk: str,
        *,
        state: LedgerState,
        at: dt.datetime,
        wamid: str | None = None,
        error: tuple[int | None, str] | None = None,
    ) -> None:
        message = self._messages.get((org_id, msg_sk))
        if message is None:
            return
        rows: list[_MessageRow | _LedgerRow] = [message]
        rows += [r for r in (self._ledger.get((org_id, sk)) for sk in message.ledger_sks) if r is not None]
        for row in rows:
            row.state = state.value
            if wamid is not None:
                row.wamid, row.sent_at = wamid, at
            if error is not None:
                row.error_title = error[1]
                if error[0] is not None:
                    row.error_code = error[0]


def _ledger_entry(row: _LedgerRow) -> LedgerEntry:
    connection_id, invoice_id, stage = row.sk.removeprefix("LEDGER#").rsplit("#", 2)
    return LedgerEntry(
        connection_id=connection_id,
        invoice_id=invoice_id,
        stage=stage,
        state=LedgerState(row.state),
        message_key=row.message_sk,
        claimed_at=row.claimed_at,
        sent_at=row.sent_at,
        wamid=row.wamid,
        delivery=row.delivery,
        error_code=row.error_code,
        error_title=row.error_title,
    )


def _message_entry(row: _MessageRow) -> MessageEntry:
    _, local_date, phone = row.sk.split("#", 2)
    return MessageEntry(
        message_key=row.sk,
        phone=phone,
        local_date=dt.date.fromisoformat(local_date),
        state=LedgerState(row.state),
        connection_id=row.connection_id,
        ledger_keys=tuple(sk.removeprefix("LEDGER#") for sk in row.ledger_sks),
        template=row.template,
        language=row.language,
        claimed_at=row.claimed_at,
        sent_at=row.sent_at,
        wamid=row.wamid,
        delivery=row.delivery,
        delivery_at=row.delivery_at,
        pricing_category=row.pricing_category,
        error_code=row.error_code,
        error_title=row.error_title,
        accepted_status=row.accepted_status,
        wa_id=row.wa_id,
        body_params=row.body_params,
    )


def _now(clock: Clock | None) -> dt.datetime:
    return clock.now() if clock is not None else dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _newer(current: str | None, status: str) -> bool:
    return current is None or _DELIVERY_RANK.get(current, 0) < _DELIVERY_RANK[status]


# -- decisions and payment links ------------------------------------------------------------------------------------


class MemoryDecisionLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._views: dict[tuple[str, str], InvoiceView] = {}  # (org, "<connection>#<invoice>"): DynamoDB's order

    def save_decisions(self, org_id: str, decisions: Sequence[Decision], at: dt.datetime) -> None:
        with self._lock:
            for d in decisions:
                inv = d.invoice
                self._views[(org_id, f"{inv.connection_id}#{inv.invoice_id}")] = InvoiceView(
                    connection_id=inv.connection_id,
                    invoice_id=inv.invoice_id,
                    number=inv.number,
                    customer_name=inv.customer_name,
                    due_date=inv.due_date,
                    amount_due=inv.amount_due,
                    reason=d.reason,
                    stage=d.stage.key if d.stage else None,
                    detail=d.detail,
                    decided_at=at,
                    note=d.note,
                )

    def save_closed(self, org_id: str, decisions: Sequence[Decision], at: dt.datetime) -> None:
        with self._lock:
            views = (self._views.get((org_id, f"{d.invoice.connection_id}#{d.invoice.invoice_id}")) for d in decisions)
            closed = [
                d
                if seen is None
                else dataclasses.replace(d, invoice=dataclasses.replace(d.invoice, amount_due=seen.amount_due))
                for d, seen in zip(decisions, views, strict=True)
            ]
        self.save_decisions(org_id, closed, at)

    def for_org(self, org_id: str) -> list[InvoiceView]:
        with self._lock:
            return [v for (o, _), v in sorted(self._views.items()) if o == org_id]


class MemoryPaymentLinks:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._links: dict[str, tuple[PaymentPage, dt.datetime]] = {}
        self._claims: dict[tuple[str, str], PaymentClaim] = {}

    def create(self, org_id: str, targets: Sequence[PaymentTarget], expires_at: dt.datetime, *, language: str) -> str:
        with self._lock:
            code = secrets.token_urlsafe(12)
            if code in self._links:
                raise AlreadyExists("payment link code taken")
            page = PaymentPage(org_id=org_id, language=language, targets=tuple(targets))
            self._links[code] = (page, _ttl(expires_at))
            return code

    def resolve(self, code: str, now: dt.datetime) -> PaymentPage | None:
        with self._lock:
            found = self._links.get(code)
        if found is None or found[1] <= now:
            return None
        page = found[0]
        # As DynamoDB stores it: a known url counts as looked up.
        targets = tuple(dataclasses.replace(t, looked_up=t.looked_up or t.url is not None) for t in page.targets)
        return dataclasses.replace(page, targets=targets)

    def remember(self, code: str, found: Mapping[str, str | None]) -> None:
        with self._lock:
            if code not in self._links or not found:
                return
            page, expires = self._links[code]
            targets = tuple(
                dataclasses.replace(t, url=found[t.invoice_id], looked_up=True) if t.invoice_id in found else t
                for t in page.targets
            )
            self._links[code] = (dataclasses.replace(page, targets=targets), expires)

    def record_claim(
        self, org_id: str, code: str, invoices: Sequence[PaymentTarget], at: dt.datetime, keep_for: dt.timedelta
    ) -> PaymentClaim:
        with self._lock:
            first = self._claims.get((org_id, code))
            if first is None:
                # As DynamoDB keeps them: the number, the ids and the terms, not the payment page.
                kept = tuple(
                    PaymentTarget(
                        number=t.number,
                        connection_id=t.connection_id,
                        invoice_id=t.invoice_id,
                        amount=t.amount,
                        due_date=t.due_date,
                    )
                    for t in invoices
                )
                first = PaymentClaim(org_id=org_id, code=code, claimed_at=at, invoices=kept)
                self._claims[(org_id, code)] = first  # TTL at + keep_for: like DynamoDB's, never checked on read
            return first

    def claim(self, org_id: str, code: str) -> PaymentClaim | None:
        with self._lock:
            return self._claims.get((org_id, code))

    def claims(self, org_id: str, limit: int = 20) -> list[PaymentClaim]:
        with self._lock:
            found = [c for (org, _), c in self._claims.items() if org == org_id]
        return sorted(found, key=lambda c: (c.claimed_at, c.code), reverse=True)[:limit]


class MemoryPaymentInstructions:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._instructions: dict[str, PaymentInstructions] = {}
        self._qris: dict[str, QrisImage] = {}

    def get(self, org_id: str) -> PaymentInstructions:
        with self._lock:
            return self._instructions.get(org_id) or PaymentInstructions()

    def save(self, org_id: str, instructions: PaymentInstructions) -> None:
        with self._lock:
            qris_type = (self._instructions.get(org_id) or PaymentInstructions()).qris_type
            self._instructions[org_id] = dataclasses.replace(instructions, qris_type=qris_type)

    def set_qris(self, org_id: str, image: QrisImage) -> None:
        with self._lock:
            self._qris[org_id] = image
            current = self._instructions.get(org_id) or PaymentInstructions()
            self._instructions[org_id] = dataclasses.replace(current, qris_type=image.content_type)

    def remove_qris(self, org_id: str) -> None:
        with self._lock:
            self._qris.pop(org_id, None)
            current = self._instructions.get(org_id) or PaymentInstructions()
            self._instructions[org_id] = dataclasses.replace(current, qris_type="")

    def qris(self, org_id: str) -> QrisImage | None:
        with self._lock:
            return self._qris.get(org_id)


# -- connections, leases, OAuth states ------------------------------------------------------------------------------


@dataclass(slots=True)
class _ConnectionRow:
    connection: Connection
    tokens: OAuthTokens | None
    version: int = 1
    last_cycle_at: dt.datetime | None = None
    last_cycle_summary: str = ""
    link: GrantLink = field(default_factory=GrantLink)


class MemoryConnectionRepository:
    """Connections with their tokens kept as values; every write bumps the version, as in DynamoDB. A connection of
    a grant reads the grant's one token set (and version), as in chalicelib/storage/connections.py."""

    def __init__(self, routes: MemoryRoutes | None = None, clock: Clock | None = None) -> None:
        self._lock = threading.Lock()
        self._rows: dict[tuple[str, str], _ConnectionRow] = {}
        self._grants: dict[tuple[str, str], tuple[OAuthTokens, int]] = {}
        self._routes = routes
        self._clock = clock

    def add(self, connection: Connection, tokens: OAuthTokens) -> None:
        with self._lock:
            key = (connection.org_id, connection.connection_id)
            if key in self._rows:
                raise AlreadyExists(f"connection {connection.connection_id} already exists")
            self._rows[key] = _ConnectionRow(connection, tokens)
        if self._routes is not None:
            at = _now(self._clock)
            self._routes.add_tenant(
                connection.provider, connection.tenant_id, connection.org_id, connection.connection_id, at
            )

    def get(self, org_id: str, connection_id: str) -> Connection:
        with self._lock:
            return self._row(org_id, connection_id).connection

    def active(self) -> list[Connection]:
        with self._lock:
            rows = sorted(self._rows.items())
            return [r.connection for _, r in rows if r.connection.status is ConnectionStatus.ACTIVE]

    def for_org(self, org_id: str) -> list[Connection]:
        with self._lock:
            return [r.connection for (o, _), r in sorted(self._rows.items()) if o == org_id]

    def health(self, org_id: str) -> list[ConnectionHealth]:
        with self._lock:
            rows = [r for (o, _), r in sorted(self._rows.items()) if o == org_id]
        return [
            ConnectionHealth(
                connection_id=r.connection.connection_id,
                provider=r.connection.provider,
                tenant_name=r.connection.tenant_name,
                status=r.connection.status.value,
                last_cycle_at=r.last_cycle_at,
                last_cycle_summary=r.last_cycle_summary,
            )
            for r in rows
        ]

    def load_tokens(self, org_id: str, connection_id: str) -> tuple[OAuthTokens, int]:
        with self._lock:
            row = self._row(org_id, connection_id)
            if row.link.grant_id:
                found = self._grants.get((org_id, row.link.grant_id))
                if found is None:
                    raise NotFound(f"connection {connection_id} has no tokens (its grant is gone)")
                return found
            if row.tokens is None:
                raise NotFound(f"connection {connection_id} has no tokens")
            return row.tokens, row.version

    def save_tokens(self, org_id: str, connection_id: str, tokens: OAuthTokens, *, expected_version: int) -> None:
        with self._lock:
            row = self._row(org_id, connection_id)
            if row.link.grant_id:
                self._save_grant(org_id, row.link.grant_id, tokens, expected_version)
                return
            if row.version != expected_version:
                raise TokenConflict(f"connection {connection_id} tokens changed meanwhile")
            row.tokens = tokens
            row.version += 1

    def grant_tokens(self, org_id: str, grant_id: str) -> tuple[OAuthTokens, int] | None:
        with self._lock:
            return self._grants.get((org_id, grant_id))

    def save_grant(self, org_id: str, grant_id: str, tokens: OAuthTokens, *, expected_version: int | None) -> None:
        with self._lock:
            self._save_grant(org_id, grant_id, tokens, expected_version)

    def _save_grant(self, org_id: str, grant_id: str, tokens: OAuthTokens, expected_version: int | None) -> None:
        current = self._grants.get((org_id, grant_id))
        if (current[1] if current else None) != expected_version:
            raise TokenConflict(f"grant {grant_id} tokens changed meanwhile")
        self._grants[(org_id, grant_id)] = (tokens, (expected_version or 0) + 1)

    def delete_grant(self, org_id: str, grant_id: str) -> None:
        with self._lock:
            self._grants.pop((org_id, grant_id), None)

    def link(self, org_id: str, connection_id: str) -> GrantLink:
        with self._lock:
            return self._row(org_id, connection_id).link

    def links(self, org_id: str) -> dict[str, GrantLink]:
        with self._lock:
            return {c: r.link for (o, c), r in sorted(self._rows.items()) if o == org_id}

    def attach(self, connection: Connection, link: GrantLink) -> None:
        key = (connection.org_id, connection.connection_id)
        with self._lock:
            row = self._rows.get(key)
            if row is None:
                self._rows[key] = _ConnectionRow(connection, None, link=link)
            else:
                profile = ("country", "currency", "timezone")
                known = {n: getattr(connection, n) for n in profile if getattr(connection, n)}
                row.connection = dataclasses.replace(
                    row.connection,
                    provider=connection.provider,
                    tenant_id=connection.tenant_id,
                    tenant_name=connection.tenant_name or row.connection.tenant_name,
                    status=connection.status,
                    **known,
                )
                row.tokens, row.link = None, link
                row.version += 1
        if row is None and self._routes is not None:
            at = _now(self._clock)
            self._routes.add_tenant(
                connection.provider, connection.tenant_id, connection.org_id, connection.connection_id, at
            )

    def set_link(self, org_id: str, connection_id: str, link: GrantLink) -> None:
        with self._lock:
            row = self._row(org_id, connection_id)
            row.link = link
            row.version += 1

    def set_status(self, org_id: str, connection_id: str, status: ConnectionStatus) -> None:
        with self._lock:
            row = self._row(org_id, connection_id)
            row.connection = dataclasses.replace(row.connection, status=status)
            row.version += 1

    def set_profile(self, org_id: str, connection_id: str, profile: CompanyProfile) -> None:
        with self._lock:
            row = self._row(org_id, connection_id)
            known = {name: getattr(profile, name) for name in ("country", "currency", "timezone")}
            row.connection = dataclasses.replace(row.connection, **{k: v for k, v in known.items() if v})
            row.version += 1

    def record_cycle(self, org_id: str, connection_id: str, at: dt.datetime, summary: str) -> None:
        with self._lock:
            row = self._row(org_id, connection_id)
            row.last_cycle_at, row.last_cycle_summary = at, summary
            row.version += 1

    def set_own_reminders(self, org_id: str, connection_id: str, enabled: bool | None, at: dt.datetime) -> None:
        with self._lock:
            row = self._row(org_id, connection_id)
            row.connection = dataclasses.replace(row.connection, own_reminders=enabled, own_reminders_checked_at=at)
            row.version += 1

    def version(self, org_id: str, connection_id: str) -> int | None:
        with self._lock:
            row = self._rows.get((org_id, connection_id))
            return row.version if row is not None else None

    def delete_tokens(self, org_id: str, connection_id: str) -> None:
        with self._lock:
            row = self._rows.get((org_id, connection_id))
            if row is None:
                return
            row.tokens = None
            row.version += 1

    def _row(self, org_id: str, connection_id: str) -> _ConnectionRow:
        row = self._rows.get((org_id, connection_id))
        if row is None:
            raise NotFound(f"connection {connection_id} not found")
        return row


class MemoryLeases:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._leases: dict[tuple[str, str], tuple[str, float]] = {}  # -> (owner, lease_until)

    def acquire(self, org_id: str, key: str, owner: str, *, now: float, seconds: float) -> bool:
        """Taken when nobody holds it or the holder's lease ran out (strictly before `now`), even by its owner."""
        with self._lock:
            current = self._leases.get((org_id, key))
            if current is not None and not current[1] < now:
                return False
            self._leases[(org_id, key)] = (owner, round(now + seconds, 3))
            return True

    def release(self, org_id: str, key: str, owner: str) -> None:
        with self._lock:
            current = self._leases.get((org_id, key))
            if current is not None and current[0] == owner:
                del self._leases[(org_id, key)]


@dataclass(slots=True)
class _PendingState:
    pending: PendingAuthorization
    not_after: int  # epoch seconds, truncated like DynamoDB's NumberAttribute of int(timestamp)
    used_at: int | None = None


class MemoryOAuthStates:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._states: dict[str, _PendingState] = {}

    def put(self, state: str, pending: PendingAuthorization, *, now: dt.datetime, ttl: dt.timedelta) -> None:
        with self._lock:
            if state in self._states:
                raise AlreadyExists("state already stored")
            self._states[state] = _PendingState(pending, int((now + ttl).timestamp()))

    def consume(self, state: str, *, user_sub: str, provider: str, now: dt.datetime) -> PendingAuthorization:
        """Same order of checks as DynamoDB: unknown, whose, used (marking it used), then expired."""
        with self._lock:
            record = self._states.get(state)
            if record is None:
                raise StateInvalid("unknown or already used state", kind="missing")
            if record.pending.user_sub != user_sub or record.pending.provider != provider:
                raise StateInvalid("state belongs to another sign-in or provider", kind="wrong_user")
            if record.used_at is not None:
                raise StateInvalid("state already used", kind="replayed")
            record.used_at = int(now.timestamp())
        if now.timestamp() > float(record.not_after):
            raise StateInvalid("state expired", kind="expired")
        return record.pending


# -- incremental-sync snapshots -------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Cursor:
    cursor: dt.datetime | None = None
    full_sweep_at: dt.datetime | None = None
    version: int = 0


class MemorySnapshotStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._invoices: dict[tuple[str, str], dict[str, Invoice]] = {}
        self._customers: dict[tuple[str, str], dict[str, Customer]] = {}
        self._cursors: dict[tuple[str, str], _Cursor] = {}
        self.expiry: dict[tuple[str, str], dt.datetime | None] = {}  # retain_until: (org, connection) -> until

    def retain_until(self, org_id: str, connection_id: str, until: dt.datetime | None) -> None:
        with self._lock:
            self.expiry[(org_id, connection_id)] = until

    def load(self, org_id: str, connection_id: str) -> Snapshot:
        key = (org_id, connection_id)
        with self._lock:
            invoices = dict(self._invoices.get(key, {}))
            customers = dict(self._customers.get(key, {}))
            cursor = self._cursors.get(key)
            if cursor is None:
                return Snapshot(invoices=invoices, customers=customers)
            return Snapshot(
                invoices=invoices,
                customers=customers,
                cursor=cursor.cursor,
                full_sweep_at=cursor.full_sweep_at,
                version=cursor.version,
            )

    def save(self, org_id: str, connection_id: str, change: SnapshotChange, *, expected_version: int | None) -> bool:
        key = (org_id, connection_id)
        invoice_ids = [i.invoice_id for i in change.put_invoices] + sorted(change.delete_invoice_ids)
        customer_ids = [c.customer_id for c in change.put_customers] + sorted(change.delete_customer_ids)
        if len(set(invoice_ids)) != len(invoice_ids) or len(set(customer_ids)) != len(customer_ids):
            raise ValueError("one save names an item twice")  # DynamoDB's BatchWriteItem refuses duplicate keys
        with self._lock:
            invoices = self._invoices.setdefault(key, {})
            customers = self._customers.setdefault(key, {})
            for invoice_id in change.delete_invoice_ids:
                invoices.pop(invoice_id, None)
            invoices.update((i.invoice_id, i) for i in change.put_invoices)
            for customer_id in change.delete_customer_ids:
                customers.pop(customer_id, None)
            customers.update((c.customer_id, c) for c in change.put_customers)
            if expected_version is None or (change.cursor is None and change.full_sweep_at is None):
                return True
            cursor = self._cursors.get(key, _Cursor())
            if cursor.version != expected_version:
                return False
            self._cursors[key] = _Cursor(
                cursor=change.cursor if change.cursor is not None else cursor.cursor,
                full_sweep_at=change.full_sweep_at if change.full_sweep_at is not None else cursor.full_sweep_at,
                version=cursor.version + 1,
            )
            return True


# -- what webhooks read and write -----------------------------------------------------------------------------------


class MemoryRoutes:
    """`DynamoRoutes`: each route remembers whether its organisation proved it (`MemoryOrganisations.set_whatsapp`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._phones: dict[str, tuple[str, bool]] = {}  # number -> (org, proven)
        self._wabas: dict[str, dict[str, bool]] = {}  # WABA -> {org: proven}
        self._tenants: dict[tuple[str, str], set[tuple[str, str]]] = {}

    def claim_phone_number(self, phone_number_id: str, org_id: str, at: dt.datetime) -> bool:
        with self._lock:
            owner, _ = self._phones.setdefault(phone_number_id, (org_id, False))
            return owner == org_id

    def add_business_account(self, waba_id: str, org_id: str, at: dt.datetime) -> None:
        with self._lock:
            self._wabas.setdefault(waba_id, {}).setdefault(org_id, False)

    def claim_proven(self, org_id: str, number: VerifiedWhatsAppNumber, *, old_number: str, old_waba: str) -> bool:
        """The proven claims of `set_whatsapp`, releasing the organisation's old ones; False if another organisation
        proved the number."""
        with self._lock:
            owner, proven = self._phones.get(number.phone_number_id, (org_id, False))
            if owner != org_id and proven:
                return False
            self._phones[number.phone_number_id] = (org_id, True)
            self._wabas.setdefault(number.business_account_id, {})[org_id] = True
            if old_number and old_number != number.phone_number_id and self._phones.get(old_number, ("",))[0] == org_id:
                del self._phones[old_number]
            if old_waba and old_waba != number.business_account_id:
                self._wabas.get(old_waba, {}).pop(org_id, None)
            return True

    def release(self, org_id: str, number: str, waba: str) -> None:
        """The organisation's routes for its removed WhatsApp number and account."""
        with self._lock:
            if number and self._phones.get(number, ("",))[0] == org_id:
                del self._phones[number]
            if waba:
                self._wabas.get(waba, {}).pop(org_id, None)

    def add_tenant(self, provider: str, tenant_id: str, org_id: str, connection_id: str, at: dt.datetime) -> None:
        with self._lock:
            self._tenants.setdefault((provider, tenant_id), set()).add((org_id, connection_id))

    def org_for_phone_number(self, phone_number_id: str) -> str | None:
        with self._lock:
            route = self._phones.get(phone_number_id)
            return route[0] if route else None

    def orgs_for_business_account(self, waba_id: str) -> list[str]:
        with self._lock:
            routes = self._wabas.get(waba_id, {})
            return sorted(org for org, proven in routes.items() if proven) or sorted(routes)

    def connections_for_tenant(self, provider: str, tenant_id: str) -> list[ConnectionRoute]:
        with self._lock:
            pairs = sorted(self._tenants.get((provider, tenant_id), set()), key=lambda p: f"{p[0]}#{p[1]}")
        return [ConnectionRoute(org_id, connection_id) for org_id, connection_id in pairs]


class MemoryWebhookInbox:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._expires: dict[str, dt.datetime] = {}

    def seen(self, keys: Iterable[str], now: dt.datetime) -> frozenset[str]:
        with self._lock:
            return frozenset(k for k in set(keys) if k in self._expires and self._expires[k] > now)

    def mark(self, keys: Iterable[str], now: dt.datetime, keep_for: dt.timedelta) -> None:
        with self._lock:
            for key in set(keys):
                self._expires[key] = _ttl(now + keep_for)


class MemoryReplies:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._replies: dict[tuple[str, str], tuple[StoredReply, str]] = {}

    def save(self, reply: StoredReply, phone_number_id: str) -> None:
        with self._lock:
            sk = f"REPLY#{reply.received_at.isoformat()}#{reply.message_id}"
            self._replies[(reply.org_id, sk)] = (reply, phone_number_id)

    def for_org(self, org_id: str, limit: int = 200) -> list[StoredReply]:
        with self._lock:
            mine = sorted(((sk, r) for (o, sk), (r, _) in self._replies.items() if o == org_id), reverse=True)
        return [r for _, r in mine[:limit]]


class MemoryOneTimeClaims:
    """At most once per (organisation, what) until released or expired."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._claims: dict[tuple[str, str], tuple[dt.datetime, str, dt.datetime]] = {}

    def claim(self, org_id: str, what: str, at: dt.datetime, keep_for: dt.timedelta, detail: str = "") -> bool:
        with self._lock:
            current = self._claims.get((org_id, what))
            if current is not None and current[2] >= at:
                return False
            self._claims[(org_id, what)] = (at, detail, _ttl(at + keep_for))
            return True

    def put(self, org_id: str, what: str, at: dt.datetime, keep_for: dt.timedelta, detail: str = "") -> None:
        with self._lock:
            self._claims[(org_id, what)] = (at, detail, _ttl(at + keep_for))

    def active(self, org_id: str, what: str, now: dt.datetime) -> bool:
        with self._lock:
            found = self._claims.get((org_id, what))
            return found is not None and found[2] > now

    def release(self, org_id: str, what: str) -> None:
        with self._lock:
            self._claims.pop((org_id, what), None)


class MemoryBsuids:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._phones: dict[tuple[str, str], str] = {}

    def remember(self, org_id: str, pairs: dict[str, str], at: dt.datetime) -> None:
        with self._lock:
            self._phones.update(((org_id, user_id), phone) for user_id, phone in pairs.items())

    def phone_for(self, org_id: str, user_id: str) -> str | None:
        with self._lock:
            return self._phones.get((org_id, user_id))


class MemoryTemplateRegistry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fields: dict[tuple[str, str, str], dict[str, object]] = {}

    def update(self, waba_id: str, name: str, language: str, *, group: str, values: dict[str, object], at: int) -> bool:
        if group not in _TEMPLATE_GROUPS:
            raise AttributeError(f"no template field group {group!r}")
        with self._lock:
            current = self._fields.setdefault((waba_id, name, language), {})
            stamp = current.get(f"{group}_at")
            if stamp is not None and _as_int(stamp) > at:
                return False
            current.update({k: v for k, v in values.items() if v is not None})
            current[f"{group}_at"] = at
            return True

    def states(self, waba_id: str) -> list[TemplateState]:
        with self._lock:
            rows = sorted(
                ((f"{n}#{lang}", n, lang, dict(f)) for (w, n, lang), f in self._fields.items() if w == waba_id),
            )
        return [
            TemplateState(
                name=name,
                language=language,
                status=_opt_str(f.get("status")),
                status_reason=str(f.get("status_reason") or ""),
                category=_opt_str(f.get("category")),
                pending_category=_opt_str(f.get("pending_category")) or None,
                pending_category_from=(
                    dt.datetime.fromtimestamp(_as_int(f["pending_category_from"]), dt.UTC)
                    if f.get("pending_category_from")
                    else None
                ),
                quality=_opt_str(f.get("quality")),
                status_at=dt.datetime.fromtimestamp(_as_int(f["status_at"]), dt.UTC) if f.get("status_at") else None,
            )
            for _, name, language, f in rows
        ]


class MemoryUsageCounter:
    """`DynamoUsageCounter` in memory: each wamid counted once; "unknown" moves to its category once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._marks: dict[tuple[str, str], Delivered] = {}
        self._counts: dict[tuple[str, str, str, bool], int] = {}

    def count_delivered(self, org_id: str, deliveries: Sequence[Delivered], at: dt.datetime) -> int:
        counted = 0
        with self._lock:
            for d in deliveries:
                mark = self._marks.get((org_id, d.wamid))
                if mark is None:
                    self._marks[(org_id, d.wamid)] = d
                    self._bump(org_id, d.month, d.category, d.paid, 1)
                    counted += 1
                elif mark.category == UNKNOWN and d.category != UNKNOWN:
                    self._bump(org_id, mark.month, UNKNOWN, mark.paid, -1)
                    self._bump(org_id, mark.month, d.category, d.paid, 1)
                    self._marks[(org_id, d.wamid)] = dataclasses.replace(d, month=mark.month)
        return counted

    def _bump(self, org_id: str, month: str, category: str, paid: bool, n: int) -> None:
        key = (org_id, month, category, paid)
        self._counts[key] = self._counts.get(key, 0) + n

    def month(self, org_id: str, month: str) -> MonthUsage:
        with self._lock:
            counts = [CategoryCount(c, p, n) for (o, m, c, p), n in self._counts.items() if o == org_id and m == month]
        return MonthUsage(month, merged(counts))


def _as_int(value: object) -> int:
    return int(value) if isinstance(value, int | float | str) else 0


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)


# -- organisations and queues ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Profile:
    settings: ReminderSettings
    phone_number_id: str | None = None
    business_account_id: str | None = None
    token: str | None = None  # None: no token stored (DynamoDB: no ciphertext)
    verified: VerifiedWhatsAppNumber | None = None
    quality_rating: str | None = None
    messaging_limit_tier: str | None = None
    throughput_level: str | None = None
    account_status: str | None = None


class MemoryOrganisations:
    """`DynamoOrganisationRepository` with the WhatsApp token kept as a value; `save` creates (as in DynamoDB)."""

    def __init__(self, routes: MemoryRoutes | None = None, clock: Clock | None = None) -> None:
        self._lock = threading.Lock()
        self._profiles: dict[str, _Profile] = {}
        self._routes = routes if routes is not None else MemoryRoutes()
        self._clock = clock

    def save(self, settings: ReminderSettings, whatsapp: WhatsAppAccount | None = None) -> None:
        with self._lock:
            if settings.org_id in self._profiles:
                raise AlreadyExists(f"organisation {settings.org_id} already exists")
            profile = _Profile(settings)
            if whatsapp is not None:
                profile.phone_number_id = whatsapp.phone_number_id
                profile.business_account_id = whatsapp.business_account_id
                profile.token = whatsapp.access_token
            self._profiles[settings.org_id] = profile
        if whatsapp is not None:
            at = _now(self._clock)
            self._routes.claim_phone_number(whatsapp.phone_number_id, settings.org_id, at)
            if whatsapp.business_account_id:
                self._routes.add_business_account(whatsapp.business_account_id, settings.org_id, at)

    def settings(self, org_id: str) -> ReminderSettings:
        return self._get(org_id).settings

    def whatsapp(self, org_id: str) -> WhatsAppAccount | None:
        profile = self._get(org_id)
        if not profile.phone_number_id or profile.token is None:
            return None
        return WhatsAppAccount(
            phone_number_id=profile.phone_number_id,
            business_account_id=profile.business_account_id or "",
            access_token=profile.token,
            messaging_limit_tier=profile.messaging_limit_tier,
            quality_rating=profile.quality_rating,
            throughput_level=profile.throughput_level,
        )

    def update_settings(self, settings: ReminderSettings) -> None:
        """The reminder settings and the country, keeping the WhatsApp number."""
        with self._lock:
            profile = self._get_locked(settings.org_id)
            profile.settings = settings

    def set_whatsapp(
        self,
        org_id: str,
        number: VerifiedWhatsAppNumber,
        *,
        token: str,
        quality_rating: str | None = None,
        messaging_limit_tier: str | None = None,
        throughput_level: str | None = None,
    ) -> None:
        """A number Meta confirmed: proven routes (taking over an unproven claim, releasing the old ones), then the
        profile; refused if another organisation proved the number."""
        if not token:
            raise ValueError("a verified number is stored with the token Meta accepted for it")
        with self._lock:
            profile = self._get_locked(org_id)
            old_number, old_waba = profile.phone_number_id or "", profile.business_account_id or ""
        if not self._routes.claim_proven(org_id, number, old_number=old_number, old_waba=old_waba):
            raise NumberTaken("this WhatsApp number is already used by another organisation")
        with self._lock:
            profile = self._get_locked(org_id)
            same_number = profile.phone_number_id == number.phone_number_id
            profile.phone_number_id, profile.business_account_id = number.phone_number_id, number.business_account_id
            profile.token, profile.verified = token, number
            if quality_rating is not None or not same_number:
                profile.quality_rating = quality_rating
            if messaging_limit_tier is not None or not same_number:
                profile.messaging_limit_tier = messaging_limit_tier
            if throughput_level is not None or not same_number:
                profile.throughput_level = throughput_level
            if not same_number:
                profile.account_status = None

    def remove_whatsapp(self, org_id: str) -> None:
        """`DynamoOrganisationRepository.remove_whatsapp`: the number, token and health go, and this organisation's
        routes for them (never another organisation's)."""
        with self._lock:
            profile = self._get_locked(org_id)
            number, waba = profile.phone_number_id or "", profile.business_account_id or ""
            profile.phone_number_id = profile.business_account_id = profile.token = None
            profile.verified = None
            profile.quality_rating = profile.messaging_limit_tier = profile.throughput_level = None
            profile.account_status = None
        self._routes.release(org_id, number, waba)

    def update_whatsapp_health(self, org_id: str, update: NumberHealthUpdate) -> bool:
        with self._lock:
            profile = self._get_locked(org_id)
            display = profile.verified.display_phone_number if profile.verified else None
            if not health_applies(profile.business_account_id, display, update):
                return False
            if update.quality_rating is not None:
                profile.quality_rating = update.quality_rating
            if update.messaging_limit_tier is not None:
                profile.messaging_limit_tier = update.messaging_limit_tier
            if update.throughput_level is not None:
                profile.throughput_level = update.throughput_level
            if update.account_status is not None:
                profile.account_status = update.account_status or None
            return True

    def whatsapp_summary(self, org_id: str) -> WhatsAppSummary:
        profile = self._get(org_id)
        verified = profile.verified
        return WhatsAppSummary(
            phone_number_id=profile.phone_number_id or "",
            business_account_id=profile.business_account_id or "",
            has_token=profile.token is not None,
            verified=verified is not None,
            display_phone_number=verified.display_phone_number if verified else "",
            verified_name=verified.verified_name if verified else "",
            quality_rating=profile.quality_rating or "",
            messaging_limit_tier=profile.messaging_limit_tier or "",
            account_status=profile.account_status or "",
        )

    def _get(self, org_id: str) -> _Profile:
        with self._lock:
            return dataclasses.replace(self._get_locked(org_id))

    def _get_locked(self, org_id: str) -> _Profile:
        found = self._profiles.get(org_id)
        if found is None:
            raise NotFound(f"organisation {org_id} not found")
        return found


class MemoryQueue:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.bodies: list[str] = []

    def send(self, bodies: Sequence[str]) -> None:
        with self._lock:
            self.bodies.extend(bodies)


class MemoryWhatsAppAlerts:
    """`DynamoWhatsAppAlerts`: open WhatsApp alerts per organisation, by key, the account's first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._alerts: dict[tuple[str, str], WhatsAppAlert] = {}

    def raise_alert(self, org_id: str, alert: WhatsAppAlert) -> None:
        with self._lock:
            self._alerts[(org_id, alert.key)] = alert

    def alerts(self, org_id: str) -> list[WhatsAppAlert]:
        with self._lock:
            return [a for (org, key), a in sorted(self._alerts.items()) if org == org_id]

    def clear(self, org_id: str, key: str) -> None:
        with self._lock:
            self._alerts.pop((org_id, key), None)


class MemoryAuditLog:
    """`DynamoAuditLog`: entries per organisation, newest first, filtered by kind and [since, until)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[AuditEntry] = []

    def record(
        self, org_id: str, kind: str, who: str, what: str, at: dt.datetime, *, words: Note | None = None
    ) -> None:
        line = audit_entry(org_id, kind, who, what, at, words=words)
        with self._lock:
            self._entries.append(line)

    def entries(
        self,
        org_id: str,
        kinds: Iterable[str] = (),
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        limit: int = 200,
    ) -> list[AuditEntry]:
        wanted = set(kinds)
        with self._lock:
            found = [
                e
                for e in self._entries
                if e.org_id == org_id
                and (not wanted or e.kind in wanted)
                and (since is None or e.at >= since)
                and (until is None or e.at < until)
            ]
        return sorted(found, key=lambda e: e.at, reverse=True)[: max(limit, 0)]


@dataclass
class MemoryStores:
    """One of each memory store, under the names of `chalicelib.container.Stores` (and the ports' usual names)."""

    clock: Clock | None = None
    routes: MemoryRoutes = field(default_factory=MemoryRoutes)
    consents: MemoryConsentRepository = field(default_factory=MemoryConsentRepository)
    preferences: MemoryMarketingPreferences = field(default_factory=MemoryMarketingPreferences)
    phone_flags: MemoryPhoneFlags = field(default_factory=MemoryPhoneFlags)
    holds: MemoryHolds = field(default_factory=MemoryHolds)
    ledger: MemorySendLedger = field(default_factory=MemorySendLedger)
    decisions: MemoryDecisionLog = field(default_factory=MemoryDecisionLog)
    payment_links: MemoryPaymentLinks = field(default_factory=MemoryPaymentLinks)
    payment_instructions: MemoryPaymentInstructions = field(default_factory=MemoryPaymentInstructions)
    leases: MemoryLeases = field(default_factory=MemoryLeases)
    oauth_states: MemoryOAuthStates = field(default_factory=MemoryOAuthStates)
    snapshots: MemorySnapshotStore = field(default_factory=MemorySnapshotStore)
    seen: MemoryWebhookInbox = field(default_factory=MemoryWebhookInbox)
    replies: MemoryReplies = field(default_factory=MemoryReplies)
    claims: MemoryOneTimeClaims = field(default_factory=MemoryOneTimeClaims)
    bsuids: MemoryBsuids = field(default_factory=MemoryBsuids)
    templates: MemoryTemplateRegistry = field(default_factory=MemoryTemplateRegistry)
    usage: MemoryUsageCounter = field(default_factory=MemoryUsageCounter)
    reminder_queue: MemoryQueue = field(default_factory=MemoryQueue)
    webhook_queue: MemoryQueue = field(default_factory=MemoryQueue)
    whatsapp_alerts: MemoryWhatsAppAlerts = field(default_factory=MemoryWhatsAppAlerts)
    audit: MemoryAuditLog = field(default_factory=MemoryAuditLog)
    connections: MemoryConnectionRepository = field(init=False)
    organisations: MemoryOrganisations = field(init=False)

    def __post_init__(self) -> None:
        self.connections = MemoryConnectionRepository(self.routes, self.clock)
        self.organisations = MemoryOrganisations(self.routes, self.clock)

    @property
    def decision_log(self) -> MemoryDecisionLog:
        return self.decisions
