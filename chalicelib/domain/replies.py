"""What a customer's WhatsApp reply means: stop reminders, start them again, "yes", or anything else.

Meta does not act on a typed STOP for utility templates (api-facts.md §3.8), so Lunas must. Customers do not type
keywords exactly: "Stop!!", "stop ya pak 🙏", "S T O P", "Jangan kirim lagi." and "please stop sending these" all mean
the same. Matching is tolerant of case, accents, spaces, punctuation, emoji, stretched letters and polite filler words,
in English and Bahasa Indonesia. A whole message that is one of the short keywords counts; a longer message counts
only when it contains an unambiguous phrase ("unsubscribe", "jangan kirim lagi"), so "stop by the office" or
"jangan kirim ke alamat lama" are not opt-outs.

What a reply then does is decided here too (`services/replies.py` carries it out): an opt-out is recorded as consent
evidence and confirmed once in the customer's language; "yes" counts as an opt-in only as the answer to the prompt
that confirmation carries (for `PROMPT_FOR`); the "I have paid" button holds the reminded invoices as the pay page's
"I have paid" does; "Need more time" pauses the customer for `MORE_TIME_PAUSE`; any other reply pauses that
customer's reminders for a few days so the owner can answer. Pure functions, no I/O.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from chalicelib.domain.models import STOP_REMINDERS_PAYLOAD, Consent, ConsentStatus

if TYPE_CHECKING:
    from chalicelib.domain.events import InboundMessage

PROMPT_FOR = dt.timedelta(hours=24)  # "reply YES" counts as opt-in this long after our prompt

# Quick-reply payloads of the templates' "I have paid" and "Need more time" buttons (templates/README.md); the sender
# attaches them at send time, so a tap arrives with the payload whatever the button's language.
SAID_PAID_PAYLOAD = "LUNAS_SAID_PAID"
MORE_TIME_PAYLOAD = "LUNAS_MORE_TIME"
MORE_TIME_PAUSE = dt.timedelta(days=7)  # "Need more time" pauses the customer this long; the owner records a date


class ReplyIntent(StrEnum):
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    AFFIRM = "affirm"  # "yes" / "ya": an opt-in only as the answer to an opt-in prompt
    SAID_PAID = "said_paid"  # the "I have paid" button: hold the message's invoices while the owner checks
    MORE_TIME = "more_time"  # the "Need more time" button: pause the customer; the owner records a promise date
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class ReplyMeaning:
    intent: ReplyIntent
    language: str | None = None  # "en" | "id" when the words tell, for the confirmation message
    matched: str = ""  # the keyword or phrase that decided it


# Whole-message keywords (after normalisation and filler stripping), by language.
_OPT_OUT_WORDS = {
    "en": (
        "stop", "stop all", "stop please", "unsubscribe", "unsub", "cancel", "end", "quit", "opt out", "optout",
        "stop reminders", "stop reminder", "stop messages", "stop messaging", "no more", "no more messages",
        "remove me", "do not contact", "dont contact me", "do not message me", "dont message me", "leave me alone",
    ),
    "id": (
        "berhenti", "henti", "hentikan", "stop pengingat", "berhenti pengingat", "hentikan pengingat",
        "jangan kirim lagi", "jangan kirim", "jangan hubungi", "jangan hubungi saya", "jangan hubungi lagi",
        "jangan ganggu", "jangan ganggu saya", "berhenti berlangganan", "berhenti langganan", "unreg", "keluar",
        "tidak mau lagi", "ga mau lagi", "gak mau lagi", "nggak mau lagi", "ngga mau lagi", "udah jangan kirim",
        "tidak usah kirim lagi", "gak usah kirim lagi", "ga usah kirim lagi", "stop kirim", "berhenti kirim",
    ),
}  # fmt: skip

# Phrases that mean opt-out wherever they appear in a longer message.
_OPT_OUT_PHRASES = {
    "en": (
        "unsubscribe", "stop reminders", "stop reminding", "stop sending", "stop messaging", "stop texting",
        "stop contacting", "opt out", "do not message me", "dont message me", "do not contact me",
        "dont contact me", "no more reminders", "no more messages",
    ),
    "id": (
        "berhenti berlangganan", "jangan kirim lagi", "jangan kirim pesan", "jangan kirimi", "jangan hubungi saya",
        "jangan hubungi lagi", "hentikan pengingat", "berhenti mengirim", "stop kirim", "berhenti kirim",
        "tidak usah kirim lagi", "gak usah kirim lagi", "ga usah kirim lagi",
    ),
}  # fmt: skip

_OPT_IN_WORDS = {
    "en": ("start", "unstop", "resume", "subscribe", "start reminders", "start again", "opt in", "optin"),
    "id": ("mulai", "mulai lagi", "aktifkan", "aktifkan lagi", "berlangganan", "lanjut", "lanjutkan", "kirim lagi"),
}
_AFFIRM_WORDS = {
    "en": ("yes", "y", "yes please", "yeah", "yep", "sure", "i agree", "agree"),
    "id": ("ya", "iya", "iyaa", "setuju", "boleh", "mau", "ya boleh", "ya setuju", "ya mau"),
}

# Polite words around the keyword that do not change its meaning ("tolong stop ya pak", "stop please thanks").
_FILLER = frozenset(
    {
        "please", "pls", "plz", "thanks", "thank", "you", "thx", "ok", "okay", "sir", "madam",
        "tolong", "mohon", "ya", "yah", "dong", "deh", "aja", "saja", "sih", "terima", "kasih", "makasih",
        "trims", "pak", "bu", "bapak", "ibu", "kak", "mas", "mbak", "bang", "gan", "min", "admin",
    }
)  # fmt: skip


def normalise(text: str) -> str:
    """Lower case, no accents, punctuation or emoji, single spaces: "  STOP!!! 🛑 " -> "stop"."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    kept = []
    for ch in decomposed:
        category = unicodedata.category(ch)
        if category.startswith("M"):
            continue  # accents and emoji modifiers
        kept.append(ch.casefold() if category[0] in "LN" else " ")
    return " ".join("".join(kept).replace("'", "").split())


