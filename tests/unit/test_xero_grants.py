"""Xero grants (`services/grants.py`, chalicelib/domain/grants.py) on the in-memory stores.

Xero's identity service is a small table here (`Identity`: each user's connections, answered by the user named in
the access token's JWT claims); the token endpoint is the recorded fake session. Over HTTP against the fake Xero,
through the dashboard and xero-python: tests/test_xero_grants.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest

from chalicelib.domain.errors import AccountingError
from chalicelib.domain.grants import GrantLink, TenantConnection, xero_grant_id
from chalicelib.domain.models import Connection, ConnectionStatus, OAuthTokens
from chalicelib.services.connections import ConnectError, ConnectFlows
from chalicelib.services.grants import xero_grant_of, xero_user
from chalicelib.services.tokens import LEASE_SECONDS, ConnectionTokens, family_key
from tests.builders import TUESDAY_10_JKT
from tests.memory_stores import MemoryStores
from tests.unit.fakes import FakeHttp, FakeRefresher, FakeResponse, FixedClock
from tests.unit.test_connect import ORG, USER, XERO

ALICE, BOB = "alice-user-id", "bob-user-id"
HALF_HOUR = dt.timedelta(minutes=30)


def access_token(user: str, event: str = "event-0") -> str:
    """A Xero-shaped access token: a JWT with the claims Lunas reads (signed with some key: Lunas does not check)."""
    claims = {"xero_userid": user, "authentication_event_id": event, "sub": f"sub-{user}", "jti": uuid.uuid4().hex}
    return jwt.encode(claims, "a-key-only-the-fake-knows-0123456789", algorithm="HS256")


@dataclass
class Identity:
    """`XeroConnections`: each user's connected organisations; calls answered for the user the token names."""

    rows: dict[str, list[TenantConnection]] = field(default_factory=dict)
    calls: list[tuple[str, str, str]] = field(default_factory=list)  # (what, user, argument)
    down: bool = False

    def consent(self, user: str, event: str, tenants: list[str]) -> None:
        """The user connected these organisations (again): their rows carry this consent's event."""
        rows = {r.tenant_id: r for r in self.rows.get(user, [])}
        for tenant in tenants:
            known = rows.get(tenant)
            connection_id = known.connection_id if known else f"conn-{user[:5]}-{tenant}"
            rows[tenant] = TenantConnection(
                connection_id=connection_id, tenant_id=tenant, tenant_name=f"Toko {tenant}", auth_event_id=event
            )
        self.rows[user] = list(rows.values())

    def _user(self, token: str) -> str:
        found = xero_user(token)
        assert found is not None
        return found.user_id

    def connections(self, access_token: str, *, auth_event_id: str = "") -> list[TenantConnection]:
        user = self._user(access_token)
        self.calls.append(("list", user, auth_event_id))
        if self.down:
            raise AccountingError("Xero connections unreachable")
        rows = self.rows.get(user, [])
        return [r for r in rows if not auth_event_id or r.auth_event_id == auth_event_id]

    def delete_connection(self, access_token: str, connection_id: str) -> bool:
        user = self._user(access_token)
        self.calls.append(("delete", user, connection_id))
        self.rows[user] = [r for r in self.rows.get(user, []) if r.connection_id != connection_id]
        return not self.down

    def revoke(self, refresh_token: str) -> bool:
        self.calls.append(("revoke", "", refresh_token))
        return True


@dataclass
class Sleeper:
    """The flows' `sleep` while they wait for a lease: recorded, never slept; `meanwhile` runs at each pause."""

    pauses: list[float] = field(default_factory=list)
    meanwhile: Callable[[], None] | None = None

    def __call__(self, seconds: float) -> None:
        self.pauses.append(seconds)
        if self.meanwhile is not None:
            self.meanwhile()


