"""Settings, read from the environment once per container (`chalicelib.bootstrap` keeps them).

The sandbox and a real AWS account differ only here: resource names, vendor base URLs and credentials. Secret
values come from the environment in the sandbox and from Secrets Manager on AWS (see `chalicelib.secrets`).
Tests never change the environment to change a setting: they install a container built from other settings
(`bootstrap.installed(bootstrap.container().with_settings(...))`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    table_name: str
    reminder_queue_name: str
    webhook_queue_name: str
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
    # -- sign-in and the owner's dashboard (chalicelib/auth, chalicelib/web) --
    cognito_user_pool_id: str = ""
    cognito_client_id: str = ""
    cognito_jwks_url: str = ""  # locally the moto server's /<pool>/.well-known/jwks.json
    cognito_issuer: str = ""  # what the ID token's `iss` says (moto writes the AWS host form)
    session_secret: str = ""  # signs CSRF tokens; a random per-process value when empty (single-process dev only)
    erasure_key: str = ""  # keys erased numbers' hashes (never rotated); the session secret when empty (dev only)
    xero_authorize_url: str = "https://login.xero.com/identity/connect/authorize"
    intuit_client_id: str = ""
    intuit_client_secret: str = ""
    intuit_authorize_url: str = "https://appcenter.intuit.com/connect/oauth2"
    intuit_token_url: str = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"
    intuit_revoke_url: str = "https://developer.api.intuit.com/v2/oauth2/tokens/revoke"
    run_now_mode: str = "queue"  # queue: enqueue on the reminder queue | inline: run in the request (sandbox)
    quickbooks_api_base: str = "https://quickbooks.api.intuit.com"  # + /v3/company/<realmId>/...
    full_sweep_days: float = 7.0  # incremental sync: read every open invoice at least this often (services/sync.py)
    reply_pause_days: float = 3.0  # a customer's reply (other than STOP / YES) pauses their reminders this long
    audit_retention_days: int = 395  # audit log entries expire after this (domain/retention.py AUDIT)
    usd_rates: str = ""  # USD -> owner's currency for the cost estimate, "IDR=16500,SGD=1.30" (domain/pricing.py)
    templates_dir: str = ""  # the create-template files to push; "" = templates/whatsapp of this checkout
    # -- Embedded Signup (docs/whatsapp-onboarding.md): Meta app id, the Facebook Login for Business configuration
    # id, and where the JS SDK is loaded from (the fake Meta's stand-in in the sandbox) --
    meta_app_id: str = ""
    meta_signup_config_id: str = ""
    meta_sdk_url: str = "https://connect.facebook.net/en_US/sdk.js"
    digest_from: str = ""  # the owner's daily summary e-mail's sender, a verified SES identity; "" = no summaries

    # -- secret values: plain env vars in the sandbox, Secrets Manager on AWS (chalicelib.secrets) --
    meta_verify_token: str = ""
    xero_webhook_key: str = ""
    intuit_webhook_verifier_token: str = ""


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def _secret(name: str) -> str:
    """A secret value: from Secrets Manager when `<name>_SECRET_NAME` is set, else the plain variable `name`."""
    from chalicelib.secrets import secret_value

    return secret_value(name)


def settings_from_environment() -> Settings:
    """Read every setting now (secrets from Secrets Manager on AWS): call it once, when a container is built."""
    return Settings(
        table_name=_env("LUNAS_TABLE", "lunas"),
        reminder_queue_name=_env("LUNAS_REMINDER_QUEUE", "lunas-reminders"),
        webhook_queue_name=_env("LUNAS_WEBHOOK_QUEUE", "lunas-webhooks"),
        kms_key_id=_env("LUNAS_KMS_KEY_ID", "alias/lunas-tokens"),
        xero_client_id=_env("XERO_CLIENT_ID"),
        xero_client_secret=_secret("XERO_CLIENT_SECRET"),
        xero_api_base=_env("XERO_API_BASE", "https://api.xero.com"),
        xero_identity_base=_env("XERO_IDENTITY_BASE", "https://identity.xero.com"),
        graph_base_url=_env("GRAPH_BASE_URL", "https://graph.facebook.com"),
        graph_api_version=_env("GRAPH_API_VERSION", "25.0"),
        meta_app_secret=_secret("META_APP_SECRET"),
        public_base_url=_env("LUNAS_PUBLIC_URL", "https://lunas.example"),
        recheck_after_seconds=float(_env("LUNAS_RECHECK_AFTER_SECONDS", "0")),
        cognito_user_pool_id=_env("COGNITO_USER_POOL_ID"),
        cognito_client_id=_env("COGNITO_CLIENT_ID"),
        cognito_jwks_url=_env("COGNITO_JWKS_URL"),
        cognito_issuer=_env("COGNITO_ISSUER"),
        session_secret=_secret("LUNAS_SESSION_SECRET"),
        erasure_key=_secret("LUNAS_ERASURE_KEY"),
        xero_authorize_url=_env("XERO_AUTHORIZE_URL", "https://login.xero.com/identity/connect/authorize"),
        intuit_client_id=_env("INTUIT_CLIENT_ID"),
        intuit_client_secret=_secret("INTUIT_CLIENT_SECRET"),
        intuit_authorize_url=_env("INTUIT_AUTHORIZE_URL", "https://appcenter.intuit.com/connect/oauth2"),
        intuit_token_url=_env("INTUIT_TOKEN_URL", "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"),
        intuit_revoke_url=_env("INTUIT_REVOKE_URL", "https://developer.api.intuit.com/v2/oauth2/tokens/revoke"),
        run_now_mode=_env("LUNAS_RUN_NOW_MODE", "queue"),
        quickbooks_api_base=_env("QUICKBOOKS_API_BASE", "https://quickbooks.api.intuit.com"),
        full_sweep_days=float(_env("LUNAS_FULL_SWEEP_DAYS", "7")),
        reply_pause_days=float(_env("LUNAS_REPLY_PAUSE_DAYS", "3")),
        audit_retention_days=int(_env("LUNAS_AUDIT_RETENTION_DAYS", "395")),
        usd_rates=_env("LUNAS_USD_RATES"),
        templates_dir=_env("LUNAS_TEMPLATES_DIR"),
        meta_app_id=_env("META_APP_ID"),
        meta_signup_config_id=_env("META_SIGNUP_CONFIG_ID"),
        meta_sdk_url=_env("META_SDK_URL", "https://connect.facebook.net/en_US/sdk.js"),
        digest_from=_env("LUNAS_DIGEST_FROM"),
        meta_verify_token=_secret("META_VERIFY_TOKEN"),
        xero_webhook_key=_secret("XERO_WEBHOOK_KEY"),
        intuit_webhook_verifier_token=_secret("INTUIT_WEBHOOK_VERIFIER_TOKEN"),
    )
