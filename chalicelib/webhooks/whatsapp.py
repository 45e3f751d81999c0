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
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from chalicelib.adapters.meta_events import (
    ACCOUNT_FIELDS,
    TEMPLATE_FIELDS,
    MetaChange,
    changes,
    contact_pairs,
    dedupe_keys,
    inbound_messages,
    number_health,
    preference_updates,
    statuses,
    template_event,
)
from chalicelib.domain.events import InboundMessage, StatusEvent
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
    UsageCounter,
    WebhookInbox,
    WhatsAppNumbers,
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
    account_events: int = 0
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
    numbers: WhatsAppNumbers | None = None  # the number's quality rating, messaging limit and account problems
    usage: UsageCounter | None = None  # delivered messages per month and pricing category (the owner's costs)
    claim_hold_days: Callable[[str], int] | None = None  # how long "I have paid" holds an organisation's reminders


class WhatsAppWebhookProcessor:
    def __init__(self, deps: WhatsAppWebhookDependencies) -> None:
        self.deps = deps
        self._orgs: dict[str, str | None] = {}
        self._zones: dict[str, str] = {}
        self._replies = CustomerReplies(
            clock=deps.clock,
            consents=deps.consents,
            claims=deps.claims,
            replies=deps.replies,
            holds=deps.holds,
            settings_for=deps.settings_for,
            sender_for=deps.sender_for,
            reply_pause=deps.reply_pause,
            ledger=deps.ledger,
            claim_hold_days=deps.claim_hold_days,
        )

    def process(self, payload: Any) -> Report:
        """One webhook body. Its statuses are applied together at the end, merged per message across the whole body
        (`services/whatsapp_statuses.py`), and its contacts are remembered in one write per organisation, so a body
        costs a few DynamoDB calls, not a few per status."""
        report = Report()
        now = self.deps.clock.now()
        parsed = list(changes(payload))
        keys = [k for c in parsed if c.field == "messages" for k in dedupe_keys(c, now)]
        seen = self.deps.seen.seen(keys, now) if keys else frozenset()
        contacts = self._remember_contacts(parsed, now)
        pending: dict[str, list[StatusEvent]] = {}  # org -> fresh statuses of the whole body
        done: list[str] = []
        for change in parsed:
            if change.field == "messages":
                done += self._messages(change, seen, report, pending, contacts)
            elif change.field == "user_preferences":
                self._preferences(change, report)
            elif change.field in TEMPLATE_FIELDS:
                self._template(change, report)
            elif change.field in ACCOUNT_FIELDS:
                self._account(change, report)
            else:
                report.ignored += 1
                logger.info("webhook field not handled", extra={"field": change.field})
        for org_id, events in pending.items():
            apply_statuses(
                org_id,
                events,
                ledger=self.deps.ledger,
                phone_flags=self.deps.phone_flags,
                usage=self.deps.usage,
                timezone=functools.partial(self._timezone, org_id),
            )
        if done:
            self.deps.seen.mark(done, now, SEEN_FOR)
        count("WebhookUpdates", report.statuses + report.messages, provider="whatsapp")
        logger.info("whatsapp webhook processed", extra=dataclasses.asdict(report))
        return report

    def _timezone(self, org_id: str) -> str:
        """The organisation's time zone (its months for the costs), read once per processor."""
        if org_id not in self._zones:
            self._zones[org_id] = self.deps.settings_for(org_id).timezone
        return self._zones[org_id]

    def _org(self, phone_number_id: str) -> str | None:
        """The organisation that registered the number (looked up once per processor: one Lambda invocation)."""
        if phone_number_id not in self._orgs:
            self._orgs[phone_number_id] = self.deps.routes.org_for_phone_number(phone_number_id)
        return self._orgs[phone_number_id]

    def _remember_contacts(self, parsed: list[MetaChange], now: dt.datetime) -> dict[str, dict[str, str]]:
        """Business-scoped user id -> phone pairs of the whole body, per organisation, stored in one call each: a
        customer's message may name only the user id, here or in a later webhook."""
        pairs: dict[str, dict[str, str]] = {}
        for change in parsed:
            found = contact_pairs(change) if change.field == "messages" and change.phone_number_id else {}
            org_id = self._org(change.phone_number_id) if found else None
            if org_id is not None:
                pairs.setdefault(org_id, {}).update(found)
        for org_id, known in pairs.items():
            self.deps.bsuids.remember(org_id, known, now)
        return pairs

    # -- messages: statuses and inbound -----------------------------------------------------------------------

    def _messages(
        self,
        change: MetaChange,
        seen: frozenset[str],
        report: Report,
        pending: dict[str, list[StatusEvent]],
        contacts: dict[str, dict[str, str]],
    ) -> list[str]:
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
            pending.setdefault(org_id, []).extend(fresh)
            report.statuses += len(fresh)
        done = [s.dedupe_key for s in fresh]
        for message in self._inbound(org_id, change, contacts.get(org_id, {})):
            if message.dedupe_key in seen:
                report.duplicates += 1
                continue
            self._replies.handle(org_id, phone_number_id, message)
            report.messages += 1
            done.append(message.dedupe_key)
        return done

    def _inbound(self, org_id: str, change: MetaChange, contacts: dict[str, str]) -> Iterator[InboundMessage]:
        """The customers' messages, each with the number Lunas knows them by: Meta may send only a business-scoped
        user id (mapped to the phone this body or a previous webhook paired it with), or the WhatsApp id it resolved
        our number to when we sent (mapped back to that number, where the consent is)."""
        received = []
        for message in inbound_messages(change, self.deps.clock.now()):
            phone = (
                message.phone or contacts.get(message.user_id) or self.deps.bsuids.phone_for(org_id, message.user_id)
            )
            received.append(dataclasses.replace(message, phone=phone or ""))
        phones = [m.phone for m in received if m.phone]
        known_as = self.deps.ledger.numbers_known_as(org_id, phones) if phones else {}
        for message in received:
            yield dataclasses.replace(message, phone=known_as[message.phone]) if message.phone in known_as else message

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

    def _account(self, change: MetaChange, report: Report) -> None:
        """The number's quality rating, messaging limit or an account problem, for every organisation routed to the
        business account (each applies it only to its own current number). Applying one twice changes nothing."""
        orgs = self.deps.routes.orgs_for_business_account(change.waba_id)
        if not orgs:
            report.unknown_numbers += 1
            logger.warning("account event for an unknown WhatsApp Business Account acknowledged")
            return
        update = number_health(change)
        event = str(change.value.get("event", ""))
        logger.info("whatsapp account event", extra={"field": change.field, "event": event})
        if update is None or self.deps.numbers is None:
            report.ignored += 1
            return
        for org_id in orgs:
            if self.deps.numbers.update_whatsapp_health(org_id, update):
                count("WhatsAppHealthUpdates", field=change.field)
                if update.account_status:
                    logger.error(
                        "meta reported a problem with the whatsapp account",
                        extra={"org_id": org_id, "status": update.account_status},
                    )
        report.account_events += 1
