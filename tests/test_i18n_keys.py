"""Every word of the dashboard exists in both languages, and every key a page or the code asks for exists.

`translate` falls back to English, then to the key itself, so a missing key never breaks a page: it shows English
inside an Indonesian page, or a raw `key_name`. These tests make both mistakes fail instead.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chalicelib.domain.models import ConnectionStatus, Reason
from chalicelib.web import i18n

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = sorted((ROOT / "chalicelib" / "web" / "templates").glob("*.html"))
PYTHON = sorted(p for p in (ROOT / "chalicelib" / "web").glob("*.py") if p.name != "i18n.py")  # i18n.py defines

# t('key') / t("key", ...) in templates; ctx.t("key"), translate(lang, "key"), key="key" in the web code.
_TEMPLATE_CALL = re.compile(r"""\bt\(\s*(['"])([a-z][a-z0-9_]*)\1\s*[,)]""")
_PYTHON_CALL = re.compile(r"""(?:\bt\(|\btranslate\(\s*[a-z_.]+\s*,|\bkey\s*=)\s*(['"])([a-z][a-z0-9_]*)\1\s*[,)]""")
# Keys built from a prefix and a value: every value must have its key.
_PREFIXED = re.compile(r"""\bt\(\s*(['"])([a-z][a-z0-9_]*_)\1\s*\+""")


def _tables() -> dict[str, dict[str, str]]:
    return {"en": i18n._EN, "id": i18n._ID}


def _called(files: list[Path], pattern: re.Pattern[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in files:
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            found.setdefault(match.group(2), set()).add(path.name)
    return found


def test_every_key_exists_in_both_languages() -> None:
    tables = _tables()
    only_en = sorted(set(tables["en"]) - set(tables["id"]))
    only_id = sorted(set(tables["id"]) - set(tables["en"]))
    assert only_en == [], f"missing in Bahasa Indonesia: {only_en}"
    assert only_id == [], f"missing in English: {only_id}"


def test_each_part_of_the_dashboard_has_its_words_in_both_languages_and_owns_its_keys() -> None:
    """A key in two word modules would be silently overridden by the later one."""
    from collections import Counter

    from chalicelib.web.words import AREAS

    for area in AREAS:
        assert set(area.EN) == set(area.ID), (area.__name__, sorted(set(area.EN) ^ set(area.ID)))
    owners = Counter(key for area in AREAS for key in area.EN)
    assert [key for key, count in owners.items() if count > 1] == []


def test_no_key_is_empty() -> None:
    empty = [(lang, key) for lang, table in _tables().items() for key, text in table.items() if not text.strip()]
    assert empty == []


def test_both_languages_take_the_same_placeholders() -> None:
    """`{count}` in English and `{jumlah}` in Indonesian would raise KeyError in one language only."""
    field = re.compile(r"\{([a-z_]+)\}")
    tables = _tables()
    different = {
        key: (sorted(set(field.findall(text))), sorted(set(field.findall(tables["id"].get(key, text)))))
        for key, text in tables["en"].items()
        if set(field.findall(text)) != set(field.findall(tables["id"].get(key, text)))
    }
    assert different == {}


@pytest.mark.parametrize(("files", "pattern"), [(TEMPLATES, _TEMPLATE_CALL), (PYTHON, _PYTHON_CALL)])
def test_every_key_asked_for_exists(files: list[Path], pattern: re.Pattern[str]) -> None:
    assert files, "nothing scanned: the paths are wrong"
    called = _called(files, pattern)
    assert called, "no call found: the pattern is wrong"
    missing = {key: sorted(where) for key, where in called.items() if key not in i18n._EN}
    assert missing == {}


def test_the_scanner_sees_a_missing_key(tmp_path: Path) -> None:
    """The scan itself can fail: a page asking for an unknown key is reported."""
    page = tmp_path / "page.html"
    page.write_text("<p>{{ t('no_such_key_anywhere') }} {{ t(\"nav_overview\") }}</p>", encoding="utf-8")
    called = _called([page], _TEMPLATE_CALL)
    assert set(called) == {"no_such_key_anywhere", "nav_overview"}
    assert [k for k in called if k not in i18n._EN] == ["no_such_key_anywhere"]


def test_keys_built_from_values_exist_for_every_value() -> None:
    """`t('reason_' + row.reason)` and friends: one key per value the code can produce."""
    values = {
        "reason_": [r.value for r in Reason],
        "todo_": [r.value for r in Reason],
        "status_": [s.value for s in ConnectionStatus],
        "delivery_": ["sent", "delivered", "read", "failed", "claimed"],
        "tpl_lang_": ["id", "en"],
        "consent_": ["opted_in", "opted_out", "none"],
        "aging_": ["not_due", "days_1_30", "days_31_60", "days_61_90", "days_over_90"],
        "checklist_": ["whatsapp", "accounting", "consent", "preview", "run", "delivered"],
    }
    prefixes = set(_called(TEMPLATES, _PREFIXED))
    assert prefixes, "no prefixed key found: the pattern is wrong"
    assert {"reason_", "aging_", "checklist_"} <= prefixes
    missing = [p + v for p, vs in values.items() for v in vs if p + v not in i18n._EN or p + v not in i18n._ID]
    assert missing == []


def test_every_reason_says_what_to_do_in_both_languages() -> None:
    for reason in Reason:
        for lang in ("en", "id"):
            words = i18n.translate(lang, f"todo_{reason.value}")
            assert words != f"todo_{reason.value}" and "_" not in words, (lang, reason, words)


def test_indonesian_words_avoid_jargon_and_english() -> None:
    """ "Siklus" (cycle) is jargon to a shop owner, and "Putuskan" alone reads "Decide": both were reported."""
    jargon = {key: text for key, text in i18n._ID.items() if "siklus" in text.lower()}
    assert jargon == {}
    assert i18n._ID["disconnect"] != "Putuskan"
