"""One organisation never sees or changes another's data, even when their identifiers look alike.

Two owners sign up through the dashboard: "acme" (A) and "acme-corp" (B), with confusable identifiers: B's Xero
tenant id is A's plus "-corp", B's WhatsApp phone number id is A's plus "0", B's customer's number is A's customer's
without its last digit, B's invoice number is A's without its last digit. Both connect Xero, record consent, set
up WhatsApp and run a cycle. Then B, signed in, calls every dashboard route (pages, JSON API, forms, the connect
callback) with A's identifiers: its organisation id, connection id, tenant id, invoice ids and numbers, customer
phone, consent phone, WhatsApp phone number id and business account id, and A's OAuth `state`; and a signed Meta
webhook to B's number carries A's customer's STOP.

Properties: no response to B contains A's invoice numbers, customer names, phones or ids; A's profile, WhatsApp
route, consents, connections, decisions and ledger are unchanged; A's connect flow still completes afterwards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import html
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
import requests

from chalicelib import bootstrap
from chalicelib.auth import session as cookies
from chalicelib.domain.models import ConnectionStatus
from chalicelib.storage.schema import ConsentRecord, OrganisationRecord, org_pk
from sandbox.run import META_APP_SECRET, Sandbox
from tests.fuzz_support import dynamodb_key_limits
from tests.web_support import (
    WebClient,
    authorize,
    connect,
    decide,
    new_email,
    org_of,
    retire_connections,
)
from tests.world import TUESDAY_10_JAKARTA, phone_parts, set_clock

pytestmark = pytest.mark.sandbox


@pytest.fixture(autouse=True)
def _limits_and_cleanup() -> Iterator[None]:
    with dynamodb_key_limits():
        yield
    retire_connections()


@dataclass
class Org:
    client: WebClient
    email: str
    org_id: str
    tenant_id: str
    connection_id: str
    phone_number_id: str
    waba_id: str
    customer: str
    phone: str
    invoice_number: str
    invoice_id: str

    @property
    def secrets(self) -> list[str]:
        """What must never appear in a response to the other organisation."""
        local = "0" + self.phone.removeprefix("+62")
        return [
            self.org_id, self.tenant_id, self.connection_id, self.phone_number_id, self.waba_id, self.customer,
            self.phone, self.phone.removeprefix("+"), local, self.invoice_number, self.invoice_id,
        ]  # fmt: skip


def open_org(
    sandbox: Sandbox, *, business: str, tenant_id: str, phone_number_id: str, customer: str, phone: str, number: str
) -> Org:
    client = WebClient(sandbox.app_url)
    email = new_email(business)
    assert client.sign_up(email, business=business).status_code == 303
    due = (TUESDAY_10_JAKARTA.date() - dt.timedelta(days=4)).isoformat()
    seeded = sandbox.xero.seed(
        {
            "tenantId": tenant_id,
            "tenantName": business,
            "contacts": [{"name": customer, "phones": {"MOBILE": phone_parts(phone)}}],
            "invoices": [
                {"number": number, "contact": customer, "status": "AUTHORISED", "date": due, "dueDate": due,
                 "currency": "IDR", "total": "1250000"},
            ],
        }
    )  # fmt: skip
    token = f"EAAG{uuid.uuid4().hex}"
    waba_id = str(uuid.uuid4().int % 10**12)
    sandbox.meta.register_phone_number(
        phone_number_id,
        access_token=token,
        waba_id=waba_id,
        display_phone_number="+62 21 5555 0000",
        app_secret=META_APP_SECRET,
        webhook_url=f"{sandbox.app_url}/webhooks/whatsapp",
    )
    saved = client.post(
        "/settings/whatsapp",
        {"phone_number_id": phone_number_id, "business_account_id": waba_id, "access_token": token},
        csrf_from="/settings",
    )
    assert saved.status_code == 303, saved.text[:300]
    assert connect(client, "xero", {"tenant": [tenant_id]}).headers["Location"] == "/dashboard?m=connected"
    evidence = {"status": "opted_in", "source": "signed_form", "evidence": "Signed the reminders form on 2026-11-01"}
    assert client.post("/customers/consent", {"phone": phone, **evidence}, csrf_from="/customers").status_code == 303
    assert client.post("/run-now", {}, csrf_from="/preview").status_code == 303
    return Org(
        client=client,
        email=email,
        org_id=org_of(email),
        tenant_id=tenant_id,
        connection_id=f"xero:{tenant_id}",
        phone_number_id=phone_number_id,
        waba_id=waba_id,
        customer=customer,
        phone=phone,
        invoice_number=number,
        invoice_id=seeded["invoices"][number],
    )


@pytest.fixture
def orgs(sandbox: Sandbox) -> tuple[Org, Org]:
    set_clock(TUESDAY_10_JAKARTA)
    base = f"acme-{uuid.uuid4().hex[:8]}"
    pnid = "7" + str(uuid.uuid4().int % 10**11).zfill(11)
    a = open_org(
        sandbox, business="acme", tenant_id=base, phone_number_id=pnid, customer="Budi Santoso Acme",
        phone="+6281234560101", number="INV-0012",
    )  # fmt: skip
    b = open_org(
        sandbox, business="acme-corp", tenant_id=f"{base}-corp", phone_number_id=pnid + "0", customer="Budi Santoso",
        phone="+628123456010", number="INV-001",
    )  # fmt: skip
    sandbox.drain_webhooks(flush_fakes=True)
    assert "INV-0012" in a.client.get("/invoices").text  # A's data is there to be leaked
    assert "INV-0012" not in b.client.get("/invoices").text
    return a, b


def state_of(org: Org) -> dict[str, Any]:
    stores = bootstrap.container().stores
    return {
        "profile": OrganisationRecord.get(org_pk(org.org_id), "PROFILE").serialize(),
        "route": stores.routes.org_for_phone_number(org.phone_number_id),
        "consents": [
            (r.sk, r.status, r.version)
            for r in ConsentRecord.query(org_pk(org.org_id), ConsentRecord.sk.startswith("CONSENT#"))
        ],
        "history": len(stores.consents.history(org.org_id, org.phone)),
        "connections": [(c.connection_id, c.status.value) for c in stores.connections.for_org(org.org_id)],
        "decisions": [
            (v.connection_id, v.invoice_id, v.reason, v.decided_at) for v in stores.decisions.for_org(org.org_id)
        ],
        "ledger": [(e.ledger_key, e.state, e.delivery) for e in stores.ledger.entries(org.org_id)],
    }


def assert_no_leak(answer: requests.Response, a: Org, what: str) -> None:
    shown = html.unescape(unquote(answer.text + " " + answer.headers.get("Location", "")))
    for secret in a.secrets:
        # A whole identifier, not a prefix of B's look-alike (B's tenant id is A's plus "-corp").
        found = re.search(rf"(?<![\w-]){re.escape(secret)}(?![\w-])", shown)
        assert found is None, f"{what}: {secret!r} of the other organisation in the answer ({answer.status_code})"
    assert answer.status_code < 500, f"{what}: {answer.status_code}"


PAGES = ["/", "/dashboard", "/invoices", "/preview", "/customers", "/settings"]
APIS = ["/api/connections", "/api/invoices", "/api/consents"]


def a_identifiers(a: Org) -> list[tuple[str, str]]:
    return [
        ("org_id", a.org_id), ("organisation", a.org_id), ("connection_id", a.connection_id),
        ("tenant", a.tenant_id), ("tenantId", a.tenant_id), ("invoice", a.invoice_id), ("invoice_id", a.invoice_id),
        ("number", a.invoice_number), ("phone", a.phone), ("phone_number_id", a.phone_number_id),
        ("waba", a.waba_id), ("realmId", a.tenant_id),
    ]  # fmt: skip


def test_pages_and_the_json_api_show_b_nothing_of_a(orgs: tuple[Org, Org]) -> None:
    a, b = orgs
    before = state_of(a)
    query = "&".join(f"{k}={requests.utils.quote(v)}" for k, v in a_identifiers(a))
    for path in PAGES + APIS:
        for url in (path, f"{path}?{query}"):
            answer = b.client.get(url)
            assert_no_leak(answer, a, f"GET {url[:60]}")
    for provider in ("xero", "quickbooks", a.tenant_id):
        assert_no_leak(b.client.get(f"/connect/{provider}?{query}"), a, f"GET /connect/{provider}")
    api = b.client.get("/api/invoices").json()["invoices"]
    assert {r["number"] for r in api} == {b.invoice_number}
    assert {r["connection_id"] for r in api} == {b.connection_id}
    assert {c["phone"] for c in b.client.get("/api/consents").json()["consents"]} == {b.phone}
    assert {c["connection_id"] for c in b.client.get("/api/connections").json()["connections"]} == {b.connection_id}
    assert state_of(a) == before


def test_forms_with_a_identifiers_change_only_b(sandbox: Sandbox, orgs: tuple[Org, Org]) -> None:
    a, b = orgs
    before = state_of(a)
    extra = dict(a_identifiers(a))

    # Disconnect A's connection (and look-alikes of it) from B's session: not found in B's organisation.
    for connection_id in (a.connection_id, a.connection_id.upper(), f"{a.connection_id}#", "xero:" + a.tenant_id[:-1]):
        answer = b.client.post(
            "/connections/disconnect", {**extra, "connection_id": connection_id}, csrf_from="/settings"
        )
        assert answer.status_code == 404, (connection_id, answer.status_code)
        assert_no_leak(answer, a, "POST /connections/disconnect")

    # A's WhatsApp number: refused (Meta does not accept B's token for it; with A's own token it would be "already
    # connected to another Lunas account": tests/test_whatsapp_ownership.py), nothing of A's route or profile changes.
    answer = b.client.post(
        "/settings/whatsapp",
        {**extra, "phone_number_id": a.phone_number_id, "business_account_id": a.waba_id, "access_token": "EAAGx"},
        csrf_from="/settings",
    )
    assert answer.status_code == 400 and "Meta refused this access token" in answer.text
    assert_no_leak(answer, a, "POST /settings/whatsapp")

    # The schedule, with A's organisation id in the form: B's settings change, A's do not.
    schedule = {
        **extra, "stages": "0, 5", "timezone": "UTC", "window_start": "08:00", "window_end": "18:00",
        "weekdays": ["0", "1"], "language": "en", "minimum_amounts": "IDR 10",
    }  # fmt: skip
    answer = b.client.post("/settings/schedule", schedule, csrf_from="/settings")
    assert answer.status_code == 303
    assert bootstrap.container().stores.organisations.settings(b.org_id).timezone == "UTC"

    # Consent for A's customer's number (a number both may know): recorded in B's organisation only.
    for status, evidence in (("opted_out", ""), ("opted_in", "B's own form, signed at B's counter")):
        form = {**extra, "phone": a.phone, "status": status, "source": "in_person", "evidence": evidence}
        answer = b.client.post("/customers/consent", form, csrf_from="/customers")
        assert answer.status_code == 303, answer.text[:300]
    assert len(bootstrap.container().stores.consents.history(b.org_id, a.phone)) == 2

    # Run now and sign out, with A's organisation id in the form: only B's connection runs; only B is signed out.
    sent_before = len(sandbox.meta.messages(phone_number_id=a.phone_number_id))
    assert b.client.post("/run-now", extra, csrf_from="/preview").status_code == 303
    assert len(sandbox.meta.messages(phone_number_id=a.phone_number_id)) == sent_before
    assert b.client.post("/signout", extra, csrf_from="/dashboard").status_code == 303
    sandbox.drain_webhooks(flush_fakes=True)
    assert state_of(a) == before
    assert a.client.get("/dashboard").status_code == 200  # A is still signed in
    b.client.sign_in(b.email)


def test_a_state_and_a_session_do_not_work_for_b(sandbox: Sandbox, orgs: tuple[Org, Org]) -> None:
    a, b = orgs
    page_url, fields = authorize(a.client, "xero")  # A starts connecting another Xero organisation
    state = fields.get("state") or requests.utils.urlparse(page_url).query.split("state=")[1].split("&")[0]
    before = state_of(a)
    for query in (f"state={state}&code=stolen", f"state={state}&code=x&realmId={a.tenant_id}", f"state={state}"):
        answer = b.client.get(f"/connect/xero/callback?{query}")
        assert answer.status_code in (400, 403, 404), answer.status_code
        assert_no_leak(answer, a, "GET /connect/xero/callback")
    # B's cookies with A's session swapped in for the CSRF cookie, and A's CSRF token, change nothing.
    a_csrf = a.client.session.cookies[cookies.CSRF_COOKIE]
    token = a.client.csrf("/settings")
    forged = requests.post(
        f"{sandbox.app_url}/customers/consent",
        data={"csrf_token": token, "phone": a.phone, "status": "opted_out", "source": "x", "evidence": ""},
        cookies={cookies.SESSION_COOKIE: b.client.session.cookies[cookies.SESSION_COOKIE], cookies.CSRF_COOKIE: a_csrf},
        allow_redirects=False,
        timeout=30,
    )
    assert forged.status_code == 403
    assert state_of(a) == before
    # A's flow is untouched by B's attempts: A still completes it.
    seeded = sandbox.xero.seed({"tenantId": f"{a.tenant_id}-2", "tenantName": "acme 2"})
    answer = a.client.follow(decide(a.client, page_url, fields, "allow", {"tenant": [seeded["tenantId"]]}))
    assert answer.headers["Location"] == "/dashboard?m=connected"


def test_a_webhook_to_b_number_about_a_customer_changes_only_b(sandbox: Sandbox, orgs: tuple[Org, Org]) -> None:
    a, b = orgs
    before = state_of(a)
    value = {
        "metadata": {"display_phone_number": "622155550000", "phone_number_id": b.phone_number_id},
        "contacts": [{"profile": {"name": a.customer}, "wa_id": a.phone[1:]}],
        "messages": [{"from": a.phone[1:], "id": f"wamid.iso.{uuid.uuid4().hex}", "timestamp": "1795431000",
                      "type": "text", "text": {"body": "STOP"}}],
    }  # fmt: skip
    body = json.dumps({"object": "whatsapp_business_account", "entry": [{"id": b.waba_id, "changes": [
        {"field": "messages", "value": value}]}]}).encode()  # fmt: skip
    signature = "sha256=" + hmac.new(META_APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature}
    assert httpx.post(f"{sandbox.app_url}/webhooks/whatsapp", content=body, headers=headers).status_code == 200
    sandbox.drain_webhooks(flush_fakes=True)
    assert state_of(a) == before  # A's customer is still opted in with A
    consent = bootstrap.container().stores.consents.for_phones(b.org_id, [a.phone]).get(a.phone)
    assert consent is None or consent.status.value == "opted_out"  # the STOP was said to B's number
    assert bootstrap.container().stores.connections.get(a.org_id, a.connection_id).status is ConnectionStatus.ACTIVE
