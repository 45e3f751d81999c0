"""The schema module describes every item kind of the table, and nothing outside chalicelib.storage touches pynamodb."""

from __future__ import annotations

import ast
from pathlib import Path

from chalicelib.storage import schema

ROOT = Path(__file__).resolve().parent.parent


def _record_classes() -> set[type]:
    return {
        value
        for name, value in vars(schema).items()
        if isinstance(value, type) and name.endswith("Record") and issubclass(value, schema._Item)
    }


def test_every_item_class_is_described_once_in_item_kinds() -> None:
    described = [kind.record for kind in schema.ITEM_KINDS]
    assert len(described) == len(set(described))
    assert set(described) == _record_classes()


def test_every_described_ttl_is_an_attribute_of_its_item_and_every_ttl_attribute_is_described() -> None:
    for kind in schema.ITEM_KINDS:
        ttl_attributes = {
            name for name, attr in kind.record.get_attributes().items() if type(attr).__name__ == "TTLAttribute"
        }
        assert ttl_attributes == ({kind.ttl} if kind.ttl else set()), kind.record.__name__


def test_every_described_repository_module_exists() -> None:
    for kind in schema.ITEM_KINDS:
        assert (ROOT / "chalicelib" / "storage" / f"{kind.repository}.py").exists(), kind


def test_pynamodb_is_imported_only_inside_the_storage_package() -> None:
    offenders = []
    for path in (ROOT / "chalicelib").rglob("*.py"):
        if "storage" in path.relative_to(ROOT / "chalicelib").parts[:1]:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] == "pynamodb"]
    assert offenders == []
