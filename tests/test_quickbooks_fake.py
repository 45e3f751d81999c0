"""The QuickBooks fake speaks Intuit's wire format (api-facts.md §2), so adapter tests against it mean something."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandbox.quickbooks import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, FakeQuickBooks, discovery_document
from tests.qbo_support import TOKEN_PATH, volume_seed

SEED: dict[str, Any] = {
    "realmId": "9341000000001",
    "companyName": "PT Maju Jaya",
    "customers": [
        {"id": "1", "displayName": "Budi Santoso", "mobile": "0812 3456 7001", "primaryPhone": "(021) 555 0100"},
        {"id": "2", "displayName": "CV Lama", "mobile": "0812 3456 7002", "active": False},
        {"id": "3", "displayName": "Sari Dewi", "primaryPhone": "+62 813 1111 2222"},
    ],
    "invoices": [
        {"id": "101", "docNumber": "1001", "customer": "1", "txnDate": "2026-11-01", "dueDate": "2026-11-15",
         "total": "1500000", "balance": "1250000.50", "updatedAt": "2026-11-02T03:04:05-08:00"},
        {"id": "102", "docNumber": "1002", "customer": "CV Lama", "dueDate": "2026-11-30", "total": "99.95",
         "currency": "USD", "onlinePayment": False},
        {"id": "103", "docNumber": "1003", "customer": "3", "dueDate": "2026-10-01", "total": "10", "balance": "0"},
    ],
}  # fmt: skip
REALM = SEED["realmId"]
QUERY = f"/v3/company/{REALM}/query"
CDC = f"/v3/company/{REALM}/cdc"


@pytest.fixture
def fake() -> Iterator[FakeQuickBooks]:
    server = FakeQuickBooks()
    server.start()
    server.seed(SEED)
    yield server
    server.stop()


@pytest.fixture
def http(fake: FakeQuickBooks) -> Iterator[httpx.Client]:
    token = fake.issue_tokens(REALM)["access_token"]
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    with httpx.Client(base_url=fake.url, headers=headers) as client:
        yield client


def query(http: httpx.Client, select: str, **params: Any) -> httpx.Response:
    """POST the SELECT as application/text, like python-quickbooks."""
    params.setdefault("minorversion", 75)
    return http.post(QUERY, params=params, content=select, headers={"Content-Type": "application/text"})


def ids(response: httpx.Response, entity: str = "Invoice") -> list[str]:
    return [row["Id"] for row in response.json()["QueryResponse"].get(entity, [])]


def basic(client_id: str = DEFAULT_CLIENT_ID, secret: str = DEFAULT_CLIENT_SECRET) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def refresh(fake: FakeQuickBooks, token: str) -> httpx.Response:
    return httpx.post(
        fake.url + TOKEN_PATH, data={"grant_type": "refresh_token", "refresh_token": token}, headers=basic()
    )


def test_invoice_wire_format(http: httpx.Client) -> None:
    response = query(http, "SELECT * FROM Invoice WHERE Id = '101'", include="invoiceLink")
    assert response.status_code == 200
    body = response.json()
    assert body["time"].endswith("-08:00")
    envelope = body["QueryResponse"]
    assert (envelope["startPosition"], envelope["maxResults"]) == (1, 1)
    [invoice] = envelope["Invoice"]
    assert invoice["Id"] == "101" and invoice["SyncToken"] == "0" and invoice["DocNumber"] == "1001"
    assert (invoice["TxnDate"], invoice["DueDate"]) == ("2026-11-01", "2026-11-15")
    assert invoice["TotalAmt"] == 1500000 and invoice["Balance"] == 1250000.5
    assert '"Balance": 1250000.50' in response.text  # exact decimals, not floats
    assert invoice["CustomerRef"] == {"value": "1", "name": "Budi Santoso"}
    assert invoice["CurrencyRef"]["value"] == "IDR"
    assert invoice["MetaData"]["LastUpdatedTime"] == "2026-11-02T03:04:05-08:00"
    assert invoice["InvoiceLink"].startswith("https://connect.intuit.com/")


def test_invoice_link_only_when_asked_and_only_for_online_invoices(http: httpx.Client) -> None:
    plain = query(http, "SELECT * FROM Invoice WHERE Id IN ('101', '102')").json()["QueryResponse"]["Invoice"]
    assert all("InvoiceLink" not in row for row in plain)
    linked = query(http, "SELECT * FROM Invoice WHERE Id IN ('101','102')", include="invoiceLink").json()
    assert ["InvoiceLink" in row for row in linked["QueryResponse"]["Invoice"]] == [True, False]


def test_customer_wire_format_and_inactive_customers(http: httpx.Client) -> None:
    default = query(http, "SELECT * FROM Customer")
    assert ids(default, "Customer") == ["1", "3"]  # inactive customers only when the WHERE names Active
    everyone = query(http, "SELECT * FROM Customer WHERE Active IN (true, false) AND Id IN ('1', '2')")
    rows = everyone.json()["QueryResponse"]["Customer"]
    assert [(r["Id"], r["Active"]) for r in rows] == [("1", True), ("2", False)]
    assert rows[0]["Mobile"] == {"FreeFormNumber": "0812 3456 7001"}
    assert rows[0]["PrimaryPhone"] == {"FreeFormNumber": "(021) 555 0100"}
    assert rows[0]["DisplayName"] == "Budi Santoso" and rows[0]["CurrencyRef"]["value"] == "IDR"
    assert set(rows[0]["MetaData"]) == {"CreateTime", "LastUpdatedTime"}


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("Balance > '0'", ["101", "102"]),
        ("Balance > '0' AND CurrencyRef = 'USD'", ["102"]),
        ("DueDate < '2026-11-15'", ["103"]),
        ("DueDate <= '2026-11-15'", ["101", "103"]),
        ("DueDate >= '2026-11-15' AND Balance > '100'", ["101"]),
        ("Id IN ('103', '101')", ["101", "103"]),
        ("DocNumber LIKE '100%'", ["101", "102", "103"]),
        ("DocNumber LIKE '%2'", ["102"]),
        ("CustomerRef = '3'", ["103"]),
        ("MetaData.LastUpdatedTime < '2026-11-03T00:00:00-08:00'", ["101"]),
        ("TotalAmt = 10", ["103"]),
    ],
)
def test_where_operators(http: httpx.Client, where: str, expected: list[str]) -> None:
    assert ids(query(http, f"SELECT * FROM Invoice WHERE {where}")) == expected


def test_orderby_and_count(http: httpx.Client) -> None:
    assert ids(query(http, "SELECT * FROM Invoice ORDERBY DueDate DESC")) == ["102", "101", "103"]
    assert ids(query(http, "select * from Invoice orderby TotalAmt")) == ["103", "102", "101"]  # keywords any case
    count = query(http, "SELECT count(*) FROM Invoice WHERE Balance > '0'").json()
    assert count["QueryResponse"] == {"totalCount": 2}


def test_get_form_of_the_query(http: httpx.Client) -> None:
    response = http.get(QUERY, params={"query": "SELECT * FROM Invoice WHERE Id = '102'", "minorversion": "75"})
    assert ids(response) == ["102"]


def test_empty_result_has_no_entity_key(http: httpx.Client) -> None:
    body = query(http, "SELECT * FROM Invoice WHERE Balance > '99999999'").json()
    assert body["QueryResponse"] == {}


@pytest.mark.parametrize(
    "select",
    [
        "SELECT * FROM Invoice WHERE Id = '1' OR Id = '2'",
        "SELECT * FROM invoice",  # entity names are case-sensitive
        "SELECT * FROM Bill",
        "SELECT Id FROM Invoice",
        "SELECT * FROM Invoice WHERE Nope = '1'",
        "SELECT * FROM Invoice WHERE DueDate > 'yesterday'",
        "SELECT * FROM Invoice STARTPOSITION 0",
    ],
)
def test_unparseable_query_is_a_validation_fault(http: httpx.Client, select: str) -> None:
    response = query(http, select)
    assert response.status_code == 400
    fault = response.json()["Fault"]
    assert fault["type"] == "ValidationFault"
    assert fault["Error"][0]["code"] == "4000"
    assert fault["Error"][0]["Detail"].startswith("QueryParserError")


def test_paging_past_1000_with_maxresults_capped(fake: FakeQuickBooks) -> None:
    realm = fake.seed({**volume_seed(1003), "realmId": "9341000000777"})["realmId"]
    token = fake.issue_tokens(realm)["access_token"]
    with httpx.Client(base_url=fake.url, headers={"Authorization": f"Bearer {token}"}) as client:

        def page(start: int, size: int) -> dict[str, Any]:
            select = f"SELECT * FROM Invoice WHERE Balance > '0' STARTPOSITION {start} MAXRESULTS {size}"
            response = client.post(f"/v3/company/{realm}/query", params={"minorversion": 75}, content=select)
            result: dict[str, Any] = response.json()["QueryResponse"]
            return result

        first = page(1, 5000)
        assert (first["startPosition"], first["maxResults"]) == (1, 1000)
        second = page(1001, 1000)
        assert (second["startPosition"], second["maxResults"]) == (1001, 3)
        assert page(1, 10)["maxResults"] == 10
        assert not {i["Id"] for i in first["Invoice"]} & {i["Id"] for i in second["Invoice"]}


@pytest.mark.parametrize("version", [None, "74", "abc"])
def test_minor_version_below_75_is_refused(http: httpx.Client, version: str | None) -> None:
    params = {"minorversion": version} if version else {}
    response = http.post(QUERY, params=params, content="SELECT * FROM Invoice")
    assert response.status_code == 400
    assert response.json()["Fault"]["type"] == "ValidationFault"
    assert query(http, "SELECT * FROM Invoice", minorversion=76).status_code == 200


def test_cdc_reports_changes_payments_and_deletions(fake: FakeQuickBooks, http: httpx.Client) -> None:
    fake.advance(2)  # the answer's time has whole seconds: step past the seeding second
    since = query(http, "SELECT count(*) FROM Invoice").json()["time"]
    fake.advance(2)
    fake.pay(REALM, "101")
    fake.delete(REALM, "102")
    fake.patch_customer(REALM, "3", {"mobile": "0813 9999 0000"})
    response = http.get(CDC, params={"entities": "Invoice,Customer", "changedSince": since, "minorversion": "75"})
    assert response.status_code == 200
    [block] = response.json()["CDCResponse"]
    invoices, customers = block["QueryResponse"]
    rows = {r["Id"]: r for r in invoices["Invoice"]}
    assert rows["101"]["Balance"] == 0 and rows["101"]["LinkedTxn"][0]["TxnType"] == "Payment"
    assert rows["101"]["SyncToken"] == "1"
    assert rows["102"]["status"] == "Deleted"
    assert [c["Id"] for c in customers["Customer"]] == ["3"]
    fake.advance(2)
    later = query(http, "SELECT count(*) FROM Invoice").json()["time"]
    quiet = http.get(CDC, params={"entities": "Invoice", "changedSince": later, "minorversion": "75"})
    assert quiet.json()["CDCResponse"] == [{"QueryResponse": [{}]}]


def test_cdc_looks_back_at_most_30_days(fake: FakeQuickBooks, http: httpx.Client) -> None:
    params = {"entities": "Invoice", "minorversion": "75", "changedSince": "2020-01-01T00:00:00Z"}
    response = http.get(CDC, params=params)
    assert response.status_code == 400
    assert response.json()["Fault"]["type"] == "ValidationFault"


def test_cdc_caps_at_1000_objects(fake: FakeQuickBooks) -> None:
    realm = fake.seed({**volume_seed(1005), "realmId": "9341000000888"})["realmId"]
    token = fake.issue_tokens(realm)["access_token"]
    params = {"entities": "Invoice,Customer", "minorversion": "75", "changedSince": "2026-01-01T00:00:00Z"}
    fake.advance(0)
    response = httpx.get(
        f"{fake.url}/v3/company/{realm}/cdc",
        params={**params, "changedSince": _minutes_ago(fake, 5)},
        headers={"Authorization": f"Bearer {token}"},
    )
    [block] = response.json()["CDCResponse"]
    assert sum(len(r.get("Invoice", [])) + len(r.get("Customer", [])) for r in block["QueryResponse"]) == 1000


def _minutes_ago(fake: FakeQuickBooks, minutes: int) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(fake.now() - minutes * 60, dt.UTC).isoformat()


def test_throttle_is_a_429_with_an_xml_body_even_for_json(fake: FakeQuickBooks, http: httpx.Client) -> None:
    fake.set_limits({"perSecond": 3, "resetCounters": True})
    statuses = [query(http, "SELECT count(*) FROM Invoice") for _ in range(4)]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429]
    throttled = statuses[-1]
    assert throttled.headers["content-type"].startswith("application/xml")
    assert '<Fault type="SERVICE"><Error code="3001">' in throttled.text
    assert "ThrottleExceeded" in throttled.text
    fake.advance(1.1)
    assert query(http, "SELECT count(*) FROM Invoice").status_code == 200


def test_minute_limit_per_company(fake: FakeQuickBooks, http: httpx.Client) -> None:
    fake.set_limits({"perMinute": 5, "perSecond": 100, "resetCounters": True})
    other = fake.seed({"companyName": "Other", "realmId": "9341000000999"})["realmId"]
    other_token = fake.issue_tokens(other)["access_token"]
    codes = [query(http, "SELECT count(*) FROM Invoice").status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    other_call = httpx.post(
        f"{fake.url}/v3/company/{other}/query?minorversion=75",
        content="SELECT count(*) FROM Invoice",
        headers={"Authorization": f"Bearer {other_token}"},
    )
    assert other_call.status_code == 200  # limits are per company
    fake.advance(61)
    assert query(http, "SELECT count(*) FROM Invoice").status_code == 200


def test_expired_or_unknown_token_is_the_gateway_401(fake: FakeQuickBooks, http: httpx.Client) -> None:
    fake.advance(3601)
    response = query(http, "SELECT * FROM Invoice")
    assert response.status_code == 401
    fault = response.json()["fault"]  # lowercase keys: the gateway, not the API
    assert fault["type"] == "AUTHENTICATION"
    assert fault["error"][0]["code"] == "3200"
    anonymous = httpx.post(f"{fake.url}{QUERY}?minorversion=75", content="SELECT * FROM Invoice")
    assert anonymous.status_code == 401


def test_token_for_another_company_is_a_403(fake: FakeQuickBooks) -> None:
    other = fake.seed({"companyName": "Other", "realmId": "9341000000555"})["realmId"]
    token = fake.issue_tokens(other)["access_token"]
    response = httpx.post(
        f"{fake.url}{QUERY}?minorversion=75",
        content="SELECT * FROM Invoice",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 403
    assert "AuthorizationFailed" in response.json()["fault"]["error"][0]["message"]


def test_refresh_rotates_with_a_grace_period_and_basic_auth(fake: FakeQuickBooks) -> None:
    first = fake.issue_tokens(REALM)
    answer = refresh(fake, first["refresh_token"])
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    assert body["x_refresh_token_expires_in"] == 8_726_400
    assert body["refresh_token"] != first["refresh_token"]
    assert refresh(fake, first["refresh_token"]).status_code == 200  # the superseded one works for a while
    fake.advance(86_401)
    stale = refresh(fake, first["refresh_token"])
    assert (stale.status_code, stale.json()) == (400, {"error": "invalid_grant"})
    no_basic = httpx.post(fake.url + TOKEN_PATH, data={"grant_type": "refresh_token", "refresh_token": "x"})
    assert no_basic.status_code == 401 and no_basic.json() == {"error": "invalid_client"}


def test_revoke_and_disconnect_end_the_grant(fake: FakeQuickBooks) -> None:
    tokens = fake.issue_tokens(REALM)
    revoked = httpx.post(
        fake.url + "/v2/oauth2/tokens/revoke", json={"token": tokens["refresh_token"]}, headers=basic()
    )
    assert revoked.status_code == 200
    assert refresh(fake, tokens["refresh_token"]).json() == {"error": "invalid_grant"}
    again = fake.issue_tokens(REALM)
    fake.disconnect(REALM)
    assert refresh(fake, again["refresh_token"]).json() == {"error": "invalid_grant"}


def test_intuit_oauth_reads_the_discovery_document_and_exchanges_a_code(fake: FakeQuickBooks) -> None:
    from intuitlib.client import AuthClient
    from intuitlib.enums import Scopes

    assert httpx.get(fake.discovery_url).json() == discovery_document(fake.url)
    auth = AuthClient(
        DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, "http://127.0.0.1/callback", environment=fake.discovery_url
    )
    url = auth.get_authorization_url([Scopes.ACCOUNTING], state_token="st8")
    consent = httpx.get(url)  # the fake's consent page consents at once
    assert consent.status_code == 302
    assert "state=st8" in consent.headers["location"] and f"realmId={REALM}" in consent.headers["location"]
    code = consent.headers["location"].split("code=")[1].split("&")[0]
    auth.get_bearer_token(code, realm_id=REALM)
    assert auth.access_token.startswith("qb-at-") and auth.refresh_token.startswith("qb-rt-")
    auth.refresh()
    assert auth.refresh_token.startswith("qb-rt-")
    with pytest.raises(Exception, match="invalid_grant"):
        auth.get_bearer_token(code, realm_id=REALM)  # codes are single-use


def test_real_python_quickbooks_sdk_parses_the_fake(fake: FakeQuickBooks, monkeypatch: pytest.MonkeyPatch) -> None:
    """The libraries.md recipe, unchanged: AuthClient on the discovery URL, a QuickBooks subclass on the fake."""
    from intuitlib.client import AuthClient
    from quickbooks import QuickBooks
    from quickbooks.objects.customer import Customer
    from quickbooks.objects.invoice import Invoice

    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    tokens = fake.issue_tokens(REALM)
    auth = AuthClient(
        DEFAULT_CLIENT_ID,
        DEFAULT_CLIENT_SECRET,
        "http://127.0.0.1/callback",
        environment=fake.discovery_url,
        access_token=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
    )

    class LocalQuickBooks(QuickBooks):  # type: ignore[misc]
        api_url_v3 = fake.url + "/v3"
        sandbox_api_url_v3 = fake.url + "/v3"

    qb = LocalQuickBooks(auth_client=auth, refresh_token=auth.refresh_token, company_id=REALM, minorversion=75)
    invoices = Invoice.query("SELECT * FROM Invoice WHERE Balance > '0' MAXRESULTS 100", qb=qb)
    assert sorted(i.DocNumber for i in invoices) == ["1001", "1002"]
    assert invoices[0].CustomerRef.value == "1"
    assert [c.DisplayName for c in Customer.choose(["1", "3"], field="Id", qb=qb)] == ["Budi Santoso", "Sari Dewi"]


def test_admin_api_over_http(fake: FakeQuickBooks) -> None:
    admin = fake.url + "/_sandbox/quickbooks"
    seeded = httpx.post(
        admin + "/companies",
        json={
            "companyName": "Toko HTTP",
            "customers": [{"displayName": "Ani", "mobile": "0812 0000 0001"}],
            "invoices": [{"docNumber": "H-1", "customer": "Ani", "dueDate": "2026-11-20", "total": "50000"}],
        },
    )
    assert seeded.status_code == 201
    realm, invoice_id = seeded.json()["realmId"], seeded.json()["invoices"]["H-1"]
    tokens = httpx.post(f"{admin}/companies/{realm}/tokens").json()
    assert tokens["realmId"] == realm and tokens["access_token"].startswith("qb-at-")
    patched = httpx.patch(f"{admin}/companies/{realm}/invoices/{invoice_id}", json={"dueDate": "2026-12-01"})
    assert patched.json()["DueDate"] == "2026-12-01" and patched.json()["SyncToken"] == "1"
    paid = httpx.post(f"{admin}/companies/{realm}/invoices/{invoice_id}/pay").json()
    assert paid["Balance"] == 0
    assert httpx.post(f"{admin}/companies/{realm}/invoices/nope/void").status_code == 404
    limits = httpx.put(admin + "/limits", json={"perMinute": 7}).json()
    assert limits["perMinute"] == 7 and limits["perSecond"] == 10
    assert httpx.put(admin + "/limits", json={"bogus": 1}).status_code == 400
    state = httpx.get(f"{admin}/companies/{realm}").json()
    assert [i["DocNumber"] for i in state["invoices"]] == ["H-1"]


def test_trigger_pays_after_the_nth_query(fake: FakeQuickBooks, http: httpx.Client) -> None:
    fake.add_trigger("/query$", 1, "pay", REALM, "101")
    assert "101" in ids(query(http, "SELECT * FROM Invoice WHERE Balance > '0'"))
    assert "101" not in ids(query(http, "SELECT * FROM Invoice WHERE Balance > '0'"))


def test_void_keeps_the_invoice_with_zero_amounts(fake: FakeQuickBooks, http: httpx.Client) -> None:
    fake.void(REALM, "101")
    [row] = query(http, "SELECT * FROM Invoice WHERE Id = '101'").json()["QueryResponse"]["Invoice"]
    assert (row["Balance"], row["TotalAmt"], row["PrivateNote"]) == (0, 0, "Voided")
