"""app.py's HTTP routes over real HTTP (the Chalice local server), the consent CLI, and what the logs may contain."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import subprocess
import sys

import httpx
import pytest

from sandbox.run import META_APP_SECRET, META_VERIFY_TOKEN, Sandbox
from tests.world import TUESDAY_10_JAKARTA, World, set_clock

BUDI = "+6281234567001"


def _signed(body: bytes, secret: str = META_APP_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={digest}"}


def test_meta_subscription_check_echoes_the_challenge_only_for_our_verify_token(sandbox: Sandbox) -> None:
    url = f"{sandbox.app_url}/webhooks/whatsapp"
    ok = httpx.get(url, params={"hub.mode": "subscribe", "hub.verify_token": META_VERIFY_TOKEN, "hub.challenge": "42"})
    assert (ok.status_code, ok.text) == (200, "42")
    bad = httpx.get(url, params={"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "42"})
    assert bad.status_code == 403


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Content-Type": "application/json"}, 401),
        ({"Content-Type": "application/json", "X-Hub-Signature-256": "sha256=deadbeef"}, 401),
    ],
)
def test_status_webhook_without_a_valid_signature_is_refused(
    sandbox: Sandbox, headers: dict[str, str], status: int
) -> None:
    response = httpx.post(f"{sandbox.app_url}/webhooks/whatsapp", content=b'{"entry": []}', headers=headers)
    assert response.status_code == status


def test_signed_malformed_json_is_a_400_not_a_500(sandbox: Sandbox) -> None:
    body = b"{not json"
    response = httpx.post(f"{sandbox.app_url}/webhooks/whatsapp", content=body, headers=_signed(body))
    assert response.status_code == 400


def test_out_of_order_statuses_never_move_a_message_backwards(world: World, sandbox: Sandbox) -> None:
    from chalicelib import bootstrap

    world.customer("Budi Santoso", BUDI)
    world.invoice("INV-001", "Budi Santoso", due_in_days=-4)
    world.create()
    world.consent(BUDI)
    sandbox.meta.configure(auto_deliver=False)
    try:
        world.run_cycle()
        [sent] = world.messages()
        tracker, wamid = sent["tracker"], sent["wamid"]
        for status in ("read", "delivered", "sent"):  # newest first, as Meta may deliver them
            body = json.dumps(_status_payload(world.phone_number_id, wamid, tracker, status)).encode()
            assert httpx.post(f"{sandbox.app_url}/webhooks/whatsapp", content=body, headers=_signed(body)).is_success
    finally:
        sandbox.meta.reset()
        sandbox.meta.configure(auto_deliver=True)
    sandbox.drain_webhooks()  # the route only queues the body; the webhook worker applies it
    [message] = bootstrap.container().stores.ledger.messages(world.org_id)
    assert message.delivery == "read"


def _status_payload(phone_number_id: str, wamid: str, tracker: str, status: str) -> dict[str, object]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "waba",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "622155550000", "phone_number_id": phone_number_id},
                            "statuses": [
                                {
                                    "id": wamid,
                                    "status": status,
                                    "timestamp": "1795431000",
                                    "recipient_id": BUDI.removeprefix("+"),
                                    "biz_opaque_callback_data": tracker,
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }


def test_the_pay_button_redirects_to_the_invoices_payment_page(world: World, sandbox: Sandbox) -> None:
    world.customer("Budi Santoso", BUDI)
    world.invoice("INV-001", "Budi Santoso", due_in_days=-4)
    world.create()
    world.consent(BUDI)
    world.run_cycle()
    [sent] = world.messages()
    # Xero's online invoice costs a call per invoice: never in the send loop, once when the customer opens the link.
    online_invoice = rf"/Invoices/{world.invoice_ids['INV-001']}/OnlineInvoice$"
    assert sandbox.xero.recorded(online_invoice) == []
    code = sent["button_url_suffix"]
    response = httpx.get(f"{sandbox.app_url}/pay/{code}")
    assert response.status_code == 302
    assert response.headers["location"].startswith("https://in.xero.com/")
    assert httpx.get(f"{sandbox.app_url}/pay/{code}").headers["location"] == response.headers["location"]
    assert len(sandbox.xero.recorded(online_invoice)) == 1  # kept on the link
    missing = httpx.get(f"{sandbox.app_url}/pay/not-a-real-code")
    assert missing.status_code == 404
    assert "Link not found" in missing.text and "Tautan tidak ditemukan" in missing.text


def test_the_consent_cli_records_and_shows_consent_with_its_evidence(world: World, sandbox: Sandbox) -> None:
    world.create()
    env = {**os.environ, "PYTHONPATH": "."}
    args = ["--sandbox", str(sandbox.urls_file)]
    record = subprocess.run(
        [sys.executable, "cli.py", *args, "consent", "record", "--org", world.org_id, "--phone", "0812-3456-7001",
         "--source", "signed_form", "--evidence", "Signed the reminders form on 1 Oct 2026"],
        capture_output=True, text=True, env=env, check=False, timeout=120,
    )  # fmt: skip
    assert record.returncode == 0, record.stderr
    assert "+6281234567001" in record.stdout
    from chalicelib import bootstrap

    consent = bootstrap.container().stores.consents.for_phones(world.org_id, [BUDI])[BUDI]
    assert (consent.status.value, consent.source) == ("opted_in", "signed_form")
    assert "Signed the reminders form" in consent.evidence


def test_a_cycles_logs_carry_the_org_but_no_full_phone_number_or_token(world: World) -> None:
    import io
    import logging

    from chalicelib import bootstrap
    from chalicelib.observability import logger

    world.customer("Budi Santoso", BUDI)
    world.invoice("INV-001", "Budi Santoso", due_in_days=-4)
    world.create()
    world.consent(BUDI)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)  # the production formatter, scrubber included
    logging.getLogger(logger.name).addHandler(handler)
    try:
        world.run_cycle()
    finally:
        logging.getLogger(logger.name).removeHandler(handler)
    logs = stream.getvalue()
    tokens, _ = bootstrap.container().stores.connections.load_tokens(world.org_id, world.connection_id)
    assert world.org_id in logs
    assert BUDI not in logs and BUDI.removeprefix("+") not in logs
    assert tokens.access_token not in logs and tokens.refresh_token not in logs
    assert "+62********001" in logs  # masked, still useful to tell numbers apart


def test_the_scheduled_fan_out_skips_organisations_outside_their_send_window(world: World) -> None:
    import app
    from sandbox.lambda_runtime import invoke_schedule

    world.create()
    saturday = TUESDAY_10_JAKARTA + dt.timedelta(days=4)
    set_clock(saturday)
    try:
        result = invoke_schedule(app.fan_out_reminders, saturday)
    finally:
        set_clock(TUESDAY_10_JAKARTA)
    assert result["enqueued"] == 0
    assert result["outside_window"] >= 1
