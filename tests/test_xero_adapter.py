"""XeroAccountingGateway and XeroTokenRefresher: the real xero-python SDK against the local Xero fake."""

from __future__ import annotations

import datetime as dt
import logging
import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
from xero_python.api_client import Configuration
from xero_python.api_client.oauth2 import OAuth2Token, TokenApi

from chalicelib.adapters.xero import XeroAccountingGateway
from chalicelib.adapters.xero_oauth import XeroTokenRefresher
from chalicelib.domain.errors import AccountingError, AccountingRateLimited, ReconnectNeeded
from chalicelib.domain.models import InvoiceStatus, Money, Reason
from sandbox.fakehttp import Fault
from sandbox.xero import DEFAULT_CLIENT_ID, FakeXero
from tests.xero_support import RecordingSleep, add_fault, gateway_for, mobile, refresher_for, volume_seed

INVOICES = "^/api.xro/2.0/Invoices$"
CONTACTS = "^/api.xro/2.0/Contacts$"

SHOP: dict[str, Any] = {
    "tenantName": "Toko Maju",
    "country": "ID",
    "currency": "IDR",
    "contacts": [
        {"contactId": "c-mobile", "name": "Mobile First", "phones": {"MOBILE": mobile("62", "812", "3456 7890")}},
        {
            "contactId": "c-default",
            "name": "Default Only",
            "phones": {"MOBILE": mobile("", "", ""), "DEFAULT": mobile("", "", "0813 1111 2222")},
        },
        {
            "contactId": "c-both",
            "name": "Both",
            "phones": {"MOBILE": mobile("+64", "021", "555 0147"), "DEFAULT": mobile("62", "", "812 9999 0000")},
        },
        {"contactId": "c-landline", "name": "Landline", "phones": {"DEFAULT": mobile("", "(021)", "555 0100")}},
        {"contactId": "c-none", "name": "Nobody Home"},
        {"contactId": "c-junk", "name": "Junk", "phones": {"MOBILE": mobile("", "", "12")}},
    ],
    "invoices": [
        {
            "invoiceId": "i-open",
            "number": "INV-1",
            "contact": "c-mobile",
            "date": "2026-11-01",
            "dueDate": "2026-11-15",
            "total": "1234567.89",
            "amountPaid": "234567.89",
            "updatedAt": "2026-11-02T03:04:05Z",
        },
        {
            "invoiceId": "i-usd",
            "number": "INV-2",
            "contact": "c-both",
            "dueDate": "2026-12-01",
            "total": "0.10",
            "currency": "USD",
        },
        {
            "invoiceId": "i-paid",
            "number": "INV-3",
            "contact": "c-mobile",
            "dueDate": "2026-10-01",
            "total": "5",
            "status": "PAID",
        },
        {
            "invoiceId": "i-void",
            "number": "INV-4",
            "contact": "c-mobile",
            "dueDate": "2026-10-01",
            "total": "5",
            "status": "VOIDED",
        },
        {
            "invoiceId": "i-draft",
            "number": "INV-5",
            "contact": "c-mobile",
            "dueDate": "2026-10-01",
            "total": "5",
            "status": "DRAFT",
        },
        {
            "invoiceId": "i-bill",
            "number": "BILL-1",
            "contact": "c-mobile",
            "type": "ACCPAY",
            "dueDate": "2026-10-01",
            "total": "5",
        },
    ],
}


@pytest.fixture
def fake() -> Iterator[FakeXero]:
    server = FakeXero()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def shop(fake: FakeXero) -> str:
    return str(fake.seed(SHOP)["tenantId"])


@pytest.fixture
def sleep(fake: FakeXero) -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
def gateway(fake: FakeXero, shop: str, sleep: RecordingSleep) -> XeroAccountingGateway:
    return gateway_for(fake, shop, sleep=sleep)[0]


# -- reading ------------------------------------------------------------------------------------------------------


