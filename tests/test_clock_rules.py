"""The one-clock rule is enforced by `make lint` (ruff's banned-api, configured in pyproject.toml).

These tests plant a wall-clock read where it must not be and check that the lint run refuses it, so the rule cannot
silently stop working (a renamed module, a dropped rule code).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PLANTED_READS = {
    "datetime.now": "import datetime as dt\n\nstamp = dt.datetime.now(dt.UTC)\n",
    "from datetime import datetime": "from datetime import datetime\n\nstamp = datetime.now()\n",
    "date.today": "import datetime\n\nday = datetime.date.today()\n",
    "time.time": "import time\n\nstamp = time.time()\n",
    "time.monotonic": "import time\n\nstarted = time.monotonic()\n",
}


def _lint(source: str, as_file: str) -> subprocess.CompletedProcess[str]:
    """Run the project's ruff configuration on `source` as if it were the file `as_file` of this repository."""
    return subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--stdin-filename", as_file, "-"],
        input=source,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


@pytest.mark.parametrize("where", ["chalicelib/services/planted.py", "sandbox/planted.py", "tests/test_planted.py"])
@pytest.mark.parametrize("read", sorted(PLANTED_READS))
def test_a_planted_wall_clock_read_fails_the_lint(read: str, where: str) -> None:
    result = _lint(PLANTED_READS[read], where)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "TID251" in result.stdout


@pytest.mark.parametrize("adapter", ["chalicelib/clock.py", "sandbox/clock.py"])
def test_the_clock_adapters_are_the_only_places_allowed_to_read_the_machines_clock(adapter: str) -> None:
    assert _lint(PLANTED_READS["time.time"], adapter).returncode == 0


def test_the_tree_as_committed_reads_no_clock_outside_the_adapters() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "TID251", "."],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stdout
