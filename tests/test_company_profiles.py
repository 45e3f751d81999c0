"""Where a connected company is: the fakes serve Xero's `GET /Organisation` and QuickBooks' `CompanyInfo` and
`Preferences` in the vendors' documented shapes, and the adapters read them through the real SDKs
(xero-python `get_organisations`, python-quickbooks `CompanyInfo.get` / `Preferences.get`)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from chalicelib.adapters.quickbooks import QuickBooksFault
from chalicelib.domain.errors import AccountingRateLimited, ReconnectNeeded
from chalicelib.domain.models import CompanyProfile
from sandbox.quickbooks import FakeQuickBooks
from sandbox.xero import FakeXero
from tests import qbo_support, xero_support
from tests.unit.test_countries import QBO_COMPANY_INFO, QBO_PREFERENCES, XERO_ORGANISATION


@pytest.fixture
def xero() -> Iterator[FakeXero]:
    server = FakeXero()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def quickbooks() -> Iterator[FakeQuickBooks]:
    server = FakeQuickBooks()
    server.start()
    yield server
    server.stop()


# -- Xero ---------------------------------------------------------------------------------------------------------


def test_the_fake_xero_serves_the_documented_organisation_shape(xero: FakeXero) -> None:
    tenant = xero.seed({"tenantName": "Acme Pty Ltd", "country": "AU", "currency": "AUD"})["tenantId"]
    token = xero.issue_tokens([tenant])["access_token"]
    headers = {"Authorization": f"Bearer {token}", "xero-tenant-id": tenant, "Accept": "application/json"}
    answer = httpx.get(f"{xero.url}/api.xro/2.0/Organisation", headers=headers)
    assert answer.status_code == 200 and "X-DayLimit-Remaining" in answer.headers  # counted like any call
    body = answer.json()
    assert set(body) == set(XERO_ORGANISATION)  # the envelope: no pagination for one organisation
    [organisation] = body["Organisations"]
    assert set(XERO_ORGANISATION["Organisations"][0]) <= set(organisation)  # type: ignore[index]
    assert (organisation["CountryCode"], organisation["BaseCurrency"], organisation["Timezone"]) == (
        "AU",
        "AUD",
        "AUSEASTERNSTANDARDTIME",
    )
    assert (organisation["Version"], organisation["OrganisationID"], organisation["Name"]) == (
        "AU",
        tenant,
        "Acme Pty Ltd",
    )
    assert re.fullmatch(r"/Date\(\d+\)/", organisation["CreatedDateUTC"])
    xml = httpx.get(f"{xero.url}/api.xro/2.0/Organisation", headers={**headers, "Accept": "*/*"})
    assert xml.headers["Content-Type"].startswith("text/xml")  # Xero answers XML unless asked for JSON
    other = xero.seed({"tenantName": "Someone else"})["tenantId"]
    refused = httpx.get(f"{xero.url}/api.xro/2.0/Organisation", headers={**headers, "xero-tenant-id": other})
    assert refused.status_code == 403  # the token's consent does not cover that organisation


def test_the_xero_adapter_reads_the_organisations_country_currency_and_time_zone(xero: FakeXero) -> None:
    shops = {
        "default": xero.seed({"tenantName": "Toko Maju"})["tenantId"],
        "au": xero.seed({"tenantName": "Acme Pty Ltd", "country": "AU", "currency": "AUD"})["tenantId"],
        "nz": xero.seed(
            {"tenantName": "Kiwi Ltd", "country": "NZ", "currency": "NZD", "timezone": "NEWZEALANDSTANDARDTIME"}
        )["tenantId"],
    }
    profiles = {
        name: xero_support.gateway_for(xero, tenant)[0].organisation_profile() for name, tenant in shops.items()
    }
    assert profiles == {
        "default": CompanyProfile(name="Toko Maju", country="ID", currency="IDR", timezone="Asia/Jakarta"),
        "au": CompanyProfile(name="Acme Pty Ltd", country="AU", currency="AUD", timezone="Australia/Sydney"),
        "nz": CompanyProfile(name="Kiwi Ltd", country="NZ", currency="NZD", timezone="Pacific/Auckland"),
    }
    calls = xero.recorded("/api.xro/2.0/Organisation$")
    assert [c["headers"]["xero-tenant-id"] for c in calls] == list(shops.values())  # one call each


def test_the_xero_adapter_turns_refusals_into_lunas_errors(xero: FakeXero) -> None:
    tenant = xero.seed({"tenantName": "Acme Pty Ltd", "country": "AU"})["tenantId"]
    gateway, _ = xero_support.gateway_for(xero, tenant)
    xero_support.add_fault(xero, "/Organisation$", 429, {"Retry-After": "30", "X-Rate-Limit-Problem": "minute"})
    with pytest.raises(AccountingRateLimited):  # the connect flow does not wait: max_retry_wait below Retry-After
        xero_support.gateway_for(xero, tenant, max_retry_wait_seconds=5)[0].organisation_profile()
    xero.disconnect(tenant)
    with pytest.raises(ReconnectNeeded):  # the token was revoked: 401, then the refresh is refused
        gateway.organisation_profile()


# -- QuickBooks ---------------------------------------------------------------------------------------------------


def test_the_fake_quickbooks_serves_the_documented_company_info_and_preferences(quickbooks: FakeQuickBooks) -> None:
    realm = quickbooks.seed({"companyName": "Acme Inc", "country": "US", "currency": "USD"})["realmId"]
    token = quickbooks.issue_tokens(realm)["access_token"]
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    base = f"{quickbooks.url}/v3/company/{realm}"
    info = httpx.get(f"{base}/companyinfo/{realm}", params={"minorversion": 75}, headers=headers).json()
    assert set(info) == {"CompanyInfo", "time"}
    assert set(QBO_COMPANY_INFO) <= set(info["CompanyInfo"])
    assert (info["CompanyInfo"]["CompanyName"], info["CompanyInfo"]["Country"]) == ("Acme Inc", "US")
    assert info["CompanyInfo"]["CompanyAddr"]["Country"] == "US"
    preferences = httpx.get(f"{base}/preferences", params={"minorversion": 75}, headers=headers).json()
    assert set(preferences) == {"Preferences", "time"}
    assert set(QBO_PREFERENCES) <= set(preferences["Preferences"])
    assert preferences["Preferences"]["CurrencyPrefs"] == {
        "HomeCurrency": {"value": "USD"},
        "MultiCurrencyEnabled": False,
    }

    wrong = httpx.get(f"{base}/companyinfo/1", params={"minorversion": 75}, headers=headers)
    assert wrong.status_code == 400 and wrong.json()["Fault"]["Error"][0]["code"] == "610"
    old = httpx.get(f"{base}/preferences", params={"minorversion": 40}, headers=headers)
    assert old.status_code == 400 and old.json()["Fault"]["type"] == "ValidationFault"
    assert httpx.get(f"{base}/preferences", params={"minorversion": 75}).status_code == 401  # no token
    other = quickbooks.seed({"companyName": "Other"})["realmId"]
    foreign = httpx.get(
        f"{quickbooks.url}/v3/company/{other}/preferences", params={"minorversion": 75}, headers=headers
    )
    assert foreign.status_code == 403


def test_the_quickbooks_adapter_reads_the_companys_country_and_home_currency(quickbooks: FakeQuickBooks) -> None:
    companies = {
        "us": quickbooks.seed({"companyName": "Acme Inc", "country": "US", "currency": "USD"})["realmId"],
        "default": quickbooks.seed({"companyName": "PT Maju"})["realmId"],
        "named": quickbooks.seed({"companyName": "Acme Pty", "country": "Australia", "currency": "AUD"})["realmId"],
    }
    profiles = {
        name: qbo_support.gateway_for(quickbooks, realm)[0].company_profile() for name, realm in companies.items()
    }
    assert profiles == {
        "us": CompanyProfile(name="Acme Inc", country="US", currency="USD"),
        "default": CompanyProfile(name="PT Maju", country="ID", currency="IDR"),
        "named": CompanyProfile(name="Acme Pty", country="AU", currency="AUD"),
    }
    calls = quickbooks.api_calls(companies["us"])
    assert [c["path"].split("/v3/company/")[1] for c in calls] == [
        f"{companies['us']}/companyinfo/{companies['us']}",
        f"{companies['us']}/preferences",
    ]
    assert all(c["query"]["minorversion"] == ["75"] for c in calls)


def test_the_quickbooks_adapter_turns_faults_and_throttles_into_lunas_errors(quickbooks: FakeQuickBooks) -> None:
    realm = quickbooks.seed({"companyName": "Acme Inc", "country": "US"})["realmId"]
    gateway, _ = qbo_support.gateway_for(quickbooks, realm, max_rate_waits=0)
    qbo_support.add_fault(quickbooks, "/companyinfo/", 429, body=b"<Fault/>", headers={"Content-Type": "text/xml"})
    with pytest.raises(AccountingRateLimited):
        gateway.company_profile()
    fault = {
        "Fault": {"Error": [{"Message": "Object Not Found", "Detail": "x", "code": "610"}], "type": "ValidationFault"}
    }
    qbo_support.add_fault(quickbooks, "/preferences$", 400, body=fault)
    with pytest.raises(QuickBooksFault):
        gateway.company_profile()
