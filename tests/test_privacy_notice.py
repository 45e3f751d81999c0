"""The public privacy notice (/privacy) in English and Bahasa Indonesia, built from the retention rules the storage
applies, and linked from the sign-up page and every page's footer, signed in or not. Through the running app."""

from __future__ import annotations

import html
import re

import pytest

from chalicelib.domain import retention
from chalicelib.storage import schema
from chalicelib.web import i18n
from sandbox.run import Sandbox
from tests.web_support import WebClient, new_email


def _text(answer_html: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", answer_html))


def test_every_rule_of_an_item_kind_with_personal_data_is_on_the_notice_in_both_languages() -> None:
    on_notice = {rule for rules in retention.NOTICE_ROWS.values() for rule in rules}
    for kind in schema.ITEM_KINDS:
        if kind.personal_data:
            assert kind.retention in on_notice, f"{kind.record.__name__}: rule {kind.retention} not on /privacy"
    for row in retention.NOTICE_ROWS:
        for words in (i18n._EN, i18n._ID):
            assert f"notice_row_{row}" in words and f"notice_from_{row}" in words, row


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ("Privacy notice", "18 months", "30 days", "Your rights under UU PDP")),
        ("id", ("Pemberitahuan privasi", "18 bulan", "30 hari", "Hak Anda menurut UU PDP")),
    ],
)
def test_the_notice_says_what_is_held_for_how_long_who_processes_it_and_the_rights(
    sandbox: Sandbox, language: str, words: tuple[str, str, str, str]
) -> None:
    title, months, days, rights = words
    answer = WebClient(sandbox.app_url).get(f"/privacy?lang={language}")
    assert answer.status_code == 200
    page = _text(answer.text)
    assert f'<html lang="{language}">' in page and title in page and rights in page
    for row, rules in retention.NOTICE_ROWS.items():
        shown = re.search(rf'data-row="{row}">(.*?)</tr>', page)
        assert shown, row
        duration = retention.describe(retention.longest(rules), language)
        assert duration in shown.group(1), (row, duration)
    delivery = re.search(r'data-row="delivery">(.*?)</tr>', page)
    assert delivery and months in delivery.group(1)
    snapshot = re.search(r'data-row="snapshot">(.*?)</tr>', page)
    assert snapshot and days in snapshot.group(1)
    for processor in ("Amazon Web Services", "ap-southeast-3", "WhatsApp Cloud API", "Xero", "Intuit QuickBooks"):
        assert processor in page
    assert "27" in page and "2022" in page and "3x24" in page
    assert f"{retention.LOG_RETENTION_DAYS} " in page


def test_the_sign_up_page_and_every_footer_link_to_the_notice_signed_in_or_not(sandbox: Sandbox) -> None:
    visitor = WebClient(sandbox.app_url)
    for path in ("/signin", "/signup", "/privacy", "/signin?lang=id"):
        assert 'href="/privacy" id="privacy-link"' in visitor.get(path).text, path
    assert 'id="signup-privacy"' in visitor.get("/signup").text
    owner = WebClient(sandbox.app_url)
    assert owner.sign_up(new_email()).status_code == 303
    for path in ("/dashboard", "/settings", "/customers", "/privacy"):
        page = owner.get(path)
        assert page.status_code == 200 and 'href="/privacy" id="privacy-link"' in page.text, path
