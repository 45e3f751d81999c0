"""The owner's daily summary e-mail, sent once a day per organisation at 08:00 in its time zone.

An hourly schedule (app.py) calls `send_daily_digests`; it picks the organisations whose local hour is 8 and whose
owner left the summary on, and claims a one-time marker per organisation and local date before sending, so a
retried or duplicated schedule never sends two. If the send fails, the marker is released so the next run (an hour
later it is 09:00 and not due: the day is skipped, never doubled) or a retry in the same hour can try again.
What the e-mail says is composed elsewhere (`compose`: the web layer renders it in the owner's language from the
home page's own data, chalicelib/web/digest_mail.py).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from chalicelib.domain.digest import digest_day, digest_marker
from chalicelib.ports import DigestPreferences, MailSender, OneTimeClaims

log = logging.getLogger(__name__)

KEEP_MARKER = dt.timedelta(days=2)  # longer than any retry of one day's schedule; within retention.CLAIM


@dataclass(frozen=True, slots=True, kw_only=True)
class DigestMail:
    subject: str
    text: str
    html: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DigestDependencies:
    preferences: DigestPreferences
    claims: OneTimeClaims
    mail: MailSender
    sender: str  # LUNAS_DIGEST_FROM: a verified SES identity
    timezone_of: Callable[[str], str]
    compose: Callable[[str, dt.date], DigestMail]  # (org, the day reported on) -> the e-mail


def send_daily_digests(org_ids: Iterable[str], now: dt.datetime, deps: DigestDependencies) -> list[str]:
    """Send today's summary to every organisation due now; returns those sent. One failing does not stop others."""
    if not deps.sender:
        log.info("no LUNAS_DIGEST_FROM: daily summaries are off")
        return []
    sent: list[str] = []
    for org_id in dict.fromkeys(org_ids):
        try:
            if send_digest(org_id, now, deps):
                sent.append(org_id)
        except Exception:
            log.exception("daily summary not sent", extra={"org_id": org_id})
    return sent


def send_digest(org_id: str, now: dt.datetime, deps: DigestDependencies) -> bool:
    """One organisation's summary, if due now, on, and not sent yet today (the claim decides)."""
    today = digest_day(now, deps.timezone_of(org_id))
    if today is None:
        return False
    preference = deps.preferences.get(org_id)
    if not preference.sends:
        return False
    marker = digest_marker(today)
    if not deps.claims.claim(org_id, marker, now, KEEP_MARKER):
        return False  # a duplicated or retried schedule: already sent (or being sent) today
    try:
        mail = deps.compose(org_id, today - dt.timedelta(days=1))
        deps.mail.send(sender=deps.sender, to=preference.email, subject=mail.subject, text=mail.text, html=mail.html)
    except Exception:
        deps.claims.release(org_id, marker)  # nothing went out: a retry may send it
        raise
    log.info("daily summary sent", extra={"org_id": org_id, "day": today.isoformat()})
    return True
