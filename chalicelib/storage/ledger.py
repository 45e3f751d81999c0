"""The send ledger: how Lunas guarantees at most one message per reminder and per customer phone per day.

Before a send, one DynamoDB transaction claims the day's message row for the phone (`MSG#<date>#<phone>`) and a
ledger row for every (connection, invoice, stage) it covers; the transaction fails as a whole if any of them exists,
so two workers, a redelivered SQS message or a second connection can never send the same thing twice. After Meta
accepts, the rows are completed with the wamid. If the worker dies in between, the rows stay `claimed` (never
re-sent blindly) until a status webhook, which echoes the message key in `biz_opaque_callback_data`, completes them.

Every recorded wamid also gets a pointer item (`WAMID#<wamid>` / `MSG`), so a status without our tracker can still be
matched. A status that arrives before its send was recorded at all is parked under the same key (`STATUS#<status>`)
and applied the moment `record_sent` writes the pointer.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.domain import retention
from chalicelib.domain.models import ACCEPTED, LedgerState, OutgoingMessage
from chalicelib.domain.records import LedgerEntry, MessageEntry
from chalicelib.domain.tracking import DeliveryStatus
from chalicelib.storage.dynamo import shared_connection
from chalicelib.storage.schema import (
    LedgerRecord,
    MessageRecord,
    ParkedStatusRecord,
    PhoneAliasRecord,
    WamidPointerRecord,
    org_pk,
)
from chalicelib.storage.writes import batch_get

_DELIVERY_RANK = {"sent": 1, "delivered": 2, "read": 3, "failed": 4}


_POINTER_LIFETIME = retention.WAMID_POINTER.keep_for or dt.timedelta(0)  # statuses keep coming (read: days later)


_PARKED_LIFETIME = retention.PARKED_STATUS.keep_for or dt.timedelta(0)  # Meta retries for 7 days


_TRANSACTION_ITEMS = 100  # DynamoDB's limit per TransactWriteItems
_TRANSACTION_ATTEMPTS = 3  # then each update is written on its own (still conditional)


def message_key(local_date: dt.date, phone: str) -> str:
    """The key of "the one message this phone gets on this local date" (also the tracker Meta echoes back)."""
    return f"MSG#{local_date.isoformat()}#{phone}"


def recipient_of(key: str) -> str | None:
    """The E.164 phone a message key was claimed for (the key names it), or None for a key we did not write."""
    kind, _, rest = key.partition("#")
    phone = rest.rpartition("#")[2]
    return phone if kind == "MSG" and phone.startswith("+") else None


class DynamoSendLedger:
    def _transaction(self) -> TransactWrite:
        return TransactWrite(connection=shared_connection())  # the table's one client (storage/dynamo.py)

    def recipient(self, message_key: str) -> str | None:
        return recipient_of(message_key)

    def states(self, org_id: str, ledger_keys: Iterable[str]) -> dict[str, LedgerState]:
        keys = [(org_pk(org_id), f"LEDGER#{k}") for k in sorted(set(ledger_keys))]
        return {r.sk.removeprefix("LEDGER#"): LedgerState(r.state) for r in batch_get(LedgerRecord, keys)}

    def phones_messaged_on(self, org_id: str, local_date: dt.date, phones: Iterable[str]) -> frozenset[str]:
        keys = [(org_pk(org_id), message_key(local_date, p)) for p in sorted(set(phones))]
        # A message Meta refused for good reached nobody: it does not use up the phone's one message of the day.
        rows = batch_get(MessageRecord, keys)
        return frozenset(r.sk.rsplit("#", 1)[1] for r in rows if r.state != LedgerState.FAILED.value)

    def claim(
        self,
        org_id: str,
        message: OutgoingMessage,
        local_date: dt.date,
        at: dt.datetime,
        *,
        body_params: Mapping[str, str] | None = None,
    ) -> str | None:
        """Claim the day's message for this phone and every reminder in it, atomically.

        Returns the message key, or None when any part was already claimed (by another worker, an earlier cycle
        or another connection). `body_params` (the template's parameters) are kept so the owner can read the text.
        """
        msg_sk = message_key(local_date, message.phone)
        ledger_sks = [f"LEDGER#{r.ledger_key}" for r in message.reminders]
        connection_id = message.reminders[0].invoice.connection_id
        try:
            with self._transaction() as tx:
                tx.save(
                    MessageRecord(
                        org_pk(org_id),
                        msg_sk,
                        state=LedgerState.CLAIMED.value,
                        connection_id=connection_id,
                        ledger_sks=ledger_sks,
                        template=message.template.name,
                        language=message.template.language,
                        claimed_at=at,
                        body_params=json.dumps(dict(body_params), ensure_ascii=False) if body_params else None,
                        expires_at=retention.DELIVERY.until(at),
                    ),
                    # a message refused for good reached nobody, so its phone-day may be claimed again
                    condition=MessageRecord.sk.does_not_exist() | (MessageRecord.state == LedgerState.FAILED.value),
                )
                for sk in ledger_sks:
                    tx.save(
                        LedgerRecord(
                            org_pk(org_id),
                            sk,
                            state=LedgerState.CLAIMED.value,
                            message_sk=msg_sk,
                            claimed_at=at,
                            expires_at=retention.DELIVERY.until(at),
                        ),
                        condition=LedgerRecord.sk.does_not_exist(),
                    )
        except TransactWriteError as exc:
            if exc.cause_response_code == "TransactionCanceledException":
                return None
            raise
        return msg_sk

    def record_sent(
        self, org_id: str, msg_sk: str, wamid: str, at: dt.datetime, *, accepted_status: str = ACCEPTED, wa_id: str = ""
    ) -> None:
        """Meta took the message: its wamid and Meta's answer are recorded. A message Meta holds back (template
        pacing: `accepted_status` other than accepted) stays claimed, so it is never re-sent, until a status webhook
        proves it went out (`apply_status` completes it then). `wa_id` is kept when Meta resolved the number to
        another WhatsApp id than the claimed phone's digits; statuses still find the message by tracker and wamid."""
        state = LedgerState.SENT if accepted_status == ACCEPTED else LedgerState.CLAIMED
        answer = (accepted_status, _other_wa_id(msg_sk, wa_id))
        self._complete(org_id, msg_sk, state=state, wamid=wamid, at=at, answer=answer)
        if answer[1]:  # rare (Meta resolved the number to another id): remember it, replies come from that id
            PhoneAliasRecord(
                org_pk(org_id),
                f"ALIAS#+{answer[1]}",
                phone=recipient_of(msg_sk) or "",
                expires_at=retention.PHONE_ALIAS.until(at),
            ).save()
        self._point(org_id, msg_sk, wamid, at)
        self.apply_parked(wamid, org_id, msg_sk)

    def locate(self, wamids: Iterable[str]) -> dict[str, tuple[str, str]]:
        """wamid -> (org_id, message key) for the wamids Lunas recorded."""
        keys = [(f"WAMID#{w}", "MSG") for w in sorted(set(wamids))]
        return {r.pk.removeprefix("WAMID#"): (r.org_id, r.message_sk) for r in batch_get(WamidPointerRecord, keys)}

    def park(self, org_id: str, updates: Sequence[DeliveryStatus]) -> None:
        """Keep statuses whose message is not recorded yet (batched); `record_sent` applies them when it is."""
        with ParkedStatusRecord.batch_write() as batch:
            for update in updates:
                batch.save(
                    ParkedStatusRecord(
                        f"WAMID#{update.wamid}",
                        f"STATUS#{update.status}",
                        org_id=org_id,
                        status=update.status,
                        at=update.at,
                        recipient_id=update.recipient_id,
                        error_code=update.error_code,
                        error_title=update.error_title,
                        pricing_category=update.pricing_category,
                        expires_at=update.at + _PARKED_LIFETIME,
                    )
                )

    def apply_parked(self, wamid: str, org_id: str, msg_sk: str) -> int:
        """Apply the statuses parked for this wamid by the same organisation's webhooks; returns how many."""
        updates = [
            DeliveryStatus(
                org_id=org_id,
                message_key=msg_sk,
                wamid=wamid,
                status=r.status,
                at=r.at,
                recipient_id=r.recipient_id,
                error_code=int(r.error_code) if r.error_code is not None else None,
                error_title=r.error_title,
                pricing_category=r.pricing_category,
            )
            for r in ParkedStatusRecord.query(f"WAMID#{wamid}", ParkedStatusRecord.sk.startswith("STATUS#"))
            if r.org_id == org_id  # parked by another organisation's number: never applied to this one's message
        ]
        return self.apply_statuses(updates) if updates else 0

    def _point(self, org_id: str, msg_sk: str, wamid: str, at: dt.datetime) -> None:
        WamidPointerRecord(
            f"WAMID#{wamid}", "MSG", org_id=org_id, message_sk=msg_sk, expires_at=at + _POINTER_LIFETIME
        ).save()

    def record_failed(self, org_id: str, msg_sk: str, code: int | None, title: str, at: dt.datetime) -> None:
        """Meta refused the message for good: keep the claims so the same reminder is not retried."""
        self._complete(org_id, msg_sk, state=LedgerState.FAILED, error=(code, title), at=at)

    def release(self, org_id: str, msg_sk: str) -> None:
        """Meta refused the message but trying later can help (throughput, 5xx): free the claims.

        Nothing happens when something already completed the message (a status webhook proved it was sent).
        """
        message = self._message(org_id, msg_sk)
        if message is None:
            return
        try:
            with self._transaction() as tx:
                for sk in message.ledger_sks:
                    condition = LedgerRecord.state == LedgerState.CLAIMED.value
                    tx.delete(LedgerRecord(org_pk(org_id), sk), condition=condition)
                tx.delete(message, condition=MessageRecord.state == LedgerState.CLAIMED.value)
        except TransactWriteError as exc:
            if exc.cause_response_code != "TransactionCanceledException":
                raise

    def apply_status(self, update: DeliveryStatus) -> bool:
        """Apply a delivery status; statuses never go backwards. Returns False if the message is unknown."""
        return self.apply_statuses([update]) == 1

    def apply_statuses(self, updates: Sequence[DeliveryStatus]) -> int:
        """Apply delivery statuses in bulk, exactly as `apply_status` one after another would; returns how many found
        their message.

        The messages are read with BatchGetItem; each message that moves forward is updated together with its
        reminders in TransactWriteItems of up to 100 items, every item still conditional on holding an older status
        (never backwards, even against a concurrent webhook). Several statuses of one message are applied in order,
        one round each (callers merge them first: `services/whatsapp_statuses.py`).
        """
        by_message: dict[tuple[str, str], list[DeliveryStatus]] = {}
        for update in updates:
            by_message.setdefault((update.org_id, update.message_key), []).append(update)
        found = 0
        for depth in range(max((len(u) for u in by_message.values()), default=0)):
            found += self._apply_round([u[depth] for u in by_message.values() if len(u) > depth])
        return found

    def _apply_round(self, updates: Sequence[DeliveryStatus]) -> int:
        """At most one status per message."""
        keys = sorted({(org_pk(u.org_id), u.message_key) for u in updates if u.message_key})
        messages = {(r.pk, r.sk): r for r in batch_get(MessageRecord, keys)}
        writes: list[list[_Write]] = []
        found = 0
        for update in updates:
            message = messages.get((org_pk(update.org_id), update.message_key))
            if message is None:
                continue
            found += 1
            if message.state == LedgerState.CLAIMED.value:
                # The worker died (or timed out) after Meta accepted: the webhook is our proof that it was sent.
                at = update.at
                self._complete(update.org_id, update.message_key, state=LedgerState.SENT, wamid=update.wamid, at=at)
                self._point(update.org_id, update.message_key, update.wamid, update.at)
            if update.status in _DELIVERY_RANK and _newer(message.delivery, update.status):
                writes.append(_delivery_writes(message, update))
        self._write_conditionally(writes)
        return found

    def _write_conditionally(self, groups: Sequence[list[_Write]]) -> None:
        """Conditional updates, a message with its reminders, in transactions of up to 100 items. An item whose
        condition fails already holds a status as far or further (a concurrent webhook): it is left out and the
        rest written again. What still does not go through is written one update at a time."""
        for chunk in _transactions(groups):
            pending = chunk
            for _ in range(_TRANSACTION_ATTEMPTS):
                try:
                    with self._transaction() as tx:
                        for write in pending:
                            tx.update(write.item, actions=write.actions, condition=write.condition)
                    pending = []
                except TransactWriteError as exc:
                    if exc.cause_response_code != "TransactionCanceledException":
                        raise
                    reasons = exc.cancellation_reasons
                    refused = {i for i, r in enumerate(reasons) if r is not None and r.code == "ConditionalCheckFailed"}
                    pending = [w for i, w in enumerate(pending) if i not in refused]
                if not pending:
                    break
            for write in pending:  # still refused (transaction conflicts): each on its own, as conditional
                _update_if_newer(write.item, write.actions, write.condition)

    def numbers_known_as(self, org_id: str, phones: Iterable[str]) -> dict[str, str]:
        """For each of these phones that is another WhatsApp id Meta resolved one of our numbers to: that number."""
        keys = [(org_pk(org_id), f"ALIAS#{p}") for p in sorted(set(phones))]
        return {r.sk.removeprefix("ALIAS#"): r.phone for r in batch_get(PhoneAliasRecord, keys) if r.phone}

    def entries(self, org_id: str) -> list[LedgerEntry]:
        """Every reminder the organisation's cycles claimed, by connection, invoice and stage."""
        return [_ledger_entry(r) for r in LedgerRecord.query(org_pk(org_id), LedgerRecord.sk.startswith("LEDGER#"))]

    def messages(self, org_id: str, *, since: dt.date | None = None) -> list[MessageEntry]:
        """Every message the organisation's cycles claimed, by local date and phone; with `since`, only the keys of
        local dates from that day on are read (the home page's month, the digest's day), not 18 months of them."""
        keys = (
            MessageRecord.sk.startswith("MSG#")
            if since is None
            else MessageRecord.sk.between(f"MSG#{since.isoformat()}", "MSG#\uffff")
        )
        return [_message_entry(r) for r in MessageRecord.query(org_pk(org_id), keys)]

    def any_delivered(self, org_id: str) -> bool:
        rows = MessageRecord.query(
            org_pk(org_id), MessageRecord.sk.startswith("MSG#"), attributes_to_get=["sk", "delivery"]
        )
        return any(r.delivery in ("delivered", "read") for r in rows)  # lazy pages: stops at the first

    def message_entry(self, org_id: str, message_key: str) -> MessageEntry | None:
        """One message by its key (a reply's context wamid -> `locate` -> here), or None."""
        record = self._message(org_id, message_key)
        return _message_entry(record) if record is not None else None

    def recipients_since(self, org_id: str, local_dates: Iterable[dt.date], since: dt.datetime) -> frozenset[str]:
        """The phones the organisation started a conversation with since `since` (Meta's messaging limit counts
        unique business-initiated recipients in a rolling 24 hours): one query per local date, keys and three small
        attributes only. A message Meta refused for good reached nobody and does not count."""
        phones: set[str] = set()
        for day in sorted(set(local_dates)):
            rows = MessageRecord.query(
                org_pk(org_id),
                MessageRecord.sk.startswith(f"MSG#{day.isoformat()}#"),
                attributes_to_get=["sk", "state", "claimed_at"],
            )
            phones.update(
                r.sk.rsplit("#", 1)[1] for r in rows if r.state != LedgerState.FAILED.value and r.claimed_at >= since
            )
        return frozenset(phones)

    def _message(self, org_id: str, msg_sk: str) -> MessageRecord | None:
        try:
            return MessageRecord.get(org_pk(org_id), msg_sk)
        except MessageRecord.DoesNotExist:
            return None

    def _complete(
        self,
        org_id: str,
        msg_sk: str,
        *,
        state: LedgerState,
        at: dt.datetime,
        wamid: str | None = None,
        error: tuple[int | None, str] | None = None,
        answer: tuple[str, str | None] | None = None,  # Meta's send answer: (message_status, another wa_id)
    ) -> None:
        message = self._message(org_id, msg_sk)
        if message is None:
            return
        common_msg: list[Action] = [MessageRecord.state.set(state.value)]
        if answer is not None:
            common_msg.append(MessageRecord.accepted_status.set(answer[0]))
            if answer[1]:
                common_msg.append(MessageRecord.wa_id.set(answer[1]))
        common_ledger: list[Action] = [LedgerRecord.state.set(state.value)]
        if wamid is not None:
            common_msg += [MessageRecord.wamid.set(wamid), MessageRecord.sent_at.set(at)]
            common_ledger += [LedgerRecord.wamid.set(wamid), LedgerRecord.sent_at.set(at)]
        if error is not None:
            code, title = error
            common_msg += [MessageRecord.error_title.set(title)]
            common_ledger += [LedgerRecord.error_title.set(title)]
            if code is not None:
                common_msg.append(MessageRecord.error_code.set(code))
                common_ledger.append(LedgerRecord.error_code.set(code))
        self._update_all(org_id, message, message.ledger_sks, common_msg, common_ledger)

    def _update_all(
        self,
        org_id: str,
        message: MessageRecord,
        ledger_sks: Sequence[str],
        msg_actions: list[Action],
        ledger_actions: list[Action],
    ) -> None:
        with self._transaction() as tx:
            tx.update(message, actions=msg_actions)
            for sk in ledger_sks:
                tx.update(LedgerRecord(org_pk(org_id), sk), actions=ledger_actions)


