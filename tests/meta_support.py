"""Shared helpers for the WhatsApp tests: a started fake Meta, a webhook sink, and message builders.

Kept out of conftest.py (owned elsewhere); test modules build their fixtures from these helpers.
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from chalicelib.domain.models import (
    TEMPLATE_NAMES,
    DueReminder,
    Invoice,
    InvoiceStatus,
    Money,
    OutgoingMessage,
    Stage,
    TemplateKind,
    TemplateRef,
)
from chalicelib.domain.wording import body_parameters
from sandbox.fakehttp import FakeServer, Request, Response
from sandbox.meta import FakeMetaGraph, Template, load_templates

PHONE_NUMBER_ID = "106540352242922"
ACCESS_TOKEN = "EAAG-test-token"
WABA_ID = "102290129340398"
APP_SECRET = "test-app-secret"
DISPLAY_NUMBER = "+62 21 5555 0100"
CUSTOMER = "+6281234567890"


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


class WebhookSink(FakeServer):
    """Stands in for the Lunas webhook route: keeps each POST's raw bytes, answers `status`."""

    name = "webhook-sink"

    def __init__(self, status: int = 200) -> None:
        super().__init__()
        self.status = status
        self.received: list[Received] = []
        self.arrived = threading.Event()
        self.route("POST", r"^/webhooks/whatsapp$", self._receive)

    def _receive(self, request: Request) -> Response:
        with self._lock:
            self.received.append(Received(dict(request.headers), request.body))
        self.arrived.set()
        return Response(status=self.status, body="ok")

    @property
    def webhook_url(self) -> str:
        return self.url + "/webhooks/whatsapp"


@contextmanager
def running(server: FakeServer) -> Iterator[str]:
    url = server.start()
    try:
        yield url
    finally:
        server.stop()


def register_default_number(meta: FakeMetaGraph, webhook_url: str | None) -> None:
    meta.register_phone_number(
        PHONE_NUMBER_ID,
        access_token=ACCESS_TOKEN,
        waba_id=WABA_ID,
        display_phone_number=DISPLAY_NUMBER,
        app_secret=APP_SECRET,
        webhook_url=webhook_url,
    )


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def make_invoice(
    number: str = "INV-0112",
    amount: str = "1250000",
    currency: str = "IDR",
    due: dt.date = dt.date(2026, 11, 30),
    invoice_id: str | None = None,
) -> Invoice:
    return Invoice(
        source="xero",
        connection_id="conn-1",
        invoice_id=invoice_id or f"id-{number}",
        number=number,
        customer_id="cust-1",
        customer_name="PT Maju Jaya",
        due_date=due,
        amount_due=Money(Decimal(amount), currency),
        status=InvoiceStatus.OPEN,
    )


def make_message(
    *invoices: Invoice,
    kind: TemplateKind = TemplateKind.OVERDUE,
    language: str = "id",
    customer_name: str = "PT Maju Jaya",
    on: dt.date | None = None,
) -> OutgoingMessage:
    """A message as the policy would plan it: sent on the stage's day (`on` overrides), worded for that day.

    A single-invoice message goes out 3 days before (PRE_DUE), on (DUE_TODAY) or 7 days after (OVERDUE) its due date;
    a statement 7 days after its latest due date unless `on` says otherwise.
    """
    invoices = invoices or (make_invoice(),)
    offset = {TemplateKind.PRE_DUE: -3, TemplateKind.DUE_TODAY: 0}.get(kind, 7)
    stage = Stage(offset)
    if len(invoices) > 1:
        kind = TemplateKind.STATEMENT
    send_date = on or max(i.due_date for i in invoices) + dt.timedelta(days=offset)
    return OutgoingMessage(
        phone=CUSTOMER,
        customer_name=customer_name,
        reminders=tuple(DueReminder(invoice=i, stage=stage) for i in invoices),
        template=TemplateRef(TEMPLATE_NAMES[kind], language),
        send_date=send_date,
    )


_REGISTRY: dict[tuple[str, str], Template] = {}


def customer_text(message: OutgoingMessage, business_name: str = "Toko Maju") -> str:
    """The body the customer reads: `message`'s template file filled with `body_parameters`, as the fake Meta does.

    Fails like Meta would (132000) if the parameters are not exactly the ones the template declares.
    """
    if not _REGISTRY:
        _REGISTRY.update(load_templates())
    template = _REGISTRY[(message.template.name, message.template.language)]
    params = body_parameters(message, business_name)
    assert sorted(params) == sorted(template.body_params), (template.name, sorted(params))
    return FakeMetaGraph._render_body(template, params)
