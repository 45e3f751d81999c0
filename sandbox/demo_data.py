"""The demo organisation: an Indonesian wholesaler with a connected Xero organisation and realistic invoices.

Dates are relative to the demo's local "today" so every run shows the same story: some customers agreed to WhatsApp
reminders and some did not, one number is not on WhatsApp, one invoice is paid just before its reminder, one is not
yet due, one customer has three overdue invoices (one statement message), one pays in US dollars.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from chalicelib import bootstrap
from chalicelib.domain.models import (
    Connection,
    Consent,
    ConsentStatus,
    Money,
    ReminderSettings,
)
from sandbox.connect import connect_whatsapp, connect_xero
from sandbox.run import Sandbox

ORG_ID = "demo-toko-sumber-rejeki"
BUSINESS_NAME = "Toko Sumber Rejeki"
PHONE_NUMBER_ID = "106540352242922"
WABA_ID = "102290129340398"


@dataclass(frozen=True)
class DemoCustomer:
    name: str
    mobile: tuple[str, str, str] | None  # Xero's (country code, area code, number) pieces, free text
    landline: str | None = None
    consent: bool = False
    on_whatsapp: bool = True

    @property
    def e164(self) -> str | None:
        if self.mobile is None:
            return None
        country, area, number = self.mobile
        return "+" + "".join(ch for ch in country + area.lstrip("0") + number if ch.isdigit())


CUSTOMERS = (
    DemoCustomer("Budi Santoso", ("62", "0812", "3456 7001"), consent=True),
    DemoCustomer("PT Sinar Abadi", ("62", "813", "9876 5002"), consent=True),
    DemoCustomer("Warung Bu Sri", ("62", "857", "1122 3003")),  # never agreed to WhatsApp reminders
    DemoCustomer("CV Kopi Nusantara", ("62", "811", "2233 4004"), consent=True),
    DemoCustomer("Toko Lama Jaya", ("62", "878", "5566 7005"), consent=True, on_whatsapp=False),
    DemoCustomer("Apotek Sehat", ("62", "821", "4455 6006"), consent=True),
    DemoCustomer("Rumah Makan Padang Sederhana", ("62", "896", "7788 9007"), consent=True),
    DemoCustomer("Bali Surf Supplies Pty Ltd", ("61", "0412", "555 019"), consent=True),
    DemoCustomer("Ibu Ratna (no phone)", None),
    DemoCustomer("PT Gudang Makmur", None, landline="(021) 555 0100", consent=False),
)

# (number, customer, days from today to the due date, amount, currency)
INVOICES = (
    ("INV-2411", "Budi Santoso", -4, "1250000", "IDR"),
    ("INV-2398", "PT Sinar Abadi", -8, "3750000", "IDR"),
    ("INV-2376", "PT Sinar Abadi", -16, "2100000", "IDR"),
    ("INV-2350", "PT Sinar Abadi", -35, "880000", "IDR"),
    ("INV-2419", "Warung Bu Sri", -3, "450000", "IDR"),
    ("INV-2425", "CV Kopi Nusantara", 3, "5600000", "IDR"),
    ("INV-2402", "Toko Lama Jaya", -7, "990000", "IDR"),
    ("INV-2413", "Apotek Sehat", -3, "2750000", "IDR"),
    ("INV-2431", "Rumah Makan Padang Sederhana", 12, "1800000", "IDR"),
    ("INV-2420", "Bali Surf Supplies Pty Ltd", 0, "1480.50", "USD"),
    ("INV-2407", "Ibu Ratna (no phone)", -6, "320000", "IDR"),
    ("INV-2415", "PT Gudang Makmur", -9, "6400000", "IDR"),
    ("INV-2422", "Budi Santoso", -2, "35000", "IDR"),  # below the IDR 50,000 minimum
)
PAID_JUST_BEFORE_SENDING = "INV-2413"  # Apotek Sehat pays while the cycle is running


def settings() -> ReminderSettings:
    return ReminderSettings(
        org_id=ORG_ID,
        business_name=BUSINESS_NAME,
        country="ID",
        timezone="Asia/Jakarta",
        language="id",
        minimum_amounts=(Money(Decimal("50000"), "IDR"), Money(Decimal("5"), "USD")),
    )


def seed_demo(sandbox: Sandbox, today: dt.date) -> Connection:
    """Create the organisation, its Xero connection, its WhatsApp number and its customers' consent."""
    tenant = sandbox.xero.seed(_xero_spec(today))
    bootstrap.container().stores.organisations.save(settings())
    connect_whatsapp(
        sandbox,
        ORG_ID,
        phone_number_id=PHONE_NUMBER_ID,
        waba_id=WABA_ID,
        display_phone_number="+62 21 5098 7654",
        verified_name=BUSINESS_NAME,
    )
    for customer in CUSTOMERS:
        if customer.e164 and not customer.on_whatsapp:
            sandbox.meta.set_not_on_whatsapp(customer.e164)
    connection = connect_xero(sandbox, ORG_ID, tenant)
    _record_consents()
    sandbox.xero.add_trigger(
        after_path="^/api.xro/2.0/Invoices$",
        after_count=1,
        action="pay",
        invoice_id=tenant["invoices"][PAID_JUST_BEFORE_SENDING],
    )
    return connection


