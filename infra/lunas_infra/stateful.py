"""The stateful stack: what holds data or identity and must survive redeploys of the code.

Table, KMS key, user pool and secrets are retained when the stack is deleted; queues are not (they hold work in
flight, not records). The stateless stack reads everything it needs from the attributes of this one.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from chalicelib.secrets import SECRET_SETTINGS
from lunas_infra.stage import StageConfig, function_timeout
from lunas_infra.table import build_table, lunas_schema

MAX_RECEIVE_COUNT = 3  # a message failing three times moves to the dead-letter queue
VISIBILITY_FACTOR = 6  # AWS's advice for Lambda event sources: visibility >= 6 x the function timeout
REMINDER_WORKER = "run_reminder_cycles"


class WorkQueue(Construct):
    """An SQS queue with its dead-letter queue, visibility sized for the Lambda function that consumes it."""

    def __init__(self, scope: Construct, construct_id: str, *, name: str, consumer_timeout_seconds: int) -> None:
        super().__init__(scope, construct_id)
        self.dead_letters = sqs.Queue(
            self,
            "DeadLetters",
            queue_name=f"{name}-dlq",
            retention_period=Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        self.queue = sqs.Queue(
            self,
            "Queue",
            queue_name=name,
            visibility_timeout=Duration.seconds(VISIBILITY_FACTOR * consumer_timeout_seconds),
            retention_period=Duration.days(4),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=MAX_RECEIVE_COUNT, queue=self.dead_letters),
        )


class DataStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, stage: StageConfig) -> None:
        super().__init__(
            scope,
            construct_id,
            env=stage.environment,
            stack_name=stage.resource_name("data"),
            description=f"Lunas {stage.name}: table, key, queues, user pool, secrets",
            termination_protection=stage.is_prod,
        )
        self.stage = stage
        self.key = kms.Key(
            self,
            "TokenKey",
            alias=f"alias/{stage.resource_name('tokens')}",
            description="Lunas: OAuth and WhatsApp tokens (envelope encryption) and the table at rest",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.key_alias_name = f"alias/{stage.resource_name('tokens')}"
        self.table: dynamodb.Table = build_table(
            self, "Table", schema=lunas_schema(), name=stage.resource_name(), key=self.key, protect=stage.is_prod
        )
        self.reminders = WorkQueue(
            self,
            "Reminders",
            name=stage.resource_name("reminders"),
            consumer_timeout_seconds=function_timeout(stage.name, REMINDER_WORKER),
        )
        self.webhooks = WorkQueue(
            self,
            "Webhooks",
            name=stage.resource_name("webhooks"),
            consumer_timeout_seconds=function_timeout(stage.name, "process_webhooks"),
        )
        self.user_pool, self.web_client = self._users(stage)
        self.secrets = {
            setting.env: secretsmanager.Secret(
                self,
                f"Secret{setting.slug.title().replace('-', '')}",
                secret_name=stage.secret_name(setting.slug),
                description=f"Lunas {stage.name}: {setting.description}",
                generate_secret_string=secretsmanager.SecretStringGenerator(
                    exclude_punctuation=True, password_length=48 if setting.generated else 32
                ),
                removal_policy=RemovalPolicy.RETAIN,
            )
            for setting in SECRET_SETTINGS
        }

    @property
    def work_queues(self) -> dict[str, WorkQueue]:
        """Queues by role; the app stack maps each SQS-triggered function to one of these."""
        return {"reminders": self.reminders, "webhooks": self.webhooks}

    def _users(self, stage: StageConfig) -> tuple[cognito.UserPool, cognito.UserPoolClient]:
        pool = cognito.UserPool(
            self,
            "Users",
            user_pool_name=stage.resource_name("users"),
            self_sign_up_enabled=True,
            sign_in_aliases=cognito.SignInAliases(email=True),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            password_policy=cognito.PasswordPolicy(min_length=10, require_symbols=False),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            deletion_protection=stage.is_prod,
            removal_policy=RemovalPolicy.RETAIN,
        )
        client = pool.add_client(
            "WebClient",
            user_pool_client_name=stage.resource_name("web"),
            auth_flows=cognito.AuthFlow(user_password=True, user_srp=True),
            generate_secret=False,
            prevent_user_existence_errors=True,
        )
        return pool, client
