"""Writing the audit log from wherever something happens, and describing a reminder cycle in one line.

A lost audit line must not undo what it describes (a reminder already sent, a setting already saved): `note` logs
the failure (without the line's text) and carries on. Entries name masked numbers and counts, never contents.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from chalicelib.domain import notes
from chalicelib.domain.audit import MAX_WHAT
from chalicelib.domain.notes import Note
from chalicelib.observability import logger
from chalicelib.ports import AuditLog


def note(
    audit: AuditLog | None, org_id: str, kind: str, who: str, what: str, *, at: dt.datetime, words: Note | None = None
) -> None:
    """Record one entry; a failure to write it is logged, never raised."""
    if audit is None:
        return
    try:
        audit.record(org_id, kind, who, what, at, words=words)
    except Exception:  # the action it describes already happened
        logger.exception("audit entry not recorded", extra={"kind": kind})


def cycle_line(connection_name: str, sent: int, not_sent: Mapping[str, int]) -> str:
    """ "Reminders for Toko Maju: 2 sent; not sent: 3 no consent, 1 not due" (counts by reason, never invoices)."""
    reasons = ", ".join(f"{n} {reason.replace('_', ' ')}" for reason, n in sorted(not_sent.items()) if n)
    line = f"Reminders for {connection_name}: {sent} sent"
    return (line + (f"; not sent: {reasons}" if reasons else ""))[:MAX_WHAT]


def cycle_words(connection_name: str, sent: int, not_sent: Mapping[str, int]) -> Note:
    """`cycle_line` as words the dashboard translates (the reasons' own names, chalicelib/web/render.py)."""
    counts = ",".join(f"{reason}={n}" for reason, n in sorted(not_sent.items()) if n)
    key = "audit_cycle_skipped" if counts else "audit_cycle"
    return notes.note(key, name=connection_name[:100], sent=str(sent), counts=counts)
