"""Connecting and disconnecting Xero and QuickBooks (`services/connections.ConnectFlows`) on the in-memory stores.

The provider's token, connections and revocation endpoints are a recorded fake session; the browser's part (the
consent page) is simply the callback's query string. The real flows over HTTP are in tests/test_connections.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib.domain.models import Connection, ConnectionStatus, OAuthTokens
from chalicelib.services.connections import ConnectError, ConnectFlows, OAuthProvider, pkce_challenge
from tests.builders import TUESDAY_10_JKT
from tests.memory_stores import MemoryStores
from tests.unit.fakes import FakeHttp, FixedClock

ORG = "org-unit"
USER = "user-sub-1"
XERO = OAuthProvider(
    name="xero",
    client_id="xero-client",
    client_secret="xero-secret",
    authorize_url="https://login.xero.test/identity/connect/authorize",
    token_url="https://identity.xero.test/connect/token",
    revoke_url="https://identity.xero.test/connect/revocation",
    scopes="offline_access accounting.invoices.read accounting.contacts.read",
    pkce=True,
    connections_url="https://api.xero.test/connections",
)
QUICKBOOKS = OAuthProvider(
    name="quickbooks",
    client_id="qbo-client",
    client_secret="qbo-secret",
    authorize_url="https://appcenter.intuit.test/connect/oauth2",
    token_url="https://oauth.intuit.test/oauth2/v1/tokens/bearer",
    revoke_url="https://developer.intuit.test/v2/oauth2/tokens/revoke",
    scopes="com.intuit.quickbooks.accounting",
    pkce=False,
)
TOKEN_ANSWER = {"access_token": "access-1", "refresh_token": "refresh-1", "expires_in": 1800, "scope": "x"}
TENANTS = [
    {"id": "c-1", "tenantId": "t-1", "tenantName": "Toko Sumber Rejeki", "tenantType": "ORGANISATION"},
    {"id": "c-2", "tenantId": "t-2", "tenantName": "CV Sumber Rejeki", "tenantType": "ORGANISATION"},
    {"id": "c-p", "tenantId": "p-1", "tenantName": "Practice", "tenantType": "PRACTICE"},
]


@dataclass
class Flows:
    clock: FixedClock
    stores: MemoryStores
    http: FakeHttp
    flows: ConnectFlows

    def start(self, provider: str = "xero", user: str = USER) -> dict[str, str]:
        """Start a flow; the authorize URL's query."""
        url = self.flows.start(org_id=ORG, user_sub=user, provider_name=provider)
        return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}

    def finish(self, state: str, provider: str = "xero", user: str = USER, **query: str) -> list[Connection]:
        query = {"code": "code-1", "state": state, **query}
        return self.flows.finish(org_id=ORG, user_sub=user, provider_name=provider, query=query)

    def connect_xero(self) -> list[Connection]:
        return self.finish(self.start()["state"])

    def tokens(self, connection_id: str) -> OAuthTokens:
        return self.stores.connections.load_tokens(ORG, connection_id)[0]


@pytest.fixture
def rig() -> Flows:
    clock = FixedClock(TUESDAY_10_JKT)
    stores = MemoryStores(clock=clock)
    http = FakeHttp()
    for provider in (XERO, QUICKBOOKS):
        http.answer("POST", provider.token_url, 200, TOKEN_ANSWER)
        http.answer("POST", provider.revoke_url, 200, {})
    http.answer("GET", XERO.connections_url, 200, TENANTS)
    flows = ConnectFlows(
        providers={"xero": XERO, "quickbooks": QUICKBOOKS},
        states=stores.oauth_states,
        connections=stores.connections,
        clock=clock,
        public_base_url="https://lunas.test/",
        http=http,  # type: ignore[arg-type]
    )
    return Flows(clock, stores, http, flows)


def connect_error(action: object) -> str:
    with pytest.raises(ConnectError) as caught:
        action()  # type: ignore[operator]
    return caught.value.kind


# -- connecting -----------------------------------------------------------------------------------------------------


