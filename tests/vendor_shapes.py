"""The vendors' documented examples (tests/vendor_examples/) and a shape comparison for the contract tests.

`shape_problems(documented, ours, allowed)` compares two JSON values by shape: the same keys and the same kind of
value (string, number, boolean, null, object, array) at every level. A list is compared item by item against the
documented items taken together: a key present in every documented item is required, a key present in some of them
is optional, and a value is accepted when it has the shape of the documented value of any item that has the key. An
empty list on either side says nothing about its items. Values themselves are never compared.

Differences that are expected say so in `allowed`: path -> the reason. A path is dotted keys, `[]` for "any item of
this list" (`Invoices[].Contact.Addresses`); it covers a key missing, a key added or a different kind of value there.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parent / "vendor_examples"


def example_path(vendor: str, name: str) -> Path:
    return EXAMPLES / vendor / name


def example(vendor: str, name: str) -> Any:
    """A documented example, parsed."""
    return json.loads(example_path(vendor, name).read_text(encoding="utf-8"))


def example_bytes(vendor: str, name: str) -> bytes:
    """A documented example exactly as written (what a vendor would put on the wire)."""
    return example_path(vendor, name).read_bytes()


_KINDS: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (type(None), "null"),
    (bool, "boolean"),  # before numbers: a bool is an int in Python
    ((int, float), "number"),
    (str, "string"),
    (Mapping, "object"),
    (Sequence, "array"),
)


def kind(value: Any) -> str:
    """The JSON kind of a parsed value: null, boolean, number, string, object or array."""
    return next((name for types, name in _KINDS if isinstance(value, types)), type(value).__name__)


def shape_problems(documented: Any, ours: Any, allowed: Mapping[str, str] | None = None) -> list[str]:
    """Every place where `ours` does not have the documented shape (empty when it has)."""
    problems: list[str] = []
    _compare([documented], ours, "", allowed or {}, problems)
    return list(dict.fromkeys(problems))  # one line per path, however many items share it


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _compare(candidates: list[Any], ours: Any, path: str, allowed: Mapping[str, str], out: list[str]) -> None:
    """`ours` against the documented values that may stand at `path` (several when they come from list items)."""
    kinds = {kind(c) for c in candidates}
    if kind(ours) not in kinds:
        if path not in allowed:
            out.append(f"{path or '(top)'}: documented {' or '.join(sorted(kinds))}, got {kind(ours)}")
        return
    same = [c for c in candidates if kind(c) == kind(ours)]
    if isinstance(ours, Mapping):
        _compare_objects(same, ours, path, allowed, out)
    elif isinstance(ours, list):
        documented_items = [item for c in same for item in c]
        if documented_items:
            for item in ours:
                _compare(documented_items, item, f"{path}[]", allowed, out)


def _compare_objects(
    candidates: list[Mapping[str, Any]], ours: Mapping[str, Any], path: str, allowed: Mapping[str, str], out: list[str]
) -> None:
    known = {key for c in candidates for key in c}
    required = set.intersection(*(set(c) for c in candidates))
    for key in sorted(required - set(ours)):
        if _join(path, key) not in allowed:
            out.append(f"{_join(path, key)}: documented, missing")
    for key in sorted(set(ours) - known):
        if _join(path, key) not in allowed:
            out.append(f"{_join(path, key)}: not in the documented example")
    for key in sorted(set(ours) & known):
        _compare([c[key] for c in candidates if key in c], ours[key], _join(path, key), allowed, out)
