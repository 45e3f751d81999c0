"""The lean package as the stack deploys it: small, and every code path of Lunas still runs on it.

The synth (conftest.py) packages the app through `chalice.cdk.Chalice` after `lean_layer.prepare`, so the layer asset
in cdk.out is the pruned one. It is unzipped as Lambda lays it out (`task/` the function code, `opt/` the layer,
`runtime/` boto3, botocore and s3transfer as the python3.11 runtime provides them, at the versions the tests pin) and:
- every module of app.py and chalicelib, and every module they import inside a function, is imported there;
- the vendor adapters' own tests (Xero, QuickBooks, WhatsApp, logging, wording, phones) run with the pruned layer
  first on the path, so what was pruned from xero-python, Powertools, pywa, babel and phonenumbers is proven unused
  by the real code paths, not just by imports.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.infra.conftest import ROOT, Synthesized

sys.path.insert(0, str(ROOT / "infra"))
from lunas_infra import lean_layer

PACKAGE_LIMIT_MB = 35.0
PYVER = lean_layer.runtime()
# The vendor code paths, exercised by their own tests against the local fakes.
ON_THE_LAYER = (
    "tests/test_xero_adapter.py",
    "tests/test_quickbooks_adapter.py",
    "tests/test_whatsapp_sender.py",
    "tests/test_log_scrubbing.py",
    "tests/test_wording.py",
    "tests/test_phones.py",
    "tests/unit/test_holidays.py",  # the holiday calendars kept for Lunas' countries, and business days
)


def _assets(synthesized: Synthesized) -> tuple[Path, Path]:
    assets = sorted(synthesized.outdir.glob("asset.*.zip"), key=lambda p: p.stat().st_size)
    return assets[-1], assets[0]  # the layer, the function code


@pytest.fixture(scope="module")
def layout(synthesized: Synthesized, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    layer, code = _assets(synthesized)
    root = tmp_path_factory.mktemp("lambda")
    zipfile.ZipFile(code).extractall(root / "task")
    zipfile.ZipFile(layer).extractall(root / "opt")
    import boto3
    import botocore
    import s3transfer

    for module in (boto3, botocore, s3transfer):
        source = Path(module.__file__).parent  # type: ignore[arg-type]
        shutil.copytree(source, root / "runtime" / module.__name__, ignore=shutil.ignore_patterns("__pycache__"))
    return {
        "task": root / "task",
        "site": root / "opt" / "python" / "lib" / PYVER / "site-packages",
        "runtime": root / "runtime",
        "layer_zip": layer,
        "code_zip": code,
    }


def test_the_package_is_lean(layout: dict[str, Path]) -> None:
    sizes = []
    for archive in (layout["code_zip"], layout["layer_zip"]):
        with zipfile.ZipFile(archive) as z:
            sizes.append(sum(i.file_size for i in z.infolist()))
    assert sum(sizes) / 1e6 <= PACKAGE_LIMIT_MB, f"{sum(sizes) / 1e6:.1f} MB unzipped"
    assert lean_layer.is_pruned(layout["layer_zip"], lean_layer.kept_locales())
    tops = {p.name for p in layout["site"].iterdir()}
    assert not tops & {"boto3", "botocore", "s3transfer", "setuptools", "pkg_resources", "pywa_async"}
    assert {"xero_python", "pywa", "pynamodb", "babel", "phonenumbers", "aws_lambda_powertools"} <= tops
    locales = {p.stem for p in (layout["site"] / "babel" / "locale-data").glob("*.dat")}
    assert locales == lean_layer.kept_locales()
    assert not (layout["site"] / "phonenumbers" / "geodata").exists()


def _modules_lunas_imports(task: Path) -> list[str]:
    """app, every chalicelib module, and every module imported anywhere in them (inside functions too)."""
    modules: set[str] = {"app"}
    files = [task / "app.py", *sorted((task / "chalicelib").rglob("*.py"))]
    for file in files:
        relative = file.relative_to(task).with_suffix("")
        modules.add(".".join(relative.parts).removesuffix(".__init__"))
        for node in ast.walk(ast.parse(file.read_text())):
            if isinstance(node, ast.Import):
                modules.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules.add(node.module)
                modules.update(f"{node.module}.{alias.name}" for alias in node.names)  # submodules, if they are
    return sorted(modules)


_PROBE = """
import importlib, json, sys
sys.path[:0] = json.loads(sys.argv[1])
failed, origins = {}, {}
for name in json.loads(sys.argv[2]):
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as exc:
        parent = name.rpartition(".")[0]
        if not (parent and exc.name == name and parent in sys.modules):  # `from pkg import attribute`: not a module
            failed[name] = repr(exc)
    except Exception as exc:
        failed[name] = repr(exc)
