"""IncrementalGateway: when it sweeps, how it applies changes, and that the pre-send re-read always asks the vendor.

The wrapper is tested against the real QuickBooks adapter on the fake (CDC) with an in-memory snapshot store, and
the DynamoDB store against the sandbox's local DynamoDB.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal

import pytest

from chalicelib.adapters.quickbooks import QuickBooksAccountingGateway
from chalicelib.domain.changes import Snapshot, SnapshotChange
from chalicelib.domain.models import Customer, Invoice, InvoiceStatus, Money
from chalicelib.services.sync import IncrementalGateway
from sandbox.quickbooks import FakeQuickBooks
from tests.qbo_support import FakeTime, gateway_for

REALM = "9341000000300"


class MemorySnapshots:
    """The SnapshotStore contract in memory (same rules as DynamoSyncSnapshots)."""

    def __init__(self) -> None:
        self.snapshot = Snapshot()
        self.saves: list[SnapshotChange] = []

    def load(self, org_id: str, connection_id: str) -> Snapshot:
        return self.snapshot

    def save(self, org_id: str, connection_id: str, change: SnapshotChange, *, expected_version: int | None) -> bool:
        self.saves.append(change)
        invoices = {k: v for k, v in self.snapshot.invoices.items() if k not in change.delete_invoice_ids}
        invoices.update((i.invoice_id, i) for i in change.put_invoices)
        customers = {k: v for k, v in self.snapshot.customers.items() if k not in change.delete_customer_ids}
        customers.update((c.customer_id, c) for c in change.put_customers)
        self.snapshot = replace(self.snapshot, invoices=invoices, customers=customers)
        if expected_version is None or (change.cursor is None and change.full_sweep_at is None):
            return True
        if expected_version != self.snapshot.version:
            return False
        self.snapshot = replace(
            self.snapshot,
            cursor=change.cursor or self.snapshot.cursor,
            full_sweep_at=change.full_sweep_at or self.snapshot.full_sweep_at,
            version=self.snapshot.version + 1,
        )
        return True


@dataclass
class Clock:
    at: dt.datetime

    def now(self) -> dt.datetime:
        return self.at


@pytest.fixture
def fake() -> Iterator[FakeQuickBooks]:
    server = FakeQuickBooks()
    server.start()
    server.seed(
        {
            "realmId": REALM,
            "customers": [
                {"id": "1", "displayName": "Budi Santoso", "mobile": "0812 3456 7001"},
                {"id": "2", "displayName": "Sari Dewi", "mobile": "0812 3456 7002"},
            ],
            "invoices": [
                {"id": "11", "docNumber": "1001", "customer": "1", "dueDate": "2026-11-20", "total": "1500000"},
                {"id": "12", "docNumber": "1002", "customer": "2", "dueDate": "2026-11-21", "total": "250000"},
            ],
        }
    )
    server.advance(600)  # the company was set up a while ago: its invoices are older than the cursor's overlap
    yield server
    server.stop()


@dataclass
class Rig:
    fake: FakeQuickBooks
    inner: QuickBooksAccountingGateway
    store: MemorySnapshots
    clock: Clock
    gateway: IncrementalGateway

    def reads(self) -> list[str]:
        return [
            ("cdc" if c["path"].endswith("/cdc") else c["body"].split(" WHERE")[0]) for c in self.fake.api_calls(REALM)
        ]

    def cycle(self) -> tuple[list[Invoice], dict[str, Customer]]:
        """What run_cycle does first: open invoices, then their customers."""
        invoices = self.gateway.open_invoices()
        return invoices, self.gateway.customers(sorted({i.customer_id for i in invoices}))


@pytest.fixture
def rig(fake: FakeQuickBooks) -> Rig:
    inner, _ = gateway_for(fake, REALM, time=FakeTime(fake=fake))
    store, clock = MemorySnapshots(), Clock(fake.clock.now())
    gateway = IncrementalGateway(inner, org_id="org-1", store=store, clock=clock)
    return Rig(fake, inner, store, clock, gateway)


def test_first_cycle_sweeps_and_the_next_reads_only_changes(rig: Rig) -> None:
    invoices, customers = rig.cycle()
    assert sorted(i.number for i in invoices) == ["1001", "1002"]
    assert set(customers) == {"1", "2"}
    assert rig.gateway.last_read == "sweep: no cursor yet"
    assert rig.store.snapshot.cursor is not None and rig.store.snapshot.version == 1
    rig.fake.advance(1800)  # later, nothing changed
    rig.fake.requests.clear()

    invoices, customers = rig.cycle()
    assert rig.gateway.last_read == "changes"
    assert sorted(i.number for i in invoices) == ["1001", "1002"] and set(customers) == {"1", "2"}
    assert rig.reads() == ["cdc"]  # one metered call instead of a sweep and a customer read


def test_a_paid_invoice_leaves_the_snapshot_after_the_next_change_read(rig: Rig) -> None:
    rig.cycle()
    rig.fake.advance(5)
    rig.fake.pay(REALM, "11")
    invoices, _ = rig.cycle()
    assert [i.number for i in invoices] == ["1002"]
    assert "11" not in rig.store.snapshot.invoices
    assert rig.gateway.last_read == "changes"


def test_new_deleted_and_changed_invoices_and_customers(rig: Rig) -> None:
    rig.cycle()
    rig.fake.advance(5)
    rig.fake.seed({"realmId": REALM, "customers": [{"id": "3", "displayName": "Baru", "mobile": "0812 3456 7003"}]})
    rig.fake.seed(
        {
            "realmId": REALM,
            "invoices": [{"id": "13", "docNumber": "1003", "customer": "3", "dueDate": "2026-12-01", "total": "10"}],
        }
    )
    rig.fake.delete(REALM, "12")
    rig.fake.patch_invoice(REALM, "11", {"dueDate": "2026-11-25", "balance": "1000000"})
    rig.fake.patch_customer(REALM, "1", {"mobile": "0812 9999 0001"})
    invoices, customers = rig.cycle()
    by_number = {i.number: i for i in invoices}
    assert set(by_number) == {"1001", "1003"}
    assert by_number["1001"].due_date == dt.date(2026, 11, 25)
    assert by_number["1001"].amount_due == Money(Decimal("1000000.00"), "IDR")
    assert by_number["1003"].payment_link  # CDC rows lack the link: re-read in one batch
    assert customers["1"].phone == "+6281299990001"
    assert customers["3"].phone == "+6281234567003"


def test_the_pre_send_re_read_always_asks_the_vendor(rig: Rig) -> None:
    rig.cycle()
    rig.fake.advance(5)
    rig.fake.pay(REALM, "11")  # the snapshot still says open until the next change read
    rig.fake.requests.clear()
    [fresh] = rig.gateway.invoices_by_id(["11"])
    assert fresh.status is InvoiceStatus.PAID
    assert len(rig.fake.api_calls(REALM)) == 1


@pytest.mark.parametrize(
    ("days_later", "expected"),
    [
        (1, "changes"),
        (7, "sweep: safety sweep (every 7 days)"),
        (30, "sweep: cursor older than 29 days"),
    ],
)
def test_when_it_sweeps_again(rig: Rig, days_later: int, expected: str) -> None:
    rig.cycle()
    rig.clock.at += dt.timedelta(days=days_later)
    rig.cycle()
    assert rig.gateway.last_read == expected


def test_too_many_changes_fall_back_to_a_sweep(rig: Rig) -> None:
    rig.cycle()
    rig.fake.advance(5)
    rig.fake.seed(
        {
            "realmId": REALM,
            "invoices": [{"docNumber": "V", "customer": "1", "dueDate": "2026-12-01", "total": "10", "count": 1000}],
        }
    )
    invoices, _ = rig.cycle()
    assert len(invoices) == 1002
    assert rig.gateway.last_read.startswith("sweep: QuickBooks change data capture hit its 1,000-object cap")


def test_a_sweep_forgets_closed_invoices_and_rereads_customers(rig: Rig) -> None:
    rig.cycle()
    rig.fake.pay(REALM, "12")
    rig.fake.patch_customer(REALM, "1", {"mobile": "0812 9999 0001"})
    rig.clock.at += dt.timedelta(days=8)
    invoices, customers = rig.cycle()
    assert [i.number for i in invoices] == ["1001"] and set(rig.store.snapshot.invoices) == {"11"}
    assert customers["1"].phone == "+6281299990001"


def test_a_worker_that_lost_the_cursor_race_keeps_the_winners(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    """This worker read the snapshot before another worker moved the cursor: its save must not win."""
    rig.cycle()
    stale = rig.store.snapshot
    rig.fake.advance(5)  # the winner's read happens later, so its cursor is newer than anything read from `stale`
    rig.cycle()  # another worker moved the cursor
    winner = rig.store.snapshot
    assert winner.version > stale.version
    monkeypatch.setattr(rig.store, "load", lambda org_id, connection_id: stale)
    rig.gateway.open_invoices()
    assert (rig.store.snapshot.cursor, rig.store.snapshot.version) == (winner.cursor, winner.version)


def test_xero_payment_links_are_still_looked_up_through_the_wrapper() -> None:
    class Inner:
        source, connection_id = "xero", "xero:t"

        def payment_link(self, invoice_id: str) -> str:
            return f"https://in.xero.com/{invoice_id}"

    gateway = IncrementalGateway(
        Inner(), org_id="o", store=MemorySnapshots(), clock=Clock(dt.datetime(2026, 11, 24, tzinfo=dt.UTC))
    )  # type: ignore[arg-type]
    assert gateway.payment_link("abc") == "https://in.xero.com/abc"


# -- the DynamoDB store -----------------------------------------------------------------------------------------


def test_dynamo_snapshots_round_trip(sandbox: object) -> None:
    from chalicelib.storage.snapshots import DynamoSyncSnapshots

    store, org, conn = DynamoSyncSnapshots(), f"org-{uuid.uuid4().hex[:8]}", "quickbooks:9341"
    invoice = Invoice(
        source="quickbooks",
        connection_id=conn,
        invoice_id="11",
        number="1001",
        customer_id="1",
        customer_name="Budi Santoso",
        due_date=dt.date(2026, 11, 20),
        amount_due=Money(Decimal("1500000.50"), "IDR"),
        status=InvoiceStatus.OPEN,
        payment_link="https://connect.intuit.com/t/x",
        issue_date=dt.date(2026, 11, 1),
        updated_at=dt.datetime(2026, 11, 2, 3, 4, 5, 123000, tzinfo=dt.UTC),
    )
    customer = Customer(source="quickbooks", connection_id=conn, customer_id="1", name="Budi", phone="+6281234567001")
    assert store.load(org, conn) == Snapshot()
    cursor = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
    change = SnapshotChange(put_invoices=(invoice,), put_customers=(customer,), cursor=cursor, full_sweep_at=cursor)
    assert store.save(org, conn, change, expected_version=0)
    loaded = store.load(org, conn)
    assert loaded.invoices == {"11": invoice} and loaded.customers == {"1": customer}
    assert (loaded.cursor, loaded.full_sweep_at, loaded.version) == (cursor, cursor, 1)
    later = cursor + dt.timedelta(hours=1)
    assert not store.save(org, conn, SnapshotChange(cursor=later), expected_version=0)  # someone else's version
    assert store.save(org, conn, SnapshotChange(delete_invoice_ids=frozenset({"11"}), cursor=later), expected_version=1)
    after = store.load(org, conn)
    assert after.invoices == {} and after.cursor == later and after.full_sweep_at == cursor
    assert store.load(f"{org}-other", conn) == Snapshot()  # another organisation sees nothing
