"""Free-text accounting phones -> WhatsApp-usable E.164, or the reason there is none."""

from __future__ import annotations

import pytest

from chalicelib.domain.models import Reason
from chalicelib.domain.phones import PhoneResult, mask_phone, message_language, normalise_phone, normalise_xero_phone


@pytest.mark.parametrize(
    ("country_code", "area", "number", "region", "expected"),
    [
        ("61", "412", "555 019", "ID", "+61412555019"),  # api-facts §6
        ("+64", "021", "555 0147", "ID", "+64215550147"),  # + and the NZ trunk 0 stripped
        ("", "", "0812 3456 7890", "ID", "+6281234567890"),  # no country code: the organisation's country
        ("", "0812", "3456-7890", "ID", "+6281234567890"),  # area code in its own box
        ("62", "", "812 3456 7890", "AU", "+6281234567890"),  # the country code wins over the org's country
        ("0062", "", "812 3456 7890", "ID", "+6281234567890"),
        ("", "", "+62 812-3456-7890", "NZ", "+6281234567890"),  # whole number typed into PhoneNumber
        ("62", "", "+62 812 3456 7890", "NZ", "+6281234567890"),
        ("1", "(415)", "555-0199", "ID", "+14155550199"),  # US numbers are FIXED_LINE_OR_MOBILE
    ],
)
def test_xero_three_part_numbers(country_code: str, area: str, number: str, region: str, expected: str) -> None:
    assert normalise_xero_phone(country_code, area, number, region) == PhoneResult(expected)


def test_landline_is_rejected_with_a_reason() -> None:
    result = normalise_xero_phone("", "(02)", "9876 5432", "AU")
    assert (result.e164, result.problem) == (None, Reason.INVALID_PHONE)
    assert "landline" in result.detail
    jakarta = normalise_xero_phone("62", "021", "555 0100", "ID")
    assert jakarta.problem is Reason.INVALID_PHONE and "landline" in jakarta.detail


@pytest.mark.parametrize(("country_code", "area", "number"), [("", "", ""), (None, None, None), ("62", "", "  ")])
def test_missing_number(country_code: str | None, area: str | None, number: str | None) -> None:
    result = normalise_xero_phone(country_code, area, number, "ID")
    assert (result.e164, result.problem) == (None, Reason.NO_PHONE)
    assert not result.ok


@pytest.mark.parametrize(
    ("country_code", "area", "number"),
    [("", "", "12"), ("999", "", "812 3456 7890"), ("", "", "0812 34"), ("64", "", "0800 123 456")],
)
def test_invalid_number(country_code: str, area: str, number: str) -> None:
    result = normalise_xero_phone(country_code, area, number, "ID")
    assert (result.e164, result.problem) == (None, Reason.INVALID_PHONE)
    assert result.detail


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+1 415-555-0199", "ID", "+14155550199"),
        ("(415) 555-0134", "US", "+14155550134"),
        ("0812 3456 7890", "id", "+6281234567890"),
        ("+62 (0)812 3456 7890", "ID", "+6281234567890"),
    ],
)
def test_single_string_numbers(raw: str, region: str, expected: str) -> None:
    assert normalise_phone(raw, region).e164 == expected


@pytest.mark.parametrize("raw", [None, "", "n/a", "call the office"])
def test_single_string_without_digits_is_no_phone(raw: str | None) -> None:
    assert normalise_phone(raw, "ID").problem is Reason.NO_PHONE


def test_unparseable_single_string_is_invalid() -> None:
    assert normalise_phone("+", "ID").problem is Reason.NO_PHONE
    assert normalise_phone("+0 12", "ID").problem is Reason.INVALID_PHONE


def test_mask_phone_hides_the_number() -> None:
    masked = mask_phone("+6281234567890")
    assert masked.startswith("+62") and masked.endswith("890")
    assert "1234567" not in masked
    assert mask_phone(None) == "-"


@pytest.mark.parametrize(
    ("phone", "home_country", "home_language", "expected"),
    [
        ("+6281234567890", "ID", "id", "id"),  # a home customer: the organisation's language
        ("+6281234567890", "ID", "en", "en"),  # ...whatever the owner chose
        ("+61412345678", "ID", "id", "en"),  # an Indonesian business's Australian customer reads English
        ("+14155550123", "ID", "id", "en"),
        ("+6591234567", "SG", "en", "en"),
        ("+6281234567890", "SG", "en", "id"),  # a Singapore business's Indonesian customer reads Bahasa Indonesia
        ("+6281234567890", "AU", "en", "id"),
    ],
)
def test_each_customer_reads_their_own_language(
    phone: str, home_country: str, home_language: str, expected: str
) -> None:
    assert message_language(phone, home_country, home_language) == expected
