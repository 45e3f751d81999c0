"""Small server-rendered pages (jinja2, autoescaped) that customers see after tapping a reminder's button.

The pay page speaks the reminder's language and is built for a phone: the invoices (number, amount, due date, the
accounting system's online invoice where there is one), how to pay the business (bank accounts, virtual account,
e-wallet, QRIS, as the owner set them in the dashboard) and an "I have paid" button. It shows nothing but the
link's own invoices and the business's instructions.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from jinja2 import Environment

from chalicelib.domain.models import Money
from chalicelib.domain.records import PaymentInstructions, PaymentTarget
from chalicelib.domain.wording import format_days, format_due_date, format_money

if TYPE_CHECKING:
    from chalicelib.services.payments import PaymentView


# No referrer, no caching, no framing, no indexing: a pay page names a customer's invoices.
PAY_HEADERS: dict[str, str | list[str]] = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "X-Robots-Tag": "noindex",
}
PAY_PAGE_HEADERS: dict[str, str | list[str]] = {
    **PAY_HEADERS,
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'",
}

_ENV = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)

_STYLE = """*{box-sizing:border-box}body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;
max-width:32rem;padding:1rem;line-height:1.5;color:#101828;background:#f9fafb;overflow-wrap:anywhere}
h1{font-size:1.3rem;margin:.2rem 0 1rem}h2{font-size:1.1rem;margin:0 0 .6rem}h3{font-size:1rem;margin:.8rem 0 .2rem}
section,.invoice{background:#fff;border:1px solid #e4e7ec;border-radius:.6rem;padding:1rem;margin:0 0 1rem}
.invoice .amount{font-size:1.4rem;font-weight:700}.muted{color:#667085;font-size:.9rem}
.button,button{display:block;width:100%;text-align:center;padding:.9rem 1rem;margin:.6rem 0 0;border-radius:.5rem;
border:1px solid #1a7f5a;background:#fff;color:#1a7f5a;font-size:1rem;text-decoration:none;cursor:pointer}
button{background:#1a7f5a;color:#fff;font-weight:600}.note{padding:.8rem;border-radius:.5rem;background:#ecfdf3;
color:#05603a;margin:0 0 1rem}dl{margin:0}dt{color:#667085;font-size:.85rem}dd{margin:0 0 .4rem}
.account{font-size:1.25rem;font-weight:700;letter-spacing:.03em;user-select:all}.bank{border-top:1px solid #e4e7ec;
padding:.6rem 0}.bank:first-of-type{border-top:0}img{display:block;max-width:100%;height:auto;margin:.4rem auto}
.lang{text-align:right;font-size:.85rem}.lang a{color:#667085}"""

_PAY_PAGE = _ENV.from_string(
    """<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{{ t.title }}{% if business %} · {{ business }}{% endif %}</title>
<style>{{ style }}</style></head>
<body>
<p class="lang"><a href="?lang=id">Bahasa Indonesia</a> · <a href="?lang=en">English</a></p>
<h1>{{ t.heading.format(business=business) }}</h1>
{% if claimed_at %}
<p class="note" id="claimed" role="status">{{ t.claimed.format(business=business, when=claimed_at) }}</p>
{% endif %}
<div id="invoices">
{% for inv in invoices %}
<div class="invoice" data-number="{{ inv.number }}">
  <div>{{ t.invoice }} <strong>{{ inv.number }}</strong></div>
  {% if inv.amount %}<div class="amount">{{ inv.amount }}</div>{% endif %}
  {% if inv.due %}<div class="due">{{ t.due }} {{ inv.due }}</div>{% endif %}
  {% if inv.url %}<a class="button" href="{{ inv.url }}" rel="noopener noreferrer">{{ t.pay_online }}</a>{% endif %}
</div>
{% endfor %}
{% if total %}<p id="total"><strong>{{ t.total }}: {{ total }}</strong></p>{% endif %}
</div>
{% if offline %}
<section id="how-to-pay">
  <h2>{{ t.how_heading }}</h2>
  {% if given %}
  <p>{{ (t.how_some if online else t.how_all).format(business=business, numbers=offline | join(", ")) }}</p>
  {% if banks %}
  <h3>{{ t.bank_transfer }}</h3>
  {% for bank in banks %}
  <dl class="bank">
    <dt>{{ t.bank }}</dt><dd>{{ bank.bank }}</dd>
    <dt>{{ t.account_number }}</dt><dd class="account">{{ bank.account_number }}</dd>
    <dt>{{ t.holder }}</dt><dd>{{ bank.holder }}</dd>
  </dl>
  {% endfor %}
  {% endif %}
  {% if virtual_account %}<h3>{{ t.virtual_account }}</h3><p id="virtual-account">{{ virtual_account }}</p>{% endif %}
  {% if e_wallet %}<h3>{{ t.e_wallet }}</h3><p id="e-wallet">{{ e_wallet }}</p>{% endif %}
  {% if qris %}<h3>QRIS</h3><p class="muted">{{ t.qris }}</p>
  <img id="qris" src="{{ qris }}" alt="QRIS {{ business }}">{% endif %}
  <p class="muted">{{ t.reference }}</p>
  {% else %}
  <p>{{ t.offline.format(business=business) }}</p>
  <ul>{% for number in offline %}<li>{{ number }}</li>{% endfor %}</ul>
  {% endif %}
</section>
{% endif %}
{% if not claimed_at %}
<section id="i-have-paid">
  <form method="post" action="{{ claim_action }}">
    <button type="submit" id="paid">{{ t.paid_button }}</button>
  </form>
  <p class="muted">{{ t.paid_hint.format(business=business, days=hold) }}</p>
</section>
{% endif %}
</body></html>"""
)

_MISSING = _ENV.from_string(
    """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{{ texts.id.missing_heading }} / {{ texts.en.missing_heading }}</title>
<style>{{ style }}</style></head>
<body>{# the language of a missing link is unknown: both #}
<h1>{{ texts.id.missing_heading }} / {{ texts.en.missing_heading }}</h1>
<p>{{ texts.id.missing }}</p><p lang="en">{{ texts.en.missing }}</p>
</body></html>"""
)

_TEXTS = {
    "id": {
        "title": "Pembayaran",
        "heading": "Tagihan dari {business}",
        "invoice": "Invoice",
        "due": "Jatuh tempo",
        "total": "Total",
        "pay_online": "Bayar online",
        "how_heading": "Cara membayar",
        "how_all": "Silakan bayar ke {business} dengan salah satu cara berikut:",
        "how_some": "Invoice {numbers} tidak bisa dibayar online. Silakan bayar ke {business} dengan salah satu cara "
        "berikut:",
        "bank_transfer": "Transfer bank",
        "bank": "Bank",
        "account_number": "Nomor rekening",
        "holder": "Atas nama",
        "virtual_account": "Virtual account",
        "e_wallet": "E-wallet",
        "qris": "Pindai kode QRIS ini dengan aplikasi bank atau e-wallet Anda.",
        "reference": "Tuliskan nomor invoice di berita transfer.",
        "offline": "Tagihan berikut tidak bisa dibayar online. Silakan bayar ke {business} seperti biasa "
        "(misalnya transfer bank), atau balas pesan WhatsApp-nya untuk menanyakan caranya.",
        "paid_button": "Saya sudah membayar",
        "paid_hint": "Tekan setelah Anda membayar: kami beri tahu {business} dan pengingat untuk tagihan ini "
        "berhenti selama {days}.",
        "claimed": "Terima kasih. {business} sudah kami beri tahu bahwa Anda sudah membayar ({when}). Pengingat "
        "untuk tagihan ini berhenti sementara selama pembayaran Anda diperiksa.",
        "missing_heading": "Tautan tidak ditemukan",
        "missing": "Tautan ini sudah kedaluwarsa atau tidak ada. Silakan hubungi penjual Anda.",
    },
    "en": {
        "title": "Payment",
        "heading": "Invoices from {business}",
        "heading_one": "Invoice from {business}",
        "invoice": "Invoice",
        "due": "Due",
        "total": "Total",
        "pay_online": "Pay online",
        "how_heading": "How to pay",
        "how_all": "Please pay {business} in one of these ways:",
        "how_some": "Invoice {numbers} cannot be paid online. Please pay {business} in one of these ways:",
        "bank_transfer": "Bank transfer",
        "bank": "Bank",
        "account_number": "Account number",
        "holder": "Account holder",
        "virtual_account": "Virtual account",
        "e_wallet": "E-wallet",
        "qris": "Scan this QRIS code with your banking or e-wallet app.",
        "reference": "Please write the invoice number in the transfer reference.",
        "offline": "These invoices cannot be paid online. Please pay {business} the usual way (for example by bank "
        "transfer), or reply to the WhatsApp message to ask how.",
        "paid_button": "I have paid",
        "paid_hint": "Press this once you have paid: we will let {business} know and pause the reminders for these "
        "invoices for {days}.",
        "paid_hint_one": "Press this once you have paid: we will let {business} know and pause the reminders for this "
        "invoice for {days}.",
        "claimed": "Thank you. We told {business} that you have paid ({when}). Reminders for these invoices are "
        "paused while your payment is checked.",
        "claimed_one": "Thank you. We told {business} that you have paid ({when}). Reminders for this invoice are "
        "paused while your payment is checked.",
        "missing_heading": "Link not found",
        "missing": "This link has expired or does not exist. Please contact the business that sent it.",
    },
}
_FALLBACK_BUSINESS = {"id": "penjual", "en": "the business"}


def missing_payment_page() -> str:
    """An unknown or expired code: the language of the reminder is unknown, so both."""
    return _MISSING.render(texts=_TEXTS, style=_STYLE)


def payment_page_html(view: PaymentView, *, language: str | None = None) -> str:
    """The customer's page for one pay link (`language` overrides the reminder's: the page's language links)."""
    lang = language if language in _TEXTS else view.page.language if view.page.language in _TEXTS else "id"
    return _render(
        view.page.targets,
        lang=lang,
        business=view.business_name,
        instructions=view.instructions,
        qris=_data_url(view.qris.content_type, view.qris.data) if view.qris else "",
        claimed_at=_when(view.claim.claimed_at, view.timezone, lang) if view.claim else "",
        claim_action=f"/pay/{view.code}/paid" + (f"?lang={lang}" if language in _TEXTS else ""),
    )


def payment_links_page(lines: Sequence[tuple[str, str | None]], *, business: str = "", language: str = "id") -> str:
    """The invoices of a pay link as (number, payment page url) alone; no lines: the page of a missing link."""
    if not lines:
        return missing_payment_page()
    targets = [PaymentTarget(number=number, connection_id="", invoice_id="", url=url) for number, url in lines]
    lang = language if language in _TEXTS else "id"
    return _render(targets, lang=lang, business=business, instructions=PaymentInstructions(), qris="", claimed_at="")


def _render(
    targets: Sequence[PaymentTarget],
    *,
    lang: str,
    business: str,
    instructions: PaymentInstructions,
    qris: str,
    claimed_at: str,
    claim_action: str = "",
) -> str:
    offline = [t.number for t in targets if not t.url]
    texts = _TEXTS[lang]
    if len(targets) == 1:  # "this invoice", where the language says it differently
        texts = texts | {key.removesuffix("_one"): text for key, text in texts.items() if key.endswith("_one")}
    return _PAY_PAGE.render(
        lang=lang,
        t=texts,
        style=_STYLE,
        business=business or _FALLBACK_BUSINESS[lang],
        invoices=[_invoice(t, lang) for t in targets],
        total=_total(targets, lang),
        offline=offline,
        online=len(offline) < len(targets),
        given=instructions.given,
        banks=instructions.bank_accounts,
        virtual_account=instructions.virtual_account,
        e_wallet=instructions.e_wallet,
        qris=qris if offline else "",
        hold=format_days(instructions.claim_hold_days, lang),
        claimed_at=claimed_at,
        claim_action=claim_action,
    )


def _invoice(target: PaymentTarget, lang: str) -> dict[str, Any]:
    return {
        "number": target.number,
        "amount": format_money(target.amount, lang) if target.amount else "",
        "due": format_due_date(target.due_date, lang) if target.due_date else "",
        "url": target.url,
    }


def _total(targets: Sequence[PaymentTarget], lang: str) -> str:
    """Per-currency sums of a page of several invoices ("Rp 1.250.000 + US$ 20,00"); "" when an amount is unknown."""
    known = [t.amount for t in targets if t.amount is not None]
    if len(targets) < 2 or len(known) < len(targets):
        return ""
    sums: dict[str, Decimal] = {}
    for money in known:
        sums[money.currency] = sums.get(money.currency, Decimal(0)) + money.amount
    return " + ".join(format_money(Money(amount, currency), lang) for currency, amount in sums.items())


def _when(instant: dt.datetime, timezone: str, lang: str) -> str:
    local = instant.astimezone(ZoneInfo(timezone))
    time = f"{local:%H.%M}" if lang == "id" else f"{local:%H:%M}"  # "10.05" reads as a time in Indonesian
    return f"{format_due_date(local.date(), lang)}, {time}"


def _data_url(content_type: str, data: bytes) -> str:
    return f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"
