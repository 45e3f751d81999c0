"""Package size and cold import time of the real Lambda package, against a bare Chalice app.

Builds the package as `make package` does (the lean layer, then `chalice package`: the same code path as the CDK
construct), unzips it into a Lambda-like layout (`task/` = the function code, `opt/` = the managed layer, `runtime/`
= boto3 and botocore as the Lambda runtime provides them) and times imports in fresh interpreters (`-I -S`: nothing
from this venv). "no .pyc" is what a real cold start pays: the zip holds no .pyc and Lambda's code directory is
read-only. Run on purpose (`make bench`), not in CI. `bench/package.py` gives the same measures as table rows.

    python -m bench.cold_start [--runs 7] [--stage dev] [--keep DIR]
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import py_compile
import shutil
import statistics
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "infra") not in sys.path:
    sys.path.insert(0, str(ROOT / "infra"))  # lunas_infra.lean_layer: the layer is pruned before Chalice packages it
PYVER = f"python{sys.version_info.major}.{sys.version_info.minor}"
HEAVY = ("xero_python", "quickbooks", "intuitlib", "pywa")
BARE_APP = (
    'from chalice import Chalice\napp = Chalice(app_name="bare")\n\n@app.route("/")\ndef index():\n    return {}\n'
)

# What each row imports, in a fresh interpreter; the worker row is what the first SQS message adds to `import app`.
IMPORTS = {
    "bare Chalice app.py": ("bare", "import app"),
    "Lunas app.py": ("lunas", "import app"),
    "Lunas app.py + worker's first message": (
        "lunas",
        "import app, chalicelib.worker, chalicelib.adapters.xero, chalicelib.adapters.xero_oauth,"
        " chalicelib.adapters.whatsapp",
    ),
}

_PROBE = """
import sys, time, json
sys.path[:0] = json.loads(sys.argv[1])
start = time.perf_counter()
exec(sys.argv[2])
elapsed = time.perf_counter() - start
heavy = sorted({m.split('.')[0] for m in sys.modules} & set(json.loads(sys.argv[3])))
print(json.dumps({"ms": elapsed * 1000, "heavy": heavy}))
"""


@dataclass(frozen=True)
class ZipSize:
    name: str
    zipped: int
    unzipped: int
    files: int
    largest: list[tuple[str, int]]


def build_package(stage: str, out: Path) -> None:
    """`make package`: the lean layer first (Chalice reuses it), then `chalice package`."""
    from lunas_infra import lean_layer

    lean_layer.prepare(ROOT)
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "ap-southeast-3")}
    chalice = Path(sys.executable).parent / "chalice"
    result = subprocess.run(
        [str(chalice), "package", "--stage", stage, str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stdout + result.stderr
    if result.returncode != 0 or "Could not install dependencies" in output:
        raise SystemExit(f"chalice package failed:\n{output}")


def zip_size(path: Path, depth: int) -> ZipSize:
    """Sizes of a zip; `largest` groups entries by their path component at `depth` (the top-level package)."""
    with zipfile.ZipFile(path) as z:
        infos = [i for i in z.infolist() if not i.is_dir()]
    groups: dict[str, int] = {}
    for info in infos:
        parts = Path(info.filename).parts
        key = parts[depth] if len(parts) > depth else parts[-1]
        groups[key] = groups.get(key, 0) + info.file_size
    largest = sorted(groups.items(), key=lambda kv: -kv[1])[:8]
    return ZipSize(path.name, path.stat().st_size, sum(i.file_size for i in infos), len(infos), largest)


def lambda_layout(package: Path, root: Path) -> dict[str, list[str]]:
    """sys.path entries for the Lunas and the bare app, in Lambda's order: task, layer, runtime (boto3, botocore).

    `runtime/` stands for what the python3.11 runtime provides and the layer does not ship: boto3, botocore and
    s3transfer, at the versions the tests pin (requirements-dev.txt).
    """
    task, opt, runtime, bare = root / "task", root / "opt", root / "runtime", root / "bare"
    zipfile.ZipFile(package / "deployment.zip").extractall(task)
    layer = package / "layer-deployment.zip"
    if layer.exists():
        zipfile.ZipFile(layer).extractall(opt)
    site = opt / "python" / "lib" / PYVER / "site-packages"
    import boto3
    import botocore
    import s3transfer

    for module in (boto3, botocore, s3transfer):
        shutil.copytree(Path(module.__file__).parent, runtime / module.__name__)  # type: ignore[arg-type]
    bare.mkdir()
    (bare / "app.py").write_text(BARE_APP)
    shutil.copytree(task / "chalice", bare / "chalice")
    return {
        "lunas": [str(task), str(site), str(runtime)],
        "bare": [str(bare), str(site), str(runtime)],
    }


def time_import(paths: Sequence[str], statement: str, runs: int, with_pyc: bool) -> tuple[float, list[str]]:
    flags = ["-I", "-S"] + ([] if with_pyc else ["-B"])
    samples, heavy = [], []
    for _ in range(runs):
        result = subprocess.run(
            [sys.executable, *flags, "-c", _PROBE, json.dumps(list(paths)), statement, json.dumps(HEAVY)],
            cwd=paths[0],
            capture_output=True,
            text=True,
            check=True,
            env={"AWS_DEFAULT_REGION": "ap-southeast-3", "PATH": "/usr/bin:/bin"},
        )
        report = json.loads(result.stdout.strip().splitlines()[-1])
        samples.append(report["ms"])
        heavy = report["heavy"]
    return statistics.median(samples), heavy


def compile_all(paths: Sequence[str]) -> None:
    for path in paths:
        compileall.compile_dir(path, quiet=2, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)


def print_sizes(sizes: Sequence[ZipSize]) -> None:
    print("| zip | zipped MB | unzipped MB | files | largest (unzipped MB) |")
    print("|---|---:|---:|---:|---|")
    for s in sizes:
        largest = ", ".join(f"{name} {size / 1e6:.1f}" for name, size in s.largest)
        print(f"| {s.name} | {s.zipped / 1e6:.1f} | {s.unzipped / 1e6:.1f} | {s.files} | {largest} |")
    total = sum(s.unzipped for s in sizes)
    print(f"\nUnzipped total {total / 1e6:.1f} MB = {100 * total / 250e6:.0f}% of Lambda's 250 MB limit.\n")


def print_imports(layouts: dict[str, list[str]], runs: int) -> None:
    rows = {label: [time_import(layouts[kind], stmt, runs, with_pyc=False)] for label, (kind, stmt) in IMPORTS.items()}
    compile_all([p for paths in layouts.values() for p in paths])
    for label, (kind, stmt) in IMPORTS.items():
        rows[label].append(time_import(layouts[kind], stmt, runs, with_pyc=True))
    print(f"| import (median of {runs}, fresh `python -I -S`) | no .pyc (as shipped) ms | with .pyc ms | SDKs loaded |")
    print("|---|---:|---:|---|")
    for label, ((cold, heavy), (warm, _)) in rows.items():
        print(f"| {label} | {cold:.0f} | {warm:.0f} | {', '.join(heavy) or '-'} |")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--keep", type=Path, help="build here and keep it (default: a temporary directory)")
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="lunas-bench-"))
    try:
        package = work / "package"
        build_package(args.stage, package)
        sizes = [zip_size(package / "deployment.zip", 0)]
        if (package / "layer-deployment.zip").exists():
            sizes.append(zip_size(package / "layer-deployment.zip", 4))
        print(f"## Lunas package ({PYVER}, stage {args.stage})\n")
        print_sizes(sizes)
        print_imports(lambda_layout(package, work / "layout"), args.runs)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
