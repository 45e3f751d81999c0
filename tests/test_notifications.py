"""Notifications (docs/dashboard.md "Notifications"): the duplicate-chasing warning when Xero's own invoice
reminders are switched on too, read through the real xero-python SDK from the Xero fake, over HTTP."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Iterator

import httpx
import pytest

from chalicelib import bootstrap
from chalicelib.worker import run_connection_cycle
from sandbox.run import Sandbox
from sandbox.xero import FakeXero
from tests.test_home import home, words
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
from tests.xero_support import add_fault, gateway_for

WARNING_EN = "Xero is also sending its own payment reminders for {name}: switch them off in Xero"
WARNING_ID = "Xero juga mengirim pengingat pembayarannya sendiri untuk {name}: matikan di Xero"


@pytest.fixture
def fake() -> Iterator[FakeXero]:
    server = FakeXero()
    server.start()
    yield server
    server.stop()


def switch(url: str, tenant_id: str, enabled: object) -> httpx.Response:
    return httpx.post(f"{url}/_sandbox/xero/tenants/{tenant_id}/invoice-reminders", json={"enabled": enabled})


def test_the_adapter_reads_xeros_own_reminder_setting(fake: FakeXero) -> None:
    tenant_id = str(fake.seed({"tenantName": "Toko Dua Kali"})["tenantId"])
    gateway, _ = gateway_for(fake, tenant_id)
    assert gateway.own_reminders_enabled() is False  # off unless the organisation switched them on
    assert switch(fake.url, tenant_id, True).json() == {"tenantId": tenant_id, "enabled": True}
    assert gateway.own_reminders_enabled() is True
    assert switch(fake.url, tenant_id, "yes").status_code == 400
    # Xero refusing (an approval without accounting.settings.read answers 403): "cannot say", never an error.
    add_fault(fake, "^/api.xro/2.0/InvoiceReminders/Settings$", 403, {})
    assert gateway.own_reminders_enabled() is None


@pytest.fixture
def _retire() -> Iterator[None]:
    yield
    retire_connections()


def test_the_home_page_warns_when_xero_chases_the_same_customers(sandbox: Sandbox, _retire: None) -> None:
    set_clock(TUESDAY_10_JAKARTA)
    client = WebClient(sandbox.app_url)
    email = new_email()
    assert client.sign_up(email, business="Toko Ganda").status_code == 303
    name = f"Toko Ganda {uuid.uuid4().hex[:6]}"
    seeded = seed_overdue_customers(sandbox, name, [("Budi", "+6281234560401", "INV-1", "1000")], overdue_days=5)
    save_whatsapp_number(client, sandbox, "+62 21 5555 0401")
    assert connect(client, "xero", {"tenant": [seeded["tenantId"]]}).status_code == 303
    org_id, connection_id = org_of(email), f"xero:{seeded['tenantId']}"
    assert switch(sandbox.xero.url, seeded["tenantId"], True).status_code == 200

    run_connection_cycle(org_id, connection_id)  # the first sync asks Xero
    text = words(home(client))
    assert WARNING_EN.format(name=name) in text and "(Business settings → Invoice reminders)" in text
    assert "so customers are not chased twice" in text
    assert WARNING_ID.format(name=name) in words(home(client, "id"))
    assert 'data-kind="duplicate"><a href="https://go.xero.com/"' in home(client)

    # Switched off in Xero: the same day's syncs do not ask again (one call a day); the next day's does.
    assert switch(sandbox.xero.url, seeded["tenantId"], False).status_code == 200
    run_connection_cycle(org_id, connection_id)
    assert WARNING_EN.format(name=name) in words(home(client))
    set_clock(TUESDAY_10_JAKARTA + dt.timedelta(days=1))
    run_connection_cycle(org_id, connection_id)
    assert 'data-kind="duplicate"' not in home(client)
    stored = bootstrap.container().stores.connections.get(org_id, connection_id)
    assert stored.own_reminders is False and stored.own_reminders_checked_at is not None

    # Another organisation never sees this warning.
    other = WebClient(sandbox.app_url)
    assert other.sign_up(new_email("rival"), business="Toko Sebelah").status_code == 303
    assert "Xero is also sending" not in words(home(other))


# -- the daily summary e-mail (SES on moto) -------------------------------------------------------------------------

BUDI = "+6281234560411"
SARI = "+6281234560412"
WEDNESDAY_8_JAKARTA = TUESDAY_10_JAKARTA.replace(day=25, hour=8)


def mail_to(address: str) -> list[dict[str, object]]:
    from sandbox.aws import sent_mail

    return [m for m in sent_mail() if address in m["to"]]  # type: ignore[operator]


def shop_with_a_sent_reminder(sandbox: Sandbox) -> tuple[WebClient, str, str]:
    """An owner (their first visit keeps their address) whose Lunas reminded Budi on Tuesday; Sari has no consent."""
    set_clock(TUESDAY_10_JAKARTA)
    client = WebClient(sandbox.app_url)
    email = new_email("digest")
    assert client.sign_up(email, business="Toko Pagi").status_code == 303
    seeded = seed_overdue_customers(
        sandbox,
        f"Toko Pagi {uuid.uuid4().hex[:6]}",
        [("Budi", BUDI, "INV-1", "1250000"), ("Sari", SARI, "INV-2", "800000")],
        overdue_days=4,
    )
    save_whatsapp_number(client, sandbox, "+62 21 5555 0411")
    assert connect(client, "xero", {"tenant": [seeded["tenantId"]]}).status_code == 303
    consent = {"phone": BUDI, "status": "opted_in", "source": "signed_form", "evidence": "Signed the form"}
    assert client.post("/customers/consent", consent, csrf_from="/customers").status_code == 303
    assert client.post("/run-now", {}, csrf_from="/preview").status_code == 303
    sandbox.drain_webhooks(flush_fakes=True)
    home(client)  # the owner's visit: the summary's address is theirs
    return client, org_of(email), email


def test_the_daily_summary_goes_once_at_8_in_the_owners_language(sandbox: Sandbox, _retire: None) -> None:
    client, org_id, email = shop_with_a_sent_reminder(sandbox)
    lunas = bootstrap.container()
    # Tuesday 10:00 in Jakarta is not 08:00: nothing goes.
    assert org_id not in lunas.send_daily_digests() and mail_to(email) == []

    # Wednesday 08:00 in Jakarta: the hourly schedule runs, and runs again (a retry): one e-mail.
    set_clock(WEDNESDAY_8_JAKARTA)
    assert org_id in lunas.send_daily_digests()
    assert org_id not in lunas.send_daily_digests()
    sent = mail_to(email)
    assert len(sent) == 1 and sent[0]["from"] == "ringkasan@lunas.example"
    # The organisation's language is Bahasa Indonesia (the default): read as the owner reads it.
    assert sent[0]["subject"] == "Ringkasan harian Lunas untuk Toko Pagi"
    text = words(str(sent[0]["body"]))
    assert "Kemarin (" in text and "Pengingat terkirim: 1" in text and "Gagal: 0" in text
    assert "Pelanggan dengan tagihan lewat jatuh tempo tanpa persetujuan tercatat: 1." in text
    assert "Matikan di Lunas: Pengaturan → E-mail ringkasan harian." in text

    # In English (the plain-text part as the owner's mail program shows it), for the same day.
    from chalicelib.web.digest_mail import compose

    settings = lunas.stores.organisations.settings(org_id)
    lunas.stores.organisations.update_settings(dataclasses.replace(settings, language="en"))
    mail = compose(org_id, TUESDAY_10_JAKARTA.date())
    assert mail.subject == "Lunas daily summary for Toko Pagi"
    assert "Yesterday (" in mail.text and "Reminders sent: 1" in mail.text and "Failed: 0" in mail.text
    assert "Customers with overdue invoices and no consent recorded: 1." in mail.text
    assert "<" not in mail.text and "Reminders sent: 1" in words(mail.html)

    # Switched off in Settings: Thursday 08:00 sends nothing.
    assert client.post("/settings/digest", {}, csrf_from="/settings").status_code == 303
    assert 'id="digest-on" name="digest" value="1" >' in client.get("/settings").text
    set_clock(WEDNESDAY_8_JAKARTA + dt.timedelta(days=1))
    assert org_id not in lunas.send_daily_digests() and len(mail_to(email)) == 1
    # On again: Friday's goes.
    assert client.post("/settings/digest", {"digest": "1"}, csrf_from="/settings").status_code == 303
    set_clock(WEDNESDAY_8_JAKARTA + dt.timedelta(days=2))
    assert org_id in lunas.send_daily_digests() and len(mail_to(email)) == 2


def test_the_sandbox_outbox_shows_what_ses_accepted(sandbox: Sandbox, _retire: None) -> None:
    import json

    urls = json.loads(sandbox.urls_file.read_text())
    page = httpx.get(urls["outbox"])
    assert page.status_code == 200 and "Sandbox outbox" in page.text
    listed = httpx.get(urls["outbox"] + ".json").json()
    assert isinstance(listed, list)
