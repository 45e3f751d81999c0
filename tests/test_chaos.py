"""The seeded fault-injection suite (sandbox/chaos.py), a small run of it, and the invariant checks themselves.

`make test` runs the few seeds below (every fault kind at least once, about 3 to 6 s each); `make chaos N=200` runs
many more and prints a table, `make chaos SEED=<n>` replays one. The checks are pure (sandbox/chaos_invariants.py),
so the tests at the bottom prove each one fails on a truth that breaks its promise: a green run means something.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from sandbox.chaos import FAULT_KINDS, chaos_installed, plan_scenario, run_scenario
from sandbox.chaos_invariants import (
    Accepted,
    ConsentWrite,
    DecisionTruth,
    GroundTruth,
    InvoiceTruth,
    check,
    final_read_gaps,
    races,
)
from sandbox.run import Sandbox

# Every fault kind at least once (test_the_seeds_cover_every_fault_kind), plus a few in a row. Seed 43 is the STOP
# recorded while the same batch's earlier message was going out (fixed in services/reminders.py).
SEEDS = (43, 12, 17, 45, 28, 1, 2, 3)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_promises_hold_under_a_seeded_mix_of_faults(seed: int, sandbox: Sandbox) -> None:
    with chaos_installed(sandbox) as log:
        outcome = run_scenario(sandbox, plan_scenario(seed), log)
    assert outcome.accepted > 0, outcome.describe()  # a scenario that sends nothing proves nothing
    assert not outcome.failed, outcome.describe()


def test_the_seeds_cover_every_fault_kind() -> None:
    drawn = {f.kind for seed in SEEDS for f in plan_scenario(seed).faults}
    assert drawn == set(FAULT_KINDS), f"not drawn by SEEDS: {sorted(set(FAULT_KINDS) - drawn)}"


def test_the_chaos_container_still_replaces_the_adapters_waits() -> None:
    """ChaosContainer overrides Container._accounting_source; if that method is renamed the waits become real sleeps
    (slow, not wrong): this says so at once."""
    from chalicelib.container import Container
    from sandbox.chaos import ChaosContainer

    assert "_accounting_source" in vars(Container)
    assert "_accounting_source" in vars(ChaosContainer)


def test_a_seed_always_plans_the_same_scenario_and_seeds_differ() -> None:
    assert plan_scenario(7) == plan_scenario(7)
    assert len({plan_scenario(seed).describe() for seed in range(1, 21)}) == 20


# -- the checks, on hand-made ground truths ------------------------------------------------------------------------

TODAY = dt.date(2026, 11, 24)
T0 = dt.datetime(2026, 11, 24, 3, 0, tzinfo=dt.UTC).timestamp()  # 10:00 in Jakarta
BUDI, SARI = "+6281234567001", "+6281234567002"
XERO = "xero:tenant-1"


def _message(phone: str = BUDI, at: float = T0 + 10, *reminders: tuple[str, str, str]) -> Accepted:
    return Accepted(
        wamid=f"wamid.{phone}.{at}",
        phone=phone,
        requested_at=at,
        local_day=TODAY,
        reminders=reminders or ((XERO, "inv-1", "d+3"),),
        tracker="org|MSG#...",
    )


def _truth(**changes: object) -> GroundTruth:
    """Budi, opted in, got one message for INV-1 (sent); Sari, opted in, owes INV-2, not due yet."""
    base: dict[str, object] = {
        "accepted": (_message(),),
        "send_attempts": 1,
        "invoices": (
            InvoiceTruth(XERO, "inv-1", "INV-1", BUDI, TODAY - dt.timedelta(days=4)),
            InvoiceTruth(XERO, "inv-2", "INV-2", SARI, TODAY + dt.timedelta(days=10)),
        ),
        "consents": {BUDI: (ConsentWrite("opted_in", T0 - 100, T0 - 99),), SARI: (ConsentWrite("opted_in", 0, 1),)},
        "decisions": (
            DecisionTruth(XERO, "inv-1", "already_sent", "the d+3 reminder was already sent"),
            DecisionTruth(XERO, "inv-2", "not_due", ""),
        ),
        "today": TODAY,
        "first_stage_offset": -3,
    }
    return GroundTruth(**(base | changes))  # type: ignore[arg-type]


def _broken(truth: GroundTruth) -> dict[str, list[str]]:
    return {k: v for k, v in check(truth).items() if v}


def test_a_truth_that_keeps_every_promise_passes() -> None:
    assert _broken(_truth()) == {}


def test_two_messages_for_one_reminder_or_to_one_phone_in_a_day_break_i1() -> None:
    twice = _truth(accepted=(_message(at=T0 + 10), _message(at=T0 + 20)))
    assert set(_broken(twice)) == {"I1"}
    assert len(_broken(twice)["I1"]) == 2  # the same (invoice, stage), and the same phone that day
    untracked = _truth(accepted=(_message(), dataclasses.replace(_message(SARI, T0 + 30), reminders=())))
    assert _broken(untracked) == {
        "I1": [f"{untracked.accepted[1].wamid} to {SARI}: accepted but tied to no claim (tracker org|MSG#...)"]
    }


def test_a_message_without_opt_in_or_after_a_recorded_opt_out_breaks_i2() -> None:
    no_consent = _truth(consents={SARI: (ConsentWrite("opted_in", 0, 1),)})
    assert set(_broken(no_consent)) == {"I2"}
    stopped = ConsentWrite("opted_out", T0 + 5, T0 + 6)
    after_stop = _truth(consents={BUDI: (ConsentWrite("opted_in", 0, 1), stopped)})
    assert set(_broken(after_stop)) == {"I2"}
    # An opt-out still being written when the request reached Meta was not yet recorded: no violation.
    racing = _truth(consents={BUDI: (ConsentWrite("opted_in", 0, 1), ConsentWrite("opted_out", T0 + 9, T0 + 11))})
    assert _broken(racing) == {}
    opted_in_again = _truth(
        consents={BUDI: (ConsentWrite("opted_in", 0, 1), stopped, ConsentWrite("opted_in", T0 + 7, T0 + 8))}
    )
    assert _broken(opted_in_again) == {}


def test_a_stop_written_after_lunas_final_read_is_a_race_not_a_violation() -> None:
    """Lunas decides at its final consent read (after the claim). A STOP begun after that read raced the request."""
    stopped = ConsentWrite("opted_out", T0 + 9.97, T0 + 9.98)
    claimed = dataclasses.replace(_message(), claimed_at=T0 + 9.9)
    consents = {BUDI: (ConsentWrite("opted_in", 0, 1), stopped)}
    raced = _truth(accepted=(claimed,), consents=consents, consent_reads={BUDI: (T0 - 60, T0 + 9.95)})
    assert _broken(raced) == {}
    assert len(races(raced)) == 1
    assert [round(g, 3) for g in final_read_gaps(raced)] == [0.05]
    # Read only at planning time (before the claim): Lunas did not look again, so it is a violation.
    stale = _truth(accepted=(claimed,), consents=consents, consent_reads={BUDI: (T0 - 60,)})
    assert set(_broken(stale)) == {"I2"}
    assert races(stale) == []
    # Read after the claim, but after the STOP was recorded: Lunas could have known.
    late = _truth(accepted=(claimed,), consents=consents, consent_reads={BUDI: (T0 + 9.99,)})
    assert set(_broken(late)) == {"I2"}


def test_a_message_about_an_invoice_paid_before_the_request_breaks_i3() -> None:
    paid_before = InvoiceTruth(XERO, "inv-1", "INV-1", BUDI, TODAY - dt.timedelta(days=4), closed_at=T0 + 9.5)
    truth = _truth(invoices=(paid_before,))
    assert set(_broken(truth)) == {"I3"}
    paid_after = InvoiceTruth(XERO, "inv-1", "INV-1", BUDI, TODAY - dt.timedelta(days=4), closed_at=T0 + 10.5)
    assert _broken(_truth(invoices=(paid_after,))) == {}


def test_a_reminder_neither_sent_nor_explained_after_the_clean_cycle_breaks_i4() -> None:
    unconfirmed = DecisionTruth(XERO, "inv-1", "send_unconfirmed", "the answer never came")
    assert set(_broken(_truth(decisions=(unconfirmed, DecisionTruth(XERO, "inv-2", "not_due", ""))))) == {"I4"}
    will_retry = DecisionTruth(XERO, "inv-2", "send_failed", "(#130429) Rate limit hit; will retry next cycle")
    assert set(_broken(_truth(decisions=(_truth().decisions[0], will_retry)))) == {"I4"}
    missing = _truth(decisions=(_truth().decisions[0],))
    assert set(_broken(missing)) == {"I4"}
    sari_due = InvoiceTruth(XERO, "inv-2", "INV-2", SARI, TODAY - dt.timedelta(days=1))
    eligible_not_sent = _truth(invoices=(_truth().invoices[0], sari_due))
    assert set(_broken(eligible_not_sent)) == {"I4"}  # due, opted in, decided not_due
    claimed_but_never_sent = _truth(accepted=())
    assert set(_broken(claimed_but_never_sent)) == {"I4"}  # "already_sent" with nothing accepted
