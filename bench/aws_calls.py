"""AWS calls and clients: DynamoDB calls per webhook status, clients a cold worker builds, its first cycle's cost.

Everything runs on the embedded sandbox (local AWS, fake Xero and Meta) in fresh processes, so nothing here depends
on what the calling process imported or built before:

- a *host* process starts the sandbox, seeds the demo organisation, and measures the webhook path: Meta status
  bodies are POSTed, signed, to the app's real route and processed by `app.process_webhooks` from the queue, while
  every DynamoDB and SQS call is counted through botocore's event system (`before-call.<service>`), on every client
  alive in the process;
- a *cold worker* process (a fresh interpreter, like a new Lambda container) imports `app` and hands
  `app.run_reminder_cycles` one SQS message for the demo connection: its CPU time (interpreter start included),
  its peak RSS, and the botocore sessions and clients alive afterwards are its rows.

`rows()` returns (measure, value, target) rows for `make bench`; `python -m bench.aws_calls` prints them.
tests/test_aws_reuse.py asserts the counts (not the timings) with the same helpers.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import gc
import hashlib
import hmac
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET_CALLS_PER_STATUS = 3.0
TARGET_FIRST_CYCLE_CPU_S = 1.0

# -- counting AWS clients and calls ----------------------------------------------------------------------------


def live_clients(service: str) -> list[Any]:
    """Every botocore client of `service` alive in this process (whichever session built it)."""
    from botocore.client import BaseClient

    gc.collect()
    return [o for o in gc.get_objects() if isinstance(o, BaseClient) and o.meta.service_model.service_name == service]


def live_sessions() -> int:
    """botocore sessions alive in this process (boto3's default session and pynamodb's included)."""
    from botocore.session import Session

    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, Session))


@contextmanager
def counting(service: str) -> Iterator[collections.Counter[str]]:
    """Count the API calls of `service`, by operation, made inside the block by any client alive when it starts."""
    calls: collections.Counter[str] = collections.Counter()

    def count(model: Any, **_: Any) -> None:
        calls[model.name] += 1

    clients = live_clients(service)
    event = f"before-call.{service}"
    for client in clients:
        client.meta.events.register(event, count)
    try:
        yield calls
    finally:
        for client in clients:
            client.meta.events.unregister(event, count)


# -- a realistic Meta status body ------------------------------------------------------------------------------


def sent_messages(org_id: str, count: int, *, at: dt.datetime, tag: str) -> list[tuple[str, str, str]]:
    """`count` messages claimed and recorded as sent in the organisation's ledger: (wamid, message key, phone)."""
    from chalicelib import bootstrap
    from chalicelib.domain.models import DueReminder, Invoice, InvoiceStatus, Money, OutgoingMessage, Stage, TemplateRef

    ledger = bootstrap.container().stores.ledger
    out = []
    for i in range(count):
        phone = f"+6281{int(hashlib.sha256(f'{tag}.{i}'.encode()).hexdigest(), 16) % 10**8:08d}"
        invoice = Invoice(
            source="xero",
            connection_id="xero:bench",
            invoice_id=f"{tag}-{i}",
            number=f"INV-{tag}-{i}",
            customer_id=f"c-{tag}-{i}",
            customer_name=f"Pelanggan {i}",
            due_date=at.date(),
            amount_due=Money(Decimal("1250000"), "IDR"),
            status=InvoiceStatus.OPEN,
        )
        message = OutgoingMessage(
            phone=phone,
            customer_name=f"Pelanggan {i}",
            reminders=(DueReminder(invoice=invoice, stage=Stage(0)),),
            template=TemplateRef("lunas_invoice_due_today", "id"),
            send_date=at.date(),
        )
        msg_key = ledger.claim(org_id, message, at.date(), at)
        assert msg_key is not None, "a fresh message is always claimable"
        wamid = f"wamid.bench.{tag}.{i}.{org_id}"
        ledger.record_sent(org_id, msg_key, wamid, at)
        out.append((wamid, msg_key, phone))
    return out


def status_body(
    org_id: str,
    phone_number_id: str,
    waba_id: str,
    messages: Sequence[tuple[str, str, str]],
    *,
    statuses: Sequence[str] = ("delivered", "read"),
    untracked_every: int = 10,
    at: dt.datetime,
    seed: int = 7,
) -> dict[str, Any]:
    """Meta's batched POST: one entry per status (as Meta batches them), shuffled (Meta does not keep order), each
    with its contact; every `untracked_every`-th message without our tracker (matched by its wamid)."""
    from chalicelib.domain.tracking import tracker_for

    metadata = {"display_phone_number": "622150987654", "phone_number_id": phone_number_id}
    entries = []
    for i, (wamid, msg_key, phone) in enumerate(messages):
        wa_id = phone.removeprefix("+")
        for status in statuses:
            item: dict[str, Any] = {
                "id": wamid,
                "status": status,
                "timestamp": str(int(at.timestamp())),
                "recipient_id": wa_id,
                "recipient_user_id": f"ID.{wa_id[-8:]}",
            }
            if untracked_every <= 0 or i % untracked_every:
                item["biz_opaque_callback_data"] = tracker_for(org_id, msg_key)
            if status in ("sent", "delivered"):
                item["pricing"] = {"billable": True, "pricing_model": "PMP", "type": "regular", "category": "utility"}
            value = {
                "messaging_product": "whatsapp",
                "metadata": metadata,
                "contacts": [{"wa_id": wa_id, "user_id": f"ID.{wa_id[-8:]}"}],
                "statuses": [item],
            }
            entries.append({"id": waba_id, "changes": [{"field": "messages", "value": value}]})
    random.Random(seed).shuffle(entries)
    return {"object": "whatsapp_business_account", "entry": entries}


