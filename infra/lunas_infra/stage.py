"""Who and where a stage deploys: account, region, names. Nothing here asks AWS, so synth works offline."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk

REPO_ROOT = Path(__file__).resolve().parents[2]
CHALICE_CONFIG = REPO_ROOT / ".chalice" / "config.json"
DEFAULT_REGION = "ap-southeast-3"  # Jakarta; an opt-in region, enable it in the account first
OFFLINE_ACCOUNT = "111111111111"  # placeholder for synth without credentials; deploys set LUNAS_AWS_ACCOUNT


@dataclass(frozen=True, slots=True)
class StageConfig:
    name: str  # a stage of .chalice/config.json: dev | prod
    account: str
    region: str
    alarm_email: str = ""

    @property
    def is_prod(self) -> bool:
        return self.name == "prod"

    @property
    def environment(self) -> cdk.Environment:
        return cdk.Environment(account=self.account, region=self.region)

    def resource_name(self, suffix: str = "") -> str:
        """lunas-<stage>[-suffix]: the physical name of a table, queue or topic."""
        return f"lunas-{self.name}" + (f"-{suffix}" if suffix else "")

    def secret_name(self, slug: str) -> str:
        return f"lunas/{self.name}/{slug}"


def stage_from_environment(name: str) -> StageConfig:
    """The CDK CLI exports CDK_DEFAULT_ACCOUNT/REGION from the caller's credentials; explicit LUNAS_* values win."""
    account = os.environ.get("LUNAS_AWS_ACCOUNT") or os.environ.get("CDK_DEFAULT_ACCOUNT") or OFFLINE_ACCOUNT
    region = os.environ.get("LUNAS_AWS_REGION") or os.environ.get("CDK_DEFAULT_REGION") or DEFAULT_REGION
    return StageConfig(name=name, account=account, region=region, alarm_email=os.environ.get("LUNAS_ALARM_EMAIL", ""))


def chalice_config() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(CHALICE_CONFIG.read_text())
    return loaded


def stage_names() -> list[str]:
    return list(chalice_config()["stages"])


def function_timeout(stage: str, function: str) -> int:
    """A function's lambda_timeout as Chalice resolves it (stage function > stage > function > global; else 60 s)."""
    config = chalice_config()
    stage_config = config["stages"][stage]
    levels = (
        stage_config.get("lambda_functions", {}).get(function, {}),
        stage_config,
        config.get("lambda_functions", {}).get(function, {}),
        config,
    )
    for level in levels:
        if "lambda_timeout" in level:
            return int(level["lambda_timeout"])
    return 60
