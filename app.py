"""Lunas' Lambda entry points. Each is a few lines: parse the event, call one service, shape the answer.

Every Lambda imports this module on a cold start, so it imports no vendor SDK (xero-python, quickbooks, pywa) and
does no I/O: the handlers import what they need when they run.
"""

from __future__ import annotations

import os
import re
from typing import Any

from chalice.app import Chalice, CloudWatchEvent, ConvertToMiddleware, Cron, Rate, Request, Response, SQSEvent

from chalicelib.observability import inject_lambda_context, log_metrics, quiet_noisy_libraries
from chalicelib.web.routes import web as dashboard_routes

app = Chalice(app_name="lunas")
app.register_middleware(ConvertToMiddleware(inject_lambda_context))  # Powertools is built on the first invocation
app.register_middleware(ConvertToMiddleware(log_metrics), event_type="all")
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


@app.schedule(Cron(0, "*", "*", "*", "?", "*"), name="send_daily_digests")
def send_daily_digests(event: CloudWatchEvent) -> dict[str, int]:
    """Hourly, on the hour: owners whose local time is 08:00 get yesterday's summary by e-mail (services/digest.py)."""
    from chalicelib import bootstrap

    return {"sent": len(bootstrap.container().send_daily_digests())}


# One connection per invocation: each cycle gets the whole 900 s to send at Meta's pace (docs/whatsapp-sending.md).
@app.on_sqs_message(queue=REMINDER_QUEUE, batch_size=1, name="run_reminder_cycles")
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


# Pay pages: the code is the customer's only credential (16 random URL-safe characters); anything else is not looked
# up (a DynamoDB key is at most 2 KB). The pages leak nothing onwards (chalicelib/pages.py PAY_HEADERS).
_PAY_CODE = re.compile(r"[A-Za-z0-9_-]{1,64}")
# The dashboard's QRIS upload (chalicelib/web/payment_routes.py) is a multipart form with an image in it: API Gateway
# must pass it through as bytes.
app.api.binary_types.append("multipart/form-data")


def _pay_language() -> str | None:
    # (no annotated locals in this module: `chalice package`'s policy analyzer cannot read them)
    query = _request().query_params
    language = query.get("lang") if query else None
    return str(language) if language in ("id", "en") else None


@app.route("/pay/{code}", methods=["GET"])
def pay(code: str) -> Response:
    """The URL button of every reminder: redirect to the invoice's online payment page, or show the invoices with
    the business's payment instructions and "I have paid"."""
    from chalicelib import bootstrap
    from chalicelib.pages import PAY_HEADERS, PAY_PAGE_HEADERS, missing_payment_page, payment_page_html

    lunas = bootstrap.container()
    page = lunas.payment_page(code) if _PAY_CODE.fullmatch(code) else None
    if page is None:
        return Response(body=missing_payment_page(), status_code=404, headers=PAY_PAGE_HEADERS)
    if len(page.targets) == 1 and page.targets[0].url:
        return Response(body="", status_code=302, headers={**PAY_HEADERS, "Location": page.targets[0].url})
    body = payment_page_html(lunas.payment_view(code, page), language=_pay_language())
    return Response(body=body, status_code=200, headers=PAY_PAGE_HEADERS)


@app.route(
    "/pay/{code}/paid",
    methods=["POST"],
    content_types=["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"],
)
def pay_claimed(code: str) -> Response:
    """The pay page's "I have paid": record the claim and hold those invoices' reminders (once per code), then show
    the page again."""
    from chalicelib import bootstrap
    from chalicelib.pages import PAY_HEADERS, PAY_PAGE_HEADERS, missing_payment_page

    claim = bootstrap.container().claim_payment(code) if _PAY_CODE.fullmatch(code) else None
    if claim is None:
        return Response(body=missing_payment_page(), status_code=404, headers=PAY_PAGE_HEADERS)
    language = _pay_language()
    location = f"/pay/{code}" + (f"?lang={language}" if language else "")
    return Response(body="", status_code=303, headers={**PAY_HEADERS, "Location": location})


@app.route("/health", methods=["GET"])
def health() -> dict[str, str]:
    return {"status": "ok"}
