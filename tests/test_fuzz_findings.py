"""Each 5xx (or silent wrong answer) the fuzz suites found, pinned: bad input gets a 4xx that says why, in the
owner's language on a form, and changes nothing (tests/test_fuzz_webhooks.py and tests/test_fuzz_dashboard.py)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from chalicelib import bootstrap
from chalicelib.auth import session as cookies
from chalicelib.auth.cognito import CognitoUsers, SignInFailed
from chalicelib.domain.models import VerifiedWhatsAppNumber
from chalicelib.storage.consent import HISTORY_KEPT, kept_history
from chalicelib.storage.schema import ConsentChange, OrganisationRecord, org_pk
from chalicelib.webhooks.intake import MAX_MESSAGE_BYTES
from sandbox.run import INTUIT_WEBHOOK_VERIFIER_TOKEN, META_APP_SECRET, XERO_WEBHOOK_KEY, Sandbox
from tests.fuzz_support import (
    RecordingQueue,
    Reply,
    base64_signature,
    call,
    dynamodb_key_limits,
    form_body,
    meta_signature,
    recording_queues,
)
from tests.test_fuzz_dashboard import FORM_TYPE, Owner, sign_up_owner
from tests.web_support import retire_connections


@pytest.fixture
def queue(sandbox: Sandbox) -> Iterator[RecordingQueue]:
    with dynamodb_key_limits(), recording_queues() as (webhooks, _):
        yield webhooks


def _post(path: str, header: str, signature: str, body: bytes) -> Reply:
    return call("POST", path, {"Content-Type": "application/json", header: signature}, body)


# -- webhooks -------------------------------------------------------------------------------------------------------


@pytest.mark.sandbox
def test_signed_json_in_utf16_is_a_400_and_not_queued(queue: RecordingQueue) -> None:
    """json.loads(bytes) reads UTF-16; the envelope then failed to decode it (a 500 that Meta retried forever)."""
    body = json.dumps({"object": "whatsapp_business_account", "entry": []}).encode("utf-16")
    assert _post("/webhooks/whatsapp", "X-Hub-Signature-256", meta_signature(body, META_APP_SECRET), body).status == 400
    assert queue.take() == 0


@pytest.mark.sandbox
def test_a_big_signed_meta_body_of_an_unknown_shape_is_a_413(queue: RecordingQueue) -> None:
    """Splitting assumed entries and changes are objects: `"entry": [1, 2]` past the size limit was a 500."""
    for payload in ({"entry": [1, 2], "pad": "x" * 300_000}, ["x" * 300_000], {"entry": "x" * 300_000}):
        body = json.dumps(payload).encode()
        reply = _post("/webhooks/whatsapp", "X-Hub-Signature-256", meta_signature(body, META_APP_SECRET), body)
        assert (reply.status, reply.text) == (413, "payload too large")
    assert queue.take() == 0


@pytest.mark.sandbox
def test_a_status_too_big_for_one_queue_message_is_a_413(queue: RecordingQueue) -> None:
    change = {"value": {"metadata": {"phone_number_id": "1"}, "statuses": [{"id": "w", "pad": "y" * 300_000}]}}
    body = json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [change]}]}).encode()
    assert _post("/webhooks/whatsapp", "X-Hub-Signature-256", meta_signature(body, META_APP_SECRET), body).status == 413
    assert queue.take() == 0


@pytest.mark.sandbox
@pytest.mark.parametrize("provider", ["xero", "quickbooks_cloudevents", "quickbooks_legacy"])
def test_big_accounting_bodies_are_split_not_refused_by_the_queue(queue: RecordingQueue, provider: str) -> None:
    """Xero and Intuit bodies over one SQS message were sent whole (SQS refuses them on AWS: a 500)."""
    events = [{"resourceId": f"{i:08d}" * 8, "tenantId": "t", "eventCategory": "INVOICE"} for i in range(6_000)]
    payload: Any = {
        "xero": {"events": events, "entropy": "e"},
        "quickbooks_cloudevents": [{"id": f"{i:08d}" * 8, "type": "qbo.invoice.updated.v1"} for i in range(6_000)],
        "quickbooks_legacy": {"eventNotifications": [{"realmId": "r", "n": f"{i:08d}" * 8} for i in range(6_000)]},
    }[provider]
    body = json.dumps(payload).encode()
    assert len(body) > MAX_MESSAGE_BYTES
    path, header, key = (
        ("/webhooks/xero", "x-xero-signature", XERO_WEBHOOK_KEY)
        if provider == "xero"
        else ("/webhooks/quickbooks", "intuit-signature", INTUIT_WEBHOOK_VERIFIER_TOKEN)
    )
    assert _post(path, header, base64_signature(body, key), body).status == 200
    assert queue.sends > 1 and all(len(b.encode()) <= MAX_MESSAGE_BYTES for b in queue.bodies)
    one_event = {"events": [{"resourceId": "x" * 300_000}]} if provider == "xero" else [{"id": "x" * 300_000}]
    body = json.dumps(one_event).encode()
    assert _post(path, header, base64_signature(body, key), body).status == 413


# -- dashboard forms ------------------------------------------------------------------------------------------------


@pytest.fixture
def owner(sandbox: Sandbox) -> Iterator[Owner]:
    with dynamodb_key_limits():
        yield sign_up_owner(sandbox, "Toko Temuan", with_connection=False)
    retire_connections()


def _form(owner: Owner, route: str, pairs: list[tuple[str, str]], lang: str = "en") -> Reply:
    jar = f"{cookies.SESSION_COOKIE}={owner.session}; {cookies.CSRF_COOKIE}={owner.csrf_seed}; lunas_lang={lang}"
    body = form_body([("csrf_token", owner.csrf_for(owner.csrf_seed)), *pairs])
    return call("POST", route, {"Content-Type": FORM_TYPE, "Cookie": jar}, body)


def _profile(owner: Owner) -> Any:
    return OrganisationRecord.get(org_pk(owner.org_id), "PROFILE").serialize()


@pytest.mark.sandbox
def test_a_huge_access_token_is_a_400_in_the_owners_language_and_claims_nothing(owner: Owner) -> None:
    """A 410 KB token made the profile item too big for DynamoDB: a 500, after the number had been claimed."""
    before = _profile(owner)
    number = "9" + str(uuid.uuid4().int % 10**12)
    form = [("phone_number_id", number), ("business_account_id", "123456"), ("access_token", "x" * 60_000)]
    english = _form(owner, "/settings/whatsapp", form)
    assert english.status == 400 and "the access token must be the token Meta shows" in english.text
    indonesian = _form(owner, "/settings/whatsapp", form, lang="id")
    assert indonesian.status == 400 and "token akses harus berupa token dari Meta" in indonesian.text
    assert _profile(owner) == before
    assert bootstrap.container().stores.routes.org_for_phone_number(number) is None


@pytest.mark.sandbox
def test_a_failed_profile_write_leaves_the_number_unclaimed(owner: Owner) -> None:
    """The claim and the profile are one transaction: a profile DynamoDB refuses (here: over 400 KB) claims nothing.

    Before, the number was claimed first and the profile written after: a failed write left the number claimed."""
    number = "9" + str(uuid.uuid4().int % 10**12)
    verified = VerifiedWhatsAppNumber(phone_number_id=number, business_account_id="55555")
    organisations = bootstrap.container().stores.organisations
    with pytest.raises(Exception):  # noqa: B017 - DynamoDB's ValidationException, whichever way pynamodb wraps it
        organisations.set_whatsapp(owner.org_id, verified, token="x" * 500_000)
    routes = bootstrap.container().stores.routes
    assert routes.org_for_phone_number(number) is None
    assert owner.org_id not in routes.orgs_for_business_account("55555")


@pytest.mark.sandbox
def test_unicode_digits_are_not_a_whatsapp_number(owner: Owner) -> None:
    """`\\d` took "١٢٣٤٥٦" (Arabic-Indic digits): saved and routed, though Meta's ids are ASCII digits."""
    reply = _form(owner, "/settings/whatsapp", [("phone_number_id", "١٢٣٤٥٦"), ("business_account_id", "123456")])
    assert reply.status == 400
    assert bootstrap.container().stores.routes.org_for_phone_number("١٢٣٤٥٦") is None


