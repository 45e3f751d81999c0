"""The Xero fake speaks Xero's wire format, so adapter tests against it mean something."""

from __future__ import annotations

import base64
import datetime as dt
import re
import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from xero_python.accounting import AccountingApi
from xero_python.api_client import ApiClient, Configuration
from xero_python.identity import IdentityApi

from sandbox.fakehttp import Request, Response
from sandbox.xero import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, FakeXero, ms_date
from tests.xero_support import mobile, volume_seed

SEED: dict[str, Any] = {
    "tenantName": "Toko Maju",
    "country": "ID",
    "currency": "IDR",
    "contacts": [
        {
            "contactId": "11111111-1111-4111-8111-111111111111",
            "name": "Budi Santoso",
            "firstName": "Budi",
            "email": "budi@example.com",
            "phones": {"MOBILE": mobile("62", "812", "3456 7890"), "DEFAULT": mobile("", "021", "555 0100")},
        },
        {"contactId": "22222222-2222-4222-8222-222222222222", "name": "Sari", "status": "ARCHIVED"},
    ],
    "invoices": [
        {
            "invoiceId": "aaaaaaaa-0000-4000-8000-000000000001",
            "number": "INV-0001",
            "contact": "Budi Santoso",
            "date": "2026-11-01",
            "dueDate": "2026-11-15",
            "total": "1500000.00",
            "totalTax": "150000.00",
            "updatedAt": "2026-11-02T03:04:05Z",
        },
        {
            "invoiceId": "aaaaaaaa-0000-4000-8000-000000000002",
            "number": "INV-0002",
            "contact": "22222222-2222-4222-8222-222222222222",
            "dueDate": "2026-11-30",
            "total": "99.95",
            "currency": "USD",
            "status": "DRAFT",
        },
        {"number": "INV-0003", "contact": "Sari", "dueDate": "2026-10-01", "total": "10", "status": "PAID"},
    ],
}
INV1 = "aaaaaaaa-0000-4000-8000-000000000001"
INV2 = "aaaaaaaa-0000-4000-8000-000000000002"


@pytest.fixture
def fake() -> Iterator[FakeXero]:
    server = FakeXero()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def tenant(fake: FakeXero) -> str:
    return str(fake.seed(SEED)["tenantId"])


@pytest.fixture
def http(fake: FakeXero, tenant: str) -> Iterator[httpx.Client]:
    tokens = fake.issue_tokens([tenant])
    headers = {
        "Authorization": f"Bearer {tokens['access_token']}",
        "xero-tenant-id": tenant,
        "Accept": "application/json",
    }
    with httpx.Client(base_url=fake.url, headers=headers) as client:
        yield client


def refresh(fake: FakeXero, token: str, **extra: str) -> httpx.Response:
    form = {"grant_type": "refresh_token", "refresh_token": token, **extra}
    form.setdefault("client_id", DEFAULT_CLIENT_ID)
    form.setdefault("client_secret", DEFAULT_CLIENT_SECRET)
    return httpx.post(f"{fake.url}/connect/token", data=form)


# -- wire format --------------------------------------------------------------------------------------------------


