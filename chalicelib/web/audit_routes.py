"""The organisation's activity (audit log) page, and `note`, which the other route modules call when a signed-in
user changes something (docs/privacy.md "Audit log").

Filters are GET query parameters (`kind`, `from`, `to`: days in the organisation's time zone), so a filtered view
can be bookmarked; nothing in them is trusted beyond choosing among the organisation's own entries.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from chalice.app import Response

from chalicelib.web.handler import Ctx, handler, page, web

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from chalicelib.domain.notes import Note

SHOWN = 200  # the newest entries a page shows; narrow the dates to see older ones


def note(ctx: Ctx, kind: str, what: str, *, org_id: str = "", who: str = "", words: Note | None = None) -> None:
    """One audit entry for what the signed-in user just did (never fails the request: services/audit.py)."""
    from chalicelib import bootstrap
    from chalicelib.services.audit import note as write

    lunas = bootstrap.container()
    user = ctx.principal
    write(
        lunas.audit,
        org_id or (user.org_id if user else ""),
        kind,
        who or (user.email if user else ""),
        what,
        at=lunas.clock.now(),
        words=words,
    )


def note_sign_in(ctx: Ctx, id_token: str) -> None:
    """A sign-in, for the organisation the new session belongs to."""
    from chalicelib.domain.audit import SIGN_IN
    from chalicelib.web.handler import authenticator

    try:
        principal = authenticator().principal(id_token)
    except Exception:  # the sign-in itself succeeded; the next page checks the session again
        return
    from chalicelib.domain import notes

    words = notes.note("audit_signed_in")
    note(ctx, SIGN_IN, "Signed in to the dashboard", org_id=principal.org_id, who=principal.email, words=words)


def _day(text: str) -> dt.date | None:
    """A day typed in a filter (YYYY-MM-DD), or None for anything else (a year past 9000 too: no overflow)."""
    try:
        day = dt.date.fromisoformat(text.strip()[:10]) if text.strip() else None
    except ValueError:
        return None
    return day if day is not None and 1970 <= day.year <= 9000 else None


def _start_of(day: dt.date | None, zone: ZoneInfo) -> dt.datetime | None:
    return dt.datetime.combine(day, dt.time(), tzinfo=zone) if day else None


@web.route("/audit", methods=["GET"])
@handler()
def audit_log(ctx: Ctx) -> Response:
    from zoneinfo import ZoneInfo  # here, not at import: app.py's cold start

    from chalicelib import bootstrap
    from chalicelib.domain.audit import KINDS

    kind = ctx.query("kind") if ctx.query("kind") in KINDS else ""
    first, last = _day(ctx.query("from")), _day(ctx.query("to"))
    zone = ZoneInfo(ctx.timezone)
    since = _start_of(first, zone)
    until = _start_of(last + dt.timedelta(days=1), zone) if last else None  # "to" includes that whole day
    lunas = bootstrap.container()
    entries = lunas.audit.entries(ctx.user.org_id, kinds=[kind] if kind else [], since=since, until=until, limit=SHOWN)
    return page(
        ctx,
        "audit.html",
        page="settings",
        entries=entries,
        kinds=KINDS,
        kind=kind,
        first=first.isoformat() if first else "",
        last=last.isoformat() if last else "",
        shown=SHOWN,
        kept_days=lunas.settings.audit_retention_days,
    )