@dataclass
class Rig:
    clock: FixedClock
    stores: MemoryStores
    http: FakeHttp
    identity: Identity
    flows: ConnectFlows
    sleeper: Sleeper

    def consent(self, user: str, tenants: list[str], *, refresh: str | None = None) -> list[Connection]:
        """`user` allows Lunas these organisations in one flow; the callback is finished."""
        event = uuid.uuid4().hex
        self.identity.consent(user, event, tenants)
        answer = {
            "access_token": access_token(user, event),
            "refresh_token": refresh or f"refresh-{event}",
            "expires_in": 1800,
            "scope": "offline_access",
        }
        self.http.answer("POST", XERO.token_url, 200, answer)
        url = self.flows.start(org_id=ORG, user_sub=USER, provider_name="xero")
        state = parse_qs(urlsplit(url).query)["state"][0]
        return self.flows.finish(org_id=ORG, user_sub=USER, provider_name="xero", query={"code": "c", "state": state})

    def tokens(self, connection_id: str) -> OAuthTokens:
        return self.stores.connections.load_tokens(ORG, connection_id)[0]

    def link(self, connection_id: str) -> GrantLink:
        return self.stores.connections.link(ORG, connection_id)

    def status(self, connection_id: str) -> ConnectionStatus:
        return self.stores.connections.get(ORG, connection_id).status

    def provider(self, connection_id: str, refresher: FakeRefresher) -> ConnectionTokens:
        return ConnectionTokens(
            org_id=ORG,
            connection_id=connection_id,
            repository=self.stores.connections,
            refresher=refresher,
            clock=self.clock,
            leases=self.stores.leases,
            grant_of=xero_grant_of,
        )


@pytest.fixture
def rig() -> Rig:
    clock = FixedClock(TUESDAY_10_JKT)
    stores = MemoryStores(clock=clock)
    http, identity, sleeper = FakeHttp(), Identity(), Sleeper()
    flows = ConnectFlows(
        providers={"xero": XERO},
        states=stores.oauth_states,
        connections=stores.connections,
        clock=clock,
        public_base_url="https://lunas.test/",
        http=http,  # type: ignore[arg-type]
        xero=identity,
        leases=stores.leases,
        routes=stores.routes,
        sleep=sleeper,
    )
    return Rig(clock, stores, http, identity, flows, sleeper)


def test_the_jwt_claims_name_the_user_and_the_consent() -> None:
    user = xero_user(access_token(ALICE, "event-7"))
    assert user is not None and (user.user_id, user.auth_event_id) == (ALICE, "event-7")
    assert xero_user("an-opaque-token") is None
    assert xero_user(jwt.encode({"sub": "x"}, "k" * 32, algorithm="HS256")) is None  # no xero_userid
    expired = OAuthTokens(access_token=access_token(BOB), refresh_token="r", expires_at=TUESDAY_10_JKT)
    assert xero_grant_of(expired) == xero_grant_id(BOB) == "xero:bob-user-id"  # expiry is not checked either


def test_two_flows_of_one_user_share_one_token_set_stored_once(rig: Rig) -> None:
    [first] = rig.consent(ALICE, ["t-1"])
    [second] = rig.consent(ALICE, ["t-2"], refresh="refresh-newest")
    assert (first.connection_id, second.connection_id) == ("xero:t-1", "xero:t-2")
    grant = xero_grant_id(ALICE)
    assert rig.link("xero:t-1") == GrantLink(grant_id=grant, provider_connection_id="conn-alice-t-1")
    assert rig.link("xero:t-2") == GrantLink(grant_id=grant, provider_connection_id="conn-alice-t-2")
    # The second consent's tokens supersede the first's: both connections read them, from the one grant.
    assert rig.tokens("xero:t-1") == rig.tokens("xero:t-2")
    assert rig.tokens("xero:t-1").refresh_token == "refresh-newest"
    stored = rig.stores.connections.grant_tokens(ORG, grant)
    assert stored is not None and stored[0].refresh_token == "refresh-newest"
    # Each flow asked only for its own consent's organisations (authEventId from the access token).
    events = [event for what, _, event in rig.identity.calls if what == "list" and event]
    assert len(events) == 2 and events[0] != events[1]


def test_bulk_consent_of_three_organisations_is_one_grant(rig: Rig) -> None:
    connections = rig.consent(ALICE, ["t-1", "t-2", "t-3"])
    assert [c.connection_id for c in connections] == ["xero:t-1", "xero:t-2", "xero:t-3"]
    assert {rig.link(c.connection_id).grant_id for c in connections} == {xero_grant_id(ALICE)}
    assert len({rig.link(c.connection_id).provider_connection_id for c in connections}) == 3


