"""The organisation's activity (audit log), its export, and removing the WhatsApp number (docs/privacy.md), as the
owner uses them on the dashboard: everything through the running app over HTTP against the fakes and moto.

A shop signs up, sets up WhatsApp, connects Xero, records its customers' consent, sends reminders (Run now) and gets
a reply; a second shop does the same. The first shop's activity page shows who did what (numbers masked), filtered
by kind and date; its export (JSON, and a zip of CSVs) holds its customers' consent with evidence and history, the
messages with their statuses, the reply and the activity, and nothing of the second shop.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
import zipfile
from collections.abc import Iterator

import httpx
import pytest

from chalicelib import bootstrap
from chalicelib.domain.masking import mask_phone
from sandbox.run import META_APP_ID, Sandbox
from tests.privacy_support import PrivacyShop, every_item, open_shop, remind_and_reply, run_now
from tests.web_support import retire_connections
from tests.world import TUESDAY_10_JAKARTA, set_clock

pytestmark = pytest.mark.sandbox

REPLY = "Sudah saya transfer kemarin ke BCA"
EVIDENCE = "Signed the WhatsApp reminders form at the shop counter on 2026-11-01"


@pytest.fixture(autouse=True)
def _retire_connections() -> Iterator[None]:
    yield
    retire_connections()


@pytest.fixture
def shops(sandbox: Sandbox) -> tuple[PrivacyShop, PrivacyShop]:
    set_clock(TUESDAY_10_JAKARTA)
    shop = open_shop(sandbox, "Toko Aktivitas")
    remind_and_reply(sandbox, shop, REPLY)
    other = open_shop(sandbox, "Toko Sebelah")
    remind_and_reply(sandbox, other, "Pesan toko lain")
    return shop, other


def _kinds(page: str) -> set[str]:
    return {part.split('"', 1)[0] for part in page.split('class="audit-entry" data-kind="')[1:]}


def _theirs(shop: PrivacyShop) -> list[str]:
    """What would betray the other shop in an export: its ids, e-mail, customers' numbers and reply."""
    phones = [p for phone in shop.phones for p in (phone, phone.removeprefix("+"))]
    return [shop.org_id, shop.email, shop.tenant_id, shop.phone_number_id, *phones, "Pesan toko lain"]


def test_the_activity_page_shows_who_did_what_with_numbers_masked(shops: tuple[PrivacyShop, PrivacyShop]) -> None:
    shop, other = shops
    assert shop.client.sign_in(shop.email).status_code == 303
    settings = shop.client.get("/settings").text
    assert 'href="/audit"' in settings and 'href="/export"' in settings

    page = shop.client.get("/audit")
    assert page.status_code == 200
    assert {"sign_in", "whatsapp", "connection", "consent", "sync", "reminders"} <= _kinds(page.text)
    budi, sari = shop.phones
    assert mask_phone(budi) in page.text and budi not in page.text and sari not in page.text
    assert shop.email in page.text and "Lunas, on its schedule" in page.text
    assert "2 sent." in page.text  # one entry per cycle, counts only
    assert other.email not in page.text

    consent_only = shop.client.get("/audit?kind=consent").text
    assert _kinds(consent_only) == {"consent"}
    today = TUESDAY_10_JAKARTA.date()
    assert _kinds(shop.client.get(f"/audit?from={today}&to={today}").text)
    tomorrow = today + dt.timedelta(days=1)
    assert 'id="no-audit"' in shop.client.get(f"/audit?from={tomorrow}").text
    aktivitas = html.unescape(shop.client.get("/audit?lang=id").text)
    assert "Aktivitas" in aktivitas
    # Every line in the owner's language, as it was recorded in English: no English line, no raw source id.
    assert "Masuk ke dasbor." in aktivitas and "Lunas, sesuai jadwal" in aktivitas
    assert re.search(r"Pengingat untuk [^<]+: 2 terkirim\.", aktivitas)
    assert f"Persetujuan dicatat untuk {mask_phone(budi)}: Formulir bertanda tangan." in aktivitas
    assert re.search(r"Membaca (semua tagihan terbuka|perubahan) dari Xero", aktivitas)
    for english in ("Signed in to the dashboard", "Reminders for", "Consent opted", "signed_form", "Synced"):
        assert english not in aktivitas, english


