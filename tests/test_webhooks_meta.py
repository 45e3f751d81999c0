"""Meta's webhooks through the real HTTP route (signed), the SQS webhook queue and the process_webhooks worker."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import random
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from chalicelib import bootstrap
from chalicelib.domain.models import (
    ConsentStatus,
    DueReminder,
    Invoice,
    InvoiceStatus,
    Money,
    OutgoingMessage,
    Stage,
    TemplateRef,
)
from chalicelib.domain.tracking import tracker_for
from chalicelib.storage.consent import DynamoMarketingPreferences
from chalicelib.storage.inbox import DynamoReplies
from chalicelib.storage.schema import ParkedStatusRecord
from chalicelib.storage.templates import DynamoTemplateRegistry
from chalicelib.storage.writes import batch_get
from sandbox.run import META_APP_SECRET, Sandbox
from tests.world import TUESDAY_10_JAKARTA, World, set_clock

BUDI = "+6281234567001"
SARI = "+6281234567002"


@pytest.fixture
def world(world: World, sandbox: Sandbox) -> Iterator[World]:
    """The shared `world`, plus the Meta fake put back as it was (these tests change its settings)."""
    yield world
    sandbox.meta.reset()
    sandbox.meta.configure(auto_deliver=True)


def _post(sandbox: Sandbox, payload: Any, secret: str | None = META_APP_SECRET) -> httpx.Response:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Hub-Signature-256"] = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return httpx.post(f"{sandbox.app_url}/webhooks/whatsapp", content=body, headers=headers, timeout=30)


def _envelope(phone_number_id: str, value: dict[str, Any], field: str = "messages") -> dict[str, Any]:
    metadata = {"display_phone_number": "622155550000", "phone_number_id": phone_number_id}
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "waba", "changes": [{"field": field, "value": {"metadata": metadata, **value}}]}],
    }


def _status(wamid: str, status: str, *, tracker: str | None = None, **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"id": wamid, "status": status, "timestamp": "1795431000", "recipient_id": "6281234567001"}
    if tracker:
        item["biz_opaque_callback_data"] = tracker
    return {**item, **extra}


def _text(phone: str, text: str, message_id: str) -> dict[str, Any]:
    wa_id = phone.removeprefix("+")
    return {
        "contacts": [{"profile": {"name": "Budi"}, "wa_id": wa_id, "user_id": "ID.1234567"}],
        "messages": [
            {"from": wa_id, "id": message_id, "timestamp": "1795431000", "type": "text", "text": {"body": text}}
        ],
    }


def _one_overdue(world: World, phone: str = BUDI, *, consent: bool = True) -> World:
    world.customer("Budi Santoso", phone)
    world.invoice("INV-001", "Budi Santoso", due_in_days=-4)
    world.create()
    if consent:
        world.consent(phone)
    return world


def _consent(world: World, phone: str = BUDI) -> Any:
    return bootstrap.container().stores.consents.for_phones(world.org_id, [phone]).get(phone)


def _texts_sent(world: World) -> list[dict[str, Any]]:
    return [m for m in world.messages() if m.get("type") == "text"]


# -- the route: signature, JSON, durability --------------------------------------------------------------------


def test_a_missing_or_wrong_signature_is_refused_and_changes_nothing(world: World, sandbox: Sandbox) -> None:
    _one_overdue(world)
    payload = _envelope(world.phone_number_id, _text(BUDI, "STOP", "wamid.in.unsigned"))
    assert _post(sandbox, payload, secret=None).status_code == 401
    assert _post(sandbox, payload, secret="not-the-app-secret").status_code == 401
    sandbox.drain_webhooks()
    assert _consent(world).status is ConsentStatus.OPTED_IN
    assert DynamoReplies().for_org(world.org_id) == []


@pytest.mark.parametrize("body", [b"{not json", b"", b"\xff\xfe", b"[1, 2"])
def test_signed_malformed_json_is_a_400_never_a_500(sandbox: Sandbox, body: bytes) -> None:
    assert _post(sandbox, body).status_code == 400


def test_the_body_is_queued_before_the_200_and_a_queue_failure_is_a_500_so_meta_retries(
    world: World, sandbox: Sandbox
) -> None:
    _one_overdue(world)
    payload = _envelope(world.phone_number_id, _text(BUDI, "Sudah saya bayar", "wamid.in.retry"))
    with bootstrap.installed(bootstrap.container().with_settings(webhook_queue_name="no-such-queue")):
        assert _post(sandbox, payload).status_code == 500
    sandbox.drain_webhooks()
    assert DynamoReplies().for_org(world.org_id) == []  # nothing was processed behind a 200
    assert _post(sandbox, payload).status_code == 200  # Meta's retry
    sandbox.drain_webhooks()
    assert [r.text for r in DynamoReplies().for_org(world.org_id)] == ["Sudah saya bayar"]


def test_an_unknown_phone_number_id_is_acknowledged_and_ignored(world: World, sandbox: Sandbox) -> None:
    _one_overdue(world)
    response = _post(sandbox, _envelope("pn-nobody-registered", _text(BUDI, "STOP", "wamid.in.unknown")))
    assert response.status_code == 200
    sandbox.drain_webhooks()
    assert _consent(world).status is ConsentStatus.OPTED_IN  # the same phone, but not through this org's number


# -- statuses ----------------------------------------------------------------------------------------------------


def test_failed_statuses_with_and_without_contacts_keep_code_title_and_pricing(world: World, sandbox: Sandbox) -> None:
    world.customer("Budi Santoso", BUDI)
    world.customer("PT Sinar Abadi", SARI)
    world.invoice("INV-001", "Budi Santoso", due_in_days=-4)
    world.invoice("INV-002", "PT Sinar Abadi", due_in_days=-4)
    world.create()
    world.consent(BUDI)
    world.consent(SARI)
    sandbox.meta.configure(auto_deliver=False)
    world.run_cycle()
    sent = {m["to"]: m for m in world.messages()}
    budi, sari = sent[BUDI], sent[SARI]
    pricing = {"billable": True, "pricing_model": "PMP", "type": "regular", "category": "utility"}
    error = {"code": 131049, "title": "This message was not delivered to maintain healthy ecosystem engagement.",
             "message": "…", "error_data": {"details": "…"}}  # fmt: skip
    not_on_wa = {"code": 131026, "title": "Message undeliverable", "error_data": {"details": "…"}}
    value = {
        "statuses": [
            _status(budi["wamid"], "sent", tracker=budi["tracker"], pricing=pricing),
            _status(budi["wamid"], "failed", tracker=budi["tracker"], errors=[error]),  # documented: no contacts
            _status(sari["wamid"], "failed", tracker=sari["tracker"], errors=[not_on_wa], recipient_id=SARI[1:]),
        ],
        "contacts": [{"wa_id": SARI[1:]}],  # the field variant: contacts without profile or user_id
    }
    assert _post(sandbox, _envelope(world.phone_number_id, value)).status_code == 200
    sandbox.drain_webhooks()
    messages = {m.phone: m for m in bootstrap.container().stores.ledger.messages(world.org_id)}
    assert (messages[BUDI].delivery, messages[BUDI].error_code, messages[BUDI].pricing_category) == (
        "failed",
        131049,
        "utility",
    )
    assert "healthy ecosystem" in (messages[BUDI].error_title or "")
    assert (messages[SARI].delivery, messages[SARI].error_code) == ("failed", 131026)
    entries = {e.ledger_key: e for e in bootstrap.container().stores.ledger.entries(world.org_id)}
    assert {(e.delivery, e.error_code) for e in entries.values()} == {("failed", 131049), ("failed", 131026)}
    assert bootstrap.container().stores.phone_flags.unreachable(world.org_id, [BUDI, SARI]) == frozenset({SARI})


def test_a_tracker_naming_another_organisation_is_ignored(world: World, sandbox: Sandbox) -> None:
    _one_overdue(world)
    sandbox.meta.configure(auto_deliver=False)
    world.run_cycle()
    [sent] = world.messages()
    other = World(sandbox, today=world.today).create()  # another organisation, its own number
    try:
        forged = _status(sent["wamid"], "read", tracker=tracker_for(world.org_id, sent["tracker"].split("|")[1]))
        assert _post(sandbox, _envelope(other.phone_number_id, {"statuses": [forged]})).status_code == 200
        sandbox.drain_webhooks()
    finally:
        other.retire()
    [message] = bootstrap.container().stores.ledger.messages(world.org_id)
    assert message.delivery is None


def test_a_status_before_its_send_was_recorded_still_lands(world: World, sandbox: Sandbox) -> None:
    """Meta's webhook can beat the worker's own record of the send (no tracker: matched on the wamid later)."""
    ledger = bootstrap.container().stores.ledger
    world.create()
    invoice = Invoice(
        source="xero", connection_id=world.connection_id, invoice_id="inv-race", number="INV-RACE",
        customer_id="c-1", customer_name="Budi", due_date=world.today, amount_due=Money(Decimal("1000"), "IDR"),
        status=InvoiceStatus.OPEN,
    )  # fmt: skip
    message = OutgoingMessage(
        phone=BUDI,
        customer_name="Budi",
        reminders=(DueReminder(invoice=invoice, stage=Stage(0)),),
        template=TemplateRef("lunas_invoice_due_today", "id"),
        send_date=world.today,
    )
    now = sandbox.clock.now()
    msg_sk = ledger.claim(world.org_id, message, world.today, now)
    assert msg_sk is not None
    wamid = f"wamid.race.{world.org_id}"
    statuses = [_status(wamid, "delivered"), _status(wamid, "read")]
    assert _post(sandbox, _envelope(world.phone_number_id, {"statuses": statuses})).status_code == 200
    sandbox.drain_webhooks()
    assert ledger.messages(world.org_id)[0].delivery is None  # parked: nothing to apply it to yet
    ledger.record_sent(world.org_id, msg_sk, wamid, now)
    [recorded] = ledger.messages(world.org_id)
    assert (recorded.state, recorded.wamid, recorded.delivery) == ("sent", wamid, "read")


def test_a_batch_of_1000_updates_is_processed_entirely_once(world: World, sandbox: Sandbox) -> None:
    """Several entries and changes; statuses shuffled (out of order) and repeated; replies; others' wamids."""
    customers = [f"+62812345{6000 + i:04d}" for i in range(5)]
    for i, phone in enumerate(customers):
        world.customer(f"Pelanggan {i}", phone)
        world.invoice(f"INV-{i:03d}", f"Pelanggan {i}", due_in_days=-4)
    world.create()
    for phone in customers:
        world.consent(phone)
    sandbox.meta.configure(auto_deliver=False)
    world.run_cycle()
    sent = world.messages()
    assert len(sent) == 5
    updates: list[dict[str, Any]] = []
    for m in sent:
        for status in ("sent", "delivered", "read"):
            updates.append(_status(m["wamid"], status, tracker=m["tracker"]))
    updates += [dict(u) for u in updates]  # every status twice (Meta retries to every subscribed app)
    updates += [_status(f"wamid.not-ours.{i}", "delivered") for i in range(1000 - len(updates) - 10)]
    random.Random(7).shuffle(updates)
    replies = [_text(customers[i % 5], "Sudah saya transfer", f"wamid.in.batch.{i}")["messages"][0] for i in range(10)]
    changes: list[dict[str, Any]] = [
        {"field": "messages", "value": {"metadata": {"phone_number_id": world.phone_number_id}, "statuses": chunk}}
        for chunk in (updates[i : i + 99] for i in range(0, len(updates), 99))
    ]
    changes.append(
        {"field": "messages", "value": {"metadata": {"phone_number_id": world.phone_number_id}, "messages": replies}}
    )
    payload = {
        "object": "whatsapp_business_account",
        "entry": [{"id": world.waba_id, "changes": changes[i : i + 4]} for i in range(0, len(changes), 4)],
    }
    assert sum(len(c["value"].get("statuses", c["value"].get("messages", []))) for c in changes) == 1000
    assert _post(sandbox, payload).status_code == 200
    sandbox.drain_webhooks()
    messages = bootstrap.container().stores.ledger.messages(world.org_id)
    assert [m.delivery for m in messages] == ["read"] * 5
    assert {e.delivery for e in bootstrap.container().stores.ledger.entries(world.org_id)} == {"read"}
    assert len(DynamoReplies().for_org(world.org_id)) == 10
    parked = batch_get(
        ParkedStatusRecord, [(f"WAMID#wamid.not-ours.{i}", "STATUS#delivered") for i in range(1000 - 30 - 10)]
    )
    assert len(parked) == 960
    assert _post(sandbox, payload).status_code == 200  # the whole batch again: nothing changes
    sandbox.drain_webhooks()
    assert len(DynamoReplies().for_org(world.org_id)) == 10


