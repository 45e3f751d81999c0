"""`make demo INVOICES=10000`: a big company on the sandbox, to show (and measure) Lunas at scale.

A wholesaler, *Grosir Nusantara Jaya*, keeps most of its open invoices in Xero and a fifth of them in a QuickBooks
Online company of the same group (about five invoices per customer; a tenth of the QuickBooks customers also buy in
Xero, under the same phone number). The mix is fixed (seeded random): most customers agreed to WhatsApp reminders,
some did not, some have no mobile or only a landline, a few numbers are not on WhatsApp, a few invoices are below the
minimum, due dates run from 45 days overdue to 20 days ahead.

It runs one reminder cycle through the real path (schedule handler -> SQS -> worker handler, the real SDKs against
the fakes), then Meta's status webhooks come back (batched, as Meta does under load) through the webhook queue, and
prints what happened: decisions per reason with an example, vendor and DynamoDB requests, seconds per step, CPU
seconds and the peak memory of the process (moto, the fakes and Lunas all run in it).

The fakes' rate limits are lifted for it (Xero's 60 calls a minute and 5,000 a day would otherwise make the cycle
wait in real time); the report prints how many calls the cycle made, to compare with those limits.
"""

from __future__ import annotations

import datetime as dt
import random
import resource
import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from chalicelib import bootstrap
from chalicelib.clock import monotonic
from chalicelib.domain.models import (
    Connection,
    Consent,
    ConsentStatus,
    Money,
    ReminderSettings,
)
from sandbox.connect import connect_quickbooks, connect_whatsapp, connect_xero
from sandbox.run import Sandbox

ORG_ID = "demo-grosir-nusantara"
BUSINESS_NAME = "Grosir Nusantara Jaya"
PHONE_NUMBER_ID = "106540352299001"
WABA_ID = "102290129399001"
INVOICES_PER_CUSTOMER = 5
QUICKBOOKS_SHARE = 5  # one invoice in five is in QuickBooks
SEED = 2026  # the same company on every run


@dataclass(frozen=True)
class BigCustomer:
    name: str
    mobile: str | None  # E.164, or None
    landline: str | None = None
    consent: bool = False
    on_whatsapp: bool = True


@dataclass
class Company:
    """What was seeded, for the report."""

    xero: list[BigCustomer] = field(default_factory=list)
    quickbooks: list[BigCustomer] = field(default_factory=list)
    xero_invoices: int = 0
    quickbooks_invoices: int = 0
    consents: int = 0
    connections: list[Connection] = field(default_factory=list)


def settings() -> ReminderSettings:
    return ReminderSettings(
        org_id=ORG_ID,
        business_name=BUSINESS_NAME,
        country="ID",
        timezone="Asia/Jakarta",
        language="id",
        minimum_amounts=(Money(Decimal("50000"), "IDR"),),
    )


def customers(count: int, first: int, rng: random.Random) -> list[BigCustomer]:
    """`count` customers numbered from `first`: mostly consented mobiles, with every reason not to send in the mix."""
    made = []
    for n in range(first, first + count):
        name = f"{rng.choice(_KINDS)} {rng.choice(_NAMES)} {n:05d}"
        mobile = f"+62812{30_000_000 + n:08d}"
        if n % 25 == 0:
            made.append(BigCustomer(name, None))  # no phone at all
        elif n % 25 == 1:
            made.append(BigCustomer(name, None, landline=f"(021) {5_000_000 + n:07d}"))
        else:
            made.append(BigCustomer(name, mobile, consent=n % 5 != 2, on_whatsapp=n % 97 != 3))
    return made


