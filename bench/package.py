"""`make bench` rows: the Lambda package's size and what `import app` costs on a cold start.

Builds the real package as `make package` does (the lean layer of infra/lunas_infra/lean_layer.py, then
`chalice package`), unzips it into the Lambda-like layout of bench/cold_start.py (`task/` function code, `opt/` the
layer, `runtime/` boto3 and botocore as the python3.11 runtime provides them) and measures:

- **Lambda package, unzipped**: function code + layer, the size Lambda's 250 MB limit counts. Target ≤ 35 MB
  (issue 12; it was 109.8 MB with every Babel locale, phonenumbers' geocoder, botocore and setuptools).
- **Lambda package, zipped**: what is uploaded (no target; Lambda's direct-upload limit is 50 MB).
- **import app, cold**: `import app` of Lunas against a bare one-route Chalice app on the same layer, each in fresh
  interpreters (`python -I -S -B`: no site, no .pyc written; the package ships none for app.py and chalicelib),
  alternating the two so that a busy machine slows both alike. CPU time of the import (`time.process_time`), the
  fastest of the runs (their median is shown too): on a shared machine wall time, and even a median, mostly
  measures the neighbours; the fastest run is the closest to the import's own cost. Target ≤ 1.3× the bare app: app.py
  imports only what every handler needs (Chalice, the route table, the logging middleware's hooks), and each
  handler imports the rest when it first runs; Powertools is built on the first log line or invocation.

`python -m bench.cold_start` prints the longer table (per zip, with and without .pyc, the worker's first message).

    python -m bench.package [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench.cold_start import build_package, lambda_layout, zip_size

PACKAGE_TARGET_MB = 35.0
IMPORT_RATIO_TARGET = 1.3

_CPU_PROBE = """
import sys, time, json
sys.path[:0] = json.loads(sys.argv[1])
start = time.process_time()
import app
print(json.dumps({"cpu_ms": (time.process_time() - start) * 1000}))
"""


def import_cpu_ms(paths: Sequence[str]) -> float:
    """CPU milliseconds of `import app` in one fresh interpreter with `paths` first on sys.path."""
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-B", "-c", _CPU_PROBE, json.dumps(list(paths))],
        cwd=paths[0],
        capture_output=True,
        text=True,
        check=True,
        env={"AWS_DEFAULT_REGION": "ap-southeast-3", "PATH": "/usr/bin:/bin"},
    )
    return float(json.loads(result.stdout.strip().splitlines()[-1])["cpu_ms"])


def measure(runs: int, stage: str, work: Path) -> dict[str, float]:
    package = work / "package"
    build_package(stage, package)
    sizes = [zip_size(package / "deployment.zip", 0)]
    if (package / "layer-deployment.zip").exists():
        sizes.append(zip_size(package / "layer-deployment.zip", 4))
    layouts = lambda_layout(package, work / "layout")
    bare: list[float] = []
    lunas: list[float] = []
    for _ in range(runs):
        bare.append(import_cpu_ms(layouts["bare"]))
        lunas.append(import_cpu_ms(layouts["lunas"]))
    return {
        "unzipped_mb": sum(s.unzipped for s in sizes) / 1e6,
        "zipped_mb": sum(s.zipped for s in sizes) / 1e6,
        "bare_ms": min(bare),
        "lunas_ms": min(lunas),
        "bare_median_ms": statistics.median(bare),
        "lunas_median_ms": statistics.median(lunas),
    }


def rows(runs: int = 15, stage: str = "dev") -> list[tuple[str, str, str]]:
    """(measure, value, target) rows for `make bench`'s table; see the module docstring for each."""
    work = Path(tempfile.mkdtemp(prefix="lunas-bench-package-"))
    try:
        m = measure(runs, stage, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ratio = m["lunas_ms"] / m["bare_ms"]
    return [
        ("Lambda package, unzipped (code + layer)", f"{m['unzipped_mb']:.1f} MB", f"≤ {PACKAGE_TARGET_MB:.0f} MB"),
        ("Lambda package, zipped", f"{m['zipped_mb']:.1f} MB", "-"),
        (
            f"import app, cold, no .pyc (CPU, fastest of {runs}): Lunas vs bare Chalice",
            f"{ratio:.2f}× ({m['lunas_ms']:.0f} vs {m['bare_ms']:.0f} ms; medians {m['lunas_median_ms']:.0f} vs"
            f" {m['bare_median_ms']:.0f})",
            f"≤ {IMPORT_RATIO_TARGET}×",
        ),
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--stage", default="dev")
    args = parser.parse_args(argv)
    table = rows(args.runs, args.stage)
    width = max(len(r[0]) for r in table)
    print(f"| {'measure':<{width}} | value | target |\n|---|---:|---:|")
    for measure_, value, target in table:
        print(f"| {measure_:<{width}} | {value} | {target} |")


if __name__ == "__main__":
    main()
