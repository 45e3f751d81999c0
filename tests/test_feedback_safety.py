"""Feedback and safety on the owner's dashboard (issue 16, items 4 and 6), over HTTP as a signed-in owner.

Run now shows its counts (inline in the sandbox, queued on AWS: the page and /api/run-status follow the cycle),
Disconnect asks first and says what happens to the data, refused forms keep what was typed and mark the field,
unknown pages are friendly, the preview equals the run, and the schedule editor reads amounts as people write them.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest

from chalicelib import bootstrap
from chalicelib.domain.models import ConnectionStatus, Money
from sandbox.lambda_runtime import SqsEventSource
from sandbox.run import Sandbox
from tests.test_dashboard import BUDI, Shop, open_shop
from tests.web_support import WebClient, connect, retire_connections, seed_overdue_customers
from tests.world import TUESDAY_10_JAKARTA, set_clock

pytestmark = pytest.mark.sandbox


@pytest.fixture(autouse=True)
def _retire_connections() -> Iterator[None]:
    yield
    retire_connections()


@pytest.fixture
def shop(sandbox: Sandbox) -> Iterator[Shop]:
    set_clock(TUESDAY_10_JAKARTA)
    yield open_shop(sandbox)


def _consent(shop: Shop, phone: str = BUDI) -> None:
    answer = shop.client.post(
        "/customers/consent",
        {
            "phone": phone,
            "status": "opted_in",
            "source": "signed_form",
            "evidence": "Signed the WhatsApp reminders form at the shop counter on 2026-11-01",
        },
        csrf_from="/customers",
    )
    assert answer.status_code == 303, answer.text


def _run_now(shop: Shop) -> str:
    answer = shop.client.post("/run-now", {}, csrf_from="/preview")
    assert answer.status_code == 303 and answer.headers["Location"].startswith("/run-status?since=")
    return str(answer.headers["Location"])


def _count(page: str, element: str) -> int:
    match = re.search(rf'id="{element}" data-count="([0-9]+)"', page)
    assert match, f"no {element} on the page"
    return int(match.group(1))


# -- Run now -----------------------------------------------------------------------------------------------------


def test_run_now_shows_the_counts_in_words_in_both_languages(shop: Shop) -> None:
    _consent(shop)
    status_url = _run_now(shop)
    page = shop.client.get(status_url).text
    assert 'data-done="yes"' in page and "Finished. Here is what happened:" in page
    assert _count(page, "run-sent") == 1 and "Sent: 1" in page
    assert _count(page, "run-not-sent") == 1 and 'data-reason="no_consent">No consent recorded: 1' in page
    indonesian = shop.client.get(status_url + "&lang=id").text
    assert "Selesai. Ini hasilnya:" in indonesian and "Terkirim: 1" in indonesian and "Tidak terkirim: 1" in indonesian
    assert shop.client.get(status_url.replace("since=", "since=yesterday")).headers["Location"] == "/preview"


def test_run_now_on_aws_is_queued_and_the_page_follows_the_cycle(sandbox: Sandbox, shop: Shop) -> None:
    import app

    _consent(shop)
    with bootstrap.installed(bootstrap.container().with_settings(run_now_mode="queue")):  # as on AWS
        status_url = _run_now(shop)
        since = status_url.split("since=", 1)[1]
        queued = shop.client.get(status_url).text
        assert 'data-done="no"' in queued and "Your reminders are being sent" in queued
        assert (
            'src="/run-status.js"' in queued and '<meta http-equiv="refresh"' in queued
        )  # polls; refreshes without JS
        assert shop.client.get(f"/api/run-status?since={since}").json()["done"] is False
        source = SqsEventSource(
            queue_url=sandbox.aws.queue_url, handler=app.run_reminder_cycles, function_name="run_reminder_cycles"
        )
        assert sum(o.failed for o in source.drain()) == 0
    status = shop.client.get(f"/api/run-status?since={since}").json()
    assert status["done"] is True and status["sent"] == 1 and status["not_sent"] == {"no_consent": 1}
    page = shop.client.get(status_url).text  # what a refresh shows
    assert 'data-done="yes"' in page and _count(page, "run-sent") == 1
    assert shop.client.get("/run-status.js").headers["Content-Type"].startswith("application/javascript")


# -- the preview equals the run ----------------------------------------------------------------------------------


def test_a_number_in_two_connected_companies_gets_one_message_in_the_preview_and_the_run(
    sandbox: Sandbox, shop: Shop
) -> None:
    second = seed_overdue_customers(
        sandbox, f"Cabang Dua {uuid.uuid4().hex[:6]}", [("Budi Santoso", BUDI, "CB-100", "500000")], overdue_days=4
    )
    assert connect(shop.client, "xero", {"tenant": [second["tenantId"]]}).status_code == 303
    _consent(shop)
    preview = shop.client.get("/preview").text
    assert preview.count(f'data-phone="{BUDI}"') == 1
    held = re.findall(r'data-number="(INV-001|CB-100)" data-reason="already_messaged_today"', preview)
    assert len(held) == 1
    _run_now(shop)
    assert [m["wa_id"] for m in sandbox.meta.messages(phone_number_id=shop.phone_number_id)] == ["6281234560101"]
    invoices = shop.client.get("/invoices").text
    assert f'data-number="{held[0]}" data-reason="already_messaged_today"' in invoices


# -- Disconnect --------------------------------------------------------------------------------------------------


def test_disconnect_asks_first_and_then_hides_the_companys_invoices(shop: Shop) -> None:
    _consent(shop)
    _run_now(shop)
    assert "INV-001" in shop.client.get("/invoices").text
    connection_id = f"xero:{shop.tenant_id}"
    ask = shop.client.get(f"/connections/disconnect?connection_id={connection_id}")
    assert ask.status_code == 200 and 'id="confirm-disconnect"' in ask.text
    assert "kept for 30 days, then removed" in ask.text and "access tokens are deleted" in ask.text
    assert (
        "disimpan 30 hari, lalu dihapus"
        in shop.client.get(f"/connections/disconnect?connection_id={connection_id}&lang=id").text
    )
    connection = bootstrap.container().stores.connections.get(shop.org_id, connection_id)
    assert connection.status is ConnectionStatus.ACTIVE  # asking changed nothing
    assert shop.client.get("/connections/disconnect?connection_id=xero:someone-else").status_code == 404
    done = shop.client.post("/connections/disconnect", {"connection_id": connection_id}, csrf_from="/dashboard")
    assert done.status_code == 303 and done.headers["Location"].startswith("/dashboard?m=")
    assert "INV-001" not in shop.client.get("/invoices").text
    assert shop.client.get("/api/invoices").json() == {"invoices": []}


# -- friendly pages ----------------------------------------------------------------------------------------------


def test_an_unknown_page_is_a_friendly_404_in_both_languages(sandbox: Sandbox) -> None:
    client = WebClient(sandbox.app_url)
    english = client.get("/no-such-page?lang=en")
    assert english.status_code == 404 and "Page not found" in english.text
    assert "Missing Authentication Token" not in english.text and "Traceback" not in english.text
    indonesian = client.get("/halaman-tidak-ada?lang=id")
    assert indonesian.status_code == 404 and "Halaman tidak ditemukan" in indonesian.text
    assert client.get("/health").json() == {"status": "ok"}  # concrete routes still win


# -- the schedule editor -----------------------------------------------------------------------------------------


def _editor_form(**changes: object) -> dict[str, object]:
    form: dict[str, object] = {
        "stage_0_days": "3",
        "stage_0_when": "before",
        "stage_0_on": "1",
        "stage_1_days": "",
        "stage_1_when": "on",
        "stage_1_on": "1",
        "stage_2_days": "7",
        "stage_2_when": "after",
        "stage_3_days": "14",
        "stage_3_when": "after",
        "stage_3_on": "1",
        "stage_4_days": "",
        "stage_4_when": "after",
        "stage_4_on": "1",
        "timezone": "Asia/Makassar",
        "window_start": "08:30",
        "window_end": "16:00",
        "weekdays": ["0", "1", "2", "3", "4"],
        "skip_holidays": "1",
        "days_off": "2026-12-24\n31/12/2026",
        "language": "id",
        "minimum_0_currency": "IDR",
        "minimum_0_amount": "Rp 50.000",
        "minimum_1_currency": "USD",
        "minimum_1_amount": "",
        "country": "ID",
    }
    form.update(changes)
    return form


def test_the_schedule_editor_saves_rows_amounts_and_days_off(shop: Shop) -> None:
    page = shop.client.get("/settings").text
    assert 'name="stage_0_days"' in page and 'name="minimum_0_amount"' in page
    assert "Makassar, Denpasar, Balikpapan (WITA)" in page and 'value="Asia/Makassar"' in page
    saved = shop.client.post("/settings/schedule", _editor_form(), csrf_from="/settings")
    assert saved.status_code == 303, saved.text
    settings = bootstrap.container().stores.organisations.settings(shop.org_id)
    assert [s.offset_days for s in settings.stages] == [-3, 0, 14]
    assert [s.offset_days for s in settings.stages_off] == [7]
    assert settings.minimum_amounts == (Money(Decimal("50000"), "IDR"),)
    assert settings.skip_holidays and [d.isoformat() for d in settings.days_off] == ["2026-12-24", "2026-12-31"]
    assert settings.timezone == "Asia/Makassar"
    again = shop.client.get("/settings?lang=id").text  # shown back as an Indonesian writes it
    assert 'value="50.000"' in again and 'data-stage="d+7"' in again
    assert 'id="next-holidays"' in again and 'data-date="2026-12-25"' in again  # what business days skip


def test_a_refused_schedule_keeps_what_was_typed_and_marks_the_field(shop: Shop) -> None:
    typed = _editor_form(minimum_0_amount="lima puluh ribu", stage_3_days="21")
    refused = shop.client.post("/settings/schedule", typed, csrf_from="/settings")
    assert refused.status_code == 400
    text = refused.text
    assert re.search(r'id="minimum_0_amount"[^>]*value="lima puluh ribu"[^>]*aria-invalid="true"', text)
    assert 'id="minimum_0_amount-error"' in text and "write an amount, like Rp 50.000" in text
    assert 'role="alert" id="form-errors"' in text and 'href="#minimum_0_amount"' in text
    assert 'value="21"' in text  # the other rows as typed, not as stored
    indonesian = shop.client.post("/settings/schedule?lang=id", typed, csrf_from="/settings").text
    assert "tulis jumlah uang, seperti Rp 50.000" in indonesian
    bad_days = shop.client.post("/settings/schedule", _editor_form(stage_0_days="tiga"), csrf_from="/settings")
    assert bad_days.status_code == 400 and re.search(r'id="stage_0_days"[^>]*aria-invalid="true"', bad_days.text)
    assert bootstrap.container().stores.organisations.settings(shop.org_id).timezone == "Asia/Jakarta"  # unsaved


def test_each_stage_message_reads_as_the_customer_will_read_it_in_both_languages(shop: Shop) -> None:
    csrf = shop.client.csrf("/settings")
    answer = shop.client.post("/settings/schedule/preview", {**_editor_form(), "csrf_token": csrf})
    assert answer.status_code == 200
    html = answer.text
    assert 'data-stage="d-3"' in html and 'data-stage="d0"' in html and 'data-stage="d+14"' in html
    assert re.search(r'data-language="id" data-kind="overdue"', html)
    assert "sudah lewat 14 hari dari jatuh tempo" in html  # Indonesian, worded by the send's own code
    assert "14 days" in html and "Rp 1.250.000" in html
    no_js = shop.client.post("/settings/schedule", {**_editor_form(), "action": "preview"}, csrf_from="/settings")
    assert no_js.status_code == 200 and 'data-stage="d+14"' in no_js.text
    assert bootstrap.container().stores.organisations.settings(shop.org_id).timezone == "Asia/Jakarta"  # unsaved


def test_the_whatsapp_form_keeps_the_ids_and_marks_the_wrong_one(shop: Shop) -> None:
    answer = shop.client.post(
        "/settings/whatsapp",
        {"phone_number_id": "12345abc", "business_account_id": "987654321", "access_token": "EAAGx"},
        csrf_from="/settings",
    )
    assert answer.status_code == 400
    assert re.search(r'id="phone_number_id"[^>]*value="12345abc"[^>]*aria-invalid="true"', answer.text)
    assert 'value="987654321"' in answer.text and "EAAGx" not in answer.text


# -- forgotten passwords and e-mail verification (Cognito: moto in the sandbox) ----------------------------------


def test_a_forgotten_password_is_reset_with_the_code_from_the_sandbox_outbox(sandbox: Sandbox) -> None:
    from tests.web_support import PASSWORD, new_email

    client = WebClient(sandbox.app_url)
    email = new_email("forgot")
    assert client.sign_up(email).status_code == 303
    client.session.cookies.clear()
    assert 'id="forgot-password"' in client.get("/signin").text
    asked = client.post("/forgot-password", {"email": email}, csrf_from="/forgot-password")
    assert asked.status_code == 200 and 'id="sandbox-outbox"' in asked.text
    code = re.search(r"the code for [^ ]+ is (moto-confirmation-code:[0-9]+)", asked.text)
    assert code, "the sandbox shows the e-mailed code"
    wrong = client.post(
        "/forgot-password/confirm",
        {"email": email, "code": "moto-confirmation-code:000000", "password": "Another-Pass2"},
        csrf_from="/forgot-password",
    )
    assert (
        wrong.status_code == 400 and 'role="alert" id="form-errors"' in wrong.text
    )  # moto: "expired", AWS: "not right"
    assert "This code has expired" in wrong.text or "This code is not right" in wrong.text
    assert re.search(r'id="code"[^>]*aria-invalid="true"', wrong.text)
    done = client.post(
        "/forgot-password/confirm",
        {"email": email, "code": code.group(1), "password": "Another-Pass2"},
        csrf_from="/forgot-password",
    )
    assert done.status_code == 200 and "Your password is changed" in done.text
    assert client.sign_in(email, PASSWORD).status_code == 401
    assert client.sign_in(email, "Another-Pass2").headers["Location"] == "/dashboard"
    nobody = client.post("/forgot-password?lang=id", {"email": new_email("nobody")}, csrf_from="/forgot-password")
    assert nobody.status_code == 200 and "Pilih kata sandi baru" in nobody.text  # the same answer: no enumeration
    assert 'id="sandbox-outbox"' not in nobody.text


def test_sign_up_waits_for_the_e_mailed_code_where_the_pool_verifies_e_mail(sandbox: Sandbox) -> None:
    import boto3

    from tests.web_support import PASSWORD, new_email

    lunas = bootstrap.container()
    idp = boto3.client("cognito-idp")
    pool = idp.create_user_pool(
        PoolName="lunas-verifying", UsernameAttributes=["email"], AutoVerifiedAttributes=["email"]
    )
    pool_id = pool["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="web", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    old = lunas.settings.cognito_user_pool_id
    verifying = lunas.with_settings(
        cognito_user_pool_id=pool_id,
        cognito_client_id=client_id,
        cognito_jwks_url=lunas.settings.cognito_jwks_url.replace(old, pool_id),
        cognito_issuer=lunas.settings.cognito_issuer.replace(old, pool_id),
    )
    with bootstrap.installed(verifying):
        client = WebClient(sandbox.app_url)
        email = new_email("verify")
        answer = client.post(
            "/signup", {"email": email, "password": PASSWORD, "business_name": "Toko Verifikasi"}, csrf_from="/signup"
        )
        assert answer.status_code == 200 and "We e-mailed a code to" in answer.text and 'id="verify"' in answer.text
        assert idp.admin_get_user(UserPoolId=pool_id, Username=email)["UserStatus"] == "UNCONFIRMED"
        assert 'id="verify"' in client.sign_in(email).text  # not yet: the code first
        confirmed = client.post("/signup/verify", {"email": email, "code": "123456"}, csrf_from="/signup")
        assert confirmed.status_code == 200 and "Your e-mail address is confirmed" in confirmed.text
        assert client.sign_in(email).headers["Location"] == "/dashboard"


def test_sign_in_and_sign_up_mark_the_field_and_keep_what_was_typed(sandbox: Sandbox) -> None:
    from tests.web_support import new_email

    client = WebClient(sandbox.app_url)
    email = new_email("typo")
    refused = client.sign_in(email, "wrong-Pass1")
    assert refused.status_code == 401 and 'role="alert"' in refused.text and f'value="{email}"' in refused.text
    assert re.search(r'id="password"[^>]*aria-invalid="true"', refused.text)
    taken = client.post(
        "/signup", {"email": "not-an-address", "password": "x", "business_name": "Toko Ketik"}, csrf_from="/signup"
    )
    assert taken.status_code == 400 and 'value="Toko Ketik"' in taken.text
    assert re.search(r'id="email"[^>]*aria-invalid="true"', taken.text)


def test_the_payment_form_marks_the_field_in_error(shop: Shop) -> None:
    answer = shop.client.post(
        "/settings/payments",
        {"bank_1_name": "BCA", "bank_1_number": "12-ab", "bank_1_holder": "Toko Sumber Rejeki", "claim_hold_days": "3"},
        csrf_from="/settings/payments",
    )
    assert answer.status_code == 400 and 'role="alert" id="form-errors"' in answer.text
    assert re.search(r'id="bank_1_number"[^>]*value="12-ab"[^>]*aria-invalid="true"', answer.text)
    assert 'id="bank_1_number-error"' in answer.text
