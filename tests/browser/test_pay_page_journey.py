"""The pay page in a real headless Chromium: the owner sets bank details and a QRIS image in the dashboard, a
QuickBooks invoice with no online payment page is reminded, the customer opens the reminder's button on a phone,
reads how to pay and presses "I have paid"; the owner's overview lists it. Screenshots land in test-artifacts/.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from sandbox.run import Sandbox
from tests.browser.conftest import shot
from tests.browser.test_owner_journey import sign_up
from tests.pay_support import tiny_png
from tests.web_support import new_email, register_whatsapp_number, retire_connections
from tests.world import TUESDAY_10_JAKARTA, set_clock

pytestmark = pytest.mark.sandbox

BUDI = "+6281234560301"


@pytest.fixture(autouse=True)
def _retire_connections() -> Iterator[None]:
    yield
    retire_connections()


def test_owner_sets_bank_details_and_a_customer_on_a_phone_says_they_paid(sandbox: Sandbox, page: Any) -> None:
    set_clock(TUESDAY_10_JAKARTA)
    base = sandbox.app_url
    company = f"PT Pay Browser {uuid.uuid4().hex[:6]}"
    sandbox.quickbooks.seed(
        {
            "companyName": company,
            "customers": [{"displayName": "Budi Browser", "mobile": "0812-3456-0301", "primaryPhone": ""}],
            "invoices": [
                {
                    "docNumber": "PB-001",
                    "customer": "Budi Browser",
                    "txnDate": "2026-10-18",
                    "dueDate": "2026-11-17",
                    "total": "2150000",
                    "onlinePayment": False,  # no QuickBooks Payments (Indonesia): no InvoiceLink
                }
            ],
        }
    )
    token = f"EAAG{uuid.uuid4().hex}"
    phone_number_id, waba_id = register_whatsapp_number(sandbox, token, "+62 21 5555 0003")

    # The owner: sign up, WhatsApp number, payment instructions, QRIS, QuickBooks, consent, Run now.
    sign_up(page, base, new_email("paybrowser"), "PT Maju Browser")
    page.goto(f"{base}/settings")
    page.click("#whatsapp-manual summary")  # entering the IDs yourself is the advanced option
    page.fill("#phone_number_id", phone_number_id)
    page.fill("#business_account_id", waba_id)
    page.fill("#access_token", token)
    page.click("#save-whatsapp")
    page.wait_for_url(re.compile(r"/settings\?m=saved$"))

    page.click("nav >> text=Payments")
    page.wait_for_url(re.compile(r"/settings/payments$"))
    page.fill("#bank_1_name", "BCA")
    page.fill("#bank_1_number", "123 456 7890")
    page.fill("#bank_1_holder", "")  # forgotten: refused, and what was typed stays
    page.fill("#e_wallet", "GoPay 0812-3456-7890 (PT Maju Browser)")
    page.click("#save-payments")
    assert "bank account 1 needs the bank, the account number and the account holder" in page.inner_text("#form-errors")
    assert page.get_attribute("#bank_1_holder", "aria-invalid") == "true"  # the missing one is marked
    assert page.input_value("#bank_1_number") == "123 456 7890"
    shot(page, "pay-01-owner-refused")
    page.fill("#bank_1_holder", "PT Maju Browser")
    page.click("#save-payments")
    page.wait_for_url(re.compile(r"/settings/payments\?m=saved$"))
    page.set_input_files("#qris-file", {"name": "qris.png", "mimeType": "image/png", "buffer": tiny_png(scale=8)})
    page.click("#upload-qris")
    page.wait_for_url(re.compile(r"/settings/payments\?m=saved$"))
    assert page.locator("#qris-image").evaluate("img => img.naturalWidth") == 232  # the image really displays
    shot(page, "pay-02-owner-payment-settings")

    page.goto(f"{base}/dashboard")
    page.click("#connect-quickbooks")
    page.wait_for_url(re.compile(r"/appcenter/connect/oauth2"))
    page.get_by_label(company).check()
    page.click("#allow")
    page.wait_for_url(re.compile(r"/dashboard\?m=connected$"))
    page.goto(f"{base}/customers")
    budi = page.locator(f'.customer[data-phone="{BUDI}"]')
    budi.locator("summary").click()
    budi.locator("select[name=source]").select_option("signed_form")
    budi.locator("textarea[name=evidence]").fill("Signed the WhatsApp reminders form at the counter, 2026-11-01")
    budi.locator("button.opt-in").click()
    page.wait_for_url(re.compile(r"/customers\?m=consent$"))
    page.goto(f"{base}/preview")
    page.click("#run-now")
    page.wait_for_url(re.compile(r"/run-status\?since="))
    [sent] = sandbox.meta.messages(phone_number_id=phone_number_id)

    # The customer, on a phone, taps the reminder's button.
    phone = page.context.browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID", is_mobile=True)
    customer = phone.new_page()
    customer.goto(f"{base}/pay/{sent['button_url_suffix']}")
    text = customer.inner_text("body")
    assert "Tagihan dari PT Maju Browser" in text
    assert "PB-001" in text and "Rp 2.150.000" in text and "Jatuh tempo 17 November 2026" in text
    assert "123 456 7890" in text and "PT Maju Browser" in text and "GoPay 0812-3456-7890" in text
    assert customer.locator("#qris").evaluate("img => img.naturalWidth") == 232
    width = customer.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways on a phone ({width}px)"
    shot(customer, "pay-03-customer-page")
    customer.click("#paid")
    customer.locator("#claimed").wait_for()
    assert "Terima kasih. PT Maju Browser sudah kami beri tahu" in customer.inner_text("#claimed")
    assert customer.locator("#paid").count() == 0
    shot(customer, "pay-04-customer-said-paid")
    phone.close()

    # The owner sees who said they paid.
    page.goto(f"{base}/dashboard?lang=en")
    said = page.inner_text("#said-paid")
    assert "Customers who said they paid" in said and "PB-001" in said and "Budi Browser" in said
    shot(page, "pay-05-owner-overview")
