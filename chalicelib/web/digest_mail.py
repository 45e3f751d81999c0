"""What the owner's daily summary e-mail says (services/digest.py sends it): yesterday's reminders, replies waiting
and what needs attention, in the organisation's language, as plain text and simple HTML (templates/email/).

It reuses the home page's own data (`dashboard.home`, `domain/home.py`) rather than counting again, so the e-mail and
the home page never disagree.
"""

from __future__ import annotations

import datetime as dt

from chalicelib import bootstrap
from chalicelib.domain.digest import day_messages
from chalicelib.services.digest import DigestMail
from chalicelib.web.i18n import LANGUAGES, translate
from chalicelib.web.render import render


def compose(org_id: str, day: dt.date) -> DigestMail:
    """The summary of `day` (the organisation's yesterday) for `org_id`'s owner."""
    from chalicelib.web import dashboard

    lunas = bootstrap.container()
    settings = lunas.stores.organisations.settings(org_id)
    lang = settings.language if settings.language in LANGUAGES else "id"
    counts = day_messages(lunas.stores.ledger.messages(org_id, since=day), day)
    home = dashboard.home(org_id)
    replies = sum(int(str(dict(item.values).get("count", 0))) for item in home.attention if item.kind == "replies")
    attention = [translate(lang, item.key, **dict(item.values)) for item in home.attention]
    context = {
        "business": settings.business_name,
        "report_day": day,
        "messages": counts,
        "replies": replies,
        "attention": attention,
        "dashboard_url": lunas.settings.public_base_url.rstrip("/") + "/dashboard",
    }
    subject = translate(lang, "digest_subject", business=settings.business_name)
    return DigestMail(
        subject=subject,
        text=render("email/digest.txt", lang=lang, timezone=settings.timezone, **context),
        html=render("email/digest.html", lang=lang, timezone=settings.timezone, **context),
    )