def _squeeze(text: str) -> str:
    """The spaceless form with stretched letters collapsed: "s t o o o p" -> "stop", "stopp" -> "stop"."""
    return re.sub(r"(.)\1+", r"\1", text.replace(" ", ""))


def _strip_filler(words: list[str]) -> list[str]:
    start, end = 0, len(words)
    while start < end and words[start] in _FILLER:
        start += 1
    while end > start and words[end - 1] in _FILLER:
        end -= 1
    stripped = words[start:end]
    return stripped or words


def _index(table: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, str]]:
    return {_squeeze(word): (language, word) for language, words in table.items() for word in words}


_OPT_OUT_INDEX = _index(_OPT_OUT_WORDS)
_OPT_IN_INDEX = _index(_OPT_IN_WORDS)
_AFFIRM_INDEX = _index(_AFFIRM_WORDS)
_PHRASES = [
    (language, phrase, re.compile(rf"(?:^| ){re.escape(phrase)}(?: |$)"))
    for language, phrases in _OPT_OUT_PHRASES.items()
    for phrase in phrases
]


def classify_text(text: str) -> ReplyMeaning:
    """The intent of a free-text reply. Opt-out wins over everything else when in doubt."""
    words = normalise(text).split()
    if not words:
        return ReplyMeaning(ReplyIntent.OTHER)
    key = _squeeze(" ".join(_strip_filler(words)))
    for index, intent in ((_OPT_OUT_INDEX, ReplyIntent.OPT_OUT), (_OPT_IN_INDEX, ReplyIntent.OPT_IN)):
        if key in index:
            language, word = index[key]
            return ReplyMeaning(intent, language, word)
    joined = " ".join(words)
    for language, phrase, pattern in _PHRASES:
        if pattern.search(joined):
            return ReplyMeaning(ReplyIntent.OPT_OUT, language, phrase)
    if key in _AFFIRM_INDEX:
        language, word = _AFFIRM_INDEX[key]
        return ReplyMeaning(ReplyIntent.AFFIRM, language, word)
    return ReplyMeaning(ReplyIntent.OTHER)


def classify_button(payload: str, label: str = "") -> ReplyMeaning:
    """A quick-reply tap: our buttons' payloads say what was tapped; otherwise read the label like text."""
    if payload == STOP_REMINDERS_PAYLOAD:
        return ReplyMeaning(ReplyIntent.OPT_OUT, None, STOP_REMINDERS_PAYLOAD)
    if payload == SAID_PAID_PAYLOAD:
        return ReplyMeaning(ReplyIntent.SAID_PAID, None, SAID_PAID_PAYLOAD)
    if payload == MORE_TIME_PAYLOAD:
        return ReplyMeaning(ReplyIntent.MORE_TIME, None, MORE_TIME_PAYLOAD)
    return classify_text(label or payload)


# -- what a reply does ------------------------------------------------------------------------------------------------


def reply_intent(meaning: ReplyMeaning, *, prompted: bool) -> ReplyIntent:
    """The intent acted on: a "yes" is an opt-in when it answers our opt-in prompt, otherwise the words decide."""
    if meaning.intent is ReplyIntent.AFFIRM and prompted:
        return ReplyIntent.OPT_IN
    return meaning.intent


def consent_from_reply(org_id: str, message: InboundMessage, status: ConsentStatus) -> Consent:
    """The consent record a reply makes, with the message itself as the evidence."""
    source = "whatsapp_button" if message.kind in ("button", "interactive") else "whatsapp_reply"
    return Consent(
        org_id=org_id,
        phone=message.phone,
        status=status,
        source=source,
        evidence=f'WhatsApp message {message.message_id} at {message.at.isoformat()}: "{message.text}"',
        captured_at=message.at,
    )


def pause_until(message: InboundMessage, now: dt.datetime, pause: dt.timedelta) -> dt.datetime:
    """Until when a reply (other than STOP or YES) pauses that customer's reminders."""
    return max(message.at, now) + pause


def confirmation_text(language: str, business_name: str) -> str:
    """The one message confirming an opt-out (inside the 24-hour window the customer's message opened)."""
    if language == "id":
        return (
            f"Baik, Anda tidak akan menerima pengingat tagihan dari {business_name} lagi melalui WhatsApp. "
            "Balas MULAI jika ingin menerimanya kembali."
        )
    return (
        f"Done: you will no longer receive invoice reminders from {business_name} on WhatsApp. "
        "Reply START to receive them again."
    )
