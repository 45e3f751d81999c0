"""The reminder cycle (`services/reminders.run_cycle`) on the in-memory stores: every reason, and never twice.

Business time is a fixed Tuesday 10:00 in Jakarta unless a test moves it; the accounting system and Meta are the
fakes in tests/unit/fakes.py. The same guarantees run end to end against the sandbox in tests/test_reminder_cycle.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from chalicelib.domain.models import (
    TEMPLATE_NAMES,
    Connection,
    ConsentStatus,
    LedgerState,
    Money,
    Reason,
    ReminderSettings,
    TemplateKind,
    TemplateRef,
)
from chalicelib.domain.records import PaymentTarget
from chalicelib.domain.tracking import parse_tracker
from chalicelib.services.reminders import CycleResult, run_cycle
from tests.builders import CONN, TODAY, TUESDAY_10_JKT, consent, customer, invoice, message
from tests.memory_stores import MemoryConsentRepository
from tests.unit.fakes import WorkerDied, send_failed
from tests.unit.rig import ORG, P1, Rig, decision

SATURDAY_10_JKT = TUESDAY_10_JKT + dt.timedelta(days=4)


@pytest.fixture
def rig() -> Rig:
    return Rig()


# -- every reason ---------------------------------------------------------------------------------------------------


def _opted_out(rig: Rig) -> None:
    rig.stores.consents.record(consent(ORG, P1, ConsentStatus.OPTED_OUT, at=TUESDAY_10_JKT - dt.timedelta(days=1)))


def _no_consent(rig: Rig) -> None:
    rig.stores.consents = MemoryConsentRepository()


def _closed_by_webhook(rig: Rig) -> None:
    keep = dt.timedelta(days=2)
    rig.stores.holds.close_invoice(ORG, CONN, "INV-1", status="paid", source="xero", at=TUESDAY_10_JKT, keep_for=keep)


def _paid_just_before_the_send(rig: Rig) -> None:
    rig.recheck_after = dt.timedelta(0)
    rig.gateway(CONN).paid_before_send.add("INV-1")


def _already_sent(rig: Rig) -> None:
    rig.cycle()


def _edited_just_before_the_send(rig: Rig) -> None:
    rig.recheck_after = dt.timedelta(0)
    gateway = rig.gateway(CONN)
    gateway.edited_before_send["INV-1"] = dataclasses.replace(
        gateway.invoices["INV-1"], amount_due=Money(Decimal(900_000), "IDR")
    )


def _unconfirmed(rig: Rig) -> None:
    rig.sender.failures.append(send_failed(0, maybe_sent=True, title="timed out after the request left"))


def _refused(rig: Rig) -> None:
    rig.sender.failures.append(send_failed(131049, title="Not delivered to maintain a healthy ecosystem"))


def _not_on_whatsapp(rig: Rig) -> None:
    rig.stores.phone_flags.mark_not_on_whatsapp(ORG, P1, TUESDAY_10_JKT, "(#131026) Message undeliverable")


def _messaged_today_from_quickbooks(rig: Rig) -> None:
    qbo = "quickbooks:9341"
    rig.gateway(qbo, [invoice("QB-1", connection_id=qbo)], [customer("C1", P1, connection_id=qbo)])
    assert decision(rig.cycle(qbo), "QB-1").reason is Reason.SENT


def _messaging_limit_used_up(rig: Rig) -> None:
    """A TIER_250 number that started conversations with 250 other customers in the last 24 hours."""
    rig.account = dataclasses.replace(rig.account, messaging_limit_tier="TIER_250")
    yesterday = TUESDAY_10_JKT - dt.timedelta(hours=20)
    for n in range(250):
        other = message(f"+6281300{n:06d}", invoice(f"OLD-{n}"))
        assert rig.stores.ledger.claim(ORG, other, TODAY - dt.timedelta(days=1), yesterday) is not None


REASONS: list[tuple[str, Callable[[Rig], object], Reason, str]] = [
    ("sent", lambda rig: None, Reason.SENT, "wamid.out.1"),
    ("no_consent", _no_consent, Reason.NO_CONSENT, ""),
    ("opted_out", _opted_out, Reason.OPTED_OUT, "opted out via signed_form on 2026-11-23"),
    ("paid_by_webhook", _closed_by_webhook, Reason.PAID, "paid"),
    ("paid_on_recheck", _paid_just_before_the_send, Reason.PAID, "paid: found on the re-check right before sending"),
    ("paused_customer", lambda rig: rig.stores.holds.pause_customer(ORG, CONN, "C1", None), Reason.PAUSED, ""),
    ("paused_invoice", lambda rig: rig.stores.holds.pause_invoice(ORG, CONN, "INV-1", None), Reason.PAUSED, ""),
    (
        "paused_by_reply",
        lambda rig: rig.stores.holds.pause_phone(ORG, P1, TUESDAY_10_JKT + dt.timedelta(days=3), "replied"),
        Reason.PAUSED,
        "",
    ),
    (
        "below_minimum",
        lambda rig: setattr(rig, "settings", _with(rig.settings, minimum_amounts=(Money(Decimal(2_000_000), "IDR"),))),
        Reason.BELOW_MINIMUM,
        "",
    ),
    ("not_due", lambda rig: rig.replace_invoice(due_date=TODAY + dt.timedelta(days=10)), Reason.NOT_DUE, ""),
    ("already_sent", _already_sent, Reason.ALREADY_SENT, "the d+7 reminder was already sent"),
    ("send_unconfirmed", _unconfirmed, Reason.SEND_UNCONFIRMED, "(#0) timed out after the request left"),
    ("send_failed", _refused, Reason.SEND_FAILED, "(#131049) Not delivered to maintain a healthy ecosystem"),
    ("no_phone", lambda rig: rig.replace_customer(phone=None, phone_problem=Reason.NO_PHONE), Reason.NO_PHONE, ""),
    (
        "invalid_phone",
        lambda rig: rig.replace_customer(phone=None, phone_problem=Reason.INVALID_PHONE),
        Reason.INVALID_PHONE,
        "",
    ),
    ("not_on_whatsapp", _not_on_whatsapp, Reason.NOT_ON_WHATSAPP, ""),
    ("outside_window", lambda rig: setattr(rig.clock, "at", SATURDAY_10_JKT), Reason.OUTSIDE_WINDOW, ""),
    ("already_messaged_today", _messaged_today_from_quickbooks, Reason.ALREADY_MESSAGED_TODAY, ""),
    ("template_not_approved", lambda rig: setattr(rig, "approved", frozenset()), Reason.TEMPLATE_NOT_APPROVED, ""),
    ("deferred", _edited_just_before_the_send, Reason.DEFERRED, "not sent: its amount or due date changed"),
    (
        "messaging_limit",
        _messaging_limit_used_up,
        Reason.MESSAGING_LIMIT,
        "not sent: WhatsApp's messaging limit for this number (250 customers in 24 hours) is used up",
    ),
]


def _with(settings: ReminderSettings, **changes: object) -> ReminderSettings:
    return dataclasses.replace(settings, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(("arrange", "reason", "detail"), [r[1:] for r in REASONS], ids=[r[0] for r in REASONS])
def test_each_reason(rig: Rig, arrange: Callable[[Rig], object], reason: Reason, detail: str) -> None:
    arrange(rig)
    sends_before = len(rig.sender.templates)
    result = rig.cycle()
    got = decision(result, "INV-1")
    assert got.reason is reason, got
    if detail:
        assert got.detail.startswith(detail), got.detail
    sent_now = len(rig.sender.templates) - sends_before
    assert sent_now == (1 if reason is Reason.SENT else 0)
    [view] = [v for v in rig.stores.decisions.for_org(ORG) if v.invoice_id == "INV-1"]
    assert view.reason is reason  # every invoice's reason is recorded for the owner


def test_every_reason_a_cycle_can_give_is_covered() -> None:
    assert {case[2] for case in REASONS} == set(Reason) - {Reason.WOULD_SEND}


def test_a_sent_reminder_is_claimed_tracked_and_recorded(rig: Rig) -> None:
    result = rig.cycle()
    [sent] = rig.sender.templates
    assert (sent.to, sent.template) == (P1, TemplateRef(TEMPLATE_NAMES[TemplateKind.OVERDUE], "id"))
    org_id, msg_key = parse_tracker(sent.tracker) or ("", "")
    assert org_id == ORG and rig.stores.ledger.recipient(msg_key) == P1
    assert rig.stores.ledger.states(ORG, [f"{CONN}#INV-1#d+7"]) == {f"{CONN}#INV-1#d+7": LedgerState.SENT}
    assert [m.wamid for m in rig.stores.ledger.messages(ORG)] == [sent.wamid]
    # The pay button points at a short link naming the invoice; its page is looked up when the customer opens it.
    assert sent.button_url_suffix is not None
    page = rig.stores.payment_links.resolve(sent.button_url_suffix, TUESDAY_10_JKT)
    assert page is not None and (page.org_id, page.language) == (ORG, "id")
    # It keeps what the message said: the amount and due date the page shows.
    said = PaymentTarget(
        number="No-INV-1",
        connection_id=CONN,
        invoice_id="INV-1",
        amount=Money(Decimal("1250000"), "IDR"),
        due_date=TODAY - dt.timedelta(days=10),
    )
    assert page.targets == (said,)
    assert [s.wamid for s in result.sent] == [sent.wamid]


def test_a_customer_with_several_due_invoices_gets_one_statement(rig: Rig) -> None:
    gateway = rig.gateway(CONN)
    gateway.invoices["INV-2"] = invoice("INV-2", due=TODAY - dt.timedelta(days=20))
    result = rig.cycle()
    [sent] = rig.sender.templates
    assert sent.template.name == TEMPLATE_NAMES[TemplateKind.STATEMENT]
    assert {d.invoice.invoice_id: d.reason for d in result.decisions} == {"INV-1": Reason.SENT, "INV-2": Reason.SENT}


# -- never twice ----------------------------------------------------------------------------------------------------


def test_the_same_cycle_twice_sends_once(rig: Rig) -> None:
    assert decision(rig.cycle()).reason is Reason.SENT
    assert decision(rig.cycle()).reason is Reason.ALREADY_SENT
    assert len(rig.sender.templates) == 1


@pytest.mark.parametrize("run", range(10))
def test_two_cycles_at_once_on_one_connection_send_once(rig: Rig, monkeypatch: pytest.MonkeyPatch, run: int) -> None:
    """Two workers (an SQS redelivery while the first still runs) plan the same message and claim it together."""
    barrier = threading.Barrier(2)
    claim = rig.stores.ledger.claim

    def claim_together(*args: Any, **kwargs: Any) -> str | None:
        barrier.wait(timeout=10)
        return claim(*args, **kwargs)

    monkeypatch.setattr(rig.stores.ledger, "claim", claim_together)
    results: list[CycleResult] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append(rig.cycle())
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert not errors
    assert len(rig.sender.templates) == 1
    assert sorted(decision(r).reason for r in results) == sorted([Reason.SENT, Reason.ALREADY_MESSAGED_TODAY])


def test_a_crash_between_send_and_record_is_never_resent(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    def die(*args: object, **kwargs: object) -> None:
        raise WorkerDied("killed after Meta accepted the message, before the wamid was recorded")

    with monkeypatch.context() as patched:
        patched.setattr(rig.stores.ledger, "record_sent", die)
        with pytest.raises(WorkerDied):
            rig.cycle()
    assert len(rig.sender.templates) == 1
    assert rig.stores.ledger.states(ORG, [f"{CONN}#INV-1#d+7"]) == {f"{CONN}#INV-1#d+7": LedgerState.CLAIMED}

    again = rig.cycle()  # the SQS redelivery, an hour later, the next day: never sent blindly again
    assert decision(again).reason is Reason.SEND_UNCONFIRMED
    rig.clock.advance(dt.timedelta(days=1))
    assert decision(rig.cycle()).reason is Reason.SEND_UNCONFIRMED
    assert len(rig.sender.templates) == 1


def test_an_unknown_outcome_is_never_resent(rig: Rig) -> None:
    _unconfirmed(rig)
    assert decision(rig.cycle()).reason is Reason.SEND_UNCONFIRMED
    assert decision(rig.cycle()).reason is Reason.SEND_UNCONFIRMED
    assert rig.sender.templates == []


def test_an_invoice_paid_just_before_the_send_is_not_reminded(rig: Rig) -> None:
    gateway = rig.gateway(CONN)
    gateway.invoices["INV-2"] = invoice("INV-2", customer_id="C2")
    gateway.customer_records["C2"] = customer("C2", "+6281200000002")
    rig.stores.consents.record(consent(ORG, "+6281200000002"))
    _paid_just_before_the_send(rig)

    result = rig.cycle()
    assert sorted(gateway.rereads[0]) == ["INV-1", "INV-2"]  # one batched re-read of everything about to be sent
    assert (decision(result, "INV-1").reason, decision(result, "INV-2").reason) == (Reason.PAID, Reason.SENT)
    assert [s.to for s in rig.sender.templates] == ["+6281200000002"]
    assert rig.stores.ledger.states(ORG, [f"{CONN}#INV-1#d+7"]) == {}  # never claimed


def test_a_fresh_read_is_not_re_read(rig: Rig) -> None:
    rig.gateway(CONN).paid_before_send.add("INV-1")  # would be found paid, but the first read is recent enough
    assert decision(rig.cycle()).reason is Reason.SENT
    assert rig.gateway(CONN).rereads == []


def test_an_invoice_deleted_before_the_send_is_not_reminded(rig: Rig) -> None:
    rig.recheck_after = dt.timedelta(0)
    rig.gateway(CONN).deleted_before_send.add("INV-1")
    got = decision(rig.cycle())
    assert (got.reason, got.detail) == (Reason.PAID, "deleted: found on the re-check right before sending")
    assert rig.sender.templates == []


# -- what Meta's refusals leave behind ------------------------------------------------------------------------------


def test_a_refusal_for_good_is_not_retried_at_that_stage(rig: Rig) -> None:
    _refused(rig)
    assert decision(rig.cycle()).reason is Reason.SEND_FAILED
    again = decision(rig.cycle())
    assert (again.reason, again.detail) == (
        Reason.SEND_FAILED,
        "WhatsApp refused the d+7 reminder earlier; not retried at this stage",
    )
    assert rig.sender.templates == []


def test_a_retryable_refusal_is_tried_again_in_the_cycle_after_a_backoff(rig: Rig) -> None:
    rig.sender.failures.append(send_failed(131000, retryable=True, title="Something went wrong"))
    assert decision(rig.cycle()).reason is Reason.SENT
    assert len(rig.sender.templates) == 1
    assert 0.25 in rig.slept  # the first retry's wait (RetryPolicy), through the injected sleep


def test_a_refusal_still_retryable_after_the_retries_frees_the_claim_for_the_next_cycle(rig: Rig) -> None:
    rig.sender.failures += [send_failed(131000, retryable=True, title="Something went wrong") for _ in range(3)]
    first = decision(rig.cycle())
    assert (first.reason, first.detail) == (Reason.SEND_FAILED, "(#131000) Something went wrong; will retry next cycle")
    assert [w for w in rig.slept if w in (0.25, 0.5)] == [0.25, 0.5]  # bounded exponential backoff, then given up
    assert rig.stores.ledger.states(ORG, [f"{CONN}#INV-1#d+7"]) == {}
    assert decision(rig.cycle()).reason is Reason.SENT


def test_a_throughput_limit_that_persists_leaves_the_rest_of_the_cycle_for_the_next(rig: Rig) -> None:
    gateway = rig.gateway(CONN)
    gateway.invoices["INV-2"] = invoice("INV-2", customer_id="C2")
    gateway.customer_records["C2"] = customer("C2", "+6281200000002")
    rig.stores.consents.record(consent(ORG, "+6281200000002"))
    rig.sender.failures += [send_failed(130429, retryable=True, title="Rate limit hit") for _ in range(3)]
    connection = Connection(org_id=ORG, connection_id=CONN, provider="xero", tenant_id=CONN)
    result = run_cycle(connection, dataclasses.replace(rig.deps(), concurrency=1))  # one after the other
    assert {d.reason for d in result.decisions} == {Reason.SEND_FAILED}
    assert {d.detail for d in result.decisions} == {"(#130429) Rate limit hit; will retry next cycle"}
    assert rig.sender.templates == []
    assert {d.reason for d in rig.cycle().decisions} == {Reason.SENT}


def test_one_throughput_limit_halves_the_pace_and_sending_resumes(rig: Rig) -> None:
    gateway = rig.gateway(CONN)
    gateway.invoices["INV-2"] = invoice("INV-2", customer_id="C2")
    gateway.customer_records["C2"] = customer("C2", "+6281200000002")
    rig.stores.consents.record(consent(ORG, "+6281200000002"))
    rig.sender.failures.append(send_failed(130429, retryable=True, title="Rate limit hit"))
    result = rig.cycle()
    assert {d.reason for d in result.decisions} == {Reason.SENT}
    assert len(rig.sender.templates) == 2


def test_not_on_whatsapp_learned_from_a_send_is_remembered(rig: Rig) -> None:
    rig.sender.failures.append(send_failed(131026, title="Message undeliverable"))
    assert decision(rig.cycle()).reason is Reason.SEND_FAILED
    assert rig.stores.phone_flags.unreachable(ORG, [P1]) == {P1}
    rig.clock.advance(dt.timedelta(days=7))  # the next stage is due: still not tried on that number
    assert decision(rig.cycle()).reason is Reason.NOT_ON_WHATSAPP


def test_a_template_refusal_is_template_not_approved(rig: Rig) -> None:
    rig.sender.failures.append(send_failed(132001, title="Template name does not exist in the translation"))
    assert decision(rig.cycle()).reason is Reason.TEMPLATE_NOT_APPROVED
