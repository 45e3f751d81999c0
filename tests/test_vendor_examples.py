"""The vendors' documented examples as contract tests (tests/vendor_examples/, sources in each SOURCES.md).

Two directions, per vendor:
- the fake's answer to the same request has the shape of the documented example (same keys, same kinds of value at
  every level; `tests/vendor_shapes.py`). Every expected difference is listed below with its reason; anything else
  means the fake is wrong and is fixed there.
- Lunas reads the documented example: served byte for byte by the fake (its fault injection answers the request
  with the example), through the real SDK (xero-python, python-quickbooks, intuit-oauth, pywa) and our adapters, or
  fed to the real webhook routes and parsers.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest
from xero_python.identity import IdentityApi

from chalicelib.adapters.meta_events import changes, inbound_messages, preference_updates, statuses, template_event
from chalicelib.adapters.quickbooks import QuickBooksFault, linked_invoice_ids
from chalicelib.adapters.quickbooks_events import parse_quickbooks
from chalicelib.adapters.whatsapp import WhatsAppMessageSender
from chalicelib.adapters.xero_client import BearerAuth, api_client
from chalicelib.adapters.xero_events import parse_xero
from chalicelib.domain.errors import AccountingRateLimited
from chalicelib.domain.events import ResourceChange
from chalicelib.domain.models import InvoiceStatus, Money, SentMessage, TemplateRef
from chalicelib.domain.replies import ReplyIntent
from sandbox.accounting_fake import hmac_signature
from sandbox.fakehttp import Fault
from sandbox.meta import FakeMetaGraph, sign
from sandbox.quickbooks import DEFAULT_CLIENT_ID as INTUIT_CLIENT_ID
from sandbox.quickbooks import DEFAULT_CLIENT_SECRET as INTUIT_CLIENT_SECRET
from sandbox.quickbooks import FakeQuickBooks
from sandbox.run import INTUIT_WEBHOOK_VERIFIER_TOKEN, META_APP_SECRET, XERO_WEBHOOK_KEY, Sandbox
from sandbox.xero import DEFAULT_CLIENT_ID as XERO_CLIENT_ID
from sandbox.xero import DEFAULT_CLIENT_SECRET as XERO_CLIENT_SECRET
from sandbox.xero import FakeXero
from tests import qbo_support, xero_support
from tests.meta_support import ACCESS_TOKEN, CUSTOMER, PHONE_NUMBER_ID, WABA_ID, WebhookSink, register_default_number
from tests.test_meta_fake import template_body
from tests.test_whatsapp_sender import send
from tests.vendor_shapes import example, example_bytes, example_path, shape_problems

NOWHERE = "http://127.0.0.1:9/webhook"  # the discard port: a delivery fails at once, its record keeps the body
_JSON = {"Content-Type": "application/json"}


def serve_example(fake: Any, method: str, path: str, vendor: str, name: str, *, status: int = 200) -> None:
    """The fake answers the next matching request with the documented example, byte for byte."""
    content_type = "application/xml" if name.endswith(".xml") else "application/json"
    fake.add_fault(
        Fault(
            method=method,
            path=re.compile(path),
            status=status,
            headers={"Content-Type": content_type},
            body=example_bytes(vendor, name),
        )
    )


# == Xero ============================================================================================================

XERO_PAGING = (
    "Xero's list answers carry paging metadata (page, pageSize, pageCount, itemCount: "
    "https://developer.xero.com/documentation/api/accounting/requests-and-responses); the OpenAPI examples predate it"
)
XERO_ALLOWED: dict[str, dict[str, str]] = {
    "invoices_get.json": {"pagination": XERO_PAGING},
    "contacts_get.json": {
        "pagination": XERO_PAGING,
        "Contacts[].SalesTrackingCategories": "in Xero's other Contacts examples (PUT/POST /Contacts answers)",
        "Contacts[].PurchasesTrackingCategories": "in Xero's other Contacts examples (PUT/POST /Contacts answers)",
    },
    "connections_get.json": {
        "[].authEventId": "in the Connection schema of the same file (xero-identity.yaml): shared by the connections "
        "authorised in one consent; its example leaves it out",
    },
    "token_response.json": {"id_token": "only with the openid scope; Lunas asks for offline_access and accounting"},
    "organisation_get.json": {
        "Organisations[].TaxNumber": "shown if set (Organisation reference); sandbox organisations have none",
        "Organisations[].PeriodLockDate": "shown if set (Organisation reference)",
        "Organisations[].EndOfYearLockDate": "shown if set (Organisation reference)",
    },
}


@pytest.fixture(scope="module")
def xero() -> Iterator[FakeXero]:
    fake = FakeXero()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def xero_tenant(xero: FakeXero) -> str:
    xero.clear_faults()
    budi = {"name": "Budi", "email": "budi@example.com", "phones": {"MOBILE": xero_support.mobile("62", "812", "3456")}}
    invoice = {"contact": "Budi", "dueDate": "2026-11-15", "total": "1500000"}
    invoices = [invoice | {"number": "INV-1"}, invoice | {"number": "INV-2", "status": "PAID"}]
    seeded = xero.seed({"tenantName": "Toko Maju", "contacts": [budi], "invoices": invoices})
    return str(seeded["tenantId"])


def xero_get(xero: FakeXero, tenant: str, path: str) -> Any:
    token = xero.issue_tokens([tenant])["access_token"]
    headers = {"Authorization": f"Bearer {token}", "xero-tenant-id": tenant, "Accept": "application/json"}
    answer = httpx.get(xero.url + path, headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api.xro/2.0/Invoices", "invoices_get.json"),
        ("/api.xro/2.0/Contacts", "contacts_get.json"),
        ("/api.xro/2.0/Organisation", "organisation_get.json"),
        ("/connections", "connections_get.json"),
    ],
)
def test_fake_xero_answers_in_the_documented_shape(xero: FakeXero, xero_tenant: str, path: str, name: str) -> None:
    assert shape_problems(example("xero", name), xero_get(xero, xero_tenant, path), XERO_ALLOWED[name]) == []


def test_fake_xero_token_answer_and_webhook_have_the_documented_shape(xero: FakeXero, xero_tenant: str) -> None:
    code = xero.issue_authorization_code([xero_tenant], "http://localhost/callback")
    answer = httpx.post(
        xero.url + "/connect/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": "http://localhost/callback"},
        auth=(XERO_CLIENT_ID, XERO_CLIENT_SECRET),
        timeout=10,
    )
    assert answer.status_code == 200
    allowed = XERO_ALLOWED["token_response.json"]
    assert shape_problems(example("xero", "token_response.json"), answer.json(), allowed) == []

    xero.configure_webhook(NOWHERE, XERO_WEBHOOK_KEY, auto_deliver=False)
    try:
        invoice_id = xero.tenant_state(xero_tenant)["invoices"][0]["InvoiceID"]
        xero.notify_invoice_changed(invoice_id)
        [delivery] = xero.flush_webhooks()
    finally:
        xero.configure_webhook(None, "")
    assert shape_problems(example("xero", "webhook_invoice_update.json"), json.loads(delivery["body"])) == []


def test_xero_sdk_and_adapter_read_the_documented_invoices_contacts_and_organisation(
    xero: FakeXero, xero_tenant: str
) -> None:
    gateway, _ = xero_support.gateway_for(xero, xero_tenant, country="US")
    serve_example(xero, "GET", r"/Invoices$", "xero", "invoices_get.json")
    invoices = {i.number: i for i in gateway.invoices_by_id(["d4956132-ed94-4dd7-9eaa-aa22dfdf06f2"])}
    assert {n: (i.status, i.amount_due) for n, i in invoices.items()} == {
        "INV-0001": (InvoiceStatus.VOIDED, Money(Decimal("0.00"), "NZD")),
        "INV-0002": (InvoiceStatus.PAID, Money(Decimal("0.00"), "NZD")),
        "INV-0003": (InvoiceStatus.OPEN, Money(Decimal("115.00"), "NZD")),
    }
    assert invoices["INV-0003"].due_date == dt.date(2018, 11, 7)
    assert invoices["INV-0003"].customer_name == "Barney Rubble-83203"

    serve_example(xero, "GET", r"/Contacts$", "xero", "contacts_get.json")
    customers = gateway.customers(["5cc8cf28-567e-4d43-b287-687cfcaec47c", "3ec601ad-eddc-4ccb-a8ac-736e88293b1b"])
    # Only DEFAULT numbers, written "(626)" / "847-1294" without a country code: read in the organisation's country.
    assert {c.name: c.phone for c in customers.values()} == {
        "Katherine Warren": "+16268471294",
        "Lisa Parker": "+15102663583",
    }

    serve_example(xero, "GET", r"/Organisation$", "xero", "organisation_get.json")
    profile = gateway.organisation_profile()
    assert (profile.name, profile.country, profile.currency, profile.timezone) == (
        "Dev Evangelist - Sid Test 3 (NZ-2016-02)",
        "NZ",
        "NZD",
        "Pacific/Auckland",
    )


def test_xero_sdk_reads_the_documented_connections_and_token_answer(xero: FakeXero, xero_tenant: str) -> None:
    auth = BearerAuth()
    auth.access_token = xero.issue_tokens([xero_tenant])["access_token"]
    identity = IdentityApi(api_client(auth), base_url=xero.url)
    serve_example(xero, "GET", r"(?i)^/connections$", "xero", "connections_get.json")
    [connection] = identity.get_connections()
    assert (str(connection.tenant_id), connection.tenant_name, connection.tenant_type) == (
        "fe79f7dd-b6d4-4a92-ba7b-538af6289c58",
        "Demo Company (NZ)",
        "ORGANISATION",
    )

    serve_example(xero, "POST", r"^/connect/token$", "xero", "token_response.json")
    before = xero.clock.now()
    tokens = xero_support.refresher_for(xero).refresh("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
    assert tokens.access_token == "xxxxxx.yyyyyyy.zzzzzzzzzzzzz"
    assert before + dt.timedelta(seconds=1800) <= tokens.expires_at <= xero.clock.now() + dt.timedelta(seconds=1800)


def test_the_documented_xero_webhooks_parse_into_change_events() -> None:
    [invoice] = parse_xero(example("xero", "webhook_invoice_update.json"))
    assert invoice == ResourceChange(
        provider="xero",
        tenant_id="c2cc9b6e-9458-4c7d-93cc-f02b81b0594f",
        kind="invoice",
        resource_id="717f2bfc-c6d4-41fd-b238-3f2f0c0cf777",
        operation="update",
        dedupe_key="xero:c2cc9b6e-9458-4c7d-93cc-f02b81b0594f#717f2bfc-c6d4-41fd-b238-3f2f0c0cf777#"
        "2024-06-21T01:15:39.902#update",
    )
    [contact] = parse_xero(example("xero", "webhook_contact_update.json"))
    assert (contact.kind, contact.operation) == ("customer", "update")
    assert parse_xero(example("xero", "webhook_creditnote_create.json")) == []  # credit notes change no reminder


def test_the_documented_xero_webhooks_pass_the_real_route(sandbox: Sandbox) -> None:
    """Signed as Xero signs (base64 HMAC-SHA256 of the raw body with the webhook key): 200 with an empty body, and
    the worker acknowledges a tenant nobody connected."""
    url = f"{sandbox.app_url}/webhooks/xero"
    for name in ("webhook_invoice_update.json", "webhook_contact_update.json", "webhook_creditnote_create.json"):
        raw = example_bytes("xero", name)
        signed = {**_JSON, "x-xero-signature": hmac_signature(XERO_WEBHOOK_KEY, raw)}
        answer = httpx.post(url, content=raw, headers=signed, timeout=10)
        assert (answer.status_code, answer.text) == (200, ""), name
        wrong = {**_JSON, "x-xero-signature": hmac_signature("not-the-key", raw)}
        assert httpx.post(url, content=raw, headers=wrong, timeout=10).status_code == 401
    sandbox.drain_webhooks()


# == QuickBooks ======================================================================================================

REALM = "9341000000077"
OPTIONAL_DATA = "optional in Intuit's entity reference: present when the company filled it in"
MULTICURRENCY = "CurrencyRef is returned when multicurrency is on (entity reference); the fake's companies have it on"
QBO_INVOICE_ALLOWED = {
    f"QueryResponse.Invoice[].{key}": OPTIONAL_DATA for key in ("BillAddr", "ShipAddr", "CustomerMemo", "SalesTermRef")
} | {
    "QueryResponse.Invoice[].CurrencyRef": MULTICURRENCY,
    "QueryResponse.Invoice[].TxnTaxDetail.TxnTaxCodeRef": "only with sales tax; the fake's companies charge none",
    "QueryResponse.Invoice[].TxnTaxDetail.TaxLine": "only with sales tax; the fake's companies charge none",
}
_CDC_CUSTOMER = "CDCResponse[].QueryResponse[].Customer[]"
_CUSTOMER_OPTIONAL = ("FamilyName", "GivenName", "MiddleName", "CompanyName", "Notes", "BillAddr", "ShipAddr")
QBO_CDC_ALLOWED = {f"{_CDC_CUSTOMER}.{key}": OPTIONAL_DATA for key in (*_CUSTOMER_OPTIONAL, "DefaultTaxCodeRef")} | {
    f"{_CDC_CUSTOMER}.CurrencyRef": MULTICURRENCY,
    f"{_CDC_CUSTOMER}.IsProject": "returned from minor version 69 on (Customer reference); the example predates it",
    f"{_CDC_CUSTOMER}.Mobile": "Mobile {FreeFormNumber} is in the Customer reference; the example's customer has none",
}
QBO_COMPANY_ALLOWED = {
    "CompanyInfo.PrimaryPhone.FreeFormNumber": "the company's phone, when one is set (CompanyInfo reference)",
} | {
    f"CompanyInfo.{address}.CountrySubDivisionCode": "the state or province, in countries that have them (US example)"
    for address in ("CompanyAddr", "LegalAddr", "CustomerCommunicationAddr")
}
QBO_PAYMENT_ALLOWED = {"Payment.CurrencyRef": MULTICURRENCY}
QBO_TOKEN_ALLOWED = {"id_token": "only with the openid scope"}


@pytest.fixture(scope="module")
def qbo() -> Iterator[FakeQuickBooks]:
    fake = FakeQuickBooks()
    fake.start()
    budi = {"id": "1", "displayName": "Budi", "mobile": "0812 3456 7001", "primaryPhone": "(021) 555 0100"}
    invoice = {"customer": "1", "dueDate": "2026-11-15", "total": "1500000"}
    invoices = [invoice | {"id": "101", "docNumber": "1001"}, invoice | {"id": "102", "docNumber": "1002"}]
    fake.seed(
        {
            "realmId": REALM,
            "companyName": "PT Maju",
            "customers": [budi | {"email": "b@example.com"}],
            "invoices": invoices,
        }
    )
    yield fake
    fake.stop()


@pytest.fixture
def intuit(qbo: FakeQuickBooks) -> Iterator[httpx.Client]:
    qbo.clear_faults()
    token = qbo.issue_tokens(REALM)["access_token"]
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    with httpx.Client(base_url=f"{qbo.url}/v3/company/{REALM}", headers=headers, params={"minorversion": 75}) as c:
        yield c


def intuit_query(intuit: httpx.Client, select: str) -> httpx.Response:
    return intuit.post("/query", content=select, headers={"Content-Type": "application/text"})


def test_fake_quickbooks_query_payment_and_company_answers_have_the_documented_shape(
    qbo: FakeQuickBooks, intuit: httpx.Client
) -> None:
    invoices = intuit_query(intuit, "SELECT * FROM Invoice WHERE Id = '101'").json()
    assert shape_problems(example("quickbooks", "query_invoice_response.json"), invoices, QBO_INVOICE_ALLOWED) == []

    paid = qbo.receive_payment(REALM, [("102", None)])
    read = intuit.get(f"/payment/{paid['Id']}")
    assert read.status_code == 200
    assert shape_problems(example("quickbooks", "payment_get.json"), read.json(), QBO_PAYMENT_ALLOWED) == []
    assert linked_invoice_ids(read.json()["Payment"]) == ("102",)

    company = intuit.get(f"/companyinfo/{REALM}").json()
    assert shape_problems(example("quickbooks", "companyinfo_get.json"), company, QBO_COMPANY_ALLOWED) == []


def test_fake_quickbooks_change_data_capture_has_the_documented_shape(
    qbo: FakeQuickBooks, intuit: httpx.Client
) -> None:
    qbo.advance(60)  # past whatever earlier tests changed (changedSince is read to the second)
    since = dt.datetime.fromtimestamp(qbo.now(), dt.UTC).isoformat(timespec="seconds")
    qbo.advance(60)
    qbo.patch_customer(REALM, "1", {"mobile": "0812 3456 7009"})
    qbo.delete(REALM, "101")
    answer = intuit.get("/cdc", params={"entities": "Customer,Invoice", "changedSince": since})
    assert answer.status_code == 200
    assert shape_problems(example("quickbooks", "cdc_response.json"), answer.json(), QBO_CDC_ALLOWED) == []


def test_fake_quickbooks_faults_token_and_webhooks_have_the_documented_shape(
    qbo: FakeQuickBooks, intuit: httpx.Client
) -> None:
    fault = intuit_query(intuit, "SELECT * FROM Nothing")
    assert fault.status_code == 400
    assert shape_problems(example("quickbooks", "fault_validation.json"), fault.json()) == []

    qbo.set_limits({"perSecond": 1, "resetCounters": True})
    try:
        intuit_query(intuit, "SELECT * FROM Customer")
        throttled = intuit_query(intuit, "SELECT * FROM Customer")
    finally:
        qbo.set_limits({"perSecond": 10, "resetCounters": True})
    assert throttled.status_code == 429
    assert _xml_shape(throttled.text) == _xml_shape(example_path("quickbooks", "fault_throttle_429.xml").read_text())

    code = qbo.issue_authorization_code(REALM, "http://localhost/callback")
    token = httpx.post(
        f"{qbo.url}/oauth2/v1/tokens/bearer",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": "http://localhost/callback"},
        auth=(INTUIT_CLIENT_ID, INTUIT_CLIENT_SECRET),
        timeout=10,
    )
    assert shape_problems(example("quickbooks", "token_response.json"), token.json(), QBO_TOKEN_ALLOWED) == []

    for webhook_format, documented in (("cloudevents", "webhook_cloudevents.json"), ("legacy", "webhook_legacy.json")):
        qbo.configure_webhook(NOWHERE, INTUIT_WEBHOOK_VERIFIER_TOKEN, webhook_format=webhook_format, auto_deliver=False)
        try:
            qbo.notify_changed(REALM, "Payment", "163", "created")
            qbo.notify_changed(REALM, "Invoice", "102", "updated")
            [delivery] = qbo.flush_webhooks()
        finally:
            qbo.configure_webhook(None, "")
        assert shape_problems(example("quickbooks", documented), json.loads(delivery["body"])) == [], webhook_format


def _xml_shape(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """Element names (namespace kept) and attribute names, in document order: the shape of an XML answer."""
    root = ElementTree.fromstring(text.strip().encode())
    return [(element.tag, tuple(sorted(element.attrib))) for element in root.iter()]


def test_python_quickbooks_and_the_adapter_read_the_documented_answers(qbo: FakeQuickBooks) -> None:
    gateway, _ = qbo_support.gateway_for(qbo, REALM, country="US", max_rate_waits=0)
    serve_example(qbo, "POST", r"/query$", "quickbooks", "query_invoice_response.json")
    [invoice] = gateway.invoices_by_id(["130"])
    assert (invoice.number, invoice.customer_name, invoice.due_date, invoice.status) == (
        "1037",
        "Sonnenschein Family Store",
        dt.date(2014, 10, 19),
        InvoiceStatus.OPEN,
    )
    assert invoice.amount_due.amount == Decimal("362.07")

    serve_example(qbo, "GET", r"/cdc$", "quickbooks", "cdc_response.json")
    change = gateway.changed_since(dt.datetime.fromtimestamp(qbo.now(), dt.UTC) - dt.timedelta(hours=1))
    # "(650) 555-3311", read in the company's country (US numbers do not say whether they are mobiles).
    assert [(c.name, c.phone) for c in change.customers] == [("Amy's Bird Sanctuary", "+16505553311")]
    assert change.deleted_invoice_ids == frozenset({"152"})

    # The documented Payment, inside the query envelope the adapter asks for: the invoice it pays.
    payment = example("quickbooks", "payment_get.json")["Payment"]
    body = json.dumps({"QueryResponse": {"Payment": [payment], "startPosition": 1, "maxResults": 1}, "time": "x"})
    qbo.add_fault(Fault(method="POST", path=re.compile(r"/query$"), status=200, headers=_JSON, body=body.encode()))
    assert gateway.invoices_paid_by(["163"]) == {"163": ("70",)}

    serve_example(qbo, "GET", r"/companyinfo/", "quickbooks", "companyinfo_get.json")
    profile = gateway.company_profile()
    assert (profile.name, profile.country) == ("Larry's Bakery", "US")

    serve_example(qbo, "POST", r"/query$", "quickbooks", "fault_validation.json", status=400)
    with pytest.raises(QuickBooksFault) as fault:
        gateway.invoices_by_id(["130"])
    assert fault.value.code == 610 and "Object Not Found" in str(fault.value)  # python-quickbooks: ObjectNotFound

    serve_example(qbo, "POST", r"/query$", "quickbooks", "fault_throttle_429.xml", status=429)
    with pytest.raises(AccountingRateLimited):
        gateway.invoices_by_id(["130"])

    serve_example(qbo, "POST", r"/oauth2/v1/tokens/bearer$", "quickbooks", "token_response.json")
    before = qbo.clock.now()
    tokens = qbo_support.refresher_for(qbo).refresh("Q311488394272qbajGfLBwGmVsbF6VoNpUKaIO5oL49aXLVJUB")
    assert tokens.refresh_token == "Q311488394272qbajGfLBwGmVsbF6VoNpUKaIO5oL49aXLVJUB"
    assert before + dt.timedelta(seconds=3600) <= tokens.expires_at <= qbo.clock.now() + dt.timedelta(seconds=3600)


def test_the_documented_quickbooks_webhooks_parse_into_change_events() -> None:
    assert parse_quickbooks(example("quickbooks", "webhook_cloudevents.json")) == []  # an Account: not ours
    assert parse_quickbooks(example("quickbooks", "webhook_cloudevents_without_data.json")) == []  # a SalesReceipt
    payments = parse_quickbooks(example("quickbooks", "webhook_cloudevents_payment.json"))
    assert [(c.tenant_id, c.kind, c.resource_id, c.operation, c.dedupe_key) for c in payments] == [
        ("310687", "payment", "163", "created", "qbo-ce:88cd52aa-33b6-4351-9aa4-47572edbd068"),
        ("310687", "payment", "164", "updated", "qbo-ce:5e0ba3a6-3e0b-4a46-9f0a-2b4d1fb63d11"),
    ]
    [customer] = parse_quickbooks(example("quickbooks", "webhook_legacy.json"))  # the Vendor is not ours
    assert (customer.tenant_id, customer.kind, customer.resource_id, customer.operation) == (
        "1185883450",
        "customer",
        "1",
        "create",
    )
    legacy = parse_quickbooks(example("quickbooks", "webhook_legacy_payment.json"))
    assert [(c.kind, c.resource_id, c.operation) for c in legacy] == [
        ("payment", "163", "create"),
        ("payment", "164", "update"),
    ]


def test_the_documented_quickbooks_webhooks_pass_the_real_route(sandbox: Sandbox) -> None:
    """Signed as Intuit signs (`intuit-signature`, base64 HMAC-SHA256 with the verifier token): 200; realms nobody
    connected are acknowledged by the worker."""
    url = f"{sandbox.app_url}/webhooks/quickbooks"
    names = ("webhook_cloudevents.json", "webhook_cloudevents_payment.json", "webhook_cloudevents_without_data.json")
    for name in (*names, "webhook_legacy.json", "webhook_legacy_payment.json"):
        raw = example_bytes("quickbooks", name)
        signed = {**_JSON, "intuit-signature": hmac_signature(INTUIT_WEBHOOK_VERIFIER_TOKEN, raw)}
        assert httpx.post(url, content=raw, headers=signed, timeout=10).status_code == 200, name
        wrong = {**_JSON, "intuit-signature": hmac_signature(INTUIT_CLIENT_SECRET, raw)}  # not the verifier token
        assert httpx.post(url, content=raw, headers=wrong, timeout=10).status_code == 401, name
    sandbox.drain_webhooks()


# == Meta ============================================================================================================

_STATUS = "entry[].changes[].value.statuses[]"
META_ALLOWED: dict[str, dict[str, str]] = {
    "read": {f"{_STATUS}.pricing": "Meta sends pricing on sent and on one of delivered / read, not on every status"},
    "failed": {
        f"{_STATUS}.biz_opaque_callback_data": "echoed on every status of a message sent with it (status reference); "
        "the documented failed example was sent without",
    },
}


@pytest.fixture(scope="module")
def meta_servers() -> Iterator[tuple[FakeMetaGraph, WebhookSink]]:
    sink, meta = WebhookSink(), FakeMetaGraph(auto_deliver=False)
    sink.start()
    meta.start()
    register_default_number(meta, sink.webhook_url)
    yield meta, sink
    meta.stop()
    sink.stop()


@pytest.fixture
def meta(meta_servers: tuple[FakeMetaGraph, WebhookSink]) -> FakeMetaGraph:
    meta, sink = meta_servers
    meta.reset()
    meta.clear_faults()
    sink.received.clear()
    return meta


@pytest.fixture
def sink(meta_servers: tuple[FakeMetaGraph, WebhookSink], meta: FakeMetaGraph) -> WebhookSink:
    return meta_servers[1]


@pytest.fixture
def sender(meta: FakeMetaGraph) -> Iterator[WhatsAppMessageSender]:
    sender = WhatsAppMessageSender(phone_number_id=PHONE_NUMBER_ID, access_token=ACCESS_TOKEN, graph_base_url=meta.url)
    yield sender
    sender.close()


def delivered(sink: WebhookSink) -> list[dict[str, Any]]:
    return [json.loads(received.body) for received in sink.received]


def test_fake_meta_send_answer_error_and_statuses_have_the_documented_shape(
    meta: FakeMetaGraph, sink: WebhookSink, sender: WhatsAppMessageSender
) -> None:
    graph = f"{meta.url}/v25.0/{PHONE_NUMBER_ID}/messages"
    request = example("meta", "send_template_request.json") | {"to": CUSTOMER}
    request["template"] = {"name": "lunas_invoice_overdue", "language": {"code": "id"}, "components": []}
    refused = httpx.post(graph, json=request, headers={"Authorization": f"Bearer {ACCESS_TOKEN}"}, timeout=10)
    assert refused.status_code == 400  # the fake checks the parameters against the template (132000)
    assert shape_problems(example("meta", "error_response.json"), refused.json()) == []

    # The same request as the sender makes, answered accepted, held (template pacing) and with another wa_id.
    valid = template_body()
    headers = {"Authorization": f"Bearer {ACCESS_TOKEN}"}
    meta.set_send_answer(CUSTOMER, message_status="held_for_quality_assessment")
    held = httpx.post(graph, json=valid, headers=headers, timeout=10).json()
    assert shape_problems(example("meta", "send_response_held.json"), held) == []
    assert held["messages"][0]["message_status"] == "held_for_quality_assessment"
    meta.set_send_answer(CUSTOMER, wa_id="5511987654321")
    other = httpx.post(graph, json=valid, headers=headers, timeout=10).json()
    assert shape_problems(example("meta", "send_response_other_wa_id.json"), other) == []
    assert other["contacts"] == [{"input": CUSTOMER, "wa_id": "5511987654321"}]
    meta.reset()
    sink.received.clear()
    accepted = httpx.post(graph, json=valid, headers=headers, timeout=10).json()
    assert shape_problems(example("meta", "send_response.json"), accepted) == []
    meta.flush()
    bodies = delivered(sink)
    assert [b["entry"][0]["changes"][0]["value"]["statuses"][0]["status"] for b in bodies] == [
        "sent",
        "delivered",
        "read",
    ]
    for body in bodies:
        status = body["entry"][0]["changes"][0]["value"]["statuses"][0]["status"]
        documented = example("meta", "webhook_status_sent_with_contacts.json")
        assert shape_problems(documented, body, META_ALLOWED.get(status)) == [], status

    sink.received.clear()
    meta.set_not_on_whatsapp(CUSTOMER)
    send(sender)
    meta.flush()
    [failed] = [b for b in delivered(sink) if b["entry"][0]["changes"][0]["value"]["statuses"][0]["status"] == "failed"]
    documented = example("meta", "webhook_status_failed_without_contacts.json")
    assert shape_problems(documented, failed, META_ALLOWED["failed"]) == []


def test_fake_meta_inbound_template_and_preference_webhooks_have_the_documented_shape(
    meta: FakeMetaGraph, sink: WebhookSink, sender: WhatsAppMessageSender
) -> None:
    sent = send(sender)
    meta.simulate_text(PHONE_NUMBER_ID, CUSTOMER, "STOP")
    meta.simulate_button_tap(sent.wamid)
    meta.simulate_template_event(WABA_ID, "lunas_invoice_overdue", "id", "APPROVED")
    meta.simulate_template_event(
        WABA_ID, "lunas_invoice_overdue", "id", "PAUSED", other_info={"title": "FIRST_PAUSE", "description": "3 h"}
    )
    meta.simulate_category_update(WABA_ID, "lunas_invoice_overdue", "id", "MARKETING")
    meta.simulate_user_preferences(PHONE_NUMBER_ID, CUSTOMER)
    meta.flush()
    bodies = [b for b in delivered(sink) if "statuses" not in b["entry"][0]["changes"][0]["value"]]
    documented = [
        "webhook_inbound_text.json",
        "webhook_inbound_button.json",
        "webhook_template_status_update.json",
        "webhook_template_paused.json",
        "webhook_template_category_update.json",
        "webhook_user_preferences.json",
    ]
    assert len(bodies) == len(documented)
    for body, name in zip(bodies, documented, strict=True):
        assert shape_problems(example("meta", name), body) == [], name


_WAMID_US = "wamid.HBgLMTY1MDUwNzY1MjAVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"
_WAMID_BR = "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjgxQkVFRDVBQTVDODFDOTg3MQA="
_HELD = "held_for_quality_assessment"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("send_response.json", SentMessage(wamid=_WAMID_US, wa_id="16505551234")),
        ("send_response_held.json", SentMessage(wamid=_WAMID_US, accepted_status=_HELD, wa_id="16505551234")),
        ("send_response_other_wa_id.json", SentMessage(wamid=_WAMID_BR, wa_id="5511987654321")),
    ],
)
def test_pywa_and_the_sender_read_the_documented_send_answers(
    meta: FakeMetaGraph, sender: WhatsAppMessageSender, name: str, expected: SentMessage
) -> None:
    serve_example(meta, "POST", r"/messages$", "meta", name)
    sent = send(sender, template=TemplateRef("lunas_invoice_overdue", "id"))
    assert sent == expected
    assert sent.held is (expected.accepted_status != "accepted")


def test_the_documented_meta_webhooks_parse_into_events() -> None:
    at = dt.datetime(2026, 11, 24, 3, 0, tzinfo=dt.UTC)
    [sent] = statuses(next(changes(example("meta", "webhook_status_sent_with_contacts.json"))), at)
    assert (sent.status, sent.recipient_id, sent.tracker, sent.pricing_category) == (
        "sent",
        "16505551234",
        "xero:tenant:invoice:r1",
        "utility",
    )
    assert sent.at == dt.datetime.fromtimestamp(1750263773, dt.UTC)
    [read] = statuses(next(changes(example("meta", "webhook_status_read_without_contacts.json"))), at)
    assert (read.status, read.wamid) == ("read", sent.wamid)
    for name in ("webhook_status_failed_without_contacts.json", "webhook_status_failed_with_contacts.json"):
        [failed] = statuses(next(changes(example("meta", name))), at)
        assert (failed.status, failed.error_code, failed.error_title) == ("failed", 131026, "Message undeliverable")

    [text] = inbound_messages(next(changes(example("meta", "webhook_inbound_text.json"))), at)
    assert (text.phone, text.user_id, text.kind, text.text) == (
        "+16505551234",
        "US.13491208655302741918",
        "text",
        "STOP",
    )
    assert text.meaning.intent is ReplyIntent.OPT_OUT
    [button] = inbound_messages(next(changes(example("meta", "webhook_inbound_button.json"))), at)
    assert (button.kind, button.context_wamid, button.meaning.intent) == ("button", sent.wamid, ReplyIntent.OPT_OUT)

    approved = template_event(next(changes(example("meta", "webhook_template_status_update.json"))))
    assert approved is not None
    assert (approved.waba_id, approved.name, approved.language, approved.at) == (
        "102290129340398",
        "order_confirmation",
        "en_US",
        1751247548,
    )
    assert dict(approved.updates)["status"]["status"] == "APPROVED"
    paused = template_event(next(changes(example("meta", "webhook_template_paused.json"))))
    assert paused is not None and dict(paused.updates)["status"]["status_reason"].startswith("FIRST_PAUSE")
    category = template_event(next(changes(example("meta", "webhook_template_category_update.json"))))
    assert category is not None and dict(category.updates)["category"]["category"] == "MARKETING"

    [preference] = preference_updates(next(changes(example("meta", "webhook_user_preferences.json"))), at)
    assert (preference.phone, preference.category, preference.value) == ("+16505551234", "marketing_messages", "stop")


def test_the_documented_meta_webhooks_pass_the_real_route(sandbox: Sandbox) -> None:
    """Signed as Meta signs (`X-Hub-Signature-256: sha256=<hex>` with the app secret): 200; the worker acknowledges a
    number and a WhatsApp Business Account nobody registered."""
    url = f"{sandbox.app_url}/webhooks/whatsapp"
    for path in sorted(example_path("meta", "").glob("webhook_*.json")):
        # Meta's documented ids, swapped for ones no test registers (other tests' fakes reuse Meta's example ids).
        raw = (
            path.read_bytes()
            .replace(b"106540352242922", b"999000000000001")
            .replace(b"102290129340398", b"999000000000002")
        )
        signed = {**_JSON, "X-Hub-Signature-256": sign(META_APP_SECRET, raw)}
        assert httpx.post(url, content=raw, headers=signed, timeout=10).status_code == 200, path.name
        wrong = {**_JSON, "X-Hub-Signature-256": sign("not-the-app-secret", raw)}
        assert httpx.post(url, content=raw, headers=wrong, timeout=10).status_code == 401, path.name
    sandbox.drain_webhooks()