def test_connecting_xero_stores_one_connection_per_organisation_sharing_one_token_set(rig: Flows) -> None:
    query = rig.start()
    assert (query["client_id"], query["redirect_uri"]) == ("xero-client", "https://lunas.test/connect/xero/callback")
    assert query["code_challenge_method"] == "S256"

    connections = rig.finish(query["state"])
    assert [(c.connection_id, c.tenant_name) for c in connections] == [
        ("xero:t-1", "Toko Sumber Rejeki"),
        ("xero:t-2", "CV Sumber Rejeki"),
    ]
    [exchange] = rig.http.called("POST", XERO.token_url)
    form = exchange["data"]
    assert (form["grant_type"], form["code"], form["redirect_uri"]) == (
        "authorization_code",
        "code-1",
        "https://lunas.test/connect/xero/callback",
    )
    assert pkce_challenge(form["code_verifier"]) == query["code_challenge"]  # the verifier of this flow
    expected = OAuthTokens(
        access_token="access-1",
        refresh_token="refresh-1",
        expires_at=TUESDAY_10_JKT + dt.timedelta(seconds=1800),
        scope="x",
    )
    assert rig.tokens("xero:t-1") == rig.tokens("xero:t-2") == expected
    links = rig.stores.connections.links(ORG)  # one grant (an opaque token names no user: one per consent)
    assert links["xero:t-1"].grant_id == links["xero:t-2"].grant_id != ""
    assert [links[c].provider_connection_id for c in ("xero:t-1", "xero:t-2")] == ["c-1", "c-2"]
    assert {c.connection_id for c in rig.stores.connections.active()} == {"xero:t-1", "xero:t-2"}
    assert [r.connection_id for r in rig.stores.routes.connections_for_tenant("xero", "t-2")] == ["xero:t-2"]


def test_connecting_quickbooks_names_the_company_from_the_callback(rig: Flows) -> None:
    query = rig.start("quickbooks")
    assert "code_challenge" not in query
    [connection] = rig.finish(query["state"], provider="quickbooks", realmId="9341")
    assert (connection.connection_id, connection.provider) == ("quickbooks:9341", "quickbooks")
    assert "code_verifier" not in rig.http.called("POST", QUICKBOOKS.token_url)[0]["data"]
    assert connect_error(lambda: rig.finish(rig.start("quickbooks")["state"], provider="quickbooks")) == (
        "no_organisations"
    )


def test_the_callback_state_is_single_use(rig: Flows) -> None:
    state = rig.start()["state"]
    rig.finish(state)
    assert connect_error(lambda: rig.finish(state)) == "replayed"
    assert len(rig.http.called("POST", XERO.token_url)) == 1  # the code was never exchanged twice


@pytest.mark.parametrize(
    ("finish", "kind"),
    [
        pytest.param(lambda r, s: r.finish(s, user="someone-else"), "wrong_user", id="another-user"),
        pytest.param(lambda r, s: r.finish(s, provider="quickbooks"), "wrong_user", id="another-provider"),
        pytest.param(lambda r, s: r.finish("made-up"), "missing_state", id="unknown-state"),
        pytest.param(lambda r, s: r.finish(""), "missing_state", id="no-state"),
        pytest.param(lambda r, s: r.finish(s, error="access_denied"), "denied", id="owner-denied"),
        pytest.param(lambda r, s: r.finish(s, error="server_error"), "provider_error", id="provider-error"),
        pytest.param(lambda r, s: r.finish(s, code=""), "provider_error", id="no-code"),
    ],
)
def test_a_bad_callback_is_refused_and_stores_nothing(rig: Flows, finish: object, kind: str) -> None:
    state = rig.start()["state"]
    assert connect_error(lambda: finish(rig, state)) == kind  # type: ignore[operator]
    assert rig.stores.connections.for_org(ORG) == []


def test_an_expired_state_is_refused(rig: Flows) -> None:
    state = rig.start()["state"]
    rig.clock.advance(dt.timedelta(minutes=10, seconds=1))
    assert connect_error(lambda: rig.finish(state)) == "expired_state"
    assert rig.http.calls == []


def test_a_state_started_for_another_organisation_is_refused(rig: Flows) -> None:
    url = rig.flows.start(org_id="org-other", user_sub=USER, provider_name="xero")
    state = parse_qs(urlsplit(url).query)["state"][0]
    assert connect_error(lambda: rig.finish(state)) == "wrong_user"


@pytest.mark.parametrize(
    ("status_code", "body", "kind"),
    [
        pytest.param(400, {"error": "invalid_grant"}, "code_rejected", id="code-used-or-expired"),
        pytest.param(500, None, "provider_error", id="token-endpoint-down"),
        pytest.param(200, {"access_token": "only"}, "provider_error", id="unreadable-answer"),
    ],
)
def test_a_refused_code_exchange_stores_nothing(rig: Flows, status_code: int, body: object, kind: str) -> None:
    rig.http.answer("POST", XERO.token_url, status_code, body)
    assert connect_error(rig.connect_xero) == kind
    assert rig.stores.connections.for_org(ORG) == []


def test_connecting_again_replaces_the_tokens_and_reactivates(rig: Flows) -> None:
    rig.connect_xero()
    rig.stores.connections.set_status(ORG, "xero:t-1", ConnectionStatus.RECONNECT_NEEDED)
    rig.http.answer("POST", XERO.token_url, 200, {**TOKEN_ANSWER, "access_token": "a-2", "refresh_token": "r-2"})
    rig.connect_xero()
    assert rig.tokens("xero:t-1").refresh_token == "r-2"
    assert rig.stores.connections.get(ORG, "xero:t-1").status is ConnectionStatus.ACTIVE


