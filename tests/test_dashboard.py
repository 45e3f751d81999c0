"""The owner's dashboard over HTTP: settings, consent, invoices and their timeline, preview, run now, isolation.

Everything goes through the running app (Chalice local server) with a signed-in session; the accounting data comes
from FakeXero through the real connect flow, messages go to the fake Meta Graph API.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from chalicelib import bootstrap
from chalicelib.domain.models import ConnectionStatus
from chalicelib.storage.schema import OrganisationRecord, org_pk
from sandbox.lambda_runtime import SqsEventSource
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


@pytest.fixture(autouse=True)
def _retire_connections() -> Iterator[None]:
    yield
    retire_connections()


BUDI = "+6281234560101"
SARI = "+6281234560102"


@dataclass
class Shop:
    client: WebClient
    org_id: str
    tenant_id: str
    phone_number_id: str
    token: str


def open_shop(sandbox: Sandbox, name: str = "Toko Sumber Rejeki") -> Shop:
    """An owner signed up through the dashboard, with WhatsApp set up and one Xero organisation connected."""
    client = WebClient(sandbox.app_url)
    email = new_email()
    assert client.sign_up(email, business=name).status_code == 303
    org_id = org_of(email)
    seeded = seed_overdue_customers(
        sandbox,
        f"{name} {uuid.uuid4().hex[:6]}",
        [("Budi Santoso", BUDI, "INV-001", "1250000"), ("Sari Dewi", SARI, "INV-002", "800000")],
        overdue_days=4,
    )
    number = save_whatsapp_number(client, sandbox, "+62 21 5555 0000")
    assert connect(client, "xero", {"tenant": [seeded["tenantId"]]}).headers["Location"] == "/dashboard?m=connected"
    return Shop(client, org_id, seeded["tenantId"], number.phone_number_id, number.token)


@pytest.fixture
def shop(sandbox: Sandbox) -> Iterator[Shop]:
    set_clock(TUESDAY_10_JAKARTA)
    s = open_shop(sandbox)
    yield s
    bootstrap.container().stores.connections.set_status(s.org_id, f"xero:{s.tenant_id}", ConnectionStatus.DISCONNECTED)


def test_whatsapp_token_is_stored_encrypted_and_never_shown_back(shop: Shop) -> None:
    page = shop.client.get("/settings").text
    assert shop.phone_number_id in page and shop.token not in page
    assert "A token is stored (encrypted)" in page
    record = OrganisationRecord.get(org_pk(shop.org_id), "PROFILE")
    assert record.wa_token_ciphertext is not None and shop.token.encode() not in record.wa_token_ciphertext
    # Saving without a token keeps the stored one.
    shop.client.post(
        "/settings/whatsapp",
        {
            "phone_number_id": shop.phone_number_id,
            "business_account_id": record.wa_business_account_id,
            "access_token": "",
        },
        csrf_from="/settings",
    )
    account = bootstrap.container().stores.organisations.whatsapp(shop.org_id)
    assert account is not None and account.access_token == shop.token


def test_schedule_settings_are_saved_and_bad_values_explained(shop: Shop) -> None:
    form = {
        "stages": "-2, 0, 5, 10",
        "timezone": "Asia/Makassar",
        "window_start": "08:30",
        "window_end": "16:00",
        "weekdays": ["0", "1", "2", "3", "4", "5"],
        "language": "en",
        "minimum_amounts": "IDR 50000, USD 10",
    }
    assert shop.client.post("/settings/schedule", form, csrf_from="/settings").status_code == 303
    settings = bootstrap.container().stores.organisations.settings(shop.org_id)
    assert [s.offset_days for s in settings.stages] == [-2, 0, 5, 10]
    assert settings.timezone == "Asia/Makassar" and settings.language == "en"
    assert settings.window.weekdays == frozenset(range(6))
    assert {m.currency: str(m.amount) for m in settings.minimum_amounts} == {"IDR": "50000", "USD": "10"}
    assert (
        bootstrap.container().stores.organisations.whatsapp(shop.org_id) is not None
    )  # untouched by the schedule form
    bad = shop.client.post("/settings/schedule", {**form, "window_end": "07:00"}, csrf_from="/settings")
    assert bad.status_code == 400 and "start before it ends" in bad.text
    for strange in ({"weekdays": ["²"]}, {"window_start": "09:00+07:00"}, {"window_end": "17:00:00.5"}):
        answer = shop.client.post("/settings/schedule", {**form, **strange}, csrf_from="/settings")
        assert answer.status_code == 400, strange
    bad_zone = shop.client.post("/settings/schedule", {**form, "timezone": "Mars/Olympus"}, csrf_from="/settings")
    assert bad_zone.status_code == 400 and "choose your city from the list" in bad_zone.text


def test_consent_preview_run_now_and_the_timeline(sandbox: Sandbox, shop: Shop) -> None:
    customers = shop.client.get("/customers").text
    assert "Budi Santoso" in customers and "No consent recorded" in customers
    no_evidence = shop.client.post(
        "/customers/consent",
        {"phone": BUDI, "status": "opted_in", "source": "signed_form", "evidence": ""},
        csrf_from="/customers",
    )
    assert no_evidence.status_code == 400 and "needs evidence" in no_evidence.text
    recorded = shop.client.post(
        "/customers/consent",
        {
            "phone": "0812-3456-0101",
            "status": "opted_in",
            "source": "signed_form",
            "evidence": "Signed the WhatsApp reminders form at the shop counter on 2026-11-01",
        },
        csrf_from="/customers",
    )
    assert recorded.headers["Location"] == "/customers?m=consent"
    assert 'data-phone="+6281234560101" data-consent="opted_in"' in shop.client.get("/customers").text

    preview = shop.client.get("/preview").text
    assert 'data-phone="+6281234560101"' in preview and "INV-001" in preview
    assert 'data-number="INV-002" data-reason="no_consent"' in preview
    assert sandbox.meta.messages(phone_number_id=shop.phone_number_id) == []  # a preview sends nothing

    assert shop.client.post("/run-now", {}, csrf_from="/preview").headers["Location"].startswith("/run-status?since=")
    sent = sandbox.meta.messages(phone_number_id=shop.phone_number_id)
    assert [m["wa_id"] for m in sent] == ["6281234560101"]
    sandbox.drain_webhooks(flush_fakes=True)  # Meta posts its statuses; the webhook worker applies them
    invoices = shop.client.get("/invoices").text
    assert 'data-number="INV-001" data-reason="sent"' in invoices
    assert 'data-state="sent" data-delivery="read"' in invoices or 'data-delivery="delivered"' in invoices
    assert 'data-number="INV-002" data-reason="no_consent"' in invoices
    api = shop.client.get("/api/invoices").json()["invoices"]
    assert {r["number"]: r["reason"] for r in api} == {"INV-001": "sent", "INV-002": "no_consent"}

    opt_out = shop.client.post(
        "/customers/consent",
        {"phone": BUDI, "status": "opted_out", "source": "whatsapp_reply", "evidence": ""},
        csrf_from="/customers",
    )
    assert opt_out.status_code == 303
    history = bootstrap.container().stores.consents.history(shop.org_id, BUDI)
    assert [c.status.value for c in history] == ["opted_in", "opted_out"]


def test_run_now_enqueues_on_the_reminder_queue_outside_the_sandbox(sandbox: Sandbox, shop: Shop) -> None:
    import app

    with bootstrap.installed(bootstrap.container().with_settings(run_now_mode="queue")):  # as on AWS
        answer = shop.client.post("/run-now", {}, csrf_from="/preview")
        assert answer.headers["Location"].startswith("/run-status?since=")
        source = SqsEventSource(
            queue_url=sandbox.aws.queue_url, handler=app.run_reminder_cycles, function_name="run_reminder_cycles"
        )
        assert sum(o.failed for o in source.drain()) == 0
    assert 'data-number="INV-002" data-reason="no_consent"' in shop.client.get("/invoices").text


def test_reconnect_needed_shows_a_reconnect_button(sandbox: Sandbox, shop: Shop) -> None:
    bootstrap.container().stores.connections.set_status(
        shop.org_id, f"xero:{shop.tenant_id}", ConnectionStatus.RECONNECT_NEEDED
    )
    page = shop.client.get("/dashboard").text
    assert 'data-status="reconnect_needed"' in page and 'id="reconnect-xero"' in page
    assert "reminders are paused" in page
    assert connect(shop.client, "xero", {"tenant": [shop.tenant_id]}).status_code == 303
    assert (
        bootstrap.container().stores.connections.get(shop.org_id, f"xero:{shop.tenant_id}").status
        is ConnectionStatus.ACTIVE
    )


def test_a_second_organisation_sees_none_of_the_firsts_data(sandbox: Sandbox, shop: Shop) -> None:
    shop.client.post(
        "/customers/consent",
        {
            "phone": BUDI,
            "status": "opted_in",
            "source": "signed_form",
            "evidence": "Signed the reminders form on 2026-11-01",
        },
        csrf_from="/customers",
    )
    shop.client.post("/run-now", {}, csrf_from="/preview")
    assert "INV-001" in shop.client.get("/invoices").text

    other = WebClient(sandbox.app_url)
    other.sign_up(new_email("rival"), business="Toko Sebelah")
    for path in ("/dashboard", "/invoices", "/customers", "/preview", "/settings"):
        text = other.get(path).text
        for secret in ("INV-001", "Budi Santoso", BUDI, shop.phone_number_id, shop.tenant_id, "Toko Sumber Rejeki"):
            assert secret not in text, f"{secret} leaked on {path}"
    for path in ("/api/invoices", "/api/connections", "/api/consents"):
        body = other.get(path).json()
        assert list(body.values()) == [[]], f"{path} leaked {body}"
    # A parameter naming the first organisation changes nothing: the organisation comes from the session.
    assert "INV-001" not in other.get(f"/invoices?org_id={shop.org_id}").text
    assert other.get(f"/api/invoices?org_id={shop.org_id}").json() == {"invoices": []}


def test_a_whatsapp_number_used_by_another_organisation_cannot_be_taken_over(sandbox: Sandbox, shop: Shop) -> None:
    rival = WebClient(sandbox.app_url)
    rival.sign_up(new_email("rival"), business="Toko Sebelah")
    waba = bootstrap.container().stores.organisations.whatsapp_summary(shop.org_id).business_account_id
    # Meta refuses a token that does not manage the number (tests/test_whatsapp_ownership.py has every case) ...
    for token, words in (
        ("EAAGstolen", "Meta refused this access token"),
        (shop.token, "already connected to another Lunas account"),
    ):  # ... and even the right one
        answer = rival.post(
            "/settings/whatsapp",
            {"phone_number_id": shop.phone_number_id, "business_account_id": waba, "access_token": token},
            csrf_from="/settings",
        )
        assert answer.status_code == 400 and words in answer.text
    assert bootstrap.container().stores.organisations.whatsapp(org_of(_rival_email(rival))) is None
    assert bootstrap.container().stores.routes.org_for_phone_number(shop.phone_number_id) == shop.org_id


def _rival_email(client: WebClient) -> str:
    return bootstrap.container().authenticator.principal(client.session.cookies["lunas_session"]).email
