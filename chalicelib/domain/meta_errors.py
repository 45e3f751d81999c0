"""Meta's WhatsApp error codes in one place: which class each belongs to, and what the owner should do about it.

The class decides what the send loop does (chalicelib/services/reminders.py):

- RETRYABLE: trying again soon can succeed (throughput, pair limit, Meta's transient trouble, HTTP 429 / 5xx, a
  connection that never reached Meta). Retried in the cycle with bounded exponential backoff, then left for the next
  cycle with the reason; never retried forever.
- RECIPIENT: this customer's number cannot get the message (not on WhatsApp, outside the 24-hour window for free
  text, stopped business messages). That recipient is stopped; everyone else goes on.
- TEMPLATE: the template itself cannot be sent (missing, paused, disabled, parameters that do not match). The rest
  of the cycle's messages with that template are not sent; the owner is alerted.
- ACCOUNT: the business's WhatsApp account or token cannot send at all (token expired, account restricted, locked,
  payment problem, spam limit). Every send of the organisation stops at once and stays stopped until the owner fixes
  it (chalicelib/storage/whatsapp_alerts.py); the owner is alerted.
- MESSAGE: this one message was refused for good for another reason; it is not retried at this stage.

Codes and names: https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes
Throughput and pair rate limits: https://developers.facebook.com/docs/whatsapp/throughput
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class ErrorClass(StrEnum):
    RETRYABLE = "retryable"
    RECIPIENT = "recipient"
    TEMPLATE = "template"
    ACCOUNT = "account"
    MESSAGE = "message"


# Waiting and trying again can succeed: Graph's transient codes (1 unknown, 2 service), application / account /
# number throughput (4, 80007, 130429), the per-recipient pair limit (131056), the account in maintenance mode
# (131057), Meta-side trouble (131000 something went wrong, 131016 service unavailable, 133016 registration rate
# limit), and the per-user marketing cap (131049, only after >= 24 h).
RETRYABLE_CODES = frozenset({1, 2, 4, 80007, 130429, 131000, 131016, 131049, 131056, 131057, 133016})
# Codes that mean "slow down": application, account and phone-number throughput, and the per-recipient pair limit.
THROTTLE_CODES = frozenset({4, 80007, 130429, 131056, 131057})
THROUGHPUT_CODE = 130429
PAIR_LIMIT_CODE = 131056
NOT_ON_WHATSAPP = 131026
# This customer cannot get it: 131026 undeliverable (not on WhatsApp, old app, terms not accepted), 131047 outside
# the 24-hour window (free text only), 131050 the user stopped marketing messages, 131021 sender and recipient are
# the same number, 130472 the user's number is part of a Meta experiment.
RECIPIENT_CODES = frozenset({131026, 131047, 131050, 131021, 130472})
# The template cannot be used: 132000 parameter count, 132001 missing in that language, 132005 translated text too
# long, 132007 format character policy, 132012 parameter format, 132015 paused, 132016 disabled.
TEMPLATE_CODES = frozenset({132000, 132001, 132005, 132007, 132012, 132015, 132016})
# Nothing the organisation sends can go: 190 access token expired or revoked, 368 temporarily blocked for policy
# violations, 131031 business account locked, 131042 business eligibility / payment issue, 131048 spam rate limit,
# 133010 phone number not registered on the Cloud API.
ACCOUNT_CODES = frozenset({190, 368, 131031, 131042, 131048, 133010})

_RETRY_ADVICE = "Lunas tries again by itself; nothing to do unless it keeps happening"

# What happened and what to do, in plain words, per code (the decision's detail, the alert banner, the docs).
ADVICE: dict[int, str] = {
    190: "Meta no longer accepts this WhatsApp access token (expired or revoked): reconnect WhatsApp in Settings",
    368: "Meta has temporarily blocked this WhatsApp account for policy violations: check the account in WhatsApp "
    "Manager, then save the WhatsApp number again in Settings",
    131031: "Meta has locked this WhatsApp Business account: check WhatsApp Manager (Account quality), then save the "
    "WhatsApp number again in Settings",
    131042: "Meta refused to send because of a payment problem on the WhatsApp Business account: add or fix the "
    "payment method in Meta Business Settings, then save the WhatsApp number again in Settings",
    131048: "Meta limited this number for spam (too many customers blocked or reported it): check WhatsApp Manager "
    "(Account quality), then save the WhatsApp number again in Settings",
    133010: "this WhatsApp number is not registered with the Cloud API: register it in WhatsApp Manager, then save "
    "the WhatsApp number again in Settings",
    132000: "the template's parameters do not match what Meta approved: submit Lunas' templates again",
    132001: "this template is not approved in this language at Meta: submit Lunas' templates again and wait for "
    "approval",
    132005: "the message is too long for this template once filled in: shorten the business name in Settings",
    132007: "Meta refused the template's formatting (format character policy): submit Lunas' templates again",
    132012: "the template's parameters do not match what Meta approved: submit Lunas' templates again",
    132015: "Meta paused this template (low quality ratings): edit it in WhatsApp Manager or wait until Meta "
    "un-pauses it",
    132016: "Meta disabled this template (repeated low quality): submit a new version of Lunas' templates",
    131026: "this number cannot receive WhatsApp messages (not on WhatsApp or an old app): check the phone number "
    "in the accounting system",
    131047: "more than 24 hours since the customer last wrote: only approved templates can be sent now",
    131050: "the customer stopped business messages on WhatsApp: contact them another way",
    131021: "this is the business's own WhatsApp number: use the customer's number in the accounting system",
    130472: "Meta held this message back for this number (a Meta experiment): it goes in a later cycle",
    130429: "Meta's sending speed limit for this number was reached; " + _RETRY_ADVICE,
    131056: "too many messages to this customer in a short time (Meta's pair limit); " + _RETRY_ADVICE,
    131000: "Meta had a temporary problem; " + _RETRY_ADVICE,
    131016: "Meta's service was temporarily unavailable; " + _RETRY_ADVICE,
}


def classify(code: int | None, *, http_status: int | None = None, retryable: bool | None = None) -> ErrorClass:
    """The class of one failed send.

    `code` is Meta's error code (None when the answer had no Graph error body, or there was no answer); an answer
    without a code is retryable when it was HTTP 429 / 5xx or never reached Meta (`retryable`, as the adapter knows
    it). Account and template codes win over everything: their trouble does not go away by waiting.
    """
    if code in ACCOUNT_CODES:
        return ErrorClass.ACCOUNT
    if code in TEMPLATE_CODES:
        return ErrorClass.TEMPLATE
    if code in RECIPIENT_CODES:
        return ErrorClass.RECIPIENT
    if retryable is not None:
        return ErrorClass.RETRYABLE if retryable else ErrorClass.MESSAGE
    if code in RETRYABLE_CODES or http_status == 429 or (http_status is not None and http_status >= 500):
        return ErrorClass.RETRYABLE
    return ErrorClass.MESSAGE


def is_throttle(code: int | None, http_status: int | None = None) -> bool:
    """Meta (or anything in front of it) asked us to slow down."""
    return code in THROTTLE_CODES or http_status == 429


def advice(code: int | None, fallback: str = "") -> str:
    """What happened and what to do, in plain words; `fallback` (e.g. Meta's own title) for a code not listed."""
    if code in ADVICE:
        return ADVICE[code]
    return fallback or "WhatsApp refused the message"


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    """In-cycle retries of a retryable send: `attempts` tries in all, waiting base, base*factor, ... (capped)."""

    attempts: int = 3
    base_seconds: float = 0.25
    factor: float = 2.0
    max_seconds: float = 2.0

    def wait_before(self, attempt: int) -> float:
        """The wait before try number `attempt` (1 = the first retry)."""
        return min(self.max_seconds, self.base_seconds * self.factor ** (attempt - 1))


class AlertKind(StrEnum):
    ACCOUNT = "account"
    TEMPLATE = "template"


@dataclass(frozen=True, slots=True, kw_only=True)
class WhatsAppAlert:
    """A WhatsApp problem the owner must fix: the whole account (every send stopped) or one template.

    Stored per organisation (chalicelib/storage/whatsapp_alerts.py) until the owner fixes it: saving the WhatsApp
    number again clears an account alert; the template's next successful send clears a template alert.
    """

    kind: AlertKind
    code: int | None
    reason: str  # plain words: what happened and what to do (`advice`)
    at: dt.datetime
    template: str = ""  # "name/language" for a template alert

    @property
    def key(self) -> str:
        return "ACCOUNT" if self.kind is AlertKind.ACCOUNT else f"TEMPLATE#{self.template}"


def account_blocked_detail(alert: WhatsAppAlert) -> str:
    """The reason on every reminder not sent while the account is blocked."""
    code = f" (#{alert.code})" if alert.code is not None else ""
    return f"not sent: WhatsApp account blocked{code}: {alert.reason}; sending resumes once that is fixed"


def template_stopped_detail(template: str, code: int | None, reason: str) -> str:
    code_text = f" (#{code})" if code is not None else ""
    return f"not sent: template {template} stopped for this cycle{code_text}: {reason}"
