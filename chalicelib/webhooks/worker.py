"""The webhook queue's worker: one stored webhook body per SQS message, failures reported per message.

A body whose processing fails (DynamoDB or the accounting API unavailable) is reported as a batch item failure, so
SQS redelivers it and, after `maxReceiveCount` attempts, moves it to the dead-letter queue; the others of the batch
are settled. Processing is idempotent, so a redelivered body changes nothing it already changed.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib import bootstrap
from chalicelib.config import load_settings
from chalicelib.domain.models import Connection
from chalicelib.observability import logger
from chalicelib.ports import AccountingGateway, TextSender
from chalicelib.storage.consent import DynamoMarketingPreferences
from chalicelib.storage.inbox import DynamoClaims, DynamoReplies, DynamoSeenMarkers
from chalicelib.storage.routes import DynamoBsuids, DynamoRoutes
from chalicelib.storage.templates import DynamoTemplateRegistry
from chalicelib.webhooks.accounting import (
    AccountingWebhookDependencies,
    AccountingWebhookProcessor,
    parse_quickbooks,
    parse_xero,
)
from chalicelib.webhooks.whatsapp import WhatsAppWebhookDependencies, WhatsAppWebhookProcessor


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
    if provider == "whatsapp":
        return str(WhatsAppWebhookProcessor(whatsapp_dependencies()).process(body))
    if provider == "xero":
        return str(AccountingWebhookProcessor(accounting_dependencies()).process(parse_xero(body)))
    if provider == "quickbooks":
        return str(AccountingWebhookProcessor(accounting_dependencies()).process(parse_quickbooks(body)))
    raise ValueError(f"unknown webhook provider {provider!r}")


@cache
def _storage() -> tuple[
    DynamoRoutes,
    DynamoSeenMarkers,
    DynamoReplies,
    DynamoClaims,
    DynamoBsuids,
    DynamoMarketingPreferences,
]:
    return (
        DynamoRoutes(),
        DynamoSeenMarkers(),
        DynamoReplies(),
        DynamoClaims(),
        DynamoBsuids(),
        DynamoMarketingPreferences(),
    )


def whatsapp_dependencies() -> WhatsAppWebhookDependencies:
    stores = bootstrap.stores()
    routes, seen, replies, claims, bsuids, preferences = _storage()
    return WhatsAppWebhookDependencies(
        clock=bootstrap.clock(),
        routes=routes,
        seen=seen,
        ledger=stores.ledger,
        phone_flags=stores.phone_flags,
        consents=stores.consents,
        replies=replies,
        claims=claims,
        bsuids=bsuids,
        preferences=preferences,
        settings_for=stores.organisations.settings,
        sender_for=_text_sender,
        holds=stores.pauses,
        templates=DynamoTemplateRegistry(),
    )


def _text_sender(org_id: str) -> TextSender | None:
    """The organisation's own number, through pywa (imported only here, on the worker)."""
    account = bootstrap.stores().organisations.whatsapp(org_id)
    if account is None:
        return None
    from chalicelib.adapters.whatsapp import WhatsAppMessageSender

    config = load_settings()
    return WhatsAppMessageSender(
        phone_number_id=account.phone_number_id,
        access_token=account.access_token,
        api_version=config.graph_api_version,
        graph_base_url=config.graph_base_url,
    )


def accounting_dependencies() -> AccountingWebhookDependencies:
    stores = bootstrap.stores()
    routes, seen, *_ = _storage()
    return AccountingWebhookDependencies(
        clock=bootstrap.clock(),
        routes=routes,
        seen=seen,
        connections=stores.connections,
        decisions=stores.decisions,
        gateway_for=_gateway,
        holds=stores.pauses,
    )


def _gateway(connection: Connection) -> AccountingGateway:
    settings = bootstrap.stores().organisations.settings(connection.org_id)
    return bootstrap.accounting_gateway(connection, settings)
