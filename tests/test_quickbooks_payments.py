"""QuickBooks payments close invoices at once: the fake announces a received payment as Intuit does (a signed Payment
event, CloudEvents or legacy), Lunas reads the payment for the invoices it pays (`Line[].LinkedTxn`), re-reads
those and closes the paid ones before any new read, and the next cycle does not remind them.

Everything goes through the real pieces: the fake's admin HTTP API records the payment, its webhook goes through
`/webhooks/quickbooks` (signature, queue), the worker processes it with python-quickbooks against the fake.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandbox.run import INTUIT_WEBHOOK_VERIFIER_TOKEN, Sandbox
from tests.qbo_world import QuickBooksWorld
from tests.world import TUESDAY_10_JAKARTA, set_clock

BUDI = "+6281234567001"


@pytest.fixture
def qbo_world(sandbox: Sandbox) -> Iterator[QuickBooksWorld]:
    set_clock(TUESDAY_10_JAKARTA)
    w = QuickBooksWorld(sandbox, today=TUESDAY_10_JAKARTA.date())
    yield w
    if w.company is not None and w.company.realm_id:
        w.retire()


@pytest.fixture
def webhook_format(sandbox: Sandbox, request: pytest.FixtureRequest) -> Iterator[str]:
    chosen = str(request.param)
    url = f"{sandbox.app_url}/webhooks/quickbooks"
    sandbox.quickbooks.configure_webhook(url, INTUIT_WEBHOOK_VERIFIER_TOKEN, webhook_format=chosen)
    yield chosen
    sandbox.quickbooks.configure_webhook(url, INTUIT_WEBHOOK_VERIFIER_TOKEN)


def _sweeps(sandbox: Sandbox, realm_id: str) -> int:
    """How many times the open invoices were read (the cycle's sweep): `Balance > '0'` queries."""
    return len([c for c in sandbox.quickbooks.api_calls(realm_id) if "Balance > '0'" in c["body"]])


def _payment_events(sandbox: Sandbox, realm_id: str) -> list[dict[str, Any]]:
    """The fake's signed deliveries that named this company's payments, with the app's answer."""
    return [d for d in sandbox.quickbooks.webhook_deliveries if realm_id in d["body"] and "ayment" in d["body"]]


@pytest.mark.parametrize("webhook_format", ["cloudevents", "legacy"], indirect=True)
def test_a_payment_recorded_in_quickbooks_closes_the_invoices_it_pays_before_the_next_read(
    qbo_world: QuickBooksWorld, sandbox: Sandbox, webhook_format: str
) -> None:
    qbo = qbo_world.qbo
    qbo.customer("Budi Santoso", "0812-3456-7001")
    qbo.invoice("1001", "Budi Santoso", due_in_days=-4, amount="1250000")
    qbo.invoice("1002", "Budi Santoso", due_in_days=-4, amount="800000")
    qbo_world.create()
    qbo.run_cycle()  # the first cycle reads both invoices; without consent nothing is sent
    assert qbo_world.reasons() == {"1001": "no_consent", "1002": "no_consent"}
    qbo_world.consent(BUDI)
    sweeps = _sweeps(sandbox, qbo.realm_id)

    # Between two cycles, the bookkeeper records one payment: all of 1001 and part of 1002.
    lines = [{"invoiceId": qbo.invoice_ids["1001"]}, {"invoiceId": qbo.invoice_ids["1002"], "amount": "300000"}]
    admin = f"{sandbox.quickbooks.url}/_sandbox/quickbooks/companies/{qbo.realm_id}/payments"
    answer = httpx.post(admin, json={"lines": lines}, timeout=30)
    assert answer.status_code == 201, answer.text
    payment = answer.json()
    assert [line["LinkedTxn"] for line in payment["Line"]] == [
        [{"TxnId": qbo.invoice_ids["1001"], "TxnType": "Invoice"}],
        [{"TxnId": qbo.invoice_ids["1002"], "TxnType": "Invoice"}],
    ]
    sandbox.drain_webhooks(flush_fakes=True)

    [delivery] = _payment_events(sandbox, qbo.realm_id)
    assert delivery["status"] == 200  # signed with intuit-signature and the verifier token: accepted
    body = json.loads(delivery["body"])
    if webhook_format == "cloudevents":
        assert [(e["type"], e["intuitentityid"]) for e in body] == [("qbo.payment.created.v1", payment["Id"])]
    else:
        [note] = body["eventNotifications"]
        assert note["dataChangeEvent"]["entities"][0] | {"lastUpdated": ""} == {
            "name": "Payment",
            "id": payment["Id"],
            "operation": "Create",
            "lastUpdated": "",
        }
    # Closed by the webhook alone: the owner sees it at once, and no sweep of open invoices ran.
    assert _sweeps(sandbox, qbo.realm_id) == sweeps
    assert qbo_world.decisions()["1001"] == (
        "paid",
        f"paid in QuickBooks (payment {payment['Id']}); pending reminders cancelled",
    )
    assert qbo_world.reasons()["1002"] == "no_consent"  # part-paid: still open, untouched

    qbo.run_cycle()
    assert qbo_world.reasons() == {"1001": "paid", "1002": "sent"}
    [message] = qbo_world.messages()
    assert message["params"]["invoice_number"] == "1002"
    assert "500.000" in message["params"]["amount_due"]  # what is left of 1002, not its total


def test_a_payment_event_for_a_deleted_payment_or_another_company_changes_nothing(
    qbo_world: QuickBooksWorld, sandbox: Sandbox
) -> None:
    """A payment Lunas cannot read (gone) names no invoice; a realm nobody connected is acknowledged."""
    qbo = qbo_world.qbo
    qbo.customer("Budi Santoso", "0812-3456-7001")
    qbo.invoice("1001", "Budi Santoso", due_in_days=-4)
    qbo_world.create()
    qbo.run_cycle()
    events = [
        _cloud_event(qbo.realm_id, "qbo.payment.created.v1", "999999"),  # no such payment
        _cloud_event(qbo.realm_id, "qbo.payment.deleted.v1", "999998"),  # not read at all
        _cloud_event("1185883450", "qbo.payment.created.v1", "163"),  # nobody's company
    ]
    raw = json.dumps(events).encode()
    signed = {"Content-Type": "application/json", "intuit-signature": _signature(raw)}
    assert (
        httpx.post(f"{sandbox.app_url}/webhooks/quickbooks", content=raw, headers=signed, timeout=10).status_code == 200
    )
    before = len(sandbox.quickbooks.api_calls(qbo.realm_id))
    sandbox.drain_webhooks()
    reads = sandbox.quickbooks.api_calls(qbo.realm_id)[before:]
    assert ["FROM Payment" in r["body"] for r in reads] == [True]  # one payment read (the deleted one is skipped)
    assert qbo_world.reasons() == {"1001": "no_consent"}


def _cloud_event(realm_id: str, kind: str, entity_id: str) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": f"{realm_id}-{kind}-{entity_id}",
        "source": "intuit.dsnBgbseACLLRZNxo2dfc4evmEJdxde58xeeYcZliOU=",
        "type": kind,
        "datacontenttype": "application/json",
        "time": "2026-11-24T03:00:00.000Z",
        "intuitentityid": entity_id,
        "intuitaccountid": realm_id,
        "data": {},
    }


def _signature(raw: bytes) -> str:
    from sandbox.accounting_fake import hmac_signature

    return hmac_signature(INTUIT_WEBHOOK_VERIFIER_TOKEN, raw)
