"""Small server-rendered pages (jinja2, autoescaped) that customers see after tapping a reminder's button."""

from __future__ import annotations

from collections.abc import Sequence

from jinja2 import Environment

_ENV = Environment(autoescape=True)

_PAYMENT_LINKS = _ENV.from_string(
    """<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ t.title }}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:32rem;padding:0 1rem;line-height:1.5}
a{display:block;padding:.8rem 1rem;margin:.5rem 0;border:1px solid #1a7f5a;border-radius:.5rem;color:#1a7f5a;
text-decoration:none}li{margin:.5rem 0}</style></head>
<body>
{% if lines %}<h1>{{ t.heading }}</h1>
{% for number, url in lines %}{% if url %}<a href="{{ url }}" rel="noopener">{{ t.pay }} {{ number }}</a>
{% endif %}{% endfor %}
{% if offline %}<p>{{ t.offline.format(business=business) }}</p>
<ul>{% for number in offline %}<li>{{ number }}</li>{% endfor %}</ul>{% endif %}
{% else %}{# the language of a missing link is unknown: both #}
<h1>{{ texts.id.missing_heading }} / {{ texts.en.missing_heading }}</h1>
<p>{{ texts.id.missing }}<br>{{ texts.en.missing }}</p>{% endif %}
</body></html>"""
)

_TEXTS = {
    "id": {
        "title": "Pembayaran",
        "heading": "Tagihan",
        "pay": "Bayar",
        "offline": "Tagihan berikut tidak bisa dibayar online. Silakan bayar ke {business} seperti biasa "
        "(misalnya transfer bank), atau balas pesan WhatsApp-nya untuk menanyakan caranya.",
        "missing_heading": "Tautan tidak ditemukan",
        "missing": "Tautan ini sudah kedaluwarsa atau tidak ada. Silakan hubungi penjual Anda.",
    },
    "en": {
        "title": "Payment",
        "heading": "Invoices",
        "pay": "Pay",
        "offline": "These invoices cannot be paid online. Please pay {business} the usual way (for example by bank "
        "transfer), or reply to the WhatsApp message to ask how.",
        "missing_heading": "Link not found",
        "missing": "This link has expired or does not exist. Please contact the business that sent it.",
    },
}


def payment_links_page(lines: Sequence[tuple[str, str | None]], *, business: str = "", language: str = "id") -> str:
    """The invoices behind a pay link: a button per online payment page, and how to pay the ones without."""
    lang = language if language in _TEXTS else "id"
    offline = [number for number, url in lines if not url]
    return _PAYMENT_LINKS.render(
        lang=lang, t=_TEXTS[lang], texts=_TEXTS, lines=lines, offline=offline, business=business or "the business"
    )
