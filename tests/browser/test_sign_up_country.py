"""Sign-up asks the owner's country in a real headless Chromium: an Australian browser gets Australia suggested, the
choice is stored, and the settings page shows and changes it. Screenshots land in test-artifacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib import bootstrap
from sandbox.run import Sandbox
from tests.browser.conftest import shot
from tests.web_support import PASSWORD, SIGNED_UP, new_email, org_of, retire_connections

pytestmark = pytest.mark.sandbox


@pytest.fixture(autouse=True)
def _retire_connections() -> Iterator[None]:
    yield
    retire_connections()


@pytest.fixture
def australian_page(browser: Any) -> Iterator[Any]:
    """A phone-sized browser profile whose language is Australian English (Accept-Language: en-AU)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-AU")
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


def test_sign_up_suggests_the_browsers_country_and_settings_change_it(sandbox: Sandbox, australian_page: Any) -> None:
    page, base, email = australian_page, sandbox.app_url, new_email("browser-country")
    page.goto(f"{base}/signup")
    assert page.input_value("#country") == "AU"  # from the browser's language, no script involved
    page.fill("#business_name", "Bondi Bakery")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    shot(page, "20-sign-up-country")
    page.click("#sign-up")
    page.wait_for_url(re.compile(r"/dashboard$"))
    SIGNED_UP.append(email)
    org_id = org_of(email)
    assert bootstrap.container().stores.organisations.settings(org_id).country == "AU"

    page.goto(f"{base}/settings?lang=id")
    assert page.input_value("#country") == "AU"
    assert page.locator("#country option:checked").inner_text() == "Australia"
    page.select_option("#country", "NZ")
    page.click("#save-schedule")
    page.wait_for_url(re.compile(r"/settings\?m=saved$"))
    assert page.input_value("#country") == "NZ"
    assert page.locator("#country option:checked").inner_text() == "Selandia Baru"  # in the owner's language
    shot(page, "21-settings-country")
    assert bootstrap.container().stores.organisations.settings(org_id).country == "NZ"
