"""The SQS worker: runs one connection's reminder cycle per message, reporting failures per message.

A message whose cycle fails for a reason that may pass (the accounting API is down) is reported as a batch item
failure: SQS redelivers it, and after `maxReceiveCount` attempts moves it to the dead-letter queue. Failures that a
retry cannot fix (the owner must reconnect; the daily API budget is spent) are recorded on the connection instead.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib import bootstrap
from chalicelib.clock import monotonic
from chalicelib.container import WhatsAppNotConfigured
from chalicelib.domain import notes
from chalicelib.domain.audit import REMINDERS, SCHEDULER
from chalicelib.domain.errors import AccountingRateLimited, ReconnectNeeded
from chalicelib.domain.models import ConnectionStatus, Reason
from chalicelib.domain.notes import Note
from chalicelib.observability import bind_org, logger
from chalicelib.services.audit import cycle_line, cycle_words, note
from chalicelib.services.reminders import CycleResult, run_cycle
from chalicelib.storage.organisations import NotFound

# Sending stops this long before Lambda would end the invocation: the last batch's sends and the decisions' writes
# must finish, or the claims of a killed invocation stay unconfirmed (chalicelib/services/reminders.py `deadline`).
STOP_SENDING_BEFORE_TIMEOUT_S = 30.0
# What the owner reads on the connection when the organisation has no WhatsApp number (removed in Settings).
NO_WHATSAPP_NUMBER = "no WhatsApp number connected: add one in Settings and reminders start again"


def process_batch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    processor = BatchProcessor(event_type=EventType.SQS)
    deadline = _deadline(context)
    response = process_partial_response(
        event=event,
        record_handler=lambda record: _handle_record(record, deadline),
        processor=processor,
        context=context,
    )
    return dict(response)


def _deadline(context: Any) -> float | None:
    """The elapsed-time reading (chalicelib.clock.monotonic) after which no more messages go out in this invocation."""
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    if remaining is None:
        return None
    return monotonic() + float(remaining()) / 1000 - STOP_SENDING_BEFORE_TIMEOUT_S


def _handle_record(record: SQSRecord, deadline: float | None = None) -> str:
    body = json.loads(record.body)
    try:
        return run_connection_cycle(body["org_id"], body["connection_id"], deadline=deadline)
    except Exception:
        logger.exception("cycle failed; SQS will redeliver the message", extra={"message_id": record.message_id})
        raise


def run_connection_cycle(org_id: str, connection_id: str, *, deadline: float | None = None) -> str:
    """Run one cycle and return its one-line summary (also stored on the connection for the owner).

    `deadline`: an elapsed-time reading after which no more messages are sent (the rest wait for the next cycle).
    """
    bind_org(org_id, connection_id)
    lunas = bootstrap.container()
    try:
        connection = lunas.stores.connections.get(org_id, connection_id)
    except NotFound:  # deleted (with its organisation) after this cycle was queued: nothing to do, nothing to retry
        logger.info("connection no longer exists; message dropped")
        return "skipped: connection no longer exists"
    now = lunas.clock.now()
    if connection.status is not ConnectionStatus.ACTIVE:
        logger.info("connection not active; skipped", extra={"status": connection.status.value})
        return f"skipped: {connection.status.value}"
    name = connection.tenant_name or connection.provider
    audit_line, audit_words = "", None
    try:
        deps = lunas.cycle_dependencies(connection)
        result: CycleResult = run_cycle(connection, dataclasses.replace(deps, deadline=deadline))
        lunas.check_own_reminders(connection)  # duplicate chasing, at most daily (services/own_reminders.py)
        summary = result.summary()
        audit_line, audit_words = _audit_line(name, result)
    except WhatsAppNotConfigured:  # the number was removed (or never added): nothing to send from, nothing to retry
        summary = NO_WHATSAPP_NUMBER
        logger.info(summary)
    except ReconnectNeeded:
        summary = "reconnect needed: the accounting system refused our access; reminders are paused"
        logger.warning(summary)
    except AccountingRateLimited as exc:
        summary = f"accounting API limit reached ({exc.problem}); retrying after {int(exc.retry_after_seconds)} s"
        logger.warning(summary)
    lunas.stores.connections.record_cycle(org_id, connection_id, now, summary)
    if not audit_line:
        audit_line = f"Reminders for {name}: {summary}"
        audit_words = notes.note("audit_cycle_problem", name=name[:100], summary=summary)
    note(lunas.audit, org_id, REMINDERS, SCHEDULER, audit_line, at=now, words=audit_words)
    return summary


def _audit_line(name: str, result: CycleResult) -> tuple[str, Note]:
    """One audit entry per cycle: how many were sent, and how many were not, by reason (never which invoices)."""
    counts: dict[str, int] = {}
    for decision in result.decisions:
        counts[decision.reason.value] = counts.get(decision.reason.value, 0) + 1
    sent = counts.pop(Reason.SENT.value, 0)
    return cycle_line(name, sent, counts), cycle_words(name, sent, counts)
