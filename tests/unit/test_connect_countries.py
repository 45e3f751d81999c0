"""The connect flow keeps each company's country, currency and time zone (`ConnectFlows` with a `CompanyProfileReader`).

The reader here is a table of answers (the port's test double); the real readers, Xero's Organisation and QuickBooks'
CompanyInfo / Preferences through the SDKs, are tested against the fakes in tests/test_xero_adapter.py,
tests/test_quickbooks_adapter.py and end to end in tests/test_countries.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from chalicelib.domain.changes import SnapshotChange
from chalicelib.domain.errors import AccountingRateLimited, LunasError
from chalicelib.domain.models import CompanyProfile, ConnectionStatus, Reason
from chalicelib.services.connections import XERO_SCOPES, ConnectFlows
from tests.builders import TUESDAY_10_JKT, customer
from tests.memory_stores import MemoryStores
from tests.unit.fakes import FakeHttp, FixedClock
from tests.unit.test_connect import ORG, QUICKBOOKS, TENANTS, TOKEN_ANSWER, USER, XERO, Flows


@dataclass
class Profiles:
    """Answers per (provider, tenant); an exception instead of a profile is raised."""

    answers: dict[tuple[str, str], CompanyProfile | LunasError] = field(default_factory=dict)
    asked: list[tuple[str, str, str]] = field(default_factory=list)

    def __call__(self, *, provider: str, tenant_id: str, access_token: str) -> CompanyProfile:
        self.asked.append((provider, tenant_id, access_token))
        answer = self.answers.get((provider, tenant_id), CompanyProfile())
        if isinstance(answer, LunasError):
            raise answer
        return answer


AUSTRALIA = CompanyProfile(name="Acme Pty Ltd", country="AU", currency="AUD", timezone="Australia/Sydney")
UNITED_STATES = CompanyProfile(name="Acme Inc", country="US", currency="USD")


@pytest.fixture
def profiles() -> Profiles:
    return Profiles()


@pytest.fixture
def rig(profiles: Profiles) -> Flows:
    clock = FixedClock(TUESDAY_10_JKT)
    stores = MemoryStores(clock=clock)
    http = FakeHttp()
    for provider in (XERO, QUICKBOOKS):
        http.answer("POST", provider.token_url, 200, TOKEN_ANSWER)
    http.answer("GET", XERO.connections_url, 200, TENANTS)
    flows = ConnectFlows(
        providers={"xero": XERO, "quickbooks": QUICKBOOKS},
        states=stores.oauth_states,
        connections=stores.connections,
        clock=clock,
        public_base_url="https://lunas.test/",
        http=http,  # type: ignore[arg-type]
        profiles=profiles,
        snapshots=stores.snapshots,
    )
    return Flows(clock, stores, http, flows)


def test_lunas_asks_xero_for_reading_the_organisation() -> None:
    # GET /Organisation needs accounting.settings(.read): xero-python's get_organisations docstring, Xero's OpenAPI.
    assert XERO_SCOPES.split() == [
        "offline_access",
        "accounting.invoices.read",
        "accounting.contacts.read",
        "accounting.settings.read",
    ]


def test_each_organisation_keeps_its_own_country_currency_and_time_zone(rig: Flows, profiles: Profiles) -> None:
    profiles.answers[("xero", "t-1")] = AUSTRALIA
    profiles.answers[("xero", "t-2")] = CompanyProfile(country="ID", currency="IDR", timezone="Asia/Jakarta")
    rig.connect_xero()
    assert profiles.asked == [("xero", "t-1", "access-1"), ("xero", "t-2", "access-1")]  # with the new token
    first, second = (rig.stores.connections.get(ORG, f"xero:{t}") for t in ("t-1", "t-2"))
    assert (first.country, first.currency, first.timezone) == ("AU", "AUD", "Australia/Sydney")
    assert first.tenant_name == "Toko Sumber Rejeki"  # Xero names it in /connections
    assert (second.country, second.currency) == ("ID", "IDR")
    assert first.phone_country("ID") == "AU"


def test_a_quickbooks_company_is_named_by_its_company_info(rig: Flows, profiles: Profiles) -> None:
    profiles.answers[("quickbooks", "9341")] = UNITED_STATES
    [connection] = rig.finish(rig.start("quickbooks")["state"], provider="quickbooks", realmId="9341")
    assert (connection.tenant_name, connection.country, connection.currency) == ("Acme Inc", "US", "USD")
    assert rig.stores.connections.get(ORG, "quickbooks:9341") == connection


def test_a_company_that_cannot_say_is_connected_and_uses_the_organisations_country(
    rig: Flows, profiles: Profiles
) -> None:
    profiles.answers[("xero", "t-1")] = AccountingRateLimited("Xero: minute limit reached", retry_after_seconds=30)
    profiles.answers[("quickbooks", "9341")] = LunasError("QuickBooks read company info: unreadable answer")
    rig.connect_xero()
    rig.finish(rig.start("quickbooks")["state"], provider="quickbooks", realmId="9341")
    throttled = rig.stores.connections.get(ORG, "xero:t-1")
    assert throttled.status is ConnectionStatus.ACTIVE and throttled.country is None
    assert throttled.phone_country("ID") == "ID"
    quickbooks = rig.stores.connections.get(ORG, "quickbooks:9341")
    assert (quickbooks.tenant_name, quickbooks.country) == ("QuickBooks company 9341", None)


def test_reconnecting_learns_the_country_and_reads_the_customers_again(rig: Flows, profiles: Profiles) -> None:
    rig.connect_xero()  # connected before Lunas read countries: its numbers were read as Indonesian
    stored = customer("c-1", None, connection_id="xero:t-1", phone_problem=Reason.INVALID_PHONE)
    rig.stores.snapshots.save(ORG, "xero:t-1", SnapshotChange(put_customers=(stored,)), expected_version=None)
    rig.stores.connections.set_status(ORG, "xero:t-1", ConnectionStatus.RECONNECT_NEEDED)

    profiles.answers[("xero", "t-1")] = AUSTRALIA
    rig.connect_xero()
    again = rig.stores.connections.get(ORG, "xero:t-1")
    assert (again.status, again.country, again.currency) == (ConnectionStatus.ACTIVE, "AU", "AUD")
    assert rig.stores.snapshots.load(ORG, "xero:t-1").customers == {}  # numbers read as Indonesian: forgotten

    rig.stores.snapshots.save(ORG, "xero:t-1", SnapshotChange(put_customers=(stored,)), expected_version=None)
    profiles.answers[("xero", "t-1")] = LunasError("unreachable")
    rig.connect_xero()  # the read failed this time: what was known stays, and so do the customers
    assert rig.stores.connections.get(ORG, "xero:t-1").country == "AU"
    assert list(rig.stores.snapshots.load(ORG, "xero:t-1").customers) == ["c-1"]


def test_without_a_reader_nothing_is_asked(rig: Flows) -> None:
    flows = ConnectFlows(
        providers={"xero": XERO},
        states=rig.stores.oauth_states,
        connections=rig.stores.connections,
        clock=rig.clock,
        public_base_url="https://lunas.test/",
        http=rig.http,  # type: ignore[arg-type]
    )
    url = flows.start(org_id=ORG, user_sub=USER, provider_name="xero")
    state = url.split("state=", 1)[1].split("&", 1)[0]
    [first, _] = flows.finish(org_id=ORG, user_sub=USER, provider_name="xero", query={"code": "c", "state": state})
    assert first.country is None