def test_invoice_list_envelope_and_fields(http: httpx.Client) -> None:
    response = http.get("/api.xro/2.0/Invoices", params={"IDs": INV1})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"Id", "Status", "ProviderName", "DateTimeUTC", "pagination", "Invoices"}
    assert body["Status"] == "OK"
    assert re.fullmatch(r"/Date\(\d+\)/", body["DateTimeUTC"])
    assert body["pagination"] == {"page": 1, "pageSize": 100, "pageCount": 1, "itemCount": 1}
    invoice = body["Invoices"][0]
    assert invoice["Type"] == "ACCREC"
    assert invoice["InvoiceNumber"] == "INV-0001"
    assert invoice["Date"] == "/Date(1793491200000+0000)/"  # 2026-11-01T00:00:00Z
    assert invoice["DueDate"] == "/Date(1794700800000+0000)/"  # 2026-11-15T00:00:00Z
    assert invoice["DueDateString"] == "2026-11-15T00:00:00"
    assert invoice["UpdatedDateUTC"] == "/Date(1793588645000+0000)/"
    assert invoice["Contact"] == {
        "ContactID": "11111111-1111-4111-8111-111111111111",
        "Name": "Budi Santoso",
        "Addresses": [],
        "Phones": [],
        "ContactGroups": [],
        "ContactPersons": [],
        "HasValidationErrors": False,
    }
    assert invoice["CurrencyCode"] == "IDR"
    assert invoice["Status"] == "AUTHORISED"
    assert invoice["HasAttachments"] is False
    assert "FullyPaidOnDate" not in invoice
    # Money is a JSON number, written the way Xero writes it (two decimals), not a string and not via float.
    assert '"AmountDue": 1500000.00' in response.text
    assert '"SubTotal": 1350000.00' in response.text
    assert isinstance(invoice["Total"], float)


def test_ms_date_is_midnight_utc() -> None:
    assert ms_date(dt.date(2018, 12, 30)) == "/Date(1546128000000+0000)/"


def test_real_sdk_parses_the_fake(fake: FakeXero, tenant: str) -> None:
    tokens = fake.issue_tokens([tenant])
    configuration = Configuration()

    class Bearer:
        def get_auth_settings(self) -> Any:
            value = f"Bearer {tokens['access_token']}"
            return lambda api_client: {"type": "oauth2", "in": "header", "key": "Authorization", "value": value}

    configuration.oauth2_token = Bearer()
    client = ApiClient(configuration, pool_threads=1)
    connections = IdentityApi(client, base_url=fake.url).get_connections()
    assert [(c.tenant_id, c.tenant_name, c.tenant_type) for c in connections] == [(tenant, "Toko Maju", "ORGANISATION")]
    api = AccountingApi(client, base_url=fake.url + "/api.xro/2.0")
    result = api.get_invoices(tenant, statuses=["AUTHORISED"], where='Type=="ACCREC" AND AmountDue>0')
    [invoice] = result.invoices
    assert str(invoice.due_date) == "2026-11-15"
    assert Decimal(str(invoice.amount_due)) == Decimal("1500000.00")
    assert invoice.currency_code.value == "IDR"
    assert invoice.updated_date_utc.isoformat() == "2026-11-02T03:04:05+00:00"
    contacts = api.get_contacts(tenant, i_ds=[invoice.contact.contact_id])
    assert [p.phone_type for p in contacts.contacts[0].phones] == ["DDI", "DEFAULT", "FAX", "MOBILE"]
    since = invoice.updated_date_utc  # the SDK sends an aware datetime as ISO 8601 in If-Modified-Since
    assert api.get_invoices(tenant, if_modified_since=since, i_ds=[INV1]).invoices == []
    earlier = since - dt.timedelta(seconds=1)
    assert len(api.get_invoices(tenant, if_modified_since=earlier, i_ds=[INV1]).invoices) == 1
    link = api.get_online_invoice(tenant, invoice.invoice_id)
    assert link.online_invoices[0].online_invoice_url.startswith("https://in.xero.com/")


