"""Meta's WhatsApp webhook payloads -> typed events (`chalicelib.domain.events`). Pure: no I/O, no SDK.

One POST carries `entry[]` -> `changes[]` (`field`, `value`); a `messages` change holds delivery `statuses[]` and
customers' `messages[]` (with `contacts[]`), a `user_preferences` change marketing preferences, and the template
fields a template's status, category or quality; the account fields (`account_update`,
`phone_number_quality_update`, `business_capability_update`) the number's health. Every item is read defensively:
anything malformed is skipped, a missing or unreadable timestamp becomes the time we received it.

Parsed here rather than through pywa, which drops `failed` statuses that have no `contacts` block and all but the
first item of a batched POST (api-facts.md §4.5). Routing (which organisation), deduplication and the effects are
webhook processing's (`webhooks/whatsapp.py`); what a reply means is `domain/replies.py`'s.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.events import InboundMessage, PreferenceUpdate, StatusEvent, TemplateEvent
from chalicelib.domain.replies import ReplyIntent, ReplyMeaning, classify_button, classify_text
from chalicelib.ports import NumberHealthUpdate

TEMPLATE_FIELDS = ("message_template_status_update", "template_category_update", "message_template_quality_update")


@dataclass(slots=True)
class MetaChange:
    """One `entry[].changes[]` item: its field, the WhatsApp Business Account it came from, its raw value."""

    field: str
    waba_id: str
    value: dict[str, Any]
    time: int | None

    @property
    def phone_number_id(self) -> str:
        """The receiving business number (`metadata.phone_number_id`), "" when the change names none."""
        return str((self.value.get("metadata") or {}).get("phone_number_id") or "")


def changes(payload: Any) -> Iterator[MetaChange]:
    """Every change of every entry, in order."""
    if not isinstance(payload, dict):
        return
    for entry in payload.get("entry") or []:
        if not isinstance(entry, dict):
            continue
        for change in entry.get("changes") or []:
            if isinstance(change, dict) and isinstance(change.get("value"), dict):
                when = entry.get("time")
                yield MetaChange(
                    str(change.get("field", "")),
                    str(entry.get("id", "")),
                    change["value"],
                    when if isinstance(when, int) else None,
                )


def unix_time(value: Any, fallback: dt.datetime) -> dt.datetime:
    """Meta's `timestamp` (unix seconds, a string or a number) as an instant; `fallback` when it is not one."""
    try:
        return dt.datetime.fromtimestamp(int(value), dt.UTC)
    except (TypeError, ValueError, OverflowError):
        return fallback


# -- messages: delivery statuses and customers' messages ----------------------------------------------------------


def parse_status(item: Any, received_at: dt.datetime) -> StatusEvent | None:
    """A status item in either documented shape (failed ones with or without `contacts`, errors without `href`).

    `received_at` stands in for a missing or unreadable `timestamp`.
    """
    if not isinstance(item, dict) or not item.get("id") or not item.get("status"):
        return None
    errors = [e for e in (item.get("errors") or []) if isinstance(e, dict)] or [{}]
    pricing: dict[str, Any] = item["pricing"] if isinstance(item.get("pricing"), dict) else {}
    code = errors[0].get("code")
    return StatusEvent(
        wamid=str(item["id"]),
        status=str(item["status"]),
        at=unix_time(item.get("timestamp"), received_at),
        recipient_id=str(item.get("recipient_id") or ""),
        tracker=str(item.get("biz_opaque_callback_data") or ""),
        error_code=int(code) if isinstance(code, int | str) and str(code).isdigit() else None,
        error_title=str(errors[0]["title"]) if errors[0].get("title") else None,
        pricing_category=str(pricing["category"]) if pricing.get("category") else None,
        pricing_type=str(pricing["type"]) if pricing.get("type") else None,
        billable=pricing["billable"] if isinstance(pricing.get("billable"), bool) else None,
    )


def statuses(change: MetaChange, received_at: dt.datetime) -> list[StatusEvent]:
    """The readable `statuses[]` of a `messages` change."""
    parsed = (parse_status(item, received_at) for item in change.value.get("statuses") or [])
    return [status for status in parsed if status is not None]


def dedupe_keys(change: MetaChange, received_at: dt.datetime) -> Iterator[str]:
    """The keys of every status and customer message of a `messages` change (what a redelivery would repeat)."""
    for status in statuses(change, received_at):
        yield status.dedupe_key
    for message in change.value.get("messages") or []:
        if isinstance(message, dict) and message.get("id"):
            yield f"wa-in:{message['id']}"


def contact_pairs(change: MetaChange) -> dict[str, str]:
    """Business-scoped user id -> E.164 phone, for the contacts that came with both."""
    return {str(c["user_id"]): f"+{c['wa_id']}" for c in _contacts(change) if c.get("user_id") and c.get("wa_id")}