def test_the_owner_exports_the_organisations_data_as_json_and_csv(shops: tuple[PrivacyShop, PrivacyShop]) -> None:
    shop, other = shops
    budi = shop.phones[0]
    counts = shop.client.get("/export")
    assert counts.status_code == 200
    assert 'data-kind="consent" data-count="2"' in counts.text
    assert 'data-kind="messages" data-count="2"' in counts.text
    assert 'data-kind="replies" data-count="1"' in counts.text

    download = shop.client.get("/export.json")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    document = download.json()
    assert document["organisation"] == shop.org_id
    [consent] = [c for c in document["consent"] if c["phone"] == budi]
    assert consent["status"] == "opted_in" and consent["evidence"] == EVIDENCE
    assert consent["history"] and consent["history"][-1]["evidence"] == EVIDENCE
    assert consent["history"][-1]["recorded_by"]
    [message] = [m for m in document["messages"] if m["phone"] == budi]
    assert message["status"] in ("sent", "delivered", "read") and message["template"]
    assert [r["text"] for r in document["replies"]] == [REPLY]
    assert {"Budi Santoso", "Sari Dewi"} <= {c["name"] for c in document["customers"]}
    assert {"consent", "reminders", "sync"} <= {a["kind"] for a in document["audit"]}
    assert not [s for s in _theirs(other) if s in download.text]

    archive = shop.client.get("/export.zip")
    assert archive.status_code == 200 and archive.headers["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(archive.content)) as files:
        names = sorted(files.namelist())
        tables = {n: list(csv.DictReader(io.StringIO(files.read(n).decode("utf-8-sig")))) for n in names}
    assert names == ["audit.csv", "consent.csv", "customers.csv", "messages.csv", "replies.csv"]
    assert [r["evidence"] for r in tables["consent.csv"] if r["phone"] == budi] == [EVIDENCE]
    assert [r["status"] for r in tables["messages.csv"] if r["phone"] == budi] == [message["status"]]
    assert [r["text"] for r in tables["replies.csv"]] == [REPLY]
    assert tables["audit.csv"] and all(r["who"] for r in tables["audit.csv"])
    everything = json.dumps(tables)
    assert not [s for s in _theirs(other) if s in everything]

    exports = shop.client.get("/audit?kind=export").text
    assert "data as JSON (" in exports and "data as CSV" in exports


def test_the_owner_removes_the_whatsapp_number(sandbox: Sandbox) -> None:
    set_clock(TUESDAY_10_JAKARTA)
    shop = open_shop(sandbox, "Toko Lepas")
    remind_and_reply(sandbox, shop, REPLY)
    settings = bootstrap.container().settings
    url = f"{settings.graph_base_url.rstrip('/')}/v{float(settings.graph_api_version)}/{shop.waba_id}/subscribed_apps"
    assert httpx.post(url, headers={"Authorization": f"Bearer {shop.token}"}, timeout=10).status_code == 200
    assert META_APP_ID in sandbox.meta.subscriptions()[shop.waba_id]

    assert 'href="/settings/whatsapp/remove"' in shop.client.get("/settings").text
    confirm = shop.client.get("/settings/whatsapp/remove")
    assert confirm.status_code == 200 and 'id="wa-remove-confirm"' in confirm.text
    unconfirmed = shop.client.post("/settings/whatsapp/remove", {}, csrf_from="/settings/whatsapp/remove")
    assert unconfirmed.status_code == 400 and "not removed" in unconfirmed.text
    assert bootstrap.container().stores.organisations.whatsapp(shop.org_id) is not None

    removed = shop.client.post(
        "/settings/whatsapp/remove", {"confirm": "remove"}, csrf_from="/settings/whatsapp/remove"
    )
    assert removed.status_code == 200 and "The WhatsApp number was removed" in removed.text
    assert 'href="/settings/whatsapp/remove"' not in removed.text
    stores = bootstrap.container().stores
    assert stores.organisations.whatsapp(shop.org_id) is None
    assert not stores.organisations.whatsapp_summary(shop.org_id).has_token
    assert stores.routes.org_for_phone_number(shop.phone_number_id) is None
    assert shop.org_id not in stores.routes.orgs_for_business_account(shop.waba_id)
    assert META_APP_ID not in sandbox.meta.subscriptions()[shop.waba_id]
    sent_history = [i for i in every_item() if i["pk"]["S"] == f"ORG#{shop.org_id}" and i["sk"]["S"].startswith("MSG#")]
    assert len(sent_history) == 2  # the messages already sent are kept

    # The next cycle sends nothing, crashes nothing, and says why in plain words.
    before = len(sandbox.meta.messages(phone_number_id=shop.phone_number_id))
    run_now(shop.client)
    assert len(sandbox.meta.messages(phone_number_id=shop.phone_number_id)) == before
    [health] = [h for h in stores.connections.health(shop.org_id) if h.status == "active"]
    assert health.last_cycle_summary.startswith("no WhatsApp number connected")
    assert "No WhatsApp number connected: add one in Settings" in shop.client.get("/dashboard").text
    activity = shop.client.get("/audit?kind=whatsapp").text
    assert "Removed the WhatsApp number: its access token was deleted and Meta stopped sending its updates." in activity


def test_audit_entries_expire_after_the_configured_retention(sandbox: Sandbox) -> None:
    import boto3

    from chalicelib.storage.audit import DynamoAuditLog
    from chalicelib.storage.schema import TABLE_NAME
    from tests.builders import new_org

    org, at = new_org(), TUESDAY_10_JAKARTA
    bootstrap.container().audit.record(org, "settings", "owner@example.co.id", "Changed the reminder schedule", at)
    DynamoAuditLog(dt.timedelta(days=30)).record(org, "sign_in", "owner@example.co.id", "Signed in", at)
    items = boto3.client("dynamodb").query(
        TableName=TABLE_NAME,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"ORG#{org}"}},
    )["Items"]
    expiries = {i["kind"]["S"]: int(i["expires_at"]["N"]) for i in items}
    days = bootstrap.container().settings.audit_retention_days
    assert expiries == {
        "settings": int((at + dt.timedelta(days=days)).timestamp()),
        "sign_in": int((at + dt.timedelta(days=30)).timestamp()),
    }
    assert days == 395  # the default: 13 months
