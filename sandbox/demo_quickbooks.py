"""The demo organisation's second accounting source: a QuickBooks Online company of the same business group.

`seed_quickbooks_company(sandbox, org_id, today)` seeds the fake QuickBooks with an Indonesian distributor, connects
it to the (already created) organisation through the real token exchange (intuit-oauth against the fake), and
returns the Connection. Consent is the caller's business: `CONSENTED_PHONES` lists the numbers the demo story
assumes agreed to WhatsApp reminders.

The story: Budi Santoso buys from both companies, so his number (+6281234567001) is in Xero and in QuickBooks; he
gets one message that day, and the other source's invoice shows `already_messaged_today`. One customer has only
an office landline (`invalid_phone`), one invoice is due today, one not yet, one customer has two overdue invoices
(one statement). QuickBooks Payments is not offered in Indonesia, so no invoice has a pay link: the reminders' pay
button opens Lunas' payment page with the owner's bank details.
"""

from __future__ import annotations

import datetime as dt

from chalicelib.domain.models import Connection
from sandbox.connect import connect_quickbooks
from sandbox.run import Sandbox

COMPANY_NAME = "PT Sumber Rejeki Distribusi"
SHARED_PHONE = "+6281234567001"  # Budi Santoso, also a customer in the Xero demo

# (DisplayName, Mobile, PrimaryPhone) as a bookkeeper types them: free text, mostly national format
CUSTOMERS = (
    ("Budi Santoso (CV Budi Jaya)", "0812-3456-7001", ""),
    ("PT Karya Mandiri", "+62 812 7654 3210", "(021) 5790 1122"),
    ("Toko Bangunan Sejahtera", "0813 2468 1357", ""),
    ("Ibu Dewi Lestari", "", "(022) 420 1234"),  # office landline only: never used for WhatsApp
    ("CV Maju Terus", "0856 1122 3344", ""),
)
CONSENTED_PHONES = ("+6281234567001", "+6281276543210", "+6281324681357", "+6285611223344")

# (DocNumber, customer, days from today to the due date, amount in IDR)
INVOICES = (
    ("QB-1042", "Budi Santoso (CV Budi Jaya)", -4, "2150000"),
    ("QB-1037", "PT Karya Mandiri", -8, "4800000"),
    ("QB-1029", "PT Karya Mandiri", -15, "1275000"),
    ("QB-1051", "Toko Bangunan Sejahtera", 0, "3300000"),
    ("QB-1045", "Ibu Dewi Lestari", -7, "650000"),
    ("QB-1058", "CV Maju Terus", 10, "9900000"),
)


def quickbooks_spec(today: dt.date) -> dict[str, object]:
    return {
        "companyName": COMPANY_NAME,
        "country": "ID",
        "currency": "IDR",
        "customers": [{"displayName": n, "mobile": m, "primaryPhone": p} for n, m, p in CUSTOMERS],
        "invoices": [
            {
                "docNumber": number,
                "customer": customer,
                "txnDate": (today + dt.timedelta(days=days - 30)).isoformat(),
                "dueDate": (today + dt.timedelta(days=days)).isoformat(),
                "total": amount,
                "currency": "IDR",
                # QuickBooks Payments is not offered in Indonesia: no InvoiceLink, the pay page says how to pay
                "onlinePayment": False,
            }
            for number, customer, days, amount in INVOICES
        ],
    }


def seed_quickbooks_company(sandbox: Sandbox, org_id: str, today: dt.date) -> Connection:
    """Seed the fake QuickBooks company and connect it to `org_id` (which must exist). Returns the connection."""
    seeded = sandbox.quickbooks.seed(quickbooks_spec(today))
    return connect_quickbooks(sandbox, org_id, str(seeded["realmId"]), COMPANY_NAME)
