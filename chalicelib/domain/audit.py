"""The organisation's audit log: who did what, when, in plain words (docs/privacy.md "Audit log").

An entry never holds a full phone number, a token or a message's text: callers mask numbers
(`chalicelib.domain.masking.mask_phone`) and give counts, not contents. Entries expire after
`chalicelib.domain.retention.AUDIT` (13 months by default, `LUNAS_AUDIT_RETENTION_DAYS`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from chalicelib.domain.notes import Note

# The kinds of entry, in the order the dashboard's filter lists them.
SIGN_IN = "sign_in"
CONNECTION = "connection"
SYNC = "sync"
REMINDERS = "reminders"
CONSENT = "consent"
SETTINGS = "settings"
WHATSAPP = "whatsapp"
EXPORT = "export"
ERASURE = "erasure"
DELETION = "deletion"
KINDS: tuple[str, ...] = (SIGN_IN, CONNECTION, SYNC, REMINDERS, CONSENT, SETTINGS, WHATSAPP, EXPORT, ERASURE, DELETION)

# Who, when it is not a signed-in user (whose e-mail is used).
WHATSAPP_WEBHOOK = "whatsapp webhook"
SCHEDULER = "scheduler"
CLI_OPERATOR = "cli operator"

MAX_WHAT = 500  # characters: an entry is a line, not a document


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEntry:
    """One line of the audit log."""

    org_id: str
    kind: str
    who: str
    what: str  # in English: the export, the command line
    at: dt.datetime
    words: Note | None = None  # the same line as words the dashboard says in the owner's language (domain/notes.py)


def entry(org_id: str, kind: str, who: str, what: str, at: dt.datetime, *, words: Note | None = None) -> AuditEntry:
    """A checked entry: a known kind, someone named, the text cut to one line of `MAX_WHAT` characters."""
    if kind not in KINDS:
        raise ValueError(f"unknown audit kind {kind!r}")
    line = " ".join(what.split())[:MAX_WHAT]
    return AuditEntry(org_id=org_id, kind=kind, who=(who or "unknown")[:200], what=line, at=at, words=words)
