"""`import app` is what every Lambda pays on a cold start: it must not pull in a vendor SDK.

Run in a fresh interpreter (`-I`, no site customisation from the test process) so nothing imported by other tests
can hide an eager import.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("xero_python", "quickbooks", "intuitlib", "pywa", "pywa_async")

# Modules already loaded at start-up don't count: intuit-oauth's *-nspkg.pth registers an empty `intuitlib`
# namespace module in every interpreter of the venv (Lambda runs no .pth files from the code directory).
_PROBE = """
import json, sys
before = set(sys.modules)
sys.path.insert(0, ".")
import app
heavy = sorted({m.split(".")[0] for m in set(sys.modules) - before} & set(json.loads(sys.argv[1])))
print(json.dumps({"heavy": heavy, "routes": sorted(app.app.routes)}))
"""


def test_import_app_loads_no_vendor_sdk() -> None:
    result = subprocess.run(
        [sys.executable, "-I", "-c", _PROBE, json.dumps(HEAVY)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"AWS_DEFAULT_REGION": "ap-southeast-3", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["heavy"] == [], f"import app pulled in {report['heavy']}: import them inside the handlers"
    assert "/health" in report["routes"]  # the probe really imported our app, not an empty module


# What a bare one-route Chalice app imports, and what Lunas' app.py imports: everything beyond the bare app must be
# Lunas' own modules (the route table and the hooks of the logging middleware). Powertools, the masking rules,
# jinja2, babel, hashlib, dataclasses...: a handler imports them when it first runs (bench/package.py times it).
_BARE_APP = (
    'from chalice import Chalice\napp = Chalice(app_name="bare")\n\n@app.route("/")\ndef index():\n    return {}\n'
)
_MODULES = """
import json, sys
before = set(sys.modules)
sys.path.insert(0, ".")
import app
print(json.dumps(sorted(set(sys.modules) - before)))
"""
_OURS = ("app", "chalicelib", "__future__")


def _imported_by_import_app(directory: Path) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-I", "-c", _MODULES],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"AWS_DEFAULT_REGION": "ap-southeast-3", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_import_app_adds_only_lunas_own_modules_to_a_bare_chalice_app(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(_BARE_APP)
    bare = _imported_by_import_app(tmp_path)
    lunas = _imported_by_import_app(ROOT)
    extra = sorted(m for m in lunas - bare if m.split(".")[0] not in _OURS)
    assert extra == [], f"import app loads {extra} beyond a bare Chalice app: import them where they are used"
    assert {"chalicelib.observability", "chalicelib.web.routes"} <= lunas  # the probe imported our app
    assert not any(m.startswith(("aws_lambda_powertools", "chalicelib.domain.masking")) for m in lunas)