# -- disconnecting --------------------------------------------------------------------------------------------------


def test_disconnecting_revokes_deletes_the_tokens_and_stops_reminders(rig: Flows) -> None:
    [connection] = rig.finish(rig.start("quickbooks")["state"], provider="quickbooks", realmId="9341")
    done = rig.flows.disconnect(org_id=ORG, connection_id=connection.connection_id)
    assert done.revoked_at_provider
    [revoke] = rig.http.called("POST", QUICKBOOKS.revoke_url)
    assert revoke["json"] == {"token": "refresh-1"}
    assert rig.stores.connections.get(ORG, "quickbooks:9341").status is ConnectionStatus.DISCONNECTED
    assert rig.stores.connections.active() == []
    with pytest.raises(Exception, match="no tokens"):
        rig.stores.connections.load_tokens(ORG, "quickbooks:9341")


def test_disconnecting_one_of_two_xero_organisations_drops_it_alone_and_keeps_the_shared_tokens(rig: Flows) -> None:
    rig.connect_xero()
    rig.http.answer("DELETE", f"{XERO.connections_url}/c-1", 204)
    done = rig.flows.disconnect(org_id=ORG, connection_id="xero:t-1")
    assert done.revoked_at_provider  # Xero dropped that organisation: DELETE /connections/{id}
    assert [c["headers"]["Authorization"] for c in rig.http.called("DELETE", f"{XERO.connections_url}/c-1")] == [
        "Bearer access-1"
    ]
    assert rig.http.called("POST", XERO.revoke_url) == []  # revoking would drop the other organisation too
    assert rig.tokens("xero:t-2").refresh_token == "refresh-1"
    assert [c.connection_id for c in rig.stores.connections.active()] == ["xero:t-2"]
    with pytest.raises(Exception, match="no tokens"):
        rig.stores.connections.load_tokens(ORG, "xero:t-1")

    # The last one: dropped, and since Xero lists nothing else for the user, the tokens are revoked and deleted.
    rig.http.answer("DELETE", f"{XERO.connections_url}/c-2", 204)
    rig.http.answer("GET", XERO.connections_url, 200, [])
    assert rig.flows.disconnect(org_id=ORG, connection_id="xero:t-2").revoked_at_provider
    assert [c["data"] for c in rig.http.called("POST", XERO.revoke_url)] == [{"token": "refresh-1"}]
    with pytest.raises(Exception, match="no tokens"):
        rig.stores.connections.load_tokens(ORG, "xero:t-2")


def test_the_last_organisation_is_not_revoked_while_xero_lists_others_of_the_user(rig: Flows) -> None:
    """Another Lunas organisation may hold the same Xero user's other organisations: revocation would drop them."""
    rig.connect_xero()
    for connection_id in ("c-1", "c-2"):
        rig.http.answer("DELETE", f"{XERO.connections_url}/{connection_id}", 204)
    rig.flows.disconnect(org_id=ORG, connection_id="xero:t-1")
    assert rig.flows.disconnect(org_id=ORG, connection_id="xero:t-2").revoked_at_provider
    assert rig.http.called("POST", XERO.revoke_url) == []  # Xero still lists p-1 (and t-1 in this canned answer)
    assert rig.stores.connections.active() == []


def test_a_xero_organisation_that_cannot_be_dropped_is_still_disconnected(rig: Flows) -> None:
    rig.connect_xero()
    rig.http.answer("DELETE", f"{XERO.connections_url}/c-1", 503)
    done = rig.flows.disconnect(org_id=ORG, connection_id="xero:t-1")
    assert not done.revoked_at_provider  # the owner is told to remove Lunas in Xero
    assert rig.stores.connections.get(ORG, "xero:t-1").status is ConnectionStatus.DISCONNECTED
    assert rig.tokens("xero:t-2").refresh_token == "refresh-1"


def test_a_failed_revocation_still_disconnects(rig: Flows) -> None:
    [connection] = rig.finish(rig.start("quickbooks")["state"], provider="quickbooks", realmId="9341")
    rig.http.answer("POST", QUICKBOOKS.revoke_url, 503, None)
    done = rig.flows.disconnect(org_id=ORG, connection_id=connection.connection_id)
    assert not done.revoked_at_provider
    assert rig.stores.connections.get(ORG, "quickbooks:9341").status is ConnectionStatus.DISCONNECTED


def test_disconnecting_an_unknown_connection(rig: Flows) -> None:
    assert connect_error(lambda: rig.flows.disconnect(org_id=ORG, connection_id="xero:nope")) == "not_found"
