"""Deleting the organisation from Settings (docs/privacy.md): confirmed by typing the business name, it revokes Xero,
QuickBooks and Meta's webhook subscription, deletes every item of the organisation and its members' Cognito users,
signs the owner out and says goodbye. Afterwards a Scan of the whole table and a look into every queue find nothing
of it, while a second organisation's data is exactly as it was. Cut short halfway, the owner simply does it again.

Everything goes through the running app over HTTP against the fakes and moto (Cognito, DynamoDB, SQS).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import pytest
from botocore.exceptions import ClientError

from chalicelib import bootstrap
from chalicelib.auth import session as cookies
from chalicelib.services.privacy import delete_organisation
from sandbox.run import META_APP_ID, Sandbox
from tests.privacy_support import PrivacyShop, every_item, holding, open_shop, remind_and_reply
from tests.web_support import SIGNED_UP, connect, retire_connections
from tests.world import TUESDAY_10_JAKARTA, set_clock

pytestmark = pytest.mark.sandbox


@pytest.fixture(autouse=True)
def _retire_connections() -> Iterator[None]:
    yield
    retire_connections()


def _subscribe_app(shop: PrivacyShop) -> None:
    """What Embedded Signup does for a number (POST /{waba-id}/subscribed_apps), so there is something to drop."""
    settings = bootstrap.container().settings
    url = f"{settings.graph_base_url.rstrip('/')}/v{float(settings.graph_api_version)}/{shop.waba_id}/subscribed_apps"
    answer = httpx.post(url, headers={"Authorization": f"Bearer {shop.token}"}, timeout=10)
    assert answer.status_code == 200, answer.text


def _secrets_of(shop: PrivacyShop) -> list[str]:
    """Every provider token the organisation holds, as Lunas decrypts them."""
    stores = bootstrap.container().stores
    found = [shop.token]
    for connection in stores.connections.for_org(shop.org_id):
        tokens, _ = stores.connections.load_tokens(shop.org_id, connection.connection_id)
        found += [tokens.access_token, tokens.refresh_token]
    return found


def _queued(sandbox: Sandbox) -> list[str]:
    """The bodies waiting in every queue (peeked: received with no visibility timeout, so they stay)."""
    sqs = boto3.client("sqs")
    bodies: list[str] = []
    aws = sandbox.aws
    for url in (aws.queue_url, aws.dead_letter_queue_url, aws.webhook_queue_url, aws.webhook_dead_letter_queue_url):
        if not url:
            continue
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0, WaitTimeSeconds=0)
        bodies += [m["Body"] for m in answer.get("Messages", [])]
    return bodies


def _shop_with_everything(sandbox: Sandbox, name: str) -> tuple[PrivacyShop, list[str]]:
    """A shop with Xero and QuickBooks connected, Meta subscribed, reminders sent, statuses and a reply stored."""
    shop = open_shop(sandbox, name)
    realm = sandbox.quickbooks.seed({"companyName": f"PT {name}"})["realmId"]
    assert connect(shop.client, "quickbooks", {"realmId": realm}).headers["Location"] == "/dashboard?m=connected"
    _subscribe_app(shop)
    sent = remind_and_reply(sandbox, shop, "Baik, besok saya bayar")
    return shop, [m["wamid"] for m in sent]


def _of(shop: PrivacyShop, wamids: list[str], secrets: list[str]) -> list[str]:
    """What would betray the organisation in a stored item: its ids, numbers, customers' phones, wamids, tokens."""
    phones = [p for phone in shop.phones for p in (phone, phone.removeprefix("+"))]
    ids = [shop.org_id, shop.tenant_id, shop.phone_number_id, shop.waba_id, shop.email]
    return [*ids, *phones, *wamids, *secrets]


