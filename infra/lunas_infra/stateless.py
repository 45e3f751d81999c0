"""The stateless stack: the Chalice app (functions, API, schedule, queue triggers), its role and its alarms.

Chalice packages the app into a SAM template (`chalice package`), which `chalice.cdk.Chalice` includes here; its
dependency layer is built and pruned first (`lean_layer.prepare`), so the construct ships the lean one. Two
things Chalice cannot express are patched through CDK escape hatches: partial batch responses on SQS event sources
(`ReportBatchItemFailures`) and the real ARN of each queue (Chalice only guesses one from a name). Each function
also logs to a log group of its own that expires (`LoggingConfig`; Lambda's default group never does): the retention
is `chalicelib.domain.retention.LOG_RETENTION_DAYS` (docs/storage.md, "Retention").
https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from chalice.cdk import Chalice
from constructs import Construct

from chalicelib.domain.retention import LOG_RETENTION_DAYS
from lunas_infra import lean_layer, runtime
from lunas_infra.stage import REPO_ROOT, StageConfig
from lunas_infra.stateful import DataStack

_RETENTION_DAYS = {  # CloudWatch Logs accepts these values only
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
}


class UnmappedQueueConsumer(Exception):
    """A function consumes SQS but infra/lunas_infra/runtime.py does not say which queue."""


class AppStack(Stack):
    """Construct id = the Chalice stage name (chalice.cdk takes the stage from the scope's name)."""

    def __init__(
        self,
        scope: Construct,
        *,
        stage: StageConfig,
        data: DataStack,
        public_url: str = "",
        public: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            scope,
            stage.name,
            env=stage.environment,
            stack_name=stage.resource_name("app"),
            description=f"Lunas {stage.name}: the Chalice app, its role and alarms",
        )
        self.add_stack_dependency(data)
        self.role = iam.Role(
            self,
            "FunctionRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AWSLambdaBasicExecutionRole")
            ],
            description="Lunas functions: scoped grants on the stateful stack's resources",
        )
        runtime.grant_access(data, self.role)
        lean_layer.prepare(REPO_ROOT)  # Chalice reuses the pruned layer it finds in .chalice/deployments
        self.chalice = Chalice(
            self,
            "App",
            source_dir=str(REPO_ROOT),
            stage_config={
                "environment_variables": runtime.environment(data, public_url, public),
                "manage_iam_role": False,
                "iam_role_arn": self.role.role_arn,
                "autogen_policy": False,
            },
        )
        self.functions = self._sam_functions()
        self._wire_queue_consumers(data)
        self._expiring_logs()
        self._alarms(stage, data)
        self._outputs()

    def _sam_functions(self) -> dict[str, dict[str, Any]]:
        """Logical id -> SAM function definition, read from what `chalice package` wrote."""
        sam = json.loads((Path(self.chalice._sam_package_dir) / "sam.json").read_text())
        return {
            logical_id: resource
            for logical_id, resource in sam["Resources"].items()
            if resource["Type"] == "AWS::Serverless::Function"
        }

    def _wire_queue_consumers(self, data: DataStack) -> None:
        queues_by_function = {_logical_id(name): role for name, role in runtime.SQS_CONSUMERS.items()}
        for logical_id, function in self.functions.items():
            for event_id, event in function["Properties"].get("Events", {}).items():
                if event["Type"] != "SQS":
                    continue
                if logical_id not in queues_by_function:
                    raise UnmappedQueueConsumer(f"{logical_id} consumes SQS: add it to runtime.SQS_CONSUMERS")
                queue = data.work_queues[queues_by_function[logical_id]].queue
                resource = self.chalice.get_resource(logical_id)
                prefix = f"Properties.Events.{event_id}.Properties"
                resource.add_override(f"{prefix}.Queue", queue.queue_arn)
                resource.add_override(f"{prefix}.FunctionResponseTypes", ["ReportBatchItemFailures"])

    def _expiring_logs(self) -> None:
        """Every function writes to its own log group, kept LOG_RETENTION_DAYS days (logs hold no phone numbers,
        wamids, tokens or message text, but they do hold organisation ids and times)."""
        days = _RETENTION_DAYS[LOG_RETENTION_DAYS]
        for logical_id in self.functions:
            group = logs.LogGroup(self, f"{logical_id}Logs", retention=days)
            resource = self.chalice.get_resource(logical_id)
            resource.add_override("Properties.LoggingConfig", {"LogFormat": "Text", "LogGroup": group.log_group_name})

    def _alarms(self, stage: StageConfig, data: DataStack) -> None:
        topic = sns.Topic(self, "Alarms", topic_name=stage.resource_name("alarms"), enforce_ssl=True)
        if stage.alarm_email:
            topic.add_subscription(subscriptions.EmailSubscription(stage.alarm_email))
        action = cloudwatch_actions.SnsAction(topic)
        for role, work_queue in data.work_queues.items():
            depth = work_queue.dead_letters.metric_approximate_number_of_messages_visible(
                period=Duration.minutes(5), statistic="Maximum"
            )
            alarm = depth.create_alarm(
                self,
                f"{role.title()}DeadLetters",
                alarm_description=f"Messages in the {role} dead-letter queue: they failed {3} times",
                threshold=1,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            alarm.add_alarm_action(action)
        for logical_id in self.functions:
            errors = cloudwatch.Metric(
                namespace="AWS/Lambda",
                metric_name="Errors",
                dimensions_map={"FunctionName": self.chalice.get_resource(logical_id).ref},
                period=Duration.minutes(5),
                statistic="Sum",
            )
            alarm = errors.create_alarm(
                self,
                f"{logical_id}Errors",
                alarm_description=f"{logical_id} raised errors (see its log group)",
                threshold=1,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            alarm.add_alarm_action(action)

    def _outputs(self) -> None:
        api = self.chalice.sam_template.get_output("EndpointURL") if self._has_api() else None
        if api is not None:
            CfnOutput(self, "ApiUrl", value=api.value, description="Base URL: webhooks and /pay links live under it")

    def _has_api(self) -> bool:
        return any(logical_id == "APIHandler" for logical_id in self.functions)


def _logical_id(function_name: str) -> str:
    """Chalice's logical id for a function name: run_reminder_cycles -> RunReminderCycles."""
    return "".join(part.capitalize() for part in function_name.split("_"))
