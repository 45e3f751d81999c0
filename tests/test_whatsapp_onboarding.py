"""Connecting a WhatsApp number through Embedded Signup (issue 14, item 1), and the number's health from webhooks.

Through the real pieces: the `GraphSignup` adapter over HTTP against the fake Meta (code exchange, subscribed_apps,
register, the number node), the DynamoDB organisations repository on the local AWS, the dashboard route over HTTP
(signed in, CSRF), and Meta's signed `phone_number_quality_update` / `account_update` / `business_capability_update`
webhooks through the webhook route, the queue and the worker. Each Graph failure is refused with the step and plain
words, and leaves nothing stored or routed.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from chalicelib import bootstrap
from chalicelib.domain import pace
from chalicelib.domain.models import ReminderSettings, WhatsAppAccount
from chalicelib.ports import WhatsAppSignupRefused
from chalicelib.services.whatsapp_onboarding import (
    ConnectedNumber,
    OnboardingDependencies,
    connect_whatsapp,
    registration_pin,
)
from sandbox.fakehttp import Fault
from sandbox.run import META_APP_ID, META_APP_SECRET, Sandbox
from tests.web_support import WebClient, new_email, org_of
from tests.world import TUESDAY_10_JAKARTA, set_clock

pytestmark = pytest.mark.sandbox


@pytest.fixture(autouse=True)
def _pinned_clock(sandbox: Sandbox) -> Iterator[None]:
    set_clock(TUESDAY_10_JAKARTA)
    yield
    sandbox.meta.reset()


def new_org(business: str = "Toko Onboard") -> str:
    org_id = f"org-{uuid.uuid4().hex[:12]}"
    bootstrap.container().stores.organisations.save(ReminderSettings(org_id=org_id, business_name=business))
    return org_id


def deps(**changes: Any) -> OnboardingDependencies:
    return dataclasses.replace(bootstrap.container().whatsapp_onboarding, **changes)


def connect(org_id: str, done: dict[str, str], **changes: Any) -> ConnectedNumber:
    return connect_whatsapp(
        org_id,
        code=done["code"],
        phone_number_id=done["phone_number_id"],
        business_account_id=done["waba_id"],
        deps=deps(**changes),
    )


def refused(org_id: str, done: dict[str, str]) -> WhatsAppSignupRefused:
    with pytest.raises(WhatsAppSignupRefused) as caught:
        connect(org_id, done)
    assert bootstrap.container().stores.organisations.whatsapp(org_id) is None  # nothing stored
    routes = bootstrap.container().stores.routes
    assert routes.org_for_phone_number(done["phone_number_id"]) != org_id  # nor routed here
    return caught.value


def graph_fault(sandbox: Sandbox, method: str, path: str, *, status: int, code: int, message: str) -> None:
    error = {"message": f"(#{code}) {message}", "type": "OAuthException", "code": code, "fbtrace_id": "Afault"}
    sandbox.meta.add_fault(Fault(method=method, path=re.compile(path), status=status, body={"error": error}))


# -- the service and the adapter against the fake Meta ------------------------------------------------------------


def test_a_finished_signup_connects_the_number_with_its_health_and_routes_it(sandbox: Sandbox) -> None:
    org_id = new_org()
    done = sandbox.meta.complete_signup(display_phone_number="+62 21 5555 0100", verified_name="Toko Onboard")

    connected = connect(org_id, done)

    assert connected == ConnectedNumber(
        phone_number_id=done["phone_number_id"],
        display_phone_number="+62 21 5555 0100",
        verified_name="Toko Onboard",
        quality_rating="GREEN",
        messaging_limit_tier="TIER_250",
        templates="pushed",
    )
    stores = bootstrap.container().stores
    account = stores.organisations.whatsapp(org_id)
    assert account is not None
    assert (account.phone_number_id, account.business_account_id) == (done["phone_number_id"], done["waba_id"])
    assert (account.quality_rating, account.messaging_limit_tier) == ("GREEN", "TIER_250")
    assert account.access_token == sandbox.meta.phone_numbers[done["phone_number_id"]].access_token
    summary = stores.organisations.whatsapp_summary(org_id)
    assert (summary.verified, summary.display_phone_number, summary.messaging_limit_tier) == (
        True,
        "+62 21 5555 0100",
        "TIER_250",
    )
    assert stores.routes.org_for_phone_number(done["phone_number_id"]) == org_id
    assert stores.routes.orgs_for_business_account(done["waba_id"]) == [org_id]
    assert sandbox.meta.subscriptions()[done["waba_id"]] == [META_APP_ID]
    pin = sandbox.meta.registered_pins[done["phone_number_id"]]
    assert pin == registration_pin(META_APP_SECRET, done["phone_number_id"]) and re.fullmatch(r"[0-9]{6}", pin)
    # Our templates went to the new business account at once (Meta reviews them; the owner sees their status).
    pushes = sandbox.meta.recorded(rf"/{done['waba_id']}/message_templates$")
    assert pushes and {r["method"] for r in pushes} == {"POST"}
    exchange = sandbox.meta.recorded(r"/oauth/access_token$")[-1]
    assert exchange["method"] == "GET"  # the code is exchanged server to server, once


def test_the_same_number_connected_again_keeps_its_pin_and_its_owner(sandbox: Sandbox) -> None:
    org_id = new_org()
    first = sandbox.meta.complete_signup()
    connect(org_id, first)
    again = sandbox.meta.complete_signup(existing=first["phone_number_id"])
    assert connect(org_id, again).phone_number_id == first["phone_number_id"]  # same PIN: no 133005


def test_a_wrong_or_used_code_is_refused_at_the_exchange(sandbox: Sandbox) -> None:
    org_id = new_org()
    done = sandbox.meta.complete_signup()
    bad = refused(org_id, {**done, "code": "AQnot-a-code-we-gave"})
    assert (bad.step, bad.reason, bad.code) == ("exchange", "code_invalid", 100)
    assert "AQnot" not in str(bad)  # the code never appears in our error

    connect(new_org(), done)
    used = refused(org_id, done)
    assert (used.step, used.reason) == ("exchange", "code_invalid")


def test_an_incomplete_answer_is_refused_before_meta_is_asked(sandbox: Sandbox) -> None:
    org_id = new_org()
    done = sandbox.meta.complete_signup()
    asked = len(sandbox.meta.recorded(r"/oauth/access_token$"))
    missing = refused(org_id, {**done, "phone_number_id": ""})
    assert (missing.step, missing.reason) == ("input", "code_invalid")
    assert len(sandbox.meta.recorded(r"/oauth/access_token$")) == asked


def test_our_app_misconfigured_is_said_so(sandbox: Sandbox) -> None:
    org_id = new_org()
    done = sandbox.meta.complete_signup()
    bootstrap.install(bootstrap.container().with_settings(meta_app_secret="not-the-secret"))
    try:
        error = refused(org_id, done)
    finally:
        bootstrap.install(bootstrap.container().with_settings(meta_app_secret=META_APP_SECRET))
    assert (error.step, error.reason) == ("exchange", "app_not_configured")


@pytest.mark.parametrize(
    ("status", "code", "reason"),
    [(403, 200, "no_access"), (500, 2, "unavailable"), (400, 190, "token_invalid")],
)
def test_subscribing_to_the_account_fails(sandbox: Sandbox, status: int, code: int, reason: str) -> None:
    org_id = new_org()
    done = sandbox.meta.complete_signup()
    graph_fault(sandbox, "POST", r"/subscribed_apps$", status=status, code=code, message="Meta says no")
    error = refused(org_id, done)
    assert (error.step, error.reason, error.code) == ("subscribe", reason, code)
    assert done["waba_id"] not in sandbox.meta.subscriptions()


def test_registering_a_number_with_another_two_step_pin_fails_in_plain_words(sandbox: Sandbox) -> None:
    org_id = new_org()
    done = sandbox.meta.complete_signup()
    token = sandbox.meta.phone_numbers[done["phone_number_id"]].access_token
    # The business set its own two-step verification PIN on the number earlier.
    earlier = httpx.post(
        f"{sandbox.meta.url}/v25.0/{done['phone_number_id']}/register",
        json={"messaging_product": "whatsapp", "pin": "314159"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert earlier.json() == {"success": True}

    error = refused(org_id, done)
    assert (error.step, error.reason, error.code) == ("register", "pin_mismatch", 133005)


def test_reading_the_number_fails(sandbox: Sandbox) -> None:
    org_id = new_org()
    done = sandbox.meta.complete_signup()
    graph_fault(sandbox, "GET", rf"/{done['phone_number_id']}$", status=503, code=131016, message="Unavailable")
    error = refused(org_id, done)
    assert (error.step, error.reason) == ("read", "unavailable")


def test_a_number_another_organisation_connected_is_refused(sandbox: Sandbox) -> None:
    owner, late = new_org("Pemilik"), new_org("Telat")
    done = sandbox.meta.complete_signup()
    connect(owner, done)
    again = sandbox.meta.complete_signup(existing=done["phone_number_id"])

    error = refused(late, again)
    assert (error.step, error.reason) == ("store", "number_taken")
    assert bootstrap.container().stores.routes.org_for_phone_number(done["phone_number_id"]) == owner


def test_the_template_push_runs_once_connected_and_its_failure_keeps_the_number(sandbox: Sandbox) -> None:
    pushed: list[tuple[str, WhatsAppAccount]] = []
    org_id = new_org()
    ok = connect(org_id, sandbox.meta.complete_signup(), push_templates=lambda o, a: pushed.append((o, a)))
    assert ok.templates == "pushed"
    assert [(o, a.phone_number_id, a.access_token != "") for o, a in pushed] == [(org_id, ok.phone_number_id, True)]

    def broken(org_id: str, account: WhatsAppAccount) -> None:
        raise RuntimeError("Meta refused the templates")

    other = new_org()
    failed = connect(other, sandbox.meta.complete_signup(), push_templates=broken)
    assert failed.templates == "failed"
    assert bootstrap.container().stores.organisations.whatsapp(other) is not None  # still connected


# -- the dashboard route -------------------------------------------------------------------------------------------


def signed_in(sandbox: Sandbox, lang: str = "en") -> tuple[WebClient, str]:
    client = WebClient(sandbox.app_url)
    client.session.headers["Accept-Language"] = lang
    email = new_email("es")
    assert client.sign_up(email, business="Toko Tombol").status_code == 303
    return client, org_of(email)


def test_the_settings_page_offers_connect_whatsapp_and_keeps_manual_entry_advanced(sandbox: Sandbox) -> None:
    client, _ = signed_in(sandbox)
    page = client.get("/settings")
    assert 'id="connect-whatsapp"' in page.text and f'data-app-id="{META_APP_ID}"' in page.text
    assert f'data-sdk-url="{sandbox.meta.url}/en_US/sdk.js"' in page.text
    assert re.search(r'<details id="whatsapp-manual"\s*>', page.text)  # tucked away, closed
    csp = page.headers["Content-Security-Policy"]
    assert f"script-src 'self' {sandbox.meta.url}" in csp and "'unsafe-inline'" not in csp.split("script-src")[1]
    script = client.get("/settings/whatsapp-signup.js")
    assert script.headers["Content-Type"].startswith("application/javascript")
    assert "sessionInfoVersion: '3'" in script.text and "WA_EMBEDDED_SIGNUP" in script.text


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "answer was incomplete or has expired. Click Connect WhatsApp"),
        ("id", "Jawaban Meta tidak lengkap atau sudah kedaluwarsa. Klik Hubungkan WhatsApp"),
    ],
)
def test_a_refused_signup_shows_which_step_and_what_to_do(sandbox: Sandbox, lang: str, words: str) -> None:
    client, org_id = signed_in(sandbox, lang)
    done = sandbox.meta.complete_signup()
    form = {"code": "AQwrong-code-000", "phone_number_id": done["phone_number_id"], "waba_id": done["waba_id"]}
    answer = client.post("/settings/whatsapp/signup", form, csrf_from="/settings")
    assert answer.status_code == 400 and words in answer.text
    assert bootstrap.container().stores.organisations.whatsapp(org_id) is None


def test_the_signup_route_needs_the_csrf_token(sandbox: Sandbox) -> None:
    client, org_id = signed_in(sandbox)
    done = sandbox.meta.complete_signup()
    form = {"code": done["code"], "phone_number_id": done["phone_number_id"], "waba_id": done["waba_id"]}
    assert client.post("/settings/whatsapp/signup", form).status_code == 403
    assert bootstrap.container().stores.organisations.whatsapp(org_id) is None


def test_a_connected_number_shows_its_display_number_not_its_id(sandbox: Sandbox) -> None:
    client, _ = signed_in(sandbox)
    done = sandbox.meta.complete_signup(display_phone_number="+62 21 5555 0177", verified_name="Toko Tombol")
    form = {"code": done["code"], "phone_number_id": done["phone_number_id"], "waba_id": done["waba_id"]}
    answer = client.post("/settings/whatsapp/signup", form, csrf_from="/settings")
    assert answer.status_code == 200
    assert "WhatsApp connected: +62 21 5555 0177 (Toko Tombol)." in answer.text
    overview = client.get("/dashboard").text
    number = re.search(r'<dl class="wa-number".*?</dl>', overview, re.S)
    assert number is not None
    assert "+62 21 5555 0177" in number.group(0) and done["phone_number_id"] not in overview
    assert "250 customers a day" in number.group(0) and "High (green)" in number.group(0)


# -- the number's health from Meta's webhooks ---------------------------------------------------------------------


def connected_org(sandbox: Sandbox) -> tuple[str, dict[str, str]]:
    org_id = new_org()
    done = sandbox.meta.complete_signup(display_phone_number="+62 21 5555 0199")
    connect(org_id, done)
    return org_id, done


def account_of(org_id: str) -> WhatsAppAccount:
    account = bootstrap.container().stores.organisations.whatsapp(org_id)
    assert account is not None
    return account


def test_a_quality_and_limit_update_reaches_the_number(sandbox: Sandbox) -> None:
    org_id, done = connected_org(sandbox)

    sandbox.meta.simulate_number_quality_update(done["phone_number_id"], "UPGRADE", current_limit="TIER_2K")
    sandbox.drain_webhooks(flush_fakes=True)
    assert (account_of(org_id).messaging_limit_tier, account_of(org_id).quality_rating) == ("TIER_2K", "GREEN")

    sandbox.meta.simulate_number_quality_update(done["phone_number_id"], "FLAGGED")
    sandbox.drain_webhooks(flush_fakes=True)
    assert (account_of(org_id).messaging_limit_tier, account_of(org_id).quality_rating) == ("TIER_2K", "RED")
    summary = bootstrap.container().stores.organisations.whatsapp_summary(org_id)
    assert summary.quality_rating == "RED"

    sandbox.meta.simulate_number_quality_update(done["phone_number_id"], "UNFLAGGED")
    sandbox.drain_webhooks(flush_fakes=True)
    assert account_of(org_id).quality_rating == "GREEN"


def test_a_throughput_upgrade_lets_the_number_send_faster(sandbox: Sandbox) -> None:
    org_id, done = connected_org(sandbox)
    assert account_of(org_id).throughput_level == "STANDARD"  # read at onboarding: GET /{id}?fields=throughput
    assert pace.send_rate(pace.throughput_of(account_of(org_id).throughput_level), None) == 76.0  # 95% of 80

    sandbox.meta.simulate_number_quality_update(done["phone_number_id"], "THROUGHPUT_UPGRADE")
    sandbox.drain_webhooks(flush_fakes=True)
    assert account_of(org_id).throughput_level == "HIGH"
    assert pace.send_rate(pace.throughput_of("HIGH"), None) == 950.0  # Meta's 1,000 a second, with headroom
    assert pace.send_rate(pace.throughput_of("HIGH"), "RED") == 475.0


def test_a_business_capability_update_sets_the_portfolio_limit(sandbox: Sandbox) -> None:
    org_id, done = connected_org(sandbox)
    sandbox.meta.simulate_business_capability_update(done["waba_id"], -1)
    sandbox.drain_webhooks(flush_fakes=True)
    assert account_of(org_id).messaging_limit_tier == "TIER_UNLIMITED"


def test_an_account_ban_is_shown_and_a_reinstatement_clears_it(sandbox: Sandbox) -> None:
    org_id, done = connected_org(sandbox)
    organisations = bootstrap.container().stores.organisations

    sandbox.meta.simulate_account_update(done["waba_id"], "DISABLED_UPDATE")
    sandbox.drain_webhooks(flush_fakes=True)
    assert organisations.whatsapp_summary(org_id).account_status == "DISABLED_UPDATE: DISABLE"

    sandbox.meta.simulate_account_update(done["waba_id"], "VERIFIED_ACCOUNT")  # good news, no problem to show
    sandbox.drain_webhooks(flush_fakes=True)
    assert organisations.whatsapp_summary(org_id).account_status == "DISABLED_UPDATE: DISABLE"

    sandbox.meta.simulate_account_update(
        done["waba_id"], "DISABLED_UPDATE", ban_info={"waba_ban_state": ["REINSTATE"], "waba_ban_date": "2026-12-02"}
    )
    sandbox.drain_webhooks(flush_fakes=True)
    assert organisations.whatsapp_summary(org_id).account_status == ""

    sandbox.meta.simulate_account_update(done["waba_id"], "ACCOUNT_VIOLATION")
    sandbox.drain_webhooks(flush_fakes=True)
    assert organisations.whatsapp_summary(org_id).account_status == "ACCOUNT_VIOLATION: SPAM"


def test_health_events_of_another_number_or_account_change_nothing(sandbox: Sandbox) -> None:
    org_id, _ = connected_org(sandbox)
    _, other = connected_org(sandbox)
    sandbox.meta.simulate_number_quality_update(other["phone_number_id"], "FLAGGED", current_limit="TIER_10K")
    sandbox.meta.simulate_account_update(other["waba_id"], "ACCOUNT_VIOLATION")
    sandbox.drain_webhooks(flush_fakes=True)
    account = account_of(org_id)
    assert (account.quality_rating, account.messaging_limit_tier) == ("GREEN", "TIER_250")
    assert bootstrap.container().stores.organisations.whatsapp_summary(org_id).account_status == ""
