"""The pay page of invoices with no online payment page, end to end: the owner's payment instructions saved through
the dashboard, a QuickBooks invoice without InvoiceLink reminded, the customer's page (Chalice's local server over
HTTP, read as text in both languages), "I have paid" (once, however often it is pressed), the hold it puts on the
next cycles, the owner's overview and invoices, expiry with the code, and one organisation's code never showing
another's instructions.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from chalicelib import bootstrap
from chalicelib.domain.records import BankAccount, PaymentInstructions
from sandbox.run import Sandbox
from tests.pay_support import BANK_DETAILS, page_text, tiny_png
from tests.qbo_world import QuickBooksWorld
from tests.web_support import WebClient, connect, new_email, org_of, retire_connections, save_whatsapp_number
from tests.world import TUESDAY_10_JAKARTA, set_clock

pytestmark = pytest.mark.sandbox

BUDI = "+6281234567001"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@dataclass
class Shop:
    """An owner signed up through the dashboard, with WhatsApp set up and a QuickBooks company connected in the
    browser's flow. QuickBooks Payments is off (as in Indonesia): its invoices have no InvoiceLink."""

    client: WebClient
    org_id: str
    phone_number_id: str
    realm_id: str = ""

    @property
    def connection_id(self) -> str:
        return f"quickbooks:{self.realm_id}"

    def connect(self, sandbox: Sandbox, invoices: list[tuple[str, str, str, int]]) -> None:
        """(customer, mobile, invoice number, days from today to the due date), IDR 1,250,000 each."""
        today = TUESDAY_10_JAKARTA.date()
        company = sandbox.quickbooks.seed(
            {
                "companyName": f"PT Maju Bersama {uuid.uuid4().hex[:6]}",
                "customers": [{"displayName": c, "mobile": m, "primaryPhone": ""} for c, m, _, _ in invoices],
                "invoices": [
                    {
                        "docNumber": number,
                        "customer": customer,
                        "txnDate": (today + dt.timedelta(days=due - 30)).isoformat(),
                        "dueDate": (today + dt.timedelta(days=due)).isoformat(),
                        "total": "1250000",
                        "onlinePayment": False,
                    }
                    for customer, _, number, due in invoices
                ],
            }
        )
        self.realm_id = company["realmId"]
        answer = connect(self.client, "quickbooks", {"realmId": company["realmId"]})
        assert answer.headers["Location"] == "/dashboard?m=connected"

    def run_cycle(self) -> str:
        from chalicelib.worker import run_connection_cycle

        return run_connection_cycle(self.org_id, self.connection_id)

    def decisions(self) -> dict[str, tuple[str, str]]:
        views = bootstrap.container().stores.decisions.for_org(self.org_id)
        return {v.number: (v.reason.value, v.detail) for v in views}


@pytest.fixture
def shop(sandbox: Sandbox) -> Iterator[Shop]:
    set_clock(TUESDAY_10_JAKARTA)
    client = WebClient(sandbox.app_url)
    email = new_email("pay")
    assert client.sign_up(email, business="PT Maju Bersama").status_code == 303
    number = save_whatsapp_number(client, sandbox, "+62 21 5555 0009")
    yield Shop(client, org_of(email), number.phone_number_id)
    retire_connections()
    set_clock(TUESDAY_10_JAKARTA)


def _claim(base: str, code: str, query: str = "") -> httpx.Response:
    return httpx.post(f"{base}/pay/{code}/paid{query}", content=b"", headers=FORM)


