"""Helpers shared by the QuickBooks tests: seed shapes, a token provider backed by the fake, a fake clock."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from chalicelib.adapters.quickbooks import QuickBooksAccountingGateway
from chalicelib.adapters.quickbooks_oauth import QuickBooksTokenRefresher
from chalicelib.adapters.quickbooks_transport import RequestPacer
from sandbox.fakehttp import Fault
from sandbox.quickbooks import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, FakeQuickBooks
from tests.token_support import FakeTokenProvider

TOKEN_PATH = "/oauth2/v1/tokens/bearer"
REVOKE_PATH = "/v2/oauth2/tokens/revoke"


@dataclass
class FakeTime:
    """A monotonic clock and a sleep that only moves it (and, optionally, the fake's own clock): tests never wait."""

    fake: FakeQuickBooks | None = None
    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        if self.fake is not None:
            self.fake.advance(seconds)


def refresher_for(fake: FakeQuickBooks, time: FakeTime | None = None) -> QuickBooksTokenRefresher:
    return QuickBooksTokenRefresher(
        client_id=DEFAULT_CLIENT_ID,
        client_secret=DEFAULT_CLIENT_SECRET,
        token_url=fake.url + TOKEN_PATH,
        revoke_url=fake.url + REVOKE_PATH,
        authorize_url=fake.url + "/connect/oauth2",
        now=fake.clock.now,
        sleep=(time or FakeTime()).sleep,
    )


def gateway_for(
    fake: FakeQuickBooks,
    realm_id: str,
    *,
    country: str = "ID",
    time: FakeTime | None = None,
    max_rate_waits: int = 2,
    pacer: RequestPacer | None = None,
) -> tuple[QuickBooksAccountingGateway, FakeTokenProvider]:
    time = time or FakeTime()
    provider = FakeTokenProvider(fake.issue_tokens(realm_id), refresher_for(fake), issued_at=fake.clock.now())
    gateway = QuickBooksAccountingGateway(
        connection_id=f"quickbooks:{realm_id}",
        realm_id=realm_id,
        country=country,
        access_token=provider,
        api_base=fake.url,
        pacer=pacer or RequestPacer(clock=time.clock, sleep=time.sleep),
        sleep=time.sleep,
        max_rate_waits=max_rate_waits,
    )
    return gateway, provider


def volume_seed(invoices: int, customers: int = 1, *, name: str = "PT Volume") -> dict[str, Any]:
    """`invoices` open invoices spread over `customers` customers, each with an Indonesian mobile."""
    people = [{"id": str(n + 1), "displayName": f"Customer {n}", "mobile": f"0812 {n:08d}"} for n in range(customers)]
    rows = [
        {
            "docNumber": f"{n + 1:05d}",
            "customer": people[n % customers]["id"],
            "txnDate": "2026-11-01",
            "dueDate": "2026-11-20",
            "total": "100000",
        }
        for n in range(invoices)
    ]
    return {"companyName": name, "country": "ID", "currency": "IDR", "customers": people, "invoices": rows}


def add_fault(
    fake: FakeQuickBooks,
    path: str,
    status: int,
    *,
    body: Any = None,
    headers: dict[str, str] | None = None,
    times: int = 1,
) -> None:
    """Answer the next `times` matching requests (-1: all) with this status, like POST /_sandbox/faults."""
    fake.add_fault(
        Fault(method=None, path=re.compile(path), status=status, headers=headers or {}, body=body, times=times)
    )