SCHEDULE = [("stages", "0"), ("timezone", "UTC"), ("window_start", "08:00"), ("window_end", "17:00")]
SCHEDULE += [("weekdays", "0"), ("language", "en")]


@pytest.mark.sandbox
def test_huge_or_countless_minimum_amounts_are_a_400_in_the_owners_language(owner: Owner) -> None:
    """A 410 KB amount made the profile too big for DynamoDB (a 500); 17,000 currencies made every page take 10 s."""
    before = _profile(owner)
    huge = _form(owner, "/settings/schedule", [*SCHEDULE, ("minimum_amounts", "IDR " + "9" * 16)], lang="id")
    assert huge.status == 400 and "jumlah minimum dalam IDR terlalu besar" in huge.text
    many = ", ".join(f"{a}{b}X 1" for a in "ABCDE" for b in "ABCDE")
    countless = _form(owner, "/settings/schedule", [*SCHEDULE, ("minimum_amounts", many)])
    assert countless.status == 400 and "give at most 20 minimum amounts" in countless.text
    assert _profile(owner) == before
    assert _form(owner, "/settings/schedule", [*SCHEDULE, ("minimum_amounts", "IDR 999999999999999.5")]).status == 303


@pytest.mark.sandbox
def test_a_form_bigger_than_any_of_ours_is_a_413_in_the_owners_language(owner: Owner) -> None:
    before = _profile(owner)
    reply = _form(owner, "/settings/schedule", [*SCHEDULE, ("stages", "0," * 40_000)], lang="id")
    assert reply.status == 413 and "Formulir ini terlalu besar" in reply.text
    assert _profile(owner) == before


