"""Processing one Meta webhook body (from the queue): statuses, customer replies, preferences, template events.

Every `entry[]`, `changes[]`, `statuses[]` and `messages[]` is processed (one POST carries up to 1,000 updates).
`messages` changes are routed by `metadata.phone_number_id` to the organisation that registered the number; an
unknown number is logged and acknowledged. Template changes are routed by the WhatsApp Business Account id
(`entry[].id`). Statuses are deduplicated on (wamid, status) and inbound messages on their id, with markers written
only after the whole body was processed; every effect is also idempotent on its own (the ledger never moves
backwards, consent is not re-recorded when unchanged, the confirmation reply is claimed once), so a body processed
twice after a crash changes nothing the second time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from chalicelib.domain.models import Consent, ConsentStatus, ReminderSettings
from chalicelib.domain.records import StoredReply
from chalicelib.domain.replies import ReplyIntent, ReplyMeaning, classify_button, classify_text
from chalicelib.observability import count, logger, mask_phone
from chalicelib.ports import (
    Bsuids,
    Clock,
    ConsentRepository,
    Holds,
    MarketingPreferences,
    OneTimeClaims,
    PhoneFlags,
    Replies,
    Routes,
    SendLedger,
    TemplateRegistry,
    TextSender,
    WebhookInbox,
)
from chalicelib.services.whatsapp_statuses import (
    apply_statuses,
    parse_status,
    unix_time,
)

TEMPLATE_FIELDS = ("message_template_status_update", "template_category_update", "message_template_quality_update")
SEEN_FOR = dt.timedelta(days=8)  # Meta retries for 7 days
PROMPT_FOR = dt.timedelta(hours=24)  # "reply YES" counts as opt-in this long after our prompt


def reply_pause() -> dt.timedelta:
    """How long any other reply pauses that customer's reminders (`LUNAS_REPLY_PAUSE_DAYS`, default 3)."""
    return dt.timedelta(days=float(os.environ.get("LUNAS_REPLY_PAUSE_DAYS", "3")))


@dataclass(frozen=True, slots=True, kw_only=True)
class InboundMessage:
    message_id: str
    phone: str  # E.164, "" when Meta sent only a business-scoped user id we cannot map yet
    user_id: str
    kind: str
    text: str
    meaning: ReplyMeaning
    context_wamid: str | None
    at: dt.datetime

    @property
    def dedupe_key(self) -> str:
        return f"wa-in:{self.message_id}"


@dataclass(slots=True)
class Report:
    statuses: int = 0
    messages: int = 0
    preferences: int = 0
    template_events: int = 0
    duplicates: int = 0
    unknown_numbers: int = 0
    ignored: int = 0


@dataclass(kw_only=True)
class WhatsAppWebhookDependencies:
    clock: Clock
    routes: Routes
    seen: WebhookInbox
    ledger: SendLedger
    phone_flags: PhoneFlags
    consents: ConsentRepository
    replies: Replies
    claims: OneTimeClaims
    bsuids: Bsuids
    preferences: MarketingPreferences
    settings_for: Callable[[str], ReminderSettings]
    sender_for: Callable[[str], TextSender | None]
    holds: Holds
    templates: TemplateRegistry
    reply_pause: dt.timedelta = field(default_factory=reply_pause)


@dataclass(slots=True)
class _Change:
    field: str
    waba_id: str
    value: dict[str, Any]
    time: int | None


def _changes(payload: Any) -> Iterator[_Change]:
    if not isinstance(payload, dict):
        return
    for entry in payload.get("entry") or []:
        if not isinstance(entry, dict):
            continue
        for change in entry.get("changes") or []:
            if isinstance(change, dict) and isinstance(change.get("value"), dict):
                when = entry.get("time")
                yield _Change(
                    str(change.get("field", "")),
                    str(entry.get("id", "")),
                    change["value"],
                    when if isinstance(when, int) else None,
                )


