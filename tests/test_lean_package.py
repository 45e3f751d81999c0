"""The lean layer's rules (infra/lunas_infra/lean_layer.py), on small zips: what is pruned, why, and what stays.

That the real pruned layer still runs every code path is tests/infra/test_package.py (it needs the package built).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "infra") not in sys.path:
    sys.path.insert(0, str(ROOT / "infra"))

from lunas_infra import lean_layer  # noqa: E402

LOCALES = frozenset({"en", "id", "id_ID", "root"})


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("botocore/data/dynamodb/2012-08-10/service-2.json.gz", "provided by the Lambda runtime"),
        ("botocore-1.44.8.dist-info/METADATA", "provided by the Lambda runtime"),
        ("boto3/session.py", "provided by the Lambda runtime"),
        ("s3transfer/manager.py", "provided by the Lambda runtime"),
        ("setuptools/dist.py", "build tools"),
        ("setuptools-84.2.1.dist-info/RECORD", "build tools"),
        ("pkg_resources/__init__.py", "build tools"),
        ("_distutils_hack/__init__.py", "build tools"),
        ("distutils-precedence.pth", "build tools"),
        ("xero_python/payrolluk/payroll_uk_api.py", "unused SDK parts"),
        ("xero_python/finance/api/finance_api.py", "unused SDK parts"),
        ("xero_python/identity/identity_api.py", None),  # Xero connections are listed and deleted with it
        ("aws_lambda_powertools/event_handler/api_gateway.py", "unused SDK parts"),
        ("pywa_async/client.py", "unused SDK parts"),
        ("babel/locale-data/fr.dat", "babel locales Lunas does not speak"),
        ("babel/locale-data/en_GB.dat", "babel locales Lunas does not speak"),
        ("babel/locale-data/ms_MY.dat", "babel locales Lunas does not speak"),
        ("holidays/locale/fr/LC_MESSAGES/FR.mo", "holiday names Lunas does not show"),
        ("holidays/locale/id/LC_MESSAGES/ID.po", "holiday names Lunas does not show"),
        ("holidays/countries/france.py", "holiday calendars Lunas does not read"),
        ("holidays/financial/ny_stock_exchange.py", "unused SDK parts"),
    ],
)
def test_what_is_pruned_and_why(path: str, reason: str | None) -> None:
    assert lean_layer.reason_to_prune(path, LOCALES) == reason


@pytest.mark.parametrize(
    "path",
    [
        "babel/locale-data/en.dat",
        "babel/locale-data/id.dat",
        "babel/locale-data/id_ID.dat",
        "babel/locale-data/root.dat",
        "babel/global.dat",
        "babel/numbers.py",
        "xero_python/accounting/accounting_api.py",
        "xero_python/api_client/oauth2.py",
        "xero_python/exceptions/http_status_exceptions.py",
        "aws_lambda_powertools/logging/logger.py",
        "aws_lambda_powertools/utilities/batch/base.py",
        "pywa/client.py",
        "pywa-4.5.0.dist-info/METADATA",  # pywa reads its own version from it
        "pynamodb/models.py",
        "jmespath/parser.py",
        "urllib3/connectionpool.py",
        "cryptography/hazmat/bindings/_rust.abi3.so",
        "phonenumbers/data/region_ID.py",
        "holidays/countries/indonesia.py",
        "holidays/locale/id/LC_MESSAGES/ID.mo",  # the settings page names the next holidays in Indonesian
        "holidays/locale/en_US/LC_MESSAGES/ID.mo",
    ],
)
def test_what_stays(path: str) -> None:
    assert lean_layer.reason_to_prune(path, LOCALES) is None


def test_the_kept_locales_are_the_wordings() -> None:
    assert lean_layer.kept_locales() == LOCALES


def test_prune_rewrites_the_zip_and_marks_it(tmp_path: Path) -> None:
    site = f"python/lib/{lean_layer.runtime()}/site-packages/"
    layer = tmp_path / "layer.zip"
    with zipfile.ZipFile(layer, "w") as z:
        for name, body in {
            "botocore/client.py": b"x" * 100,
            "babel/locale-data/fr.dat": b"f" * 50,
            "babel/locale-data/id.dat": b"i" * 10,
            "xero_python/accounting/__init__.py": b"a" * 5,
        }.items():
            z.writestr(site + name, body)
    assert not lean_layer.is_pruned(layer, LOCALES)
    pruned = lean_layer.prune(layer, LOCALES)
    with zipfile.ZipFile(layer) as z:
        assert sorted(z.namelist()) == [site + "babel/locale-data/id.dat", site + "xero_python/accounting/__init__.py"]
    assert pruned.removed == {"provided by the Lambda runtime": 100, "babel locales Lunas does not speak": 50}
    assert pruned.kept_bytes == 15
    assert lean_layer.is_pruned(layer, LOCALES)
    assert not lean_layer.is_pruned(layer, LOCALES | {"fr"})  # other rules: rebuilt, not reused


def test_the_tests_run_on_the_runtime_sdk_versions() -> None:
    """boto3/botocore are not in the package: the tests must run on what the Lambda runtime provides."""
    pinned = {}
    for line in (ROOT / "requirements-dev.txt").read_text().splitlines():
        name, _, version = line.partition("==")
        if name in lean_layer.RUNTIME_SDK:
            pinned[name] = version.strip()
    assert pinned == lean_layer.RUNTIME_SDK
    assert {name: importlib.metadata.version(name) for name in pinned} == lean_layer.RUNTIME_SDK


def test_phone_numbers_come_from_the_lite_package() -> None:
    requirements = (ROOT / "requirements.txt").read_text()
    assert "phonenumberslite==" in requirements and "\nphonenumbers==" not in requirements
    assert importlib.util.find_spec("phonenumbers") is not None
    assert importlib.util.find_spec("phonenumbers.geodata") is None  # no geocoder or carrier data installed