@pytest.mark.sandbox
def test_ids_longer_than_a_dynamodb_key_are_a_404_not_a_500(owner: Owner) -> None:
    """moto does not check key sizes on reads; DynamoDB refuses keys over 2 KB (1 KB for sort keys): a 500 on AWS."""
    reply = _form(owner, "/connections/disconnect", [("connection_id", "xero:" + "x" * 3_000)])
    assert reply.status == 404
    assert call("GET", "/pay/" + "x" * 3_000).status == 404


def test_a_sign_in_cognito_will_not_even_look_at_is_a_wrong_sign_in() -> None:
    """Cognito answers InvalidParameterException for an e-mail it cannot take as a username (too long, odd
    characters): that was re-raised, a 500."""

    class Refusing:
        def initiate_auth(self, **_: Any) -> Any:
            raise ClientError({"Error": {"Code": "InvalidParameterException", "Message": "..."}}, "InitiateAuth")

    users = CognitoUsers(user_pool_id="pool", client_id="client", client=Refusing())
    with pytest.raises(SignInFailed):
        users.sign_in("x" * 3_000 + "@example.co.id", "")


def test_consent_history_keeps_the_first_change_and_the_latest_within_the_item_limit() -> None:
    """STOP / START without end grew the consent item past DynamoDB's 400 KB: that number's consent stuck."""
    import datetime as dt

    at = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    changes = [
        ConsentChange(status="opted_in", source=str(i), evidence="🙏" * 1000, captured_at=at) for i in range(500)
    ]
    kept = kept_history(changes)
    assert kept[0].source == "0" and kept[-1].source == "499"
    assert len(kept) <= HISTORY_KEPT
    assert sum(len(c.evidence.encode()) for c in kept) < 300_000
    assert [c.source for c in kept_history(changes[:3])] == ["0", "1", "2"]
