"""Countries, currencies and time zones as Xero, QuickBooks and browsers write them (chalicelib/domain/countries.py),
the adapters' mapping of the vendors' documented examples, and reading a number in its company's country."""

from __future__ import annotations

from typing import Any

import pytest
import xero_python.accounting.models
from quickbooks.objects.company_info import CompanyInfo
from quickbooks.objects.preferences import Preferences
from xero_python.api_client import ModelFinder
from xero_python.api_client.deserializer import deserialize

from chalicelib.adapters.quickbooks_mapping import map_company
from chalicelib.adapters.quickbooks_mapping import map_customer as map_qbo_customer
from chalicelib.adapters.xero_mapping import map_organisation
from chalicelib.domain.countries import (
    country_choices,
    country_code,
    country_name,
    currency_code,
    iana_timezone,
    is_country,
)
from chalicelib.domain.models import CompanyProfile, Reason
from chalicelib.domain.phones import normalise_phone, normalise_xero_phone
from chalicelib.web.i18n import country_from_accept_language

# Xero's documented answer to GET /Organisation (trimmed), https://developer.xero.com/documentation/api/accounting/organisation
# (the same example is in XeroAPI/Xero-OpenAPI xero_accounting.yaml).
XERO_ORGANISATION = {
    "Id": "27b7a645-a3ee-43c8-b2c6-a2fa7b84c8c5",
    "Status": "OK",
    "ProviderName": "Provider Name Example",
    "DateTimeUTC": "/Date(1552404447003)/",
    "Organisations": [
        {
            "APIKey": "CTJ60UH519MXQIXEJSDPDALS3EOZ5Y",
            "Name": "Dev Evangelist - Sid Test 3 (NZ-2016-02)",
            "LegalName": "Dev Evangelist - Sid Test 3 (NZ-2016-02)",
            "PaysTax": True,
            "Version": "NZ",
            "OrganisationType": "COMPANY",
            "BaseCurrency": "NZD",
            "CountryCode": "NZ",
            "IsDemoCompany": False,
            "OrganisationStatus": "ACTIVE",
            "FinancialYearEndDay": 31,
            "FinancialYearEndMonth": 3,
            "SalesTaxBasis": "PAYMENTS",
            "SalesTaxPeriod": "TWOMONTHS",
            "DefaultSalesTax": "Tax Exclusive",
            "DefaultPurchasesTax": "Tax Exclusive",
            "CreatedDateUTC": "/Date(1455827393000)/",
            "OrganisationEntityType": "COMPANY",
            "Timezone": "NEWZEALANDSTANDARDTIME",
            "ShortCode": "!mBdtL",
            "OrganisationID": "b2c885a9-4bb9-4a00-9b6e-6c2bf60b1a2b",
            "Edition": "BUSINESS",
            "Class": "PREMIUM",
            "Addresses": [],
            "Phones": [],
            "ExternalLinks": [],
            "PaymentTerms": {},
        }
    ],
}

# Intuit's documented CompanyInfo (trimmed),
# https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/companyinfo
QBO_COMPANY_INFO: dict[str, Any] = {
    "SyncToken": "4",
    "domain": "QBO",
    "LegalAddr": {
        "City": "Mountain View",
        "Country": "US",
        "Line1": "2500 Garcia Ave",
        "PostalCode": "94043",
        "CountrySubDivisionCode": "CA",
        "Id": "1",
    },
    "SupportedLanguages": "en",
    "CompanyName": "Larry's Bakery",
    "Country": "US",
    "CompanyAddr": {
        "City": "Mountain View",
        "Country": "US",
        "Line1": "2500 Garcia Ave",
        "PostalCode": "94043",
        "CountrySubDivisionCode": "CA",
        "Id": "1",
    },
    "sparse": False,
    "Id": "1",
    "WebAddr": {},
    "FiscalYearStartMonth": "January",
    "PrimaryPhone": {},
    "LegalName": "Larry's Bakery",
    "CompanyStartDate": "2015-06-05",
    "Email": {"Address": "donotreply@intuit.com"},
    "MetaData": {"CreateTime": "2015-06-05T13:55:54-07:00", "LastUpdatedTime": "2015-07-06T08:51:50-07:00"},
}
# Intuit's documented Preferences, the part Lunas reads,
# https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/preferences
QBO_PREFERENCES = {
    "CurrencyPrefs": {"HomeCurrency": {"value": "USD"}, "MultiCurrencyEnabled": False},
    "domain": "QBO",
    "SyncToken": "6",
    "sparse": False,
    "Id": "1",
}


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("ID", "ID"),
        ("au", "AU"),
        (" US ", "US"),
        ("USA", "US"),  # ISO alpha-3
        ("IDN", "ID"),
        ("UK", "GB"),
        ("United States", "US"),
        ("United States of America", "US"),
        ("Australia", "AU"),
        ("Amerika Serikat", "US"),  # CLDR's Indonesian name
        ("", None),
        (None, None),
        ("GLOBAL", None),
        ("XX", None),
        ("Atlantis", None),
    ],
)
def test_a_country_is_read_however_the_vendor_writes_it(written: str | None, code: str | None) -> None:
    assert country_code(written) == code