def test_open_invoices_maps_to_domain(fake: FakeXero, gateway: XeroAccountingGateway) -> None:
    invoices = {i.invoice_id: i for i in gateway.open_invoices()}
    assert set(invoices) == {"i-open", "i-usd"}  # no paid, voided, draft or bill
    invoice = invoices["i-open"]
    assert invoice.source == "xero" and invoice.connection_id == gateway.connection_id
    assert invoice.number == "INV-1"
    assert (invoice.customer_id, invoice.customer_name) == ("c-mobile", "Mobile First")
    assert invoice.amount_due == Money(Decimal("1000000.00"), "IDR")
    assert isinstance(invoice.amount_due.amount, Decimal)
    assert invoice.due_date == dt.date(2026, 11, 15)  # a calendar date, not shifted by any timezone
    assert invoice.issue_date == dt.date(2026, 11, 1)
    assert invoice.updated_at == dt.datetime(2026, 11, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert invoice.status is InvoiceStatus.OPEN
    assert invoice.payment_link is None  # fetched on demand, see test_payment_links_are_fetched_once
    assert invoices["i-usd"].amount_due == Money(Decimal("0.10"), "USD")
    [call] = fake.recorded(INVOICES)
    assert call["query"]["Statuses"] == ["AUTHORISED"]
    assert call["query"]["where"] == ['Type=="ACCREC" AND AmountDue>0']
    assert call["query"]["pageSize"] == ["1000"]
    assert call["headers"]["accept"] == "application/json"


def test_open_invoices_pages_past_1000(fake: FakeXero) -> None:
    tenant = fake.seed(volume_seed(1203, contacts=7))["tenantId"]
    gateway, _ = gateway_for(fake, tenant)
    invoices = gateway.open_invoices()
    assert len(invoices) == 1203
    assert len({i.invoice_id for i in invoices}) == 1203
    calls = fake.recorded(INVOICES)
    assert [c["query"]["page"] for c in calls] == [["1"], ["2"]]


def test_customers_are_batched_never_one_call_per_invoice(fake: FakeXero) -> None:
    tenant = fake.seed(volume_seed(300, contacts=120))["tenantId"]
    gateway, _ = gateway_for(fake, tenant)
    invoices = gateway.open_invoices()
    customers = gateway.customers([i.customer_id for i in invoices])
    assert len(customers) == 120
    calls = fake.recorded(CONTACTS)
    assert len(calls) == 3
    assert [len(c["query"]["IDs"][0].split(",")) for c in calls] == [50, 50, 20]
    assert all(c.phone and c.phone.startswith("+62812") for c in customers.values())


def test_customer_phones(gateway: XeroAccountingGateway) -> None:
    customers = gateway.customers(["c-mobile", "c-default", "c-both", "c-landline", "c-none", "c-junk", "c-mobile"])
    found = {cid: (c.phone, c.phone_problem) for cid, c in customers.items()}
    assert found == {
        "c-mobile": ("+6281234567890", None),
        "c-default": ("+6281311112222", None),  # DEFAULT used when MOBILE is empty
        "c-both": ("+64215550147", None),  # MOBILE preferred; +64 with trunk 0 in the area code
        "c-landline": (None, Reason.INVALID_PHONE),  # Jakarta landline: never a WhatsApp number
        "c-none": (None, Reason.NO_PHONE),
        "c-junk": (None, Reason.INVALID_PHONE),
    }
    assert customers["c-mobile"].name == "Mobile First"
    assert customers["c-mobile"].source == "xero"


def test_invoices_by_id_any_status_in_batches(fake: FakeXero, gateway: XeroAccountingGateway) -> None:
    ids = ["i-open", "i-paid", "i-void", "i-draft", "missing"]
    found = {i.invoice_id: i.status for i in gateway.invoices_by_id(ids)}
    assert found == {"i-open": InvoiceStatus.OPEN, "i-paid": InvoiceStatus.PAID, "i-void": InvoiceStatus.VOIDED}
    tenant = fake.seed(volume_seed(120))["tenantId"]
    bulk, _ = gateway_for(fake, tenant)
    fake.requests.clear()
    all_ids = [i.invoice_id for i in bulk.open_invoices()]
    assert len(bulk.invoices_by_id(all_ids)) == 120
    assert len(fake.recorded(INVOICES)) == 1 + 3  # one list, then batches of 50, 50, 20


def test_invoice_paid_right_after_the_list_comes_back_paid(fake: FakeXero, gateway: XeroAccountingGateway) -> None:
    fake.add_trigger(INVOICES, 1, "pay", "i-open")
    listed = {i.invoice_id: i for i in gateway.open_invoices()}
    assert listed["i-open"].status is InvoiceStatus.OPEN
    [reread] = gateway.invoices_by_id(["i-open"])
    assert reread.status is InvoiceStatus.PAID
    assert reread.amount_due.amount == 0


def test_payment_links_are_fetched_once(fake: FakeXero, gateway: XeroAccountingGateway) -> None:
    link = gateway.payment_link("i-open")
    assert link is not None and link.startswith("https://in.xero.com/")
    assert gateway.payment_link("i-open") == link
    assert gateway.payment_link("i-draft") is None  # Xero has no online invoice for drafts
    assert gateway.payment_link("i-draft") is None
    assert len(fake.recorded("OnlineInvoice$")) == 2  # i-open once, i-draft once


def test_the_daily_allowance_left_is_read_from_xeros_answers(fake: FakeXero, gateway: XeroAccountingGateway) -> None:
    assert gateway.remaining_calls_today() is None  # nothing asked yet
    fake.set_limits({"perDay": 1000})  # the Starter tier
    gateway.open_invoices()
    gateway.customers(["c-mobile"])
    assert gateway.remaining_calls_today() == 1000 - 2


# -- errors -------------------------------------------------------------------------------------------------------


def test_minute_429_waits_retry_after_then_succeeds(fake: FakeXero, shop: str) -> None:
    sleep = RecordingSleep(fake)  # "sleeping" moves the fake's clock, so nothing really waits
    gateway, _ = gateway_for(fake, shop, sleep=sleep)
    fake.set_limits({"perMinute": 1})
    gateway.open_invoices()
    assert gateway.customers(["c-mobile"])["c-mobile"].phone == "+6281234567890"
    assert len(sleep.calls) == 1 and 1 <= sleep.calls[0] <= 60
    assert len(fake.recorded(CONTACTS)) == 2  # refused once with 429, then answered
    assert len(fake.recorded(INVOICES)) == 1


def test_retry_after_header_is_what_we_wait(
    fake: FakeXero, gateway: XeroAccountingGateway, sleep: RecordingSleep
) -> None:
    add_fault(fake, INVOICES, 429, {"Retry-After": "7", "X-Rate-Limit-Problem": "minute"}, times=2)
    assert len(gateway.open_invoices()) == 2
    assert sleep.calls == [7.0, 7.0]


def test_day_limit_raises_rate_limited_without_sleeping(
    fake: FakeXero, gateway: XeroAccountingGateway, sleep: RecordingSleep
) -> None:
    fake.set_limits({"perDay": 1})
    gateway.open_invoices()
    with pytest.raises(AccountingRateLimited) as caught:
        gateway.invoices_by_id(["i-open"])
    assert caught.value.problem == "day"
    assert caught.value.retry_after_seconds > 80_000
    assert sleep.calls == []


def test_too_many_rate_waits_give_up(fake: FakeXero, gateway: XeroAccountingGateway, sleep: RecordingSleep) -> None:
    add_fault(fake, INVOICES, 429, {"Retry-After": "1", "X-Rate-Limit-Problem": "minute"}, times=-1)
    with pytest.raises(AccountingRateLimited) as caught:
        gateway.open_invoices()
    assert caught.value.problem == "minute"
    assert sleep.calls == [1.0, 1.0, 1.0]


def test_expired_access_token_refreshes_once_and_retries(fake: FakeXero, shop: str) -> None:
    gateway, provider = gateway_for(fake, shop)
    old_refresh = provider.tokens.refresh_token
    fake.advance(1801)  # the cached access token is now expired at Xero
    assert len(gateway.open_invoices()) == 2
    assert provider.calls == [False, True]
    assert provider.refreshes == 1
    assert provider.tokens.refresh_token != old_refresh  # rotated
    statuses = [c["path"] for c in fake.recorded("^/(connect/token|api.xro/2.0/Invoices)$")]
    assert statuses == ["/api.xro/2.0/Invoices", "/connect/token", "/api.xro/2.0/Invoices"]
    assert provider.tokens.access_token in fake.recorded(INVOICES)[-1]["headers"]["authorization"]


def test_refresh_happens_once_even_when_a_5xx_follows(fake: FakeXero, shop: str) -> None:
    gateway, provider = gateway_for(fake, shop)
    add_fault(fake, INVOICES, 401, {}, times=1)
    fake.add_fault(Fault(method=None, path=re.compile(INVOICES), status=503, times=1))
    assert len(gateway.open_invoices()) == 2
    assert provider.calls == [False, True, False]


def test_a_second_401_is_an_error_not_a_loop(fake: FakeXero, shop: str) -> None:
    gateway, provider = gateway_for(fake, shop)
    add_fault(fake, INVOICES, 401, {}, times=-1)
    with pytest.raises(AccountingError):
        gateway.open_invoices()
    assert provider.refreshes == 1


def test_disconnected_tenant_needs_reconnect(fake: FakeXero, shop: str) -> None:
    gateway, _ = gateway_for(fake, shop)
    fake.disconnect(shop)
    with pytest.raises(ReconnectNeeded):  # 401 -> refresh -> invalid_grant
        gateway.open_invoices()


def test_wrong_tenant_is_a_reconnect(fake: FakeXero, shop: str) -> None:
    other = fake.seed({"tenantName": "Someone Else"})["tenantId"]
    gateway, _ = gateway_for(fake, shop)
    gateway.tenant_id = other
    with pytest.raises(ReconnectNeeded):
        gateway.open_invoices()


def test_5xx_is_retried_with_backoff(fake: FakeXero, gateway: XeroAccountingGateway, sleep: RecordingSleep) -> None:
    add_fault(fake, INVOICES, 503, {}, times=2)
    assert len(gateway.open_invoices()) == 2
    assert sleep.calls == [0.5, 1.0]


def test_5xx_gives_up_as_accounting_error(
    fake: FakeXero, gateway: XeroAccountingGateway, sleep: RecordingSleep
) -> None:
    add_fault(fake, INVOICES, 500, {}, times=-1)
    with pytest.raises(AccountingError) as caught:
        gateway.open_invoices()
    assert type(caught.value) is AccountingError
    assert "after 3 attempts" in str(caught.value)
    assert len(fake.recorded(INVOICES)) == 3


def test_dropped_connection_is_retried(fake: FakeXero, gateway: XeroAccountingGateway, sleep: RecordingSleep) -> None:
    fake.add_fault(Fault(method="GET", path=re.compile(INVOICES), drop_response=True, times=1))
    assert len(gateway.open_invoices()) == 2
    assert sleep.calls == [0.5]


def test_unreachable_xero_is_an_accounting_error(fake: FakeXero, shop: str) -> None:
    gateway, _ = gateway_for(fake, shop)
    fake.stop()
    with pytest.raises(AccountingError):
        gateway.open_invoices()


def test_bad_request_is_not_retried(fake: FakeXero, gateway: XeroAccountingGateway, sleep: RecordingSleep) -> None:
    add_fault(fake, INVOICES, 400, {}, times=1, body={"ErrorNumber": 10, "Type": "ValidationException"})
    with pytest.raises(AccountingError):
        gateway.open_invoices()
    assert sleep.calls == []


# -- tokens -------------------------------------------------------------------------------------------------------


def test_refresher_rotates_and_honours_grace(fake: FakeXero, shop: str) -> None:
    refresher = refresher_for(fake)
    first = fake.issue_tokens([shop])
    second = refresher.refresh(first["refresh_token"])
    assert second.refresh_token != first["refresh_token"]
    assert second.scope
    assert second.expires_at == pytest.approx(
        dt.datetime.fromtimestamp(fake.now(), dt.UTC) + dt.timedelta(seconds=1800), abs=dt.timedelta(seconds=5)
    )
    fake.advance(20 * 60)
    assert refresher.refresh(first["refresh_token"]).access_token  # lost answer: the old token still works
    fake.advance(11 * 60)
    with pytest.raises(ReconnectNeeded):
        refresher.refresh(first["refresh_token"])
    assert refresher.refresh(second.refresh_token).access_token
    with pytest.raises(ReconnectNeeded):
        refresher.refresh("never-issued")
    [form] = [c["body"] for c in fake.recorded("^/connect/token$")][:1]
    assert f"client_id={DEFAULT_CLIENT_ID}" in form and "grant_type=refresh_token" in form


def test_refresh_keeps_every_scope_the_user_granted(fake: FakeXero, shop: str) -> None:
    granted = "offline_access accounting.invoices.read accounting.contacts.read accounting.settings.read"
    first = fake.issue_tokens([shop], granted)
    refreshed = refresher_for(fake).refresh(first["refresh_token"])
    assert set(refreshed.scope.split()) == set(granted.split())
    [form] = [c["body"] for c in fake.recorded("^/connect/token$")][-1:]
    assert "scope=&" in form + "&" or "scope=" not in form  # nothing asked for: nothing narrowed


def test_refresher_errors(fake: FakeXero, shop: str) -> None:
    tokens = fake.issue_tokens([shop])
    wrong = XeroTokenRefresher(client_id="someone", client_secret="else", identity_base=fake.url, now=fake.clock.now)
    with pytest.raises(AccountingError) as caught:
        wrong.refresh(tokens["refresh_token"])
    assert not isinstance(caught.value, ReconnectNeeded)
    sleep = RecordingSleep()
    refresher = refresher_for(fake, sleep)
    add_fault(fake, "^/connect/token$", 502, {}, times=1)
    assert refresher.refresh(tokens["refresh_token"]).access_token  # retried once
    assert sleep.calls == [0.5]
    add_fault(fake, "^/connect/token$", 503, {}, times=-1)
    with pytest.raises(AccountingError):
        refresher.refresh(tokens["refresh_token"])


def test_refresher_does_not_touch_the_sdk_class_attribute(fake: FakeXero) -> None:
    refresher_for(fake)
    assert TokenApi.refresh_token_url == "https://identity.xero.com/connect/token"


# -- isolation ----------------------------------------------------------------------------------------------------


def test_two_tenants_in_one_process_never_share_tokens(fake: FakeXero, shop: str) -> None:
    # Someone else in this warm Lambda built the process-wide Configuration first, with their own OAuth2Token.
    Configuration(oauth2_token=OAuth2Token(client_id="another-app", client_secret="x"))
    other = fake.seed(volume_seed(3, name="Toko Lain"))["tenantId"]
    first, first_tokens = gateway_for(fake, shop)
    second, second_tokens = gateway_for(fake, other)
    assert first_tokens.tokens.access_token != second_tokens.tokens.access_token

    def read(gateway: XeroAccountingGateway) -> int:
        return len(gateway.open_invoices()) + len(
            gateway.customers(["c-mobile", "00000000-0000-4000-8000-000000000000"])
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        counts = list(pool.map(read, [first, second] * 6))
    assert counts == [2 + 1, 3 + 1] * 6
    expected = {shop: first_tokens.tokens.access_token, other: second_tokens.tokens.access_token}
    calls = fake.recorded("^/api.xro/")
    assert len(calls) == 24
    for call in calls:
        assert call["headers"]["authorization"] == f"Bearer {expected[call['headers']['xero-tenant-id']]}"


def test_logs_carry_no_tokens_or_full_phones(fake: FakeXero, shop: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    gateway, provider = gateway_for(fake, shop)
    old = provider.tokens
    fake.advance(1801)
    add_fault(fake, CONTACTS, 503, {}, times=1)
    gateway.open_invoices()
    gateway.customers(["c-mobile", "c-landline"])
    text = caplog.text
    for secret in (old.access_token, old.refresh_token, provider.tokens.access_token, provider.tokens.refresh_token):
        assert secret not in text
    assert "6281234567890" not in text and "34567890" not in text
    assert "c-mobile" in text  # the logs are there, just without the secrets


def test_domain_does_not_import_the_sdk() -> None:
    code = "import sys, chalicelib.domain.phones, chalicelib.domain.models; print('xero_python' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
