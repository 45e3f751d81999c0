"""The dashboard's words in English and Bahasa Indonesia.

Templates call `t("key")`; a key missing in Indonesian falls back to English, a key missing everywhere shows itself
(so a typo is visible, never an error page). The words live in `chalicelib/web/words/`, one module per part of the
product; a key belongs to one module only (tests/test_i18n_keys.py).
"""

from __future__ import annotations

from chalicelib.web.words import AREAS

LANGUAGES = ("en", "id")

_EN: dict[str, str] = {key: text for area in AREAS for key, text in area.EN.items()}
_ID: dict[str, str] = {key: text for area in AREAS for key, text in area.ID.items()}
_TABLES = {"en": _EN, "id": _ID}


def translate(lang: str, key: str, **values: object) -> str:
    text = _TABLES.get(lang, _EN).get(key) or _EN.get(key) or key
    return text.format(**values) if values else text


def pick_language(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """An explicit choice wins, then the remembered one, then the browser's; Indonesian browsers get Indonesian."""
    for choice in (query, cookie):
        if choice in LANGUAGES:
            return str(choice)
    return "id" if (accept_language or "").lower().startswith("id") else "en"


def country_from_accept_language(accept_language: str | None, default: str = "ID") -> str:
    """The country the browser's preferred language names (`en-AU,en;q=0.9` -> `AU`; `id` -> `ID`), else `default`.

    Only a suggestion for the sign-up form's country list: the owner sees it and can change it.
    """
    from chalicelib.domain.countries import is_country

    ranked: list[tuple[float, int, str]] = []
    for order, part in enumerate((accept_language or "")[:1_000].split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if 0 < weight <= 1:  # q=0 means "not this one"; NaN and nonsense are dropped too
            ranked.append((-weight, order, tag.strip()))
    for _, _, tag in sorted(ranked):
        language, *subtags = tag.replace("_", "-").split("-")
        for subtag in subtags:
            if len(subtag) == 2 and is_country(subtag.upper()):
                return subtag.upper()
        if language.lower() == "id":
            return "ID"
    return default


# (docs/dashboard.md "Home" and "Words")
