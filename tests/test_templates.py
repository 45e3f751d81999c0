"""The template files are what we submit to Meta and what the fake loads: keep them valid and in step with wording."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from chalicelib.domain import thanks
from chalicelib.domain.models import TEMPLATE_NAMES, TemplateKind
from chalicelib.domain.wording import PARAMS, body_parameters
from tests.meta_support import make_invoice, make_message

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "whatsapp"
LANGUAGES = ("en", "id")
PARAM = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
# Utility templates must stay transactional: no promotion, no pressure, no debt-collection language.
FORBIDDEN = re.compile(
    r"\b(discount|offer|promo\w*|sale|diskon|penawaran|gratis|free|collection|debt|legal|lawyer|penalty|"
    r"penagihan|utang|hutang|denda|hukum|pengacara|segera|immediately|urgent|final notice)\b",
    re.IGNORECASE,
)


def load(kind: TemplateKind, language: str) -> dict[str, Any]:
    path = TEMPLATES / f"{TEMPLATE_NAMES[kind]}.{language}.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def component(template: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(c for c in template["components"] if c["type"] == kind)


def expected_params(kind: TemplateKind, language: str) -> list[str]:
    if kind is TemplateKind.STATEMENT:
        message = make_message(make_invoice("A"), make_invoice("B"), language=language)
    else:
        message = make_message(make_invoice(), kind=kind, language=language)
    return list(body_parameters(message, "Biz"))


CASES = [(kind, language) for kind in TemplateKind for language in LANGUAGES]


def test_exactly_one_file_per_kind_and_language() -> None:
    expected = {f"{TEMPLATE_NAMES[k]}.{lang}.json" for k, lang in CASES}
    expected |= {f"{thanks.TEMPLATE_NAME}.{lang}.json" for lang in LANGUAGES}  # the thank-you after payment
    assert {p.name for p in TEMPLATES.glob("*.json")} == expected


@pytest.mark.parametrize(("kind", "language"), CASES)
def test_header_fields(kind: TemplateKind, language: str) -> None:
    template = load(kind, language)
    assert template["name"] == TEMPLATE_NAMES[kind]
    assert re.fullmatch(r"[a-z0-9_]{1,512}", template["name"])
    assert template["language"] == language
    assert template["category"] == "UTILITY"
    assert template["parameter_format"] == "named"
    assert [c["type"] for c in template["components"]] == ["BODY", "FOOTER", "BUTTONS"]


@pytest.mark.parametrize(("kind", "language"), CASES)
def test_body_parameters_match_wording(kind: TemplateKind, language: str) -> None:
    body = component(load(kind, language), "BODY")
    text = body["text"]
    names = PARAM.findall(text)
    assert sorted(names) == sorted(expected_params(kind, language))
    assert sorted(names) == sorted(PARAMS[kind])  # word order differs by language; the names do not
    assert len(names) == len(set(names))
    examples = body["example"]["body_text_named_params"]
    assert [e["param_name"] for e in examples] == names
    assert all(e["example"].strip() for e in examples)
    assert len(text) <= 1024
    # Meta rejects bodies that start or end with a parameter, or put two side by side.
    assert not text.lstrip().startswith("{{") and not text.rstrip().endswith("}}")
    assert not re.search(r"\}\}\s*\{\{", text)


@pytest.mark.parametrize(("kind", "language"), CASES)
def test_footer_and_buttons(kind: TemplateKind, language: str) -> None:
    template = load(kind, language)
    footer = component(template, "FOOTER")["text"]
    assert 0 < len(footer) <= 60
    assert "{{" not in footer
    buttons = component(template, "BUTTONS")["buttons"]
    # index 0 = pay link, 1 = stop, 2 = "I have paid", 3 = "Need more time" (the sender relies on the indexes)
    assert [b["type"] for b in buttons] == ["URL", "QUICK_REPLY", "QUICK_REPLY", "QUICK_REPLY"]
    url, stop, paid, more_time = buttons
    assert (paid["text"], more_time["text"]) == (
        ("I have paid", "Need more time") if language == "en" else ("Sudah bayar", "Minta waktu")
    )
    assert url["url"] == "https://lunas.example/pay/{{1}}"
    assert url["example"] == ["https://lunas.example/pay/AbC123"]
    for button in buttons:
        assert 0 < len(button["text"]) <= 25
    # The footer tells the customer which button stops the reminders.
    assert stop["text"] in footer


@pytest.mark.parametrize(("kind", "language"), CASES)
def test_wording_is_transactional(kind: TemplateKind, language: str) -> None:
    template = load(kind, language)
    texts = [component(template, "BODY")["text"], component(template, "FOOTER")["text"]]
    texts += [b["text"] for b in component(template, "BUTTONS")["buttons"]]
    for text in texts:
        assert not FORBIDDEN.search(text), text
        assert "!" not in text  # no pressure


def test_languages_have_the_same_shape() -> None:
    for kind in TemplateKind:
        en, id_ = load(kind, "en"), load(kind, "id")
        assert sorted(PARAM.findall(component(en, "BODY")["text"])) == sorted(
            PARAM.findall(component(id_, "BODY")["text"])
        )
        assert [b["type"] for b in component(en, "BUTTONS")["buttons"]] == [
            b["type"] for b in component(id_, "BUTTONS")["buttons"]
        ]


# -- the thank-you after payment (chalicelib/domain/thanks.py): no buttons, the same rules for its body -----------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_thank_you_template_is_a_buttonless_utility_message_with_the_domains_parameters(language: str) -> None:
    template = json.loads((TEMPLATES / f"{thanks.TEMPLATE_NAME}.{language}.json").read_text(encoding="utf-8"))
    assert (template["name"], template["language"]) == (thanks.TEMPLATE_NAME, language)
    assert (template["category"], template["parameter_format"]) == ("UTILITY", "named")
    assert [c["type"] for c in template["components"]] == ["BODY", "FOOTER"]  # no "I have paid" on a thank-you
    body = component(template, "BODY")
    text = body["text"]
    names = PARAM.findall(text)
    assert sorted(names) == sorted(thanks.PARAMS)
    assert [e["param_name"] for e in body["example"]["body_text_named_params"]] == names
    assert len(text) <= 1024 and not text.lstrip().startswith("{{") and not text.rstrip().endswith("}}")
    assert not re.search(r"\}\}\s*\{\{", text)
    footer = component(template, "FOOTER")["text"]
    assert 0 < len(footer) <= 60 and "{{" not in footer
    for words in (text, footer):
        assert not FORBIDDEN.search(words) and "!" not in words
