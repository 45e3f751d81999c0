"""What the synthesized CloudFormation says: the table matches the code's model, grants are scoped, queues are wired
with partial batch responses, and alarms watch the dead letters and the functions. cfn-lint must be clean."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

from aws_cdk.assertions import Match, Template

from chalicelib.secrets import SECRET_SETTINGS
from chalicelib.storage.schema import LunasTable
from tests.infra.conftest import ROOT, Synthesized


def _template(stack: Any) -> Template:
    return Template.from_stack(stack)


def _resources(template: Template, kind: str) -> dict[str, Any]:
    found: dict[str, Any] = template.find_resources(kind)
    return found


def test_table_keys_index_and_ttl_come_from_the_model(synthesized: Synthesized) -> None:
    schema = LunasTable._get_schema()
    index = schema["global_secondary_indexes"][0]
    _template(synthesized.data).has_resource(
        "AWS::DynamoDB::Table",
        {
            "Properties": {
                "TableName": "lunas-dev",
                "KeySchema": schema["key_schema"],
                "AttributeDefinitions": Match.array_equals(schema["attribute_definitions"]),
                "GlobalSecondaryIndexes": [
                    {
                        "IndexName": index["index_name"],
                        "KeySchema": index["key_schema"],
                        "Projection": {"ProjectionType": "ALL"},
                    }
                ],
                "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": True},
                "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
                "SSESpecification": {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": Match.any_value()},
                "BillingMode": "PAY_PER_REQUEST",
            },
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
        },
    )


def test_key_rotates_and_has_the_alias_the_app_uses(synthesized: Synthesized) -> None:
    template = _template(synthesized.data)
    template.has_resource("AWS::KMS::Key", {"Properties": {"EnableKeyRotation": True}, "DeletionPolicy": "Retain"})
    template.has_resource_properties("AWS::KMS::Alias", {"AliasName": "alias/lunas-dev-tokens"})


def test_queues_have_dead_letter_queues_and_room_for_the_worker(synthesized: Synthesized) -> None:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    worker_timeout = config["lambda_functions"]["run_reminder_cycles"]["lambda_timeout"]
    template = _template(synthesized.data)
    for name in ("lunas-dev-reminders", "lunas-dev-webhooks"):
        template.has_resource_properties(
            "AWS::SQS::Queue",
            {
                "QueueName": name,
                "RedrivePolicy": {"deadLetterTargetArn": Match.any_value(), "maxReceiveCount": 3},
                "SqsManagedSseEnabled": True,
            },
        )
        template.has_resource_properties("AWS::SQS::Queue", {"QueueName": f"{name}-dlq"})
    queues = _resources(template, "AWS::SQS::Queue").values()
    reminders = next(q for q in queues if q["Properties"]["QueueName"] == "lunas-dev-reminders")
    assert reminders["Properties"]["VisibilityTimeout"] >= 6 * worker_timeout


def test_user_pool_and_web_client(synthesized: Synthesized) -> None:
    template = _template(synthesized.data)
    template.has_resource("AWS::Cognito::UserPool", {"DeletionPolicy": "Retain"})
    template.has_resource_properties(
        "AWS::Cognito::UserPoolClient",
        {"GenerateSecret": False, "ExplicitAuthFlows": Match.array_with(["ALLOW_USER_PASSWORD_AUTH"])},
    )


def test_one_secret_per_secret_setting(synthesized: Synthesized) -> None:
    template = _template(synthesized.data)
    for setting in SECRET_SETTINGS:
        template.has_resource(
            "AWS::SecretsManager::Secret",
            {"Properties": {"Name": f"lunas/dev/{setting.slug}"}, "DeletionPolicy": "Retain"},
        )


def _functions(synthesized: Synthesized) -> dict[str, Any]:
    return _resources(_template(synthesized.app), "AWS::Serverless::Function")


def test_functions_carry_names_not_secret_values(synthesized: Synthesized) -> None:
    functions = _functions(synthesized)
    assert {"APIHandler", "FanOutReminders", "RunReminderCycles"} <= set(functions)
    for function in functions.values():
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables["LUNAS_TABLE"] == "lunas-dev"
        assert variables["LUNAS_REMINDER_QUEUE"] == "lunas-dev-reminders"
        assert variables["LUNAS_WEBHOOK_QUEUE"] == "lunas-dev-webhooks"
        assert variables["LUNAS_KMS_KEY_ID"] == "alias/lunas-dev-tokens"
        for setting in SECRET_SETTINGS:
            assert variables[f"{setting.env}_SECRET_NAME"] == f"lunas/dev/{setting.slug}"
            assert setting.env not in variables
        assert function["Properties"]["Role"]["Fn::GetAtt"][0].startswith("FunctionRole")  # ours, not Chalice's


def test_memory_and_timeouts_follow_chalice_config(synthesized: Synthesized) -> None:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    functions = _functions(synthesized)
    # Lambda's maximum: 870 s of sending at Meta's pace per invocation (docs/whatsapp-sending.md, "Lambda timeout").
    assert functions["RunReminderCycles"]["Properties"]["Timeout"] == 900
    assert functions["APIHandler"]["Properties"]["Timeout"] <= 30  # API Gateway gives up after 29 s anyway
    for function in functions.values():
        assert function["Properties"]["MemorySize"] == config["lambda_memory_size"]


def test_sqs_event_source_reports_partial_batches_on_the_real_queue(synthesized: Synthesized) -> None:
    event = _functions(synthesized)["RunReminderCycles"]["Properties"]["Events"]["RunReminderCyclesSqsEventSource"]
    assert event["Type"] == "SQS"
    assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert "RemindersQueue" in json.dumps(event["Properties"]["Queue"])  # an import of the stack's queue ARN
    assert "Fn::Sub" not in event["Properties"]["Queue"]


def test_every_queue_consumer_is_wired(synthesized: Synthesized) -> None:
    """Functions added later (the webhook worker) get the same treatment, or the synth fails."""
    for name, function in _functions(synthesized).items():
        for event in function["Properties"].get("Events", {}).values():
            if event["Type"] == "SQS":
                assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"], name
                assert "Fn::ImportValue" in event["Properties"]["Queue"], name


def test_hourly_schedule(synthesized: Synthesized) -> None:
    events = _functions(synthesized)["FanOutReminders"]["Properties"]["Events"]
    assert [e["Properties"]["Schedule"] for e in events.values()] == ["rate(1 hour)"]


def _statements(synthesized: Synthesized) -> list[dict[str, Any]]:
    policies = _resources(_template(synthesized.app), "AWS::IAM::Policy")
    return [s for p in policies.values() for s in p["Properties"]["PolicyDocument"]["Statement"]]


def test_no_iam_statement_is_unscoped(synthesized: Synthesized) -> None:
    statements = _statements(synthesized)
    assert statements
    for statement in statements:
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        assert "*" not in resources, statement
        assert not any(action.endswith(":*") or action == "*" for action in _actions(statement)), statement


def _actions(statement: dict[str, Any]) -> list[str]:
    actions = statement["Action"]
    return actions if isinstance(actions, list) else [actions]


def test_grants_name_the_stateful_resources(synthesized: Synthesized) -> None:
    by_action: dict[str, list[str]] = {}
    for statement in _statements(synthesized):
        for action in _actions(statement):
            by_action.setdefault(action, []).append(json.dumps(statement["Resource"]))
    assert any("Table" in r for r in by_action["dynamodb:PutItem"])
    assert any("TokenKey" in r for r in by_action["kms:GenerateDataKey*"])
    assert any("RemindersQueue" in r for r in by_action["sqs:SendMessage"])
    assert any("WebhooksQueue" in r for r in by_action["sqs:SendMessage"])
    assert any("RemindersQueue" in r for r in by_action["sqs:DeleteMessage"])
    secret_reads = " ".join(by_action["secretsmanager:GetSecretValue"])
    assert all(f"Secret{s.slug.title().replace('-', '')}" in secret_reads for s in SECRET_SETTINGS)
    assert any("Users" in r for r in by_action["cognito-idp:AdminConfirmSignUp"])
    assert "dynamodb:DeleteTable" not in by_action


def test_alarms_on_dead_letters_and_function_errors(synthesized: Synthesized) -> None:
    template = _template(synthesized.app)
    alarms = _resources(template, "AWS::CloudWatch::Alarm").values()
    metrics = sorted((a["Properties"]["Namespace"], a["Properties"]["MetricName"]) for a in alarms)
    assert metrics.count(("AWS/SQS", "ApproximateNumberOfMessagesVisible")) == 2
    assert metrics.count(("AWS/Lambda", "Errors")) == len(_functions(synthesized))
    assert all(a["Properties"]["AlarmActions"] for a in alarms)


def test_every_function_logs_to_a_group_that_expires(synthesized: Synthesized) -> None:
    from chalicelib.domain.retention import LOG_RETENTION_DAYS

    template = _template(synthesized.app)
    groups = _resources(template, "AWS::Logs::LogGroup")
    assert {g["Properties"]["RetentionInDays"] for g in groups.values()} == {LOG_RETENTION_DAYS}
    for logical_id, function in _functions(synthesized).items():
        target = function["Properties"]["LoggingConfig"]["LogGroup"]
        assert target["Ref"] in groups, logical_id


def test_queued_webhook_bodies_are_kept_as_the_retention_rule_says(synthesized: Synthesized) -> None:
    from chalicelib.domain.retention import WEBHOOK_BODY, WEBHOOK_DEAD_LETTERS

    queues = _resources(_template(synthesized.data), "AWS::SQS::Queue").values()
    periods = {q["Properties"]["QueueName"]: q["Properties"]["MessageRetentionPeriod"] for q in queues}
    assert periods["lunas-dev-webhooks"] == WEBHOOK_BODY.keep_for.total_seconds()  # type: ignore[union-attr]
    assert periods["lunas-dev-webhooks-dlq"] == WEBHOOK_DEAD_LETTERS.total_seconds()


def test_cfn_lint_is_clean(synthesized: Synthesized) -> None:
    templates = [synthesized.template_file(s) for s in (synthesized.data, synthesized.app)]
    result = subprocess.run(
        [str(Path(sys.executable).parent / "cfn-lint"), *map(str, templates)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_package_holds_every_requirement(synthesized: Synthesized) -> None:
    """`chalice package` exits 0 even when a dependency failed to install: check the layer really has them."""
    assets = sorted(synthesized.outdir.glob("asset.*.zip"), key=lambda p: p.stat().st_size)
    layer, code = assets[-1], assets[0]
    with zipfile.ZipFile(layer) as z:
        tops = {Path(n).parts[4] for n in z.namelist() if len(Path(n).parts) > 4}
    for package in ("xero_python", "quickbooks", "intuitlib", "pywa", "pynamodb", "cryptography", "babel"):
        assert package in tops, f"{package} missing from the Lambda layer"
    with zipfile.ZipFile(code) as z:
        names = set(z.namelist())
    assert {"app.py", "chalice/app.py", "chalicelib/secrets.py"} <= names
    assert not any(n.startswith(("infra/", "tests/", "sandbox/")) for n in names)
