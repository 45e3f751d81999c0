"""Connecting Xero and QuickBooks through the fake consent pages, their error pages, disconnecting, and tokens.

Real pieces end to end: the app over HTTP, the fakes' token endpoints, DynamoDB and KMS on moto. The token tests
drive `chalicelib.services.tokens` with the real Xero refresher against FakeXero.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import threading
import uuid
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib import bootstrap
from chalicelib.adapters.kms import DecryptionFailed
from chalicelib.adapters.xero_oauth import XeroTokenRefresher
from chalicelib.domain.errors import ReconnectNeeded
from chalicelib.domain.models import Connection, ConnectionStatus, OAuthTokens
from chalicelib.domain.records import PendingAuthorization
from chalicelib.services.tokens import ConnectionTokens
from chalicelib.storage.connections import DynamoLeases
from chalicelib.storage.oauth_states import DynamoOAuthStates
from chalicelib.storage.organisations import NotFound
from chalicelib.storage.schema import ConnectionRecord, GrantRecord, org_pk
from sandbox.run import Sandbox
from tests.web_support import WebClient, authorize, connect, decide, new_email, org_of, retire_connections

pytestmark = pytest.mark.sandbox


@pytest.fixture(autouse=True)
def _retire_connections() -> Iterator[None]:
    yield
    retire_connections()


@pytest.fixture
def owner(sandbox: Sandbox) -> WebClient:
    client = WebClient(sandbox.app_url)
    assert client.sign_up(new_email()).status_code == 303
    return client


def _seed_xero(sandbox: Sandbox, name: str) -> str:
    return str(sandbox.xero.seed({"tenantName": f"{name} {uuid.uuid4().hex[:6]}"})["tenantId"])


def _connections(org_id: str) -> dict[str, Connection]:
    return {c.connection_id: c for c in bootstrap.container().stores.connections.for_org(org_id)}


def _email(client: WebClient) -> str:
    return bootstrap.container().authenticator.principal(client.session.cookies["lunas_session"]).email


# -- connect -----------------------------------------------------------------------------------------------------


def test_connect_xero_with_two_organisations_pkce_and_encrypted_tokens(sandbox: Sandbox, owner: WebClient) -> None:
    first, second = _seed_xero(sandbox, "Toko Satu"), _seed_xero(sandbox, "Toko Dua")
    page_url, fields = authorize(owner, "xero")
    query = parse_qs(urlsplit(page_url).query)
    assert query["scope"] == [
        "offline_access accounting.invoices.read accounting.contacts.read accounting.settings.read"
    ]
    assert query["code_challenge_method"] == ["S256"] and len(query["state"][0]) >= 40
    sandbox.xero.requests.clear()
    answer = owner.follow(decide(owner, page_url, fields, "allow", {"tenant": [first, second]}))
    assert answer.status_code == 303 and answer.headers["Location"] == "/dashboard?m=connected"

    exchange = sandbox.xero.recorded("^/connect/token$")[-1]
    form = parse_qs(exchange["body"])
    assert form["grant_type"] == ["authorization_code"] and exchange["headers"]["authorization"].startswith("Basic ")
    verifier = form["code_verifier"][0]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert sandbox.oauth_pages.xero_challenges[form["code"][0]] == challenge

    org = org_of(_email(owner))
    connections = _connections(org)
    assert set(connections) == {f"xero:{first}", f"xero:{second}"}
    # One token set for the consent's Xero user, stored once (encrypted) in the grant both connections read.
    grant_id = bootstrap.container().stores.connections.link(org, f"xero:{first}").grant_id
    assert (
        grant_id.startswith("xero:")
        and grant_id == bootstrap.container().stores.connections.link(org, f"xero:{second}").grant_id
    )
    assert ConnectionRecord.get(org_pk(org), f"CONN#xero:{first}").token_ciphertext is None
    grant = GrantRecord.get(org_pk(org), f"GRANT#{grant_id}")
    assert b"xero-rt-" not in grant.token_ciphertext and b"eyJ" not in grant.token_ciphertext
    tokens, _ = bootstrap.container().stores.connections.load_tokens(org, f"xero:{first}")
    assert tokens.refresh_token.startswith("xero-rt-")
    page = owner.get("/dashboard").text
    assert "Toko Satu" in page and "Toko Dua" in page and tokens.access_token not in page


def test_connect_quickbooks_names_the_company_by_realm_id(sandbox: Sandbox, owner: WebClient) -> None:
    realm = sandbox.quickbooks.seed({"companyName": f"PT Maju {uuid.uuid4().hex[:6]}"})["realmId"]
    page_url, fields = authorize(owner, "quickbooks")
    assert parse_qs(urlsplit(page_url).query)["scope"] == ["com.intuit.quickbooks.accounting"]
    callback = decide(owner, page_url, fields, "allow", {"realmId": realm})
    assert parse_qs(urlsplit(callback.headers["Location"]).query)["realmId"] == [realm]
    assert owner.follow(callback).headers["Location"] == "/dashboard?m=connected"
    org = org_of(_email(owner))
    assert _connections(org)[f"quickbooks:{realm}"].status is ConnectionStatus.ACTIVE


# -- error pages -------------------------------------------------------------------------------------------------


def _error(answer_text: str) -> str:
    assert "Traceback" not in answer_text and "xero-rt-" not in answer_text and "eyJ" not in answer_text
    return answer_text


def test_deny_on_the_consent_page_explains_nothing_was_connected(sandbox: Sandbox, owner: WebClient) -> None:
    page_url, fields = authorize(owner, "xero")
    answer = owner.follow(decide(owner, page_url, fields, "deny", {}))
    assert answer.status_code == 400
    assert "chose not to allow access" in _error(answer.text)
    assert _connections(org_of(_email(owner))) == {}


def test_missing_tampered_and_foreign_state_are_refused(sandbox: Sandbox, owner: WebClient) -> None:
    tenant = _seed_xero(sandbox, "Toko Tiga")
    page_url, fields = authorize(owner, "xero")
    callback = decide(owner, page_url, fields, "allow", {"tenant": [tenant]})
    location = callback.headers["Location"]
    no_state = location.replace(f"state={parse_qs(urlsplit(location).query)['state'][0]}", "state=")
    assert "not started from your Lunas dashboard" in _error(owner.get(no_state).text)
    tampered = location.replace("state=", "state=x")
    assert "not started from your Lunas dashboard" in _error(owner.get(tampered).text)
    someone_else = WebClient(sandbox.app_url)
    someone_else.sign_up(new_email("intruder"))
    assert "belongs to another sign-in" in _error(someone_else.get(location).text)
    assert owner.get(location).headers["Location"] == "/dashboard?m=connected"  # the owner's own state still works


def test_a_replayed_callback_and_a_reused_code_are_refused(sandbox: Sandbox, owner: WebClient) -> None:
    tenant = _seed_xero(sandbox, "Toko Empat")
    page_url, fields = authorize(owner, "xero")
    location = decide(owner, page_url, fields, "allow", {"tenant": [tenant]}).headers["Location"]
    assert owner.get(location).status_code == 303
    replay = owner.get(location)
    assert replay.status_code == 400 and "already used" in _error(replay.text)

    used_code = parse_qs(urlsplit(location).query)["code"][0]
    page_url, fields = authorize(owner, "xero")  # a fresh state, but the old code
    fresh = decide(owner, page_url, fields, "allow", {"tenant": [tenant]}).headers["Location"]
    reused = fresh.replace(parse_qs(urlsplit(fresh).query)["code"][0], used_code)
    answer = owner.get(reused)
    assert answer.status_code == 400 and "already used or has expired" in _error(answer.text)


def test_an_expired_state_is_refused(sandbox: Sandbox, owner: WebClient) -> None:
    principal = bootstrap.container().authenticator.principal(owner.session.cookies["lunas_session"])
    pending = PendingAuthorization(
        org_id=principal.org_id,
        user_sub=principal.user_sub,
        provider="xero",
        code_verifier="v" * 50,
        redirect_uri=f"{sandbox.app_url}/connect/xero/callback",
    )
    DynamoOAuthStates().put(
        "old-state", pending, now=sandbox.clock.now() - dt.timedelta(hours=1), ttl=dt.timedelta(minutes=10)
    )
    answer = owner.get("/connect/xero/callback?code=whatever&state=old-state")
    assert answer.status_code == 400 and "expired" in _error(answer.text)


def test_a_provider_error_during_the_exchange_gets_a_calm_page(sandbox: Sandbox, owner: WebClient) -> None:
    tenant = _seed_xero(sandbox, "Toko Lima")
    page_url, fields = authorize(owner, "xero")
    callback = decide(owner, page_url, fields, "allow", {"tenant": [tenant]})
    import requests

    requests.post(f"{sandbox.xero.url}/_sandbox/faults", json={"path": "^/connect/token$", "status": 503}, timeout=5)
    answer = owner.follow(callback)
    assert answer.status_code == 400 and "reported a problem" in _error(answer.text)
    code = parse_qs(urlsplit(callback.headers["Location"]).query)["code"][0]
    assert code not in answer.text


# -- disconnect --------------------------------------------------------------------------------------------------


def test_disconnect_revokes_deletes_tokens_and_stops_reminders(sandbox: Sandbox, owner: WebClient) -> None:
    tenant = _seed_xero(sandbox, "Toko Enam")
    connect(owner, "xero", {"tenant": [tenant]})
    org = org_of(_email(owner))
    connection_id = f"xero:{tenant}"
    tokens, _ = bootstrap.container().stores.connections.load_tokens(org, connection_id)
    xero_id = bootstrap.container().stores.connections.link(org, connection_id).provider_connection_id
    sandbox.xero.requests.clear()
    answer = owner.post("/connections/disconnect", {"connection_id": connection_id}, csrf_from="/dashboard")
    assert answer.headers["Location"] == "/dashboard?m=disconnected"
    # Xero drops the organisation (DELETE /connections/{id}); the user's last one, so the tokens are revoked too.
    assert [(r["method"], r["path"]) for r in sandbox.xero.recorded("(?i)^/connections/")] == [
        ("DELETE", f"/Connections/{xero_id}")
    ]
    revocation = sandbox.xero.recorded("^/connect/revocation$")
    assert len(revocation) == 1 and parse_qs(revocation[0]["body"])["token"] == [tokens.refresh_token]
    with pytest.raises(NotFound):
        bootstrap.container().stores.connections.load_tokens(org, connection_id)
    assert _connections(org)[connection_id].status is ConnectionStatus.DISCONNECTED
    assert connection_id not in {c.connection_id for c in bootstrap.container().stores.connections.active()}
    refused = XeroTokenRefresher(
        client_id=sandbox.xero.client_id,
        client_secret=sandbox.xero.client_secret,
        identity_base=sandbox.xero.url,
        now=sandbox.clock.now,
    )
    with pytest.raises(ReconnectNeeded):
        refused.refresh(tokens.refresh_token)
    # Connecting the same organisation again makes it active with new tokens.
    assert connect(owner, "xero", {"tenant": [tenant]}).headers["Location"] == "/dashboard?m=connected"
    assert _connections(org)[connection_id].status is ConnectionStatus.ACTIVE


def test_disconnecting_another_organisations_connection_is_not_possible(sandbox: Sandbox, owner: WebClient) -> None:
    tenant = _seed_xero(sandbox, "Toko Tujuh")
    connect(owner, "xero", {"tenant": [tenant]})
    org = org_of(_email(owner))
    other = WebClient(sandbox.app_url)
    other.sign_up(new_email("other"))
    answer = other.post("/connections/disconnect", {"connection_id": f"xero:{tenant}"}, csrf_from="/dashboard")
    assert answer.status_code == 404
    assert _connections(org)[f"xero:{tenant}"].status is ConnectionStatus.ACTIVE


def test_a_token_blob_copied_to_another_organisation_cannot_be_decrypted(sandbox: Sandbox) -> None:
    cipher = bootstrap.container().cipher
    blob = cipher.encrypt(b'{"refresh_token": "secret"}', {"org_id": "org-a", "connection_id": "xero:1"})
    assert cipher.decrypt(blob, {"org_id": "org-a", "connection_id": "xero:1"}) == b'{"refresh_token": "secret"}'
    with pytest.raises(DecryptionFailed):
        cipher.decrypt(blob, {"org_id": "org-b", "connection_id": "xero:1"})
    with pytest.raises(DecryptionFailed):
        cipher.decrypt(blob, {"org_id": "org-a", "connection_id": "xero:2"})
    assert blob.startswith(b"LE1")  # envelope: the data key is wrapped by KMS, the secret sealed locally


# -- token refresh: single flight, grace, invalid_grant ----------------------------------------------------------


@pytest.fixture
def xero_family(sandbox: Sandbox) -> Iterator[tuple[str, list[str]]]:
    """An organisation with two Xero connections stored before grants: each its own copy of one token set (one
    consent, two tenants). Their first refresh moves the set into the user's grant (tests/test_xero_grants.py)."""
    org = f"org-{uuid.uuid4().hex[:10]}"
    tenants = [_seed_xero(sandbox, "Toko Keluarga"), _seed_xero(sandbox, "Toko Saudara")]
    issued = sandbox.xero.issue_tokens(tenants)
    expired = OAuthTokens(
        access_token=issued["access_token"],
        refresh_token=issued["refresh_token"],
        expires_at=sandbox.clock.now() - dt.timedelta(minutes=1),
    )
    for tenant in tenants:
        connection = Connection(org_id=org, connection_id=f"xero:{tenant}", provider="xero", tenant_id=tenant)
        bootstrap.container().stores.connections.add(connection, expired)
    yield org, [f"xero:{t}" for t in tenants]
    for tenant in tenants:
        bootstrap.container().stores.connections.set_status(org, f"xero:{tenant}", ConnectionStatus.DISCONNECTED)


