"""One contract for every accounting adapter: what the reminder path relies on, run against Xero and QuickBooks.

Each adapter runs its real SDK against its fake. The harnesses below hide only how a fake is seeded and poked;
every assertion is written once, so a behaviour the reminder path needs cannot silently differ by source.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

import pytest

from chalicelib.domain.errors import AccountingRateLimited
from chalicelib.domain.models import InvoiceStatus, Reason
from sandbox.fakehttp import Fault
from sandbox.quickbooks import FakeQuickBooks, throttle_xml
from sandbox.xero import FakeXero
from tests import qbo_support, xero_support


@dataclass(frozen=True)
class Person:
    name: str
    mobile: str = ""  # as a bookkeeper would type it, national format
    landline: str = ""


@dataclass(frozen=True)
class Bill:
    number: str
    customer: str
    total: str = "1250000"
    count: int = 0  # repeat it (volume)


class Harness(Protocol):
    source: str
    id_batch: int
    gateway: Any
    sleeps: list[float]

    def create(self, people: list[Person], bills: list[Bill]) -> None: ...

    def invoice_id(self, number: str) -> str: ...

    def customer_id(self, name: str) -> str: ...

    def pay(self, number: str) -> None: ...

    def expire_access_token(self) -> None: ...

    def throttle(self, times: int) -> None: ...

    def api_calls(self) -> int: ...

    def refreshes(self) -> int: ...

    def advance(self, seconds: float) -> None: ...


class XeroHarness:
    source = "xero"
    id_batch = 50

    def __init__(self, fake: FakeXero) -> None:
        self.fake = fake
        self.sleep = xero_support.RecordingSleep(fake)
        self.sleeps = self.sleep.calls
        self.ids: dict[str, str] = {}

    def create(self, people: list[Person], bills: list[Bill]) -> None:
        contacts = [{"contactId": str(uuid.uuid4()), "name": p.name, "phones": self._phones(p)} for p in people]
        self.contacts = {c["name"]: c["contactId"] for c in contacts}
        invoices = [
            {"number": b.number, "contact": b.customer, "date": "2026-11-01", "dueDate": "2026-11-20",
             "total": b.total, "count": b.count}
            for b in bills
        ]  # fmt: skip
        seeded = self.fake.seed({"tenantName": "Toko Kontrak", "contacts": contacts, "invoices": invoices})
        self.tenant_id, self.ids = seeded["tenantId"], seeded["invoices"]
        self.gateway, self.provider = xero_support.gateway_for(self.fake, self.tenant_id, sleep=self.sleep)

    @staticmethod
    def _phones(person: Person) -> dict[str, str]:
        slots = {}
        if person.mobile:
            slots["MOBILE"] = person.mobile
        if person.landline:
            slots["DEFAULT"] = person.landline
        return slots

    def invoice_id(self, number: str) -> str:
        return self.ids[number]

    def customer_id(self, name: str) -> str:
        return self.contacts[name]

    def pay(self, number: str) -> None:
        self.fake.pay(self.ids[number])

    def expire_access_token(self) -> None:
        self.fake.advance(1801)

    def throttle(self, times: int) -> None:
        headers = {"Retry-After": "2", "X-Rate-Limit-Problem": "minute"}
        self.fake.add_fault(Fault(method="GET", path=re.compile("^/api.xro"), status=429, headers=headers, times=times))

    def api_calls(self) -> int:
        return len(self.fake.recorded("^/api.xro/"))

    def refreshes(self) -> int:
        return self.provider.refreshes

    def advance(self, seconds: float) -> None:
        self.fake.advance(seconds)


class QuickBooksHarness:
    source = "quickbooks"
    id_batch = 100

    def __init__(self, fake: FakeQuickBooks) -> None:
        self.fake = fake
        self.time = qbo_support.FakeTime(fake=fake)
        self.sleeps = self.time.sleeps
        self.ids: dict[str, str] = {}

    def create(self, people: list[Person], bills: list[Bill]) -> None:
        customers = [{"displayName": p.name, "mobile": p.mobile, "primaryPhone": p.landline} for p in people]
        invoices = [
            {"docNumber": b.number, "customer": b.customer, "txnDate": "2026-11-01", "dueDate": "2026-11-20",
             "total": b.total, "count": b.count}
            for b in bills
        ]  # fmt: skip
        seeded = self.fake.seed({"companyName": "PT Kontrak", "customers": customers, "invoices": invoices})
        self.realm_id, self.ids, self.customers = seeded["realmId"], seeded["invoices"], seeded["customers"]
        self.gateway, self.provider = qbo_support.gateway_for(self.fake, self.realm_id, time=self.time)

    def invoice_id(self, number: str) -> str:
        return self.ids[number]

    def customer_id(self, name: str) -> str:
        return str(self.customers[name])

    def pay(self, number: str) -> None:
        self.fake.pay(self.realm_id, self.ids[number])

    def expire_access_token(self) -> None:
        self.fake.advance(3601)

    def throttle(self, times: int) -> None:
        body = throttle_xml(self.fake.now()).decode()
        headers = {"Content-Type": "application/xml"}
        self.fake.add_fault(
            Fault(method=None, path=re.compile("^/v3/"), status=429, body=body, headers=headers, times=times)
        )

    def api_calls(self) -> int:
        return len(self.fake.api_calls(self.realm_id))

    def refreshes(self) -> int:
        return self.provider.refreshes

    def advance(self, seconds: float) -> None:
        self.fake.advance(seconds)


@pytest.fixture(params=["xero", "quickbooks"])
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    fake: FakeXero | FakeQuickBooks = FakeXero() if request.param == "xero" else FakeQuickBooks()
    fake.start()
    yield XeroHarness(fake) if isinstance(fake, FakeXero) else QuickBooksHarness(fake)
    fake.stop()


BUDI = Person("Budi Santoso", mobile="0812 3456 7001")
SARI = Person("Sari Dewi", mobile="+62 813-1111-2222", landline="(021) 555 0100")
WARUNG = Person("Warung Bu Sri", landline="(021) 555 0199")
NOBODY = Person("Tanpa Nomor")


def test_open_invoices_every_page_past_1000(harness: Harness) -> None:
    harness.create([BUDI], [Bill("V", BUDI.name, total="100000", count=1003), Bill("PAID-1", BUDI.name)])
    harness.pay("PAID-1")
    invoices = harness.gateway.open_invoices()
    assert len(invoices) == 1003 and len({i.invoice_id for i in invoices}) == 1003
    assert {i.status for i in invoices} == {InvoiceStatus.OPEN}
    assert {i.source for i in invoices} == {harness.source}
    assert all(i.amount_due.amount == Decimal("100000") and i.amount_due.currency == "IDR" for i in invoices)
    assert harness.api_calls() == 2  # 1,000 a page


def test_customers_are_read_in_batches_with_e164_phones(harness: Harness) -> None:
    people = [Person(f"Pelanggan {n}", mobile=f"0812 {n:08d}") for n in range(120)]
    harness.create([*people, BUDI, SARI, WARUNG, NOBODY], [Bill("INV-1", BUDI.name)])
    wanted = [harness.customer_id(p.name) for p in people]
    customers = harness.gateway.customers(wanted)
    assert len(customers) == 120
    assert customers[wanted[7]].phone == "+6281200000007"
    assert harness.api_calls() == math.ceil(120 / harness.id_batch)  # never one call per customer


def test_phones_are_normalised_or_explained(harness: Harness) -> None:
    harness.create([BUDI, SARI, WARUNG, NOBODY], [Bill("INV-1", BUDI.name)])
    ids = {p.name: harness.customer_id(p.name) for p in (BUDI, SARI, WARUNG, NOBODY)}
    customers = harness.gateway.customers(list(ids.values()))
    found = {name: (customers[i].phone, customers[i].phone_problem) for name, i in ids.items()}
    assert found == {
        "Budi Santoso": ("+6281234567001", None),
        "Sari Dewi": ("+6281311112222", None),  # the mobile wins over the landline
        "Warung Bu Sri": (None, Reason.INVALID_PHONE),  # a landline is never used for WhatsApp
        "Tanpa Nomor": (None, Reason.NO_PHONE),
    }
    assert {c.source for c in customers.values()} == {harness.source}


def test_invoices_by_id_returns_paid_ones_as_paid(harness: Harness) -> None:
    harness.create([BUDI], [Bill("INV-1", BUDI.name), Bill("INV-2", BUDI.name)])
    harness.pay("INV-1")
    fresh = {
        i.number: i for i in harness.gateway.invoices_by_id([harness.invoice_id("INV-1"), harness.invoice_id("INV-2")])
    }
    assert fresh["INV-1"].status is InvoiceStatus.PAID and fresh["INV-1"].amount_due.amount == 0
    assert fresh["INV-2"].status is InvoiceStatus.OPEN
    assert harness.api_calls() == 1


def test_an_expired_access_token_is_refreshed_once(harness: Harness) -> None:
    harness.create([BUDI], [Bill("INV-1", BUDI.name)])
    harness.expire_access_token()
    assert [i.number for i in harness.gateway.open_invoices()] == ["INV-1"]
    assert harness.refreshes() == 1


def test_a_rate_limit_is_waited_out_and_the_read_completes(harness: Harness) -> None:
    harness.create([BUDI], [Bill("INV-1", BUDI.name)])
    harness.throttle(times=1)
    assert [i.number for i in harness.gateway.open_invoices()] == ["INV-1"]
    assert len(harness.sleeps) == 1


def test_a_rate_limit_that_does_not_lift_is_reported(harness: Harness) -> None:
    harness.create([BUDI], [Bill("INV-1", BUDI.name)])
    harness.throttle(times=-1)
    with pytest.raises(AccountingRateLimited):
        harness.gateway.open_invoices()


def test_payment_links_for_open_invoices(harness: Harness) -> None:
    harness.create([BUDI], [Bill("INV-1", BUDI.name)])
    [invoice] = harness.gateway.open_invoices()
    link = invoice.payment_link or harness.gateway.payment_link(invoice.invoice_id)
    assert link and link.startswith("https://")


def test_changes_since_a_sweep_show_a_paid_invoice(harness: Harness) -> None:
    harness.create([BUDI], [Bill("INV-1", BUDI.name), Bill("INV-2", BUDI.name)])
    harness.advance(2)
    sweep = harness.gateway.sweep()
    assert sweep.as_of is not None and len(sweep.invoices) == 2
    harness.advance(5)
    harness.pay("INV-1")
    changes = harness.gateway.changed_since(sweep.as_of - dt.timedelta(minutes=5))
    by_number = {i.number: i for i in changes.invoices}
    assert by_number["INV-1"].status is InvoiceStatus.PAID
    assert changes.as_of is not None and changes.as_of >= sweep.as_of