def _ledger_entry(record: LedgerRecord) -> LedgerEntry:
    connection_id, invoice_id, stage = record.sk.removeprefix("LEDGER#").rsplit("#", 2)
    return LedgerEntry(
        connection_id=connection_id,
        invoice_id=invoice_id,
        stage=stage,
        state=LedgerState(record.state),
        message_key=record.message_sk,
        claimed_at=record.claimed_at,
        sent_at=record.sent_at,
        wamid=record.wamid,
        delivery=record.delivery,
        error_code=_code(record.error_code),
        error_title=record.error_title,
    )


def _message_entry(record: MessageRecord) -> MessageEntry:
    _, local_date, phone = record.sk.split("#", 2)  # MSG#<local date>#<phone>
    return MessageEntry(
        message_key=record.sk,
        phone=phone,
        local_date=dt.date.fromisoformat(local_date),
        state=LedgerState(record.state),
        connection_id=record.connection_id,
        ledger_keys=tuple(sk.removeprefix("LEDGER#") for sk in record.ledger_sks or []),
        template=record.template,
        language=record.language,
        claimed_at=record.claimed_at,
        sent_at=record.sent_at,
        wamid=record.wamid,
        delivery=record.delivery,
        delivery_at=record.delivery_at,
        pricing_category=record.pricing_category,
        error_code=_code(record.error_code),
        error_title=record.error_title,
        accepted_status=record.accepted_status,
        wa_id=record.wa_id,
        body_params=tuple(json.loads(record.body_params).items()) if record.body_params else (),
    )


