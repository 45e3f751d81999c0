"""A decision's specifics as words the dashboard says in the owner's language.

`Decision.detail` is English prose for logs, the command line and the export; the owner reads the `Note` instead: an
i18n key (`note_<key>`, chalicelib/web/words/notes.py) and its values, formatted by the page in its language
(chalicelib/web/render.py `note_words`). Values are plain strings named by what they hold, so the page knows how to
show them: `*_at` an instant (ISO 8601 with offset), `date` / `*_date` a calendar date (ISO), `amount` / `minimum`
money ("1250000.00 IDR"), `source` a consent source id, `stage` a stage key (d-3, d0, d+7); others are shown as is.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # models.py imports this module (Decision.note)
    from chalicelib.domain.models import Money

__all__ = ["NOTE_KEYS", "Note", "instant_value", "money_value", "note"]

# domain/thanks.py `ThanksReason` values (not imported: models.py imports this module)
_THANKS_REASONS = (
    "no_phone",
    "no_consent",
    "opted_out",
    "erased",
    "outside_window",
    "template_not_approved",
    "send_failed",
    "retry",
    "unconfirmed",
    "too_late",
)

# Every note a decision can carry; each has words in both languages (tests/test_notes.py).
NOTE_KEYS = frozenset(
    {
        "voided",
        "nothing_to_pay",
        "closed_paid",
        "closed_voided",
        "paid_at_recheck",
        "invoice_paused",
        "customer_paused",
        "said_paid_page",
        "said_paid_whatsapp",
        "promised",
        "below_minimum",
        "no_stages",
        "first_reminder",
        "ledger_sent",
        "ledger_claimed",
        "ledger_failed",
        "erased",
        "opted_out",
        "outside_window",
        "changed_at_recheck",
        "other_changed_at_recheck",
        "audit_signed_in",
        "audit_connected",
        "audit_disconnected",
        "audit_disconnected_unconfirmed",
        "audit_sync_sweep",
        "audit_sync_changes",
        "audit_cycle",
        "audit_cycle_skipped",
        "audit_cycle_problem",
        "audit_consent_opted_in",
        "audit_consent_opted_out",
        "audit_schedule_added",
        "audit_schedule_changed",
        "audit_schedule_deleted",
        "audit_default_schedule_changed",
        "audit_digest_on",
        "audit_digest_off",
        "audit_thanks_on",
        "audit_thanks_off",
        "audit_payments_changed",
        "audit_qris_uploaded",
        "audit_qris_removed",
        "audit_wa_connected",
        "audit_wa_saved_by_hand",
        "audit_wa_removed",
        "audit_wa_removed_shared",
        "audit_wa_removed_unconfirmed",
        "audit_org_exported",
        "audit_person_exported",
        "audit_person_erased",
        # the thank-you for a paid invoice (domain/thanks.py; words in chalicelib/web/words/thanks.py)
        "thanks_sent",
        *(f"thanks_{reason}" for reason in _THANKS_REASONS),
    }
)


@dataclass(frozen=True, slots=True)
class Note:
    key: str
    values: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> str:
        return json.dumps({"key": self.key, "values": dict(self.values)}, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | None) -> Note | None:
        """The stored note; None for nothing stored or anything unreadable (an older record shows its detail)."""
        if not text:
            return None
        try:
            data = json.loads(text)
            values = data.get("values") or {}
            return cls(str(data["key"]), tuple((str(k), str(v)) for k, v in values.items()))
        except (ValueError, KeyError, TypeError, AttributeError):
            return None


def note(key: str, **values: str) -> Note:
    if key not in NOTE_KEYS:
        raise ValueError(f"no words for the note {key!r}: add it to NOTE_KEYS and chalicelib/web/words/notes.py")
    return Note(key, tuple(values.items()))


def money_value(money: Money) -> str:
    return f"{money.amount} {money.currency}"


def instant_value(instant: dt.datetime) -> str:
    return instant.isoformat()