def test_a_refresh_from_either_connection_rewrites_the_one_set(rig: Rig) -> None:
    rig.consent(ALICE, ["t-1"])
    rig.consent(ALICE, ["t-2"])
    rig.clock.advance(dt.timedelta(hours=1))  # the access token expired
    refresher = FakeRefresher(rig.clock)
    first = rig.provider("xero:t-1", refresher)()
    assert rig.provider("xero:t-2", refresher)() == first  # no second refresh: the set is shared
    assert len(refresher.calls) == 1
    rig.clock.advance(dt.timedelta(hours=1))
    assert rig.provider("xero:t-2", refresher)() != first
    assert rig.tokens("xero:t-1") == rig.tokens("xero:t-2") and len(refresher.calls) == 2


def test_invalid_grant_marks_every_connection_of_the_grant_and_only_those(rig: Rig) -> None:
    rig.consent(ALICE, ["t-1", "t-2"])
    rig.consent(BOB, ["t-3"])
    rig.clock.advance(dt.timedelta(days=61))
    from chalicelib.domain.errors import ReconnectNeeded

    refresher = FakeRefresher(rig.clock, fail=ReconnectNeeded("invalid_grant"))
    with pytest.raises(ReconnectNeeded):
        rig.provider("xero:t-1", refresher)()
    statuses = {c: rig.status(c) for c in ("xero:t-1", "xero:t-2", "xero:t-3")}
    assert statuses == {
        "xero:t-1": ConnectionStatus.RECONNECT_NEEDED,
        "xero:t-2": ConnectionStatus.RECONNECT_NEEDED,
        "xero:t-3": ConnectionStatus.ACTIVE,  # Bob's grant
    }


def test_reconnecting_one_organisation_restores_the_users_others(rig: Rig) -> None:
    rig.consent(ALICE, ["t-1"])
    rig.consent(ALICE, ["t-2"])
    for connection_id in ("xero:t-1", "xero:t-2"):
        rig.stores.connections.set_status(ORG, connection_id, ConnectionStatus.RECONNECT_NEEDED)
    [again] = rig.consent(ALICE, ["t-1"], refresh="refresh-after-60-days")
    assert again.connection_id == "xero:t-1"
    # t-2 is still connected at Xero for Alice, and the new tokens read it: it works again, not lost.
    assert (rig.status("xero:t-1"), rig.status("xero:t-2")) == (ConnectionStatus.ACTIVE, ConnectionStatus.ACTIVE)
    assert rig.tokens("xero:t-2").refresh_token == "refresh-after-60-days"


def test_a_consent_that_only_re_approved_organisations_reconnects_those_already_here(rig: Rig) -> None:
    rig.consent(ALICE, ["t-1"])
    rig.stores.connections.set_status(ORG, "xero:t-1", ConnectionStatus.RECONNECT_NEEDED)
    # Xero lists t-1 under the first consent's event only: the new one's filter finds nothing.
    event = uuid.uuid4().hex
    rig.http.answer(
        "POST",
        XERO.token_url,
        200,
        {"access_token": access_token(ALICE, event), "refresh_token": "r-again", "expires_in": 1800},
    )
    url = rig.flows.start(org_id=ORG, user_sub=USER, provider_name="xero")
    state = parse_qs(urlsplit(url).query)["state"][0]
    [again] = rig.flows.finish(org_id=ORG, user_sub=USER, provider_name="xero", query={"code": "c", "state": state})
    assert (again.connection_id, again.status) == ("xero:t-1", ConnectionStatus.ACTIVE)
    assert rig.tokens("xero:t-1").refresh_token == "r-again"


