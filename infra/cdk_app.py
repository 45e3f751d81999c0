"""Synthesize Lunas' stacks: `python infra/cdk_app.py` (no AWS credentials and no CDK CLI needed).

One stateful and one stateless stack per Chalice stage (`.chalice/config.json`); `LUNAS_STAGES=dev` limits them.
Output goes to infra/cdk.out; the CDK CLI (`npx aws-cdk@^2.1148 deploy -a infra/cdk.out ...`) deploys it.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]  # lunas_infra, and chalicelib for the table model and secret names

import aws_cdk as cdk  # noqa: E402
from lunas_infra.runtime import PUBLIC_SETTINGS  # noqa: E402
from lunas_infra.stage import stage_from_environment, stage_names  # noqa: E402
from lunas_infra.stateful import DataStack  # noqa: E402
from lunas_infra.stateless import AppStack  # noqa: E402


def build(outdir: Path, stages: list[str]) -> cdk.App:
    app = cdk.App(outdir=str(outdir))
    for name in stages:
        stage = stage_from_environment(name)
        data = DataStack(app, f"{name}-data", stage=stage)
        public = {name: os.environ.get(name, "") for name in PUBLIC_SETTINGS}
        AppStack(app, stage=stage, data=data, public_url=os.environ.get("LUNAS_PUBLIC_URL", ""), public=public)
    return app


def main() -> None:
    stages = [s for s in os.environ.get("LUNAS_STAGES", ",".join(stage_names())).split(",") if s]
    outdir = Path(os.environ.get("CDK_OUTDIR", HERE / "cdk.out"))
    os.chdir(HERE)  # chalice.cdk writes its packages to ./chalice.out
    for stale in (outdir, HERE / "chalice.out"):  # old assets would pile up (tens of MB per synth)
        shutil.rmtree(stale, ignore_errors=True)
    build(outdir, stages).synth()


if __name__ == "__main__":
    main()