# -- replies ----------------------------------------------------------------------------------------------------


def test_a_stop_in_bahasa_indonesia_opts_out_with_evidence_confirms_once_and_stops_reminders(
    world: World, sandbox: Sandbox
) -> None:
    _one_overdue(world)
    world.run_cycle()
    assert world.reasons() == {"INV-001": "sent"}
    wamid = sandbox.meta.simulate_text(world.phone_number_id, BUDI, "Jangan kirim lagi ya pak 🙏")
    sandbox.meta.flush()
    sandbox.meta.flush()
    [delivery] = [d for d in sandbox.meta.deliveries()["deliveries"] if d["wamid"] == wamid]
    assert _post(sandbox, json.loads(delivery["body"])).status_code == 200  # Meta's retry: a duplicate
    sandbox.drain_webhooks()
    consent = _consent(world)
    assert (consent.status, consent.source) == (ConsentStatus.OPTED_OUT, "whatsapp_reply")
    assert wamid in consent.evidence and "Jangan kirim lagi" in consent.evidence
    assert len(bootstrap.container().stores.consents.history(world.org_id, BUDI)) == 2  # opted in, then out: once
    [confirmation] = _texts_sent(world)
    assert confirmation["to"] == BUDI and "tidak akan menerima pengingat" in confirmation["rendered_text"]
    sandbox.xero.patch_invoice(
        world.invoice_ids["INV-001"], {"dueDate": (world.today - dt.timedelta(days=8)).isoformat()}
    )
    set_clock(TUESDAY_10_JAKARTA + dt.timedelta(days=1))
    world.run_cycle()
    assert world.reasons() == {"INV-001": "opted_out"}
    assert len([m for m in world.messages() if m.get("type") == "template"]) == 1


