"""Consent the customer owns: who may change a number's consent, and when.

A customer's own STOP (a WhatsApp reply, the template's stop button, Meta's `user_preferences` stop) is undone only
by the customer's own opt-in message (START, or YES to our prompt), or by the owner recording new consent with
evidence dated after that STOP *and* confirming that the customer asked to start again. An opt-out may always be
recorded, by anyone. Every change names who made it (`Consent.recorded_by`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from chalicelib.domain.models import Consent, ConsentStatus

# Sources that are the customer speaking for themselves (chalicelib/domain/replies.py, the webhooks).
CUSTOMER_SOURCES = frozenset({"whatsapp_reply", "whatsapp_button", "user_preferences"})

CLI_OPERATOR = "cli operator"
MIN_EVIDENCE = 10  # characters: "what the customer agreed to, where and when" is never shorter


class Refusal(StrEnum):
    EVIDENCE_NEEDED = "evidence_needed"  # an opt-in without a description of the agreement
    CUSTOMER_STOPPED = "customer_stopped"  # the customer said STOP; the owner did not confirm they asked again
    EVIDENCE_NOT_AFTER_STOP = "evidence_not_after_stop"  # no evidence date, or one before the customer's STOP
    EVIDENCE_IN_FUTURE = "evidence_in_future"


@dataclass(frozen=True, slots=True)
class Verdict:
    refusal: Refusal | None = None
    standing_stop: Consent | None = None  # the customer's STOP the new consent must overcome, if any

    @property
    def allowed(self) -> bool:
        return self.refusal is None


def by_user(email: str, user_sub: str) -> str:
    """`recorded_by` for a change made in the dashboard by the signed-in user."""
    return f"{email} (user {user_sub})"


def by_webhook(message_id: str) -> str:
    """`recorded_by` for a change a customer's WhatsApp message made (its id hashed: a wamid encodes the number)."""
    return f"whatsapp webhook (message {hashlib.sha256(message_id.encode()).hexdigest()[:12]})"


def is_customers_own(consent: Consent) -> bool:
    return consent.source in CUSTOMER_SOURCES


def standing_stop(history: Sequence[Consent]) -> Consent | None:
    """The customer's own opt-out still in force: the latest customer STOP with no opt-in recorded after it."""
    stop: Consent | None = None
    for change in history:
        if change.status is ConsentStatus.OPTED_IN:
            stop = None
        elif is_customers_own(change):
            stop = change
    return stop


def may_record(history: Sequence[Consent], new: Consent, *, confirmed: bool, now: dt.datetime) -> Verdict:
    """May `new` be recorded over the number's `history` (oldest first)? `confirmed`: the owner ticked "The customer
    asked me to start again after they said STOP"."""
    if new.status is ConsentStatus.OPTED_OUT or is_customers_own(new):
        return Verdict()
    if len(new.evidence.strip()) < MIN_EVIDENCE:
        return Verdict(Refusal.EVIDENCE_NEEDED)
    stop = standing_stop(history)
    return Verdict(_over_stop(stop, new, confirmed=confirmed, now=now), stop) if stop else Verdict()


def _over_stop(stop: Consent, new: Consent, *, confirmed: bool, now: dt.datetime) -> Refusal | None:
    """Why an opt-in by someone else may not undo the customer's `stop`, or None when it may."""
    if new.evidence_at is None or new.evidence_at <= stop.captured_at:
        return Refusal.EVIDENCE_NOT_AFTER_STOP
    if new.evidence_at > now:
        return Refusal.EVIDENCE_IN_FUTURE
    return None if confirmed else Refusal.CUSTOMER_STOPPED
