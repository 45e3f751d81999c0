"""A cycle asks the accounting system for as little as it can: re-reads batched 50 invoices a call, and when the
vendor's daily allowance runs low, the most overdue invoices go first and the rest wait with a reason."""

from __future__ import annotations

import dataclasses
import datetime as dt

from chalicelib.domain.models import Connection, Reason
from chalicelib.services.reminders import REREAD_BATCH, RESERVED_CALLS, SEND_BATCH, run_cycle
from tests.builders import CONN, TODAY, consent, customer, invoice
from tests.unit.rig import ORG, Rig


def _customers(rig: Rig, count: int, invoices_each: int = 1) -> None:
    """`count` opted-in customers; customer k's invoices are 8 + k days overdue (customer 0 is the least overdue)."""
    gateway = rig.gateway(CONN)
    gateway.invoices.clear()
    gateway.customer_records.clear()
    for k in range(count):
        phone = f"+62812{k:08d}"
        gateway.customer_records[f"C{k}"] = customer(f"C{k}", phone)
        rig.stores.consents.record(consent(ORG, phone))
        for n in range(invoices_each):
            inv = invoice(f"INV-{k}-{n}", customer_id=f"C{k}", due=TODAY - dt.timedelta(days=8 + k))
            gateway.invoices[inv.invoice_id] = inv


def test_batches_cost_one_re_read_each_and_go_most_overdue_first() -> None:
    rig = Rig(recheck_after=dt.timedelta(0))
    _customers(rig, 30, invoices_each=5)
    plan = rig.cycle()
    gateway = rig.gateway(CONN)
    assert len(rig.sender.templates) == 30
    # 150 invoices in statements of 5: three re-reads of 50, not one per message or per 20 messages.
    assert [len(ids) for ids in gateway.rereads] == [REREAD_BATCH] * 3
    assert {f"INV-{k}-{n}" for k in range(20, 30) for n in range(5)} == set(gateway.rereads[0])  # most overdue first
    assert {d.reason for d in plan.decisions} == {Reason.SENT}


def test_a_statement_bigger_than_a_re_read_goes_alone() -> None:
    rig = Rig(recheck_after=dt.timedelta(0))
    _customers(rig, 3, invoices_each=1)
    gateway = rig.gateway(CONN)
    for n in range(REREAD_BATCH + 10):
        big = invoice(f"BIG-{n}", customer_id="C0", due=TODAY - dt.timedelta(days=8))
        gateway.invoices[big.invoice_id] = big
    rig.cycle()
    # The statement is re-read alone (the adapter splits it into calls of 50); the two others share one call.
    assert sorted(len(ids) for ids in gateway.rereads) == [2, REREAD_BATCH + 11]  # C0: its own one and 60 more


def test_when_the_daily_allowance_runs_low_the_most_overdue_go_first_and_the_rest_wait_with_a_reason() -> None:
    rig = Rig(recheck_after=dt.timedelta(0))
    _customers(rig, SEND_BATCH + 10)
    gateway = rig.gateway(CONN)
    gateway.calls_left_today = RESERVED_CALLS + 1  # one re-read left before the reserve
    result = rig.cycle()
    sent = {m.to for m in rig.sender.templates}
    assert len(sent) == SEND_BATCH
    assert sent == {f"+62812{k:08d}" for k in range(10, SEND_BATCH + 10)}  # the SEND_BATCH most overdue
    waiting = [d for d in result.decisions if d.reason is Reason.DEFERRED]
    assert len(waiting) == 10
    assert {d.invoice.customer_id for d in waiting} == {f"C{k}" for k in range(10)}
    assert "Xero's daily API allowance" in (waiting[0].detail or "")
    assert "most overdue invoices went first" in (waiting[0].detail or "")


def test_no_daily_cap_means_no_limit() -> None:
    rig = Rig(recheck_after=dt.timedelta(0))
    _customers(rig, SEND_BATCH + 10)
    rig.cycle()
    assert len(rig.sender.templates) == SEND_BATCH + 10


def test_a_cycle_that_runs_out_of_time_stops_sending_most_overdue_first() -> None:
    """Each batch costs time; after the deadline the rest wait for the next cycle, with the reason."""
    rig = Rig(recheck_after=dt.timedelta(0))
    _customers(rig, SEND_BATCH + 10)
    readings = iter(range(1000))  # every elapsed-time reading is one second later
    deps = dataclasses.replace(rig.deps(), elapsed=lambda: float(next(readings)), deadline=1.5)
    result = run_cycle(Connection(org_id=ORG, connection_id=CONN, provider="xero", tenant_id=CONN), deps)
    assert len(rig.sender.templates) == SEND_BATCH
    assert {m.to for m in rig.sender.templates} == {f"+62812{k:08d}" for k in range(10, SEND_BATCH + 10)}
    waiting = [d for d in result.decisions if d.reason is Reason.DEFERRED]
    assert len(waiting) == 10 and all("ran out of time" in (d.detail or "") for d in waiting)
