"""The owner's journey in a real headless Chromium: sign up, connect Xero and QuickBooks on the fake consent pages,
record consent, preview, run now, see the reminder in the timeline; plus Deny, a tampered state and a second
organisation that sees nothing of the first. Screenshots land in test-artifacts/.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.domain.models import ConnectionStatus
from sandbox.run import Sandbox
from tests.browser.conftest import shot
from tests.web_support import (
    PASSWORD,
    SIGNED_UP,
    new_email,
    register_whatsapp_number,
    retire_connections,
    seed_overdue_customers,
)
from tests.world import TUESDAY_10_JAKARTA, set_clock

pytestmark = pytest.mark.sandbox


@pytest.fixture(autouse=True)
def _retire_connections() -> Iterator[None]:
    yield
    retire_connections()


BUDI = "+6281234560201"
SARI = "+6281234560202"


def sign_up(page: Any, base: str, email: str, business: str) -> None:
    page.goto(f"{base}/signup?lang=en")
    page.fill("#business_name", business)
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#sign-up")
    page.wait_for_url(re.compile(r"/dashboard$"))
    SIGNED_UP.append(email)


def test_owner_journey_from_sign_up_to_a_reminder_in_the_timeline(sandbox: Sandbox, page: Any) -> None:
    set_clock(TUESDAY_10_JAKARTA)
    base = sandbox.app_url
    suffix = uuid.uuid4().hex[:6]
    tenant = seed_overdue_customers(
        sandbox,
        f"Toko Browser {suffix}",
        [("Budi Browser", BUDI, "BR-001", "1750000"), ("Sari Browser", SARI, "BR-002", "500000")],
        overdue_days=3,
    )
    company = sandbox.quickbooks.seed({"companyName": f"PT Browser {suffix}"})
    token = "EAAGbrowser"
    phone_number_id, waba_id = register_whatsapp_number(sandbox, token, "+62 21 5555 0001")
    email = new_email("browser")

    sign_up(page, base, email, "Toko Browser")
    shot(page, "01-signed-up")

    page.goto(f"{base}/settings")
    page.click("#whatsapp-manual summary")  # entering the IDs yourself is the advanced option
    page.fill("#phone_number_id", phone_number_id)
    page.fill("#business_account_id", waba_id)
    page.fill("#access_token", token)
    page.click("#save-whatsapp")
    page.wait_for_url(re.compile(r"/settings\?m=saved$"))
    assert token not in page.content()
    shot(page, "02-whatsapp-saved")

    page.goto(f"{base}/dashboard")
    page.click("#connect-xero")
    page.wait_for_url(re.compile(r"/identity/connect/authorize"))
    page.get_by_label(f"Toko Browser {suffix}").check()
    shot(page, "03-xero-consent")
    page.click("#allow")
    page.wait_for_url(re.compile(r"/dashboard\?m=connected$"))
    assert f"Toko Browser {suffix}" in page.inner_text("#connections")

    page.click("#connect-quickbooks")
    page.wait_for_url(re.compile(r"/appcenter/connect/oauth2"))
    page.get_by_label(f"PT Browser {suffix}").check()
    shot(page, "04-quickbooks-consent")
    page.click("#allow")
    page.wait_for_url(re.compile(r"/dashboard\?m=connected$"))
    assert f"quickbooks:{company['realmId']}" in page.content()
    shot(page, "05-both-connected")

    page.goto(f"{base}/customers")
    budi = page.locator(f'.customer[data-phone="{BUDI}"]')
    budi.locator("summary").click()
    budi.locator("select[name=source]").select_option("signed_form")
    budi.locator("textarea[name=evidence]").fill("Signed the WhatsApp reminders form at the counter, 2026-11-01")
    budi.locator("button.opt-in").click()
    page.wait_for_url(re.compile(r"/customers\?m=consent$"))
    assert page.locator(f'.customer[data-phone="{BUDI}"]').get_attribute("data-consent") == "opted_in"
    shot(page, "06-consent-recorded")

    page.goto(f"{base}/preview")
    assert page.locator(f'.message[data-phone="{BUDI}"]').count() == 1
    assert page.locator('tr.skipped[data-number="BR-002"]').get_attribute("data-reason") == "no_consent"
    shot(page, "07-preview")
    page.click("#run-now")
    page.wait_for_url(re.compile(r"/run-status\?since="))
    assert page.locator("#run-sent").get_attribute("data-count") == "1"  # the counts, in words
    sandbox.drain_webhooks(flush_fakes=True)
    page.click("#run-see-invoices")
    page.wait_for_url(re.compile(r"/invoices$"))
    invoice = page.locator('.invoice[data-number="BR-001"]')
    assert invoice.get_attribute("data-reason") == "sent"
    assert invoice.locator(".timeline-entry").first.get_attribute("data-state") == "sent"
    assert page.locator('.invoice[data-number="BR-002"]').get_attribute("data-reason") == "no_consent"
    shot(page, "08-timeline")
    assert [m["wa_id"] for m in sandbox.meta.messages(phone_number_id=phone_number_id)] == [BUDI.removeprefix("+")]

    # A second organisation, in its own browser profile, sees nothing of the first (pages and API).
    other = page.context.browser.new_context(viewport={"width": 390, "height": 844})
    rival = other.new_page()
    sign_up(rival, base, new_email("rival"), "Toko Sebelah")
    for path in ("/dashboard", "/invoices", "/customers", "/preview", "/settings"):
        rival.goto(base + path)
        text = rival.content()
        for secret in ("BR-001", "Budi Browser", BUDI, phone_number_id, f"Toko Browser {suffix}"):
            assert secret not in text, f"{secret} leaked on {path}"
    shot(rival, "09-second-organisation")
    for path in ("/api/invoices", "/api/connections", "/api/consents"):
        assert list(rival.request.get(base + path).json().values()) == [[]]
    other.close()

    org = next(c.org_id for c in bootstrap.container().stores.connections.active() if c.tenant_id == tenant["tenantId"])
    for connection in bootstrap.container().stores.connections.for_org(org):
        bootstrap.container().stores.connections.set_status(
            org, connection.connection_id, ConnectionStatus.DISCONNECTED
        )


def test_deny_on_the_consent_page_shows_a_plain_explanation(sandbox: Sandbox, page: Any) -> None:
    sign_up(page, sandbox.app_url, new_email("deny"), "Toko Ragu")
    page.click("#connect-xero")
    page.wait_for_url(re.compile(r"/identity/connect/authorize"))
    page.click("#deny")
    page.wait_for_url(re.compile(r"/connect/xero/callback"))
    message = page.inner_text("#error-message")
    assert "chose not to allow access" in message
    assert "Traceback" not in page.content()
    shot(page, "10-denied")


def test_a_tampered_state_is_stopped(sandbox: Sandbox, page: Any) -> None:
    tenant = sandbox.xero.seed({"tenantName": f"Toko Curiga {uuid.uuid4().hex[:6]}"})
    sign_up(page, sandbox.app_url, new_email("tamper"), "Toko Curiga")
    page.click("#connect-xero")
    page.wait_for_url(re.compile(r"/identity/connect/authorize"))
    page.get_by_label(tenant["tenantName"]).check()

    # Let the consent form's answer through, but with the state in its redirect tampered, as in a forged link.
    def tamper(route: Any) -> None:
        answer = route.fetch(max_redirects=0)
        location = answer.headers["location"].replace("state=", "state=tampered")
        route.fulfill(status=302, headers={"Location": location}, body="")

    page.route(re.compile(r".*/identity/connect/authorize$"), tamper)
    page.click("#allow")
    page.wait_for_url(re.compile(r"/connect/xero/callback"))
    assert "not started from your Lunas dashboard" in page.inner_text("#error-message")
    shot(page, "11-tampered-state")