def test_a_consent_covering_nothing_new_still_keeps_the_users_newest_tokens(rig: Rig) -> None:
    rig.consent(ALICE, ["t-1"])
    rig.http.answer(
        "POST",
        XERO.token_url,
        200,
        {"access_token": access_token(ALICE, "e-x"), "refresh_token": "r-x", "expires_in": 1},
    )
    rig.identity.rows[ALICE] = []  # Xero lists nothing for Alice (she removed Lunas there)
    url = rig.flows.start(org_id=ORG, user_sub=USER, provider_name="xero")
    state = parse_qs(urlsplit(url).query)["state"][0]
    with pytest.raises(ConnectError) as caught:
        rig.flows.finish(org_id=ORG, user_sub=USER, provider_name="xero", query={"code": "c", "state": state})
    assert caught.value.kind == "no_organisations"
    assert rig.tokens("xero:t-1").refresh_token == "r-x"  # the family's newest: the old one is superseded


def test_two_xero_users_have_two_grants_and_disconnecting_one_never_touches_the_other(rig: Rig) -> None:
    rig.consent(ALICE, ["t-1", "t-2"])
    rig.consent(BOB, ["t-3"])
    assert rig.link("xero:t-3").grant_id == xero_grant_id(BOB) != rig.link("xero:t-1").grant_id
    done = rig.flows.disconnect(org_id=ORG, connection_id="xero:t-1")
    assert done.revoked_at_provider
    assert ("delete", ALICE, "conn-alice-t-1") in rig.identity.calls
    assert not [call for call in rig.identity.calls if call[0] == "revoke"]  # Alice still has t-2 here
    assert rig.link("xero:t-1") == GrantLink()
    assert {c.connection_id for c in rig.stores.connections.active()} == {"xero:t-2", "xero:t-3"}

    alices = rig.tokens("xero:t-2").refresh_token
    rig.flows.disconnect(org_id=ORG, connection_id="xero:t-2")  # Alice's last: Xero lists nothing else for her
    assert [call for call in rig.identity.calls if call[0] == "revoke"] == [("revoke", "", alices)]
    assert rig.stores.connections.grant_tokens(ORG, xero_grant_id(ALICE)) is None  # deleted at once
    assert rig.stores.connections.grant_tokens(ORG, xero_grant_id(BOB)) is not None
    assert [c.connection_id for c in rig.stores.connections.active()] == ["xero:t-3"]


def test_a_connection_stored_before_grants_moves_into_its_users_grant_at_its_next_refresh(rig: Rig) -> None:
    """The migration: an item with its own token set and no Xero connection id is a grant of one until then."""
    expired = rig.clock.now() - dt.timedelta(minutes=1)
    alice = OAuthTokens(access_token=access_token(ALICE), refresh_token="r-old-1", expires_at=expired)
    alice_again = OAuthTokens(access_token=access_token(ALICE), refresh_token="r-old-2", expires_at=expired)
    bob = OAuthTokens(access_token=access_token(BOB), refresh_token="r-bob", expires_at=expired)
    for tenant, tokens in (("t-1", alice), ("t-2", alice), ("t-3", alice_again), ("t-4", bob)):
        connection = Connection(org_id=ORG, connection_id=f"xero:{tenant}", provider="xero", tenant_id=tenant)
        rig.stores.connections.add(connection, tokens)
    assert rig.link("xero:t-1") == GrantLink()  # read as a grant of one

    class XeroShaped(FakeRefresher):
        """Xero's refresh answer: a JWT access token of the same user."""

        def refresh(self, refresh_token: str) -> OAuthTokens:
            return dataclasses.replace(super().refresh(refresh_token), access_token=access_token(ALICE))

    refresher = XeroShaped(rig.clock)
    token = rig.provider("xero:t-1", refresher)()
    assert refresher.calls == ["r-old-1"]
    grant = xero_grant_id(ALICE)
    # Alice's copies (the same consent's t-2, another consent's t-3) now read her grant; Bob's t-4 keeps its own.
    assert {c: rig.link(c).grant_id for c in ("xero:t-1", "xero:t-2", "xero:t-3", "xero:t-4")} == {
        "xero:t-1": grant,
        "xero:t-2": grant,
        "xero:t-3": grant,
        "xero:t-4": "",
    }
    assert rig.tokens("xero:t-3").access_token == token == rig.tokens("xero:t-1").access_token
    assert rig.tokens("xero:t-4") == bob
    assert rig.provider("xero:t-3", refresher)() == token and len(refresher.calls) == 1  # no copy refreshes again


