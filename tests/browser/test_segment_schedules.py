"""Schedules for groups of customers in a real headless Chromium at desktop (1280 px) and phone (390 px) widths, in
English and Bahasa Indonesia: add a named schedule, be refused a nameless one (marked, kept, announced), choose it on
a customer's page and see it in the customers list. Every view passes axe-core with no serious violation and never
scrolls sideways. Screenshots land in test-artifacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib import bootstrap
from sandbox.run import Sandbox
from tests.browser.conftest import ARTIFACTS, shot
from tests.browser.test_home import serious_violations
from tests.test_dashboard import open_shop
from tests.web_support import retire_connections
from tests.world import TUESDAY_10_JAKARTA, set_clock

pytestmark = pytest.mark.sandbox


@pytest.fixture(autouse=True)
def _retire_connections() -> Iterator[None]:
    yield
    retire_connections()


def _checked(page: Any, width: int, name: str) -> None:
    shot(page, name)
    assert serious_violations(page) == [], name
    assert page.evaluate("document.documentElement.scrollWidth") <= width, name


@pytest.mark.parametrize(("width", "lang"), [(1280, "en"), (390, "id")])
def test_add_a_schedule_and_choose_it_for_a_customer(sandbox: Sandbox, browser: Any, width: int, lang: str) -> None:
    set_clock(TUESDAY_10_JAKARTA)
    shop = open_shop(sandbox, name="Toko Kelompok")
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
    context.set_default_timeout(20_000)
    context.add_cookies(
        [{"name": c.name, "value": c.value or "", "url": shop.client.base} for c in shop.client.session.cookies]
    )
    page = context.new_page()
    try:
        page.goto(f"{shop.client.base}/settings?lang={lang}#segment-schedules")
        page.click("#add-schedule summary")
        page.fill("#sched-new-stage_0_days", "1")  # the copy of the default: its first row becomes d-1
        page.click("#add-named")  # no name yet: refused, marked, kept, announced
        page.wait_for_load_state()
        field = page.locator("#sched-new-name")
        assert field.get_attribute("aria-invalid") == "true"
        assert page.locator("#segment-schedules [role=alert]").is_visible()
        assert page.input_value("#sched-new-stage_0_days") == "1"
        _checked(page, width, f"40-group-schedule-refused-{width}-{lang}")

        field.fill("Telat bayar")
        page.click("#add-named")
        page.wait_for_url(re.compile(r"/settings\?m=sched_added"))
        [firm] = bootstrap.container().stores.organisations.settings(shop.org_id).schedules
        assert firm.name == "Telat bayar" and firm.stages[0].offset_days == -1
        assert page.locator(f"#schedule-{firm.schedule_id}").is_visible()
        _checked(page, width, f"41-group-schedule-added-{width}-{lang}")
        page.locator("#segment-schedules").screenshot(path=str(ARTIFACTS / f"41-group-schedules-{width}-{lang}.png"))

        page.goto(f"{shop.client.base}/customers?q=Budi")
        page.click("a.customer-page")
        page.select_option("#schedule-choice", firm.schedule_id)
        page.click("#save-schedule-choice")
        page.wait_for_url(re.compile(r"\?m=schedule$"))
        assert page.locator("#schedule-choice").input_value() == firm.schedule_id
        _checked(page, width, f"42-customer-schedule-{width}-{lang}")

        page.goto(f"{shop.client.base}/customers")
        assert page.locator(".customer-schedule").inner_text().endswith("Telat bayar")
        _checked(page, width, f"43-customers-with-schedule-{width}-{lang}")
    finally:
        context.close()
