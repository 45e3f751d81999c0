"""Delivery statuses from Meta's webhook (sent, delivered, read, failed) -> the send ledger and the invoice timeline.

The statuses come parsed (`adapters/meta_events.py`, into `domain.events.StatusEvent`). A status is matched to our
message by its tracker (`biz_opaque_callback_data`) first, then by its wamid; either way the organisation must be
the one that owns the receiving phone number, so a payload can never touch another organisation's ledger. A status
for a wamid we have not recorded yet is parked and lands when the send is recorded. The webhook worker hands over
every status of a whole body at once: the statuses of one message are merged (the furthest status wins, the pricing
category and error are kept), which is what the ledger's never-backwards rule would end with anyway, and the merged
updates go to the ledger in one bulk call (`SendLedger.apply_statuses`: batched reads, transactions of conditional
writes), so a body costs a few DynamoDB calls whatever the number of its statuses.

Delivered messages are also counted for the owner's costs (`UsageCounter`, docs/webhooks.md "Costs"): a body's
delivered messages in a batched read and a few conditional transactions, each message once whatever Meta redelivers
or reorders.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from chalicelib.domain.events import StatusEvent
from chalicelib.domain.pricing import UNKNOWN, Delivered, is_paid, month_of
from chalicelib.domain.tracking import DeliveryStatus, parse_tracker
from chalicelib.observability import logger, mask_phone
from chalicelib.ports import PhoneFlags, SendLedger, UsageCounter

_NOT_ON_WHATSAPP = 131026
_RANK = {"sent": 1, "delivered": 2, "read": 3, "failed": 4}
_DELIVERED = frozenset({"delivered", "read"})


@dataclass(slots=True)
class StatusOutcome:
    applied: int = 0  # messages whose ledger rows were updated
    parked: int = 0  # statuses for wamids not recorded yet
    refused: int = 0  # trackers naming another organisation


def apply_statuses(
    org_id: str,
    events: Sequence[StatusEvent],
    *,
    ledger: SendLedger,
    phone_flags: PhoneFlags,
    usage: UsageCounter | None = None,
    timezone: Callable[[], str] = lambda: "Asia/Jakarta",
) -> StatusOutcome:
    """Apply one organisation's statuses (already routed by phone number id and deduplicated).

    With `usage`, delivered messages are counted per month (in the organisation's `timezone`, asked only when a
    body has a delivered one) and pricing category: every message the number delivered, ours or not, as Meta bills.
    """
    if usage is not None:
        delivered = delivered_messages(events, timezone)
        if delivered:
            usage.count_delivered(org_id, delivered, max(e.at for e in events))
    outcome = StatusOutcome()
    bound: dict[str, DeliveryStatus] = {}
    unbound: list[StatusEvent] = []
    for event in events:
        target = _tracked_message(org_id, event, outcome)
        if target is None:
            unbound.append(event)
        else:
            bound[target] = _merge(bound.get(target), _bind(org_id, target, event))
    located = ledger.locate(e.wamid for e in unbound) if unbound else {}
    _park(org_id, [e for e in unbound if e.wamid not in located], ledger, outcome)
    for event in unbound:
        owner = located.get(event.wamid)
        if owner is None:
            continue
        if owner[0] != org_id:
            outcome.refused += 1
            logger.warning("status for another organisation's message ignored", extra={"wamid": event.wamid})
        else:
            bound[owner[1]] = _merge(bound.get(owner[1]), _bind(org_id, owner[1], event))
    outcome.applied += ledger.apply_statuses([*bound.values()]) if bound else 0
    _flag_unreachable(org_id, [*bound.values()], unbound, phone_flags, ledger)
    return outcome


def delivered_messages(events: Sequence[StatusEvent], timezone: Callable[[], str]) -> list[Delivered]:
    """One `Delivered` per message with a delivered or read status (read implies delivered, and Meta may skip
    delivered), priced by whichever of its statuses in this body carries the pricing block."""
    by_wamid: dict[str, list[StatusEvent]] = {}
    for event in events:
        by_wamid.setdefault(event.wamid, []).append(event)
    reached = {w: es for w, es in by_wamid.items() if any(e.status in _DELIVERED for e in es)}
    if not reached:
        return []
    zone = timezone()
    found = []
    for wamid, statuses in reached.items():
        priced = next((e for e in statuses if e.pricing_category), None)
        at = min(e.at for e in statuses if e.status in _DELIVERED)
        found.append(
            Delivered(
                wamid=wamid,
                month=month_of(at, zone),
                category=priced.pricing_category.lower() if priced and priced.pricing_category else UNKNOWN,
                paid=is_paid(priced.pricing_type, priced.billable) if priced else True,
            )
        )
    return found


def _tracked_message(org_id: str, event: StatusEvent, outcome: StatusOutcome) -> str | None:
    tracked = parse_tracker(event.tracker)
    if tracked is None:
        return None
    if tracked[0] != org_id:
        outcome.refused += 1
        logger.warning("tracker names another organisation than the phone number's; ignored")
        return None
    return tracked[1]


def _bind(org_id: str, msg_key: str, event: StatusEvent) -> DeliveryStatus:
    return DeliveryStatus(
        org_id=org_id,
        message_key=msg_key,
        wamid=event.wamid,
        status=event.status,
        at=event.at,
        recipient_id=event.recipient_id,
        error_code=event.error_code,
        error_title=event.error_title,
        pricing_category=event.pricing_category,
    )


def _merge(current: DeliveryStatus | None, new: DeliveryStatus) -> DeliveryStatus:
    """The furthest status of one message, keeping a pricing category and an error seen on any of them."""
    if current is None:
        return new
    best, other = (new, current) if _RANK.get(new.status, 0) > _RANK.get(current.status, 0) else (current, new)
    return dataclasses.replace(
        best,
        pricing_category=best.pricing_category or other.pricing_category,
        error_code=best.error_code if best.error_code is not None else other.error_code,
        error_title=best.error_title or other.error_title,
    )


def _park(org_id: str, events: Sequence[StatusEvent], ledger: SendLedger, outcome: StatusOutcome) -> None:
    unique = {(e.wamid, e.status): e for e in events}  # one item per (wamid, status): a batch holds no duplicates
    if not unique:
        return
    ledger.park(org_id, [_bind(org_id, "", e) for e in unique.values()])
    outcome.parked += len(events)
    # A send recorded between our lookup and the park would never see these: apply them now instead.
    for wamid, (owner, msg_key) in ledger.locate(e.wamid for e in events).items():
        if owner == org_id:
            ledger.apply_parked(wamid, org_id, msg_key)


def _flag_unreachable(
    org_id: str, bound: list[DeliveryStatus], unbound: list[StatusEvent], phone_flags: PhoneFlags, ledger: SendLedger
) -> None:
    """Meta's 131026 (not on WhatsApp): never try that number again."""
    failures = [(u.message_key, u.recipient_id, u.at, u.error_title) for u in bound if u.error_code == _NOT_ON_WHATSAPP]
    failures += [("", e.recipient_id, e.at, e.error_title) for e in unbound if e.error_code == _NOT_ON_WHATSAPP]
    flags: dict[str, tuple[dt.datetime, str]] = {}  # one write per phone (the last failure's, as before)
    for msg_key, recipient, at, title in failures:
        phone = (ledger.recipient(msg_key) if msg_key else None) or (f"+{recipient}" if recipient.isdigit() else "")
        if phone.startswith("+"):
            flags[phone] = (at, f"(#131026) {title or 'Message undeliverable'}")
    for phone, (at, detail) in flags.items():
        phone_flags.mark_not_on_whatsapp(org_id, phone, at, detail)
        logger.info("phone marked not on WhatsApp", extra={"phone": mask_phone(phone)})
