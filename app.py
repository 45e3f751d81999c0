"""Lunas' Lambda entry points. Each is a few lines: parse the event, call one service, shape the answer.

Every Lambda imports this module on a cold start, so it imports no vendor SDK (xero-python, quickbooks, pywa) and
does no I/O: the handlers import what they need when they run.
"""

from __future__ import annotations

import json
import os
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


def _request() -> Request:
    request = app.current_request
    assert request is not None, "only called while Chalice serves a request"
    return request


@app.schedule(Rate(1, unit=Rate.HOURS), name="fan_out_reminders")
def fan_out_reminders(event: CloudWatchEvent) -> dict[str, int]:
    """Hourly: one SQS message per active connection whose organisation is inside its send window."""
    from chalicelib import bootstrap
    from chalicelib.adapters.sqs import SqsQueue
    from chalicelib.config import load_settings
    from chalicelib.services.fanout import fan_out

    stores = bootstrap.stores()
    result = fan_out(
        connections=stores.connections,
        settings_for=stores.organisations.settings,
        queue=SqsQueue(load_settings().reminder_queue_name),
        clock=bootstrap.clock(),
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
    query = dict(_request().query_params or {})
    expected = os.environ.get("META_VERIFY_TOKEN", "")
    if expected and query.get("hub.mode") == "subscribe" and query.get("hub.verify_token") == expected:
        return Response(body=query.get("hub.challenge", ""), status_code=200, headers={"Content-Type": "text/plain"})
    return Response(body="Forbidden", status_code=403, headers={"Content-Type": "text/plain"})


@app.route("/webhooks/whatsapp", methods=["POST"], content_types=["application/json"])
def whatsapp_events() -> Response:
    """Delivery statuses from Meta, verified against X-Hub-Signature-256 over the raw body."""
    from chalicelib import bootstrap
    from chalicelib.config import load_settings
    from chalicelib.services.whatsapp_statuses import apply_statuses, signature_is_valid

    request = _request()
    raw = request.raw_body if isinstance(request.raw_body, bytes) else request.raw_body.encode()
    if not signature_is_valid(raw, request.headers.get("x-hub-signature-256"), load_settings().meta_app_secret):
        return Response(body="invalid signature", status_code=401, headers={"Content-Type": "text/plain"})
    try:
        payload = json.loads(raw)
    except ValueError:
        return Response(body="malformed JSON", status_code=400, headers={"Content-Type": "text/plain"})
    stores = bootstrap.stores()
    apply_statuses(payload, ledger=stores.ledger, phone_flags=stores.phone_flags)
    return Response(body="ok", status_code=200, headers={"Content-Type": "text/plain"})


@app.route("/pay/{code}", methods=["GET"])
def pay(code: str) -> Response:
    """The URL button of every reminder: redirect to the invoice's payment page (or list several)."""
    from chalicelib import bootstrap
    from chalicelib.pages import payment_links_page

    links = bootstrap.stores().payment_links.resolve(code, bootstrap.clock().now())
    if len(links) == 1:
        return Response(body="", status_code=302, headers={"Location": links[0][1]})
    status = 200 if links else 404
    return Response(body=payment_links_page(links), status_code=status, headers={"Content-Type": "text/html"})


@app.route("/health", methods=["GET"])
def health() -> dict[str, str]:
    return {"status": "ok"}
