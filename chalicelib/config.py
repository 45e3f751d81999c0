"""Settings read once from the environment.

The sandbox and a real AWS account differ only here: resource names, vendor base URLs and credentials. Secret
values come from the environment in the sandbox; on AWS the deploy issue moves them to Secrets Manager.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    table_name: str
    reminder_queue_name: str
    kms_key_id: str
    xero_client_id: str
    xero_client_secret: str
    xero_api_base: str
    xero_identity_base: str
    graph_base_url: str
    graph_api_version: str
    meta_app_secret: str
    public_base_url: str
    recheck_after_seconds: float  # re-read invoices before sending unless read at most this long ago
    fixed_now: str  # ISO instant; sandbox only: pins the clock so the demo is inside the send window


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


@cache
def load_settings() -> Settings:
    return Settings(
        table_name=_env("LUNAS_TABLE", "lunas"),
        reminder_queue_name=_env("LUNAS_REMINDER_QUEUE", "lunas-reminders"),
        kms_key_id=_env("LUNAS_KMS_KEY_ID", "alias/lunas-tokens"),
        xero_client_id=_env("XERO_CLIENT_ID"),
        xero_client_secret=_env("XERO_CLIENT_SECRET"),
        xero_api_base=_env("XERO_API_BASE", "https://api.xero.com"),
        xero_identity_base=_env("XERO_IDENTITY_BASE", "https://identity.xero.com"),
        graph_base_url=_env("GRAPH_BASE_URL", "https://graph.facebook.com"),
        graph_api_version=_env("GRAPH_API_VERSION", "25.0"),
        meta_app_secret=_env("META_APP_SECRET"),
        public_base_url=_env("LUNAS_PUBLIC_URL", "https://lunas.example"),
        recheck_after_seconds=float(_env("LUNAS_RECHECK_AFTER_SECONDS", "60")),
        fixed_now=_env("LUNAS_FIXED_NOW"),
    )
