"""Sending at Meta's pace and within its limits: the token bucket, the pair guard, the tiers, and the cycle using them.

Time is a hand-moved clock: every wait is recorded and moves it, nothing sleeps.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from chalicelib.domain import pace
from chalicelib.domain.meta_errors import ErrorClass, RetryPolicy, classify
from chalicelib.domain.models import Reason
from chalicelib.services.pacing import PairGuard, SendPace
from tests.builders import CONN, TODAY, TUESDAY_10_JKT, consent, customer, invoice, message
from tests.unit.rig import ORG, Rig


class HandClock:
    """A monotonic clock that moves only when something waits on it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def test_the_bucket_spaces_sends_evenly_at_its_rate() -> None:
    clock = HandClock()
    bucket = SendPace(80.0, elapsed=clock, sleep=clock.sleep)
    starts = []
    for _ in range(161):
        bucket.acquire()
        starts.append(clock.now)
    assert clock.now == pytest.approx(2.0, abs=1e-6)  # 161 sends: the first at 0, then one every 1/80 s
    assert max(sum(1 for t in starts if s <= t < s + 1.0 - 1e-9) for s in starts) <= 80


def test_a_throughput_error_halves_the_rate_and_successes_bring_it_back() -> None:
    clock = HandClock()
    bucket = SendPace(80.0, elapsed=clock, sleep=clock.sleep)
    bucket.slow_down()
    assert bucket.rate == 40.0
    bucket.slow_down()
    assert bucket.rate == 20.0
    for _ in range(100):
        bucket.accepted()
    assert bucket.rate == 80.0  # never above the ceiling
    for _ in range(20):
        bucket.slow_down()
    assert bucket.rate == bucket.floor  # and never below one a second


def test_the_pair_guard_waits_out_the_gap_for_the_same_phone_only() -> None:
    clock = HandClock()
    guard = PairGuard(elapsed=clock, sleep=clock.sleep)
    assert guard.wait("+62811") == 0.0
    guard.sent("+62811")
    assert guard.wait("+62822") == 0.0
    clock.now += 1.0
    assert guard.wait("+62811") == pytest.approx(pace.PAIR_GAP_SECONDS - 1.0)


@pytest.mark.parametrize(
    ("tier", "quality", "limit"),
    [
        ("TIER_250", "GREEN", 250),
        ("TIER_1K", None, 1_000),
        ("TIER_10K", "YELLOW", 10_000),
        ("TIER_100K", "GREEN", 100_000),
        ("TIER_UNLIMITED", "GREEN", None),
        (None, None, 1_000),  # unknown: Meta's default for a new verified business
        ("TIER_SOMETHING_NEW", None, 1_000),
        ("TIER_1K", "RED", 500),  # RED: half the day's share
        ("TIER_UNLIMITED", "RED", None),
    ],
)
def test_messaging_limit_per_tier(tier: str | None, quality: str | None, limit: int | None) -> None:
    assert pace.messaging_limit(tier, quality) == limit


def test_send_rate_keeps_headroom_and_follows_metas_throughput_and_quality() -> None:
    assert pace.send_rate(None, None) == pytest.approx(80 * pace.HEADROOM)
    assert pace.send_rate(1000, "GREEN") == pytest.approx(1000 * pace.HEADROOM)
    assert pace.send_rate(None, "RED") == pytest.approx(40 * pace.HEADROOM)