def test_no_pay_link_the_page_shows_how_to_pay_and_i_have_paid_holds_the_reminders(
    sandbox: Sandbox, shop: Shop
) -> None:
    client = shop.client
    saved = client.post("/settings/payments", BANK_DETAILS, csrf_from="/settings/payments")
    assert (saved.status_code, saved.headers["Location"]) == (303, "/settings/payments?m=saved")
    png = tiny_png(trailing=b"\r\n--\r\n" + bytes(range(256)))  # bytes a multipart parser could trip on
    token = client.csrf("/settings/payments")
    uploaded = client.session.post(
        f"{sandbox.app_url}/settings/payments/qris",
        data={"csrf_token": token},
        files={"qris": ("qris.png", png, "image/png")},
        allow_redirects=False,
    )
    assert uploaded.status_code == 303, uploaded.text
    shop.connect(sandbox, [("Budi Santoso", "0812-3456-7001", "3001", -8)])
    consent = {"phone": BUDI, "status": "opted_in", "source": "signed_form", "evidence": "Signed the form, 2026-11-01"}
    assert client.post("/customers/consent", consent, csrf_from="/customers").status_code == 303
    assert shop.run_cycle() == "sent=1"
    [sent] = sandbox.meta.messages(phone_number_id=shop.phone_number_id)
    code = sent["button_url_suffix"]
    base = sandbox.app_url

    # The customer opens the button's link on their phone: Bahasa Indonesia, as the reminder was.
    page = httpx.get(f"{base}/pay/{code}")
    assert page.status_code == 200 and '<html lang="id">' in page.text
    assert page.headers["referrer-policy"] == "no-referrer" and page.headers["cache-control"] == "no-store"
    text = page_text(page.text)
    assert "Tagihan dari PT Maju Bersama" in text
    assert "Invoice 3001 Rp 1.250.000 Jatuh tempo 16 November 2026" in text
    assert "Silakan bayar ke PT Maju Bersama dengan salah satu cara berikut:" in text
    assert "Transfer bank Bank BCA Nomor rekening 123 456 7890 Atas nama PT Maju Bersama" in text
    assert "Bank Mandiri Nomor rekening 137-00-1234567-8 Atas nama Budi Hartono" in text
    assert "Virtual account BCA Virtual Account 39010 0812 3456 7001" in text
    assert "E-wallet GoPay 0812-3456-7890 (PT Maju Bersama)" in text
    assert "QRIS Pindai kode QRIS ini dengan aplikasi bank atau e-wallet Anda." in text
    assert f'src="data:image/png;base64,{base64.b64encode(png).decode()}"' in page.text  # the bytes as uploaded
    assert "Saya sudah membayar" in text and "berhenti selama 7 hari" in text
    english = page_text(httpx.get(f"{base}/pay/{code}?lang=en").text)
    assert "Invoice from PT Maju Bersama" in english
    assert "Invoice 3001 IDR 1,250,000 Due 16 November 2026" in english
    assert "Bank transfer Bank BCA Account number 123 456 7890 Account holder PT Maju Bersama" in english
    assert "I have paid" in english and "pause the reminders for this invoice for 7 days" in english

    # "I have paid", twice (a double tap): one claim, the page thanks them and the button is gone.
    for _ in range(2):
        pressed = _claim(base, code)
        assert (pressed.status_code, pressed.headers["location"]) == (303, f"/pay/{code}")
    [claim] = bootstrap.container().stores.payment_links.claims(shop.org_id)
    assert [i.number for i in claim.invoices] == ["3001"]
    thanked = page_text(httpx.get(f"{base}/pay/{code}").text)
    assert re.search(r"Terima kasih\. PT Maju Bersama sudah kami beri tahu .* \(24 November 2026, 10\.\d\d\)", thanked)
    assert "Saya sudah membayar" not in thanked
    assert _claim(base, code, "?lang=en").headers["location"] == f"/pay/{code}?lang=en"
    thanks = page_text(httpx.get(f"{base}/pay/{code}?lang=en").text)
    assert "Thank you. We told PT Maju Bersama that you have paid (24 November 2026, 10:" in thanks
    assert len(bootstrap.container().stores.payment_links.claims(shop.org_id)) == 1

    # The owner sees it on the overview, in both languages.
    overview = page_text(client.get("/dashboard?lang=en").text)
    assert re.search(r"Customers who said they paid 3001 Budi Santoso IDR 1,250,000 24 Nov 2026 10:\d\d", overview)
    ringkasan = page_text(client.get("/dashboard?lang=id").text)
    assert re.search(
        r"Pelanggan yang bilang sudah membayar 3001 Budi Santoso Rp 1.250.000 24 Nov 2026 10:\d\d", ringkasan
    )

    # Six days later the d+14 reminder is due, but the claim holds it (7 days); the owner sees why.
    set_clock(TUESDAY_10_JAKARTA + dt.timedelta(days=6))
    assert shop.run_cycle() == "paused=1"
    assert shop.decisions()["3001"][0] == "paused"
    assert 'the customer pressed "I have paid" on the payment page' in shop.decisions()["3001"][1]
    # ...at the time the owner's clock showed (Jakarta, WIB), not UTC.
    assert re.search(r"on 2026-11-24 10:\d\d WIB; .* held until 2026-12-01 10:\d\d WIB", shop.decisions()["3001"][1])
    assert len(sandbox.meta.messages(phone_number_id=shop.phone_number_id)) == 1
    invoices = page_text(client.get("/invoices?lang=en").text)
    assert re.search(
        r"3001 Budi Santoso .* Paused The customer pressed .I have paid. on the payment page on 24 Nov 2026 10:\d\d\. "
        r"Reminders for this invoice wait until 1 Dec 2026 10:\d\d .* The customer said they paid on 24 Nov 2026",
        invoices,
    )
    tagihan = page_text(client.get("/invoices?lang=id").text)
    assert "Pelanggan bilang sudah membayar pada 24 Nov 2026" in tagihan
    # The same specifics in the owner's language, with the dates in Jakarta time.
    assert re.search(
        r"Pelanggan menekan .Saya sudah membayar. di halaman pembayaran pada 24 Nov 2026 10:\d\d\. Pengingat untuk "
        r"tagihan ini menunggu sampai 1 Des 2026 10:\d\d selagi Anda memeriksa pembayarannya\.",
        tagihan,
    )
    assert "the customer pressed" not in tagihan

    # After the hold, and the payment still not in QuickBooks, the reminders start again.
    set_clock(TUESDAY_10_JAKARTA + dt.timedelta(days=8))
    assert shop.run_cycle() == "sent=1"
    assert shop.decisions()["3001"][0] == "sent"


