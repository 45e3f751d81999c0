"""Xero and QuickBooks change events through the real routes (signed by the fakes), the queue and the worker."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator

import httpx
import pytest

from sandbox.run import INTUIT_WEBHOOK_VERIFIER_TOKEN, XERO_WEBHOOK_KEY, Sandbox
from tests.qbo_world import QuickBooksWorld
from tests.world import TUESDAY_10_JAKARTA, World, set_clock

BUDI = "+6281234567001"


def _b64(key: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


@pytest.fixture
def world(sandbox: Sandbox) -> Iterator[World]:
    set_clock(TUESDAY_10_JAKARTA)
    w = World(sandbox, today=TUESDAY_10_JAKARTA.date())
    yield w
    if w.tenant_id:
        w.retire()


@pytest.fixture
def qbo_world(sandbox: Sandbox) -> Iterator[QuickBooksWorld]:
    set_clock(TUESDAY_10_JAKARTA)
    w = QuickBooksWorld(sandbox, today=TUESDAY_10_JAKARTA.date())
    yield w
    if w.company is not None and w.company.realm_id:
        w.retire()


def _admin(sandbox: Sandbox, fake: str, path: str, body: dict[str, object] | None = None) -> httpx.Response:
    base = sandbox.xero.url if fake == "xero" else sandbox.quickbooks.url
    response = httpx.request("PATCH" if path.endswith("!patch") else "POST", base + path.removesuffix("!patch"),
                             json=body or {}, timeout=30)  # fmt: skip
    response.raise_for_status()
    return response


# -- Xero ----------------------------------------------------------------------------------------------------------


def test_xero_intent_to_receive_gets_200_with_an_empty_body_only_when_correctly_signed(sandbox: Sandbox) -> None:
    good = sandbox.xero.send_intent_to_receive(correctly_signed=True)
    bad = sandbox.xero.send_intent_to_receive(correctly_signed=False)
    assert (good["status"], good["text"]) == (200, "")
    assert bad["status"] == 401
    unsigned = httpx.post(f"{sandbox.app_url}/webhooks/xero", content=b'{"events":[]}', timeout=10,
                          headers={"Content-Type": "application/json"})  # fmt: skip
    assert unsigned.status_code == 401
    body = b"{not json"
    signed = {"Content-Type": "application/json", "x-xero-signature": _b64(XERO_WEBHOOK_KEY, body)}
    malformed = httpx.post(f"{sandbox.app_url}/webhooks/xero", content=body, timeout=10, headers=signed)
    assert malformed.status_code == 400


def _consent_later(world: World) -> None:
    """A first cycle without consent: the invoice is read (and kept in the sync snapshot) but not reminded."""
    world.customer("Budi Santoso", BUDI)
    world.invoice("INV-001", "Budi Santoso", due_in_days=-4)
    world.create()
    world.run_cycle()
    assert world.reasons() == {"INV-001": "no_consent"}
    world.consent(BUDI)


def test_an_invoice_paid_in_xero_cancels_its_next_reminder_even_if_the_cycles_read_is_stale(
    world: World, sandbox: Sandbox
) -> None:
    _consent_later(world)
    invoice_id = world.invoice_ids["INV-001"]
    # Paid in Xero without touching UpdatedDateUTC (Xero does that too): an incremental read will not notice it.
    _admin(sandbox, "xero", f"/_sandbox/xero/invoices/{invoice_id}!patch",
           {"status": "PAID", "amountDue": "0", "touch": False})  # fmt: skip
    sandbox.drain_webhooks(flush_fakes=True)
    [delivery] = [d for d in sandbox.xero.webhook_deliveries if invoice_id in d["body"]]
    assert (delivery["status"], delivery["text"]) == (200, "")
    assert world.decisions()["INV-001"] == ("paid", "paid in Xero; pending reminders cancelled")  # owner sees it now
    world.run_cycle()
    assert world.reasons() == {"INV-001": "paid"}
    assert world.messages() == []


def test_a_duplicate_xero_delivery_re_reads_nothing_and_an_unknown_tenant_is_acknowledged(
    world: World, sandbox: Sandbox
) -> None:
    _consent_later(world)
    invoice_id = world.invoice_ids["INV-001"]
    _admin(sandbox, "xero", f"/_sandbox/xero/invoices/{invoice_id}/void")
    sandbox.drain_webhooks(flush_fakes=True)
    [delivery] = [d for d in sandbox.xero.webhook_deliveries if invoice_id in d["body"]]
    rereads = len([r for r in sandbox.xero.recorded("/api.xro/2.0/Invoices$") if invoice_id in str(r["query"])])
    raw = delivery["body"].encode()
    headers = {"Content-Type": "application/json", "x-xero-signature": _b64(XERO_WEBHOOK_KEY, raw)}
    assert httpx.post(f"{sandbox.app_url}/webhooks/xero", content=raw, headers=headers, timeout=10).status_code == 200
    stranger = json.loads(raw)
    stranger["events"][0]["tenantId"] = "00000000-0000-0000-0000-000000000000"
    raw2 = json.dumps(stranger).encode()
    headers2 = {"Content-Type": "application/json", "x-xero-signature": _b64(XERO_WEBHOOK_KEY, raw2)}
    assert httpx.post(f"{sandbox.app_url}/webhooks/xero", content=raw2, headers=headers2, timeout=10).status_code == 200
    sandbox.drain_webhooks()
    after = len([r for r in sandbox.xero.recorded("/api.xro/2.0/Invoices$") if invoice_id in str(r["query"])])
    assert after == rereads
    world.run_cycle()
    assert world.reasons() == {"INV-001": "paid"}
    assert world.decisions()["INV-001"] == ("paid", "voided in Xero; pending reminders cancelled")


# -- QuickBooks ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("webhook_format", ["cloudevents", "legacy"])
def test_an_invoice_paid_in_quickbooks_cancels_its_next_reminder(
    qbo_world: QuickBooksWorld, sandbox: Sandbox, webhook_format: str
) -> None:
    qbo = qbo_world.qbo
    qbo.customer("Budi Santoso", "0812-3456-7001")
    qbo.invoice("1001", "Budi Santoso", due_in_days=-4)
    qbo_world.create()
    qbo.run_cycle()
    assert qbo_world.reasons() == {"1001": "no_consent"}
    qbo_world.consent(BUDI)
    sandbox.quickbooks.configure_webhook(
        f"{sandbox.app_url}/webhooks/quickbooks", INTUIT_WEBHOOK_VERIFIER_TOKEN, webhook_format=webhook_format
    )
    try:
        _admin(
            sandbox,
            "quickbooks",
            f"/_sandbox/quickbooks/companies/{qbo.realm_id}/invoices/{qbo.invoice_ids['1001']}/pay",
        )
        sandbox.drain_webhooks(flush_fakes=True)
    finally:
        sandbox.quickbooks.configure_webhook(f"{sandbox.app_url}/webhooks/quickbooks", INTUIT_WEBHOOK_VERIFIER_TOKEN)
    [delivery] = [d for d in sandbox.quickbooks.webhook_deliveries if qbo.realm_id in d["body"]]
    assert delivery["status"] == 200
    assert isinstance(json.loads(delivery["body"]), list if webhook_format == "cloudevents" else dict)
    # Intuit announces the Payment, not the invoice: Lunas read the payment for the invoice it pays.
    payment_id = (
        json.loads(delivery["body"])[0]["intuitentityid"]
        if webhook_format == "cloudevents"
        else (json.loads(delivery["body"])["eventNotifications"][0]["dataChangeEvent"]["entities"][0]["id"])
    )
    assert qbo_world.decisions()["1001"] == (
        "paid",
        f"paid in QuickBooks (payment {payment_id}); pending reminders cancelled",
    )
    qbo.run_cycle()
    assert qbo_world.reasons() == {"1001": "paid"}
    assert qbo_world.messages() == []


def test_quickbooks_signature_is_required(sandbox: Sandbox) -> None:
    body = json.dumps([{"specversion": "1.0", "id": "x", "type": "qbo.invoice.updated.v1"}]).encode()
    url = f"{sandbox.app_url}/webhooks/quickbooks"
    assert httpx.post(url, content=body, headers={"Content-Type": "application/json"}, timeout=10).status_code == 401
    wrong = {"Content-Type": "application/json", "intuit-signature": _b64("client-secret-is-not-the-key", body)}
    assert httpx.post(url, content=body, headers=wrong, timeout=10).status_code == 401
    right = {
        "Content-Type": "application/cloudevents-batch+json",
        "intuit-signature": _b64(INTUIT_WEBHOOK_VERIFIER_TOKEN, body),
    }
    assert httpx.post(url, content=body, headers=right, timeout=10).status_code == 200
