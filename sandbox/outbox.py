"""The sandbox's outbox: the e-mails Lunas sent through SES (moto), for the owner to read (the daily summary).

Served by the fake Meta server at `GET /_sandbox/outbox` (HTML: newest first, each with its subject, addresses and
body) and `GET /_sandbox/outbox.json`. Nothing leaves the machine: moto keeps what SES accepted in memory.
"""

from __future__ import annotations

import html
from typing import Any

from sandbox.aws import sent_mail
from sandbox.fakehttp import Request, Response

OUTBOX_PATH = "/_sandbox/outbox"


def register_outbox(server: Any) -> str:
    """Add the outbox pages to a running fake; returns the page's URL."""
    server.route("GET", rf"^{OUTBOX_PATH}$", _page)
    server.route("GET", rf"^{OUTBOX_PATH}\.json$", lambda request: Response(body=sent_mail()))
    return str(server.url) + OUTBOX_PATH


def _page(request: Request) -> Response:
    items = []
    for mail in sent_mail():
        items.append(
            "<article><h2>{subject}</h2><p>From {sender} to {to}</p>"
            '<iframe title="{subject}" srcdoc="{body}" style="width:100%;height:28em;border:1px solid #ccc">'
            "</iframe></article>".format(
                subject=html.escape(mail["subject"]),
                sender=html.escape(mail["from"]),
                to=html.escape(", ".join(mail["to"])),
                body=html.escape(mail["body"], quote=True),
            )
        )
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sandbox outbox</title></head>'
        '<body style="font-family:sans-serif;max-width:50em;margin:auto"><h1>Sandbox outbox</h1>'
        + ("".join(items) or "<p>No e-mail sent yet.</p>")
        + "</body></html>"
    )
    return Response(body=body, headers={"Content-Type": "text/html; charset=utf-8"})
