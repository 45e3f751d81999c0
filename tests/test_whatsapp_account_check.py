"""The WhatsApp number check (`chalicelib/adapters/whatsapp_accounts.py`) against the fake Graph API on 127.0.0.1.

The adapter reads `GET /{waba}/phone_numbers` with the owner's token and accepts the number only if the list shows
it; every Graph error becomes a `WhatsAppAccountRefused` whose reason the dashboard explains.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from chalicelib.adapters.whatsapp_accounts import WhatsAppAccountCheck
from chalicelib.domain.errors import WhatsAppAccountRefused
from chalicelib.domain.models import VerifiedWhatsAppNumber
from chalicelib.ports import WhatsAppAccountCheck as WhatsAppAccountCheckPort
from sandbox.fakehttp import Fault
from sandbox.meta import FakeMetaGraph
from tests.meta_support import (
    ACCESS_TOKEN,
    APP_SECRET,
    DISPLAY_NUMBER,
    PHONE_NUMBER_ID,
    WABA_ID,
    closed_port,
    register_default_number,
    running,
)

OTHER_NUMBER, OTHER_WABA, OTHER_TOKEN = "106540352249001", "102290129340001", "EAAG-other-business"
BUSY_WABA, BUSY_TOKEN = "102290129349999", "EAAG-busy-business"
BUSY_NUMBERS = [f"10654035224{i:04d}" for i in range(7)]


@pytest.fixture(scope="module")
def module_meta() -> Iterator[FakeMetaGraph]:
    meta = FakeMetaGraph(auto_deliver=False)
    with running(meta):
        register_default_number(meta, None)
        meta.register_phone_number(
            OTHER_NUMBER,
            access_token=OTHER_TOKEN,
            waba_id=OTHER_WABA,
            display_phone_number="+62 21 5555 0200",
            app_secret=APP_SECRET,
        )
        for i, number in enumerate(BUSY_NUMBERS):
            meta.register_phone_number(
                number,
                access_token=BUSY_TOKEN,
                waba_id=BUSY_WABA,
                display_phone_number=f"+62 21 5555 03{i:02d}",
                app_secret=APP_SECRET,
                verified_name="Grosir Ramai",
            )
        yield meta


@pytest.fixture
def meta(module_meta: FakeMetaGraph) -> FakeMetaGraph:
    module_meta.clear_faults()
    httpx.delete(module_meta.url + "/_sandbox/requests").raise_for_status()
    return module_meta


@pytest.fixture
def check(meta: FakeMetaGraph) -> Iterator[WhatsAppAccountCheck]:
    adapter = WhatsAppAccountCheck(graph_base_url=meta.url, api_version="25.0", timeout_seconds=2.0)
    yield adapter
    adapter.close()


def refusal(check: WhatsAppAccountCheckPort, number: str, waba: str, token: str) -> WhatsAppAccountRefused:
    with pytest.raises(WhatsAppAccountRefused) as caught:
        check.verify(business_account_id=waba, phone_number_id=number, access_token=token)
    return caught.value


def test_the_right_token_confirms_the_number_with_its_display_number_and_name(
    meta: FakeMetaGraph, check: WhatsAppAccountCheck
) -> None:
    port: WhatsAppAccountCheckPort = check  # the adapter is the port
    verified = port.verify(business_account_id=WABA_ID, phone_number_id=PHONE_NUMBER_ID, access_token=ACCESS_TOKEN)
    assert verified == VerifiedWhatsAppNumber(
        phone_number_id=PHONE_NUMBER_ID,
        business_account_id=WABA_ID,
        display_phone_number=DISPLAY_NUMBER,
        verified_name="Test Number",
    )
    [request] = meta.recorded(r"/phone_numbers$")
    assert request["path"] == f"/v25.0/{WABA_ID}/phone_numbers"
    assert request["headers"]["authorization"] == f"Bearer {ACCESS_TOKEN}"  # the token never goes in the URL
    assert request["query"]["fields"] == ["id,display_phone_number,verified_name,quality_rating"]
    assert "access_token" not in request["query"]


def test_the_number_is_found_on_a_later_page(meta: FakeMetaGraph) -> None:
    adapter = WhatsAppAccountCheck(graph_base_url=meta.url, api_version="25.0", page_size=2)
    try:
        verified = adapter.verify(
            business_account_id=BUSY_WABA, phone_number_id=BUSY_NUMBERS[5], access_token=BUSY_TOKEN
        )
        assert (verified.display_phone_number, verified.verified_name) == ("+62 21 5555 0305", "Grosir Ramai")
        assert len(meta.recorded(r"/phone_numbers$")) == 3  # pages of 2: found on the third, no further reads
        missing = refusal(adapter, OTHER_NUMBER, BUSY_WABA, BUSY_TOKEN)
        assert missing.reason == "number_not_in_account"
        assert len(meta.recorded(r"/phone_numbers$")) == 3 + 4  # every page read, then refused
    finally:
        adapter.close()


def test_a_number_of_another_business_account_is_not_in_this_one(check: WhatsAppAccountCheck) -> None:
    error = refusal(check, OTHER_NUMBER, WABA_ID, ACCESS_TOKEN)
    assert (error.reason, error.code) == ("number_not_in_account", None)


@pytest.mark.parametrize("token", ["EAAG-wrong", "EAAG-test-token-but-longer", ACCESS_TOKEN.upper()])
def test_a_token_meta_does_not_know_is_refused_190(check: WhatsAppAccountCheck, token: str) -> None:
    error = refusal(check, PHONE_NUMBER_ID, WABA_ID, token)
    assert (error.reason, error.code) == ("token_invalid", 190)


def test_no_token_or_one_that_cannot_be_a_header_is_refused_without_asking(
    meta: FakeMetaGraph, check: WhatsAppAccountCheck
) -> None:
    for token in ("", "  ", "EAAG\nX-Injected: 1"):
        assert refusal(check, PHONE_NUMBER_ID, WABA_ID, token).reason == "token_invalid"
    assert meta.recorded(r"/phone_numbers$") == []


def test_another_business_token_cannot_read_this_account(check: WhatsAppAccountCheck) -> None:
    error = refusal(check, PHONE_NUMBER_ID, WABA_ID, OTHER_TOKEN)  # a real token, of someone else's account
    assert (error.reason, error.code) == ("no_access", 200)


def test_an_unknown_business_account_is_no_access_100(check: WhatsAppAccountCheck) -> None:
    error = refusal(check, PHONE_NUMBER_ID, "999000999000", ACCESS_TOKEN)
    assert (error.reason, error.code) == ("no_access", 100)
    assert ACCESS_TOKEN not in str(error)


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, {"error": {"message": "(#131000) Something went wrong", "type": "OAuthException", "code": 131000}}),
        (503, {"error": {"message": "(#2) Service temporarily unavailable", "type": "OAuthException", "code": 2}}),
        (400, {"error": {"message": "(#4) Application request limit reached", "type": "OAuthException", "code": 4}}),
        (502, "<html>Bad Gateway</html>"),
        (429, None),
        (200, "not json"),
        (200, {"unexpected": True}),
    ],
)
def test_meta_trouble_means_try_again(
    meta: FakeMetaGraph, check: WhatsAppAccountCheck, status: int, body: object
) -> None:
    meta.add_fault(Fault(method="GET", path=re.compile(r"/phone_numbers$"), status=status, body=body))
    assert refusal(check, PHONE_NUMBER_ID, WABA_ID, ACCESS_TOKEN).reason == "unavailable"
    # and it passes once Meta answers again
    check.verify(business_account_id=WABA_ID, phone_number_id=PHONE_NUMBER_ID, access_token=ACCESS_TOKEN)


def test_unreachable_or_slow_meta_means_try_again(meta: FakeMetaGraph) -> None:
    nowhere = WhatsAppAccountCheck(graph_base_url=f"http://127.0.0.1:{closed_port()}", api_version="25.0")
    slow = WhatsAppAccountCheck(graph_base_url=meta.url, api_version="25.0", timeout_seconds=0.2)
    meta.add_fault(Fault(method="GET", path=re.compile(r"/phone_numbers$"), latency_ms=600))
    try:
        assert refusal(nowhere, PHONE_NUMBER_ID, WABA_ID, ACCESS_TOKEN).reason == "unavailable"
        assert refusal(slow, PHONE_NUMBER_ID, WABA_ID, ACCESS_TOKEN).reason == "unavailable"
    finally:
        nowhere.close()
        slow.close()
