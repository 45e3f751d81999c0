"""A small world builder for end-to-end tests: one organisation with a connected Xero tenant and a WhatsApp number.

Everything goes through the real pieces: the fake Xero is seeded over its Python admin API, tokens come from its
token endpoint, consent is recorded through the repository the CLI uses, and cycles run through app.py's handlers.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib import bootstrap
from chalicelib.domain.models import (
    Connection,
    ConnectionStatus,
    Consent,
    ConsentStatus,
    OAuthTokens,
    ReminderSettings,
    WhatsAppAccount,
)
from sandbox.run import META_APP_SECRET, Sandbox

JAKARTA = ZoneInfo("Asia/Jakarta")
# A Tuesday, 10:00 in Jakarta: inside the default send window.
TUESDAY_10_JAKARTA = dt.datetime(2026, 11, 24, 10, 0, tzinfo=JAKARTA)


_RUNNING: list[Sandbox] = []  # the test session's sandbox (tests/conftest.py registers it)


def set_clock(now: dt.datetime) -> None:
    """Set the running sandbox's one clock to `now`: Lunas and every fake (webhook timestamps, token expiry, Xero's
    UpdatedDateUTC...) read it, and it runs on from there."""
    _RUNNING[-1].clock.pin(now)


def phone_parts(e164: str) -> dict[str, str]:
    """Xero's MOBILE slot for an Indonesian E.164 number (+62 812 ...)."""
    digits = e164.removeprefix("+")
    return {"countryCode": digits[:2], "areaCode": digits[2:5], "number": digits[5:]}


@dataclass
class World:
    sandbox: Sandbox
    today: dt.date
    org_id: str = field(default_factory=lambda: f"org-{uuid.uuid4().hex[:10]}")
    tenant_id: str = ""
    phone_number_id: str = field(default_factory=lambda: f"pn{uuid.uuid4().int % 10**12}")
    waba_id: str = field(default_factory=lambda: f"waba{uuid.uuid4().int % 10**12}")
    contacts: list[dict[str, Any]] = field(default_factory=list)
    invoices: list[dict[str, Any]] = field(default_factory=list)
    invoice_ids: dict[str, str] = field(default_factory=dict)
    settings: ReminderSettings | None = None

    @property
    def connection_id(self) -> str:
        return f"xero:{self.tenant_id}"

    def customer(self, name: str, phone: str | None = None, *, landline: str | None = None) -> str:
        phones: dict[str, Any] = {}
        if phone:
            phones["MOBILE"] = phone_parts(phone)
        if landline:
            phones["DEFAULT"] = landline
        self.contacts.append({"name": name, "phones": phones})
        return name

    def invoice(
        self, number: str, customer: str, *, due_in_days: int, amount: str = "1250000", currency: str = "IDR"
    ) -> str:
        due = self.today + dt.timedelta(days=due_in_days)
        self.invoices.append(
            {
                "number": number,
                "contact": customer,
                "status": "AUTHORISED",
                "date": (due - dt.timedelta(days=30)).isoformat(),
                "dueDate": due.isoformat(),
                "currency": currency,
                "total": amount,
            }
        )
        return number

    def consent(self, phone: str, status: ConsentStatus = ConsentStatus.OPTED_IN) -> None:
        bootstrap.container().stores.consents.record(
            Consent(
                org_id=self.org_id,
                phone=phone,
                status=status,
                source="signed_form",
                evidence="Customer signed the WhatsApp reminders form on 2026-10-01",
                captured_at=dt.datetime(2026, 10, 1, tzinfo=dt.UTC),
            )
        )

    def create(self, **settings: Any) -> World:
        """Seed Xero, register the WhatsApp number with fake Meta, store the organisation and its connection."""
        seeded = self.sandbox.xero.seed(
            {"tenantName": f"Toko {self.org_id}", "contacts": self.contacts, "invoices": self.invoices}
        )
        self.tenant_id = seeded["tenantId"]
        self.invoice_ids = seeded["invoices"]
        token = f"EAAG{uuid.uuid4().hex}"
        self.sandbox.meta.register_phone_number(
            self.phone_number_id,
            access_token=token,
            waba_id=self.waba_id,
            display_phone_number="+62 21 5555 0000",
            app_secret=META_APP_SECRET,
            webhook_url=f"{self.sandbox.app_url}/webhooks/whatsapp",
        )
        self.settings = ReminderSettings(org_id=self.org_id, business_name="Toko Sumber Rejeki", **settings)
        stores = bootstrap.container().stores
        stores.organisations.save(
            self.settings,
            WhatsAppAccount(phone_number_id=self.phone_number_id, business_account_id=self.waba_id, access_token=token),
        )
        issued = self.sandbox.xero.issue_tokens([self.tenant_id])
        stores.connections.add(
            Connection(org_id=self.org_id, connection_id=self.connection_id, provider="xero", tenant_id=self.tenant_id),
            OAuthTokens(
                access_token=issued["access_token"],
                refresh_token=issued["refresh_token"],
                expires_at=self.sandbox.clock.now() + dt.timedelta(seconds=int(issued["expires_in"])),
            ),
        )
        return self

    def retire(self) -> None:
        """Stop this world's connection from being picked up by later tests' fan-outs."""
        bootstrap.container().stores.connections.set_status(
            self.org_id, self.connection_id, ConnectionStatus.DISCONNECTED
        )

    # -- running and reading ----------------------------------------------------------------------------------

    def run_cycle(self) -> str:
        from chalicelib.worker import run_connection_cycle

        return run_connection_cycle(self.org_id, self.connection_id)

    def sqs_event(self, message_id: str = "m-1") -> dict[str, Any]:
        body = json.dumps({"org_id": self.org_id, "connection_id": self.connection_id})
        return {
            "Records": [
                {
                    "messageId": message_id,
                    "receiptHandle": f"rh-{message_id}",
                    "body": body,
                    "attributes": {"ApproximateReceiveCount": "1"},
                    "messageAttributes": {},
                    "md5OfBody": "",
                    "eventSource": "aws:sqs",
                    "eventSourceARN": "arn:aws:sqs:ap-southeast-3:123456789012:lunas-reminders",
                    "awsRegion": "ap-southeast-3",
                }
            ]
        }

    def decisions(self) -> dict[str, tuple[str, str]]:
        """Invoice number -> (reason, detail), as the owner would see them."""
        views = bootstrap.container().stores.decisions.for_org(self.org_id)
        return {v.number: (v.reason.value, v.detail) for v in views}

    def reasons(self) -> dict[str, str]:
        return {number: reason for number, (reason, _) in self.decisions().items()}

    def messages(self) -> list[dict[str, Any]]:
        return self.sandbox.meta.messages(phone_number_id=self.phone_number_id)