def test_an_expired_code_is_a_404_in_both_languages_and_one_organisation_never_sees_anothers(
    sandbox: Sandbox,
) -> None:
    set_clock(TUESDAY_10_JAKARTA)
    today = TUESDAY_10_JAKARTA.date()
    shops = {}
    for name, bank, number in (("A", "BCA", "111 222 3333"), ("B", "BNI", "999 888 7777")):
        world = QuickBooksWorld(sandbox, today=today)
        world.qbo.customer(f"Pelanggan {name}", "0812-3456-7001")
        world.qbo.invoice(f"{name}-100", f"Pelanggan {name}", due_in_days=-4, amount="500000", online_payment=False)
        world.create()
        world.consent(BUDI)
        holder = f"PT Toko {name}"
        bootstrap.container().stores.payment_instructions.save(
            world.org_id,
            PaymentInstructions(bank_accounts=(BankAccount(bank=bank, account_number=number, holder=holder),)),
        )
        assert world.run_cycle() == "sent=1"
        shops[name] = (world, world.messages()[0]["button_url_suffix"])
    base = sandbox.app_url
    (a, a_code), (b, b_code) = shops["A"], shops["B"]
    try:
        text = page_text(httpx.get(f"{base}/pay/{a_code}").text)
        assert "111 222 3333" in text and "PT Toko A" in text and "A-100" in text
        assert not [leak for leak in ("999 888 7777", "PT Toko B", "BNI", "B-100", "Pelanggan B") if leak in text]
        assert _claim(base, a_code).status_code == 303
        assert bootstrap.container().stores.payment_links.claims(b.org_id) == []
        assert bootstrap.container().stores.holds.active(b.org_id, sandbox.clock.now()) == (frozenset(), frozenset())

        # The link lives as long as its code (90 days); then the page, and "I have paid", are gone.
        set_clock(TUESDAY_10_JAKARTA + dt.timedelta(days=91))
        for answer in (httpx.get(f"{base}/pay/{b_code}"), _claim(base, b_code)):
            assert answer.status_code == 404
            gone = page_text(answer.text)
            assert "Tautan tidak ditemukan / Link not found" in gone
            assert "Tautan ini sudah kedaluwarsa atau tidak ada. Silakan hubungi penjual Anda." in gone
            assert "This link has expired or does not exist. Please contact the business that sent it." in gone
            assert "BNI" not in gone and "B-100" not in gone
        assert bootstrap.container().stores.payment_links.claims(b.org_id) == []
    finally:
        a.retire()
        b.retire()
        set_clock(TUESDAY_10_JAKARTA)


@pytest.mark.parametrize("code", ["x" * 65, "a.b", "a b", "é", "AAAAAAAAAAAAAAAA"])
def test_odd_codes_are_404_never_an_error(sandbox: Sandbox, code: str) -> None:
    for answer in (httpx.get(f"{sandbox.app_url}/pay/{code}"), _claim(sandbox.app_url, code)):
        assert answer.status_code == 404
    assert (
        httpx.post(f"{sandbox.app_url}/pay/{code}/paid", content=b"{}", headers={"Content-Type": "x/y"}).status_code
        < 500
    )


