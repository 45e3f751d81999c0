"""The webhook queue's worker: one stored webhook body per SQS message, failures reported per message.

A body whose processing fails (DynamoDB or the accounting API unavailable) is reported as a batch item failure, so
SQS redelivers it and, after `maxReceiveCount` attempts, moves it to the dead-letter queue; the others of the batch
are settled. Processing is idempotent, so a redelivered body changes nothing it already changed. The processors'
dependencies come from the container (chalicelib/container.py), built once per warm Lambda.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib import bootstrap
from chalicelib.adapters.quickbooks_events import parse_quickbooks
from chalicelib.adapters.xero_events import parse_xero
from chalicelib.observability import logger
from chalicelib.webhooks.accounting import AccountingWebhookProcessor
from chalicelib.webhooks.whatsapp import WhatsAppWebhookProcessor


def process_webhook_batch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    processor = BatchProcessor(event_type=EventType.SQS)
    response = process_partial_response(
        event=event, record_handler=_handle_record, processor=processor, context=context
    )
    return dict(response)


def _handle_record(record: SQSRecord) -> str:
    try:
        envelope = json.loads(record.body)
        return handle_envelope(envelope)
    except Exception:
        logger.exception("webhook processing failed; SQS will redeliver", extra={"message_id": record.message_id})
        raise


def handle_envelope(envelope: dict[str, Any]) -> str:
    """Process one queued webhook body; returns a one-line summary."""
    provider = envelope["provider"]
    body = json.loads(envelope["body"])
    lunas = bootstrap.container()
    if provider == "whatsapp":
        return str(WhatsAppWebhookProcessor(lunas.whatsapp_webhooks).process(body))
    if provider == "xero":
        return str(AccountingWebhookProcessor(lunas.accounting_webhooks).process(parse_xero(body)))
    if provider == "quickbooks":
        return str(AccountingWebhookProcessor(lunas.accounting_webhooks).process(parse_quickbooks(body)))
    raise ValueError(f"unknown webhook provider {provider!r}")