def seed_big_company(sandbox: Sandbox, today: dt.date, invoices: int) -> Company:
    """Seed the fakes and Lunas with the big company: `invoices` open invoices, 4/5 in Xero, 1/5 in QuickBooks."""
    rng = random.Random(SEED)
    company = Company()
    qbo_invoices = invoices // QUICKBOOKS_SHARE
    xero_invoices = invoices - qbo_invoices
    company.xero = customers(max(1, xero_invoices // INVOICES_PER_CUSTOMER), 0, rng)
    shared = company.xero[: len(company.xero) // (QUICKBOOKS_SHARE * 2)]  # also buy from the QuickBooks company
    own = customers(max(1, qbo_invoices // INVOICES_PER_CUSTOMER) - len(shared), len(company.xero), rng)
    company.quickbooks = [BigCustomer(c.name + " (QB)", c.mobile, c.landline, c.consent, c.on_whatsapp) for c in shared]
    company.quickbooks += own
    _register_whatsapp(sandbox, company)
    company.connections.append(_seed_xero(sandbox, company, today, xero_invoices, rng))
    company.xero_invoices = xero_invoices
    if qbo_invoices:
        company.connections.append(_seed_quickbooks(sandbox, company, today, qbo_invoices, rng))
        company.quickbooks_invoices = qbo_invoices
    for customer in {c.mobile: c for c in company.xero + company.quickbooks if c.mobile and c.consent}.values():
        _record_consent(customer)
        company.consents += 1
    return company


def _register_whatsapp(sandbox: Sandbox, company: Company) -> None:
    bootstrap.container().stores.organisations.save(settings())
    connect_whatsapp(
        sandbox,
        ORG_ID,
        phone_number_id=PHONE_NUMBER_ID,
        waba_id=WABA_ID,
        display_phone_number="+62 21 5098 9001",
        verified_name=BUSINESS_NAME,
    )
    for customer in company.xero + company.quickbooks:
        if customer.mobile and not customer.on_whatsapp:
            sandbox.meta.set_not_on_whatsapp(customer.mobile)


def _invoice_dates(today: dt.date, rng: random.Random) -> tuple[str, str]:
    due = today + dt.timedelta(days=rng.randrange(-45, 21))
    return (due - dt.timedelta(days=30)).isoformat(), due.isoformat()


def _amount(rng: random.Random) -> str:
    return str(rng.randrange(20, 5_000) * 1_000)  # IDR 20,000 to 5,000,000; under 50,000 is below the minimum


def _seed_xero(sandbox: Sandbox, company: Company, today: dt.date, count: int, rng: random.Random) -> Connection:
    contacts = []
    for c in company.xero:
        phones: dict[str, Any] = {}
        if c.mobile:
            phones["MOBILE"] = {"countryCode": "62", "areaCode": c.mobile[3:6], "number": c.mobile[6:]}
        if c.landline:
            phones["DEFAULT"] = {"countryCode": "", "areaCode": "", "number": c.landline}
        contact_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        contacts.append({"contactId": contact_id, "name": c.name, "phones": phones})
    invoices = []
    for n in range(count):
        issued, due = _invoice_dates(today, rng)
        contact = contacts[n % len(contacts)]["contactId"]
        invoices.append(
            {"number": f"INV-{10_001 + n}", "contact": contact, "date": issued, "dueDate": due, "total": _amount(rng)}
        )
    spec = {"tenantName": f"{BUSINESS_NAME} (Xero)", "country": "ID", "contacts": contacts, "invoices": invoices}
    tenant = sandbox.xero.seed(spec)
    # Lifted so the cycle does not wait out Xero's 60 calls a minute in real time (the report counts the calls).
    sandbox.xero.set_limits({"perMinute": 1_000_000, "perDay": 1_000_000, "appPerMinute": 1_000_000})
    return connect_xero(sandbox, ORG_ID, tenant)


def _seed_quickbooks(sandbox: Sandbox, company: Company, today: dt.date, count: int, rng: random.Random) -> Connection:
    customers_spec = [
        {"id": str(100 + n), "displayName": c.name, "mobile": _national(c.mobile), "primaryPhone": c.landline or ""}
        for n, c in enumerate(company.quickbooks)
    ]
    invoices = []
    for n in range(count):
        issued, due = _invoice_dates(today, rng)
        customer = customers_spec[n % len(customers_spec)]["id"]
        invoices.append(
            {"docNumber": f"QB-{50_001 + n}", "customer": customer, "txnDate": issued, "dueDate": due}
            | {"total": _amount(rng), "currency": "IDR"}
        )
    name = f"{BUSINESS_NAME} Distribusi (QuickBooks)"
    seeded = sandbox.quickbooks.seed(
        {"companyName": name, "country": "ID", "currency": "IDR", "customers": customers_spec, "invoices": invoices}
    )
    sandbox.quickbooks.set_limits({"perMinute": 1_000_000, "perSecond": 1_000_000})
    return connect_quickbooks(sandbox, ORG_ID, str(seeded["realmId"]), name)


def _national(e164: str | None) -> str:
    """As a bookkeeper types it: 0812-3000-0123."""
    if not e164:
        return ""
    digits = "0" + e164.removeprefix("+62")
    return f"{digits[:4]}-{digits[4:8]}-{digits[8:]}"


def _record_consent(customer: BigCustomer) -> None:
    assert customer.mobile is not None
    bootstrap.container().stores.consents.record(
        Consent(
            org_id=ORG_ID,
            phone=customer.mobile,
            status=ConsentStatus.OPTED_IN,
            source="signed_form",
            evidence=f"{customer.name} ticked 'Kirim pengingat tagihan lewat WhatsApp' on the order form",
            captured_at=dt.datetime(2026, 9, 1, 3, 0, tzinfo=dt.UTC),
        )
    )


# -- measuring and reporting -----------------------------------------------------------------------------------------


class Meter:
    """Seconds (elapsed and CPU) per step of the run, and the process's peak memory."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, float, float]] = []
        self._started = monotonic()
        self._cpu = _cpu_seconds()

    def lap(self, name: str) -> float:
        now, cpu = monotonic(), _cpu_seconds()
        self.steps.append((name, now - self._started, cpu - self._cpu))
        self._started, self._cpu = now, cpu
        return self.steps[-1][1]

    def report(self) -> None:
        print("\nSeconds per step (elapsed / CPU of this process, all threads):\n")
        for name, elapsed, cpu in self.steps:
            print(f"  {name:<44} {elapsed:8.1f} s  {cpu:8.1f} s")
        print(f"  {'total':<44} {sum(s[1] for s in self.steps):8.1f} s  {sum(s[2] for s in self.steps):8.1f} s")
        print(f"\n  peak memory (RSS) of this process: {peak_rss_mib():,.0f} MiB\n")


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def print_big_report(sandbox: Sandbox, company: Company) -> None:
    from chalicelib.domain.reasons import explain

    stores = bootstrap.container().stores
    views = stores.decisions.for_org(ORG_ID)
    by_reason = Counter(v.reason.value for v in views)
    example: dict[str, Any] = {}
    for v in sorted(views, key=lambda v: v.number):
        example.setdefault(v.reason.value, v)
    print(f"\nDecisions for {len(views):,} open invoices:\n")
    print(f"  {'reason':<24} {'invoices':>9}  example")
    print(f"  {'-' * 24} {'-' * 9}  {'-' * 60}")
    for reason, count in by_reason.most_common():
        v = example[reason]
        why = explain(v.reason, v.detail)
        print(f"  {reason:<24} {count:>9,}  {v.number} {v.customer_name}: {why}")
    messages = stores.ledger.messages(ORG_ID)
    delivery = Counter(m.delivery or "accepted" for m in messages)
    accepted = sandbox.meta.messages(phone_number_id=PHONE_NUMBER_ID)
    print(f"\nWhatsApp: Meta accepted {len(accepted):,} messages (one per customer per day, statements grouped);")
    print("  delivery reported back by the status webhooks: " + _counts(delivery))
    print("\nRequests to the vendors (the fakes' logs):")
    print("  Xero:       " + _counts(_xero_calls(sandbox)))
    print("  QuickBooks: " + _counts(_quickbooks_calls(sandbox)))
    print("  Meta:       " + _counts(_meta_calls(sandbox)))
    dynamodb = getattr(sandbox.aws, "dynamodb", None)
    if dynamodb is not None:
        print("  DynamoDB (local, since start): " + _counts(dynamodb.requests))


def _counts(counter: Counter[str] | dict[str, int]) -> str:
    pairs = sorted(counter.items(), key=lambda kv: -kv[1])
    return f"{sum(counter.values()):,} = " + ", ".join(f"{k} {v:,}" for k, v in pairs) if pairs else "none"


def _xero_calls(sandbox: Sandbox) -> Counter[str]:
    calls: Counter[str] = Counter()
    for r in sandbox.xero.recorded():
        path = r["path"]
        if path.endswith("/OnlineInvoice"):
            calls["online invoice (one per invoice sent)"] += 1
        elif path.endswith("/Invoices"):
            calls["invoices by id" if "IDs" in r["query"] else "invoice pages"] += 1
        elif path.endswith("/Contacts"):
            calls["contacts"] += 1
        else:
            calls[path.rsplit("/", 1)[-1]] += 1
    return calls


def _quickbooks_calls(sandbox: Sandbox) -> Counter[str]:
    calls: Counter[str] = Counter()
    for r in sandbox.quickbooks.recorded():
        text = (r["body"] or " ".join(r["query"].get("query", []))).upper()
        if "/QUERY" in r["path"].upper():
            entity = "customers" if "FROM CUSTOMER" in text else "invoices"
            calls[f"{entity} by id" if " ID IN " in text else f"{entity} pages"] += 1
        else:
            calls[r["path"].rsplit("/", 1)[-1]] += 1
    return calls


def _meta_calls(sandbox: Sandbox) -> Counter[str]:
    return Counter(r["path"].rsplit("/", 1)[-1] for r in sandbox.meta.recorded())


_KINDS = ("Toko", "Warung", "CV", "PT", "UD", "Apotek", "Rumah Makan", "Kios", "Bengkel", "Koperasi")
_NAMES = (
    "Sumber Makmur",
    "Jaya Abadi",
    "Sinar Terang",
    "Berkah",
    "Maju Bersama",
    "Sentosa",
    "Mulia",
    "Harapan Baru",
    "Cahaya",
    "Lestari",
    "Sejahtera",
    "Mandiri",
)
