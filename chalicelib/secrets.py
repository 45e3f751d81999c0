"""Secret values: from AWS Secrets Manager on AWS, from plain environment variables in the sandbox.

Each secret has one environment name (say `XERO_CLIENT_SECRET`). When `XERO_CLIENT_SECRET_SECRET_NAME` is set (the
CDK stack sets it to the secret's name, never its value), the value is read from Secrets Manager through Powertools
parameters, cached for `POWERTOOLS_PARAMETERS_MAX_AGE` seconds (default 300); otherwise `XERO_CLIENT_SECRET` itself
is the value. `SECRET_SETTINGS` is also what `infra/` creates secrets from, so the app and the stacks cannot drift.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from chalicelib.domain.errors import LunasError

NAME_SUFFIX = "_SECRET_NAME"


@dataclass(frozen=True, slots=True)
class SecretSetting:
    env: str  # the environment name the app reads, e.g. META_APP_SECRET
    slug: str  # the secret's name on AWS is lunas/<stage>/<slug>
    description: str
    generated: bool  # True: a random value is fine (verify token, session key); False: paste the vendor's value


SECRET_SETTINGS: tuple[SecretSetting, ...] = (
    SecretSetting("XERO_CLIENT_SECRET", "xero-client-secret", "Xero app client secret", generated=False),
    SecretSetting("XERO_WEBHOOK_KEY", "xero-webhook-key", "Xero webhooks signing key", generated=False),
    SecretSetting("INTUIT_CLIENT_SECRET", "intuit-client-secret", "Intuit app client secret", generated=False),
    SecretSetting(
        "INTUIT_WEBHOOK_VERIFIER_TOKEN", "intuit-webhook-verifier-token", "Intuit webhooks verifier token", False
    ),
    SecretSetting("META_APP_SECRET", "meta-app-secret", "Meta app secret (webhook signatures)", generated=False),
    SecretSetting("META_VERIFY_TOKEN", "meta-verify-token", "Meta webhook verify token (you choose it)", True),
    SecretSetting("LUNAS_SESSION_SECRET", "session-secret", "Signs dashboard CSRF tokens", generated=True),
    # Never rotate: erased numbers' hashes are keyed with it (docs/privacy.md); a new key would let them be messaged.
    SecretSetting("LUNAS_ERASURE_KEY", "erasure-key", "Keys the hashes of erased phone numbers", generated=True),
)


class SecretUnavailable(LunasError):
    """Secrets Manager did not return a secret the stage names (missing, no permission, throttled)."""


def secret_value(env_name: str) -> str:
    """The value of one secret setting; "" when neither the secret name nor the plain variable is set."""
    secret_name = os.environ.get(env_name + NAME_SUFFIX, "")
    if not secret_name:
        return os.environ.get(env_name, "")
    return _fetch(secret_name)


def _fetch(secret_name: str) -> str:
    from aws_lambda_powertools.utilities.parameters import get_secret
    from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

    try:
        value = get_secret(secret_name)
    except GetParameterError as exc:  # the message names the secret and the AWS error code, never a value
        raise SecretUnavailable(f"cannot read secret {secret_name}: {type(exc.__context__ or exc).__name__}") from exc
    if isinstance(value, bytes):
        return value.decode()
    return str(value)
