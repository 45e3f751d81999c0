"""The home page as a new owner meets it, over HTTP against the sandbox: the getting-started checklist ticked from real
state step by step up to the first delivered reminder, then money first (aged totals), this month's messages, money
paid after a reminder and what needs attention, read as the owner reads it in English and in Bahasa Indonesia."""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest

from chalicelib import bootstrap
from chalicelib.domain.meta_errors import AlertKind, WhatsAppAlert
from chalicelib.domain.models import ConnectionStatus
from sandbox.run import Sandbox
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

BUDI = "+6281234560301"
SARI = "+6281234560302"


@pytest.fixture(autouse=True)
def _retire_connections() -> Iterator[None]:
    yield
    retire_connections()


def words(page: str) -> str:
    """The page's text as the owner reads it: no markup, no styles, whitespace collapsed."""
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page))).strip()


def steps(page: str) -> dict[str, bool]:
    return {key: done == "yes" for key, done in re.findall(r'data-step="([a-z]+)" data-done="(yes|no)"', page)}


def home(client: WebClient, lang: str = "en") -> str:
    answer = client.get(f"/dashboard?lang={lang}")
    assert answer.status_code == 200, answer.text
    return answer.text


def test_a_new_owner_follows_the_checklist_to_a_first_delivered_reminder(sandbox: Sandbox) -> None:
    set_clock(TUESDAY_10_JAKARTA)
    client = WebClient(sandbox.app_url)
    email = new_email()
    assert client.sign_up(email, business="Toko Home").status_code == 303
    org_id = org_of(email)

    first = home(client)
    assert steps(first) == dict.fromkeys(("whatsapp", "accounting", "consent", "preview", "run", "delivered"), False)
    text = words(first)
    assert "Getting started" in text and "0 of 6 done" in text
    for href in ('href="/settings" id="checklist-whatsapp"', 'href="/customers" id="checklist-consent"'):
        assert href in first
    assert "No open invoices in your connected accounting systems." in text
    assert "No reminders sent this month yet." in text
    assert 'data-kind="whatsapp"' in first and "No WhatsApp number is connected" in text
    id_text = words(home(client, "id"))
    assert "Langkah awal" in id_text and "0 dari 6 selesai" in id_text and "Hubungkan nomor WhatsApp Anda" in id_text

    # 1) WhatsApp, 2) Xero: two customers, each with an invoice 4 days overdue.
    seeded = seed_overdue_customers(
        sandbox,
        f"Toko Home {uuid.uuid4().hex[:6]}",
        [("Budi Santoso", BUDI, "INV-301", "1250000"), ("Sari Dewi", SARI, "INV-302", "800000")],
        overdue_days=4,
    )
    phone_number_id = save_whatsapp_number(client, sandbox, "+62 21 5555 0301").phone_number_id
    assert connect(client, "xero", {"tenant": [seeded["tenantId"]]}).status_code == 303
    assert "Lunas has not read the invoices of Toko Home" in words(home(client))  # not "no open invoices"
    assert steps(home(client)) == {
        **dict.fromkeys(("whatsapp", "accounting"), True),
        **dict.fromkeys(("consent", "preview", "run", "delivered"), False),
    }

    # 3) consent for Budi, 4) the preview.
    recorded = client.post(
        "/customers/consent",
        {
            "phone": BUDI,
            "status": "opted_in",
            "source": "signed_form",
            "evidence": "Signed the WhatsApp reminders form at the counter on 2026-11-01",
        },
        csrf_from="/customers",
    )
    assert recorded.status_code == 303
    assert client.get("/preview").status_code == 200
    after_preview = home(client)
    assert [k for k, done in steps(after_preview).items() if done] == ["whatsapp", "accounting", "consent", "preview"]
    # The preview read the invoices: the money is there before anything was sent.
    assert "IDR 2,050,000" in words(after_preview) and 'id="money-not-read"' not in after_preview

    # 5) Run now; 6) Meta delivers: the checklist is gone, the home page is about money.
    assert client.post("/run-now", {}, csrf_from="/preview").status_code == 303
    assert [m["wa_id"] for m in sandbox.meta.messages(phone_number_id=phone_number_id)] == [BUDI[1:]]
    assert steps(home(client)).get("run", True) is True  # ticked (or the checklist already gone: delivered)
    sandbox.drain_webhooks(flush_fakes=True)
    page = home(client)
    assert steps(page) == {} and 'id="checklist"' not in page
    text = words(page)
    assert "Overdue IDR 2,050,000 Overdue invoices: 2" in text
    assert "1–30 days late IDR 2,050,000" in text and "Not due yet IDR 0" in text
    assert re.search(r"Sent 1 Delivered 1 Read [01] Failed 0", text), text
    # Sari has an overdue invoice and no consent: the owner is told, with a link to where consent is recorded.
    assert re.search(r'<li data-kind="consent"><a href="/customers">', page)
    assert "Customers with overdue invoices and no consent recorded: 1." in text
    # The last cycle reads in words, never as reason=count codes.
    assert "invoices checked" in text and "=" not in re.sub(r"<[^>]+>", "", page.split('id="connections"')[1])
    assert "already_sent" not in text and "no_consent" not in text

    ringkasan = words(home(client, "id"))
    assert "Lewat jatuh tempo Rp 2.050.000 Tagihan lewat jatuh tempo: 2" in ringkasan
    assert "Terlambat 1–30 hari Rp 2.050.000" in ringkasan
    assert re.search(r"Terkirim 1 Sampai 1 Dibaca [01] Gagal 0", ringkasan)
    assert "Pelanggan dengan tagihan lewat jatuh tempo tanpa persetujuan tercatat: 1." in ringkasan
    assert "Belum ada tagihan yang diingatkan bulan ini yang sudah dibayar." in ringkasan

    # Budi pays INV-301 in Xero; the next cycle sees it gone: paid after a reminder, no longer overdue.
    sandbox.xero.pay(seeded["invoices"]["INV-301"])
    assert client.post("/run-now", {}, csrf_from="/preview").status_code == 303
    paid = words(home(client))
    assert "Invoices reminded this month and paid since: 1 — IDR 1,250,000" in paid
    assert "Overdue IDR 800,000 Overdue invoices: 1" in paid
    assert "Dibayar setelah diingatkan Tagihan yang diingatkan bulan ini dan sudah dibayar: 1 — Rp 1.250.000" in words(
        home(client, "id")
    )
    # The same numbers as JSON, scoped like the page; amounts stay exact decimal strings per currency.
    api = client.get("/api/home").json()
    (idr,) = api["aging"]
    assert (idr["currency"], Decimal(idr["overdue"]), idr["overdue_invoices"]) == ("IDR", Decimal(800000), 1)
    assert {k: Decimal(v) for k, v in idr["buckets"].items()} == {
        **dict.fromkeys(("not_due", "days_31_60", "days_61_90", "days_over_90"), Decimal(0)),
        "days_1_30": Decimal(800000),
    }
    (paid_amount,) = api["paid_after_reminder"]["amounts"]
    assert api["paid_after_reminder"]["invoices"] == 1
    assert (paid_amount["currency"], Decimal(paid_amount["amount"])) == ("IDR", Decimal(1250000))
    assert api["this_month"]["sent"] == 1 and api["checklist"] == []
    # In December the month's numbers start again from zero (only this month's messages are read), and the checklist
    # stays done: a reminder reached a customer once.
    set_clock(TUESDAY_10_JAKARTA + dt.timedelta(days=10))
    december = client.get("/api/home").json()
    assert december["this_month"]["sent"] == 0 and december["checklist"] == []
    set_clock(TUESDAY_10_JAKARTA)
    rival = WebClient(sandbox.app_url)
    assert rival.sign_up(new_email("rival"), business="Toko Sebelah").status_code == 303
    theirs = rival.get("/api/home").json()
    assert theirs["aging"] == [] and theirs["paid_after_reminder"]["invoices"] == 0
    assert "Budi" not in str(theirs) and seeded["tenantId"] not in str(theirs)
    bootstrap.container().stores.connections.set_status(
        org_id, f"xero:{seeded['tenantId']}", ConnectionStatus.DISCONNECTED
    )


