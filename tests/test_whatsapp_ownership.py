"""Only an organisation that proves it manages a WhatsApp number gets it (issue 11, item 6).

Through the real entry points: the dashboard over HTTP (signed in, CSRF, the running app), the real
`WhatsAppAccountCheck` adapter asking the fake Meta's `GET /{waba}/phone_numbers`, and Meta's signed webhooks through
the webhook queue. A number is stored and routed only after Meta lists it for the token given; a wrong token, a number
of another business account and another organisation's number are refused with words the owner understands, and
nothing is stored or routed; an unproven claim (saved before the check existed) never keeps the real owner out.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.domain.models import ReminderSettings, WhatsAppAccount
from chalicelib.storage.consent import DynamoMarketingPreferences
from chalicelib.storage.schema import OrganisationRecord, RouteRecord, org_pk
from sandbox.fakehttp import Fault
from sandbox.run import Sandbox
from tests.web_support import WebClient, new_email, org_of, register_whatsapp_number, retire_connections
from tests.world import TUESDAY_10_JAKARTA, set_clock

pytestmark = pytest.mark.sandbox

BUDI = "+6281234560301"


@pytest.fixture(autouse=True)
def _pinned_clock_and_cleanup(sandbox: Sandbox) -> Iterator[None]:
    set_clock(TUESDAY_10_JAKARTA)
    yield
    retire_connections()


@dataclass
class Owner:
    client: WebClient
    org_id: str


@dataclass
class Number:
    phone_number_id: str
    waba_id: str
    token: str


def sign_up(sandbox: Sandbox, business: str = "Toko Sumber Rejeki", *, lang: str = "en") -> Owner:
    client = WebClient(sandbox.app_url)
    client.session.headers["Accept-Language"] = lang
    email = new_email("wa")
    assert client.sign_up(email, business=business).status_code == 303
    return Owner(client, org_of(email))


def business_number(sandbox: Sandbox, display: str = "+62 21 5555 0000") -> Number:
    token = f"EAAG{uuid.uuid4().hex}"
    phone_number_id, waba_id = register_whatsapp_number(sandbox, token, display)
    return Number(phone_number_id, waba_id, token)


def save(owner: Owner, phone_number_id: str, waba_id: str, token: str) -> Any:
    form = {"phone_number_id": phone_number_id, "business_account_id": waba_id, "access_token": token}
    return owner.client.post("/settings/whatsapp", form, csrf_from="/settings")


def profile(org_id: str) -> dict[str, Any]:
    return dict(OrganisationRecord.get(org_pk(org_id), "PROFILE").serialize())


def routes_of(number: Number) -> tuple[str | None, list[str]]:
    routes = bootstrap.container().stores.routes
    return routes.org_for_phone_number(number.phone_number_id), routes.orgs_for_business_account(number.waba_id)


def marketing_stop_reaches(sandbox: Sandbox, number: Number, phone: str) -> None:
    """Meta posts a signed `user_preferences` (the customer stopped marketing messages) for the number."""
    sandbox.meta.simulate_user_preferences(number.phone_number_id, phone, "stop")
    sandbox.drain_webhooks(flush_fakes=True)


def test_the_right_token_saves_the_number_and_routes_its_webhooks_here(sandbox: Sandbox) -> None:
    owner = sign_up(sandbox)
    number = business_number(sandbox, "+62 21 5098 7654")
    asked_before = len(sandbox.meta.recorded(rf"/{number.waba_id}/phone_numbers$"))

    answer = save(owner, number.phone_number_id, number.waba_id, number.token)

    assert (answer.status_code, answer.headers["Location"]) == (303, "/settings?m=saved")
    [asked] = sandbox.meta.recorded(rf"/{number.waba_id}/phone_numbers$")[asked_before:]
    assert asked["headers"]["authorization"] == f"Bearer {number.token}"
    stores = bootstrap.container().stores
    assert stores.organisations.whatsapp(owner.org_id) == WhatsAppAccount(
        phone_number_id=number.phone_number_id, business_account_id=number.waba_id, access_token=number.token
    )
    assert routes_of(number) == (owner.org_id, [owner.org_id])
    assert RouteRecord.get(f"WAPHONE#{number.phone_number_id}", "ROUTE").proven_at is not None
    summary = stores.organisations.whatsapp_summary(owner.org_id)
    assert (summary.verified, summary.display_phone_number, summary.verified_name) == (
        True,
        "+62 21 5098 7654",
        "Test Number",
    )
    assert "Confirmed by Meta: +62 21 5098 7654 (Test Number)." in owner.client.get("/settings").text
    assert "+62 21 5098 7654" in owner.client.get("/dashboard").text

    marketing_stop_reaches(sandbox, number, BUDI)
    assert DynamoMarketingPreferences().get(owner.org_id, BUDI) is not None


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", "Meta refused this access token"), ("id", "Meta menolak token akses ini")],
)
def test_a_wrong_token_is_refused_and_nothing_is_stored_or_routed(sandbox: Sandbox, lang: str, words: str) -> None:
    owner = sign_up(sandbox, lang=lang)
    number = business_number(sandbox)
    before = profile(owner.org_id)

    answer = save(owner, number.phone_number_id, number.waba_id, "EAAGnotthetoken")

    assert answer.status_code == 400 and words in answer.text
    assert profile(owner.org_id) == before
    assert routes_of(number) == (None, [])


def test_a_number_of_another_business_account_is_refused(sandbox: Sandbox) -> None:
    owner = sign_up(sandbox, lang="id")
    mine, elsewhere = business_number(sandbox), business_number(sandbox, "+62 21 5555 0999")
    before = profile(owner.org_id)

    answer = save(owner, elsewhere.phone_number_id, mine.waba_id, mine.token)  # a real token, the wrong number

    assert answer.status_code == 400
    assert f"WhatsApp Business Account {mine.waba_id} tidak memuat ID nomor telepon {elsewhere.phone_number_id}" in (
        answer.text
    )
    assert profile(owner.org_id) == before
    assert routes_of(elsewhere) == (None, [])
    assert bootstrap.container().stores.routes.orgs_for_business_account(mine.waba_id) == []


def test_another_organisations_number_is_refused_whatever_it_is_paired_with(sandbox: Sandbox) -> None:
    owner, rival = sign_up(sandbox), sign_up(sandbox, "Toko Sebelah")
    theirs, own = business_number(sandbox), business_number(sandbox, "+62 21 5555 0777")
    assert save(owner, theirs.phone_number_id, theirs.waba_id, theirs.token).status_code == 303
    before = profile(rival.org_id)

    attempts = [
        (theirs.waba_id, own.token, f"this access token cannot manage WhatsApp Business Account {theirs.waba_id}"),
        (own.waba_id, own.token, f"does not list phone number ID {theirs.phone_number_id}"),
        (theirs.waba_id, "EAAGguessed", "Meta refused this access token"),
        (theirs.waba_id, "", "needs its access token"),
        # Even with the owner's own token (leaked, or a second Lunas account): one number, one organisation.
        (theirs.waba_id, theirs.token, "already connected to another Lunas account"),
    ]
    for waba_id, token, words in attempts:
        answer = save(rival, theirs.phone_number_id, waba_id, token)
        assert answer.status_code == 400 and words in answer.text, (waba_id, token, answer.text[-800:])

    assert profile(rival.org_id) == before
    assert routes_of(theirs) == (owner.org_id, [owner.org_id])
    assert bootstrap.container().stores.routes.orgs_for_business_account(own.waba_id) == []
    marketing_stop_reaches(sandbox, theirs, BUDI)
    assert DynamoMarketingPreferences().get(owner.org_id, BUDI) is not None
    assert DynamoMarketingPreferences().get(rival.org_id, BUDI) is None


def test_the_real_owner_takes_its_number_back_from_an_unproven_claim(sandbox: Sandbox) -> None:
    number = business_number(sandbox)
    # Legacy data: an organisation saved this number (with a token nobody checked) before numbers were verified.
    squatter = f"org-legacy-{uuid.uuid4().hex[:8]}"
    unchecked = WhatsAppAccount(
        phone_number_id=number.phone_number_id, business_account_id=number.waba_id, access_token="EAAGguess"
    )
    bootstrap.container().stores.organisations.save(ReminderSettings(org_id=squatter, business_name="X"), unchecked)
    assert routes_of(number) == (squatter, [squatter])

    owner = sign_up(sandbox)
    answer = save(owner, number.phone_number_id, number.waba_id, number.token)

    assert (answer.status_code, answer.headers["Location"]) == (303, "/settings?m=saved")
    assert routes_of(number) == (owner.org_id, [owner.org_id])
    marketing_stop_reaches(sandbox, number, BUDI)
    assert DynamoMarketingPreferences().get(owner.org_id, BUDI) is not None
    assert DynamoMarketingPreferences().get(squatter, BUDI) is None
    assert not bootstrap.container().stores.organisations.whatsapp_summary(squatter).verified


@pytest.mark.parametrize(
    ("status", "body"),
    [(500, {"error": {"message": "(#131000) Something went wrong", "type": "OAuthException", "code": 131000}}),
     (502, "<html>Bad Gateway</html>")],
)  # fmt: skip
def test_meta_trouble_means_try_again_and_nothing_is_stored(sandbox: Sandbox, status: int, body: object) -> None:
    owner = sign_up(sandbox)
    number = business_number(sandbox)
    before = profile(owner.org_id)
    path = re.compile(rf"/{number.waba_id}/phone_numbers$")
    sandbox.meta.add_fault(Fault(method="GET", path=path, status=status, body=body, times=1))

    answer = save(owner, number.phone_number_id, number.waba_id, number.token)

    assert answer.status_code == 503
    assert "We could not reach Meta to confirm this WhatsApp number. Nothing was saved." in answer.text
    assert profile(owner.org_id) == before
    assert routes_of(number) == (None, [])
    assert save(owner, number.phone_number_id, number.waba_id, number.token).status_code == 303  # the retry works
    assert routes_of(number) == (owner.org_id, [owner.org_id])


def test_a_new_number_needs_its_token_and_moving_releases_the_old_routes(sandbox: Sandbox) -> None:
    owner = sign_up(sandbox)
    first, second = business_number(sandbox), business_number(sandbox, "+62 21 5555 0002")
    assert save(owner, first.phone_number_id, first.waba_id, first.token).status_code == 303
    saved = profile(owner.org_id)

    for number, waba in ((second.phone_number_id, second.waba_id), (first.phone_number_id, second.waba_id)):
        answer = save(owner, number, waba, "")
        assert answer.status_code == 400 and "needs its access token" in answer.text
    assert profile(owner.org_id) == saved

    asked = len(sandbox.meta.recorded(r"/phone_numbers$"))
    unchanged = save(owner, first.phone_number_id, first.waba_id, "")  # the same number: the stored token stays
    assert unchanged.status_code == 303 and profile(owner.org_id) == saved
    assert len(sandbox.meta.recorded(r"/phone_numbers$")) == asked  # nothing new to check

    assert save(owner, second.phone_number_id, second.waba_id, second.token).status_code == 303
    assert routes_of(second) == (owner.org_id, [owner.org_id])
    assert routes_of(first) == (None, [])  # the old number can be proven by whoever owns it now
    account = bootstrap.container().stores.organisations.whatsapp(owner.org_id)
    assert account is not None and account.access_token == second.token