def post_signed(app_url: str, payload: dict[str, Any], secret: str) -> int:
    import httpx

    body = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature}
    return httpx.post(f"{app_url}/webhooks/whatsapp", content=body, headers=headers, timeout=120).status_code


def webhook_calls(sandbox: Any, org_id: str, phone_number_id: str, waba_id: str, messages: int) -> dict[str, Any]:
    """DynamoDB calls to process one realistic status body (2 statuses per message) through the route and the
    queue worker, after a warm-up body of the same shape (so every client the path uses exists and is counted)."""
    from sandbox.run import META_APP_SECRET

    at = sandbox.clock.now().replace(microsecond=0)
    warm = sent_messages(org_id, max(2, messages // 10), at=at, tag=f"warm{messages}")
    measured = sent_messages(org_id, messages, at=at, tag=f"bench{messages}")
    sandbox.drain_webhooks()
    post_signed(sandbox.app_url, status_body(org_id, phone_number_id, waba_id, warm, at=at), META_APP_SECRET)
    sandbox.drain_webhooks()
    body = status_body(org_id, phone_number_id, waba_id, measured, at=at)
    statuses = sum(len(c["value"]["statuses"]) for e in body["entry"] for c in e["changes"])
    with counting("dynamodb") as calls, counting("sqs") as sqs_calls:  # the route makes no DynamoDB call
        status = post_signed(sandbox.app_url, body, META_APP_SECRET)
        assert status == 200, status
        sandbox.drain_webhooks()  # what the background poller has not processed yet
    return {
        "statuses": statuses,
        "messages": messages,
        "bytes": len(json.dumps(body)),
        "dynamodb_calls": sum(calls.values()),
        "dynamodb_by_operation": dict(calls),
        "sqs_calls": {k: v for k, v in sqs_calls.items() if k in ("SendMessage", "SendMessageBatch", "GetQueueUrl")},
    }


# -- the cold worker (a fresh interpreter, like a new Lambda container) ----------------------------------------

_COLD_WORKER = """
import json, os, resource, sys, time
sys.path.insert(0, os.getcwd())
import app
imported = time.process_time()
from bench.aws_calls import OffsetClock, live_clients, live_sessions, sqs_event
from chalicelib import bootstrap
from chalicelib.config import settings_from_environment
from sandbox.lambda_runtime import LambdaContext

bootstrap.install(bootstrap.build_container(settings_from_environment(), clock=OffsetClock(float(sys.argv[2]))))
answer = app.run_reminder_cycles(sqs_event(json.loads(sys.argv[1])), LambdaContext("run_reminder_cycles"))
cpu = time.process_time()
report = {
    "answer": answer,
    "cpu_s": cpu,
    "import_cpu_s": imported,
    "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "dynamodb_clients": len(live_clients("dynamodb")),
    "clients": {s: len(live_clients(s)) for s in ("dynamodb", "sqs", "kms")},
    "botocore_sessions": live_sessions(),
}
print("BENCH-REPORT " + json.dumps(report))
"""


def clock_offset(clock: Any) -> float:
    """The sandbox clock's instant (unix seconds): where the other process's `OffsetClock` starts. An instant, not
    an offset from this process's `time.time()`, which a test may have moved (LUNAS_TEST_WALL_CLOCK)."""
    return float(clock.timestamp())


class OffsetClock:
    """The sandbox's clock in another process, without I/O: it starts at the instant it is given and runs on with
    this process's elapsed time."""

    def __init__(self, start_timestamp: float) -> None:
        self._start = start_timestamp
        self._started = time.monotonic()

    def now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self._start + time.monotonic() - self._started, dt.UTC)


def sqs_event(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": "bench-1",
                "receiptHandle": "rh-bench-1",
                "body": json.dumps(body),
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:ap-southeast-3:123456789012:lunas-reminders",
                "awsRegion": "ap-southeast-3",
            }
        ]
    }