def test_problems_are_listed_each_with_a_link_to_its_fix(sandbox: Sandbox) -> None:
    set_clock(TUESDAY_10_JAKARTA)
    client = WebClient(sandbox.app_url)
    email = new_email()
    assert client.sign_up(email, business="Toko Sambung").status_code == 303
    seeded = seed_overdue_customers(
        sandbox, f"Toko Sambung {uuid.uuid4().hex[:6]}", [("Budi", BUDI, "INV-1", "1000")], overdue_days=40
    )
    phone_number_id = save_whatsapp_number(client, sandbox, "+62 21 5555 0302").phone_number_id
    assert connect(client, "xero", {"tenant": [seeded["tenantId"]]}).status_code == 303
    org_id = org_of(email)
    assert 'id="attention-none"' in home(client)  # nothing wrong yet: the owner is told so

    # A customer writes back; Meta stops a template and the account; Xero refuses our token.
    sandbox.meta.simulate_text(phone_number_id, BUDI, "Sudah saya transfer kemarin, mohon dicek")
    sandbox.drain_webhooks(flush_fakes=True)
    stores = bootstrap.container().stores
    stores.whatsapp_alerts.raise_alert(
        org_id,
        WhatsAppAlert(
            kind=AlertKind.TEMPLATE,
            code=132015,
            reason="paused",
            at=TUESDAY_10_JAKARTA,
            template="lunas_invoice_overdue/id",
        ),
    )
    stores.whatsapp_alerts.raise_alert(
        org_id, WhatsAppAlert(kind=AlertKind.ACCOUNT, code=131042, reason="payment problem", at=TUESDAY_10_JAKARTA)
    )
    stores.connections.set_status(org_id, f"xero:{seeded['tenantId']}", ConnectionStatus.RECONNECT_NEEDED)

    page = home(client)
    links = dict(re.findall(r'<li data-kind="([a-z_]+)"><a href="([^"]+)">', page))
    assert links["reconnect"] == "/connect/xero" and links["whatsapp"] == "/settings"
    assert links["replies"] in ("/replies", "/customers")
    text = words(page)
    assert "needs to be connected again" in text and "Customer replies to read (last 7 days): 1." in text
    assert "WhatsApp sending is stopped by Meta" in text
    # The banner names the template in plain words, never its internal name or Meta's error code.
    assert 'Meta refused the message "Reminder after the due date (Bahasa Indonesia)"' in text
    assert "lunas_invoice_overdue" not in text and "132015" not in text and "131042" not in text
    ringkasan = words(home(client, "id"))
    assert (
        "perlu dihubungkan lagi" in ringkasan
        and "Balasan pelanggan yang belum dibaca (7 hari terakhir): 1." in ringkasan
    )
    assert 'Meta menolak pesan "Pengingat setelah jatuh tempo (Bahasa Indonesia)"' in ringkasan
    # Marked resolved in the replies inbox, the reply no longer needs attention.
    inbox = client.get("/replies").text
    message_id = re.search(r'name="message_id" value="([^"]+)"', inbox)
    assert message_id is not None
    resolved = client.post("/replies/resolve", {"message_id": message_id.group(1)}, csrf_from="/replies")
    assert resolved.status_code == 303
    assert 'data-kind="replies"' not in home(client)
    # Another organisation never sees this one's problems.
    other = WebClient(sandbox.app_url)
    assert other.sign_up(new_email("rival"), business="Toko Sebelah").status_code == 303
    assert "needs to be connected again" not in words(home(other))
    assert "Customer replies" not in words(home(other))
