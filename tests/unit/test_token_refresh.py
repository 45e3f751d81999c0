"""Token refresh (`services/tokens.ConnectionTokens`) on the in-memory connections and leases.

Refresh tokens rotate, so the guarantees are: one refresh however many callers need one (the lease), the rotated
set stored on every connection sharing it (optimistic versions), and `invalid_grant` turning the whole family to
"reconnect needed". Against the real token endpoints and DynamoDB: tests/test_connections.py.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from chalicelib.domain.errors import AccountingError, ReconnectNeeded
from chalicelib.domain.models import Connection, ConnectionStatus, OAuthTokens
from chalicelib.services.tokens import LEASE_SECONDS, ConnectionTokens, family_key
from tests.builders import TUESDAY_10_JKT
from tests.memory_stores import MemoryStores
from tests.unit.fakes import FakeRefresher, FixedClock

ORG = "org-unit"
T0 = TUESDAY_10_JKT


def tokens(n: str, *, expires_at: dt.datetime) -> OAuthTokens:
    return OAuthTokens(access_token=f"access-{n}", refresh_token=f"refresh-{n}", expires_at=expires_at)


class Rig:
    def __init__(self) -> None:
        self.clock = FixedClock(T0)
        self.stores = MemoryStores(clock=self.clock)
        self.refresher = FakeRefresher(self.clock)

    def connect(self, connection_id: str, token_set: OAuthTokens) -> None:
        provider, tenant = connection_id.split(":", 1)
        connection = Connection(org_id=ORG, connection_id=connection_id, provider=provider, tenant_id=tenant)
        self.stores.connections.add(connection, token_set)

    def provider(self, connection_id: str = "xero:t-1", **options: object) -> ConnectionTokens:
        return ConnectionTokens(
            org_id=ORG,
            connection_id=connection_id,
            repository=self.stores.connections,
            refresher=self.refresher,
            clock=self.clock,
            leases=self.stores.leases,
            **options,  # type: ignore[arg-type]
        )

    def stored(self, connection_id: str = "xero:t-1") -> OAuthTokens:
        return self.stores.connections.load_tokens(ORG, connection_id)[0]

    def status(self, connection_id: str) -> ConnectionStatus:
        return self.stores.connections.get(ORG, connection_id).status


@pytest.fixture
def rig() -> Rig:
    rig = Rig()
    rig.connect("xero:t-1", tokens("old", expires_at=T0 - dt.timedelta(minutes=1)))
    return rig


def test_a_valid_token_is_used_as_it_is(rig: Rig) -> None:
    rig.stores.connections.save_tokens(
        ORG, "xero:t-1", tokens("fresh", expires_at=T0 + dt.timedelta(minutes=30)), expected_version=1
    )
    assert rig.provider()() == "access-fresh"
    assert rig.refresher.calls == []


def test_the_token_held_is_reused_without_reading_the_store_until_it_nears_expiry(rig: Rig) -> None:
    rig.stores.connections.save_tokens(
        ORG, "xero:t-1", tokens("fresh", expires_at=T0 + dt.timedelta(minutes=30)), expected_version=1
    )
    loads: list[str] = []
    load = rig.stores.connections.load_tokens

    def counting_load(org_id: str, connection_id: str) -> tuple[OAuthTokens, int]:
        loads.append(connection_id)
        return load(org_id, connection_id)

    rig.stores.connections.load_tokens = counting_load  # type: ignore[method-assign]
    provider = rig.provider()
    assert [provider() for _ in range(50)] == ["access-fresh"] * 50
    assert len(loads) == 1  # one DynamoDB read and one KMS decrypt per cycle, not one per vendor request
    rig.clock.advance(dt.timedelta(minutes=29))  # now within the early-refresh margin: read (and refresh) again
    assert provider() == "access-rotated-1"
    assert rig.refresher.calls == ["refresh-fresh"]


def test_a_token_about_to_expire_is_refreshed_and_the_rotated_set_stored(rig: Rig) -> None:
    assert rig.provider()() == "access-rotated-1"
    assert rig.refresher.calls == ["refresh-old"]
    assert rig.stored().refresh_token == "refresh-rotated-1"
    assert rig.stores.connections.version(ORG, "xero:t-1") == 2
    assert rig.provider()() == "access-rotated-1"  # the next caller uses it: no second refresh
    assert len(rig.refresher.calls) == 1


def test_many_callers_at_once_refresh_once(rig: Rig) -> None:
    """Eight workers find the token expired together; one refreshes, the others wait for its rotated set."""
    rig.refresher.delay = 0.05  # the holder of the lease is slow to get its answer
    callers = 8
    barrier = threading.Barrier(callers)
    got: list[str] = []
    errors: list[BaseException] = []

    def call() -> None:
        provider = rig.provider(sleep=lambda s: threading.Event().wait(0.005))
        barrier.wait(timeout=10)
        try:
            got.append(provider())
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(callers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert not errors
    assert rig.refresher.calls == ["refresh-old"]
    assert got == ["access-rotated-1"] * callers
    assert rig.stored().refresh_token == "refresh-rotated-1"


def test_force_refresh_after_a_401_refreshes_only_a_token_nobody_replaced(rig: Rig) -> None:
    first, second = rig.provider(), rig.provider()  # two workers of the same connection
    assert first() == second() == "access-rotated-1"
    assert first(force_refresh=True) == "access-rotated-2"  # the API refused it: refresh once more
    assert second(force_refresh=True) == "access-rotated-2"  # refused too, but already replaced: use that one
    assert len(rig.refresher.calls) == 2


def test_the_rotated_set_is_stored_on_every_connection_sharing_it(rig: Rig) -> None:
    rig.connect("xero:t-2", tokens("old", expires_at=T0 - dt.timedelta(minutes=1)))  # one consent, two tenants
    rig.connect("xero:t-3", tokens("other", expires_at=T0 + dt.timedelta(minutes=30)))  # another consent
    rig.provider("xero:t-1")()
    assert rig.stored("xero:t-2").refresh_token == "refresh-rotated-1"
    assert rig.stored("xero:t-3").refresh_token == "refresh-other"
    assert rig.provider("xero:t-2")() == "access-rotated-1"  # no refresh with the used token
    assert len(rig.refresher.calls) == 1


def test_invalid_grant_marks_the_whole_family_reconnect_needed(rig: Rig) -> None:
    rig.connect("xero:t-2", tokens("old", expires_at=T0 - dt.timedelta(minutes=1)))
    rig.connect("xero:t-3", tokens("other", expires_at=T0 + dt.timedelta(minutes=30)))
    rig.refresher.fail = ReconnectNeeded("invalid_grant")
    with pytest.raises(ReconnectNeeded):
        rig.provider()()
    assert rig.status("xero:t-1") is ConnectionStatus.RECONNECT_NEEDED
    assert rig.status("xero:t-2") is ConnectionStatus.RECONNECT_NEEDED
    assert rig.status("xero:t-3") is ConnectionStatus.ACTIVE
    assert [c.connection_id for c in rig.stores.connections.active()] == ["xero:t-3"]


def test_invalid_grant_after_someone_else_rotated_uses_their_set(rig: Rig) -> None:
    """The refresh lost a race it could not see (another container's save landed first): not a reconnect."""

    def rotated_elsewhere(used: str) -> None:
        version = rig.stores.connections.version(ORG, "xero:t-1") or 0
        fresh = tokens("elsewhere", expires_at=T0 + dt.timedelta(minutes=30))
        rig.stores.connections.save_tokens(ORG, "xero:t-1", fresh, expected_version=version)

    rig.refresher.on_refresh = rotated_elsewhere
    rig.refresher.fail = ReconnectNeeded("invalid_grant")
    assert rig.provider()() == "access-elsewhere"
    assert rig.status("xero:t-1") is ConnectionStatus.ACTIVE


def test_an_unrelated_write_during_the_refresh_does_not_lose_the_rotated_set(rig: Rig) -> None:
    """A cycle summary bumps the version between our read and our save: retried, not thrown away."""
    rig.refresher.on_refresh = lambda used: rig.stores.connections.record_cycle(ORG, "xero:t-1", T0, "sent=1")
    assert rig.provider()() == "access-rotated-1"
    assert rig.stored().refresh_token == "refresh-rotated-1"


def test_a_dead_lease_holder_is_taken_over_when_its_lease_runs_out(rig: Rig) -> None:
    """A worker took the lease and died before saving: the next caller waits out the lease (business time), then
    refreshes with the same old token (Xero's 30-minute grace)."""
    key = family_key("refresh-old")
    assert rig.stores.leases.acquire(ORG, key, "dead-worker", now=T0.timestamp(), seconds=LEASE_SECONDS)
    waited: list[float] = []

    def sleep(seconds: float) -> None:
        waited.append(seconds)
        rig.clock.advance(dt.timedelta(seconds=10))

    assert rig.provider(sleep=sleep)() == "access-rotated-1"
    assert rig.refresher.calls == ["refresh-old"]
    assert rig.clock.now() - T0 > dt.timedelta(seconds=LEASE_SECONDS)


def test_waiting_too_long_for_another_workers_refresh_gives_up(rig: Rig) -> None:
    key = family_key("refresh-old")
    assert rig.stores.leases.acquire(ORG, key, "slow-worker", now=T0.timestamp(), seconds=LEASE_SECONDS)
    with pytest.raises(AccountingError, match="did not finish in time"):
        rig.provider(sleep=lambda s: None, wait_seconds=0.0)()
    assert rig.refresher.calls == []