class WhatsAppWebhookProcessor:
    def __init__(self, deps: WhatsAppWebhookDependencies) -> None:
        self.deps = deps
        self._orgs: dict[str, str | None] = {}

    def process(self, payload: Any) -> Report:
        report = Report()
        now = self.deps.clock.now()
        changes = list(_changes(payload))
        keys = [k for c in changes if c.field == "messages" for k in _dedupe_keys(c.value, now)]
        seen = self.deps.seen.seen(keys, now) if keys else frozenset()
        done: list[str] = []
        for change in changes:
            if change.field == "messages":
                done += self._messages(change, seen, report)
            elif change.field == "user_preferences":
                self._preferences(change, report)
            elif change.field in TEMPLATE_FIELDS:
                self._template(change, report)
            else:
                report.ignored += 1
                logger.info("webhook field not handled", extra={"field": change.field})
        if done:
            self.deps.seen.mark(done, now, SEEN_FOR)
        count("WebhookUpdates", report.statuses + report.messages, provider="whatsapp")
        logger.info("whatsapp webhook processed", extra=dataclasses.asdict(report))
        return report

    def _org(self, phone_number_id: str) -> str | None:
        if phone_number_id not in self._orgs:
            self._orgs[phone_number_id] = self.deps.routes.org_for_phone_number(phone_number_id)
        return self._orgs[phone_number_id]

    # -- messages: statuses and inbound -----------------------------------------------------------------------

    def _messages(self, change: _Change, seen: frozenset[str], report: Report) -> list[str]:
        phone_number_id = str((change.value.get("metadata") or {}).get("phone_number_id") or "")
        org_id = self._org(phone_number_id) if phone_number_id else None
        if org_id is None:
            report.unknown_numbers += 1
            logger.warning(
                "webhook for an unknown phone number id acknowledged", extra={"phone_number_id": phone_number_id}
            )
            return []
        now = self.deps.clock.now()
        statuses = [s for s in (parse_status(i, now) for i in change.value.get("statuses") or []) if s is not None]
        fresh = [s for s in statuses if s.dedupe_key not in seen]
        report.duplicates += len(statuses) - len(fresh)
        if fresh:
            apply_statuses(org_id, fresh, ledger=self.deps.ledger, phone_flags=self.deps.phone_flags)
            report.statuses += len(fresh)
        done = [s.dedupe_key for s in fresh]
        for message in self._inbound(org_id, change.value):
            if message.dedupe_key in seen:
                report.duplicates += 1
                continue
            self._reply(org_id, phone_number_id, message)
            report.messages += 1
            done.append(message.dedupe_key)
        return done

    def _inbound(self, org_id: str, value: dict[str, Any]) -> Iterator[InboundMessage]:
        contacts = [c for c in value.get("contacts") or [] if isinstance(c, dict)]
        pairs = {str(c["user_id"]): f"+{c['wa_id']}" for c in contacts if c.get("user_id") and c.get("wa_id")}
        if pairs:
            self.deps.bsuids.remember(org_id, pairs, self.deps.clock.now())
        for item in value.get("messages") or []:
            if isinstance(item, dict) and item.get("id"):
                yield self._parse_inbound(org_id, item, contacts)

    def _parse_inbound(self, org_id: str, item: dict[str, Any], contacts: list[dict[str, Any]]) -> InboundMessage:
        user_id = str(item.get("from_user_id") or (contacts[0].get("user_id") if contacts else "") or "")
        digits = str(item.get("from") or (contacts[0].get("wa_id") if contacts else "") or "")
        phone = f"+{digits}" if digits.isdigit() else (self.deps.bsuids.phone_for(org_id, user_id) or "")
        kind, text, meaning = _meaning(item)
        context: dict[str, Any] = item["context"] if isinstance(item.get("context"), dict) else {}
        return InboundMessage(
            message_id=str(item["id"]),
            phone=phone,
            user_id=user_id,
            kind=kind,
            text=text,
            meaning=meaning,
            context_wamid=str(context["id"]) if context.get("id") else None,
            at=unix_time(item.get("timestamp"), self.deps.clock.now()),
        )

    # -- what a reply does ------------------------------------------------------------------------------------

    def _reply(self, org_id: str, phone_number_id: str, message: InboundMessage) -> None:
        intent = message.meaning.intent
        if message.phone and intent is ReplyIntent.AFFIRM and self._prompted(org_id, message.phone):
            intent = ReplyIntent.OPT_IN
        if not message.phone:
            action = "none: no phone number (business-scoped user id only)"
        elif intent is ReplyIntent.OPT_OUT:
            action = self._opt_out(org_id, message)
        elif intent is ReplyIntent.OPT_IN:
            action = self._opt_in(org_id, message)
        else:
            action = self._pause(org_id, message)
        self.deps.replies.save(
            StoredReply(
                org_id=org_id,
                message_id=message.message_id,
                phone=message.phone,
                kind=message.kind,
                text=message.text,
                intent=intent.value,
                action=action,
                received_at=message.at,
                context_wamid=message.context_wamid,
            ),
            phone_number_id,
        )
        count("CustomerReplies", intent=intent.value)
        logger.info(
            "customer reply", extra={"phone": mask_phone(message.phone), "intent": intent.value, "action": action}
        )

    def _prompted(self, org_id: str, phone: str) -> bool:
        return self.deps.claims.active(org_id, f"OPTINPROMPT#{phone}", self.deps.clock.now())

    def _current(self, org_id: str, phone: str) -> Consent | None:
        return self.deps.consents.for_phones(org_id, [phone]).get(phone)

    def _opt_out(self, org_id: str, message: InboundMessage) -> str:
        current = self._current(org_id, message.phone)
        if current is not None and current.status is ConsentStatus.OPTED_OUT:
            return "already opted out"
        self.deps.consents.record(_consent(org_id, message, ConsentStatus.OPTED_OUT))
        self._confirm_opt_out(org_id, message)
        return "opted_out"

    def _opt_in(self, org_id: str, message: InboundMessage) -> str:
        current = self._current(org_id, message.phone)
        if current is not None and current.status is ConsentStatus.OPTED_IN:
            return "already opted in"
        self.deps.consents.record(_consent(org_id, message, ConsentStatus.OPTED_IN))
        return "opted_in"

    def _pause(self, org_id: str, message: InboundMessage) -> str:
        until = max(message.at, self.deps.clock.now()) + self.deps.reply_pause
        self.deps.holds.pause_phone(org_id, message.phone, until, f"customer replied ({message.message_id})")
        return f"reminders paused until {until:%Y-%m-%d %H:%M} UTC"

    def _confirm_opt_out(self, org_id: str, message: InboundMessage) -> None:
        """One confirmation per opt-out, inside the 24-hour window the customer's message just opened."""
        now = self.deps.clock.now()
        if not self.deps.claims.claim(org_id, f"OPTOUTCONFIRM#{message.message_id}", now, SEEN_FOR):
            return
        sender = self.deps.sender_for(org_id)
        if sender is None:
            logger.warning("no WhatsApp number configured; opt-out not confirmed")
            return
        settings = self.deps.settings_for(org_id)
        language = message.meaning.language or settings.language
        try:
            sender.send_text(to=message.phone, text=confirmation_text(language, settings.business_name))
        except Exception:  # the opt-out itself is recorded; a failed courtesy message must not undo or repeat it
            logger.exception("opt-out confirmation not sent")
            return
        self.deps.claims.put(org_id, f"OPTINPROMPT#{message.phone}", now, PROMPT_FOR)

    # -- user_preferences and template events -----------------------------------------------------------------

    def _preferences(self, change: _Change, report: Report) -> None:
        phone_number_id = str((change.value.get("metadata") or {}).get("phone_number_id") or "")
        orgs = [o for o in [self._org(phone_number_id)] if o] if phone_number_id else []
        orgs = orgs or self.deps.routes.orgs_for_business_account(change.waba_id)
        if not orgs:
            report.unknown_numbers += 1
            logger.warning("user_preferences for an unknown account acknowledged")
            return
        for pref in change.value.get("user_preferences") or []:
            if not isinstance(pref, dict) or not str(pref.get("wa_id", "")).isdigit():
                continue
            for org_id in orgs:
                self.deps.preferences.record(
                    org_id,
                    f"+{pref['wa_id']}",
                    category=str(pref.get("category", "")),
                    value=str(pref.get("value", "")),
                    detail=str(pref.get("detail", "")),
                    at=unix_time(pref.get("timestamp"), self.deps.clock.now()),
                )
            report.preferences += 1

    def _template(self, change: _Change, report: Report) -> None:
        if not self.deps.routes.orgs_for_business_account(change.waba_id):
            report.unknown_numbers += 1
            logger.warning("template event for an unknown WhatsApp Business Account acknowledged")
            return
        value = change.value
        name, language = str(value.get("message_template_name", "")), str(value.get("message_template_language", ""))
        if not name or not language:
            report.ignored += 1
            return
        at = change.time or int(self.deps.clock.now().timestamp())
        for group, values in _template_updates(change.field, value):
            self.deps.templates.update(change.waba_id, name, language, group=group, values=values, at=at)
        report.template_events += 1
        logger.info("template event", extra={"template": name, "language": language, "field": change.field})


