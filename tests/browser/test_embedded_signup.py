"""Connect WhatsApp in a real headless Chromium: the settings page loads the (fake) Facebook JS SDK, FB.login opens
the (fake) Embedded Signup popup, the owner creates a number there, and the page posts the popup's answer; the
dashboard then shows the owner's own number, and a reminder to a consenting customer goes out from it.
Screenshots land in test-artifacts/.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from sandbox.run import Sandbox
from tests.browser.conftest import shot
from tests.web_support import PASSWORD, SIGNED_UP, new_email, retire_connections, seed_overdue_customers
from tests.world import TUESDAY_10_JAKARTA, set_clock

pytestmark = pytest.mark.sandbox

WULAN = "+6281234560501"
DISPLAY = "+62 21 5555 0505"


@pytest.fixture(autouse=True)
def _retire_connections() -> Iterator[None]:
    yield
    retire_connections()


def sign_up(page: Any, base: str, email: str, business: str) -> None:
    page.goto(f"{base}/signup?lang=en")
    page.fill("#business_name", business)
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#sign-up")
    page.wait_for_url(re.compile(r"/dashboard$"))
    SIGNED_UP.append(email)


def connect_whatsapp(page: Any, base: str, business: str) -> None:
    """Settings -> Connect WhatsApp -> the popup: a new number -> Finish -> back on settings, connected."""
    page.goto(f"{base}/settings")
    button = page.locator("#connect-whatsapp")
    page.locator("#connect-whatsapp:enabled").wait_for()  # enabled once the SDK called fbAsyncInit
    assert page.locator("#whatsapp-manual[open]").count() == 0  # manual entry is tucked away
    with page.expect_popup() as opened:
        button.click()
    popup = opened.value
    popup.wait_for_selector("#finish")
    shot(popup, "es-01-meta-popup")
    popup.fill("#display_phone_number", DISPLAY)
    popup.fill("#verified_name", business)
    with page.expect_navigation(url=re.compile(r"/settings/whatsapp/signup$")):
        popup.click("#finish")
    assert page.locator("#flash").inner_text().startswith(f"WhatsApp connected: {DISPLAY} ({business}).")


def test_connect_whatsapp_then_a_reminder_goes_out_from_that_number(sandbox: Sandbox, page: Any) -> None:
    set_clock(TUESDAY_10_JAKARTA)
    base = sandbox.app_url
    suffix = uuid.uuid4().hex[:6]
    business = f"Toko Tombol {suffix}"
    seed_overdue_customers(sandbox, business, [("Wulan Tombol", WULAN, "ES-001", "820000")], overdue_days=3)

    sign_up(page, base, new_email("esbrowser"), business)
    connect_whatsapp(page, base, business)
    assert page.inner_text("#wa-display-number") == DISPLAY
    assert page.inner_text("#wa-verified-name") == business
    assert page.inner_text("#wa-limit") == "250 customers a day"
    shot(page, "es-02-connected")
    number = next(n for n in sandbox.meta.phone_number_list() if n["display_phone_number"] == DISPLAY)
    assert number["phone_number_id"] not in page.inner_text("#whatsapp")  # the owner's number, never the id

    page.goto(f"{base}/dashboard")
    assert page.inner_text("#wa-display-number") == DISPLAY
    assert "High (green)" in page.inner_text("#wa-quality")

    # Lunas pushed its templates to the new business account: each waits for Meta's review, and says so.
    templates = page.locator("#templates .template")
    assert templates.count() == 10  # 4 reminders and the thank-you after payment, in 2 languages
    assert {templates.nth(i).get_attribute("data-status") for i in range(10)} == {"pending"}
    assert "Waiting for Meta's review" in page.inner_text("#templates")
    shot(page, "es-03-templates-pending")
    # Meta approves them (the sandbox stands in for Meta's review) and says so in a signed webhook.
    for template in sandbox.meta.templates_of(number["waba_id"]):
        sandbox.meta.review_template(number["waba_id"], template["name"], template["language"], "APPROVED")
    sandbox.drain_webhooks(flush_fakes=True)
    page.reload()
    assert {templates.nth(i).get_attribute("data-status") for i in range(10)} == {"approved"}
    page.click("#connect-xero")
    page.wait_for_url(re.compile(r"/identity/connect/authorize"))
    page.get_by_label(business).check()
    page.click("#allow")
    page.wait_for_url(re.compile(r"/dashboard\?m=connected$"))

    page.goto(f"{base}/customers")
    wulan = page.locator(f'.customer[data-phone="{WULAN}"]')
    wulan.locator("summary").click()
    wulan.locator("select[name=source]").select_option("signed_form")
    wulan.locator("textarea[name=evidence]").fill("Signed the WhatsApp reminders form at the counter, 2026-11-02")
    wulan.locator("button.opt-in").click()
    page.wait_for_url(re.compile(r"/customers\?m=consent$"))

    page.goto(f"{base}/preview")
    page.click("#run-now")
    page.wait_for_url(re.compile(r"/run-status\?since="))
    assert page.locator("#run-sent").get_attribute("data-count") == "1"  # the counts, in words
    sandbox.drain_webhooks(flush_fakes=True)
    page.click("#run-see-invoices")
    page.wait_for_url(re.compile(r"/invoices$"))
    assert page.locator('.invoice[data-number="ES-001"]').get_attribute("data-reason") == "sent"
    shot(page, "es-04-sent")
    sent = sandbox.meta.messages(phone_number_id=number["phone_number_id"])
    assert [m["wa_id"] for m in sent] == [WULAN.removeprefix("+")]
