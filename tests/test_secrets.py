"""Secret values: Secrets Manager when the stage names a secret, the plain environment otherwise (the sandbox).

Secrets Manager is moto's, reached through the same Powertools parameters call the Lambda makes.
"""

from __future__ import annotations

import uuid

import boto3
import pytest

from chalicelib.config import settings_from_environment
from chalicelib.secrets import SECRET_SETTINGS, SecretUnavailable, secret_value

pytestmark = pytest.mark.sandbox


def _put_secret(value: str) -> str:
    name = f"lunas/test/{uuid.uuid4().hex[:12]}"
    boto3.client("secretsmanager").create_secret(Name=name, SecretString=value)
    return name


def test_plain_environment_without_a_secret_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("META_APP_SECRET_SECRET_NAME", raising=False)
    monkeypatch.setenv("META_APP_SECRET", "from-env")
    assert secret_value("META_APP_SECRET") == "from-env"


def test_secret_name_wins_over_the_plain_variable(sandbox: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("META_APP_SECRET_SECRET_NAME", _put_secret("from-secrets-manager"))
    monkeypatch.setenv("META_APP_SECRET", "ignored")
    assert secret_value("META_APP_SECRET") == "from-secrets-manager"


def test_settings_read_every_secret_from_secrets_manager(sandbox: object, monkeypatch: pytest.MonkeyPatch) -> None:
    for setting in SECRET_SETTINGS:
        monkeypatch.setenv(setting.env + "_SECRET_NAME", _put_secret(f"value-of-{setting.slug}"))
    settings = settings_from_environment()
    assert settings.xero_client_secret == "value-of-xero-client-secret"
    assert settings.intuit_client_secret == "value-of-intuit-client-secret"
    assert settings.meta_app_secret == "value-of-meta-app-secret"
    assert settings.meta_verify_token == "value-of-meta-verify-token"
    assert settings.xero_webhook_key == "value-of-xero-webhook-key"
    assert settings.intuit_webhook_verifier_token == "value-of-intuit-webhook-verifier-token"
    assert settings.session_secret == "value-of-session-secret"


def test_a_missing_secret_is_an_error_that_names_it_without_a_value(
    sandbox: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = f"lunas/test/missing-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("XERO_WEBHOOK_KEY_SECRET_NAME", missing)
    with pytest.raises(SecretUnavailable, match=missing):
        secret_value("XERO_WEBHOOK_KEY")
