"""Thank-you messages for paid invoices (`ORG#<org>` / `THANKS#<conn>#<invoice>`; domain/thanks.py).

One item per reminded invoice. Every change of state is a conditional write, so two workers (or a redelivered cycle)
can never both claim it, and a claimed item never goes back: a worker that died between sending and recording leaves
it claimed, and it is never sent again.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal

from pynamodb.exceptions import PutError, UpdateError
from pynamodb.expressions.update import Action

from chalicelib.domain import retention
from chalicelib.domain.models import Money
from chalicelib.domain.thanks import ThanksState, Watched
from chalicelib.storage.schema import ThanksRecord, org_pk
from chalicelib.storage.writes import conditional_failed


def _sk(connection_id: str, invoice_id: str) -> str:
    return f"THANKS#{connection_id}#{invoice_id}"


class DynamoThanks:
    def for_connection(self, org_id: str, connection_id: str) -> dict[tuple[str, str], Watched]:
        """Every thank-you item of one connection, by (connection_id, invoice_id)."""
        records = ThanksRecord.query(org_pk(org_id), ThanksRecord.sk.startswith(_sk(connection_id, "")))
        return {item.key: item for item in map(_to_domain, records)}

    def watch(self, org_id: str, items: Iterable[Watched], at: dt.datetime) -> None:
        """Start (or refresh) watching these open invoices; an item past watching is never overwritten."""
        for item in items:
            record = ThanksRecord(
                org_pk(org_id),
                _sk(item.connection_id, item.invoice_id),
                state=ThanksState.WATCHING.value,
                number=item.number,
                customer_id=item.customer_id,
                due_date=item.due_date.isoformat(),
                amount=str(item.amount.amount),
                currency=item.amount.currency,
                changed_at=at,
                expires_at=retention.DELIVERY.until(at),
            )
            condition = ThanksRecord.sk.does_not_exist() | (ThanksRecord.state == ThanksState.WATCHING.value)
            try:
                record.save(condition=condition)
            except PutError as exc:
                if not conditional_failed(exc):
                    raise

    def move(
        self,
        org_id: str,
        key: tuple[str, str],
        to: ThanksState,
        at: dt.datetime,
        *,
        reason: str = "",
        paid_at: dt.datetime | None = None,
        language: str | None = None,
        body_params: Mapping[str, str] | None = None,
    ) -> bool:
        """Move one item to `to`, only from a state that may lead there (`_FROM`); False when it had moved on."""
        actions: list[Action] = [
            ThanksRecord.state.set(to.value),
            ThanksRecord.reason.set(reason),
            ThanksRecord.changed_at.set(at),
        ]
        if paid_at is not None:
            actions.append(ThanksRecord.paid_at.set(paid_at))
        if language is not None:
            actions.append(ThanksRecord.language.set(language))
        if body_params is not None:
            actions.append(ThanksRecord.body_params.set(json.dumps(dict(body_params), ensure_ascii=False)))
        allowed = [s.value for s in _FROM[to]]
        try:
            ThanksRecord(org_pk(org_id), _sk(*key)).update(
                actions=actions, condition=ThanksRecord.state.is_in(*allowed)
            )
        except UpdateError as exc:
            if conditional_failed(exc):
                return False
            raise
        return True


# Which states each state may be reached from: nothing leaves CLAIMED but SENT (or NOT_SENT: Meta refused it).
_FROM: dict[ThanksState, tuple[ThanksState, ...]] = {
    ThanksState.DUE: (ThanksState.WATCHING, ThanksState.DUE, ThanksState.CLAIMED),  # CLAIMED: Meta said try later
    ThanksState.NOT_PAID: (ThanksState.WATCHING,),
    ThanksState.NOT_SENT: (ThanksState.WATCHING, ThanksState.DUE, ThanksState.CLAIMED),
    ThanksState.CLAIMED: (ThanksState.WATCHING, ThanksState.DUE),
    ThanksState.SENT: (ThanksState.CLAIMED,),
    ThanksState.WATCHING: (ThanksState.WATCHING,),
}


def _to_domain(record: ThanksRecord) -> Watched:
    connection_id, invoice_id = record.sk.removeprefix("THANKS#").rsplit("#", 1)
    return Watched(
        connection_id=connection_id,
        invoice_id=invoice_id,
        number=record.number,
        customer_id=record.customer_id,
        due_date=dt.date.fromisoformat(record.due_date),
        amount=Money(Decimal(record.amount), record.currency),
        state=ThanksState(record.state),
        reason=record.reason or "",
        paid_at=record.paid_at,
        changed_at=record.changed_at,
    )
