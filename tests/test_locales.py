"""Every customer-facing text and page, in every language, with only the Babel locales the Lambda package ships.

The package keeps `wording.babel_locales()` of Babel's ~1,000 locales (infra/lunas_infra/lean_layer.py), and this
whole test session runs with only those (tests/conftest.py). So a template, page or amount that needs a pruned
locale fails here, as it would in Lambda.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import babel.localedata
import pytest
from babel.core import Locale, UnknownLocaleError

from chalicelib.domain import countries
from chalicelib.domain.models import Money, TemplateKind
from chalicelib.domain.wording import LOCALES, babel_locales, body_parameters, format_days, format_money
from chalicelib.pages import payment_links_page
from chalicelib.web.i18n import LANGUAGES
from sandbox.run import Sandbox
from tests.meta_support import make_invoice, make_message

# What the accounting systems hand Lunas in South-East Asia and beyond.
CURRENCIES = ("IDR", "USD", "SGD", "MYR", "PHP", "THB", "VND", "AUD", "NZD", "EUR", "GBP", "JPY", "CNY", "HKD")
BUDI = "+6281234560101"
SARI = "+6281234560102"


def test_the_session_has_only_the_shipped_locales() -> None:
    assert babel_locales() == {"en", "id", "id_ID", "root"}  # English and Bahasa Indonesia, and what they inherit
    assert {*babel.localedata.locale_identifiers(), "root"} == babel_locales()  # Babel never lists "root"
    with pytest.raises(UnknownLocaleError):  # so the tests below would fail on a pruned locale
        Locale.parse("ms_MY")


def test_the_dashboard_speaks_the_template_languages() -> None:
    assert set(LANGUAGES) == set(LOCALES)


@pytest.mark.parametrize("language", sorted(LOCALES))
@pytest.mark.parametrize("kind", list(TemplateKind))
def test_every_template_in_every_language_and_currency(kind: TemplateKind, language: str) -> None:
    for currency in CURRENCIES:
        if kind is TemplateKind.STATEMENT:
            invoices = (
                make_invoice("INV-1", "1250000.50", currency, due=dt.date(2026, 11, 20)),
                make_invoice("INV-2", "800000", currency, due=dt.date(2026, 12, 30)),
            )
            message = make_message(*invoices, language=language, on=dt.date(2026, 12, 1))
        else:
            message = make_message(make_invoice(currency=currency), kind=kind, language=language)
        params = body_parameters(message, "Toko Sumber Rejeki")
        assert all(params.values()), params


@pytest.mark.parametrize(
    ("language", "idr", "days", "month"),
    [("id", "Rp 1.250.000", "3 hari", "Agustus"), ("en", "IDR 1,250,000", "3 days", "August")],
)
def test_the_words_are_the_languages_own(language: str, idr: str, days: str, month: str) -> None:
    assert format_money(Money(Decimal("1250000"), "IDR"), language) == idr
    assert format_days(3, language) == days
    message = make_message(make_invoice(due=dt.date(2026, 8, 1)), kind=TemplateKind.PRE_DUE, language=language)
    assert month in body_parameters(message, "Toko")["due_date"]


def test_countries_read_in_both_languages() -> None:
    assert countries.country_code("Indonesia") == "ID"
    assert countries.country_code("Amerika Serikat") == "US"  # the Indonesian name
    assert countries.country_name("AU", "id") and countries.country_name("AU", "en") == "Australia"
    assert countries.iana_timezone("SEASIASTANDARDTIME", "ID") == "Asia/Jakarta"
    assert len(countries.country_choices("id")) == len(countries.country_choices("en")) > 200


@pytest.mark.parametrize("language", sorted(LOCALES))
def test_the_payment_page(language: str) -> None:
    lines = [("INV-1", "https://in.xero.com/abc"), ("INV-2", None)]
    assert "INV-1" in payment_links_page(lines, business="Toko Sumber Rejeki", language=language)


@pytest.mark.sandbox
def test_every_dashboard_page_in_every_language(sandbox: Sandbox) -> None:
    """An owner with two customers, one reminder sent: every page renders, amounts in the page's language."""
    from tests.test_dashboard import open_shop
    from tests.web_support import retire_connections
    from tests.world import TUESDAY_10_JAKARTA, set_clock

    set_clock(TUESDAY_10_JAKARTA)
    shop = open_shop(sandbox)
    try:
        shop.client.post(
            "/customers/consent",
            {"phone": BUDI, "status": "opted_in", "source": "signed_form", "evidence": "Signed the form, 2026-11-01"},
            csrf_from="/customers",
        )
        assert shop.client.post("/run-now", {}, csrf_from="/preview").status_code == 303
        money = {"id": "Rp 1.250.000", "en": "IDR 1,250,000"}
        for language in LANGUAGES:
            pages = {path: shop.client.get(f"{path}?lang={language}") for path in _PAGES}
            assert {path: page.status_code for path, page in pages.items()} == dict.fromkeys(_PAGES, 200)
            assert money[language] in pages["/invoices"].text
            assert pages["/dashboard"].text.count(f'lang="{language}"') >= 1
    finally:
        retire_connections()


_PAGES = ("/dashboard", "/invoices", "/customers", "/preview", "/settings")