def test_connections(fake: FakeXero, tenant: str) -> None:
    tokens = fake.issue_tokens([tenant])
    response = httpx.get(f"{fake.url}/connections", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    [row] = response.json()
    assert set(row) == {"id", "authEventId", "tenantId", "tenantType", "tenantName", "createdDateUtc", "updatedDateUtc"}
    assert (row["tenantId"], row["tenantType"]) == (tenant, "ORGANISATION")


def test_xml_unless_json_is_asked_for(http: httpx.Client) -> None:
    response = http.get("/api.xro/2.0/Invoices", headers={"Accept": "*/*"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    assert response.text.startswith("<Response>")


def test_contacts_have_the_four_phone_slots(http: httpx.Client) -> None:
    ids = "11111111-1111-4111-8111-111111111111,22222222-2222-4222-8222-222222222222"
    body = http.get("/api.xro/2.0/Contacts", params={"IDs": ids}).json()
    budi, sari = body["Contacts"]
    assert budi["Phones"] == [
        {"PhoneType": "DDI", "PhoneNumber": "", "PhoneAreaCode": "", "PhoneCountryCode": ""},
        {"PhoneType": "DEFAULT", "PhoneNumber": "555 0100", "PhoneAreaCode": "021", "PhoneCountryCode": ""},
        {"PhoneType": "FAX", "PhoneNumber": "", "PhoneAreaCode": "", "PhoneCountryCode": ""},
        {"PhoneType": "MOBILE", "PhoneNumber": "3456 7890", "PhoneAreaCode": "812", "PhoneCountryCode": "62"},
    ]
    assert (budi["Name"], budi["FirstName"], budi["EmailAddress"], budi["IsCustomer"]) == (
        "Budi Santoso",
        "Budi",
        "budi@example.com",
        True,
    )
    assert sari["ContactStatus"] == "ARCHIVED"
    # Without IDs, archived contacts are left out unless includeArchived=true.
    listed = http.get("/api.xro/2.0/Contacts").json()["Contacts"]
    assert [c["Name"] for c in listed] == ["Budi Santoso"]


# -- filters and paging -------------------------------------------------------------------------------------------


def test_statuses_where_and_ids(http: httpx.Client) -> None:
    def numbers(**params: str) -> list[str]:
        response = http.get("/api.xro/2.0/Invoices", params=params)
        assert response.status_code == 200, response.text
        return [i["InvoiceNumber"] for i in response.json()["Invoices"]]

    assert numbers(Statuses="AUTHORISED,DRAFT") == ["INV-0001", "INV-0002"]
    assert numbers(where='Type=="ACCREC" AND AmountDue>0') == ["INV-0001", "INV-0002"]
    assert numbers(where='Status=="PAID"') == ["INV-0003"]
    assert numbers(where="DueDate<DateTime(2026,11,16) AND AmountDue>=0") == ["INV-0001", "INV-0003"]
    assert numbers(IDs=f"{INV2.upper()},{INV1}") == ["INV-0001", "INV-0002"]


@pytest.mark.parametrize(
    "where", ['Type=="ACCREC" OR Status=="PAID"', "Colour==1", '(Type=="ACCREC")', 'Type>"A"', "AmountDue>>0"]
)
def test_unparseable_where_is_a_400(http: httpx.Client, where: str) -> None:
    response = http.get("/api.xro/2.0/Invoices", params={"where": where})
    assert response.status_code == 400
    assert response.json()["Type"] == "QueryParseException"


def test_paging_past_1000(fake: FakeXero, http: httpx.Client) -> None:
    seeded = fake.seed(volume_seed(1203))
    http.headers["xero-tenant-id"] = seeded["tenantId"]
    http.headers["Authorization"] = "Bearer " + fake.issue_tokens([seeded["tenantId"]])["access_token"]
    first = http.get("/api.xro/2.0/Invoices", params={"page": 1, "pageSize": 1000}).json()
    second = http.get("/api.xro/2.0/Invoices", params={"page": 2, "pageSize": 1000}).json()
    beyond = http.get("/api.xro/2.0/Invoices", params={"page": 3, "pageSize": 1000}).json()
    assert first["pagination"] == {"page": 1, "pageSize": 1000, "pageCount": 2, "itemCount": 1203}
    assert (len(first["Invoices"]), len(second["Invoices"]), len(beyond["Invoices"])) == (1000, 203, 0)
    default = http.get("/api.xro/2.0/Invoices").json()
    assert default["pagination"]["pageSize"] == 100
    assert len(default["Invoices"]) == 100
    assert http.get("/api.xro/2.0/Invoices", params={"pageSize": 5000}).json()["pagination"]["pageSize"] == 1000


def test_if_modified_since(fake: FakeXero, http: httpx.Client) -> None:
    since = {"If-Modified-Since": "2026-11-02T03:04:05"}
    assert http.get("/api.xro/2.0/Invoices", params={"IDs": INV1}, headers=since).json()["Invoices"] == []
    fake.pay(INV1)
    paid = http.get("/api.xro/2.0/Invoices", params={"IDs": INV1}, headers=since).json()["Invoices"]
    assert [i["Status"] for i in paid] == ["PAID"]
    rfc1123 = {"If-Modified-Since": "Mon, 02 Nov 2026 03:04:04 GMT"}
    assert len(http.get("/api.xro/2.0/Invoices", params={"IDs": INV1}, headers=rfc1123).json()["Invoices"]) == 1


def test_summary_only_drops_heavy_fields(http: httpx.Client) -> None:
    full = http.get("/api.xro/2.0/Invoices", params={"IDs": INV1}).json()["Invoices"][0]
    summary = http.get("/api.xro/2.0/Invoices", params={"IDs": INV1, "summaryOnly": "true"}).json()["Invoices"][0]
    assert "LineItems" in full and "Payments" in full
    assert "LineItems" not in summary and "Payments" not in summary


# -- online invoice -----------------------------------------------------------------------------------------------


def test_online_invoice(http: httpx.Client) -> None:
    first = http.get(f"/api.xro/2.0/Invoices/{INV1}/OnlineInvoice").json()
    again = http.get(f"/api.xro/2.0/Invoices/{INV1}/OnlineInvoice").json()
    url = first["OnlineInvoices"][0]["OnlineInvoiceUrl"]
    assert url.startswith("https://in.xero.com/") and first == again
    assert http.get(f"/api.xro/2.0/Invoices/{INV2}/OnlineInvoice").status_code == 400  # DRAFT
    assert http.get("/api.xro/2.0/Invoices/nope/OnlineInvoice").status_code == 404


# -- auth ---------------------------------------------------------------------------------------------------------


def test_expired_access_token_is_a_401_with_xeros_body(fake: FakeXero, http: httpx.Client) -> None:
    fake.advance(1800)
    response = http.get("/api.xro/2.0/Invoices")
    assert response.status_code == 401
    body = response.json()
    assert (body["Type"], body["Title"], body["Status"], body["Extensions"]) == (None, "Unauthorized", 401, {})
    assert re.fullmatch(r"TokenExpired: token expired at \d\d/\d\d/\d{4} \d\d:\d\d:\d\d", body["Detail"])
    assert re.fullmatch(r"[0-9a-f-]{36}", body["Instance"])


def test_missing_token_and_wrong_tenant(fake: FakeXero, http: httpx.Client) -> None:
    assert httpx.get(f"{fake.url}/api.xro/2.0/Invoices").status_code == 401
    other = fake.seed({"tenantName": "Other"})["tenantId"]
    response = http.get("/api.xro/2.0/Invoices", headers={"xero-tenant-id": other})
    assert response.status_code == 403
    assert response.json()["Detail"] == "AuthorizationUnsuccessful"


def test_refresh_rotates_with_a_30_minute_grace(fake: FakeXero, tenant: str) -> None:
    first = fake.issue_tokens([tenant])
    second = refresh(fake, first["refresh_token"]).json()
    assert set(second) == {"access_token", "refresh_token", "expires_in", "token_type", "scope"}
    assert second["expires_in"] == 1800 and second["token_type"] == "Bearer"
    assert second["refresh_token"] != first["refresh_token"]
    fake.advance(29 * 60)  # the answer was "lost": the old token still works inside the grace period
    assert refresh(fake, first["refresh_token"]).status_code == 200
    fake.advance(2 * 60)
    expired = refresh(fake, first["refresh_token"])
    assert (expired.status_code, expired.json()) == (400, {"error": "invalid_grant"})
    assert refresh(fake, second["refresh_token"]).status_code == 200
    assert refresh(fake, "never-issued").json() == {"error": "invalid_grant"}


def test_token_endpoint_client_authentication(fake: FakeXero, tenant: str) -> None:
    tokens = fake.issue_tokens([tenant])
    basic = base64.b64encode(f"{DEFAULT_CLIENT_ID}:{DEFAULT_CLIENT_SECRET}".encode()).decode()
    form = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    ok = httpx.post(f"{fake.url}/connect/token", data=form, headers={"Authorization": f"Basic {basic}"})
    assert ok.status_code == 200
    wrong = refresh(fake, ok.json()["refresh_token"], client_secret="wrong")
    assert (wrong.status_code, wrong.json()) == (400, {"error": "invalid_client"})


def test_access_token_lifetime_is_settable(fake: FakeXero, tenant: str) -> None:
    fake.set_limits({"accessTokenSeconds": 60})
    tokens = fake.issue_tokens([tenant])
    assert tokens["expires_in"] == 60
    fake.advance(61)
    headers = {"Authorization": f"Bearer {tokens['access_token']}", "xero-tenant-id": tenant}
    assert httpx.get(f"{fake.url}/api.xro/2.0/Invoices", headers=headers).status_code == 401


def test_authorization_code_is_single_use(fake: FakeXero, tenant: str) -> None:
    code = fake.issue_authorization_code([tenant], "http://localhost/callback")
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": "http://localhost/callback"}
    basic = base64.b64encode(f"{DEFAULT_CLIENT_ID}:{DEFAULT_CLIENT_SECRET}".encode()).decode()
    headers = {"Authorization": f"Basic {basic}"}
    assert httpx.post(f"{fake.url}/connect/token", data=form, headers=headers).status_code == 200
    assert httpx.post(f"{fake.url}/connect/token", data=form, headers=headers).json() == {"error": "invalid_grant"}


def test_disconnect_makes_refresh_fail(fake: FakeXero, tenant: str) -> None:
    tokens = fake.issue_tokens([tenant])
    fake.disconnect(tenant)
    assert refresh(fake, tokens["refresh_token"]).json() == {"error": "invalid_grant"}


# -- user-level tokens: one family per Xero user, connections, DELETE, revocation -------------------------------


def _claims(access_token: str) -> dict[str, Any]:
    import jwt

    return dict(jwt.decode(access_token, options={"verify_signature": False}))


def _bearer(token: str, tenant: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    return headers | ({"xero-tenant-id": tenant} if tenant else {})


def test_access_tokens_are_jwts_with_xeros_claims(fake: FakeXero, tenant: str) -> None:
    tokens = fake.issue_tokens([tenant], user="owner@example.com")
    claims = _claims(tokens["access_token"])
    assert {"xero_userid", "authentication_event_id", "sub", "exp", "nbf", "scope", "client_id", "jti"} <= set(claims)
    assert claims["exp"] - claims["nbf"] == 1800 and claims["client_id"] == DEFAULT_CLIENT_ID
    assert claims["scope"] == ["offline_access", "accounting.invoices.read", "accounting.contacts.read"]
    assert claims["authentication_event_id"] == fake.connections_of("owner@example.com")[0]["authEventId"]
    assert tokens["refresh_token"].startswith("xero-rt-")  # refresh tokens stay opaque


def test_one_user_has_one_token_family_across_consents(fake: FakeXero, tenant: str) -> None:
    other = str(fake.seed({"tenantName": "Toko Kedua"})["tenantId"])
    first = fake.issue_tokens([tenant], user="owner@example.com")
    second = fake.issue_tokens([other], user="Owner@Example.com")  # the same user, a second flow
    one, two = _claims(first["access_token"]), _claims(second["access_token"])
    assert one["xero_userid"] == two["xero_userid"]
    assert one["authentication_event_id"] != two["authentication_event_id"]
    # The user's tokens read every organisation the user connected, whichever consent connected it.
    for token in (first["access_token"], second["access_token"]):
        assert httpx.get(f"{fake.url}/api.xro/2.0/Invoices", headers=_bearer(token, other)).status_code == 200
    # The second consent superseded the first refresh token: usable for the 30-minute grace, then refused.
    fake.advance(29 * 60)
    assert refresh(fake, first["refresh_token"]).status_code == 200  # this one supersedes `second` in turn
    fake.advance(2 * 60)
    assert refresh(fake, first["refresh_token"]).json() == {"error": "invalid_grant"}
    assert refresh(fake, second["refresh_token"]).status_code == 200  # superseded 2 minutes ago
    # Another user is another family.
    stranger = fake.issue_tokens([tenant])
    assert _claims(stranger["access_token"])["xero_userid"] != one["xero_userid"]


def test_connections_filtered_by_consent_and_deleted_one_by_one(fake: FakeXero, tenant: str) -> None:
    other = str(fake.seed({"tenantName": "Toko Kedua"})["tenantId"])
    fake.issue_tokens([tenant], user="owner@example.com")
    tokens = fake.issue_tokens([other], user="owner@example.com")
    token = tokens["access_token"]
    rows = httpx.get(f"{fake.url}/connections", headers=_bearer(token)).json()
    assert [r["tenantId"] for r in rows] == [tenant, other]
    assert {r["tenantName"] for r in rows} == {"Toko Maju", "Toko Kedua"}
    event = _claims(token)["authentication_event_id"]
    mine = httpx.get(f"{fake.url}/connections", params={"authEventId": event}, headers=_bearer(token)).json()
    assert [r["tenantId"] for r in mine] == [other]

    first_id = rows[0]["id"]
    deleted = httpx.delete(f"{fake.url}/connections/{first_id}", headers=_bearer(token))
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert httpx.get(f"{fake.url}/api.xro/2.0/Invoices", headers=_bearer(token, tenant)).status_code == 403
    assert httpx.get(f"{fake.url}/api.xro/2.0/Invoices", headers=_bearer(token, other)).status_code == 200
    assert refresh(fake, tokens["refresh_token"]).status_code == 200  # the user's tokens still work
    assert httpx.delete(f"{fake.url}/connections/{first_id}", headers=_bearer(token)).status_code == 404
    assert httpx.delete(f"{fake.url}/connections/{first_id}").status_code == 401

    # Connected again later, the organisation keeps its id and creation date; updatedDateUtc moves.
    fake.advance(60)
    fake.issue_tokens([tenant], user="owner@example.com")
    [again] = [r for r in fake.connections_of("owner@example.com") if r["tenantId"] == tenant]
    assert (again["id"], again["createdDateUtc"]) == (first_id, rows[0]["createdDateUtc"])
    assert again["updatedDateUtc"] > again["createdDateUtc"]


def test_the_sdk_deletes_a_connection(fake: FakeXero, tenant: str) -> None:
    tokens = fake.issue_tokens([tenant], user="owner@example.com")
    configuration = Configuration()

    class Bearer:
        def get_auth_settings(self) -> Any:
            value = f"Bearer {tokens['access_token']}"
            return lambda api_client: {"type": "oauth2", "in": "header", "key": "Authorization", "value": value}

    configuration.oauth2_token = Bearer()
    identity = IdentityApi(ApiClient(configuration, pool_threads=1), base_url=fake.url)
    [connection] = identity.get_connections(auth_event_id=_claims(tokens["access_token"])["authentication_event_id"])
    identity.delete_connection(connection.id)
    assert identity.get_connections() == []


def test_revocation_ends_the_family_and_drops_every_organisation_of_the_user(fake: FakeXero, tenant: str) -> None:
    other = str(fake.seed({"tenantName": "Toko Kedua"})["tenantId"])
    first = fake.issue_tokens([tenant], user="owner@example.com")
    second = fake.issue_tokens([other], user="owner@example.com")
    form = {"token": first["refresh_token"], "client_id": DEFAULT_CLIENT_ID, "client_secret": DEFAULT_CLIENT_SECRET}
    assert httpx.post(f"{fake.url}/connect/revocation", data=form).status_code == 200
    assert fake.connections_of("owner@example.com") == []
    assert httpx.get(f"{fake.url}/connections", headers=_bearer(second["access_token"])).status_code == 401
    assert refresh(fake, second["refresh_token"]).json() == {"error": "invalid_grant"}
    again = fake.issue_tokens([other], user="owner@example.com")  # a new consent: a new family, this tenant only
    assert [r["tenantId"] for r in fake.connections_of("owner@example.com")] == [other]
    assert refresh(fake, again["refresh_token"]).status_code == 200


def test_a_refresh_token_unused_for_60_days_expires(fake: FakeXero, tenant: str) -> None:
    tokens = fake.issue_tokens([tenant])
    fake.advance(59 * 86_400)
    kept = refresh(fake, tokens["refresh_token"]).json()  # used in time: a new one, with 60 days of its own
    fake.advance(59 * 86_400)
    assert refresh(fake, kept["refresh_token"]).status_code == 200
    unused = fake.issue_tokens([tenant])
    fake.advance(60 * 86_400 + 1)
    assert refresh(fake, unused["refresh_token"]).json() == {"error": "invalid_grant"}


def test_an_organisation_removing_the_app_drops_it_for_every_user(fake: FakeXero, tenant: str) -> None:
    other = str(fake.seed({"tenantName": "Toko Kedua"})["tenantId"])
    both = fake.issue_tokens([tenant, other], user="owner@example.com")
    alone = fake.issue_tokens([tenant], user="staff@example.com")
    fake.disconnect(tenant)
    assert [r["tenantId"] for r in fake.connections_of("owner@example.com")] == [other]
    assert refresh(fake, both["refresh_token"]).status_code == 200  # the owner still has the other organisation
    assert refresh(fake, alone["refresh_token"]).json() == {"error": "invalid_grant"}  # the staff member had none


# -- rate limits --------------------------------------------------------------------------------------------------


def test_every_response_carries_the_limit_headers(fake: FakeXero, http: httpx.Client) -> None:
    fake.set_limits({"perDay": 1000})
    response = http.get("/api.xro/2.0/Invoices")
    assert response.headers["X-DayLimit-Remaining"] == "999"
    assert response.headers["X-MinLimit-Remaining"] == "59"
    assert response.headers["X-AppMinLimit-Remaining"] == "9999"


def test_minute_limit(fake: FakeXero, http: httpx.Client) -> None:
    fake.set_limits({"perMinute": 2})
    assert [http.get("/api.xro/2.0/Invoices").status_code for _ in range(2)] == [200, 200]
    refused = http.get("/api.xro/2.0/Invoices")
    assert refused.status_code == 429
    assert refused.headers["X-Rate-Limit-Problem"] == "minute"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    fake.advance(61)
    assert http.get("/api.xro/2.0/Invoices").status_code == 200


def test_day_limit(fake: FakeXero, http: httpx.Client) -> None:
    fake.set_limits({"perDay": 1})
    assert http.get("/api.xro/2.0/Invoices").status_code == 200
    refused = http.get("/api.xro/2.0/Invoices")
    assert (refused.status_code, refused.headers["X-Rate-Limit-Problem"]) == (429, "day")
    assert int(refused.headers["Retry-After"]) > 80_000
    assert refused.headers["X-DayLimit-Remaining"] == "0"


def test_concurrent_limit(fake: FakeXero, http: httpx.Client) -> None:
    entered, release = threading.Event(), threading.Event()

    def slow(_: Request) -> Response:
        entered.set()
        release.wait(5)
        return Response(body={"Items": []})

    fake.route("GET", r"^/api.xro/2.0/Items$", slow)
    fake.set_limits({"concurrent": 1})
    statuses: list[int] = []
    worker = threading.Thread(target=lambda: statuses.append(http.get("/api.xro/2.0/Items").status_code))
    worker.start()
    assert entered.wait(5)
    with httpx.Client(base_url=fake.url, headers=http.headers) as second:
        refused = second.get("/api.xro/2.0/Invoices")
    release.set()
    worker.join(5)
    assert (refused.status_code, refused.headers["X-Rate-Limit-Problem"]) == (429, "concurrent")
    assert statuses == [200]


# -- admin --------------------------------------------------------------------------------------------------------


def test_admin_api_over_http(fake: FakeXero) -> None:
    seeded = httpx.post(f"{fake.url}/_sandbox/xero/tenants", json=SEED)
    assert seeded.status_code == 201
    tenant_id = seeded.json()["tenantId"]
    assert seeded.json()["invoices"]["INV-0001"] == INV1
    tokens = httpx.post(f"{fake.url}/_sandbox/xero/tenants/{tenant_id}/tokens", json={}).json()
    assert tokens["tenantId"] == tenant_id and tokens["access_token"] and tokens["connectionId"]
    assert tokens["xeroUserId"] == _claims(tokens["access_token"])["xero_userid"]
    paid = httpx.post(f"{fake.url}/_sandbox/xero/invoices/{INV1}/pay", json={"paidOn": "2026-11-20"}).json()
    assert (paid["Status"], paid["AmountDue"], paid["AmountPaid"]) == ("PAID", 0, 1500000)
    assert paid["FullyPaidOnDate"] == ms_date(dt.date(2026, 11, 20))
    patched = httpx.patch(f"{fake.url}/_sandbox/xero/invoices/{INV2}", json={"dueDate": "2026-12-31", "touch": False})
    assert patched.json()["DueDateString"] == "2026-12-31T00:00:00"
    voided = httpx.post(f"{fake.url}/_sandbox/xero/invoices/{INV2}/void").json()
    assert voided["Status"] == "VOIDED"
    limits = httpx.put(f"{fake.url}/_sandbox/xero/limits", json={"perDay": 1000}).json()
    assert limits["perDay"] == 1000 and limits["perMinute"] == 60
    assert httpx.put(f"{fake.url}/_sandbox/xero/limits", json={"bogus": 1}).status_code == 400
    assert httpx.post(f"{fake.url}/_sandbox/xero/invoices/nope/pay").status_code == 404
    bad = httpx.post(f"{fake.url}/_sandbox/xero/tenants", json={"invoices": [{"number": "X", "contact": "nobody"}]})
    assert bad.status_code == 400
    state = httpx.get(f"{fake.url}/_sandbox/xero/tenants/{tenant_id}").json()
    assert {i["InvoiceNumber"]: i["Status"] for i in state["invoices"]} == {
        "INV-0001": "PAID",
        "INV-0002": "VOIDED",
        "INV-0003": "PAID",
    }


def test_trigger_pays_after_the_nth_list_read(fake: FakeXero, http: httpx.Client) -> None:
    httpx.post(
        f"{fake.url}/_sandbox/xero/triggers",
        json={"after_path": "^/api.xro/2.0/Invoices$", "after_count": 1, "action": "pay", "invoice_id": INV1},
    ).raise_for_status()
    first = http.get("/api.xro/2.0/Invoices", params={"IDs": INV1}).json()["Invoices"][0]
    second = http.get("/api.xro/2.0/Invoices", params={"IDs": INV1}).json()["Invoices"][0]
    assert (first["Status"], second["Status"]) == ("AUTHORISED", "PAID")
    assert second["AmountDue"] == 0 and second["AmountPaid"] == second["Total"]
    assert second["UpdatedDateUTC"] != first["UpdatedDateUTC"]
