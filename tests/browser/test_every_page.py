"""Every page of the dashboard and every public page in a real headless Chromium, at desktop (1280 px) and phone
(390 px) widths, in English and Bahasa Indonesia, over one owner seeded once for the module (two accounting
companies, a WhatsApp number, bank details, a reminder sent, a customer's reply).

Each view is screenshotted (test-artifacts/pages-<name>-<width>-<lang>.png) and must: pass axe-core with no
"serious" or "critical" violation, never scroll sideways on the phone, say its language in `<html lang>`, show no
raw word key (`snake_case_key`), and, in Indonesian, no everyday English word left over.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.domain.models import ConnectionStatus
from sandbox.run import Sandbox
from tests.browser.conftest import shot
from tests.pay_support import BANK_DETAILS
from tests.test_replies_inbox import MORE_TIME_BUTTON, _tap
from tests.web_support import (
    WebClient,
    connect,
    new_email,
    org_of,
    retire_connections,
    save_whatsapp_number,
    seed_overdue_customers,
)
from tests.world import TUESDAY_10_JAKARTA, set_clock

pytestmark = pytest.mark.sandbox

WIDTHS, LANGUAGES = (1280, 390), ("en", "id")
BUDI, SARI, RUDI = "+6281234560501", "+6281234560502", "+6281234560503"
WAHYU = "+6281234560504"  # the QuickBooks customer: no online payment page, so /pay shows how to pay

# A word key left raw on the page: lower-case words joined by underscores (`nav_overview`, `reason_no_consent`).
RAW_KEY = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
# Everyday English that an Indonesian page never needs (names, brands and what the owner typed aside). Text marked
# as another language (`lang="en"`: a customer's message in English, a recorded log line) is not the page's.
ENGLISH = re.compile(
    r"\b(the|and|your|with|please|customers?|settings|save|sign (?:in|out)|overdue|reminders?|replies|"
    r"schedule|paid|days?|week|month|today|yesterday|tomorrow|send|sent|delivered|failed|connect(?:ed)?|"
    r"disconnect|download|delete|search|none|all|back|next|page not found)\b(?!\.\w)",  # not a file name
    re.IGNORECASE,
)


@dataclass
class Owner:
    client: WebClient
    org_id: str
    connections: list[str]
    paths: dict[str, str] = field(default_factory=dict)  # the seeded pages' addresses (customer, run status, pay)


@pytest.fixture(scope="module")
def owner(sandbox: Sandbox) -> Iterator[Owner]:
    """One shop with everything a page can show: overdue invoices in Xero and QuickBooks, consent, a reminder sent
    and delivered, a customer who asked for more time, bank details for the pay page."""
    set_clock(TUESDAY_10_JAKARTA)
    client = WebClient(sandbox.app_url)
    email = new_email("pages")
    assert client.sign_up(email, business="Toko Semua Halaman").status_code == 303
    xero = seed_overdue_customers(
        sandbox,
        f"Toko Semua Halaman {uuid.uuid4().hex[:6]}",
        [
            ("Budi Halaman", BUDI, "PG-001", "1250000"),
            ("Sari Halaman", SARI, "PG-002", "800000"),
            ("Rudi Halaman", RUDI, "PG-003", "450000"),
        ],
        overdue_days=35,
    )
    number = save_whatsapp_number(client, sandbox, "+62 21 5555 0501")
    assert client.post("/settings/payments", BANK_DETAILS, csrf_from="/settings/payments").status_code == 303
    assert connect(client, "xero", {"tenant": [xero["tenantId"]]}).status_code == 303
    company = sandbox.quickbooks.seed(
        {
            "companyName": f"PT Semua Halaman {uuid.uuid4().hex[:6]}",
            "customers": [{"displayName": "Wahyu Halaman", "mobile": "0812-3456-0504", "primaryPhone": ""}],
            "invoices": [
                {
                    "docNumber": "QB-501",
                    "customer": "Wahyu Halaman",
                    "txnDate": "2026-10-03",
                    "dueDate": "2026-11-02",
                    "total": "2150000",
                    "onlinePayment": False,
                }
            ],
        }
    )
    assert connect(client, "quickbooks", {"realmId": company["realmId"]}).status_code == 303
    for phone in (BUDI, WAHYU):
        consent = {"phone": phone, "status": "opted_in", "source": "signed_form", "evidence": "Formulir ditandatangani"}
        assert client.post("/customers/consent", consent, csrf_from="/customers").status_code == 303
    ran = client.post("/run-now", {}, csrf_from="/preview")
    assert ran.status_code == 303
    sandbox.drain_webhooks(flush_fakes=True)
    sent = {m["to"].lstrip("+"): m for m in sandbox.meta.messages(phone_number_id=number.phone_number_id)}
    _tap(sandbox, str(sent[BUDI.lstrip("+")]["wamid"]), MORE_TIME_BUTTON)
    customer = re.search(r'class="customer-page" href="([^"]+)"', client.get("/customers").text)
    assert customer, "no customer page link on /customers"
    org_id = org_of(email)
    shop = Owner(
        client,
        org_id,
        [f"xero:{xero['tenantId']}", f"quickbooks:{company['realmId']}"],
        {
            "customer": customer.group(1),
            "run_status": ran.headers["Location"],
            "pay": f"/pay/{sent[WAHYU.lstrip('+')]['button_url_suffix']}",
        },
    )
    yield shop
    retire_connections()


@pytest.fixture(autouse=True)
def _connected(owner: Owner) -> None:
    """The suite disconnects every connection after each test: this module's shop stays connected for its pages."""
    connections = bootstrap.container().stores.connections
    for connection_id in owner.connections:
        connections.set_status(owner.org_id, connection_id, ConnectionStatus.ACTIVE)


