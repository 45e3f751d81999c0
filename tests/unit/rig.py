"""One organisation on the in-memory stores, with the reminder cycle and Meta's webhook processing wired to them.

The default: one Xero connection, an opted-in customer (`P1`) and an invoice 10 days overdue (its d+7 reminder is
due), on a Tuesday 10:00 in Jakarta, every template approved, and the organisation's WhatsApp number routed to it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from chalicelib.domain.models import (
    TEMPLATE_NAMES,
    Connection,
    Customer,
    Decision,
    Invoice,
    ReminderSettings,
    TemplateRef,
    WhatsAppAccount,
)
from chalicelib.services.reminders import CycleDependencies, CycleResult, run_cycle
from chalicelib.webhooks.whatsapp import WhatsAppWebhookDependencies, WhatsAppWebhookProcessor
from tests.builders import CONN, TUESDAY_10_JKT, consent, customer, invoice
from tests.memory_stores import MemoryStores
from tests.unit.fakes import FakeGateway, FakeSender, FixedClock, envelope, wire

ORG = "org-unit"
P1 = "+6281200000001"
PHONE_NUMBER_ID = "106540352242922"
WABA_ID = "102290129340398"
ALL_TEMPLATES = frozenset(TemplateRef(name, lang) for name in TEMPLATE_NAMES.values() for lang in ("id", "en"))
REPLY_PAUSE = dt.timedelta(days=3)


@dataclass
class Rig:
    clock: FixedClock = field(default_factory=lambda: FixedClock(TUESDAY_10_JKT))
    stores: MemoryStores = field(default_factory=MemoryStores)
    sender: FakeSender = field(default_factory=FakeSender)
    settings: ReminderSettings = field(default_factory=lambda: ReminderSettings(org_id=ORG, business_name="Toko Maju"))
    approved: frozenset[TemplateRef] = ALL_TEMPLATES
    recheck_after: dt.timedelta = dt.timedelta(seconds=60)
    gateways: dict[str, FakeGateway] = field(default_factory=dict)
    slept: list[float] = field(default_factory=list)
    account: WhatsAppAccount = field(
        default_factory=lambda: WhatsAppAccount(
            phone_number_id=PHONE_NUMBER_ID, business_account_id=WABA_ID, access_token="EAAG"
        )
    )

    def __post_init__(self) -> None:
        self.gateway(CONN, [invoice("INV-1")], [customer("C1", P1)])
        self.stores.consents.record(consent(ORG, P1))
        self.stores.organisations.save(self.settings, self.account)

    # -- the reminder cycle --

    def gateway(
        self, connection_id: str, invoices: list[Invoice] | None = None, customers: list[Customer] | None = None
    ) -> FakeGateway:
        if connection_id not in self.gateways:
            self.gateways[connection_id] = FakeGateway(connection_id, invoices or [], customers or [])
        return self.gateways[connection_id]

    def deps(self, connection_id: str = CONN) -> CycleDependencies:
        s = self.stores
        return wire(
            CycleDependencies,
            clock=self.clock,
            settings=self.settings,
            gateway=self.gateway(connection_id),
            sender=self.sender,
            consents=s.consents,
            phone_flags=s.phone_flags,
            holds=s.holds,
            ledger=s.ledger,
            decision_log=s.decisions,
            payment_links=s.payment_links,
            approved_templates=lambda: self.approved,
            public_base_url="https://lunas.test",
            recheck_after=self.recheck_after,
            elapsed=lambda: 0.0,  # the first read is never older than `recheck_after` unless that is 0
            sleep=self.slept.append,  # pacing and backoff waits are recorded, never slept
            account=self.account,
            recipients=s.ledger,
            alerts=s.whatsapp_alerts,
        )

    def cycle(self, connection_id: str = CONN) -> CycleResult:
        provider = connection_id.split(":", 1)[0]
        connection = Connection(org_id=ORG, connection_id=connection_id, provider=provider, tenant_id=connection_id)
        return run_cycle(connection, self.deps(connection_id))

    def replace_invoice(self, invoice_id: str = "INV-1", connection_id: str = CONN, **changes: Any) -> None:
        gateway = self.gateway(connection_id)
        gateway.invoices[invoice_id] = dataclasses.replace(gateway.invoices[invoice_id], **changes)

    def replace_customer(self, customer_id: str = "C1", connection_id: str = CONN, **changes: Any) -> None:
        gateway = self.gateway(connection_id)
        gateway.customer_records[customer_id] = dataclasses.replace(gateway.customer_records[customer_id], **changes)

    # -- Meta's webhooks --

    def webhook(self, value: dict[str, Any], phone_number_id: str = PHONE_NUMBER_ID) -> Any:
        """Process one Meta webhook body (a `messages` change for this number), as the webhook worker does."""
        s = self.stores
        deps = wire(
            WhatsAppWebhookDependencies,
            clock=self.clock,
            routes=s.routes,
            seen=s.seen,
            ledger=s.ledger,
            phone_flags=s.phone_flags,
            consents=s.consents,
            replies=s.replies,
            claims=s.claims,
            bsuids=s.bsuids,
            preferences=s.preferences,
            settings_for=s.organisations.settings,
            sender_for=lambda org_id: self.sender,
            holds=s.holds,
            templates=s.templates,
            reply_pause=REPLY_PAUSE,
        )
        return WhatsAppWebhookProcessor(deps).process(envelope(phone_number_id, value))


def decision(result: CycleResult, invoice_id: str = "INV-1") -> Decision:
    [found] = [d for d in result.decisions if d.invoice.invoice_id == invoice_id]
    return found
