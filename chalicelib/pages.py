"""Small server-rendered pages (jinja2, autoescaped) that customers see after tapping a reminder's button."""

from __future__ import annotations

from collections.abc import Sequence

from jinja2 import Environment

_ENV = Environment(autoescape=True)

_PAYMENT_LINKS = _ENV.from_string(
    """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pembayaran / Payment</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:32rem;padding:0 1rem}
a{display:block;padding:.8rem 1rem;margin:.5rem 0;border:1px solid #1a7f5a;border-radius:.5rem;color:#1a7f5a;
text-decoration:none}</style></head>
<body>
{% if links %}<h1>Tagihan / Invoices</h1>
{% for number, url in links %}<a href="{{ url }}" rel="noopener">Bayar / Pay {{ number }}</a>
{% endfor %}{% else %}<h1>Tautan tidak ditemukan / Link not found</h1>
<p>Tautan ini sudah kedaluwarsa atau tidak ada. Silakan hubungi penjual Anda.<br>
This link has expired or does not exist. Please contact the business that sent it.</p>{% endif %}
</body></html>"""
)


def payment_links_page(links: Sequence[tuple[str, str]]) -> str:
    return _PAYMENT_LINKS.render(links=links)