@pytest.mark.parametrize(
    ("code", "http_status", "error_class"),
    [
        (130429, 400, ErrorClass.RETRYABLE),
        (131056, 400, ErrorClass.RETRYABLE),
        (131000, 500, ErrorClass.RETRYABLE),
        (None, 503, ErrorClass.RETRYABLE),
        (None, 429, ErrorClass.RETRYABLE),
        (131026, 400, ErrorClass.RECIPIENT),
        (131047, 400, ErrorClass.RECIPIENT),
        (131050, 400, ErrorClass.RECIPIENT),
        (132000, 400, ErrorClass.TEMPLATE),
        (132001, 404, ErrorClass.TEMPLATE),
        (132005, 400, ErrorClass.TEMPLATE),
        (132007, 400, ErrorClass.TEMPLATE),
        (132015, 400, ErrorClass.TEMPLATE),
        (132016, 400, ErrorClass.TEMPLATE),
        (190, 401, ErrorClass.ACCOUNT),
        (368, 403, ErrorClass.ACCOUNT),
        (131031, 403, ErrorClass.ACCOUNT),
        (131042, 400, ErrorClass.ACCOUNT),
        (131048, 400, ErrorClass.ACCOUNT),
        (100, 400, ErrorClass.MESSAGE),
    ],
)
def test_every_code_has_its_class(code: int | None, http_status: int, error_class: ErrorClass) -> None:
    assert classify(code, http_status=http_status) is error_class


def test_backoff_is_exponential_and_bounded() -> None:
    policy = RetryPolicy(attempts=6, base_seconds=0.25, factor=2.0, max_seconds=2.0)
    assert [policy.wait_before(n) for n in range(1, 6)] == [0.25, 0.5, 1.0, 2.0, 2.0]


# -- the cycle within Meta's messaging limit ------------------------------------------------------------------------


@pytest.fixture
def rig() -> Rig:
    return Rig()


def _recipients_yesterday(rig: Rig, n: int) -> None:
    at = TUESDAY_10_JKT - dt.timedelta(hours=20)
    for i in range(n):
        assert rig.stores.ledger.claim(ORG, message(f"+6281300{i:06d}", invoice(f"OLD-{i}")), TODAY, at) is not None


def _second_customer(rig: Rig, *, due_days_ago: int) -> None:
    gateway = rig.gateway(CONN)
    gateway.invoices["INV-2"] = invoice("INV-2", customer_id="C2", due=TODAY - dt.timedelta(days=due_days_ago))
    gateway.customer_records["C2"] = customer("C2", "+6281200000002")
    rig.stores.consents.record(consent(ORG, "+6281200000002"))


def test_what_does_not_fit_the_limit_waits_and_the_most_overdue_goes_first(rig: Rig) -> None:
    rig.account = dataclasses.replace(rig.account, messaging_limit_tier="TIER_250")
    _recipients_yesterday(rig, 249)  # one new recipient left in the rolling 24 hours
    _second_customer(rig, due_days_ago=14)  # INV-2 is more overdue than INV-1 (10 days)
    result = rig.cycle()
    reasons = {d.invoice.invoice_id: d.reason for d in result.decisions}
    assert reasons == {"INV-2": Reason.SENT, "INV-1": Reason.MESSAGING_LIMIT}
    [waiting] = [d for d in result.decisions if d.reason is Reason.MESSAGING_LIMIT]
    assert "250 customers in 24 hours" in waiting.detail and "window moves on" in waiting.detail


def test_a_recipient_already_messaged_in_the_window_does_not_count_again(rig: Rig) -> None:
    rig.account = dataclasses.replace(rig.account, messaging_limit_tier="TIER_250")
    _recipients_yesterday(rig, 250)
    yesterday = TODAY - dt.timedelta(days=1)
    p1 = rig.gateway(CONN).customer_records["C1"].phone
    assert p1 is not None
    at = TUESDAY_10_JKT - dt.timedelta(hours=3)
    assert rig.stores.ledger.claim(ORG, message(p1, invoice("EARLIER")), yesterday, at) is not None
    assert {d.reason for d in rig.cycle().decisions} == {Reason.SENT}


def test_a_red_quality_rating_halves_the_days_share(rig: Rig) -> None:
    rig.account = dataclasses.replace(rig.account, messaging_limit_tier="TIER_250", quality_rating="RED")
    _recipients_yesterday(rig, 125)
    assert {d.reason for d in rig.cycle().decisions} == {Reason.MESSAGING_LIMIT}


def test_an_unlimited_tier_sends_everything(rig: Rig) -> None:
    rig.account = dataclasses.replace(rig.account, messaging_limit_tier="TIER_UNLIMITED")
    _recipients_yesterday(rig, 300)
    assert {d.reason for d in rig.cycle().decisions} == {Reason.SENT}