def inbound_messages(change: MetaChange, received_at: dt.datetime) -> Iterator[InboundMessage]:
    """The customers' messages of a `messages` change. `phone` is "" when Meta sent only a business-scoped user id:
    the caller maps `user_id` to a phone it learned before (`contact_pairs`)."""
    contacts = _contacts(change)
    for item in change.value.get("messages") or []:
        if isinstance(item, dict) and item.get("id"):
            yield _inbound(item, contacts, received_at)


def _contacts(change: MetaChange) -> list[dict[str, Any]]:
    return [c for c in change.value.get("contacts") or [] if isinstance(c, dict)]


def _inbound(item: dict[str, Any], contacts: list[dict[str, Any]], received_at: dt.datetime) -> InboundMessage:
    user_id = str(item.get("from_user_id") or (contacts[0].get("user_id") if contacts else "") or "")
    digits = str(item.get("from") or (contacts[0].get("wa_id") if contacts else "") or "")
    kind, text, meaning = _meaning(item)
    context: dict[str, Any] = item["context"] if isinstance(item.get("context"), dict) else {}
    return InboundMessage(
        message_id=str(item["id"]),
        phone=f"+{digits}" if digits.isdigit() else "",
        user_id=user_id,
        kind=kind,
        text=text,
        meaning=meaning,
        context_wamid=str(context["id"]) if context.get("id") else None,
        at=unix_time(item.get("timestamp"), received_at),
    )


def _meaning(item: dict[str, Any]) -> tuple[str, str, ReplyMeaning]:
    kind = str(item.get("type", ""))
    if kind == "text":
        text = str((item.get("text") or {}).get("body", ""))
        return kind, text, classify_text(text)
    if kind == "button":
        button = item.get("button") or {}
        return (
            kind,
            str(button.get("text", "")),
            classify_button(str(button.get("payload", "")), str(button.get("text", ""))),
        )
    if kind == "interactive":
        reply = (
            (item.get("interactive") or {}).get("button_reply")
            or (item.get("interactive") or {}).get("list_reply")
            or {}
        )
        return kind, str(reply.get("title", "")), classify_button(str(reply.get("id", "")), str(reply.get("title", "")))
    caption = str((item.get(kind) or {}).get("caption", "")) if isinstance(item.get(kind), dict) else ""
    return kind, caption or f"[{kind}]", ReplyMeaning(ReplyIntent.OTHER)


# -- user_preferences and template events -------------------------------------------------------------------------


def preference_updates(change: MetaChange, received_at: dt.datetime) -> list[PreferenceUpdate]:
    """The readable items of a `user_preferences` change (those with a numeric `wa_id`)."""
    updates = []
    for pref in change.value.get("user_preferences") or []:
        if not isinstance(pref, dict) or not str(pref.get("wa_id", "")).isdigit():
            continue
        updates.append(
            PreferenceUpdate(
                phone=f"+{pref['wa_id']}",
                category=str(pref.get("category", "")),
                value=str(pref.get("value", "")),
                detail=str(pref.get("detail", "")),
                at=unix_time(pref.get("timestamp"), received_at),
            )
        )
    return updates


def template_event(change: MetaChange) -> TemplateEvent | None:
    """A template status, category or quality change; None when it names no template and language."""
    value = change.value
    name, language = str(value.get("message_template_name", "")), str(value.get("message_template_language", ""))
    if not name or not language:
        return None
    return TemplateEvent(
        waba_id=change.waba_id,
        name=name,
        language=language,
        field=change.field,
        updates=tuple(_template_updates(change.field, value)),
        at=change.time,
    )


def _template_updates(field_name: str, value: dict[str, Any]) -> list[tuple[str, dict[str, object]]]:
    template_id = str(value.get("message_template_id", ""))
    if field_name == "message_template_status_update":
        updates: list[tuple[str, dict[str, object]]] = [
            (
                "status",
                {
                    "status": str(value.get("event", "")).upper(),
                    "status_reason": _status_reason(value),
                    "template_id": template_id,
                },
            )
        ]
        if value.get("message_template_category"):
            updates.append(("category", {"category": str(value["message_template_category"]).upper()}))
        return updates
    if field_name == "template_category_update":
        if value.get("correct_category") and value.get("category_update_timestamp"):
            return [
                (
                    "category",
                    {
                        "pending_category": str(value["correct_category"]).upper(),
                        "pending_category_from": int(value["category_update_timestamp"]),
                    },
                )
            ]
        return [("category", {"category": str(value.get("new_category", "")).upper() or None, "pending_category": ""})]
    return [("quality", {"quality": str(value.get("new_quality_score", "")).upper() or None})]