def test_the_owner_deletes_the_organisation_and_nothing_of_it_is_left(sandbox: Sandbox) -> None:
    set_clock(TUESDAY_10_JAKARTA)
    name = f"Toko Tutup {uuid.uuid4().hex[:6]}"
    shop, wamids = _shop_with_everything(sandbox, name)
    neighbour, neighbour_wamids = _shop_with_everything(sandbox, "Toko Tetangga")
    secrets = _secrets_of(shop)
    assert META_APP_ID in sandbox.meta.subscriptions()[shop.waba_id]
    betrayers = _of(shop, wamids, secrets)
    assert len(holding(every_item(), shop.org_id)) > 20  # the organisation really had data everywhere
    theirs = {(i["pk"]["S"], i["sk"]["S"]): i for i in holding(every_item(), *_of(neighbour, neighbour_wamids, []))}
    session = shop.client.session.cookies.get(cookies.SESSION_COOKIE)
    sandbox.xero.requests.clear()
    sandbox.quickbooks.requests.clear()

    page = shop.client.get("/settings").text
    assert 'id="delete-organisation"' in page and name in page
    refused = shop.client.post("/settings/delete-organisation", {"business_name": name.upper()}, csrf_from="/settings")
    assert refused.status_code == 400 and "nothing was deleted" in refused.text
    assert bootstrap.container().stores.organisations.settings(shop.org_id).business_name == name
    forged = shop.client.post("/settings/delete-organisation", {"business_name": name, "csrf_token": "forged"})
    assert forged.status_code == 403

    deleted = shop.client.post("/settings/delete-organisation", {"business_name": f" {name} "}, csrf_from="/settings")
    assert deleted.status_code == 303 and deleted.headers["Location"] == "/goodbye"
    SIGNED_UP.remove(shop.email)  # no account left to retire connections of
    assert f"{cookies.SESSION_COOKIE}=;" in deleted.headers["Set-Cookie"]
    goodbye = shop.client.follow(deleted)
    assert goodbye.status_code == 200 and "Your organisation is deleted" in goodbye.text

    # Every provider access was revoked: Xero's connection and tokens, QuickBooks' tokens, Meta's subscription.
    assert [r["method"] for r in sandbox.xero.recorded("(?i)^/connections/")] == ["DELETE"]
    assert len(sandbox.xero.recorded("^/connect/revocation$")) == 1
    assert len(sandbox.quickbooks.recorded("^/v2/oauth2/tokens/revoke$")) == 1
    assert META_APP_ID not in sandbox.meta.subscriptions()[shop.waba_id]
    # The owner's sign-in is gone, and the old session cookie opens nothing.
    with pytest.raises(ClientError, match="UserNotFoundException"):
        pool = bootstrap.container().settings.cognito_user_pool_id
        boto3.client("cognito-idp").admin_get_user(UserPoolId=pool, Username=shop.email)
    old = httpx.get(f"{sandbox.app_url}/dashboard", cookies={cookies.SESSION_COOKIE: session or ""}, timeout=10)
    assert old.status_code == 303 and old.headers["Location"] == "/signin"

    # Nothing in the table or the queues holds the organisation's id, numbers, customers' phones, wamids or tokens.
    items = every_item()
    assert holding(items, *betrayers) == []
    assert [b for b in _queued(sandbox) if any(x in b for x in betrayers)] == []
    # The neighbour's data is exactly as it was, and its owner carries on.
    assert {(i["pk"]["S"], i["sk"]["S"]): i for i in holding(items, *_of(neighbour, neighbour_wamids, []))} == theirs
    assert neighbour.client.get("/customers").status_code == 200


class _CutShort:
    """Cognito unreachable halfway through the deletion (after the data, before the users)."""

    def delete_user(self, user_sub: str) -> None:
        raise ConnectionError("Cognito did not answer")


def test_a_deletion_cut_short_is_finished_by_doing_it_again(sandbox: Sandbox) -> None:
    set_clock(TUESDAY_10_JAKARTA)
    name = f"Toko Setengah {uuid.uuid4().hex[:6]}"
    shop = open_shop(sandbox, name)
    lunas = bootstrap.container()
    interrupted: Any = dataclasses.replace(lunas.organisation_deletion, users=_CutShort())
    with pytest.raises(ConnectionError):
        delete_organisation(shop.org_id, name, interrupted)
    # Revoked and mostly deleted, but the owner can still sign in and finish it from Settings.
    assert lunas.stores.connections.for_org(shop.org_id) == []
    assert shop.client.get("/settings").status_code == 200
    again = shop.client.post("/settings/delete-organisation", {"business_name": name}, csrf_from="/settings")
    assert again.headers["Location"] == "/goodbye"
    SIGNED_UP.remove(shop.email)
    assert holding(every_item(), shop.org_id, shop.email, *shop.phones) == []
    # Once more, by an operator, after everything is gone: nothing to do, nothing fails.
    assert delete_organisation(shop.org_id, "", lunas.organisation_deletion).items_deleted == 0