def test_the_owner_s_payment_form_explains_refusals_in_their_language_and_keeps_what_they_typed(shop: Shop) -> None:
    client = shop.client
    incomplete = {**BANK_DETAILS, "bank_2_holder": ""}
    refused = client.post("/settings/payments?lang=en", incomplete, csrf_from="/settings/payments")
    assert refused.status_code == 400
    text = page_text(refused.text)
    assert "Nothing was saved: bank account 2 needs the bank, the account number and the account holder." in text
    assert (
        'value="137-00-1234567-8"' in refused.text and 'value="GoPay 0812-3456-7890 (PT Maju Bersama)"' in refused.text
    )
    client.get("/settings/payments?lang=id")  # remembered from here on
    cases = {
        "bank_1_number": ("12 ab 34", "Tidak ada yang disimpan: nomor rekening 1 harus berupa angka rekening"),
        "claim_hold_days": ("0", "harus bilangan bulat dari 1 sampai 30 hari"),
        "e_wallet": ("x" * 301, "terlalu panjang (maksimal 300 karakter)"),
    }
    for field, (value, problem) in cases.items():
        answer = client.post("/settings/payments", {**BANK_DETAILS, field: value}, csrf_from="/settings/payments")
        assert answer.status_code == 400 and problem in page_text(answer.text), field
        assert f'value="{value}"' in answer.text
    store = bootstrap.container().stores.payment_instructions
    assert store.get(shop.org_id) == PaymentInstructions()  # nothing above was saved
    no_token = client.post("/settings/payments", BANK_DETAILS)
    assert no_token.status_code == 403 and store.get(shop.org_id) == PaymentInstructions()

    # QRIS: a PNG or JPEG of at most 200 KB, checked by its bytes; the CSRF token travels in the multipart body.
    def upload(name: str, data: bytes, token: str | None = None) -> int:
        answer = client.session.post(
            f"{client.base}/settings/payments/qris",
            data={"csrf_token": token if token is not None else client.csrf("/settings/payments")},
            files={"qris": (name, data, "image/png")},
            allow_redirects=False,
        )
        return answer.status_code

    assert upload("notes.png", b"just some text") == 400
    assert upload("huge.png", tiny_png(trailing=bytes(200 * 1024))) == 400
    assert upload("qris.png", tiny_png(), token="forged") == 403
    assert store.qris(shop.org_id) is None
    assert upload("qris.jpg", b"\xff\xd8\xff\xe0" + bytes(500)) == 303
    image = store.qris(shop.org_id)
    assert image is not None and image.content_type == "image/jpeg"
    settings = client.get("/settings/payments")
    assert 'id="qris-image" src="data:image/jpeg;base64,' in settings.text
    assert "img-src 'self' data:" in settings.headers["Content-Security-Policy"]
    assert client.post("/settings/payments/qris/delete", {}, csrf_from="/settings/payments").status_code == 303
    assert store.qris(shop.org_id) is None and 'id="qris-image"' not in client.get("/settings/payments").text

    # Bodies that are not the form's: refused with a page, never an error, nothing stored.
    token = client.csrf("/settings/payments")
    odd = {
        "multipart/form-data": b"",
        "multipart/form-data; boundary=zz": b"--zz\r\nContent-Disposition: form-data\r\n\r\nx\r\n--zz--",
        "multipart/form-data; boundary=\u00e9": f"--x\r\n\r\ncsrf_token={token}".encode(),
        "multipart/form-data; boundary=b": b"--b\r\nContent-Type: multipart/mixed; boundary=c\r\n\r\n--c\r\n" * 50,
    }
    for content_type, body in odd.items():
        answer = client.session.post(
            f"{client.base}/settings/payments/qris", data=body, headers={"Content-Type": content_type}
        )
        assert answer.status_code in (400, 403), (content_type, answer.status_code)
    too_big = client.session.post(
        f"{client.base}/settings/payments/qris",
        data={"csrf_token": token},
        files={"qris": ("big.png", tiny_png(trailing=bytes(1100 * 1024)), "image/png")},
        allow_redirects=False,
    )
    assert too_big.status_code == 413 and store.qris(shop.org_id) is None
