"""The home page in a real headless Chromium at desktop (1280 px) and phone (390 px) widths, in English and Bahasa
Indonesia: first with the getting-started checklist, then once the first reminder was delivered (money first).
Each view is screenshotted (test-artifacts/home-*.png) and checked with axe-core (axe-playwright-python): no
"serious" or "critical" accessibility violation.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from sandbox.run import Sandbox
from tests.browser.conftest import shot
from tests.web_support import (
    WebClient,
    connect,
    new_email,
    register_whatsapp_number,
    retire_connections,
    seed_overdue_customers,
)
from tests.world import TUESDAY_10_JAKARTA, set_clock

pytestmark = pytest.mark.sandbox

BUDI = "+6281234560401"
SARI = "+6281234560402"
VIEWS = [(1280, "en"), (1280, "id"), (390, "en"), (390, "id")]


@pytest.fixture(autouse=True)
def _retire_connections() -> Iterator[None]:
    yield
    retire_connections()


def serious_violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


def look(browser: Any, client: WebClient, width: int, lang: str, *, name: str, path: str = "/dashboard") -> str:
    """Open a page as the signed-in owner at this width and language; screenshot; axe; return its text."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
    try:
        context.add_cookies(
            [{"name": c.name, "value": c.value or "", "url": client.base} for c in client.session.cookies]
        )
        page = context.new_page()
        page.goto(f"{client.base}{path}?lang={lang}")
        page.wait_for_selector("main")
        shot(page, f"home-{name}-{width}-{lang}")
        assert serious_violations(page) == [], f"{name} at {width} px in {lang}"
        # Nothing wider than the screen: the owner never scrolls sideways on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        return str(page.inner_text("main"))
    finally:
        context.close()


def test_home_page_at_desktop_and_phone_widths_in_both_languages(sandbox: Sandbox, browser: Any) -> None:
    set_clock(TUESDAY_10_JAKARTA)
    client = WebClient(sandbox.app_url)
    assert client.sign_up(new_email("home"), business="Toko Beranda").status_code == 303
    seeded = seed_overdue_customers(
        sandbox,
        f"Toko Beranda {uuid.uuid4().hex[:6]}",
        [("Budi Beranda", BUDI, "HM-001", "1250000"), ("Sari Beranda", SARI, "HM-002", "800000")],
        overdue_days=35,
    )
    token = f"EAAG{uuid.uuid4().hex}"
    phone_number_id, waba = register_whatsapp_number(sandbox, token, "+62 21 5555 0401")
    client.post(
        "/settings/whatsapp",
        {"phone_number_id": phone_number_id, "business_account_id": waba, "access_token": token},
        csrf_from="/settings",
    )
    assert connect(client, "xero", {"tenant": [seeded["tenantId"]]}).status_code == 303

    for width, lang in VIEWS:
        text = look(browser, client, width, lang, name="checklist")
        assert ("Getting started" if lang == "en" else "Langkah awal") in text

    client.post(
        "/customers/consent",
        {"phone": BUDI, "status": "opted_in", "source": "signed_form", "evidence": "Signed the form on 2026-11-01"},
        csrf_from="/customers",
    )
    assert client.post("/run-now", {}, csrf_from="/preview").status_code == 303
    sandbox.drain_webhooks(flush_fakes=True)

    for width, lang in VIEWS:
        text = look(browser, client, width, lang, name="money")
        assert "Getting started" not in text and "Langkah awal" not in text
        assert ("IDR 2,050,000" if lang == "en" else "Rp 2.050.000") in text
        assert ("31–60 days late" if lang == "en" else "Terlambat 31–60 hari") in text
    # The pages whose words this work changed (reasons, stages, templates, dates) pass the same check.
    for path in ("/invoices", "/preview"):
        for width, lang in ((390, "id"), (1280, "en")):
            text = look(browser, client, width, lang, name=path.strip("/"), path=path)
            assert "d+35" not in text and "lunas_invoice_" not in text and "2026-" not in text


def test_a_new_owner_reaches_a_delivered_reminder_by_following_the_checklist_alone(sandbox: Sandbox, page: Any) -> None:
    """Every step is reached by clicking its checklist link on the home page (a phone-sized window)."""
    import re

    from tests.browser.test_owner_journey import sign_up

    set_clock(TUESDAY_10_JAKARTA)
    base = sandbox.app_url
    suffix = uuid.uuid4().hex[:6]
    seed_overdue_customers(sandbox, f"Toko Ikuti {suffix}", [("Budi Ikuti", BUDI, "CL-001", "1250000")], overdue_days=3)
    token = f"EAAG{uuid.uuid4().hex}"
    phone_number_id, waba_id = register_whatsapp_number(sandbox, token, "+62 21 5555 0402")
    sign_up(page, base, new_email("checklist"), "Toko Ikuti")

    def step(key: str) -> None:
        page.goto(f"{base}/dashboard")
        assert page.locator(f'[data-step="{key}"]').get_attribute("data-done") == "no"
        page.click(f"#checklist-{key}")

    def done() -> list[str]:
        page.goto(f"{base}/dashboard")
        return [s.get_attribute("data-step") for s in page.locator('.step[data-done="yes"]').all()]

    step("whatsapp")
    page.wait_for_url(re.compile(r"/settings"))
    page.click("#whatsapp-manual summary")
    page.fill("#phone_number_id", phone_number_id)
    page.fill("#business_account_id", waba_id)
    page.fill("#access_token", token)
    page.click("#save-whatsapp")
    page.wait_for_url(re.compile(r"/settings\?m=saved$"))
    assert done() == ["whatsapp"]

    step("accounting")  # the connections on the home page
    page.click("#connect-xero")
    page.wait_for_url(re.compile(r"/identity/connect/authorize"))
    page.get_by_label(f"Toko Ikuti {suffix}").check()
    page.click("#allow")
    page.wait_for_url(re.compile(r"/dashboard\?m=connected$"))
    assert done() == ["whatsapp", "accounting"]
    shot(page, "checklist-two-done")

    step("consent")
    page.wait_for_url(re.compile(r"/customers"))
    budi = page.locator(f'.customer[data-phone="{BUDI}"]')
    budi.locator("summary").first.click()
    budi.locator("select[name=source]").select_option("signed_form")
    budi.locator("textarea[name=evidence]").fill("Signed the WhatsApp reminders form at the counter, 2026-11-01")
    budi.locator("button.opt-in").click()
    page.wait_for_url(re.compile(r"/customers\?m=consent$"))
    assert done() == ["whatsapp", "accounting", "consent"]

    step("preview")
    page.wait_for_url(re.compile(r"/preview"))
    assert page.locator(f'.message[data-phone="{BUDI}"]').count() == 1
    assert done() == ["whatsapp", "accounting", "consent", "preview"]

    step("run")
    page.wait_for_url(re.compile(r"/preview#run-now"))
    page.click("#run-now")
    page.wait_for_url(re.compile(r"/(run-status|invoices)"))
    sandbox.drain_webhooks(flush_fakes=True)  # Meta reports the reminder delivered
    page.goto(f"{base}/dashboard")
    assert page.locator("#checklist").count() == 0  # first reminder delivered: the checklist is done
    assert "IDR 1,250,000" in page.inner_text("#money")
    shot(page, "checklist-finished")
