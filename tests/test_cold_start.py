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