def test_a_connection_stored_before_grants_is_adopted_by_its_users_next_consent(rig: Rig) -> None:
    old = OAuthTokens(access_token="opaque", refresh_token="r-old", expires_at=rig.clock.now())
    legacy = Connection(org_id=ORG, connection_id="xero:t-9", provider="xero", tenant_id="t-9")
    rig.stores.connections.add(legacy, old)
    rig.identity.consent(ALICE, "an-earlier-consent", ["t-9"])  # Xero still lists it for Alice
    rig.consent(ALICE, ["t-1"])
    assert rig.link("xero:t-9") == GrantLink(grant_id=xero_grant_id(ALICE), provider_connection_id="conn-alice-t-9")
    assert rig.tokens("xero:t-9") == rig.tokens("xero:t-1")


def test_disconnecting_a_connection_stored_before_grants_looks_its_xero_id_up(rig: Rig) -> None:
    tokens = OAuthTokens(
        access_token=access_token(ALICE), refresh_token="r-old", expires_at=rig.clock.now() + HALF_HOUR
    )
    legacy = Connection(org_id=ORG, connection_id="xero:t-9", provider="xero", tenant_id="t-9")
    rig.stores.connections.add(legacy, tokens)
    rig.identity.consent(ALICE, "an-earlier-consent", ["t-9", "t-8"])
    assert rig.flows.disconnect(org_id=ORG, connection_id="xero:t-9").revoked_at_provider
    assert [c for c in rig.identity.calls if c[0] != "list"] == [("delete", ALICE, "conn-alice-t-9")]
    with pytest.raises(Exception, match="no tokens"):
        rig.tokens("xero:t-9")


def test_a_consent_waits_for_a_refresh_of_the_users_tokens_in_flight(rig: Rig) -> None:
    """A refresh answered after the consent's exchange would otherwise store a token the consent superseded."""
    rig.consent(ALICE, ["t-1"], refresh="refresh-stored")
    key = family_key("refresh-stored")
    assert rig.stores.leases.acquire(ORG, key, "a-refreshing-worker", now=rig.clock.now().timestamp(), seconds=30)
    exchanged_with_lease_held: list[bool] = []
    rig.sleeper.meanwhile = lambda: rig.stores.leases.release(ORG, key, "a-refreshing-worker")  # the refresh lands
    real_post = rig.http.post

    def post(url: str, **kwargs: Any) -> FakeResponse:
        exchanged_with_lease_held.append(
            not rig.stores.leases.acquire(ORG, key, "probe", now=rig.clock.now().timestamp(), seconds=LEASE_SECONDS)
        )
        return real_post(url, **kwargs)

    rig.http.post = post  # type: ignore[method-assign]
    rig.consent(ALICE, ["t-2"])
    assert rig.sleeper.pauses  # it waited
    assert exchanged_with_lease_held == [True]  # the consent held the lease during its exchange, not the worker


def test_another_lunas_organisation_holding_the_same_xero_organisation_is_named(rig: Rig) -> None:
    rig.consent(ALICE, ["t-1", "t-2"])
    other = Connection(org_id="org-other", connection_id="xero:t-2", provider="xero", tenant_id="t-2")
    rig.stores.connections.add(other, OAuthTokens(access_token="a", refresh_token="r", expires_at=rig.clock.now()))
    mine = [rig.stores.connections.get(ORG, c) for c in ("xero:t-1", "xero:t-2")]
    assert [c.connection_id for c in rig.flows.held_elsewhere(ORG, mine)] == ["xero:t-2"]
    rig.stores.connections.set_status("org-other", "xero:t-2", ConnectionStatus.DISCONNECTED)
    assert rig.flows.held_elsewhere(ORG, mine) == []


def test_xero_down_while_listing_is_a_provider_error_and_connects_nothing(rig: Rig) -> None:
    rig.identity.down = True
    with pytest.raises(ConnectError) as caught:
        rig.consent(ALICE, ["t-1"])
    assert caught.value.kind == "provider_error"
    assert rig.stores.connections.for_org(ORG) == []