def _record_consents() -> None:
    for customer in CUSTOMERS:
        if customer.consent and customer.e164:
            record_consent(customer.e164, customer.name)


def record_consent(phone: str, who: str) -> None:
    """An opt-in with the evidence a shop would have: the ticked box on its order form."""
    bootstrap.container().stores.consents.record(
        Consent(
            org_id=ORG_ID,
            phone=phone,
            status=ConsentStatus.OPTED_IN,
            source="signed_form",
            evidence=f"{who} ticked 'Kirim pengingat tagihan lewat WhatsApp' on the order form",
            captured_at=dt.datetime(2026, 9, 1, 3, 0, tzinfo=dt.UTC),
        )
    )


def _xero_spec(today: dt.date) -> dict[str, Any]:
    contacts = []
    for c in CUSTOMERS:
        phones: dict[str, Any] = {}
        if c.mobile:
            phones["MOBILE"] = {"countryCode": c.mobile[0], "areaCode": c.mobile[1], "number": c.mobile[2]}
        if c.landline:
            phones["DEFAULT"] = {"countryCode": "", "areaCode": "", "number": c.landline}
        contacts.append({"name": c.name, "phones": phones})
    invoices = [
        {
            "number": number,
            "contact": customer,
            "status": "AUTHORISED",
            "date": (today + dt.timedelta(days=due_in - 30)).isoformat(),
            "dueDate": (today + dt.timedelta(days=due_in)).isoformat(),
            "currency": currency,
            "total": amount,
        }
        for number, customer, due_in, amount, currency in INVOICES
    ]
    return {"tenantName": "Toko Sumber Rejeki (Xero)", "country": "ID", "contacts": contacts, "invoices": invoices}


# -- the owner's payment instructions (the pay page of invoices with no online payment page) --------------------


def save_payment_instructions() -> None:
    """What the owner typed on the dashboard's Payments page."""
    from chalicelib.domain.records import BankAccount, PaymentInstructions

    bootstrap.container().stores.payment_instructions.save(
        ORG_ID,
        PaymentInstructions(
            bank_accounts=(BankAccount(bank="BCA", account_number="123 456 7890", holder=BUSINESS_NAME),),
            e_wallet=f"GoPay 0812-3456-7890 ({BUSINESS_NAME})",
        ),
    )


# -- an Australian branch in Xero: its customers' numbers are read as Australian ---------------------------------

AU_BRANCH = "Sumber Rejeki Trading Pty Ltd"
# (name, mobile as typed in Xero with no country code, E.164 Lunas must read, opted in)
AU_CUSTOMERS = (("Olivia Smith", "0412 345 678", "+61412345678"), ("Harbour Cafe", "0499 876 543", "+61499876543"))


def seed_australian_branch(sandbox: Sandbox, today: dt.date) -> Connection:
    """A second Xero organisation, in Sydney: connected, its country read from Xero's Organisation as at connect."""
    tenant = sandbox.xero.seed(
        {
            "tenantName": AU_BRANCH,
            "country": "AU",
            "currency": "AUD",
            "contacts": [
                {"name": n, "phones": {"MOBILE": {"countryCode": "", "areaCode": "", "number": m}}}
                for n, m, _ in AU_CUSTOMERS
            ],
            "invoices": [
                {
                    "number": f"AU-{100 + i}",
                    "contact": name,
                    "status": "AUTHORISED",
                    "date": (today - dt.timedelta(days=36)).isoformat(),
                    "dueDate": (today - dt.timedelta(days=6)).isoformat(),
                    "currency": "AUD",
                    "total": "480.00",
                }
                for i, (name, _, _) in enumerate(AU_CUSTOMERS)
            ],
        }
    )
    connection = connect_xero(sandbox, ORG_ID, tenant, read_profile=True)
    for name, _, phone in AU_CUSTOMERS:
        record_consent(phone, name)
    return connection
