"""The Lambda layer without what Lunas never runs: built by Chalice, then pruned, before anything packages it.

`chalice package` and the CDK construct (`chalice.cdk.Chalice`, infra/lunas_infra/stateless.py) install
requirements.txt into a layer zip, cached at `.chalice/deployments/managed-layer-<hash of requirements.txt and
vendor/>-<runtime>.zip`, and reuse that file whenever it exists. `prepare()` builds the same file with Chalice's own
packager (same pip, same manylinux wheels), fails if a dependency did not install, removes what the rules below name
and marks the zip as pruned (its zip comment); Chalice then reuses it. `make package`, `make synth`, the infra tests
and `make bench` call it first. Pruned, each for a stated reason:

- **What the Lambda runtime provides**: boto3, botocore, s3transfer. pynamodb pulls in botocore, the runtime has
  its own, and a layer botocore older or newer than the runtime's boto3 is a known way to break `boto3.client()`
  (https://github.com/boto/boto3/issues/4579). Which versions the python3.11 runtime has depends on the Region and
  changes when Lambda updates the runtime; AWS's page says to print them from a function
  (https://docs.aws.amazon.com/lambda/latest/dg/lambda-python.html#python-sdk-included). The tests run on the
  versions pinned in requirements-dev.txt (`RUNTIME_SDK` here; tests/test_lean_package.py keeps the two equal).
- **Build tools**: setuptools (xero-python declares it, never imports it), pkg_resources, pip, wheel.
- **Unused SDK parts**: xero-python's APIs other than accounting and identity (payroll, assets, projects, files,
  finance, app store; `identity` lists and deletes Xero connections), Powertools' `event_handler` (Lunas' HTTP layer
  is Chalice), `pywa_async` (Lunas uses the synchronous client), babel's `messages` (catalog tooling).
- **Babel locales Lunas does not speak**: every `locale-data/*.dat` but `chalicelib.domain.wording.babel_locales()`.
- **Holiday calendars Lunas does not read**: `holidays` ships ~200 countries (13 MB); only the modules of
  `chalicelib.domain.holidays.CALENDAR_COUNTRIES` stay. `holidays/countries/__init__.py` goes too: it imports every
  country, while the package itself loads each one lazily by module name (`holidays.registry.EntityLoader`), which
  works on the remaining namespace package. Of its holiday-name translations (`holidays/locale/`) only the compiled
  `.mo` files of those countries stay (the settings page names the next holidays in the country's language); the
  financial-market calendars (`holidays/financial/`) are never read.

tests/infra/test_package.py imports every module of app.py and chalicelib (and runs the wording) in the pruned
layer, laid out as Lambda lays it out; tests/conftest.py gives the whole test session only the kept locales.

    PYTHONPATH=infra:. python -m lunas_infra.lean_layer      # prepare and print what was pruned
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]

# What the python3.11 runtime provides, at the versions the test suite runs on (requirements-dev.txt pins the same).
RUNTIME_SDK = {"boto3": "1.42.1", "botocore": "1.42.1"}
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer")
BUILD_TOOLS = ("setuptools", "pkg_resources", "_distutils_hack", "distutils-precedence.pth", "pip", "wheel")
UNUSED_PARTS = (
    "xero_python/appstore/",
    "xero_python/assets/",
    "xero_python/file/",
    "xero_python/finance/",
    "xero_python/payrollau/",
    "xero_python/payrollauv2/",
    "xero_python/payrollnz/",
    "xero_python/payrolluk/",
    "xero_python/project/",
    "aws_lambda_powertools/event_handler/",
    "pywa_async/",
    "babel/messages/",
    "holidays/financial/",
)
_HOLIDAY_CALENDARS = "holidays/countries/"
_HOLIDAY_NAMES = "holidays/locale/"  # <language>/LC_MESSAGES/<COUNTRY>.mo (and .po, its source)
MISSING_DEPENDENCIES = "Could not install dependencies"
_DIST_INFO = re.compile(r"(?P<name>[^-/]+)-[^-/]+\.(?:dist-info|egg-info)")


class LayerBuildError(Exception):
    """Chalice could not install a requirement into the layer (it only says so in its output)."""


@dataclass(frozen=True)
class Pruned:
    """What `prune` removed from a layer, in bytes (unzipped) by reason."""

    path: Path
    removed: dict[str, int] = field(default_factory=dict)
    kept_bytes: int = 0


def runtime() -> str:
    """Lambda's runtime for this interpreter, as Chalice picks it (chalice.config.Config.lambda_python_version)."""
    return f"python{sys.version_info.major}.{sys.version_info.minor}"


def kept_locales() -> frozenset[str]:
    from chalicelib.domain.wording import babel_locales

    return babel_locales()


@cache
def kept_holiday_modules() -> frozenset[str]:
    """The `holidays/countries/<module>.py` of the countries whose public holidays Lunas reads."""
    from holidays.registry import COUNTRIES

    from chalicelib.domain.holidays import CALENDAR_COUNTRIES

    return frozenset(module for module, names in COUNTRIES.items() if names[1] in CALENDAR_COUNTRIES)


def rules_digest(locales: Iterable[str]) -> str:
    """Changes whenever a rule changes, so a layer pruned by older rules is rebuilt, not reused."""
    rules = [RUNTIME_PROVIDED, BUILD_TOOLS, UNUSED_PARTS, sorted(locales), sorted(kept_holiday_modules())]
    return hashlib.sha256(json.dumps(rules).encode()).hexdigest()[:16]