for top in ("xero_python", "babel", "aws_lambda_powertools", "pywa", "phonenumbers", "botocore", "boto3"):
    origins[top] = sys.modules[top].__file__ if top in sys.modules else None
from chalicelib.observability import count, logger
logger.info("hello from the layout", extra={"phone": "+6281234567890"})
count("LayoutProbe")
from chalicelib.domain.phones import normalise_phone
from chalicelib.adapters.whatsapp_templates import TEMPLATES_DIR, load_definitions
templates = [(d.name, d.language) for d in load_definitions(TEMPLATES_DIR)]  # what onboarding pushes to Meta
phone = normalise_phone("0812-3456-7890", "ID").e164
print(json.dumps({"failed": failed, "origins": origins, "phone": phone, "templates": templates}))
"""


def test_every_module_lunas_imports_loads_in_the_lambda_layout(layout: dict[str, Path]) -> None:
    paths = [str(layout["task"]), str(layout["site"]), str(layout["runtime"])]
    modules = _modules_lunas_imports(layout["task"])
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", _PROBE, json.dumps(paths), json.dumps(modules)],
        cwd=layout["task"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={"AWS_DEFAULT_REGION": "ap-southeast-3", "PATH": "/usr/bin:/bin", "POWERTOOLS_METRICS_DISABLED": "true"},
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["failed"] == {}
    site, runtime = str(layout["site"]), str(layout["runtime"])
    assert all(report["origins"][top].startswith(site) for top in ("xero_python", "babel", "pywa", "phonenumbers"))
    assert report["origins"]["botocore"].startswith(runtime)
    assert report["phone"] == "+6281234567890"
    # The template definitions ship in the layer (vendor/lunas_templates -> templates/): all 5 in both languages.
    assert len(report["templates"]) == 10 and {lang for _, lang in report["templates"]} == {"en", "id"}
    assert '"phone":"+62********890"' in result.stdout.replace(" ", "")  # Powertools' JSON, scrubbed


def test_the_vendor_adapters_tests_pass_on_the_pruned_layer(layout: dict[str, Path]) -> None:
    env = {**os.environ, "PYTHONPATH": str(layout["site"])}
    tops = ("xero_python", "babel", "aws_lambda_powertools", "pywa", "botocore")
    where = subprocess.run(
        [sys.executable, "-c", f"import {', '.join(tops)}; print({', '.join(t + '.__file__' for t in tops)})"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.split()
    assert all(path.startswith(str(layout["site"])) for path in where[:4]), where
    assert not where[4].startswith(str(layout["site"])), where  # botocore: the runtime's (the venv's pinned one)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", *ON_THE_LAYER],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_snapstart_waits_for_a_python_3_12_runtime(synthesized: Synthesized) -> None:
    """SnapStart supports Python 3.12+ managed runtimes (https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html):
    on python3.11 there is nothing to enable. Moving the runtime must come with a decision about it."""
    from aws_cdk.assertions import Template

    functions = Template.from_stack(synthesized.app).find_resources("AWS::Serverless::Function")
    runtimes = {name: f["Properties"]["Runtime"] for name, f in functions.items()}
    assert set(runtimes.values()) == {"python3.11"}, f"{runtimes}: SnapStart is available, see docs/deploy-aws.md"
    assert not any("SnapStart" in f["Properties"] for f in functions.values())
