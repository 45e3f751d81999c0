"""Lunas' Lambda entry points. Each is a few lines: parse the event, call one service, shape the answer.

Every Lambda imports this module on a cold start, so it imports no vendor SDK (xero-python, quickbooks, pywa) and
does no I/O: the handlers import what they need when they run.
"""

from __future__ import annotations

import os
import re
from typing import Any

from chalice.app import Chalice, CloudWatchEvent, ConvertToMiddleware, Rate, Request, Response, SQSEvent

from chalicelib.observability import logger, metrics, quiet_noisy_libraries
from chalicelib.web.routes import web as dashboard_routes

app = Chalice(app_name="lunas")
app.register_middleware(ConvertToMiddleware(logger.inject_lambda_context))
app.register_middleware(ConvertToMiddleware(metrics.log_metrics), event_type="all")
quiet_noisy_libraries()
app.register_blueprint(dashboard_routes)  # sign-in, connect flows and the owner's dashboard (chalicelib/web)

REMINDER_QUEUE = os.environ.get("LUNAS_REMINDER_QUEUE", "lunas-reminders")
WEBHOOK_QUEUE = os.environ.get("LUNAS_WEBHOOK_QUEUE", "lunas-webhooks")


def _request() -> Request:
    request = app.current_request
    assert request is not None, "only called while Chalice serves a request"
    return request


@app.schedule(Rate(1, unit=Rate.HOURS), name="fan_out_reminders")
def fan_out_reminders(event: CloudWatchEvent) -> dict[str, int]:
    """Hourly: one SQS message per active connection whose organisation is inside its send window."""
    from chalicelib import bootstrap
    from chalicelib.services.fanout import fan_out

    lunas = bootstrap.container()
    result = fan_out(
        connections=lunas.stores.connections,
        settings_for=lunas.stores.organisations.settings,
        queue=lunas.reminder_queue,
        clock=lunas.clock,
    )
    return {"enqueued": len(result.enqueued), "outside_window": len(result.outside_window)}


@app.on_sqs_message(queue=REMINDER_QUEUE, batch_size=5, name="run_reminder_cycles")
def run_reminder_cycles(event: SQSEvent) -> dict[str, Any]:
    """One connection's reminder cycle per message; failed messages are reported for redelivery."""
    from chalicelib.worker import process_batch

    return process_batch(event.to_dict(), event.context)


@app.route("/webhooks/whatsapp", methods=["GET"])
def whatsapp_verify() -> Response:
    """Meta's subscription handshake: echo hub.challenge when hub.verify_token matches."""
    from chalicelib import bootstrap
    from chalicelib.domain.secrecy import same_secret

    query = dict(_request().query_params or {})
    expected = bootstrap.container().settings.meta_verify_token  # Secrets Manager on AWS, the environment locally
    offered = query.get("hub.verify_token", "")
    if expected and query.get("hub.mode") == "subscribe" and same_secret(offered, expected):
        return Response(body=query.get("hub.challenge", ""), status_code=200, headers={"Content-Type": "text/plain"})
    return Response(body="Forbidden", status_code=403, headers={"Content-Type": "text/plain"})


def _raw_body() -> bytes:
    raw = _request().raw_body
    return raw if isinstance(raw, bytes) else raw.encode()


def _answer(provider: str, header: str, check: Any) -> Response:
    """Verify the signature over the raw body, queue the body, answer (see chalicelib/webhooks/intake.py)."""
    from chalicelib import bootstrap
    from chalicelib.webhooks.intake import receive

    lunas = bootstrap.container()
    raw = _raw_body()
    ok = check(raw, _request().headers.get(header))
    answer = receive(provider, raw, ok, lunas.webhook_queue, lunas.clock.now())
    return Response(body=answer.body, status_code=answer.status, headers={"Content-Type": "text/plain"})


@app.route("/webhooks/whatsapp", methods=["POST"], content_types=["application/json"])
def whatsapp_events() -> Response:
    """Meta's statuses, replies and template events: X-Hub-Signature-256 checked, body queued, 200."""
    from chalicelib import bootstrap
    from chalicelib.webhooks.intake import meta_signature_is_valid

    secret = bootstrap.container().settings.meta_app_secret
    return _answer("whatsapp", "x-hub-signature-256", lambda raw, sig: meta_signature_is_valid(raw, sig, secret))


@app.route("/webhooks/xero", methods=["POST"], content_types=["application/json"])
def xero_events() -> Response:
    """Xero's change events and intent-to-receive checks: 200 with an empty body when signed, 401 otherwise."""
    from chalicelib import bootstrap
    from chalicelib.webhooks.intake import base64_signature_is_valid

    key = bootstrap.container().settings.xero_webhook_key
    return _answer("xero", "x-xero-signature", lambda raw, sig: base64_signature_is_valid(raw, sig, key))


@app.route(
    "/webhooks/quickbooks",
    methods=["POST"],
    content_types=["application/json", "application/cloudevents-batch+json", "application/cloudevents+json"],
)
def quickbooks_events() -> Response:
    """Intuit's change events (CloudEvents array or legacy eventNotifications), `intuit-signature` checked."""
    from chalicelib import bootstrap
    from chalicelib.webhooks.intake import base64_signature_is_valid

    token = bootstrap.container().settings.intuit_webhook_verifier_token
    return _answer("quickbooks", "intuit-signature", lambda raw, sig: base64_signature_is_valid(raw, sig, token))


@app.on_sqs_message(queue=WEBHOOK_QUEUE, batch_size=10, name="process_webhooks")
def process_webhooks(event: SQSEvent) -> dict[str, Any]:
    """Queued webhook bodies (Meta, Xero, QuickBooks); failed ones are reported for redelivery."""
    from chalicelib.webhooks.worker import process_webhook_batch

    return process_webhook_batch(event.to_dict(), event.context)


@app.route("/pay/{code}", methods=["GET"])
def pay(code: str) -> Response:
    """The URL button of every reminder: redirect to the invoice's payment page (or list several)."""
    from chalicelib import bootstrap
    from chalicelib.pages import payment_links_page

    lunas = bootstrap.container()
    # Codes are ours (16 URL-safe characters); anything else is not looked up: a DynamoDB key is at most 2 KB.
    well_formed = re.fullmatch(r"[A-Za-z0-9_-]{1,64}", code) is not None
    page = lunas.payment_page(code) if well_formed else None
    if page is None:
        return Response(body=payment_links_page([]), status_code=404, headers={"Content-Type": "text/html"})
    lines = [(t.number, t.url) for t in page.targets]
    if len(lines) == 1 and lines[0][1]:
        return Response(body="", status_code=302, headers={"Location": lines[0][1]})
    business = lunas.stores.organisations.settings(page.org_id).business_name
    body = payment_links_page(lines, business=business, language=page.language)
    return Response(body=body, status_code=200, headers={"Content-Type": "text/html"})


@app.route("/health", methods=["GET"])
def health() -> dict[str, str]:
    return {"status": "ok"}
