"""QuickBooks for the end-to-end world builder: a QuickBooks company connected to a Lunas organisation.

`QuickBooksCompany` attaches a company to any `World` (so one organisation can have Xero and QuickBooks at once);
`QuickBooksWorld` is a `World` whose only connection is a QuickBooks company. Tokens come from the fake's consent
page and are exchanged through intuit-oauth (QuickBooksTokenRefresher), like the real connect flow.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from chalicelib import bootstrap
from chalicelib.adapters.quickbooks_oauth import QuickBooksTokenRefresher
from chalicelib.domain.models import Connection, ConnectionStatus, ReminderSettings, WhatsAppAccount
from sandbox.run import META_APP_SECRET
from tests.world import World


@dataclass
class QuickBooksCompany:
    """Customers and invoices of one QuickBooks company, then `connect()` it to the world's organisation."""

    world: World
    name: str = "PT Maju Bersama"
    customers: list[dict[str, Any]] = field(default_factory=list)
    invoices: list[dict[str, Any]] = field(default_factory=list)
    realm_id: str = ""
    invoice_ids: dict[str, str] = field(default_factory=dict)
    customer_ids: dict[str, str] = field(default_factory=dict)

    @property
    def connection_id(self) -> str:
        return f"quickbooks:{self.realm_id}"

    def customer(self, name: str, mobile: str | None = None, *, primary_phone: str | None = None) -> str:
        self.customers.append({"displayName": name, "mobile": mobile or "", "primaryPhone": primary_phone or ""})
        return name

    def invoice(
        self, number: str, customer: str, *, due_in_days: int, amount: str = "1250000", online_payment: bool = True
    ) -> str:
        """`online_payment=False`: QuickBooks Payments off (as in Indonesia), so the invoice has no InvoiceLink."""
        due = self.world.today + dt.timedelta(days=due_in_days)
        self.invoices.append(
            {
                "docNumber": number,
                "customer": customer,
                "txnDate": (due - dt.timedelta(days=30)).isoformat(),
                "dueDate": due.isoformat(),
                "total": amount,
                "onlinePayment": online_payment,
            }
        )
        return number

    def connect(self) -> QuickBooksCompany:
        fake = self.world.sandbox.quickbooks
        seeded = fake.seed({"companyName": self.name, "customers": self.customers, "invoices": self.invoices})
        self.realm_id, self.invoice_ids, self.customer_ids = seeded["realmId"], seeded["invoices"], seeded["customers"]
        config = self.world.sandbox.urls["env"]
        refresher = QuickBooksTokenRefresher(
            client_id=config["INTUIT_CLIENT_ID"],
            client_secret=config["INTUIT_CLIENT_SECRET"],
            token_url=config["INTUIT_TOKEN_URL"],
            revoke_url=config["INTUIT_REVOKE_URL"],
            authorize_url=config["INTUIT_AUTHORIZE_URL"],
            now=self.world.sandbox.clock.now,
        )
        tokens = refresher.exchange_code(fake.issue_authorization_code(self.realm_id), self.realm_id)
        bootstrap.container().stores.connections.add(
            Connection(
                org_id=self.world.org_id,
                connection_id=self.connection_id,
                provider="quickbooks",
                tenant_id=self.realm_id,
                tenant_name=self.name,
            ),
            tokens,
        )
        return self

    def run_cycle(self) -> str:
        from chalicelib.worker import run_connection_cycle

        return run_connection_cycle(self.world.org_id, self.connection_id)

    def pay(self, number: str) -> None:
        self.world.sandbox.quickbooks.pay(self.realm_id, self.invoice_ids[number])

    def retire(self) -> None:
        bootstrap.container().stores.connections.set_status(
            self.world.org_id, self.connection_id, ConnectionStatus.DISCONNECTED
        )


@dataclass
class QuickBooksWorld(World):
    """An organisation whose books are in QuickBooks only."""

    company: QuickBooksCompany | None = None

    @property
    def connection_id(self) -> str:
        return self.qbo.connection_id

    @property
    def qbo(self) -> QuickBooksCompany:
        if self.company is None:
            self.company = QuickBooksCompany(self)
        return self.company

    def create(self, **settings: Any) -> QuickBooksWorld:
        """Register the WhatsApp number with fake Meta, store the organisation, connect the QuickBooks company."""
        token = f"EAAG{uuid.uuid4().hex}"
        self.sandbox.meta.register_phone_number(
            self.phone_number_id,
            access_token=token,
            waba_id=self.waba_id,
            display_phone_number="+62 21 5555 0001",
            app_secret=META_APP_SECRET,
            webhook_url=f"{self.sandbox.app_url}/webhooks/whatsapp",
        )
        self.settings = ReminderSettings(org_id=self.org_id, business_name="PT Maju Bersama", **settings)
        bootstrap.container().stores.organisations.save(
            self.settings,
            WhatsAppAccount(phone_number_id=self.phone_number_id, business_account_id=self.waba_id, access_token=token),
        )
        self.qbo.connect()
        self.tenant_id = self.qbo.realm_id
        return self
