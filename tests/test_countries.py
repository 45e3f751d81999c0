"""Countries end to end: an Indonesian organisation connects a US QuickBooks company and an Australian Xero
organisation through the real connect flow; each connection reads its customers' numbers in its own company's
country, and all of them are reminded, while its Indonesian Xero organisation's numbers stay Indonesian.

The app over HTTP (sign-up, settings, connect, consent, run now), the fakes' consent pages, token endpoints,
Organisation / CompanyInfo / Preferences, xero-python and python-quickbooks, DynamoDB and KMS on moto, fake Meta.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest

from chalicelib import bootstrap
from chalicelib.domain.models import Connection, OAuthTokens
from sandbox.run import Sandbox
from tests.web_support import (
    SIGNED_UP,
    WebClient,
    connect,
    new_email,
    org_of,
    register_whatsapp_number,
    retire_connections,
)
from tests.world import TUESDAY_10_JAKARTA, set_clock

pytestmark = pytest.mark.sandbox

US_MOBILE, US_E164 = "415.555.0162", "+14155550162"  # QuickBooks FreeFormNumber, no country code
AU_MOBILE, AU_E164 = "0412 345 678", "+61412345678"  # Xero PhoneNumber with an empty PhoneCountryCode
ID_MOBILE, ID_E164 = "0812 3456 7890", "+6281234567890"


@pytest.fixture(autouse=True)
def _retire_connections() -> Iterator[None]:
    set_clock(TUESDAY_10_JAKARTA)
    yield
    retire_connections()


def _day(offset: int) -> str:
    return (TUESDAY_10_JAKARTA.date() + dt.timedelta(days=offset)).isoformat()


def _xero_shop(sandbox: Sandbox, name: str, *, country: str, currency: str, customer: str, mobile: str) -> str:
    seeded = sandbox.xero.seed(
        {
            "tenantName": f"{name} {uuid.uuid4().hex[:6]}",
            "country": country,
            "currency": currency,
            "contacts": [
                {"name": customer, "phones": {"MOBILE": {"countryCode": "", "areaCode": "", "number": mobile}}}
            ],
            "invoices": [
                {
                    "number": f"{country}-001",
                    "contact": customer,
                    "date": _day(-34),
                    "dueDate": _day(-4),
                    "total": "1500.00",
                }
            ],
        }
    )
    return str(seeded["tenantId"])


def _owner(sandbox: Sandbox, **signup: str) -> tuple[WebClient, str, str]:
    """An owner signed up over HTTP, with a WhatsApp number Meta confirmed: (client, org id, phone number id)."""
    client = WebClient(sandbox.app_url)
    email = new_email("countries")
    form = {"email": email, "password": "Sandbox-Pass1", "business_name": "Toko Sumber Rejeki", **signup}
    assert client.post("/signup", form, csrf_from="/signup").status_code == 303
    SIGNED_UP.append(email)
    token = f"EAAG{uuid.uuid4().hex}"
    phone_number_id, waba = register_whatsapp_number(sandbox, token, "+62 21 5555 0000")
    saved = client.post(
        "/settings/whatsapp",
        {"phone_number_id": phone_number_id, "business_account_id": waba, "access_token": token},
        csrf_from="/settings",
    )
    assert saved.headers["Location"] == "/settings?m=saved"
    return client, org_of(email), phone_number_id


def _opt_in(client: WebClient, phone: str) -> None:
    evidence = "Signed the WhatsApp reminders form on 2026-11-01"
    form = {"phone": phone, "status": "opted_in", "source": "signed_form", "evidence": evidence}
    assert client.post("/customers/consent", form, csrf_from="/customers").headers["Location"] == "/customers?m=consent"


def _connections(org_id: str) -> dict[str, Connection]:
    return {c.connection_id: c for c in bootstrap.container().stores.connections.for_org(org_id)}


def test_us_and_australian_companies_of_an_indonesian_organisation_are_reminded(sandbox: Sandbox) -> None:
    australia = _xero_shop(
        sandbox, "Acme Pty Ltd", country="AU", currency="AUD", customer="Bondi Bakery", mobile=AU_MOBILE
    )
    indonesia = _xero_shop(
        sandbox, "Toko Sumber Rejeki", country="ID", currency="IDR", customer="Budi Santoso", mobile=ID_MOBILE
    )
    realm = sandbox.quickbooks.seed(
        {
            "companyName": f"Acme Inc {uuid.uuid4().hex[:6]}",
            "country": "US",
            "currency": "USD",
            "customers": [{"displayName": "Golden Gate Deli", "mobile": US_MOBILE}],
            "invoices": [
                {"docNumber": "US-001", "customer": "Golden Gate Deli", "dueDate": _day(-4), "total": "250.00"}
            ],
        }
    )["realmId"]
    client, org_id, phone_number_id = _owner(sandbox, country="ID")
    assert bootstrap.container().stores.organisations.settings(org_id).country == "ID"

    assert connect(client, "xero", {"tenant": [australia, indonesia]}).headers["Location"] == "/dashboard?m=connected"
    assert connect(client, "quickbooks", {"realmId": realm}).headers["Location"] == "/dashboard?m=connected"
    stored = _connections(org_id)
    profile = {cid: (c.country, c.currency, c.timezone) for cid, c in stored.items()}
    assert profile == {
        f"xero:{australia}": ("AU", "AUD", "Australia/Sydney"),
        f"xero:{indonesia}": ("ID", "IDR", "Asia/Jakarta"),
        f"quickbooks:{realm}": ("US", "USD", None),
    }
    assert stored[f"quickbooks:{realm}"].tenant_name.startswith("Acme Inc")  # CompanyInfo.CompanyName
    settings_page = client.get("/settings?lang=en").text
    assert "Australia, AUD" in settings_page and "United States, USD" in settings_page

    customers = client.get("/customers").text
    for phone in (US_E164, AU_E164, ID_E164):
        assert f'data-phone="{phone}"' in customers, phone
        _opt_in(client, phone)

    assert client.post("/run-now", {}, csrf_from="/preview").headers["Location"].startswith("/run-status?since=")
    sent = {m["to"]: m for m in sandbox.meta.messages(phone_number_id=phone_number_id)}
    assert set(sent) == {US_E164, AU_E164, ID_E164}
    # Each customer reads it in their own language: the Indonesian organisation's customers abroad get English.
    assert sent[AU_E164]["rendered_text"].startswith("Hello Bondi Bakery, this is a payment update from")
    assert sent[US_E164]["rendered_text"].startswith("Hello Golden Gate Deli, this is a payment update from")
    assert sent[ID_E164]["rendered_text"].startswith("Yth. Budi Santoso,")
    invoices = client.get("/api/invoices").json()["invoices"]
    assert {r["number"]: r["reason"] for r in invoices} == {"AU-001": "sent", "ID-001": "sent", "US-001": "sent"}


def test_a_connection_that_could_not_say_reads_numbers_in_the_organisations_country(sandbox: Sandbox) -> None:
    """Connected before Lunas read countries (no country stored): the organisation's country applies, and when the
    owner corrects it in settings, the numbers already read are read again in the new one."""
    australia = _xero_shop(
        sandbox, "Acme Pty Ltd", country="AU", currency="AUD", customer="Bondi Bakery", mobile=AU_MOBILE
    )
    client, org_id, phone_number_id = _owner(sandbox)  # no country in the form: the browser's, else Indonesia
    assert bootstrap.container().stores.organisations.settings(org_id).country == "ID"
    issued = sandbox.xero.issue_tokens([australia])
    bootstrap.container().stores.connections.add(
        Connection(org_id=org_id, connection_id=f"xero:{australia}", provider="xero", tenant_id=australia),
        OAuthTokens(
            access_token=issued["access_token"],
            refresh_token=issued["refresh_token"],
            expires_at=sandbox.clock.now() + dt.timedelta(seconds=int(issued["expires_in"])),
        ),
    )
    assert "not known, read as Indonesia" in client.get("/settings?lang=en").text
    _opt_in(client, AU_E164)
    assert client.post("/run-now", {}, csrf_from="/preview").headers["Location"].startswith("/run-status?since=")
    assert {r["number"]: r["reason"] for r in client.get("/api/invoices").json()["invoices"]} == {
        "AU-001": "invalid_phone"  # 0412 345 678 is no Indonesian mobile
    }

    form = {
        "stages": "-3, 0, 3, 7, 14, 30",
        "timezone": "Asia/Jakarta",
        "window_start": "09:00",
        "window_end": "17:00",
        "weekdays": ["0", "1", "2", "3", "4"],
        "language": "id",
        "minimum_amounts": "",
        "country": "XX",
    }
    refused = client.post("/settings/schedule?lang=id", form, csrf_from="/settings")
    assert refused.status_code == 400 and "pilih negara dari daftar" in refused.text
    assert client.post("/settings/schedule", {**form, "country": "AU"}, csrf_from="/settings").status_code == 303
    assert bootstrap.container().stores.organisations.settings(org_id).country == "AU"
    assert client.post("/run-now", {}, csrf_from="/preview").headers["Location"].startswith("/run-status?since=")
    assert [m["to"] for m in sandbox.meta.messages(phone_number_id=phone_number_id)] == [AU_E164]


def test_sign_up_suggests_the_browsers_country_and_checks_the_choice(sandbox: Sandbox) -> None:
    client = WebClient(sandbox.app_url)
    australian = client.get("/signup", headers={"Accept-Language": "en-AU,en;q=0.9"}).text
    assert '<option value="AU" selected>Australia</option>' in australian
    indonesian = WebClient(sandbox.app_url).get("/signup", headers={"Accept-Language": "id-ID,id;q=0.9"}).text
    assert '<option value="ID" selected>Indonesia</option>' in indonesian
    assert '<option value="US" >Amerika Serikat</option>' in indonesian  # names in the owner's language

    email = new_email("countries")
    form = {"email": email, "password": "Sandbox-Pass1", "business_name": "Acme", "country": "Narnia"}
    refused = client.post("/signup?lang=id", form, csrf_from="/signup")
    assert refused.status_code == 400 and "Pilih negara Anda dari daftar." in refused.text
    assert client.post("/signup", {**form, "country": "nz"}, csrf_from="/signup").status_code == 303
    SIGNED_UP.append(email)
    assert bootstrap.container().stores.organisations.settings(org_of(email)).country == "NZ"
    assert '<option value="NZ" selected>New Zealand</option>' in client.get("/settings?lang=en").text
