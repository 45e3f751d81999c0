"""End to end: app.py's handlers, real xero-python and pywa against the fakes, DynamoDB/SQS/KMS on the moto server."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sandbox.lambda_runtime import SqsEventSource, invoke_schedule
from sandbox.run import Sandbox
from tests.world import TUESDAY_10_JAKARTA, World

BUDI = "+6281234567001"
SARI = "+6281234567002"
WARUNG = "+6281234567003"


def test_scheduled_cycle_sends_due_reminders_through_schedule_sqs_and_worker(world: World, sandbox: Sandbox) -> None:
    import app

    world.customer("Budi Santoso", BUDI)
    world.customer("PT Sinar Abadi", SARI)
    world.customer("Warung Bu Sri", WARUNG)
    world.invoice("INV-001", "Budi Santoso", due_in_days=-4)
    for n, days in (("INV-010", -8), ("INV-011", -15), ("INV-012", -31)):
        world.invoice(n, "PT Sinar Abadi", due_in_days=days, amount="500000")
    world.invoice("INV-020", "Warung Bu Sri", due_in_days=-4)
    world.invoice("INV-030", "Budi Santoso", due_in_days=10)
    world.create()
    world.consent(BUDI)
    world.consent(SARI)

    result = invoke_schedule(app.fan_out_reminders, TUESDAY_10_JAKARTA)
    assert result["enqueued"] >= 1
    source = SqsEventSource(
        queue_url=sandbox.aws.queue_url, handler=app.run_reminder_cycles, function_name="run_reminder_cycles"
    )
    outcomes = source.drain()
    assert sum(o.failed for o in outcomes) == 0

    reasons = world.reasons()
    assert reasons == {
        "INV-001": "sent",
        "INV-010": "sent",
        "INV-011": "sent",
        "INV-012": "sent",
        "INV-020": "no_consent",
        "INV-030": "not_due",
    }
    sent = {m["to"]: m for m in world.messages()}
    assert set(sent) == {BUDI, SARI}
    assert sent[SARI]["template"] == "lunas_invoice_statement"
    assert sent[SARI]["params"]["invoice_count"] == "3"
    assert "Rp 1.500.000" in sent[SARI]["rendered_text"]
    assert sent[BUDI]["template"] == "lunas_invoice_overdue"
    assert "Rp 1.250.000" in sent[BUDI]["rendered_text"]


def _one_overdue_customer(world: World, phone: str = BUDI, *, consent: bool = True) -> World:
    world.customer("Budi Santoso", phone)
    world.invoice("INV-001", "Budi Santoso", due_in_days=-4)
    world.create()
    if consent:
        world.consent(phone)
    return world


def test_running_the_same_cycle_twice_sends_once(world: World) -> None:
    _one_overdue_customer(world)
    world.run_cycle()
    world.run_cycle()
    assert len(world.messages()) == 1
    assert world.reasons() == {"INV-001": "already_sent"}


def test_two_workers_on_the_same_connection_at_once_send_once(world: World) -> None:
    import threading

    world.customer("Budi Santoso", BUDI)
    world.customer("PT Sinar Abadi", SARI)
    world.invoice("INV-001", "Budi Santoso", due_in_days=-4)
    world.invoice("INV-002", "PT Sinar Abadi", due_in_days=0)
    world.create()
    world.consent(BUDI)
    world.consent(SARI)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        barrier.wait()
        try:
            world.run_cycle()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert sorted(m["to"] for m in world.messages()) == [BUDI, SARI]


def test_sqs_redelivery_of_the_same_message_sends_once(world: World) -> None:
    import app
    from sandbox.lambda_runtime import LambdaContext

    _one_overdue_customer(world)
    for attempt in range(2):
        response = app.run_reminder_cycles(world.sqs_event(f"m-{attempt}"), LambdaContext("run_reminder_cycles"))
        assert response == {"batchItemFailures": []}
    assert len(world.messages()) == 1


def test_crash_between_send_and_record_never_sends_twice_and_the_status_webhook_completes_it(
    world: World, sandbox: Sandbox
) -> None:
    """Meta accepts the message but the answer never reaches the worker (as if it died right after sending)."""
    from chalicelib import bootstrap

    _one_overdue_customer(world)
    sandbox.meta.configure(auto_deliver=False)
    try:
        sandbox.meta.add_fault(_drop_messages_response(world.phone_number_id))
        world.run_cycle()
        assert world.reasons() == {"INV-001": "send_unconfirmed"}
        world.run_cycle()  # the next cycle must not try again: the outcome is unknown, not failed
        assert world.reasons() == {"INV-001": "send_unconfirmed"}
        assert len(world.messages()) == 1
        sandbox.meta.flush()  # Meta's "sent"/"delivered"/"read" webhooks carry our tracker back
        sandbox.drain_webhooks()  # the route queues them; the webhook worker applies them
    finally:
        sandbox.meta.configure(auto_deliver=True)
    world.run_cycle()
    assert world.reasons() == {"INV-001": "already_sent"}
    [message] = bootstrap.container().stores.ledger.messages(world.org_id)
    assert message.state == "sent"
    assert message.wamid == world.messages()[0]["wamid"]
    assert message.delivery == "read"


def _drop_messages_response(phone_number_id: str) -> object:
    import re

    from sandbox.fakehttp import Fault

    return Fault(method="POST", path=re.compile(rf"/{phone_number_id}/messages$"), drop_response=True)


def test_an_invoice_paid_just_before_the_send_is_not_reminded(world: World, sandbox: Sandbox) -> None:
    from chalicelib import bootstrap

    _one_overdue_customer(world)
    sandbox.xero.add_trigger(
        after_path="^/api.xro/2.0/Invoices$", after_count=1, action="pay", invoice_id=world.invoice_ids["INV-001"]
    )
    as_if_planning_took_a_while = bootstrap.container().with_settings(recheck_after_seconds=0.0)
    with bootstrap.installed(as_if_planning_took_a_while):
        world.run_cycle()
    assert world.reasons() == {"INV-001": "paid"}
    assert world.messages() == []
    rereads = [
        r
        for r in sandbox.xero.recorded("/api.xro/2.0/Invoices$")
        if "IDs" in r["query"] and r["headers"].get("xero-tenant-id") == world.tenant_id  # this test's tenant only
    ]
    assert len(rereads) == 1  # one batched re-read, not one call per invoice


def test_xero_failing_on_the_online_invoice_never_stops_a_reminder_and_the_pay_page_tries_again(
    world: World, sandbox: Sandbox
) -> None:
    """The online invoice is looked up when the customer opens the pay link, not while sending: Xero failing on it
    sends the reminder anyway; the page lists the invoice without its link and the next visit asks again."""
    import re

    import httpx

    from sandbox.fakehttp import Fault

    _one_overdue_customer(world)
    online_invoice = re.compile(r"/OnlineInvoice$")
    sandbox.xero.add_fault(Fault(method="GET", path=online_invoice, status=503, body="Service Unavailable", times=-1))
    try:
        world.run_cycle()
        assert world.reasons() == {"INV-001": "sent"}
        [sent] = world.messages()
        page = httpx.get(f"{sandbox.app_url}/pay/{sent['button_url_suffix']}", follow_redirects=False)
        assert page.status_code == 200 and "INV-001" in page.text  # listed, without a link Xero would not give
    finally:
        sandbox.xero.clear_faults()
    again = httpx.get(f"{sandbox.app_url}/pay/{sent['button_url_suffix']}", follow_redirects=False)
    assert again.status_code == 302 and again.headers["location"].startswith("https://in.xero.com/")


def test_a_xero_minute_limit_429_is_waited_out_and_the_cycle_completes(world: World, sandbox: Sandbox) -> None:
    import re

    from sandbox.fakehttp import Fault

    _one_overdue_customer(world)
    sandbox.xero.add_fault(
        Fault(
            method="GET",
            path=re.compile("^/api.xro/2.0/Invoices$"),
            status=429,
            headers={"Retry-After": "1", "X-Rate-Limit-Problem": "minute"},
            body={"Title": "Rate limit exceeded"},
        )
    )
    assert world.run_cycle() == "sent=1"


def test_a_xero_daily_limit_pauses_the_connection_until_tomorrow_without_failing_the_message(
    world: World, sandbox: Sandbox
) -> None:
    import re

    import app
    from chalicelib import bootstrap
    from sandbox.fakehttp import Fault
    from sandbox.lambda_runtime import LambdaContext

    _one_overdue_customer(world)
    sandbox.xero.add_fault(
        Fault(
            method="GET",
            path=re.compile("^/api.xro/2.0/Invoices$"),
            status=429,
            headers={"Retry-After": "40000", "X-Rate-Limit-Problem": "day"},
            body={"Title": "Rate limit exceeded"},
        )
    )
    response = app.run_reminder_cycles(world.sqs_event(), LambdaContext("run_reminder_cycles"))
    assert response == {"batchItemFailures": []}  # retrying now cannot help; the owner sees why instead
    connection = bootstrap.container().stores.connections._record(world.org_id, world.connection_id)
    assert "limit reached (day)" in (connection.last_cycle_summary or "")
    assert world.messages() == []


def test_a_worker_near_its_time_limit_sends_nothing_more_and_says_why(world: World) -> None:
    """Lambda ends an invocation at its timeout: a cycle stops sending 30 s before it, and what waits says so."""
    import app
    from chalicelib.clock import monotonic
    from sandbox.lambda_runtime import LambdaContext

    _one_overdue_customer(world)
    almost_out = LambdaContext("run_reminder_cycles", deadline_ms=monotonic() * 1000 + 20_000)  # 20 s left
    assert app.run_reminder_cycles(world.sqs_event(), almost_out) == {"batchItemFailures": []}
    reason, detail = world.decisions()["INV-001"]
    assert reason == "deferred" and "ran out of time" in detail and "next cycle" in detail
    assert world.messages() == []
    world.run_cycle()  # the next hour's cycle, with time to spare
    assert world.reasons() == {"INV-001": "sent"}


def test_a_meta_error_is_recorded_with_its_code_and_retryable_errors_are_retried_next_cycle(
    world: World, sandbox: Sandbox
) -> None:
    import re

    from sandbox.fakehttp import Fault

    _one_overdue_customer(world)
    sandbox.meta.add_fault(
        Fault(
            method="POST",
            path=re.compile(rf"/{world.phone_number_id}/messages$"),
            status=400,
            body={
                "error": {
                    "message": "(#130429) Rate limit hit",
                    "type": "OAuthException",
                    "code": 130429,
                    "error_data": {"messaging_product": "whatsapp", "details": "Cloud API throughput reached"},
                    "fbtrace_id": "Atest",
                }
            },
            times=3,  # every try of this cycle (RetryPolicy.attempts): the in-cycle retries end, the next cycle's go
        )
    )
    world.run_cycle()
    reason, detail = world.decisions()["INV-001"]
    assert reason == "send_failed"
    assert "#130429" in detail and "retry" in detail
    world.run_cycle()
    assert world.reasons() == {"INV-001": "sent"}
    assert len(world.messages()) == 1


def test_a_paused_template_is_reported_as_not_approved_with_metas_code(world: World, sandbox: Sandbox) -> None:
    _one_overdue_customer(world)
    world.run_cycle()  # warms the template catalogue cache while everything is approved
    world.invoice  # noqa: B018 - nothing else to seed
    sandbox.meta.set_template_status("lunas_invoice_due_today", status="PAUSED")
    try:
        # Due on the new day, so that day's message is the (paused) due-today one.
        wednesday = world.today + dt.timedelta(days=1)
        sandbox.xero.patch_invoice(world.invoice_ids["INV-001"], {"dueDate": wednesday.isoformat()})
        from tests.world import set_clock

        set_clock(TUESDAY_10_JAKARTA.replace(day=25))  # a new day: the phone may get a message again
        world.run_cycle()
    finally:
        sandbox.meta.set_template_status("lunas_invoice_due_today", status="APPROVED")
        set_clock(TUESDAY_10_JAKARTA)
    reason, detail = world.decisions()["INV-001"]
    assert reason == "template_not_approved"
    assert "#132015" in detail


def test_a_number_not_on_whatsapp_is_learned_from_the_failed_status_and_not_tried_again(
    world: World, sandbox: Sandbox
) -> None:
    from chalicelib import bootstrap

    _one_overdue_customer(world, WARUNG)
    sandbox.meta.set_not_on_whatsapp(WARUNG)
    world.run_cycle()
    sandbox.meta.flush()
    sandbox.drain_webhooks()
    assert bootstrap.container().stores.phone_flags.unreachable(world.org_id, [WARUNG]) == frozenset({WARUNG})
    [message] = bootstrap.container().stores.ledger.messages(world.org_id)
    assert (message.delivery, message.error_code) == ("failed", 131026)
    world.invoice  # noqa: B018
    sandbox.xero.patch_invoice(world.invoice_ids["INV-001"], {"dueDate": (world.today.replace(day=14)).isoformat()})
    world.run_cycle()
    assert world.reasons() == {"INV-001": "not_on_whatsapp"}


def test_a_message_that_keeps_failing_ends_in_the_dead_letter_queue(world: World, sandbox: Sandbox) -> None:
    import json
    import re

    import boto3

    import app
    from sandbox.fakehttp import Fault

    _one_overdue_customer(world)
    sandbox.xero.add_fault(
        Fault(method="GET", path=re.compile("^/api.xro/2.0/Invoices$"), status=503, body="down", times=-1)
    )
    sqs = boto3.client("sqs")
    try:
        sqs.send_message(
            QueueUrl=sandbox.aws.queue_url,
            MessageBody=json.dumps({"org_id": world.org_id, "connection_id": world.connection_id}),
        )
        source = SqsEventSource(
            queue_url=sandbox.aws.queue_url, handler=app.run_reminder_cycles, function_name="run_reminder_cycles"
        )
        outcomes = source.drain(max_batches=6)
    finally:
        sandbox.xero._clear_faults(None)  # type: ignore[arg-type]
    assert [o.failed for o in outcomes] == [1, 1, 1]
    dead = sqs.receive_message(QueueUrl=sandbox.aws.dead_letter_queue_url, WaitTimeSeconds=0).get("Messages", [])
    assert [json.loads(m["Body"])["org_id"] for m in dead] == [world.org_id]
    assert world.messages() == []


def test_a_cycle_queued_for_a_connection_that_is_gone_is_dropped_not_retried(world: World) -> None:
    """An organisation deleted (or a connection removed) after the hourly fan-out queued its cycle: the message is
    done, not redelivered into the dead-letter queue with the deleted organisation's id in it."""
    import app
    from sandbox.lambda_runtime import LambdaContext

    gone = dataclasses.replace(world, tenant_id="deleted-after-fan-out")  # a connection id nothing stores
    assert app.run_reminder_cycles(gone.sqs_event(), LambdaContext("run_reminder_cycles")) == {"batchItemFailures": []}
    assert world.messages() == []
