"""The one place that says what the Lambda functions get: environment variables, IAM grants, queue wiring.

Adding a resource for the app (a queue, a secret, a bucket) means a line in each of `environment`, `grant_access`
and, for an SQS-triggered function, `SQS_CONSUMERS`. Environment variables carry resource NAMES, never secret
values: secrets arrive as `<NAME>_SECRET_NAME` and are read at run time (chalicelib/secrets.py).

Names that the stateful stack fixes are passed as plain strings, not CDK tokens: `chalice package` imports app.py
with the stage environment, and a token inside a name that app.py puts into its template (the SQS queue of
`@app.on_sqs_message`) would break the SAM template's `Fn::Sub`.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Stack
from aws_cdk import aws_iam as iam

from chalicelib.secrets import NAME_SUFFIX, SECRET_SETTINGS
from lunas_infra.stateful import DataStack

# Chalice function name (the `name=` of @app.on_sqs_message) -> DataStack.work_queues key. The app stack fails the
# synth if a function consumes a queue that is not listed here, so none ships with Chalice's guessed queue ARN.
SQS_CONSUMERS = {
    "run_reminder_cycles": "reminders",
    "process_webhooks": "webhooks",
}


# Not secrets, given at synth from the deployer's environment: the Meta app's id and its Embedded Signup configuration
# id, which the settings page hands to Meta's JS SDK (docs/whatsapp-onboarding.md).
# LUNAS_DIGEST_FROM: the owner's daily summary e-mail's sender, an SES identity verified in this account and region.
PUBLIC_SETTINGS = ("META_APP_ID", "META_SIGNUP_CONFIG_ID", "LUNAS_DIGEST_FROM")


def environment(data: DataStack, public_url: str, public: Mapping[str, str] | None = None) -> dict[str, str]:
    """Stage environment of every function (CDK tokens resolve to the real names at deploy time)."""
    stage = data.stage
    region = Stack.of(data).region
    issuer = f"https://cognito-idp.{region}.amazonaws.com/{data.user_pool.user_pool_id}"
    variables = {
        "LUNAS_TABLE": stage.resource_name(),
        "LUNAS_REMINDER_QUEUE": stage.resource_name("reminders"),
        "LUNAS_WEBHOOK_QUEUE": stage.resource_name("webhooks"),
        "LUNAS_KMS_KEY_ID": data.key_alias_name,
        "COGNITO_USER_POOL_ID": data.user_pool.user_pool_id,
        "COGNITO_CLIENT_ID": data.web_client.user_pool_client_id,
        "COGNITO_ISSUER": issuer,
        "COGNITO_JWKS_URL": f"{issuer}/.well-known/jwks.json",
        "POWERTOOLS_PARAMETERS_MAX_AGE": "300",
    }
    if public_url:
        variables["LUNAS_PUBLIC_URL"] = public_url
    variables |= {name: value for name, value in (public or {}).items() if name in PUBLIC_SETTINGS and value}
    for setting in SECRET_SETTINGS:
        variables[setting.env + NAME_SUFFIX] = stage.secret_name(setting.slug)
    return variables


def grant_access(data: DataStack, role: iam.IRole) -> None:
    """Least privilege: each grant names one resource of the stateful stack."""
    data.table.grant_read_write_data(role)  # includes the table's index ARNs and kms use of the table key
    data.key.grant_encrypt_decrypt(role)  # GenerateDataKey + Decrypt: envelope encryption of OAuth / WhatsApp tokens
    data.reminders.queue.grant_send_messages(role)  # the hourly fan-out and "run now"
    data.webhooks.queue.grant_send_messages(role)  # webhook routes make the body durable first
    for work_queue in data.work_queues.values():
        work_queue.queue.grant_consume_messages(role)  # Lambda's event source polls with the function's role
    for secret in data.secrets.values():
        secret.grant_read(role)
    role.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["cognito-idp:AdminConfirmSignUp", "cognito-idp:AdminGetUser"],
            resources=[data.user_pool.user_pool_arn],
        )
    )
    stack = Stack.of(data)
    role.add_to_principal_policy(  # the owner's daily summary (SES v2 SendEmail authorises on the identities used)
        iam.PolicyStatement(
            actions=["ses:SendEmail"],
            resources=[f"arn:aws:ses:{stack.region}:{stack.account}:identity/*"],
        )
    )