def cold_worker(org_id: str, connection_id: str, sandbox_instant: float, env: dict[str, str] | None = None) -> Any:
    """Run one reminder cycle in a fresh interpreter against the running sandbox (its settings come from `env`,
    this process's environment by default); returns the cold worker's report."""
    body = {"org_id": org_id, "connection_id": connection_id, "scheduled_at": dt.datetime.now(dt.UTC).isoformat()}
    result = subprocess.run(
        [sys.executable, "-c", _COLD_WORKER, json.dumps(body), repr(sandbox_instant)],
        cwd=ROOT,
        env={"POWERTOOLS_METRICS_NAMESPACE": "LunasBench", **(env or dict(os.environ))},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("BENCH-REPORT ")]
    if result.returncode != 0 or not lines:
        raise RuntimeError(f"cold worker failed ({result.returncode}):\n{result.stderr[-4000:]}")
    return json.loads(lines[-1].removeprefix("BENCH-REPORT "))


# -- the host: the sandbox, the demo organisation, the measurements --------------------------------------------


def _host() -> dict[str, Any]:
    from zoneinfo import ZoneInfo

    from chalicelib import bootstrap
    from chalicelib.observability import logger
    from sandbox import demo_data
    from sandbox.demo import demo_now
    from sandbox.run import start_sandbox

    logger.setLevel("WARNING")
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
    with tempfile.TemporaryDirectory(prefix="lunas-bench-") as tmp:
        sandbox = start_sandbox(Path(tmp) / "urls.json")
        try:
            now = demo_now(sandbox.clock.now())
            sandbox.clock.pin(now)
            connection = demo_data.seed_demo(sandbox, now.astimezone(ZoneInfo("Asia/Jakarta")).date())
            worker = cold_worker(
                connection.org_id,
                connection.connection_id,
                clock_offset(sandbox.clock),
                env={**os.environ, "POWERTOOLS_METRICS_DISABLED": "false"},
            )
            sandbox.drain_webhooks(flush_fakes=True)
            bootstrap.container().stores.routes.claim_phone_number("pn-bench", "org-bench", now)
            small = webhook_calls(sandbox, "org-bench", "pn-bench", "waba-bench", 50)
            large = webhook_calls(sandbox, "org-bench", "pn-bench", "waba-bench", 500)
        finally:
            sandbox.stop()
    return {"worker": worker, "webhook": small, "webhook_large": large}


def measure() -> dict[str, Any]:
    """The host's report, from a fresh process (the sandbox and its environment never touch the caller)."""
    result = subprocess.run(
        [sys.executable, "-m", "bench.aws_calls", "--host"],
        cwd=ROOT,
        env={"POWERTOOLS_METRICS_NAMESPACE": "LunasBench", **os.environ},
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("BENCH-REPORT ")]
    if result.returncode != 0 or not lines:
        raise RuntimeError(f"bench host failed ({result.returncode}):\n{result.stderr[-4000:]}")
    report: dict[str, Any] = json.loads(lines[-1].removeprefix("BENCH-REPORT "))
    return report


def rows() -> list[tuple[str, str, str]]:
    report = measure()
    worker, small, large = report["worker"], report["webhook"], report["webhook_large"]

    def per_status(w: dict[str, Any]) -> str:
        return (
            f"{w['dynamodb_calls'] / w['statuses']:.2f} ({w['dynamodb_calls']} calls, {w['statuses']} statuses "
            f"of {w['messages']} messages, {w['bytes'] // 1000} KB)"
        )

    def sqs(w: dict[str, Any]) -> str:
        calls = w["sqs_calls"]
        return ", ".join(f"{v} {k}" for k, v in sorted(calls.items())) or "0"

    target = f"≤ {TARGET_CALLS_PER_STATUS:g}"
    return [
        ("DynamoDB calls per webhook status", per_status(small), target),
        ("DynamoDB calls per webhook status, large body", per_status(large), target),
        ("SQS calls to queue a webhook body (warm)", f"{sqs(small)}; large body: {sqs(large)}", "no GetQueueUrl"),
        ("DynamoDB clients built by a cold worker", str(worker["clients"]["dynamodb"]), "1"),
        ("botocore sessions built by a cold worker", str(worker["botocore_sessions"]), "1"),
        (
            "worker's first cycle CPU (fresh process: start, import app, first SQS message)",
            f"{worker['cpu_s']:.2f} s (import app {worker['import_cpu_s']:.2f} s)",
            f"≤ {TARGET_FIRST_CYCLE_CPU_S:g} s",
        ),
        ("worker's first cycle peak RSS", f"{worker['peak_rss_mib']:.0f} MiB", "-"),
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", action="store_true", help="(internal) run the sandbox side and print its report")
    args = parser.parse_args(argv)
    if args.host:
        print("BENCH-REPORT " + json.dumps(_host()), flush=True)
        return
    table = rows()
    width = max(len(m) for m, _, _ in table)
    for measure_, value, target in table:
        print(f"{measure_:<{width}}  {value}  (target {target})")


if __name__ == "__main__":
    main()
