"""The fake Graph API answers like Meta's documentation says, in shapes pywa parses."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandbox.meta import FakeMetaGraph
from tests.meta_support import (
    ACCESS_TOKEN,
    APP_SECRET,
    CUSTOMER,
    PHONE_NUMBER_ID,
    WABA_ID,
    WebhookSink,
    register_default_number,
    running,
)

BODY = {
    "customer_name": "PT Maju Jaya",
    "business_name": "CV Sumber Rejeki",
    "invoice_number": "INV-0112",
    "amount_due": "Rp 1.250.000",
    "due_date": "30 November 2026",
    "days_overdue": "3 hari",
}


# Servers live for the module (stopping one takes ~0.5 s); every test starts from a reset state.
@pytest.fixture(scope="module")
def module_servers() -> Iterator[tuple[FakeMetaGraph, WebhookSink]]:
    sink, meta = WebhookSink(), FakeMetaGraph(auto_deliver=False, public_url="http://127.0.0.1:8000")
    with running(sink), running(meta):
        register_default_number(meta, sink.webhook_url)
        yield meta, sink


@pytest.fixture
def sink(module_servers: tuple[FakeMetaGraph, WebhookSink]) -> WebhookSink:
    sink = module_servers[1]
    sink.received.clear()
    sink.status = 200
    sink.arrived.clear()
    return sink


@pytest.fixture
def meta(module_servers: tuple[FakeMetaGraph, WebhookSink], sink: WebhookSink) -> FakeMetaGraph:
    meta = module_servers[0]
    meta.reset()
    return meta


@pytest.fixture
def graph(meta: FakeMetaGraph) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=meta.url + "/v25.0", headers={"Authorization": f"Bearer {ACCESS_TOKEN}"}) as client:
        yield client


def template_body(
    name: str = "lunas_invoice_overdue",
    language: str = "id",
    params: dict[str, str] | None = None,
    suffix: str | None = "AbC123",
    tracker: str | None = "conn-1#inv-1#d+7",
) -> dict[str, Any]:
    components: list[dict[str, Any]] = [
        {
            "type": "body",
            "parameters": [
                {"type": "text", "parameter_name": k, "text": v}
                for k, v in (BODY if params is None else params).items()
            ],
        }
    ]
    if suffix is not None:
        components.append(
            {"type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": suffix}]}
        )
    components.append(
        {
            "type": "button",
            "sub_type": "quick_reply",
            "index": "1",
            "parameters": [{"type": "payload", "payload": "LUNAS_STOP_REMINDERS"}],
        }
    )
    body: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": CUSTOMER,
        "type": "template",
        "template": {"name": name, "language": {"code": language}, "components": components},
    }
    if tracker is not None:
        body["biz_opaque_callback_data"] = tracker
    return body


def send(graph: httpx.Client, body: dict[str, Any]) -> httpx.Response:
    return graph.post(f"/{PHONE_NUMBER_ID}/messages", json=body)


def error_of(response: httpx.Response) -> dict[str, Any]:
    error: dict[str, Any] = response.json()["error"]
    assert error["type"] == "OAuthException"
    assert error["message"].startswith(f"(#{error['code']})")
    assert error["fbtrace_id"]
    return error


def payload(received: bytes) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(received)
    return data


# -- sending --------------------------------------------------------------------------------------------------


def test_accepted_send_has_metas_shape_and_is_recorded_rendered(meta: FakeMetaGraph, graph: httpx.Client) -> None:
    response = send(graph, template_body())
    assert response.status_code == 200
    data = response.json()
    assert data["messaging_product"] == "whatsapp"
    assert data["contacts"] == [{"input": CUSTOMER, "wa_id": "6281234567890"}]
    [message] = data["messages"]
    assert message["id"].startswith("wamid.") and message["message_status"] == "accepted"

    [stored] = meta.messages()
    assert stored["wamid"] == message["id"]
    assert stored["template"] == "lunas_invoice_overdue" and stored["language"] == "id"
    assert stored["params"] == BODY
    assert stored["tracker"] == "conn-1#inv-1#d+7"
    assert stored["button_url_suffix"] == "AbC123"
    assert stored["quick_reply_payloads"] == {"1": "LUNAS_STOP_REMINDERS"}
    text = stored["rendered_text"]
    assert "Yth. PT Maju Jaya," in text
    assert "invoice INV-0112 sebesar Rp 1.250.000 sudah lewat 3 hari dari jatuh tempo 30 November 2026" in text
    assert "{{" not in stored["rendered"]["body"]
    # The template host is replaced by the public URL the fake was given.
    assert stored["rendered"]["buttons"][0]["url"] == "http://127.0.0.1:8000/pay/AbC123"
    assert "[ Hentikan pengingat ]" in text


def test_wamids_are_unique(graph: httpx.Client) -> None:
    ids = {send(graph, template_body()).json()["messages"][0]["id"] for _ in range(5)}
    assert len(ids) == 5


def test_wrong_token_is_401_code_190(meta: FakeMetaGraph) -> None:
    response = httpx.post(
        f"{meta.url}/v25.0/{PHONE_NUMBER_ID}/messages", json=template_body(), headers={"Authorization": "Bearer nope"}
    )
    assert response.status_code == 401
    assert error_of(response)["code"] == 190
    assert meta.messages() == []


def test_unknown_phone_number_id(graph: httpx.Client) -> None:
    response = graph.post("/999/messages", json=template_body())
    assert response.status_code == 400
    assert error_of(response)["code"] == 100


@pytest.mark.parametrize(
    ("name", "language"),
    [("no_such_template", "id"), ("lunas_invoice_overdue", "en_US"), ("lunas_invoice_overdue", "fr")],
)
def test_missing_template_or_language_is_132001(graph: httpx.Client, name: str, language: str) -> None:
    response = send(graph, template_body(name=name, language=language))
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == 132001
    assert error["error_data"]["messaging_product"] == "whatsapp"
    assert error["error_data"]["details"]


@pytest.mark.parametrize(
    ("status", "code"), [("REJECTED", 132001), ("PENDING", 132001), ("PAUSED", 132015), ("DISABLED", 132016)]
)
def test_unapproved_template_is_refused(meta: FakeMetaGraph, graph: httpx.Client, status: str, code: int) -> None:
    meta.set_template_status("lunas_invoice_overdue", "id", status=status)
    assert error_of(send(graph, template_body()))["code"] == code
    # the other language is untouched
    assert send(graph, template_body(language="en")).status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {k: v for k, v in BODY.items() if k != "due_date"},
        {**BODY, "total_due": "Rp 1"},
        {**{k: v for k, v in BODY.items() if k != "due_date"}, "oldest_due_date": "1 Mei 2026"},
    ],
)
def test_wrong_named_params_are_132000(meta: FakeMetaGraph, graph: httpx.Client, params: dict[str, str]) -> None:
    response = send(graph, template_body(params=params))
    assert response.status_code == 400
    assert error_of(response)["code"] == 132000
    assert meta.messages() == []


def test_missing_url_button_param_is_132000(graph: httpx.Client) -> None:
    assert error_of(send(graph, template_body(suffix=None)))["code"] == 132000


def test_positional_params_on_named_template_are_refused(graph: httpx.Client) -> None:
    body = template_body()
    for parameter in body["template"]["components"][0]["parameters"]:
        del parameter["parameter_name"]
    assert error_of(send(graph, body))["code"] == 132012


def test_newline_in_a_parameter_is_refused(graph: httpx.Client) -> None:
    response = send(graph, template_body(params={**BODY, "customer_name": "PT Maju\nJaya"}))
    assert error_of(response)["code"] == 100


def test_throughput_cap_gives_130429(meta: FakeMetaGraph, graph: httpx.Client) -> None:
    meta.configure(throughput_per_second=2, throughput_window_seconds=60)
    assert send(graph, template_body()).status_code == 200
    assert send(graph, template_body()).status_code == 200
    response = send(graph, template_body())
    assert response.status_code == 400  # Meta answers throughput errors with HTTP 400
    error = error_of(response)
    assert error["code"] == 130429
    assert len(meta.messages()) == 2


# -- status webhooks ------------------------------------------------------------------------------------------


def test_statuses_are_signed_separate_posts_in_order(
    meta: FakeMetaGraph, graph: httpx.Client, sink: WebhookSink
) -> None:
    wamid = send(graph, template_body()).json()["messages"][0]["id"]
    assert sink.received == []  # nothing until flushed (auto delivery is off here)
    delivered = meta.flush()
    assert [d["status"] for d in delivered] == ["sent", "delivered", "read"]
    assert [d["http_status"] for d in delivered] == [200, 200, 200]
    assert len(sink.received) == 3

    for received in sink.received:
        expected = "sha256=" + hmac.new(APP_SECRET.encode(), received.body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(received.headers["x-hub-signature-256"], expected)
        assert received.headers["content-type"] == "application/json"

    bodies = [payload(r.body) for r in sink.received]
    for body in bodies:
        assert body["object"] == "whatsapp_business_account"
        [entry] = body["entry"]
        assert entry["id"] == WABA_ID
        [change] = entry["changes"]
        assert change["field"] == "messages"
        value = change["value"]
        assert value["messaging_product"] == "whatsapp"
        assert value["metadata"] == {"display_phone_number": "622155550100", "phone_number_id": PHONE_NUMBER_ID}
        assert value["contacts"][0]["wa_id"] == "6281234567890"
        assert value["contacts"][0]["user_id"].startswith("ID.")
        [status] = value["statuses"]
        assert status["id"] == wamid
        assert status["recipient_id"] == "6281234567890"
        assert status["biz_opaque_callback_data"] == "conn-1#inv-1#d+7"
        assert status["timestamp"].isdigit()
    pricing = [b["entry"][0]["changes"][0]["value"]["statuses"][0].get("pricing") for b in bodies]
    assert pricing[0] == {"billable": True, "pricing_model": "PMP", "type": "regular", "category": "utility"}
    assert pricing[1] == pricing[0] and pricing[2] is None
    assert meta.messages()[0]["statuses"] == ["sent", "delivered", "read"]
    assert meta.deliveries()["pending"] == 0


def test_signature_passes_pywas_validator(meta: FakeMetaGraph, graph: httpx.Client, sink: WebhookSink) -> None:
    from pywa.client import WhatsApp

    wa = WhatsApp(
        phone_id=PHONE_NUMBER_ID, token=ACCESS_TOKEN, app_secret=APP_SECRET, verify_token="vt", api_version="25.0"
    )
    send(graph, template_body())
    meta.flush()
    for received in sink.received:
        assert wa.webhook_update_validator(received.body, received.headers["x-hub-signature-256"]) is None
    assert wa.webhook_update_validator(sink.received[0].body + b" ", sink.received[0].headers["x-hub-signature-256"])


def test_not_on_whatsapp_is_accepted_then_fails_131026(
    meta: FakeMetaGraph, graph: httpx.Client, sink: WebhookSink
) -> None:
    meta.set_not_on_whatsapp(CUSTOMER)
    response = send(graph, template_body())
    assert response.status_code == 200  # Meta accepts; the failure is asynchronous
    delivered = meta.flush()
    assert [d["status"] for d in delivered] == ["sent", "failed"]
    failed = payload(sink.received[-1].body)["entry"][0]["changes"][0]["value"]
    assert "contacts" not in failed  # as Meta documents failed statuses
    [status] = failed["statuses"]
    assert status["status"] == "failed"
    assert status["biz_opaque_callback_data"] == "conn-1#inv-1#d+7"
    assert "pricing" not in status
    [error] = status["errors"]
    assert error["code"] == 131026
    assert error["title"] == "Message undeliverable"
    assert error["error_data"]["details"]


def test_final_status_setting(meta: FakeMetaGraph, graph: httpx.Client) -> None:
    meta.configure(final_status="delivered")
    send(graph, template_body())
    assert [d["status"] for d in meta.flush()] == ["sent", "delivered"]


def test_without_webhook_url_statuses_are_only_recorded(sink: WebhookSink) -> None:
    meta = FakeMetaGraph(auto_deliver=False)
    with running(meta):
        register_default_number(meta, None)
        with httpx.Client(base_url=meta.url + "/v25.0", headers={"Authorization": f"Bearer {ACCESS_TOKEN}"}) as graph:
            send(graph, template_body())
        records = meta.flush()
    assert [r["url"] for r in records] == [None, None, None]
    assert all(r["http_status"] is None for r in records)
    assert sink.received == []


def test_app_answer_is_recorded(meta: FakeMetaGraph, graph: httpx.Client, sink: WebhookSink) -> None:
    sink.status = 403
    send(graph, template_body())
    meta.flush()
    assert {d["http_status"] for d in meta.deliveries()["deliveries"]} == {403}


def test_background_thread_delivers_without_flush(sink: WebhookSink) -> None:
    meta = FakeMetaGraph(status_delay_seconds=0.0)
    with running(meta):
        register_default_number(meta, sink.webhook_url)
        with httpx.Client(base_url=meta.url + "/v25.0", headers={"Authorization": f"Bearer {ACCESS_TOKEN}"}) as graph:
            send(graph, template_body())
        assert sink.arrived.wait(timeout=10)


def test_button_tap_is_a_signed_inbound_message(meta: FakeMetaGraph, graph: httpx.Client, sink: WebhookSink) -> None:
    wamid = send(graph, template_body()).json()["messages"][0]["id"]
    meta.flush()
    meta.simulate_button_tap(wamid)
    [record] = meta.flush()
    assert record["kind"] == "message"
    value = payload(sink.received[-1].body)["entry"][0]["changes"][0]["value"]
    [message] = value["messages"]
    assert message["type"] == "button"
    assert message["button"] == {"payload": "LUNAS_STOP_REMINDERS", "text": "Hentikan pengingat"}
    assert message["context"]["id"] == wamid
    assert message["from"] == "6281234567890"
    assert value["contacts"][0]["wa_id"] == "6281234567890"


# -- template list ----------------------------------------------------------------------------------------


def test_template_list_pages_with_cursors(graph: httpx.Client) -> None:
    seen: list[dict[str, Any]] = []
    params: dict[str, str | int] = {"fields": "name,status,language,category", "limit": 3}
    pages = 0
    while True:
        page = graph.get(f"/{WABA_ID}/message_templates", params=params).json()
        pages += 1
        seen += page["data"]
        assert set(page["paging"]["cursors"]) == {"before", "after"}
        if "next" not in page["paging"]:
            break
        assert page["paging"]["next"].startswith("http://127.0.0.1")
        params = {**params, "after": page["paging"]["cursors"]["after"]}
    assert pages == 4
    assert len(seen) == 10
    assert {(t["name"], t["language"]) for t in seen} == {
        (f"lunas_{k}", lang)
        for k in ("invoice_pre_due", "invoice_due_today", "invoice_overdue", "invoice_statement", "payment_thanks")
        for lang in ("en", "id")
    }
    assert set(seen[0]) == {"id", "name", "status", "language", "category"}
    assert all(t["status"] == "APPROVED" and t["category"] == "UTILITY" for t in seen)


def test_template_list_previous_page(graph: httpx.Client) -> None:
    first = graph.get(f"/{WABA_ID}/message_templates", params={"limit": 3}).json()
    second = graph.get(
        f"/{WABA_ID}/message_templates", params={"limit": 3, "after": first["paging"]["cursors"]["after"]}
    ).json()
    assert "previous" in second["paging"]
    back = graph.get(
        f"/{WABA_ID}/message_templates", params={"limit": 3, "before": second["paging"]["cursors"]["before"]}
    ).json()
    assert [t["id"] for t in back["data"]] == [t["id"] for t in first["data"]]


def test_template_list_reflects_status_and_category(meta: FakeMetaGraph, graph: httpx.Client) -> None:
    meta.set_template_status("lunas_invoice_statement", category="MARKETING")
    rows = graph.get(f"/{WABA_ID}/message_templates", params={"name": "lunas_invoice_statement"}).json()["data"]
    assert {r["category"] for r in rows} == {"MARKETING"}
    approved_utility = graph.get(
        f"/{WABA_ID}/message_templates", params={"status": "APPROVED", "category": "UTILITY", "limit": 100}
    ).json()["data"]
    assert len(approved_utility) == 8  # 10 templates, the statement's 2 now MARKETING


def test_template_list_needs_a_token_of_that_waba(meta: FakeMetaGraph) -> None:
    response = httpx.get(f"{meta.url}/v25.0/{WABA_ID}/message_templates", headers={"Authorization": "Bearer x"})
    assert response.status_code == 401
    assert error_of(response)["code"] == 190


# -- a business account's phone numbers (Business Management API) ----------------------------------------


def test_phone_numbers_of_a_waba_page_with_cursors_and_show_the_default_fields(
    meta: FakeMetaGraph, graph: httpx.Client
) -> None:
    waba, token = "5550001000", "EAAG-many-numbers"
    ids = [f"77700010{i}" for i in range(5)]
    for i, number in enumerate(ids):
        meta.register_phone_number(
            number,
            access_token=token,
            waba_id=waba,
            display_phone_number=f"+62 21 5555 010{i}",
            app_secret=APP_SECRET,
            verified_name="Toko Sumber Rejeki",
        )
    headers = {"Authorization": f"Bearer {token}"}
    first = graph.get(f"/{waba}/phone_numbers", headers=headers, params={"limit": 2}).json()
    assert set(first["data"][0]) == {
        "id", "display_phone_number", "verified_name", "quality_rating", "code_verification_status",
    }  # fmt: skip
    assert first["data"][0] == {
        "id": ids[0],
        "display_phone_number": "+62 21 5555 0100",
        "verified_name": "Toko Sumber Rejeki",
        "quality_rating": "GREEN",
        "code_verification_status": "VERIFIED",
    }
    seen, page = [], first
    while True:
        seen += [row["id"] for row in page["data"]]
        assert set(page["paging"]["cursors"]) == {"before", "after"}
        if "next" not in page["paging"]:
            break
        params = {"limit": 2, "after": page["paging"]["cursors"]["after"], "fields": "id,verified_name"}
        page = graph.get(f"/{waba}/phone_numbers", headers=headers, params=params).json()
        assert set(page["data"][0]) == {"id", "verified_name"}
    assert seen == ids


def test_phone_numbers_need_a_token_registered_for_that_waba(meta: FakeMetaGraph, graph: httpx.Client) -> None:
    meta.register_phone_number(
        "777000200",
        access_token="EAAG-other-waba",
        waba_id="5550002000",
        display_phone_number="+62 21 1",
        app_secret="",
    )
    unknown_token = graph.get(f"/{WABA_ID}/phone_numbers", headers={"Authorization": "Bearer nope"})
    assert unknown_token.status_code == 401 and error_of(unknown_token)["code"] == 190
    no_token = httpx.get(f"{meta.url}/v25.0/{WABA_ID}/phone_numbers")
    assert no_token.status_code == 401 and error_of(no_token)["code"] == 190
    other_waba = graph.get(f"/{WABA_ID}/phone_numbers", headers={"Authorization": "Bearer EAAG-other-waba"})
    assert other_waba.status_code == 403 and error_of(other_waba)["code"] == 200
    unknown_waba = graph.get("/999000999/phone_numbers")
    assert unknown_waba.status_code == 400
    error = error_of(unknown_waba)
    assert (error["code"], error["error_subcode"]) == (100, 33)
    assert error["message"].startswith("(#100) Unsupported get request")
    mine = graph.get(f"/{WABA_ID}/phone_numbers").json()["data"]
    assert [row["id"] for row in mine] == [PHONE_NUMBER_ID]  # not the other WABA's number


# -- admin API over HTTP ----------------------------------------------------------------------------------


def test_admin_api_over_http(sink: WebhookSink) -> None:
    meta = FakeMetaGraph(auto_deliver=False)
    with running(meta) as url, httpx.Client(base_url=url) as admin:
        registered = admin.post(
            "/_sandbox/meta/phone_numbers",
            json={
                "phone_number_id": PHONE_NUMBER_ID,
                "access_token": ACCESS_TOKEN,
                "waba_id": WABA_ID,
                "display_phone_number": "+62 21 5555 0100",
                "app_secret": APP_SECRET,
                "webhook_url": sink.webhook_url,
            },
        )
        assert registered.status_code == 201
        numbers = admin.get("/_sandbox/meta/phone_numbers").json()
        assert numbers[0]["phone_number_id"] == PHONE_NUMBER_ID
        assert numbers[0]["verified_name"] == "Test Number"
        assert "access_token" not in numbers[0] and "app_secret" not in numbers[0]

        updated = admin.post(
            "/_sandbox/meta/templates/status",
            json={"name": "lunas_invoice_pre_due", "language": "en", "status": "PAUSED"},
        ).json()["updated"]
        assert updated == [
            {"name": "lunas_invoice_pre_due", "language": "en", "status": "PAUSED", "category": "UTILITY"}
        ]
        assert (
            admin.post("/_sandbox/meta/templates/status", json={"name": "nope", "status": "PAUSED"}).status_code == 404
        )
        templates = admin.get("/_sandbox/meta/templates").json()
        assert len(templates) == 10  # 4 reminders and the thank-you, in 2 languages

        assert admin.post("/_sandbox/meta/not_on_whatsapp", json={"phone": "+6289999999999"}).status_code == 200
        settings = admin.post("/_sandbox/meta/settings", json={"final_status": "delivered"}).json()
        assert settings["final_status"] == "delivered"

        headers = {"Authorization": f"Bearer {ACCESS_TOKEN}"}
        admin.post(f"/v25.0/{PHONE_NUMBER_ID}/messages", json=template_body(), headers=headers)
        other = {**template_body(), "to": "+6289999999999"}
        admin.post(f"/v25.0/{PHONE_NUMBER_ID}/messages", json=other, headers=headers)

        messages = admin.get("/_sandbox/meta/messages").json()
        assert [m["to"] for m in messages] == [CUSTOMER, "+6289999999999"]
        assert admin.get("/_sandbox/meta/messages", params={"to": CUSTOMER}).json()[0]["rendered_text"]
        assert admin.get("/_sandbox/meta/webhooks").json()["pending"] == 4

        flushed = admin.post("/_sandbox/meta/flush").json()["delivered"]
        assert sorted(d["status"] for d in flushed) == ["delivered", "failed", "sent", "sent"]
        hooks = admin.get("/_sandbox/meta/webhooks").json()
        assert hooks["pending"] == 0 and len(hooks["deliveries"]) == 4

        tap = admin.post("/_sandbox/meta/inbound", json={"button_reply_to": messages[0]["wamid"]})
        assert tap.json()["wamid"].startswith("wamid.")
        text = admin.post(
            "/_sandbox/meta/inbound", json={"phone_number_id": PHONE_NUMBER_ID, "from": CUSTOMER, "text": "STOP"}
        )
        assert text.status_code == 200
        assert [d["kind"] for d in admin.post("/_sandbox/meta/flush").json()["delivered"]] == ["message", "message"]

        assert admin.post("/_sandbox/meta/reset").json() == {"reset": True}
        assert admin.get("/_sandbox/meta/messages").json() == []


def test_pywa_parses_the_status_webhooks(meta: FakeMetaGraph, graph: httpx.Client) -> None:
    from pywa.client import WhatsApp
    from pywa.handlers import MessageStatusHandler
    from pywa.types.message_status import MessageStatus

    wa = WhatsApp(
        phone_id=PHONE_NUMBER_ID, token=ACCESS_TOKEN, app_secret=APP_SECRET, verify_token="vt", api_version="25.0"
    )
    seen: list[MessageStatus[Any]] = []

    def on_status(_: WhatsApp, status: MessageStatus[Any]) -> None:
        seen.append(status)

    wa.add_handlers(MessageStatusHandler(on_status))
    wamid = send(graph, template_body()).json()["messages"][0]["id"]
    for record in meta.flush():
        assert wa.webhook_update_handler(record["body"].encode()) == ("ok", 200)
    assert [(s.id, s.status.value, s.tracker) for s in seen] == [
        (wamid, "sent", "conn-1#inv-1#d+7"),
        (wamid, "delivered", "conn-1#inv-1#d+7"),
        (wamid, "read", "conn-1#inv-1#d+7"),
    ]
    assert seen[0].from_user.wa_id == "6281234567890"
