"""What the privacy tests share: a shop with its own customers' numbers, and a scan of everything Lunas stores."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from typing import Any

from sandbox.run import Sandbox
from tests.web_support import WebClient, connect, new_email, org_of, register_whatsapp_number, seed_overdue_customers


def new_phone() -> str:
    """An Indonesian mobile number no other test uses (a whole-table scan looks for it)."""
    return f"+62812{random.randrange(10**7, 10**8)}"


@dataclass
class PrivacyShop:
    client: WebClient
    email: str
    org_id: str
    name: str
    tenant_id: str
    phone_number_id: str
    waba_id: str
    token: str
    phones: tuple[str, str]


def open_shop(sandbox: Sandbox, name: str) -> PrivacyShop:
    """An owner signed up through the dashboard, WhatsApp set up, one Xero organisation with two customers (each one
    overdue invoice) connected, both customers' consent recorded on the customers page."""
    client = WebClient(sandbox.app_url)
    email = new_email()
    assert client.sign_up(email, business=name).status_code == 303
    org_id = org_of(email)
    phones = (new_phone(), new_phone())
    seeded = seed_overdue_customers(
        sandbox,
        f"{name} {uuid.uuid4().hex[:6]}",
        [("Budi Santoso", phones[0], "INV-001", "1250000"), ("Sari Dewi", phones[1], "INV-002", "800000")],
        overdue_days=4,
    )
    token = f"EAAG{uuid.uuid4().hex}"
    phone_number_id, waba = register_whatsapp_number(sandbox, token, "+62 21 5555 0000")
    saved = client.post(
        "/settings/whatsapp",
        {"phone_number_id": phone_number_id, "business_account_id": waba, "access_token": token},
        csrf_from="/settings",
    )
    assert saved.headers["Location"] == "/settings?m=saved"
    assert connect(client, "xero", {"tenant": [seeded["tenantId"]]}).headers["Location"] == "/dashboard?m=connected"
    for phone in phones:
        recorded = client.post(
            "/customers/consent",
            {
                "phone": phone,
                "status": "opted_in",
                "source": "signed_form",
                "evidence": "Signed the WhatsApp reminders form at the shop counter on 2026-11-01",
            },
            csrf_from="/customers",
        )
        assert recorded.headers["Location"] == "/customers?m=consent"
    return PrivacyShop(client, email, org_id, name, seeded["tenantId"], phone_number_id, waba, token, phones)


def remind_and_reply(sandbox: Sandbox, shop: PrivacyShop, reply: str) -> list[dict[str, Any]]:
    """Run now (both customers get a reminder), Meta's statuses come back, the first customer replies."""
    assert shop.client.post("/run-now", {}, csrf_from="/preview").headers["Location"].startswith("/run-status?since=")
    sent = sandbox.meta.messages(phone_number_id=shop.phone_number_id)
    assert sorted(m["wa_id"] for m in sent) == sorted(p.removeprefix("+") for p in shop.phones)
    sandbox.meta.simulate_text(shop.phone_number_id, shop.phones[0], reply)
    sandbox.drain_webhooks(flush_fakes=True)
    return sent


def run_now(client: WebClient) -> None:
    """Press Run now (the sandbox runs the cycle inline, before answering)."""
    location = client.post("/run-now", {}, csrf_from="/preview").headers["Location"]
    assert location == "/invoices?m=done" or location.startswith("/run-status?"), location


def every_item() -> list[dict[str, Any]]:
    """Every item of the table (a paginated Scan of everything, as DynamoDB returns it)."""
    import boto3

    from chalicelib.storage.schema import TABLE_NAME

    client = boto3.client("dynamodb")
    items: list[dict[str, Any]] = []
    request: dict[str, Any] = {"TableName": TABLE_NAME}
    while True:
        answer = client.scan(**request)
        items += answer.get("Items", [])
        if "LastEvaluatedKey" not in answer:
            return items
        request["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


def holding(items: list[dict[str, Any]], *needles: str) -> list[dict[str, Any]]:
    """The items whose keys or attributes contain any of `needles` anywhere."""
    wanted = [n for n in needles if n]
    return [item for item in items if any(n in json.dumps(item, default=repr) for n in wanted)]