def _forgot(page: Any) -> None:
    """The reset page comes after asking for a code."""
    page.fill("#email", "someone@example.co.id")
    page.click("#send-code")
    page.wait_for_selector("main h1")


@dataclass(frozen=True)
class Page:
    name: str
    path: str  # "{customer}", "{run_status}", "{pay}", "{xero}" filled in from the seeded shop
    signed_in: bool = True
    then: Callable[[Any], None] | None = None  # a step after opening (a form to submit)
    bilingual: bool = False  # the page cannot know the reader's language and says everything in both
    known_keys: tuple[str, ...] = ()  # raw ids a page still shows (reported, to be fixed where they are written)


PAGES = [
    Page("signin", "/signin", signed_in=False),
    Page("signup", "/signup", signed_in=False),
    Page("forgot-password", "/forgot-password", signed_in=False),
    Page("reset-password", "/forgot-password", signed_in=False, then=_forgot),
    Page("verify", "/signup/verify?email=owner%40example.co.id", signed_in=False),
    Page("privacy", "/privacy", signed_in=False),
    Page("not-found", "/no-such-page", signed_in=False),
    Page("goodbye", "/goodbye", signed_in=False),
    Page("pay", "{pay}", signed_in=False),
    Page("pay-missing", "/pay/NoSuchCode123", signed_in=False, bilingual=True),
    Page("home", "/dashboard"),
    Page("customers", "/customers?q=Halaman"),  # a search that finds everyone
    Page("customer", "{customer}"),
    Page("invoices", "/invoices?status=overdue&reason=no_consent&source=xero"),
    Page("replies", "/replies?show=all"),
    Page("settings", "/settings"),
    Page("payments", "/settings/payments"),
    Page("preview", "/preview"),
    Page("run-status", "{run_status}"),
    Page("audit", "/audit"),  # each line in the page's language (an entry from before words: lang="en")
    Page("export", "/export"),
    Page("privacy-requests", "/privacy-requests"),
    Page("whatsapp-remove", "/settings/whatsapp/remove"),
    Page("disconnect", "/connections/disconnect?connection_id={xero}"),
]


# The page's text without the parts marked as written in another language.
OWN_TEXT = """lang => {
  let text = document.body.innerText;
  for (const part of document.body.querySelectorAll('[lang]')) {
    if (part.getAttribute('lang') !== lang && part.innerText) text = text.split(part.innerText).join(' ');
  }
  return text;
}"""


# axe-core's serious and critical violations, in a few words each (injected once per loaded page).
SERIOUS = """() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
  .filter(v => v.impact === 'serious' || v.impact === 'critical')
  .map(v => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.slice(0, 3).map(n => n.target))}`))"""


def _serious(page: Any) -> list[str]:
    from axe_playwright_python.base import AXE_SCRIPT

    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    return list(page.evaluate(SERIOUS))


def _problems(page: Any, view: Page, width: int, lang: str) -> list[str]:
    found = [f"axe: {v}" for v in _serious(page)]
    scroll = page.evaluate("document.documentElement.scrollWidth")
    if scroll > width:
        found.append(f"scrolls sideways: {scroll}px wide")
    if width != WIDTHS[0]:
        return found  # the words do not change with the width
    text = str(page.inner_text("body"))
    keys = sorted(set(RAW_KEY.findall(text)) - set(view.known_keys))
    found += [f"raw key {key!r}" for key in keys]
    if view.bilingual:
        return found
    if (html_lang := page.get_attribute("html", "lang")) != lang:
        found.append(f'<html lang="{html_lang}">')
    if lang == "id":
        own = str(page.evaluate(OWN_TEXT, lang))
        seen = {m.group(0).lower(): m for m in ENGLISH.finditer(own)}
        found += [f"English {w!r} in {own[m.start() - 40 : m.end() + 40]!r}" for w, m in sorted(seen.items())]
    return found


@pytest.mark.parametrize("view", PAGES, ids=lambda p: p.name)
def test_every_page_at_both_widths_in_both_languages(browser: Any, owner: Owner, view: Page) -> None:
    """One browser context per language; the page is loaded once and looked at in each width (the server's page
    does not depend on the width, only the layout does)."""
    path = view.path.format(xero=owner.connections[0], **owner.paths)
    cookies = [{"name": c.name, "value": c.value or "", "url": owner.client.base} for c in owner.client.session.cookies]
    problems: list[str] = []
    for lang in ("id",) if view.bilingual else LANGUAGES:
        context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900}, locale="en-US")
        context.set_default_timeout(20_000)
        try:
            if view.signed_in:
                context.add_cookies(cookies)
            page = context.new_page()
            page.goto(f"{owner.client.base}{path}{'&' if '?' in path else '?'}lang={lang}")
            if view.then is not None:
                view.then(page)
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                shot(page, f"pages-{view.name}-{width}-{lang}")
                problems += [f"{width}px {lang}: {p}" for p in _problems(page, view, width, lang)]
        finally:
            context.close()
    assert problems == [], "\n".join(problems)