def _status_reason(value: dict[str, Any]) -> str:
    parts = []
    reason = str(value.get("reason") or "")
    if reason and reason.upper() != "NONE":
        parts.append(reason)
    for key in ("other_info", "rejection_info"):
        info = value.get(key)
        if isinstance(info, dict):
            parts += [str(v) for v in (info.get("title"), info.get("reason"), info.get("description")) if v]
    disable = value.get("disable_info")
    if isinstance(disable, dict) and disable.get("disable_date"):
        parts.append(f"disabled on {disable['disable_date']}")
    return "; ".join(parts)


# -- the number's and the business account's health ---------------------------------------------------------------

ACCOUNT_FIELDS = ("account_update", "phone_number_quality_update", "business_capability_update")

# business_capability_update's max_daily_conversations_per_business (250 / 2000 / 10000 / 100000 / -1 unlimited)
# and older per-number limits, as the tier names GET /{phone-number-id} answers.
# https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/business_capability_update
_LIMIT_TIERS = {
    50: "TIER_50",
    250: "TIER_250",
    1000: "TIER_1K",
    2000: "TIER_2K",
    10000: "TIER_10K",
    100000: "TIER_100K",
    -1: "TIER_UNLIMITED",
}
# phone_number_quality_update events that say where the quality rating is: FLAGGED when it fell to low; UNFLAGGED
# when Meta lifted the flag (quality medium or high again), so sending need not stay slowed as for RED.
# https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/phone_number_quality_update
_QUALITY_BY_EVENT = {"FLAGGED": "RED", "UNFLAGGED": "GREEN"}
# account_update events that clear a reported problem, and those that are one in themselves.
# https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/account_update
_ACCOUNT_CLEARED = frozenset({"ACCOUNT_RECONNECTED"})
_ACCOUNT_PROBLEMS = frozenset({"ACCOUNT_DELETED", "PARTNER_REMOVED", "ACCOUNT_OFFBOARDED"})


def messaging_tier(value: Any) -> str | None:
    """A messaging limit as a tier name: "TIER_2K" as is, 2000 / "2000" -> "TIER_2K", -1 -> "TIER_UNLIMITED"."""
    if isinstance(value, str) and value.strip().upper().startswith("TIER_"):
        return value.strip().upper()
    try:
        return _LIMIT_TIERS.get(int(value))
    except (TypeError, ValueError):
        return None


def number_health(change: MetaChange) -> NumberHealthUpdate | None:
    """What an `account_update`, `phone_number_quality_update` or `business_capability_update` says about the
    business account's number; None when it says nothing Lunas keeps."""
    value = change.value
    if change.field == "phone_number_quality_update":
        event = str(value.get("event", "")).upper()
        tier = messaging_tier(value.get("max_daily_conversations_per_business")) or messaging_tier(
            value.get("current_limit")
        )
        update = NumberHealthUpdate(
            business_account_id=change.waba_id,
            display_phone_number=re.sub(r"\D", "", str(value.get("display_phone_number") or "")),
            quality_rating=_QUALITY_BY_EVENT.get(event),
            messaging_limit_tier=tier,
            throughput_level="HIGH" if event == "THROUGHPUT_UPGRADE" else None,
        )
    elif change.field == "business_capability_update":
        tier = messaging_tier(value.get("max_daily_conversations_per_business"))
        update = NumberHealthUpdate(business_account_id=change.waba_id, messaging_limit_tier=tier)
    else:
        update = NumberHealthUpdate(
            business_account_id=change.waba_id,
            display_phone_number=re.sub(r"\D", "", str(value.get("phone_number") or "")),
            account_status=account_status(value),
        )
    changed = (update.quality_rating, update.messaging_limit_tier, update.throughput_level, update.account_status)
    return update if any(v is not None for v in changed) else None


def account_status(value: dict[str, Any]) -> str | None:
    """An `account_update` as the problem the owner should see ("" once it is over; None: nothing to show)."""
    event = str(value.get("event", "")).upper()
    if event == "DISABLED_UPDATE":
        ban = _mapping(value.get("ban_info"))
        states = ban.get("waba_ban_state")
        state = str(states[-1] if isinstance(states, list) and states else states or "").upper()
        return "" if state == "REINSTATE" else f"{event}: {state}".rstrip(": ")
    if event == "ACCOUNT_VIOLATION":
        info = _mapping(value.get("violation_info"))
        return f"{event}: {info.get('violation_type', '')}".rstrip(": ")
    if event == "ACCOUNT_RESTRICTION":
        kinds = [str(r.get("restriction_type", "")) for r in value.get("restriction_info") or [] if isinstance(r, dict)]
        return f"{event}: {', '.join(k for k in kinds if k)}" if kinds else ""
    if event in _ACCOUNT_PROBLEMS:
        return event
    return "" if event in _ACCOUNT_CLEARED else None


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
