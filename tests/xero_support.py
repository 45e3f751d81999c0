"""Helpers shared by the Xero tests: seed shapes, a token provider backed by the fake, a recording sleep."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from chalicelib.adapters.xero import XeroAccountingGateway
from chalicelib.adapters.xero_oauth import XeroTokenRefresher
from sandbox.fakehttp import Fault
from sandbox.xero import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, FakeXero
from tests.token_support import FakeTokenProvider


@dataclass
class RecordingSleep:
    """Injected instead of time.sleep: remembers the waits and, optionally, moves the fake's clock instead."""

    fake: FakeXero | None = None
    calls: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        if self.fake is not None:
            self.fake.advance(seconds)


def refresher_for(fake: FakeXero, sleep: RecordingSleep | None = None) -> XeroTokenRefresher:
    return XeroTokenRefresher(
        client_id=DEFAULT_CLIENT_ID,
        client_secret=DEFAULT_CLIENT_SECRET,
        identity_base=fake.url,
        now=fake.clock.now,
        sleep=sleep or RecordingSleep(),
    )


def gateway_for(
    fake: FakeXero,
    tenant_id: str,
    *,
    country: str = "ID",
    sleep: RecordingSleep | None = None,
    max_retry_wait_seconds: float = 60,
) -> tuple[XeroAccountingGateway, FakeTokenProvider]:
    provider = FakeTokenProvider(fake.issue_tokens([tenant_id]), refresher_for(fake), issued_at=fake.clock.now())
    gateway = XeroAccountingGateway(
        connection_id=f"conn-{tenant_id[:8]}",
        tenant_id=tenant_id,
        country=country,
        access_token=provider,
        api_base=fake.url,
        sleep=sleep or RecordingSleep(),
        max_retry_wait_seconds=max_retry_wait_seconds,
    )
    return gateway, provider


def mobile(country: str, area: str, number: str) -> dict[str, str]:
    return {"countryCode": country, "areaCode": area, "number": number}


def volume_seed(invoices: int, contacts: int = 1, *, name: str = "Toko Volume") -> dict[str, Any]:
    """`invoices` open invoices spread over `contacts` customers, each with an Indonesian mobile."""
    people = [
        {
            "contactId": f"00000000-0000-4000-8000-{n:012d}",
            "name": f"Customer {n}",
            "phones": {"MOBILE": f"0812 {n:08d}"},
        }
        for n in range(contacts)
    ]
    rows = [
        {
            "number": f"INV-{n:05d}",
            "contact": people[n % contacts]["contactId"],
            "date": "2026-11-01",
            "dueDate": "2026-11-20",
            "total": "100000.00",
        }
        for n in range(invoices)
    ]
    return {"tenantName": name, "country": "ID", "currency": "IDR", "contacts": people, "invoices": rows}


def add_fault(
    fake: FakeXero, path: str, status: int, headers: dict[str, str], *, times: int = 1, body: Any = None
) -> None:
    """Answer the next `times` matching requests (-1: all) with this status, like POST /_sandbox/faults."""
    fake.add_fault(Fault(method=None, path=re.compile(path), status=status, headers=headers, body=body, times=times))