def _other_wa_id(msg_sk: str, wa_id: str) -> str | None:
    """Meta's `contacts[0].wa_id` when it is not the claimed phone's digits (e.g. a Brazilian mobile's extra 9)."""
    phone = recipient_of(msg_sk) or ""
    digits = "".join(ch for ch in wa_id if ch.isdigit())
    return digits if digits and digits != phone.removeprefix("+") else None


def _code(value: float | None) -> int | None:
    return int(value) if value is not None else None


@dataclass(frozen=True, slots=True)
class _Write:
    item: Model
    actions: list[Action]
    condition: Condition


def _newer(current: str | None, status: str) -> bool:
    return current is None or _DELIVERY_RANK.get(current, 0) < _DELIVERY_RANK[status]


def _only_over_older(delivery: Any, status: str) -> Condition:
    """A status is written only over an older one (read beats delivered beats sent), atomically, so concurrent or
    out-of-order webhooks can never move a message backwards."""
    older = [s for s, rank in _DELIVERY_RANK.items() if rank < _DELIVERY_RANK[status]]
    condition: Condition = delivery.does_not_exist()
    if older:
        condition = condition | delivery.is_in(*older)
    return condition


def _delivery_writes(message: MessageRecord, update: DeliveryStatus) -> list[_Write]:
    """The message's update and its reminders', each conditional on holding an older status."""
    msg_actions: list[Action] = [
        MessageRecord.delivery.set(update.status),
        MessageRecord.delivery_at.set(update.at),
    ]
    ledger_actions: list[Action] = [LedgerRecord.delivery.set(update.status)]
    if update.pricing_category:
        msg_actions.append(MessageRecord.pricing_category.set(update.pricing_category))
    if update.error_code is not None:
        title = update.error_title or ""
        msg_actions += [MessageRecord.error_code.set(update.error_code), MessageRecord.error_title.set(title)]
        ledger_actions += [LedgerRecord.error_code.set(update.error_code), LedgerRecord.error_title.set(title)]
    writes = [_Write(message, msg_actions, _only_over_older(MessageRecord.delivery, update.status))]
    for sk in message.ledger_sks or []:
        ledger = LedgerRecord(message.pk, sk)
        writes.append(_Write(ledger, ledger_actions, _only_over_older(LedgerRecord.delivery, update.status)))
    return writes


def _transactions(groups: Sequence[list[_Write]]) -> Iterator[list[_Write]]:
    """Groups packed into transactions of at most 100 items, a group (a message and its reminders) kept whole."""
    chunk: list[_Write] = []
    for group in groups:
        if chunk and len(chunk) + len(group) > _TRANSACTION_ITEMS:
            yield chunk
            chunk = []
        chunk.extend(group)
        while len(chunk) > _TRANSACTION_ITEMS:  # a statement of more than 99 invoices: split, still conditional
            yield chunk[:_TRANSACTION_ITEMS]
            chunk = chunk[_TRANSACTION_ITEMS:]
    if chunk:
        yield chunk


def _update_if_newer(item: Model, actions: list[Action], condition: Condition) -> None:
    try:
        item.update(actions=actions, condition=condition)
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
