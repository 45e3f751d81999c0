"""The last look right before each batch of sends (services/presend.py): nothing goes out whose facts changed.

A cycle plans from one read, then sends for a while. These tests change the world *during* the sends — a STOP, a
payment, an owner's pause — and check that later batches see it, on the in-memory stores (tests/unit/rig.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping

import pytest

from chalicelib.domain.models import ConsentStatus, Reason, TemplateRef
from chalicelib.ports import SentMessage
from chalicelib.services.reminders import SEND_BATCH
from tests.builders import CONN, TUESDAY_10_JKT, consent, customer, invoice
from tests.unit.fakes import FakeSender
from tests.unit.rig import ORG, P1, Rig, decision

CUSTOMERS = SEND_BATCH + 5  # two batches: the world changes while the first one is being sent


def _phone(n: int) -> str:
    return f"+62812000{n:05d}"


@dataclasses.dataclass
class SenderWithSideEffect(FakeSender):
    """Meta, plus something that happens in the world while the first message is being sent."""

    meanwhile: Callable[[], None] = lambda: None

    def send_template(
        self,
        *,
        to: str,
        template: TemplateRef,
        body_params: Mapping[str, str],
        button_url_suffix: str | None,
        tracker: str,
    ) -> SentMessage:
        sent = super().send_template(
            to=to, template=template, body_params=body_params, button_url_suffix=button_url_suffix, tracker=tracker
        )
        if len(self.templates) == 1:
            self.meanwhile()
        return sent


@pytest.fixture
def rig() -> Rig:
    rig = Rig(sender=SenderWithSideEffect())
    gateway = rig.gateway(CONN)
    gateway.invoices.clear()
    gateway.customer_records.clear()
    for n in range(CUSTOMERS):
        gateway.invoices[f"INV-{n}"] = invoice(f"INV-{n}", customer_id=f"C{n}")
        gateway.customer_records[f"C{n}"] = customer(f"C{n}", _phone(n))
        rig.stores.consents.record(consent(ORG, _phone(n)))
    return rig


def _meanwhile(rig: Rig, action: Callable[[], None]) -> None:
    assert isinstance(rig.sender, SenderWithSideEffect)
    rig.sender.meanwhile = action


def _sent_to(rig: Rig) -> set[str]:
    return {s.to for s in rig.sender.templates}


def test_a_stop_recorded_while_the_first_batch_is_sent_stops_the_customers_message_in_a_later_batch(rig: Rig) -> None:
    last = _phone(CUSTOMERS - 1)
    at = TUESDAY_10_JKT + dt.timedelta(seconds=5)
    _meanwhile(rig, lambda: rig.stores.consents.record(consent(ORG, last, ConsentStatus.OPTED_OUT, at=at)))
    result = rig.cycle()
    assert last not in _sent_to(rig)
    assert len(_sent_to(rig)) == CUSTOMERS - 1
    got = decision(result, f"INV-{CUSTOMERS - 1}")
    assert got.reason is Reason.OPTED_OUT and "after this cycle planned" in got.detail


def test_an_invoice_paid_while_the_first_batch_is_sent_is_found_on_the_later_batchs_re_read(rig: Rig) -> None:
    elapsed = [0.0]
    rig_deps = rig.deps

    def deps(connection_id: str = CONN) -> object:
        return dataclasses.replace(rig_deps(connection_id), elapsed=lambda: elapsed[0])

    rig.deps = deps  # type: ignore[method-assign]
    gateway = rig.gateway(CONN)
    last = f"INV-{CUSTOMERS - 1}"

    def paid_and_a_minute_passes() -> None:
        gateway.paid_before_send.add(last)
        elapsed[0] += 61  # the second batch's read is now older than recheck_after (60 s)

    _meanwhile(rig, paid_and_a_minute_passes)
    result = rig.cycle()
    assert gateway.rereads and last in gateway.rereads[-1]
    assert len(gateway.rereads[-1]) == CUSTOMERS - SEND_BATCH  # one batched re-read of that batch only
    assert decision(result, last).reason is Reason.PAID
    assert _phone(CUSTOMERS - 1) not in _sent_to(rig)


def test_a_pause_by_the_owner_while_sending_holds_the_later_message(rig: Rig) -> None:
    last = CUSTOMERS - 1
    _meanwhile(rig, lambda: rig.stores.holds.pause_customer(ORG, CONN, f"C{last}", None))
    result = rig.cycle()
    assert decision(result, f"INV-{last}").reason is Reason.PAUSED
    assert _phone(last) not in _sent_to(rig)


def test_a_statement_whose_invoice_was_just_paid_waits_and_the_rest_goes_next_cycle() -> None:
    rig = Rig()
    gateway = rig.gateway(CONN)
    gateway.invoices["INV-2"] = invoice("INV-2", due=TUESDAY_10_JKT.date() - dt.timedelta(days=8))
    keep = dt.timedelta(days=2)
    rig_deps = rig.deps

    def paid_by_webhook_during_planning() -> frozenset[TemplateRef]:  # asked for after the plan read closures
        rig.stores.holds.close_invoice(
            ORG, CONN, "INV-1", status="paid", source="xero", at=TUESDAY_10_JKT, keep_for=keep
        )
        return rig.approved

    def deps(connection_id: str = CONN) -> object:
        return dataclasses.replace(rig_deps(connection_id), approved_templates=paid_by_webhook_during_planning)

    rig.deps = deps  # type: ignore[method-assign]
    result = rig.cycle()
    assert decision(result, "INV-1").reason is Reason.PAID
    held = decision(result, "INV-2")
    assert held.reason is Reason.DEFERRED and "another invoice in the same message" in held.detail
    assert rig.sender.templates == []  # a statement counting a paid invoice would be wrong: nothing went out

    rig.deps = rig_deps  # type: ignore[method-assign]
    gateway.invoices.pop("INV-1")  # the next sync no longer lists the paid invoice
    result = rig.cycle()
    assert decision(result, "INV-2").reason is Reason.SENT
    assert [(s.to, s.template.name) for s in rig.sender.templates] == [(P1, "lunas_invoice_overdue")]
