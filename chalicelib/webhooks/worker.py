"""The webhook queue's worker: one stored webhook body per SQS message, failures reported per message.

A body whose processing fails (DynamoDB or the accounting API unavailable) is reported as a batch item failure, so
SQS redelivers it and, after `maxReceiveCount` attempts, moves it to the dead-letter queue; the others of the batch
are settled. Processing is idempotent, so a redelivered body changes nothing it already changed. The processors are
built once per invocation (not per record), from the container's dependencies (chalicelib/container.py), built once
per warm Lambda.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib import bootstrap
from chalicelib.adapters.quickbooks_events import parse_quickbooks
from chalicelib.adapters.xero_events import parse_xero
from chalicelib.observability import logger
from chalicelib.webhooks.accounting import AccountingWebhookProcessor
from chalicelib.webhooks.whatsapp import WhatsAppWebhookProcessor

if TYPE_CHECKING:
    from chalicelib.container import Container


def process_webhook_batch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """One Lambda invocation: up to 10 queued bodies, processed by one set of processors (built here, once)."""
    bodies = WebhookBodies(bootstrap.container())
    processor = BatchProcessor(event_type=EventType.SQS)
    response = process_partial_response(
        event=event, record_handler=bodies.handle_record, processor=processor, context=context
    )
    return dict(response)


class WebhookBodies:
    """The processors of one invocation: built on first need and kept for every record of it (the WhatsApp one
    remembers which organisation each phone number routes to)."""

    def __init__(self, lunas: Container) -> None:
        self._lunas = lunas
        self._whatsapp: WhatsAppWebhookProcessor | None = None
        self._accounting: AccountingWebhookProcessor | None = None

    def handle_record(self, record: SQSRecord) -> str:
        try:
            return self.handle_envelope(json.loads(record.body))
        except Exception:
            logger.exception("webhook processing failed; SQS will redeliver", extra={"message_id": record.message_id})
            raise

    def handle_envelope(self, envelope: dict[str, Any]) -> str:
        """Process one queued webhook body; returns a one-line summary."""
        provider = envelope["provider"]
        body = json.loads(envelope["body"])
        if provider == "whatsapp":
            return str(self.whatsapp.process(body))
        if provider == "xero":
            return str(self.accounting.process(parse_xero(body)))
        if provider == "quickbooks":
            return str(self.accounting.process(parse_quickbooks(body)))
        raise ValueError(f"unknown webhook provider {provider!r}")

    @property
    def whatsapp(self) -> WhatsAppWebhookProcessor:
        if self._whatsapp is None:
            self._whatsapp = WhatsAppWebhookProcessor(self._lunas.whatsapp_webhooks)
        return self._whatsapp

    @property
    def accounting(self) -> AccountingWebhookProcessor:
        if self._accounting is None:
            self._accounting = AccountingWebhookProcessor(self._lunas.accounting_webhooks)
        return self._accounting
