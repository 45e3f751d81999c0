"""What a customer's WhatsApp reply does: opt out (confirmed once), opt in after our prompt, or pause reminders.

The templates' quick replies feed the same flow: "I have paid" holds the invoices of the message it was tapped on
(found through its context wamid in the send ledger) as the pay page's button does; "Need more time" pauses the
customer for a week so the owner can record a promise to pay in the replies inbox.

Meta does not act on a typed STOP for utility templates, so Lunas must (api-facts.md §3.8). The rules are in
`domain/replies.py`; this module carries them out through the ports and stores every reply, with what it did, for
the owner's dashboard. Each effect is idempotent on its own (consent is not re-recorded when unchanged, the
confirmation is claimed once per message, a pause never shortens a longer one), so a redelivered reply changes
nothing the second time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from chalicelib.domain import notes
from chalicelib.domain.consent_rules import by_webhook
from chalicelib.domain.events import InboundMessage
from chalicelib.domain.models import Consent, ConsentStatus, ReminderSettings
from chalicelib.domain.phones import message_language
from chalicelib.domain.records import DEFAULT_CLAIM_HOLD_DAYS, StoredReply
from chalicelib.domain.replies import (
    MORE_TIME_PAUSE,
    PROMPT_FOR,
    ReplyIntent,
    confirmation_text,
    consent_from_reply,
    pause_until,
    reply_intent,
)
from chalicelib.observability import count, logger, mask_phone
from chalicelib.ports import Clock, ConsentRepository, Holds, OneTimeClaims, Replies, SendLedger, TextSender

CONFIRMATION_CLAIMED_FOR = dt.timedelta(days=8)  # as long as Meta may redeliver the customer's message (7 days)


def invoices_of_message(ledger: SendLedger, org_id: str, wamid: str) -> list[tuple[str, str]]:
    """(connection_id, invoice_id) of every reminder the message `wamid` carried; [] for another organisation's."""
    found = ledger.locate([wamid]).get(wamid)
    if found is None or found[0] != org_id:
        return []
    entry = ledger.message_entry(org_id, found[1])
    if entry is None:
        return []
    pairs = (key.rsplit("#", 2)[:2] for key in entry.ledger_keys)  # <connection>#<invoice>#<stage>
    return list(dict.fromkeys((connection_id, invoice_id) for connection_id, invoice_id in pairs))


def _local(at: dt.datetime, zone: ZoneInfo) -> str:
    """A time as the owner reads it: in the organisation's zone, with its abbreviation ("2026-12-02 15:04 WIB")."""
    return f"{at.astimezone(zone):%Y-%m-%d %H:%M %Z}"


def _from_reply(org_id: str, message: InboundMessage, status: ConsentStatus) -> Consent:
    """The consent a reply makes, recorded as made by the webhook (the customer's own word: consent_rules)."""
    return dataclasses.replace(consent_from_reply(org_id, message, status), recorded_by=by_webhook(message.message_id))


