"""QuickBooks gateway and token refresher: real python-quickbooks and intuit-oauth against the fake."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from chalicelib.adapters.quickbooks import QuickBooksFault
from chalicelib.adapters.quickbooks_oauth import PRODUCTION_DISCOVERY, QuickBooksTokenRefresher
from chalicelib.adapters.quickbooks_transport import RequestPacer
from chalicelib.domain.changes import ChangesUnavailable
from chalicelib.domain.errors import AccountingError, AccountingRateLimited, ReconnectNeeded
from chalicelib.domain.models import InvoiceStatus, Money, Reason
from sandbox.clock import SandboxClock
from sandbox.quickbooks import FakeQuickBooks, fault_body, throttle_xml
from tests.qbo_support import FakeTime, add_fault, gateway_for, refresher_for, volume_seed

REALM = "9341000000042"
QUERY = r"/query$"
SHOP: dict[str, Any] = {
    "realmId": REALM,
    "companyName": "PT Maju Jaya",
    "customers": [
        {"id": "1", "displayName": "Mobile First", "mobile": "0812-3456-7001", "primaryPhone": "0813 1111 2222"},
        {"id": "2", "displayName": "Primary Only", "primaryPhone": "0813 1111 2222"},
        {"id": "3", "displayName": "Landline", "primaryPhone": "(021) 555 0100"},
        {"id": "4", "displayName": "Nobody Home"},
        {"id": "5", "displayName": "Abroad", "mobile": "+1 415-555-0199"},
        {"id": "6", "displayName": "Gone Quiet", "mobile": "0812 3456 7006", "active": False},
        {"id": "7", "displayName": "Bad Mobile Good Primary", "mobile": "12", "primaryPhone": "0813 7777 8888"},
    ],
    "invoices": [
        {"id": "101", "docNumber": "1001", "customer": "1", "txnDate": "2026-11-01", "dueDate": "2026-11-15",
         "total": "1234567.89", "balance": "1000000.89", "updatedAt": "2026-11-02T03:04:05-08:00"},
        {"id": "102", "docNumber": "1002", "customer": "5", "dueDate": "2026-12-01", "total": "0.10",
         "currency": "USD", "onlinePayment": False},
        {"id": "103", "docNumber": "1003", "customer": "1", "dueDate": "2026-10-01", "total": "5", "balance": "0"},
        {"id": "104", "docNumber": "1004", "customer": "6", "dueDate": "2026-10-01", "total": "750000"},
    ],
}  # fmt: skip


@pytest.fixture
def fake() -> Iterator[FakeQuickBooks]:
    server = FakeQuickBooks()
    server.start()
    server.seed(SHOP)
    yield server
    server.stop()


@pytest.fixture
def time(fake: FakeQuickBooks) -> FakeTime:
    return FakeTime(fake=fake)


def test_open_invoices_are_mapped_with_decimal_money_currency_and_links(fake: FakeQuickBooks, time: FakeTime) -> None:
    gateway, _ = gateway_for(fake, REALM, time=time)
    invoices = {i.number: i for i in gateway.open_invoices()}
    assert set(invoices) == {"1001", "1002", "1004"}
    first = invoices["1001"]
    assert first.amount_due == Money(Decimal("1000000.89"), "IDR")
    assert isinstance(first.amount_due.amount, Decimal)
    assert (first.source, first.connection_id, first.invoice_id) == ("quickbooks", f"quickbooks:{REALM}", "101")
    assert (first.customer_id, first.customer_name) == ("1", "Mobile First")
    assert (first.due_date, first.issue_date) == (dt.date(2026, 11, 15), dt.date(2026, 11, 1))
    assert first.updated_at == dt.datetime(2026, 11, 2, 11, 4, 5, tzinfo=dt.UTC)
    assert first.status is InvoiceStatus.OPEN
    assert first.payment_link and first.payment_link.startswith("https://connect.intuit.com/")
    assert invoices["1002"].amount_due == Money(Decimal("0.10"), "USD")
    assert invoices["1002"].payment_link is None  # not set up for online payment
    [call] = fake.api_calls(REALM)
    assert call["body"].startswith("SELECT * FROM Invoice WHERE Balance > '0'")
    assert call["query"]["minorversion"] == ["75"] and call["query"]["include"] == ["invoiceLink"]


def test_paging_past_1000_uses_startposition(fake: FakeQuickBooks, time: FakeTime) -> None:
    realm = fake.seed({**volume_seed(1005, 3), "realmId": "9341000000100"})["realmId"]
    gateway, _ = gateway_for(fake, realm, time=time)
    invoices = gateway.open_invoices()
    assert len(invoices) == 1005 and len({i.invoice_id for i in invoices}) == 1005
    bodies = [c["body"] for c in fake.api_calls(realm)]
    assert [b.split("STARTPOSITION")[1].strip() for b in bodies] == ["1 MAXRESULTS 1000", "1001 MAXRESULTS 1000"]


def test_customers_in_batches_with_phones_mobile_first(fake: FakeQuickBooks, time: FakeTime) -> None:
    gateway, _ = gateway_for(fake, REALM, time=time)
    customers = gateway.customers(["1", "2", "3", "4", "5", "6", "7", "1"])
    phones = {c.name: (c.phone, c.phone_problem) for c in customers.values()}
    assert phones == {
        "Mobile First": ("+6281234567001", None),
        "Primary Only": ("+6281311112222", None),
        "Landline": (None, Reason.INVALID_PHONE),
        "Nobody Home": (None, Reason.NO_PHONE),
        "Abroad": ("+14155550199", None),
        "Gone Quiet": ("+6281234567006", None),  # inactive in QuickBooks, but its invoice is still open
        "Bad Mobile Good Primary": ("+6281377778888", None),
    }
    [call] = fake.api_calls(REALM)
    assert "Active IN (true, false)" in call["body"] and "Id IN ('1', '2'," in call["body"]


def test_customer_batches_are_limited(fake: FakeQuickBooks, time: FakeTime) -> None:
    realm = fake.seed({**volume_seed(1, 250), "realmId": "9341000000101"})["realmId"]
    gateway, _ = gateway_for(fake, realm, time=time)
    assert len(gateway.customers([str(n) for n in range(1, 251)])) == 250
    assert len(fake.api_calls(realm)) == 3  # 100 ids per query, never one call per customer


def test_invoices_by_id_returns_paid_and_voided_and_drops_deleted(fake: FakeQuickBooks, time: FakeTime) -> None:
    gateway, _ = gateway_for(fake, REALM, time=time)
    fake.pay(REALM, "101")
    fake.void(REALM, "104")
    fake.delete(REALM, "102")
    fresh = {i.invoice_id: i for i in gateway.invoices_by_id(["101", "102", "103", "104"])}
    assert set(fresh) == {"101", "103", "104"}
    assert fresh["101"].status is InvoiceStatus.PAID and fresh["101"].amount_due.amount == 0
    assert fresh["103"].status is InvoiceStatus.PAID
    assert fresh["104"].status is InvoiceStatus.VOIDED
    assert len(fake.api_calls(REALM)) == 1


def test_expired_access_token_is_refreshed_once_and_the_call_retried(fake: FakeQuickBooks, time: FakeTime) -> None:
    gateway, provider = gateway_for(fake, REALM, time=time)
    fake.advance(3601)
    assert len(gateway.open_invoices()) == 3
    assert provider.refreshes == 1 and provider.calls == [False, True]
    assert [c["path"] for c in fake.recorded()].count("/oauth2/v1/tokens/bearer") == 1


def test_a_401_after_refreshing_is_an_accounting_error(fake: FakeQuickBooks, time: FakeTime) -> None:
    gateway, provider = gateway_for(fake, REALM, time=time)
    add_fault(fake, QUERY, 401, body={"fault": {"error": [{"code": "3200"}], "type": "AUTHENTICATION"}}, times=2)
    with pytest.raises(AccountingError, match="authentication failed"):
        gateway.open_invoices()
    assert provider.refreshes == 1


def test_revoked_connection_needs_a_reconnect(fake: FakeQuickBooks, time: FakeTime) -> None:
    gateway, _ = gateway_for(fake, REALM, time=time)
    fake.disconnect(REALM)
    with pytest.raises(ReconnectNeeded):
        gateway.open_invoices()


def test_a_403_means_reconnect(fake: FakeQuickBooks, time: FakeTime) -> None:
    gateway, _ = gateway_for(fake, REALM, time=time)
    add_fault(fake, QUERY, 403, body={"fault": {"error": [{"code": "3100"}], "type": "AUTHORIZATION"}})
    with pytest.raises(ReconnectNeeded):
        gateway.open_invoices()


def test_xml_429_waits_60_seconds_and_resumes_the_same_page(fake: FakeQuickBooks, time: FakeTime) -> None:
    """The fake's real per-minute limit: the second page gets Intuit's XML 429; the sweep waits and goes on."""
    realm = fake.seed({**volume_seed(1500), "realmId": "9341000000102"})["realmId"]
    gateway, _ = gateway_for(fake, realm, time=time)
    fake.set_limits({"perMinute": 1, "resetCounters": True})
    invoices = gateway.open_invoices()
    assert len(invoices) == 1500
    assert time.sleeps == [60.0]
    calls = fake.api_calls(realm)
    assert len(calls) == 3
    assert calls[0]["body"] != calls[1]["body"] == calls[2]["body"]  # the throttled page again, not the whole sweep
    assert calls[1]["headers"]["accept"] == "application/json"  # JSON was asked for; XML came back


def test_throttling_that_does_not_stop_raises_rate_limited(fake: FakeQuickBooks, time: FakeTime) -> None:
    gateway, _ = gateway_for(fake, REALM, time=time, max_rate_waits=2)
    xml = throttle_xml(fake.now()).decode()
    add_fault(fake, QUERY, 429, body=xml, headers={"Content-Type": "application/xml"}, times=-1)
    with pytest.raises(AccountingRateLimited) as raised:
        gateway.open_invoices()
    assert raised.value.retry_after_seconds == 60 and raised.value.problem == "throttle"
    assert time.sleeps == [60.0, 60.0]


def test_a_json_throttle_fault_is_a_throttle_too(fake: FakeQuickBooks, time: FakeTime) -> None:
    gateway, _ = gateway_for(fake, REALM, time=time)
    body = fault_body("ThrottleExceeded", "3001", "message=ThrottleExceeded", "Try again later", fake.now())
    add_fault(fake, QUERY, 429, body=body)
    assert len(gateway.open_invoices()) == 3
    assert time.sleeps == [60.0]


@pytest.mark.parametrize("status", [200, 400])
def test_fault_bodies_become_our_errors_even_with_http_200(fake: FakeQuickBooks, time: FakeTime, status: int) -> None:
    gateway, _ = gateway_for(fake, REALM, time=time)
    body = fault_body("ValidationFault", "2500", "Invalid Reference Id", "Something is wrong", fake.now())
    add_fault(fake, QUERY, status, body=body)
    with pytest.raises(QuickBooksFault) as raised:
        gateway.open_invoices()
    assert isinstance(raised.value, AccountingError)
    assert raised.value.code == 2500 and raised.value.fault_type == "ValidationFault"
    assert "Invalid Reference Id" in str(raised.value)


def test_object_not_found_fault(fake: FakeQuickBooks, time: FakeTime) -> None:
    gateway, _ = gateway_for(fake, REALM, time=time)
    add_fault(fake, QUERY, 400, body=fault_body("ValidationFault", "610", "Object Not Found", "", fake.now()))
    with pytest.raises(QuickBooksFault, match="Object Not Found"):
        gateway.customers(["1"])


def test_5xx_is_retried_briefly_then_an_accounting_error(fake: FakeQuickBooks, time: FakeTime) -> None:
    gateway, _ = gateway_for(fake, REALM, time=time)
    add_fault(fake, QUERY, 503, body="Service Unavailable")
    assert len(gateway.open_invoices()) == 3
    add_fault(fake, QUERY, 500, body="boom", times=-1)
    with pytest.raises(AccountingError, match="failed after 3 attempts"):
        gateway.open_invoices()


def test_unreadable_200_is_an_accounting_error(fake: FakeQuickBooks, time: FakeTime) -> None:
    gateway, _ = gateway_for(fake, REALM, time=time)
    add_fault(fake, QUERY, 200, body="<html>oops</html>")
    with pytest.raises(AccountingError, match="unreadable"):
        gateway.open_invoices()


def test_the_pacer_keeps_a_company_under_10_per_second(fake: FakeQuickBooks, time: FakeTime) -> None:
    gateway, _ = gateway_for(
        fake, REALM, time=time, pacer=RequestPacer(per_second=10, clock=time.clock, sleep=time.sleep)
    )
    for _ in range(25):
        gateway.customers(["1"])
    calls = fake.api_calls(REALM)
    assert len(calls) == 25  # no 429: every call went through first time
    assert all(s <= 1.0 for s in time.sleeps)
    assert sum(time.sleeps) >= 2.0  # 25 calls at 10 a second take at least two seconds of (fake) time


def test_pacer_windows() -> None:
    time = FakeTime()
    pacer = RequestPacer(per_second=3, per_minute=5, clock=time.clock, sleep=time.sleep)
    stamps = []
    for _ in range(7):
        pacer.acquire()
        stamps.append(time.now)
    assert stamps == [1000.0, 1000.0, 1000.0, 1001.0, 1001.0, 1060.0, 1060.0]
    assert pacer.waited == 60.0


def test_changed_since_after_a_payment(fake: FakeQuickBooks, time: FakeTime) -> None:
    gateway, _ = gateway_for(fake, REALM, time=time)
    fake.advance(2)  # Intuit's times have whole seconds: step past the seeding second
    sweep = gateway.sweep()
    assert sweep.as_of is not None
    fake.advance(5)
    fake.pay(REALM, "101")
    fake.delete(REALM, "102")
    fake.patch_customer(REALM, "5", {"mobile": "0812 5555 0005"})
    changes = gateway.changed_since(sweep.as_of)
    by_id = {i.invoice_id: i for i in changes.invoices}
    assert by_id["101"].status is InvoiceStatus.PAID
    assert changes.deleted_invoice_ids == frozenset({"102"})
    assert [(c.customer_id, c.phone) for c in changes.customers] == [("5", "+6281255550005")]
    assert changes.as_of is not None and changes.as_of > sweep.as_of
    [cdc] = fake.recorded("/cdc$")
    assert cdc["query"]["entities"] == ["Invoice,Customer"] and cdc["query"]["minorversion"] == ["75"]


def test_changed_since_fetches_links_for_changed_open_invoices(fake: FakeQuickBooks, time: FakeTime) -> None:
    gateway, _ = gateway_for(fake, REALM, time=time)
    fake.advance(2)  # Intuit's times have whole seconds: step past the seeding second
    sweep = gateway.sweep()
    fake.advance(5)
    fake.patch_invoice(REALM, "101", {"dueDate": "2026-11-30"})
    [changed] = gateway.changed_since(sweep.as_of or fake.clock.now()).invoices
    assert changed.due_date == dt.date(2026, 11, 30)
    assert changed.payment_link and changed.payment_link.startswith("https://connect.intuit.com/")


def test_changed_since_too_far_back_or_too_many_is_unavailable(fake: FakeQuickBooks, time: FakeTime) -> None:
    gateway, _ = gateway_for(fake, REALM, time=time)
    with pytest.raises(ChangesUnavailable):
        gateway.changed_since(fake.clock.now() - dt.timedelta(days=31))
    realm = fake.seed({**volume_seed(1001), "realmId": "9341000000103"})["realmId"]
    busy, _ = gateway_for(fake, realm, time=time)
    with pytest.raises(ChangesUnavailable, match="1,000"):
        busy.changed_since(fake.clock.now() - dt.timedelta(hours=1))


def test_logs_never_carry_full_phone_numbers(
    fake: FakeQuickBooks, time: FakeTime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="chalicelib.adapters.quickbooks_mapping")
    gateway, _ = gateway_for(fake, REALM, time=time)
    gateway.customers(["1", "3"])
    assert "81234567001" not in caplog.text and "5550100" not in caplog.text
    assert "+62********001" in caplog.text


# -- the token refresher ----------------------------------------------------------------------------------------


def test_refresh_rotates_without_fetching_the_discovery_document(fake: FakeQuickBooks) -> None:
    tokens = fake.issue_tokens(REALM)
    refresher = refresher_for(fake)
    fresh = refresher.refresh(tokens["refresh_token"])
    assert fresh.access_token.startswith("qb-at-") and fresh.refresh_token != tokens["refresh_token"]
    assert fresh.expires_at - dt.datetime.fromtimestamp(fake.now(), dt.UTC) > dt.timedelta(seconds=3590)
    assert [(r["method"], r["path"]) for r in fake.recorded()] == [("POST", "/oauth2/v1/tokens/bearer")]
    assert fake.recorded()[0]["headers"]["authorization"].startswith("Basic ")


def test_production_refresher_is_built_offline() -> None:
    client = QuickBooksTokenRefresher(client_id="cid", client_secret="secret", now=SandboxClock().now).auth_client()
    assert client.token_endpoint == PRODUCTION_DISCOVERY["token_endpoint"]
    assert client.revoke_endpoint == PRODUCTION_DISCOVERY["revocation_endpoint"]


def test_invalid_grant_means_reconnect(fake: FakeQuickBooks) -> None:
    tokens = fake.issue_tokens(REALM)
    fake.disconnect(REALM)
    with pytest.raises(ReconnectNeeded):
        refresher_for(fake).refresh(tokens["refresh_token"])


def test_token_endpoint_5xx_is_retried_then_an_accounting_error(fake: FakeQuickBooks) -> None:
    tokens = fake.issue_tokens(REALM)
    time = FakeTime()
    refresher = refresher_for(fake, time)
    add_fault(fake, "/tokens/bearer$", 503, body="down")
    assert refresher.refresh(tokens["refresh_token"]).access_token
    add_fault(fake, "/tokens/bearer$", 503, body="down", times=-1)
    with pytest.raises(AccountingError, match="unreachable"):
        refresher.refresh(tokens["refresh_token"])
    assert time.sleeps == [0.5, 0.5]


def test_bad_client_credentials_are_an_accounting_error_not_a_reconnect(fake: FakeQuickBooks) -> None:
    tokens = fake.issue_tokens(REALM)
    refresher = QuickBooksTokenRefresher(
        client_id="wrong", client_secret="wrong", token_url=fake.url + "/oauth2/v1/tokens/bearer", now=fake.clock.now
    )
    with pytest.raises(AccountingError, match="invalid_client") as raised:
        refresher.refresh(tokens["refresh_token"])
    assert not isinstance(raised.value, ReconnectNeeded)


def test_authorization_code_exchange(fake: FakeQuickBooks) -> None:
    code = fake.issue_authorization_code(REALM)
    tokens = refresher_for(fake).exchange_code(code, REALM)
    assert tokens.access_token.startswith("qb-at-")
    with pytest.raises(ReconnectNeeded):
        refresher_for(fake).exchange_code(code, REALM)