def marker(locales: Iterable[str]) -> bytes:
    return f"lunas-lean-layer {rules_digest(locales)}".encode()


def reason_to_prune(relative: str, locales: frozenset[str]) -> str | None:
    """Why a file of site-packages (`relative` to it) leaves the layer, or None when it stays."""
    top = relative.split("/", 1)[0]
    dist = _DIST_INFO.fullmatch(top)
    name = dist["name"].lower().replace("-", "_") if dist else top.removesuffix(".py")
    if name in RUNTIME_PROVIDED:
        return "provided by the Lambda runtime"
    if name in BUILD_TOOLS or top in BUILD_TOOLS:
        return "build tools"
    if relative.startswith(UNUSED_PARTS):
        return "unused SDK parts"
    if relative.startswith("babel/locale-data/") and relative.endswith(".dat"):
        locale = relative.removeprefix("babel/locale-data/").removesuffix(".dat")
        return None if locale in locales else "babel locales Lunas does not speak"
    if relative.startswith((_HOLIDAY_CALENDARS, _HOLIDAY_NAMES)):
        return _holidays_reason(relative)
    return None


def _holidays_reason(relative: str) -> str | None:
    """Only the calendars of `CALENDAR_COUNTRIES` stay, and their holidays' compiled names (the settings page shows
    the next ones by name); the `.po` sources and every other country's calendar and names go."""
    from chalicelib.domain.holidays import CALENDAR_COUNTRIES

    name = relative.rsplit("/", 1)[-1]
    if relative.startswith(_HOLIDAY_CALENDARS):
        return None if name.split(".", 1)[0] in kept_holiday_modules() else "holiday calendars Lunas does not read"
    if name.endswith(".mo") and name.removesuffix(".mo") in CALENDAR_COUNTRIES:
        return None
    return "holiday names Lunas does not show"


def prune(layer_zip: Path, locales: frozenset[str]) -> Pruned:
    """Rewrite a Chalice layer zip without what `reason_to_prune` names, marked as pruned."""
    prefix = f"python/lib/{runtime()}/site-packages/"
    removed: dict[str, int] = {}
    kept = 0
    staging = layer_zip.with_suffix(".pruning.zip")
    with zipfile.ZipFile(layer_zip) as source, zipfile.ZipFile(staging, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            relative = info.filename.removeprefix(prefix) if info.filename.startswith(prefix) else ""
            reason = reason_to_prune(relative, locales) if relative else None
            if reason is not None:
                removed[reason] = removed.get(reason, 0) + info.file_size
                continue
            kept += info.file_size
            target.writestr(info, source.read(info), compress_type=zipfile.ZIP_DEFLATED)
        target.comment = marker(locales)
    staging.replace(layer_zip)
    return Pruned(layer_zip, removed, kept)


def _comment(layer_zip: Path) -> bytes:
    with zipfile.ZipFile(layer_zip) as z:
        return z.comment


def is_pruned(layer_zip: Path, locales: frozenset[str]) -> bool:
    return _comment(layer_zip) == marker(locales)


def _chalice_layer_packager(output: list[str]) -> Any:
    """Chalice's own layer packager, wired as `chalice package` wires it (chalice.deploy.deployer)."""
    from chalice.deploy.packager import DependencyBuilder, LayerDeploymentPackager, PipRunner, SubprocessPip
    from chalice.utils import UI, OSUtils

    class _Captured(UI):
        def write(self, msg: str) -> None:
            output.append(msg)
            super().write(msg)

    osutils = OSUtils()
    builder = DependencyBuilder(
        osutils=osutils, pip_runner=PipRunner(pip=SubprocessPip(osutils=osutils), osutils=osutils)
    )
    return LayerDeploymentPackager(osutils=osutils, dependency_builder=builder, ui=_Captured())


def layer_path(project_dir: Path = REPO_ROOT) -> Path:
    """Where Chalice caches (and looks for) this project's layer zip."""
    return Path(_chalice_layer_packager([]).deployment_package_filename(str(project_dir), runtime()))


def prepare(project_dir: Path = REPO_ROOT) -> Pruned | None:
    """Make sure Chalice's cached layer is built and pruned; returns what was pruned now (None: it already was)."""
    locales = kept_locales()
    output: list[str] = []
    packager = _chalice_layer_packager(output)
    path = Path(packager.deployment_package_filename(str(project_dir), runtime()))
    if path.exists() and is_pruned(path, locales):
        return None
    if path.exists() and _comment(path).startswith(b"lunas-lean-layer"):
        path.unlink()  # pruned by other rules: what they removed may be needed now, so build it again
    if not path.exists():
        packager.create_deployment_package(str(project_dir), runtime())
        if any(MISSING_DEPENDENCIES in line for line in output):
            path.unlink(missing_ok=True)  # never leave an incomplete layer where Chalice would reuse it
            raise LayerBuildError("".join(output))
    return prune(path, locales)


def main() -> None:
    pruned = prepare()
    if pruned is None:
        sys.stdout.write(f"Lambda layer already lean: {layer_path()}\n")
        return
    lines = [f"Lambda layer {pruned.path.name}: kept {pruned.kept_bytes / 1e6:.1f} MB unzipped, removed:"]
    lines += [
        f"  {size / 1e6:6.1f} MB  {reason}" for reason, size in sorted(pruned.removed.items(), key=lambda kv: -kv[1])
    ]
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
