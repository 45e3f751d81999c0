"""The replies inbox in a real headless Chromium: a reminder goes out, the customer taps "Need more time", the owner
opens Replies, records a promise to pay for a date, and the invoice shows as held until then. Screenshots at 1280 and
390 px wide land in test-artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.domain.models import ConnectionStatus
from sandbox.run import Sandbox
from tests.browser.conftest import shot
from tests.test_dashboard import BUDI, open_shop
from tests.test_replies_inbox import MORE_TIME_BUTTON, _consent, _tap
from tests.web_support import retire_connections
from tests.world import TUESDAY_10_JAKARTA, set_clock

pytestmark = pytest.mark.sandbox


@pytest.fixture(autouse=True)
def _retire_connections() -> Iterator[None]:
    yield
    retire_connections()


def _signed_in(page: Any, base: str, cookies: Any) -> None:
    """The browser takes over the owner's signed-in session (signed up over HTTP by `open_shop`)."""
    page.context.add_cookies([{"name": c.name, "value": c.value, "url": base} for c in cookies])


@pytest.mark.parametrize("width", [1280, 390])
def test_need_more_time_then_a_promise_to_pay_in_the_browser(sandbox: Sandbox, page: Any, width: int) -> None:
    set_clock(TUESDAY_10_JAKARTA)
    shop = open_shop(sandbox)
    try:
        _consent(shop.org_id, BUDI)
        assert shop.client.post("/run-now", {}, csrf_from="/preview").status_code == 303
        sandbox.drain_webhooks(flush_fakes=True)
        [sent] = sandbox.meta.messages(phone_number_id=shop.phone_number_id)
        _tap(sandbox, str(sent["wamid"]), MORE_TIME_BUTTON)

        page.set_viewport_size({"width": width, "height": 900})
        base = sandbox.app_url
        _signed_in(page, base, shop.client.session.cookies)
        page.goto(f"{base}/dashboard?lang=en")
        page.click("nav >> text=Replies")
        page.wait_for_url(re.compile(r"/replies$"))
        card = page.locator('article.reply[data-intent="more_time"]')
        assert "Budi Santoso" in card.inner_text()
        assert "Paused reminders to this number until" in card.inner_text()
        shot(page, f"replies-inbox-{width}")

        card.locator("input[name=promise_date]").fill("2026-11-29")
        card.locator("button.record-promise").click()
        page.wait_for_url(re.compile(r"/replies\?m=promise$"))
        assert "Promise recorded" in page.locator("#flash").inner_text()
        assert page.locator('article.reply[data-intent="more_time"]').count() == 0  # resolved

        page.click("nav >> text=Invoices")
        held = page.locator('.held-until[data-number="INV-001"]')
        assert "Reminders held until" in held.inner_text() and "29" in held.inner_text()
        shot(page, f"replies-invoice-held-{width}")

        page.click("nav >> text=Customers")
        page.wait_for_url(re.compile(r"/customers$"))
        shot(page, f"customers-list-{width}")
        page.locator(f'.customer[data-phone="{BUDI}"] a.customer-page').click()
        assert "Budi Santoso" in page.locator("h1").inner_text()
        assert page.locator("article.sent-message pre.message-text").count() == 1  # the text as sent
        assert page.locator('article.customer-reply[data-intent="more_time"]').count() == 1
        shot(page, f"customer-page-{width}")

        page.goto(f"{base}/replies?lang=id&show=all")
        assert "Balasan" in page.locator("h1").inner_text()
        shot(page, f"replies-inbox-id-{width}")
        # Nothing is wider than the screen on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        bootstrap.container().stores.connections.set_status(
            shop.org_id, f"xero:{shop.tenant_id}", ConnectionStatus.DISCONNECTED
        )