def test_the_stop_button_opts_out_and_start_or_yes_to_the_prompt_opts_back_in(world: World, sandbox: Sandbox) -> None:
    _one_overdue(world)
    world.run_cycle()
    [reminder] = world.messages()
    sandbox.meta.simulate_button_tap(reminder["wamid"])  # the template's "stop reminders" quick reply
    sandbox.drain_webhooks(flush_fakes=True)
    consent = _consent(world)
    assert (consent.status, consent.source) == (ConsentStatus.OPTED_OUT, "whatsapp_button")
    assert len(_texts_sent(world)) == 1  # the confirmation, which invites a "yes" to opt back in
    sandbox.meta.simulate_text(world.phone_number_id, BUDI, "Ya")  # yes, to the confirmation's prompt
    sandbox.drain_webhooks(flush_fakes=True)
    assert _consent(world).status is ConsentStatus.OPTED_IN
    sandbox.meta.simulate_text(world.phone_number_id, BUDI, "STOP")
    sandbox.drain_webhooks(flush_fakes=True)
    assert _consent(world).status is ConsentStatus.OPTED_OUT
    sandbox.meta.simulate_text(world.phone_number_id, BUDI, "START")
    sandbox.drain_webhooks(flush_fakes=True)
    consent = _consent(world)
    assert consent.status is ConsentStatus.OPTED_IN and "START" in consent.evidence
    intents = sorted((r.intent, r.action) for r in DynamoReplies().for_org(world.org_id))  # same second
    assert intents == [("opt_in", "opted_in")] * 2 + [("opt_out", "opted_out")] * 2
    assert len(_texts_sent(world)) == 2  # one confirmation per opt-out