def _provider(sandbox: Sandbox, org: str, connection_id: str) -> ConnectionTokens:
    refresher = XeroTokenRefresher(
        client_id=sandbox.xero.client_id,
        client_secret=sandbox.xero.client_secret,
        identity_base=sandbox.xero.url,
        now=sandbox.clock.now,
    )
    return ConnectionTokens(
        org_id=org,
        connection_id=connection_id,
        repository=bootstrap.container().stores.connections,
        refresher=refresher,
        clock=sandbox.clock,
        leases=DynamoLeases(),
    )


def _refresh_calls(sandbox: Sandbox) -> int:
    return sum("grant_type=refresh_token" in r["body"] for r in sandbox.xero.recorded("^/connect/token$"))


def test_many_concurrent_callers_cause_exactly_one_provider_refresh(
    sandbox: Sandbox, xero_family: tuple[str, list[str]]
) -> None:
    import requests

    org, (first, second) = xero_family
    sandbox.xero.requests.clear()
    # A slow token endpoint widens the race: every caller finds the token expired before the first refresh lands.
    requests.post(
        f"{sandbox.xero.url}/_sandbox/faults",
        json={"path": "^/connect/token$", "latency_ms": 300, "times": 1},
        timeout=5,
    )
    results: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(10)

    def call(connection_id: str) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(_provider(sandbox, org, connection_id)())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=call, args=(first if i % 2 else second,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert _refresh_calls(sandbox) == 1
    assert len(set(results)) == 1  # everyone got the winner's access token
    stored = {c: bootstrap.container().stores.connections.load_tokens(org, c)[0] for c in (first, second)}
    assert stored[first] == stored[second] and stored[first].access_token == results[0]
    # No lost token: the stored refresh token is the newest, and it works.
    sandbox.xero.advance(3600)
    try:
        assert _provider(sandbox, org, first)(force_refresh=True)
    finally:
        sandbox.xero.advance(-3600)


def test_a_lost_refresh_answer_is_recovered_within_xeros_grace(
    sandbox: Sandbox, xero_family: tuple[str, list[str]]
) -> None:
    org, (first, _) = xero_family
    stale, _ = bootstrap.container().stores.connections.load_tokens(org, first)
    refresher = XeroTokenRefresher(
        client_id=sandbox.xero.client_id,
        client_secret=sandbox.xero.client_secret,
        identity_base=sandbox.xero.url,
        now=sandbox.clock.now,
    )
    refresher.refresh(stale.refresh_token)  # a worker refreshed, then died before saving
    sandbox.xero.advance(20 * 60)
    try:
        token = _provider(sandbox, org, first)()  # retries with the same (already used) refresh token: accepted
        assert token.startswith("eyJ")  # Xero's access tokens are JWTs
        assert bootstrap.container().stores.connections.get(org, first).status is ConnectionStatus.ACTIVE
    finally:
        sandbox.xero.advance(-20 * 60)


def test_invalid_grant_marks_the_whole_family_reconnect_needed(
    sandbox: Sandbox, xero_family: tuple[str, list[str]]
) -> None:
    org, (first, second) = xero_family
    for connection_id in (first, second):  # the owner removed Lunas from both organisations in Xero
        sandbox.xero.disconnect(connection_id.removeprefix("xero:"))
    with pytest.raises(ReconnectNeeded):
        _provider(sandbox, org, first)()
    statuses = {c: bootstrap.container().stores.connections.get(org, c).status for c in (first, second)}
    assert statuses == {first: ConnectionStatus.RECONNECT_NEEDED, second: ConnectionStatus.RECONNECT_NEEDED}
    assert first not in {c.connection_id for c in bootstrap.container().stores.connections.active()}


def test_an_unrelated_write_during_refresh_does_not_lose_the_rotated_token(
    sandbox: Sandbox, xero_family: tuple[str, list[str]]
) -> None:
    org, (first, _) = xero_family
    real = XeroTokenRefresher(
        client_id=sandbox.xero.client_id,
        client_secret=sandbox.xero.client_secret,
        identity_base=sandbox.xero.url,
        now=sandbox.clock.now,
    )

    class SummaryWrittenMeanwhile:
        def refresh(self, refresh_token: str) -> OAuthTokens:
            fresh = real.refresh(refresh_token)
            bootstrap.container().stores.connections.record_cycle(
                org, first, sandbox.clock.now(), "meanwhile"
            )  # bumps version
            return fresh

    provider = ConnectionTokens(
        org_id=org,
        connection_id=first,
        repository=bootstrap.container().stores.connections,
        refresher=SummaryWrittenMeanwhile(),
        clock=sandbox.clock,
        leases=DynamoLeases(),
    )
    token = provider()
    stored, _ = bootstrap.container().stores.connections.load_tokens(org, first)
    assert stored.access_token == token  # saved on the retry, not dropped for the stale one