def _dedupe_keys(value: dict[str, Any], now: dt.datetime) -> Iterator[str]:
    for status in value.get("statuses") or []:
        parsed = parse_status(status, now)
        if parsed is not None:
            yield parsed.dedupe_key
    for message in value.get("messages") or []:
        if isinstance(message, dict) and message.get("id"):
            yield f"wa-in:{message['id']}"


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
            return [("category", {"pending_category": str(value["correct_category"]).upper(),
                                  "pending_category_from": int(value["category_update_timestamp"])})]  # fmt: skip
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


def _consent(org_id: str, message: InboundMessage, status: ConsentStatus) -> Consent:
    source = "whatsapp_button" if message.kind in ("button", "interactive") else "whatsapp_reply"
    return Consent(
        org_id=org_id,
        phone=message.phone,
        status=status,
        source=source,
        evidence=f'WhatsApp message {message.message_id} at {message.at.isoformat()}: "{message.text}"',
        captured_at=message.at,
    )


def confirmation_text(language: str, business_name: str) -> str:
    if language == "id":
        return (
            f"Baik, Anda tidak akan menerima pengingat tagihan dari {business_name} lagi melalui WhatsApp. "
            "Balas MULAI jika ingin menerimanya kembali."
        )
    return (
        f"Done: you will no longer receive invoice reminders from {business_name} on WhatsApp. "
        "Reply START to receive them again."
    )