def test_currencies_and_the_country_list() -> None:
    assert (currency_code("idr"), currency_code(" AUD"), currency_code("Rp"), currency_code(None)) == (
        "IDR",
        "AUD",
        None,
        None,
    )
    assert is_country("ID") and not is_country("id") and not is_country("ZZ") and not is_country("IDN")
    english, indonesian = dict(country_choices("en")), dict(country_choices("id"))
    assert set(english) == set(indonesian) and len(english) > 200
    assert (english["US"], indonesian["US"], country_name("AU", "en")) == (
        "United States",
        "Amerika Serikat",
        "Australia",
    )
    names = [name for _, name in country_choices("en")]
    assert names == sorted(names, key=str.casefold)


@pytest.mark.parametrize(
    ("windows", "country", "zone"),
    [
        ("SEASIASTANDARDTIME", "ID", "Asia/Jakarta"),  # CLDR says Bangkok; the organisation is in Indonesia
        ("SEASIASTANDARDTIME", None, "Asia/Bangkok"),
        ("AUSEASTERNSTANDARDTIME", "AU", "Australia/Sydney"),
        ("EAUSTRALIASTANDARDTIME", "AU", "Australia/Brisbane"),  # no daylight saving: not Sydney
        ("NEWZEALANDSTANDARDTIME", "NZ", "Pacific/Auckland"),
        ("SINGAPORESTANDARDTIME", "SG", "Asia/Singapore"),
        ("NOSUCHSTANDARDTIME", "ID", None),
    ],
)
def test_xeros_windows_time_zones_become_iana_names(windows: str, country: str | None, zone: str | None) -> None:
    assert iana_timezone(windows, country) == zone


@pytest.mark.parametrize(
    ("header", "country"),
    [
        ("en-AU,en;q=0.9", "AU"),
        ("id-ID,id;q=0.9,en-US;q=0.8", "ID"),
        ("id", "ID"),
        ("en-US", "US"),
        ("en", "ID"),  # a language alone names no country
        ("en;q=0.9,en-GB;q=0.8", "GB"),
        ("fr-FR;q=0,en-NZ;q=0.5", "NZ"),  # q=0: not wanted
        ("zh-Hant-TW", "TW"),
        ("es-419", "ID"),
        ("", "ID"),
        (None, "ID"),
        ("xx-ZZ;q=abc", "ID"),
    ],
)
def test_the_sign_up_form_suggests_the_browsers_country(header: str | None, country: str) -> None:
    assert country_from_accept_language(header) == country


def test_xeros_documented_organisation_maps_to_a_profile() -> None:
    answer = deserialize("Organisations", XERO_ORGANISATION, ModelFinder(xero_python.accounting.models))
    assert map_organisation(answer.organisations[0]) == CompanyProfile(
        name="Dev Evangelist - Sid Test 3 (NZ-2016-02)", country="NZ", currency="NZD", timezone="Pacific/Auckland"
    )


def test_quickbooks_documented_company_info_and_preferences_map_to_a_profile() -> None:
    info, preferences = CompanyInfo.from_json(QBO_COMPANY_INFO), Preferences.from_json(QBO_PREFERENCES)
    assert map_company(info, preferences) == CompanyProfile(name="Larry's Bakery", country="US", currency="USD")
    # `Country` empty: the company address says; a name is read too; no Preferences: no currency.
    no_country = CompanyInfo.from_json({**QBO_COMPANY_INFO, "Country": "", "CompanyAddr": {"Country": "Australia"}})
    assert map_company(no_country, None) == CompanyProfile(name="Larry's Bakery", country="AU")
    unknown = CompanyInfo.from_json({"CompanyName": "X", "Country": "Atlantis"})
    assert map_company(unknown, Preferences.from_json({})).country is None


def test_a_number_without_plus_is_read_in_its_companys_country() -> None:
    # QuickBooks' FreeFormNumber of a US company, and Xero's parts with an empty country code in Australia.
    assert normalise_phone("415.555.0162", "US").e164 == "+14155550162"
    assert normalise_phone("415.555.0162", "ID").problem is Reason.INVALID_PHONE
    assert normalise_xero_phone("", "", "0412 345 678", "AU").e164 == "+61412345678"
    assert normalise_xero_phone("", "", "0412 345 678", "ID").problem is Reason.INVALID_PHONE
    assert normalise_xero_phone("", "", "0812 3456 7890", "ID").e164 == "+6281234567890"
    row = {"Id": "7", "DisplayName": "Acme Inc", "Mobile": {"FreeFormNumber": "415.555.0162"}}
    assert map_qbo_customer(row, connection_id="quickbooks:1", country="US").phone == "+14155550162"
