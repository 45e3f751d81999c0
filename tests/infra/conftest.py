"""Synthesize the stacks once per session, offline: no AWS credentials, no CDK CLI, a placeholder account.

The CDK dependencies are large, so they live in infra/requirements.txt; `make test` installs them. Without them
these tests are skipped with a message saying how to run them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
if str(INFRA) not in sys.path:
    sys.path.insert(0, str(INFRA))

pytest.importorskip("aws_cdk", reason="CDK not installed: `make test-infra` installs infra/requirements.txt")


@dataclass(frozen=True)
class Synthesized:
    outdir: Path
    data: Any  # DataStack
    app: Any  # AppStack

    def template_file(self, stack: Any) -> Path:
        return self.outdir / f"{stack.artifact_id}.template.json"


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synthesized]:
    """Synthesize, then put the process back exactly as it was: the rest of the suite runs in this process, and
    chalice.cdk's packaging both changes directory and exports the stage's environment variables."""
    from cdk_app import build

    workdir = tmp_path_factory.mktemp("cdk")
    previous_cwd = Path.cwd()
    previous_env = dict(os.environ)
    for name in ("LUNAS_AWS_ACCOUNT", "CDK_DEFAULT_ACCOUNT", "LUNAS_ALARM_EMAIL"):
        os.environ.pop(name, None)
    os.chdir(workdir)  # chalice.cdk writes its packages to ./chalice.out
    try:
        app = build(workdir / "cdk.out", ["dev"])
        app.synth()
    finally:
        os.chdir(previous_cwd)
        os.environ.clear()
        os.environ.update(previous_env)
    yield Synthesized(workdir / "cdk.out", app.node.find_child("dev-data"), app.node.find_child("dev"))