@dataclass(kw_only=True)
class CustomerReplies:
    clock: Clock
    consents: ConsentRepository
    claims: OneTimeClaims
    replies: Replies
    holds: Holds
    settings_for: Callable[[str], ReminderSettings]
    sender_for: Callable[[str], TextSender | None]
    reply_pause: dt.timedelta
    ledger: SendLedger | None = None  # which invoices the replied-to message was about (the "I have paid" button)
    claim_hold_days: Callable[[str], int] | None = None  # the organisation's "I have paid" hold, as on the pay page

    def handle(self, org_id: str, phone_number_id: str, message: InboundMessage) -> None:
        """Act on one customer message received on `phone_number_id` (already routed to `org_id`, deduplicated)."""
        affirmed = bool(message.phone) and message.meaning.intent is ReplyIntent.AFFIRM
        intent = reply_intent(message.meaning, prompted=affirmed and self._prompted(org_id, message.phone))
        if not message.phone:
            action = "none: no phone number (business-scoped user id only)"
        elif intent is ReplyIntent.OPT_OUT:
            action = self._opt_out(org_id, message)
        elif intent is ReplyIntent.OPT_IN:
            action = self._opt_in(org_id, message)
        elif intent is ReplyIntent.SAID_PAID:
            action = self._said_paid(org_id, message)
        elif intent is ReplyIntent.MORE_TIME:
            action = self._pause(org_id, message, MORE_TIME_PAUSE)
        else:
            action = self._pause(org_id, message)
        self.replies.save(
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
        return self.claims.active(org_id, f"OPTINPROMPT#{phone}", self.clock.now())

    def _current(self, org_id: str, phone: str) -> Consent | None:
        return self.consents.for_phones(org_id, [phone]).get(phone)

    def _opt_out(self, org_id: str, message: InboundMessage) -> str:
        current = self._current(org_id, message.phone)
        if current is not None and current.status is ConsentStatus.OPTED_OUT:
            return "already opted out"
        self.consents.record(_from_reply(org_id, message, ConsentStatus.OPTED_OUT))
        self._confirm_opt_out(org_id, message)
        return "opted_out"

    def _opt_in(self, org_id: str, message: InboundMessage) -> str:
        current = self._current(org_id, message.phone)
        if current is not None and current.status is ConsentStatus.OPTED_IN:
            return "already opted in"
        self.consents.record(_from_reply(org_id, message, ConsentStatus.OPTED_IN))
        return "opted_in"

    def _pause(self, org_id: str, message: InboundMessage, pause: dt.timedelta | None = None) -> str:
        until = pause_until(message, self.clock.now(), pause or self.reply_pause)
        self.holds.pause_phone(org_id, message.phone, until, f"customer replied ({message.message_id})")
        return f"reminders paused until {until:%Y-%m-%d %H:%M} UTC"

    def _said_paid(self, org_id: str, message: InboundMessage) -> str:
        """The "I have paid" button: what the pay page's button does, for the invoices of the message it was on."""
        days = self.claim_hold_days(org_id) if self.claim_hold_days is not None else DEFAULT_CLAIM_HOLD_DAYS
        invoices = self.invoices_answered(org_id, message.context_wamid)
        if not invoices:  # a tap on a message Lunas no longer knows: hold the customer instead
            return self._pause(org_id, message, dt.timedelta(days=days))
        until = pause_until(message, self.clock.now(), dt.timedelta(days=days))
        zone = ZoneInfo(self.settings_for(org_id).timezone)
        note = (
            f'the customer tapped "I have paid" on the WhatsApp reminder on {_local(message.at, zone)}; '
            f"reminders for it are held until {_local(until, zone)} while you check the payment"
        )
        why = notes.note(
            "said_paid_whatsapp", said_at=notes.instant_value(message.at), until_at=notes.instant_value(until)
        )
        for connection_id, invoice_id in invoices:
            self.holds.pause_invoice(org_id, connection_id, invoice_id, until, note=note, why=why)
        return f"invoices held until {until:%Y-%m-%d %H:%M} UTC"

    def invoices_answered(self, org_id: str, context_wamid: str | None) -> list[tuple[str, str]]:
        """(connection_id, invoice_id) of the reminders in the message a reply answers (its context wamid)."""
        if self.ledger is None or not context_wamid:
            return []
        return invoices_of_message(self.ledger, org_id, context_wamid)

    def _confirm_opt_out(self, org_id: str, message: InboundMessage) -> None:
        """One confirmation per opt-out, inside the 24-hour window the customer's message just opened."""
        now = self.clock.now()
        if not self.claims.claim(org_id, f"OPTOUTCONFIRM#{message.message_id}", now, CONFIRMATION_CLAIMED_FOR):
            return
        sender = self.sender_for(org_id)
        if sender is None:
            logger.warning("no WhatsApp number configured; opt-out not confirmed")
            return
        settings = self.settings_for(org_id)
        # The customer's words tell the language; a button does not, so it is the one their reminders come in.
        language = message.meaning.language or message_language(message.phone, settings.country, settings.language)
        try:
            sender.send_text(to=message.phone, text=confirmation_text(language, settings.business_name))
        except Exception:  # the opt-out itself is recorded; a failed courtesy message must not undo or repeat it
            logger.exception("opt-out confirmation not sent")
            return
        self.claims.put(org_id, f"OPTINPROMPT#{message.phone}", now, PROMPT_FOR)
