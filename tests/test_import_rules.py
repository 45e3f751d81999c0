"""The dependency rule is enforced by `make lint` (import-linter, configured in pyproject.toml).

These tests copy the package aside, plant a wrong-way import, and check that the lint run refuses it, so the rule
cannot silently stop working (a renamed package, a contract that no longer matches anything).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PLANTS = {
    "domain importing storage": ("chalicelib/domain/planted.py", "import chalicelib.storage.consent\n"),
    "a service importing an adapter": ("chalicelib/services/planted.py", "import chalicelib.adapters.sqs\n"),
    "an adapter importing a service": ("chalicelib/adapters/planted.py", "import chalicelib.services.fanout\n"),
    "pynamodb outside storage": ("chalicelib/webhooks/planted.py", "import pynamodb.models\n"),
}


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    lint = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(
        [str(lint), "--no-cache"], cwd=tree, capture_output=True, text=True, check=False, env={"PYTHONPATH": str(tree)}
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "chalicelib", tmp_path / "chalicelib", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_tree_as_committed_keeps_every_contract(tree: Path) -> None:
    result = _lint_imports(tree)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("plant", sorted(PLANTS))
def test_a_planted_wrong_way_import_fails_the_lint(tree: Path, plant: str) -> None:
    path, line = PLANTS[plant]
    (tree / path).write_text(line)
    result = _lint_imports(tree)
    assert result.returncode == 1, result.stdout
    assert "BROKEN" in result.stdout
