"""Meta's template events (status, category, quality) and what they mean for sending.

The reminder cycle asks Meta for the approved templates and caches the answer for a few minutes. A template event
(PAUSED, DISABLED, re-categorised as MARKETING, ...) must take effect at once, so the registry these events write
overrides that cached answer both ways: a template the registry says is unusable is dropped, one it says is approved
UTILITY again is added. The owner sees the event's reason in the decision ("template_not_approved: PAUSED ...").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from chalicelib.domain.models import TemplateRef

# Events after which the template can be sent (FLAGGED is a warning before a pause, not a pause).
_USABLE_STATUSES = frozenset({"APPROVED", "REINSTATED", "UNARCHIVED", "FLAGGED"})
_USABLE_CATEGORY = "UTILITY"


@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateState:
    """What the registry knows about one template, from Meta's events."""

    name: str
    language: str
    status: str | None = None
    status_reason: str = ""
    category: str | None = None
    pending_category: str | None = None
    pending_category_from: dt.datetime | None = None
    quality: str | None = None
    status_at: dt.datetime | None = None  # when the status was last set (a Meta event's time, a push or a sync)

    @property
    def ref(self) -> TemplateRef:
        return TemplateRef(self.name, self.language)


def verdict(state: TemplateState, now: dt.datetime) -> str | None:
    """None when the template may be sent, else why not (in words the owner sees)."""
    if state.status is not None and state.status.upper() not in _USABLE_STATUSES:
        reason = f" ({state.status_reason})" if state.status_reason else ""
        return f"Meta reported {state.status.upper()}{reason}"
    category = (state.category or "").upper()
    if category and category != _USABLE_CATEGORY:
        return f"Meta re-categorised it as {category}; reminders only use UTILITY templates"
    pending = (state.pending_category or "").upper()
    if pending and pending != _USABLE_CATEGORY and state.pending_category_from and state.pending_category_from <= now:
        return f"Meta re-categorised it as {pending} from {state.pending_category_from:%Y-%m-%d}"
    return None


def apply_registry(
    approved: frozenset[TemplateRef], states: Iterable[TemplateState], now: dt.datetime
) -> tuple[frozenset[TemplateRef], dict[TemplateRef, str]]:
    """Meta's (possibly cached) approved list, corrected by the registry; and why each dropped one was dropped."""
    usable = set(approved)
    notes: dict[TemplateRef, str] = {}
    for state in states:
        why = verdict(state, now)
        if why is not None:
            usable.discard(state.ref)
            notes[state.ref] = why
        elif (state.status or "").upper() in _USABLE_STATUSES and (state.category or "").upper() == _USABLE_CATEGORY:
            usable.add(state.ref)
    return frozenset(usable), notes
