"""The pywa-based sender and template catalogue against the fake Graph API on 127.0.0.1 (no mocks of pywa)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pywa.errors import WhatsAppError

from chalicelib.adapters.whatsapp import (
    TemplateCatalogError,
    WhatsAppMessageSender,
    WhatsAppTemplateCatalog,
    classify_whatsapp_error,
)
from chalicelib.domain.errors import SendFailed
from chalicelib.domain.models import STOP_REMINDERS_PAYLOAD, SentMessage, TemplateKind, TemplateRef
from chalicelib.domain.replies import MORE_TIME_PAYLOAD, SAID_PAID_PAYLOAD
from chalicelib.domain.wording import body_parameters
from chalicelib.ports import MessageSender
from sandbox.fakehttp import Fault
from sandbox.meta import FakeMetaGraph
from tests.meta_support import (
    ACCESS_TOKEN,
    CUSTOMER,
    PHONE_NUMBER_ID,
    WABA_ID,
    WebhookSink,
    closed_port,
    make_invoice,
    make_message,
    register_default_number,
    running,
)

OVERDUE_ID = TemplateRef("lunas_invoice_overdue", "id")
TRACKER = "conn-1#inv-1#d+7"


@pytest.fixture(scope="module")
def module_servers() -> Iterator[tuple[FakeMetaGraph, WebhookSink]]:
    sink, meta = WebhookSink(), FakeMetaGraph(auto_deliver=False)
    with running(sink), running(meta):
        register_default_number(meta, sink.webhook_url)
        yield meta, sink


@pytest.fixture
def sink(module_servers: tuple[FakeMetaGraph, WebhookSink]) -> WebhookSink:
    module_servers[1].received.clear()
    return module_servers[1]


@pytest.fixture
def meta(module_servers: tuple[FakeMetaGraph, WebhookSink], sink: WebhookSink) -> FakeMetaGraph:
    meta = module_servers[0]
    meta.reset()
    httpx.delete(meta.url + "/_sandbox/faults").raise_for_status()
    httpx.delete(meta.url + "/_sandbox/requests").raise_for_status()
    return meta


@pytest.fixture
def sender(meta: FakeMetaGraph) -> Iterator[WhatsAppMessageSender]:
    sender = WhatsAppMessageSender(
        phone_number_id=PHONE_NUMBER_ID, access_token=ACCESS_TOKEN, graph_base_url=meta.url, timeout_seconds=2.0
    )
    yield sender
    sender.close()


def params(kind: TemplateKind = TemplateKind.OVERDUE, language: str = "id") -> dict[str, str]:
    return body_parameters(make_message(make_invoice(), kind=kind, language=language), "CV Sumber Rejeki")


def send(sender: MessageSender, template: TemplateRef = OVERDUE_ID, **overrides: Any) -> SentMessage:
    kwargs: dict[str, Any] = {
        "to": CUSTOMER,
        "template": template,
        "body_params": params(language=template.language[:2] if template.language[:2] in ("en", "id") else "id"),
        "button_url_suffix": "AbC123",
        "tracker": TRACKER,
    }
    kwargs.update(overrides)
    return sender.send_template(**kwargs)


def failure(sender: MessageSender, **overrides: Any) -> SendFailed:
    with pytest.raises(SendFailed) as caught:
        send(sender, **overrides)
    return caught.value


def test_sender_satisfies_the_port(sender: WhatsAppMessageSender) -> None:
    port: MessageSender = sender
    assert port is sender


def test_send_returns_the_wamid_and_meta_got_the_documented_body(
    meta: FakeMetaGraph, sender: WhatsAppMessageSender
) -> None:
    sent = send(sender)
    [stored] = meta.messages()
    assert sent == SentMessage(wamid=stored["wamid"], accepted_status="accepted", wa_id=stored["wa_id"])

    [request] = meta.recorded(r"/messages$")
    assert request["path"] == f"/v25.0/{PHONE_NUMBER_ID}/messages"  # pinned, not pywa 4.5.0's default 26.0
    assert request["headers"]["authorization"] == f"Bearer {ACCESS_TOKEN}"
    body = json.loads(request["body"])
    assert body["messaging_product"] == "whatsapp"
    assert body["to"] == CUSTOMER
    assert body["type"] == "template"
    assert body["biz_opaque_callback_data"] == TRACKER
    template = body["template"]
    assert template["name"] == "lunas_invoice_overdue" and template["language"] == {"code": "id"}
    body_component, url_button, stop_button, paid_button, more_time_button = template["components"]
    assert {p["parameter_name"]: p["text"] for p in body_component["parameters"]} == params()
    assert all(p["type"] == "text" for p in body_component["parameters"])
    assert url_button["sub_type"].lower() == "url" and str(url_button["index"]) == "0"
    assert url_button["parameters"] == [{"type": "text", "text": "AbC123"}]
    assert stop_button["sub_type"].lower() == "quick_reply" and str(stop_button["index"]) == "1"
    assert stop_button["parameters"] == [{"type": "payload", "payload": STOP_REMINDERS_PAYLOAD}]
    # "I have paid" and "Need more time" carry their own payloads whatever the language (domain/replies.py)
    assert [(b["sub_type"].lower(), str(b["index"])) for b in (paid_button, more_time_button)] == [
        ("quick_reply", "2"),
        ("quick_reply", "3"),
    ]
    assert paid_button["parameters"] == [{"type": "payload", "payload": SAID_PAID_PAYLOAD}]
    assert more_time_button["parameters"] == [{"type": "payload", "payload": MORE_TIME_PAYLOAD}]
    assert [b.get("payload") for b in stored["rendered"]["buttons"][1:]] == [
        STOP_REMINDERS_PAYLOAD,
        SAID_PAID_PAYLOAD,
        MORE_TIME_PAYLOAD,
    ]

    assert stored["tracker"] == TRACKER
    assert stored["rendered"]["buttons"][0]["url"] == "https://lunas.example/pay/AbC123"
    assert "Rp 1.250.000" in stored["rendered_text"]


def test_statement_in_english(meta: FakeMetaGraph, sender: WhatsAppMessageSender) -> None:
    message = make_message(make_invoice("INV-1"), make_invoice("INV-2", amount="500000"), language="en")
    send(sender, template=message.template, body_params=body_parameters(message, "Toko Abadi"))
    assert "2 invoices totalling IDR 1,750,000" in meta.messages()[0]["rendered_text"]


@pytest.mark.parametrize(
    "template",
    [TemplateRef("lunas_invoice_nope", "id"), TemplateRef("lunas_invoice_overdue", "en_US")],
)
def test_unknown_template_or_language_is_terminal_132001(sender: WhatsAppMessageSender, template: TemplateRef) -> None:
    error = failure(sender, template=template)
    assert (error.code, error.retryable, error.maybe_sent) == (132001, False, False)
    assert "132001" in error.title


def test_unapproved_template_is_terminal_132001(meta: FakeMetaGraph, sender: WhatsAppMessageSender) -> None:
    meta.set_template_status("lunas_invoice_overdue", "id", status="REJECTED")
    assert failure(sender).code == 132001


def test_paused_template_is_terminal_132015(meta: FakeMetaGraph, sender: WhatsAppMessageSender) -> None:
    meta.set_template_status("lunas_invoice_overdue", status="PAUSED")
    error = failure(sender)
    assert (error.code, error.retryable) == (132015, False)


def test_wrong_params_are_terminal_132000(meta: FakeMetaGraph, sender: WhatsAppMessageSender) -> None:
    statement_params = body_parameters(make_message(make_invoice("A"), make_invoice("B")), "X")
    error = failure(sender, body_params=statement_params)
    assert (error.code, error.retryable, error.maybe_sent) == (132000, False, False)
    assert failure(sender, button_url_suffix=None).code == 132000
    assert meta.messages() == []


def test_throughput_limit_is_retryable_130429(meta: FakeMetaGraph, sender: WhatsAppMessageSender) -> None:
    meta.configure(throughput_per_second=1, throughput_window_seconds=60)
    send(sender)
    error = failure(sender)
    assert (error.code, error.retryable, error.maybe_sent, error.throttled) == (130429, True, False, True)


@pytest.mark.parametrize(
    "body",
    ["<html><body>Too Many Requests</body></html>", "", {"message": "rate limited"}],
    ids=["html page", "empty body", "json without a graph error"],
)
def test_an_http_429_without_a_graph_error_body_is_throttling_not_a_maybe_sent(
    meta: FakeMetaGraph, sender: WhatsAppMessageSender, body: object
) -> None:
    meta.add_fault(Fault(method="POST", path=re.compile(r"/messages$"), status=429, body=body))
    error = failure(sender)
    assert (error.retryable, error.maybe_sent, error.throttled) == (True, False, True)
    assert "429" in error.title
    assert meta.messages() == []


def test_not_on_whatsapp_is_accepted_then_fails_by_webhook(
    meta: FakeMetaGraph, sender: WhatsAppMessageSender, sink: WebhookSink
) -> None:
    meta.set_not_on_whatsapp(CUSTOMER)
    sent = send(sender)  # the send itself is accepted
    statuses = [d["status"] for d in meta.flush()]
    assert statuses == ["sent", "failed"]
    value = json.loads(sink.received[-1].body)["entry"][0]["changes"][0]["value"]
    [status] = value["statuses"]
    assert status["id"] == sent.wamid
    assert status["errors"][0]["code"] == 131026
    assert status["biz_opaque_callback_data"] == TRACKER


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, {"error": {"message": "(#131000) Something went wrong", "type": "OAuthException", "code": 131000}}),
        (503, "Service Unavailable"),
        (502, {"error": {"message": "(#2) Service temporarily unavailable", "type": "OAuthException", "code": 2}}),
    ],
)
def test_server_errors_are_retryable(
    meta: FakeMetaGraph, sender: WhatsAppMessageSender, status: int, body: object
) -> None:
    meta.add_fault(Fault(method="POST", path=re.compile(r"/messages$"), status=status, body=body))
    error = failure(sender)
    assert error.retryable and not error.maybe_sent
    assert meta.messages() == []


def test_bad_token_is_terminal_190(meta: FakeMetaGraph) -> None:
    sender = WhatsAppMessageSender(phone_number_id=PHONE_NUMBER_ID, access_token="wrong", graph_base_url=meta.url)
    try:
        error = failure(sender)
    finally:
        sender.close()
    assert (error.code, error.retryable) == (190, False)


def test_dropped_response_means_maybe_sent(meta: FakeMetaGraph, sender: WhatsAppMessageSender) -> None:
    meta.add_fault(Fault(method="POST", path=re.compile(r"/messages$"), drop_response=True))
    error = failure(sender)
    assert error.maybe_sent and not error.retryable
    assert error.code is None
    assert len(meta.messages()) == 1  # Meta did take it: resending blindly would duplicate the reminder


def test_read_timeout_means_maybe_sent(meta: FakeMetaGraph) -> None:
    meta.add_fault(Fault(method="POST", path=re.compile(r"/messages$"), latency_ms=800))
    sender = WhatsAppMessageSender(
        phone_number_id=PHONE_NUMBER_ID, access_token=ACCESS_TOKEN, graph_base_url=meta.url, timeout_seconds=0.2
    )
    try:
        error = failure(sender)
    finally:
        sender.close()
    assert error.maybe_sent and not error.retryable


def test_connection_refused_is_retryable_and_not_sent() -> None:
    sender = WhatsAppMessageSender(
        phone_number_id=PHONE_NUMBER_ID, access_token=ACCESS_TOKEN, graph_base_url=f"http://127.0.0.1:{closed_port()}"
    )
    try:
        error = failure(sender)
    finally:
        sender.close()
    assert error.retryable and not error.maybe_sent


def test_unsupported_language_is_refused_before_sending(meta: FakeMetaGraph, sender: WhatsAppMessageSender) -> None:
    error = failure(sender, template=TemplateRef("lunas_invoice_overdue", "xx-not-a-language"))
    assert not error.retryable and not error.maybe_sent
    assert meta.recorded(r"/messages$") == []


@pytest.mark.parametrize(
    ("code", "http_status", "retryable"),
    [
        (130429, 400, True),
        (131056, 400, True),
        (131057, 400, True),
        (131000, 500, True),
        (4, 400, True),
        (80007, 400, True),
        (131026, 400, False),
        (132000, 400, False),
        (132001, 400, False),
        (132015, 400, False),
        (132016, 400, False),
        (131047, 400, False),
        (131050, 400, False),
        (368, 403, False),
        (190, 401, False),
        (1, 503, True),
    ],
)
def test_error_classification(code: int, http_status: int, retryable: bool) -> None:
    response = httpx.Response(http_status, request=httpx.Request("POST", "https://graph.facebook.com/v25.0/1/messages"))
    error = WhatsAppError.from_dict({"code": code, "message": f"(#{code}) title"}, response=response)
    failed = classify_whatsapp_error(error)
    assert (failed.code, failed.retryable, failed.maybe_sent) == (code, retryable, False)


# -- template catalogue -----------------------------------------------------------------------------------


def catalog(meta: FakeMetaGraph, **kwargs: Any) -> WhatsAppTemplateCatalog:
    return WhatsAppTemplateCatalog(waba_id=WABA_ID, access_token=ACCESS_TOKEN, graph_base_url=meta.url, **kwargs)


def test_catalog_lists_every_approved_utility_template_across_pages(meta: FakeMetaGraph) -> None:
    approved = catalog(meta, page_size=3).approved_templates()
    assert approved == frozenset(
        TemplateRef(f"lunas_{k}", lang)
        for k in ("invoice_pre_due", "invoice_due_today", "invoice_overdue", "invoice_statement", "payment_thanks")
        for lang in ("en", "id")
    )
    pages = meta.recorded(r"/message_templates$")
    assert len(pages) == 4
    assert pages[0]["path"] == f"/v25.0/{WABA_ID}/message_templates"
    assert pages[0]["query"]["fields"] == ["id,name,language,status,category,rejected_reason,components"]


def test_catalog_ignores_paused_rejected_and_marketing(meta: FakeMetaGraph) -> None:
    meta.set_template_status("lunas_invoice_overdue", "id", status="PAUSED")
    meta.set_template_status("lunas_invoice_pre_due", "en", status="REJECTED")
    meta.set_template_status("lunas_invoice_statement", category="MARKETING")  # re-categorised by Meta
    approved = catalog(meta, page_size=2).approved_templates()
    assert TemplateRef("lunas_invoice_overdue", "id") not in approved
    assert TemplateRef("lunas_invoice_overdue", "en") in approved
    assert TemplateRef("lunas_invoice_pre_due", "en") not in approved
    assert not any(t.name == "lunas_invoice_statement" for t in approved)
    assert len(approved) == 6  # the other reminders' 4 and the thank-you's 2


def test_catalog_errors_are_translated(meta: FakeMetaGraph) -> None:
    bad = WhatsAppTemplateCatalog(waba_id=WABA_ID, access_token="wrong", graph_base_url=meta.url)
    with pytest.raises(TemplateCatalogError) as caught:
        bad.approved_templates()
    assert caught.value.code == 190 and not caught.value.retryable

    meta.add_fault(Fault(method="GET", path=re.compile(r"/message_templates$"), status=500, body="oops"))
    with pytest.raises(TemplateCatalogError) as caught:
        catalog(meta).approved_templates()
    assert caught.value.retryable

    down = WhatsAppTemplateCatalog(
        waba_id=WABA_ID, access_token=ACCESS_TOKEN, graph_base_url=f"http://127.0.0.1:{closed_port()}"
    )
    with pytest.raises(TemplateCatalogError) as caught:
        down.approved_templates()
    assert caught.value.retryable
