"""`make demo INVOICES=N` (`python -m sandbox.demo --invoices N`): the big company seeds, runs and reports.

Run as `make demo` runs it, in its own process (it starts its own sandbox and lifts the fakes' rate limits, which must
not leak into the session's sandbox), on a small company so the test stays quick. No timing is asserted: the demo
prints its seconds and peak memory, the test checks they are printed and that every invoice got a decision.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
INVOICES = 250


def test_the_big_company_demo_seeds_runs_and_reports_every_invoice(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "XERO_", "INTUIT_", "GRAPH_", "META_"))}
    env["LUNAS_SANDBOX_FILE"] = str(tmp_path / "urls.json")
    done = subprocess.run(
        [sys.executable, "-m", "sandbox.demo", "--once", "--invoices", str(INVOICES)],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    assert f"Decisions for {INVOICES} open invoices" in out
    table = out.split(f"Decisions for {INVOICES} open invoices", 1)[1].split("\nWhatsApp:", 1)[0]
    counts = {m[1]: int(m[2].replace(",", "")) for m in re.finditer(r"^  ([a-z_]+)\s+([\d,]+)  ", table, re.M)}
    assert sum(counts.values()) == INVOICES
    assert {"sent", "not_due", "no_consent", "no_phone", "invalid_phone"} <= set(counts)
    assert re.search(r"Meta accepted [\d,]+ messages", out)
    assert re.search(r"Xero: +[\d,]+ = ", out) and re.search(r"QuickBooks: +[\d,]+ = ", out)
    assert "reminder cycle (schedule -> SQS -> worker)" in out
    assert re.search(r"peak memory \(RSS\) of this process: [\d,]+ MiB", out)
