"""The schedule editor in a real headless Chromium at desktop (1280 px) and phone (390 px) widths, in English and
Bahasa Indonesia: edit a stage row, watch its message preview change, save a bad amount (the field is marked, what
was typed stays, the problem is announced with role=alert), then a good one. Screenshots land in test-artifacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.domain.models import Money
from sandbox.run import Sandbox
from tests.browser.conftest import shot
from tests.web_support import PASSWORD, SIGNED_UP, new_email, org_of, retire_connections
from tests.world import TUESDAY_10_JAKARTA, set_clock

pytestmark = pytest.mark.sandbox


@pytest.fixture(autouse=True)
def _retire_connections() -> Iterator[None]:
    yield
    retire_connections()


def _sign_up(page: Any, base: str) -> str:
    email = new_email("schedule")
    page.goto(f"{base}/signup")
    page.fill("#business_name", "Toko Jadwal")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#sign-up")
    page.wait_for_url(re.compile(r"/dashboard$"))
    SIGNED_UP.append(email)
    return org_of(email)


@pytest.mark.parametrize(("width", "lang"), [(1280, "en"), (390, "id")])
def test_edit_a_stage_see_its_message_and_save(sandbox: Sandbox, browser: Any, width: int, lang: str) -> None:
    set_clock(TUESDAY_10_JAKARTA)
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        org_id = _sign_up(page, sandbox.app_url)
        page.goto(f"{sandbox.app_url}/settings?lang={lang}")
        rows = page.locator(".stage-row")
        assert rows.count() >= 6  # the six default stages, one row each, and empty rows to add one
        assert page.locator('details.stage-preview[data-stage="d+30"]').count() == 1

        # A new stage: 21 days after the due date. Its message appears without a page load, in both languages.
        blank = rows.count() - 1
        page.fill(f"#stage_{blank}_days", "21")
        page.select_option(f"#stage_{blank}_when", "after")
        preview = page.locator('details.stage-preview[data-stage="d+21"]')
        preview.wait_for()
        preview.locator("summary").click()
        indonesian = preview.locator('.bubble[data-language="id"] .bubble-text').inner_text()
        english = preview.locator('.bubble[data-language="en"] .bubble-text').inner_text()
        assert "21 hari" in indonesian and "21 days" in english
        shot(page, f"30-schedule-preview-{width}-{lang}")

        # A minimum amount nobody can read: refused, marked, kept, announced.
        page.fill("#minimum_0_amount", "lima puluh ribu")
        page.click("#save-schedule")
        page.wait_for_load_state()
        field = page.locator("#minimum_0_amount")
        assert field.get_attribute("aria-invalid") == "true"
        assert field.input_value() == "lima puluh ribu"
        assert page.locator("#form-errors").get_attribute("role") == "alert"
        assert page.locator("#minimum_0_amount-error").is_visible()
        assert page.evaluate("document.activeElement.id") == "minimum_0_amount"  # focused, so scrolled to
        assert page.input_value(f"#stage_{blank}_days") == "21"  # the rest as typed too
        shot(page, f"31-schedule-refused-{width}-{lang}")

        page.fill("#minimum_0_amount", "Rp 50.000")
        page.click("#save-schedule")
        page.wait_for_url(re.compile(r"/settings\?m=saved$"))
        settings = bootstrap.container().stores.organisations.settings(org_id)
        assert 21 in [s.offset_days for s in settings.stages]
        assert settings.minimum_amounts == (Money(Decimal("50000"), "IDR"),)
        shot(page, f"32-schedule-saved-{width}-{lang}")
    finally:
        context.close()
