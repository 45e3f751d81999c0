"""Processing one Meta webhook body (from the queue): statuses, customer replies, preferences, template events.

Every `entry[]`, `changes[]`, `statuses[]` and `messages[]` is processed (one POST carries up to 1,000 updates); the
payload is parsed by `adapters/meta_events.py`. `messages` changes are routed by `metadata.phone_number_id` to the
organisation that registered the number; an unknown number is logged and acknowledged. Template changes are routed
by the WhatsApp Business Account id (`entry[].id`). Statuses are deduplicated on (wamid, status) and inbound
messages on their id, with markers written only after the whole body was processed; every effect is also idempotent
on its own (the ledger never moves backwards, consent is not re-recorded when unchanged, the confirmation reply is
claimed once), so a body processed twice after a crash changes nothing the second time. What a reply does is
`services/replies.py`'s; what a status does is `services/whatsapp_statuses.py`'s.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from chalicelib.adapters.meta_events import (
    TEMPLATE_FIELDS,
    MetaChange,
    changes,
    contact_pairs,
    dedupe_keys,
    inbound_messages,
    preference_updates,
    statuses,
    template_event,
)
from chalicelib.domain.events import InboundMessage
from chalicelib.domain.models import ReminderSettings
from chalicelib.observability import count, logger
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
from chalicelib.services.replies import CustomerReplies
from chalicelib.services.whatsapp_statuses import apply_statuses

SEEN_FOR = dt.timedelta(days=8)  # Meta retries for 7 days


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
    reply_pause: dt.timedelta  # how long a reply other than STOP / YES pauses that customer (config.reply_pause_days)


class WhatsAppWebhookProcessor:
    def __init__(self, deps: WhatsAppWebhookDependencies) -> None:
        self.deps = deps
        self._orgs: dict[str, str | None] = {}
        self._replies = CustomerReplies(
            clock=deps.clock,
            consents=deps.consents,
            claims=deps.claims,
            replies=deps.replies,
            holds=deps.holds,
            settings_for=deps.settings_for,
            sender_for=deps.sender_for,
            reply_pause=deps.reply_pause,
        )

    def process(self, payload: Any) -> Report:
        report = Report()
        now = self.deps.clock.now()
        parsed = list(changes(payload))
        keys = [k for c in parsed if c.field == "messages" for k in dedupe_keys(c, now)]
        seen = self.deps.seen.seen(keys, now) if keys else frozenset()
        done: list[str] = []
        for change in parsed:
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

    def _messages(self, change: MetaChange, seen: frozenset[str], report: Report) -> list[str]:
        phone_number_id = change.phone_number_id
        org_id = self._org(phone_number_id) if phone_number_id else None
        if org_id is None:
            report.unknown_numbers += 1
            logger.warning(
                "webhook for an unknown phone number id acknowledged", extra={"phone_number_id": phone_number_id}
            )
            return []
        received = statuses(change, self.deps.clock.now())
        fresh = [s for s in received if s.dedupe_key not in seen]
        report.duplicates += len(received) - len(fresh)
        if fresh:
            apply_statuses(org_id, fresh, ledger=self.deps.ledger, phone_flags=self.deps.phone_flags)
            report.statuses += len(fresh)
        done = [s.dedupe_key for s in fresh]
        for message in self._inbound(org_id, change):
            if message.dedupe_key in seen:
                report.duplicates += 1
                continue
            self._replies.handle(org_id, phone_number_id, message)
            report.messages += 1
            done.append(message.dedupe_key)
        return done

    def _inbound(self, org_id: str, change: MetaChange) -> Iterator[InboundMessage]:
        """The customers' messages, each with a phone: Meta may send only a business-scoped user id, which is mapped
        to the phone a previous webhook paired it with."""
        pairs = contact_pairs(change)
        if pairs:
            self.deps.bsuids.remember(org_id, pairs, self.deps.clock.now())
        for message in inbound_messages(change, self.deps.clock.now()):
            if message.phone:
                yield message
            else:
                yield dataclasses.replace(message, phone=self.deps.bsuids.phone_for(org_id, message.user_id) or "")

    # -- user_preferences and template events -----------------------------------------------------------------

    def _preferences(self, change: MetaChange, report: Report) -> None:
        phone_number_id = change.phone_number_id
        orgs = [o for o in [self._org(phone_number_id)] if o] if phone_number_id else []
        orgs = orgs or self.deps.routes.orgs_for_business_account(change.waba_id)
        if not orgs:
            report.unknown_numbers += 1
            logger.warning("user_preferences for an unknown account acknowledged")
            return
        for update in preference_updates(change, self.deps.clock.now()):
            for org_id in orgs:
                self.deps.preferences.record(
                    org_id,
                    update.phone,
                    category=update.category,
                    value=update.value,
                    detail=update.detail,
                    at=update.at,
                )
            report.preferences += 1

    def _template(self, change: MetaChange, report: Report) -> None:
        if not self.deps.routes.orgs_for_business_account(change.waba_id):
            report.unknown_numbers += 1
            logger.warning("template event for an unknown WhatsApp Business Account acknowledged")
            return
        event = template_event(change)
        if event is None:
            report.ignored += 1
            return
        at = event.at or int(self.deps.clock.now().timestamp())
        for group, values in event.updates:
            self.deps.templates.update(event.waba_id, event.name, event.language, group=group, values=values, at=at)
        report.template_events += 1
        logger.info("template event", extra={"template": event.name, "language": event.language, "field": event.field})