def test_any_other_reply_is_stored_for_the_owner_and_pauses_that_customer(world: World, sandbox: Sandbox) -> None:
    _one_overdue(world)
    sandbox.meta.simulate_text(world.phone_number_id, BUDI, "Ya")  # no prompt before it: just a reply
    sandbox.meta.simulate_text(world.phone_number_id, BUDI, "Sudah saya transfer kemarin, mohon dicek")
    sandbox.drain_webhooks(flush_fakes=True)
    replies = DynamoReplies().for_org(world.org_id)
    assert {r.text for r in replies} == {"Ya", "Sudah saya transfer kemarin, mohon dicek"}
    assert all(r.phone == BUDI and r.action.startswith("reminders paused until") for r in replies)
    world.run_cycle()
    assert world.decisions()["INV-001"][0] == "paused"
    assert world.messages() == [] or all(m.get("type") != "template" for m in world.messages())
    set_clock(TUESDAY_10_JAKARTA + dt.timedelta(days=6))  # next Monday: the pause (3 days by default) is over
    world.run_cycle()
    assert world.reasons() == {"INV-001": "sent"}


def test_user_preferences_are_recorded(world: World, sandbox: Sandbox) -> None:
    _one_overdue(world)
    sandbox.meta.simulate_user_preferences(world.phone_number_id, BUDI, "stop")
    sandbox.drain_webhooks(flush_fakes=True)
    preference = DynamoMarketingPreferences().get(world.org_id, BUDI)
    assert preference is not None and (preference.category, preference.value) == ("marketing_messages", "stop")
    assert _consent(world).status is ConsentStatus.OPTED_IN  # marketing only: utility reminders are not affected


