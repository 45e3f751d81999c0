"""Pure parts of the webhooks: what a reply means, template verdicts, body splitting, Xero / QuickBooks shapes."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import random

import pytest

from chalicelib.adapters.quickbooks_events import parse_quickbooks
from chalicelib.adapters.sqs import batches
from chalicelib.adapters.xero_events import parse_xero
from chalicelib.domain.models import STOP_REMINDERS_PAYLOAD, TemplateRef
from chalicelib.domain.replies import ReplyIntent, classify_button, classify_text
from chalicelib.domain.templates import TemplateState, apply_registry, verdict
from chalicelib.webhooks.intake import (
    MAX_MESSAGE_BYTES,
    base64_signature_is_valid,
    envelopes,
    meta_signature_is_valid,
    split_meta,
)

OUT, IN, YES, OTHER = ReplyIntent.OPT_OUT, ReplyIntent.OPT_IN, ReplyIntent.AFFIRM, ReplyIntent.OTHER


@pytest.mark.parametrize(
    ("text", "intent", "language"),
    [
        ("STOP", OUT, "en"),
        ("stop", OUT, "en"),
        ("  Stop.  ", OUT, "en"),
        ("STOP!!! 🛑", OUT, "en"),
        ("🙏 stop ya pak", OUT, "en"),
        ("S T O P", OUT, "en"),
        ("stooop", OUT, "en"),
        ("Unsubscribe", OUT, "en"),
        ("STOP REMINDERS", OUT, "en"),
        ("stop reminders please", OUT, "en"),
        ("Please stop sending me these messages", OUT, "en"),
        ("opt-out", OUT, "en"),
        ("BERHENTI", OUT, "id"),
        ("berhenti.", OUT, "id"),
        ("Berhenti ya kak 🙏", OUT, "id"),
        ("JANGAN KIRIM LAGI", OUT, "id"),
        ("jangan kirim lagi!!", OUT, "id"),
        ("Mohon jangan kirim lagi pesan ini", OUT, "id"),
        ("Tolong hentikan pengingat ini", OUT, "id"),
        ("berhenti berlangganan", OUT, "id"),
        ("UNREG", OUT, "id"),
        ("gak mau lagi", OUT, "id"),
        ("Bérhenti", OUT, "id"),  # accents
        ("START", IN, "en"),
        ("start!", IN, "en"),
        ("Mulai", IN, "id"),
        ("mulai lagi ya", IN, "id"),
        ("YES", YES, "en"),
        ("Ya", YES, "id"),
        ("iya", YES, "id"),
        ("ya, setuju", YES, "id"),
        ("Sudah saya transfer kemarin", OTHER, None),
        ("Thank you, will pay tomorrow", OTHER, None),
        ("stop by our office tomorrow", OTHER, None),  # "stop" inside a sentence is not an opt-out
        ("jangan kirim ke alamat lama", OTHER, None),  # "jangan kirim" only counts on its own
        ("ok", OTHER, None),
        ("", OTHER, None),
        ("🛑", OTHER, None),
    ],
)
def test_reply_meaning(text: str, intent: ReplyIntent, language: str | None) -> None:
    meaning = classify_text(text)
    assert (meaning.intent, meaning.language) == (intent, language)


def test_the_templates_stop_button_is_an_opt_out_whatever_its_label() -> None:
    assert classify_button(STOP_REMINDERS_PAYLOAD, "Berhenti").intent is OUT
    assert classify_button(STOP_REMINDERS_PAYLOAD, "Stop reminders").intent is OUT
    assert classify_button("SOMETHING_ELSE", "Sudah bayar").intent is OTHER
    assert classify_button("", "STOP").intent is OUT  # no payload: the label is read like text


NOW = dt.datetime(2026, 11, 24, 3, 0, tzinfo=dt.UTC)
PRE_DUE = TemplateRef("lunas_invoice_pre_due", "id")
OVERDUE = TemplateRef("lunas_invoice_overdue", "id")


@pytest.mark.parametrize(
    ("state", "usable"),
    [
        (TemplateState(name="t", language="id", status="APPROVED", category="UTILITY"), True),
        (TemplateState(name="t", language="id", status="REINSTATED", category="UTILITY"), True),
        (TemplateState(name="t", language="id", status="FLAGGED", category="UTILITY"), True),
        (TemplateState(name="t", language="id", status="PAUSED", status_reason="FIRST_PAUSE"), False),
        (TemplateState(name="t", language="id", status="DISABLED"), False),
        (TemplateState(name="t", language="id", status="REJECTED", status_reason="INCORRECT_CATEGORY"), False),
        (TemplateState(name="t", language="id", status="APPROVED", category="MARKETING"), False),
        (
            TemplateState(
                name="t",
                language="id",
                category="UTILITY",
                pending_category="MARKETING",
                pending_category_from=NOW + dt.timedelta(days=1),
            ),
            True,
        ),
        (
            TemplateState(
                name="t",
                language="id",
                category="UTILITY",
                pending_category="MARKETING",
                pending_category_from=NOW - dt.timedelta(days=1),
            ),
            False,
        ),
    ],
)
def test_template_verdicts(state: TemplateState, usable: bool) -> None:
    assert (verdict(state, NOW) is None) is usable


def test_the_registry_overrides_metas_cached_list_both_ways_and_says_why() -> None:
    cached = frozenset({PRE_DUE})
    states = [
        TemplateState(name=PRE_DUE.name, language="id", status="PAUSED", status_reason="FIRST_PAUSE"),
        TemplateState(name=OVERDUE.name, language="id", status="APPROVED", category="UTILITY"),
    ]
    usable, notes = apply_registry(cached, states, NOW)
    assert usable == frozenset({OVERDUE})
    assert notes == {PRE_DUE: "Meta reported PAUSED (FIRST_PAUSE)"}


def _status(i: int) -> dict[str, object]:
    return {"id": f"wamid.{i:06d}" + "x" * 60, "status": "read", "timestamp": "1795431000", "recipient_id": "62812"}


def test_a_body_too_big_for_one_queue_message_is_split_and_nothing_is_lost() -> None:
    entry = {
        "id": "waba",
        "changes": [
            {"field": "messages", "value": {"metadata": {"phone_number_id": "pn"}, "statuses": [_status(i)]}}
            for i in range(3000)
        ],
    }
    payload = {"object": "whatsapp_business_account", "entry": [entry]}
    raw = json.dumps(payload)
    assert len(raw) > MAX_MESSAGE_BYTES
    bodies = envelopes("whatsapp", raw, payload, NOW)
    assert len(bodies) > 1 and all(len(b.encode()) <= MAX_MESSAGE_BYTES for b in bodies)
    statuses = [
        s["id"]
        for b in bodies
        for e in json.loads(json.loads(b)["body"])["entry"]
        for c in e["changes"]
        for s in c["value"]["statuses"]
    ]
    assert sorted(statuses) == sorted(str(_status(i)["id"]) for i in range(3000))


def test_a_split_body_has_as_few_parts_as_fit_and_keeps_each_messages_statuses_together() -> None:
    """Meta's batched shape (one entry per status), 1,000 messages with 3 statuses each, shuffled: each message's
    statuses land in one part (so its worker merges them), and the parts are nearly full."""
    metadata = {"display_phone_number": "6221", "phone_number_id": "pn"}
    entries = [
        {"id": "waba", "changes": [{"field": "messages", "value": {"metadata": metadata, "statuses": [status]}}]}
        for status in ({**_status(i), "status": s} for i in range(1000) for s in ("sent", "delivered", "read"))
    ]
    random.Random(3).shuffle(entries)
    payload = {"object": "whatsapp_business_account", "entry": entries}
    raw = json.dumps(payload)
    bodies = envelopes("whatsapp", raw, payload, NOW)
    assert all(len(b.encode()) <= MAX_MESSAGE_BYTES for b in bodies)
    escaped = len(json.dumps(json.dumps(payload, separators=(",", ":"))))
    assert len(bodies) <= escaped // MAX_MESSAGE_BYTES + 2  # nearly full parts, not one per change or per status
    part_of: dict[str, set[int]] = {}
    for n, body in enumerate(bodies):
        for entry in json.loads(json.loads(body)["body"])["entry"]:
            for status in entry["changes"][0]["value"]["statuses"]:
                part_of.setdefault(status["id"], set()).add(n)
    assert len(part_of) == 1000 and all(len(parts) == 1 for parts in part_of.values())


def test_queue_batches_hold_at_most_10_messages_and_256_kib() -> None:
    def sizes(bodies: list[str]) -> list[int]:
        return [len(batch) for batch in batches(bodies)]

    assert sizes(["x" * 1000] * 12) == [10, 2]
    assert sizes(["x" * 100_000] * 5) == [2, 2, 1]
    assert sizes(["x" * 240_000, "y" * 20_000, "z" * 240_000]) == [2, 1]  # 260,000 bytes fit in 262,144
    assert sizes(["é" * 131_000, "x" * 200]) == [1, 1]  # UTF-8 bytes count: 262,000 + 200 > 262,144
    assert sizes([]) == []


def test_split_keeps_metadata_and_contacts_with_every_part() -> None:
    value = {"metadata": {"phone_number_id": "pn"}, "contacts": [{"wa_id": "62812"}], "messages": [{"id": "a"}]}
    payload = {"entry": [{"id": "w", "changes": [{"field": "messages", "value": {**value, "statuses": [_status(1)]}}]}]}
    parts = list(split_meta(payload))
    assert [list(p["entry"][0]["changes"][0]["value"]) for p in parts] == [
        ["metadata", "contacts", "statuses"],
        ["metadata", "contacts", "messages"],
    ]


def test_signatures() -> None:
    body = b'{"events":[]}'
    hexsig = "sha256=" + hmac.new(b"secret", body, hashlib.sha256).hexdigest()
    b64 = base64.b64encode(hmac.new(b"key", body, hashlib.sha256).digest()).decode()
    assert meta_signature_is_valid(body, hexsig, "secret")
    assert not meta_signature_is_valid(body + b" ", hexsig, "secret")
    assert not meta_signature_is_valid(body, hexsig.removeprefix("sha256="), "secret")
    assert not meta_signature_is_valid(body, hexsig, "")  # no secret configured: nothing is accepted
    assert base64_signature_is_valid(body, b64, "key")
    assert not base64_signature_is_valid(body, b64, "other")
    assert not base64_signature_is_valid(body, None, "key")


def test_xero_events_become_invoice_and_contact_changes() -> None:
    payload = {
        "events": [
            {"resourceUrl": "https://api.xero.com/api.xro/2.0/Invoices/i-1", "resourceId": "i-1",
             "eventDateUtc": "2026-11-24T01:15:39.902", "eventType": "UPDATE", "eventCategory": "INVOICE",
             "tenantId": "t-1", "tenantType": "ORGANISATION"},
            {"resourceId": "c-1", "eventDateUtc": "2026-11-24T01:15:40.000", "eventType": "CREATE",
             "eventCategory": "CONTACT", "tenantId": "t-1", "tenantType": "ORGANISATION"},
            {"resourceId": "cn-1", "eventType": "UPDATE", "eventCategory": "CREDITNOTE", "tenantId": "t-1"},
        ],
        "firstEventSequence": 1,
        "lastEventSequence": 3,
        "entropy": "ABC",
    }  # fmt: skip
    changes = parse_xero(payload)
    assert [(c.kind, c.resource_id, c.operation, c.tenant_id) for c in changes] == [
        ("invoice", "i-1", "update", "t-1"),
        ("customer", "c-1", "create", "t-1"),
    ]
    assert len({c.dedupe_key for c in changes}) == 2


def test_quickbooks_cloudevents_and_legacy_payloads_give_the_same_changes() -> None:
    cloud = [
        {"specversion": "1.0", "id": "e-1", "source": "intuit.x", "type": "qbo.invoice.updated.v1",
         "datacontenttype": "application/json", "time": "2026-11-24T01:00:00Z", "intuitentityid": "130",
         "intuitaccountid": "9130", "data": {}},
        {"specversion": "1.0", "id": "e-2", "type": "qbo.customer.created.v1", "intuitentityid": "7",
         "intuitaccountid": "9131", "data": {}},
        {"specversion": "1.0", "id": "e-3", "type": "qbo.payment.created.v1", "intuitentityid": "9",
         "intuitaccountid": "9131", "data": {}},
    ]  # fmt: skip
    legacy = {
        "eventNotifications": [
            {"realmId": "9130", "dataChangeEvent": {"entities": [
                {"name": "Invoice", "id": "130", "operation": "Update", "lastUpdated": "2026-11-24T01:00:00.000Z"}]}},
            {"realmId": "9131", "dataChangeEvent": {"entities": [
                {"name": "Customer", "id": "7", "operation": "Create", "lastUpdated": "2026-11-24T01:00:00.000Z"},
                {"name": "Payment", "id": "9", "operation": "Create", "lastUpdated": "2026-11-24T01:00:00.000Z"}]}},
        ]
    }  # fmt: skip
    # A payment names the invoices it pays: processing reads it (webhooks/accounting.py).
    shape = [
        ("invoice", "130", "updated", "9130"),
        ("customer", "7", "created", "9131"),
        ("payment", "9", "created", "9131"),
    ]
    assert [(c.kind, c.resource_id, c.operation, c.tenant_id) for c in parse_quickbooks(cloud)] == shape
    legacy_shape = [
        ("invoice", "130", "update", "9130"),
        ("customer", "7", "create", "9131"),
        ("payment", "9", "create", "9131"),
    ]
    assert [(c.kind, c.resource_id, c.operation, c.tenant_id) for c in parse_quickbooks(legacy)] == legacy_shape
    assert parse_quickbooks({"unexpected": True}) == [] and parse_quickbooks("nonsense") == []
