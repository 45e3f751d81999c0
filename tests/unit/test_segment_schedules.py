"""Several reminder schedules, one per group of customers: which stages a customer's invoices follow, the catch-up
rule and the send ledger under them, and what the owner may name and add (pure rules, no I/O)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from chalicelib.domain import eligibility
from chalicelib.domain.eligibility import Cycle, Eligible
from chalicelib.domain.models import (
    CycleFacts,
    Decision,
    DueReminder,
    LedgerState,
    NamedSchedule,
    Reason,
    ReminderSettings,
    Stage,
)
from chalicelib.domain.segment_schedules import (
    MAX_SCHEDULES,
    ScheduleRefused,
    check_name,
    check_room,
    customers_of,
    schedule_of,
    stages_for,
    stages_for_invoice,
)
from tests.builders import CONN, TODAY, TUESDAY_10_JKT, consent, customer, invoice

ORG = "org-segments"
GENTLE = NamedSchedule(schedule_id="g1", name="Pelanggan tetap", stages=(Stage(7), Stage(14)))
FIRM = NamedSchedule(
    schedule_id="f1", name="Telat bayar", stages=(Stage(-1), Stage(1), Stage(4)), stages_off=(Stage(2),)
)


def _settings(**changes: object) -> ReminderSettings:
    base = ReminderSettings(org_id=ORG, business_name="Toko", schedules=(GENTLE, FIRM))
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_a_customer_follows_the_default_unless_another_schedule_is_chosen() -> None:
    settings = _settings(schedule_of={(CONN, "C2"): "g1", (CONN, "C3"): "f1"})
    assert stages_for(settings, CONN, "C1") == settings.stages
    assert stages_for(settings, CONN, "C2") == GENTLE.stages
    assert stages_for(settings, CONN, "C3") == FIRM.stages  # only the stages that are on
    assert schedule_of(settings, CONN, "C1") is None and schedule_of(settings, CONN, "C3") == FIRM
    assert stages_for_invoice(settings, invoice(customer_id="C2")) == GENTLE.stages


def test_the_same_customer_id_in_another_connected_company_is_another_customer() -> None:
    settings = _settings(schedule_of={(CONN, "C1"): "f1"})
    assert stages_for(settings, "quickbooks:realm-9", "C1") == settings.stages


def test_a_choice_naming_a_deleted_schedule_counts_as_the_default() -> None:
    settings = _settings(schedules=(GENTLE,), schedule_of={(CONN, "C1"): "f1", (CONN, "C2"): "g1"})
    assert stages_for(settings, CONN, "C1") == settings.stages
    assert customers_of(settings, "g1") == [(CONN, "C2")]


def test_names_are_trimmed_required_short_and_unique_without_case() -> None:
    assert check_name("  Telat   bayar ", ()) == "Telat bayar"
    for name, reason in (("   ", "name_missing"), ("x" * 61, "name_too_long"), ("telat BAYAR", "name_taken")):
        with pytest.raises(ScheduleRefused) as refused:
            check_name(name, (GENTLE, FIRM))
        assert refused.value.reason == reason
    assert check_name("Telat bayar", (GENTLE, FIRM), schedule_id="f1") == "Telat bayar"  # its own name, kept


def test_at_most_five_named_schedules() -> None:
    schedules = tuple(NamedSchedule(schedule_id=str(n), name=f"S{n}", stages=(Stage(n),)) for n in range(4))
    check_room(schedules)
    with pytest.raises(ScheduleRefused) as refused:
        check_room((*schedules, GENTLE))
    assert MAX_SCHEDULES == 5 and refused.value.reason == "too_many"


def _decide(
    settings: ReminderSettings, due_days_ago: int, ledger: dict[str, LedgerState] | None = None
) -> Decision | Eligible:
    phone = "+6281200000001"
    bill = invoice(due=TODAY - dt.timedelta(days=due_days_ago))
    facts = CycleFacts(
        now=TUESDAY_10_JKT,
        settings=settings,
        invoices=(bill,),
        customers={(CONN, "C1"): customer(phone=phone)},
        consents={phone: consent(ORG, phone)},
        ledger=ledger or {},
    )
    return eligibility.decide(Cycle.of(facts), bill)


def test_the_customers_schedule_decides_when_their_invoice_is_due() -> None:
    gentle = _settings(schedule_of={(CONN, "C1"): "g1"})
    not_yet = _decide(gentle, due_days_ago=4)  # the default reached d+3; the gentle schedule starts at d+7
    assert not isinstance(not_yet, Eligible) and not_yet.reason is Reason.NOT_DUE
    assert not_yet.detail == f"first reminder on {(TODAY + dt.timedelta(days=3)).isoformat()}"
    firm = _decide(_settings(schedule_of={(CONN, "C1"): "f1"}), due_days_ago=4)
    assert isinstance(firm, Eligible) and firm.reminder.stage == Stage(4)
    default = _decide(_settings(), due_days_ago=4)
    assert isinstance(default, Eligible) and default.reminder.stage == Stage(3)


def test_catch_up_sends_only_the_latest_stage_and_a_stage_sent_is_never_sent_again() -> None:
    firm = _settings(schedule_of={(CONN, "C1"): "f1"})
    late = _decide(firm, due_days_ago=9)  # d-1, d+1 and d+4 all reached: only d+4
    assert isinstance(late, Eligible) and late.reminder.stage == Stage(4)
    bill = invoice(due=TODAY - dt.timedelta(days=9))
    sent = {DueReminder(invoice=bill, stage=Stage(4)).ledger_key: LedgerState.SENT}
    again = _decide(firm, due_days_ago=9, ledger=sent)
    assert not isinstance(again, Eligible) and again.reason is Reason.ALREADY_SENT