# -- template events ---------------------------------------------------------------------------------------------


def test_a_paused_or_recategorised_template_is_not_used_at_once_and_the_owner_sees_why(
    world: World, sandbox: Sandbox
) -> None:
    _one_overdue(world)
    world.customer  # noqa: B018
    sandbox.meta.simulate_template_event(
        world.waba_id, "lunas_invoice_overdue", "id", "PAUSED", other_info={"title": "FIRST_PAUSE"}
    )  # Meta's template list (cached for 5 minutes by the worker) still says APPROVED: the event must win
    sandbox.drain_webhooks(flush_fakes=True)
    world.run_cycle()
    reason, detail = world.decisions()["INV-001"]
    assert reason == "template_not_approved"
    assert "PAUSED" in detail and "FIRST_PAUSE" in detail
    assert world.messages() == []
    sandbox.meta.simulate_template_event(world.waba_id, "lunas_invoice_overdue", "id", "REINSTATED")
    sandbox.drain_webhooks(flush_fakes=True)
    set_clock(TUESDAY_10_JAKARTA + dt.timedelta(hours=1))
    world.run_cycle()
    assert world.reasons() == {"INV-001": "sent"}
    sandbox.meta.simulate_category_update(world.waba_id, "lunas_invoice_overdue", "id", "MARKETING")
    sandbox.meta.simulate_quality_update(world.waba_id, "lunas_invoice_overdue", "id", "YELLOW")
    sandbox.drain_webhooks(flush_fakes=True)
    [state] = [s for s in DynamoTemplateRegistry().states(world.waba_id) if s.name == "lunas_invoice_overdue"]
    assert (state.status, state.category, state.quality) == ("REINSTATED", "MARKETING", "YELLOW")
    lunas = bootstrap.container()
    usable = lunas.approved_templates(lunas.stores.organisations.whatsapp(world.org_id))  # type: ignore[arg-type]
    assert TemplateRef("lunas_invoice_overdue", "id") not in usable
    assert TemplateRef("lunas_invoice_due_today", "id") in usable
