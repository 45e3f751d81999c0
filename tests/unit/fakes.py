"""Tiny in-memory stand-ins for the outside world (accounting, Meta, token and OAuth endpoints, the clock), and
builders of the services' dependency bundles from the memory stores. Nothing here opens a socket.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from chalicelib.domain.errors import SendFailed
from chalicelib.domain.models import (
    Customer,
    Invoice,
    InvoiceStatus,
    OAuthTokens,
    SentMessage,
    TemplateRef,
)

_T = TypeVar("_T")


class FixedClock:
    """Business time that moves only when a test moves it."""

    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def now(self) -> dt.datetime:
        return self.at

    def advance(self, delta: dt.timedelta) -> None:
        self.at += delta


def wire(bundle: type[_T], **pool: Any) -> _T:
    """Build a dependency dataclass (CycleDependencies, WhatsAppWebhookDependencies, ...) from whichever of `pool`
    it declares, so a renamed or added optional field needs no change here; a missing required one fails loudly."""
    names = {f.name for f in dataclasses.fields(bundle)}  # type: ignore[arg-type]
    return bundle(**{k: v for k, v in pool.items() if k in names})


# -- accounting -----------------------------------------------------------------------------------------------------


class FakeGateway:
    """An AccountingGateway over a list of domain objects. On the re-read right before a send, `paid_before_send`
    invoices come back PAID (the customer paid meanwhile), `edited_before_send` ones as given there, and
    `deleted_before_send` ones not at all."""

    source = "xero"

    def __init__(self, connection_id: str, invoices: Sequence[Invoice], customers: Sequence[Customer]) -> None:
        self.connection_id = connection_id
        self.invoices = {i.invoice_id: i for i in invoices}
        self.customer_records = {c.customer_id: c for c in customers}
        self.paid_before_send: set[str] = set()
        self.edited_before_send: dict[str, Invoice] = {}
        self.deleted_before_send: set[str] = set()
        self.rereads: list[list[str]] = []
        self.calls_left_today: int | None = None  # Xero's X-DayLimit-Remaining after the cycle's first read

    def open_invoices(self) -> list[Invoice]:
        return [i for i in self.invoices.values() if i.status is InvoiceStatus.OPEN]

    def invoices_by_id(self, invoice_ids: Sequence[str]) -> list[Invoice]:
        self.rereads.append(list(invoice_ids))
        kept = [i for i in invoice_ids if i in self.invoices and i not in self.deleted_before_send]
        found = [self.edited_before_send.get(i, self.invoices[i]) for i in kept]
        return [
            dataclasses.replace(i, status=InvoiceStatus.PAID) if i.invoice_id in self.paid_before_send else i
            for i in found
        ]

    def customers(self, customer_ids: Sequence[str]) -> dict[str, Customer]:
        return {i: self.customer_records[i] for i in customer_ids if i in self.customer_records}

    def remaining_calls_today(self) -> int | None:
        """Counts down with every re-read, as Xero's X-DayLimit-Remaining does; None: no daily cap."""
        if self.calls_left_today is None:
            return None
        return self.calls_left_today - len(self.rereads)


# -- Meta -----------------------------------------------------------------------------------------------------------


class WorkerDied(Exception):
    """The Lambda stopped (a timeout, an out-of-memory kill) at the worst moment a test picks."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SentTemplate:
    to: str
    template: TemplateRef
    body_params: Mapping[str, str]
    button_url_suffix: str | None
    tracker: str
    wamid: str


@dataclass(frozen=True, slots=True)
class SentText:
    to: str
    text: str
    wamid: str


@dataclass
class FakeSender:
    """MessageSender and TextSender: records what Meta accepted; `failures` are raised first, in order."""

    failures: list[SendFailed] = field(default_factory=list)
    templates: list[SentTemplate] = field(default_factory=list)
    texts: list[SentText] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def send_template(
        self,
        *,
        to: str,
        template: TemplateRef,
        body_params: Mapping[str, str],
        button_url_suffix: str | None,
        tracker: str,
    ) -> SentMessage:
        with self._lock:
            if self.failures:
                raise self.failures.pop(0)
            wamid = f"wamid.out.{next(self._ids)}"
            self.templates.append(
                SentTemplate(
                    to=to,
                    template=template,
                    body_params=dict(body_params),
                    button_url_suffix=button_url_suffix,
                    tracker=tracker,
                    wamid=wamid,
                )
            )
        return SentMessage(wamid=wamid)

    def send_text(self, *, to: str, text: str, reply_to: str | None = None) -> SentMessage:
        with self._lock:
            wamid = f"wamid.text.{next(self._ids)}"
            self.texts.append(SentText(to, text, wamid))
        return SentMessage(wamid=wamid)


def send_failed(code: int, *, retryable: bool = False, maybe_sent: bool = False, title: str = "") -> SendFailed:
    return SendFailed(
        f"Meta refused it ({code})",
        code=code,
        title=title or f"error {code}",
        retryable=retryable,
        maybe_sent=maybe_sent,
    )


# -- Meta's webhook bodies (the shapes tests/test_webhooks_meta.py posts over HTTP) ------------------------------------


def envelope(phone_number_id: str, value: dict[str, Any], field_name: str = "messages") -> dict[str, Any]:
    metadata = {"display_phone_number": "622155550000", "phone_number_id": phone_number_id}
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "waba", "changes": [{"field": field_name, "value": {"metadata": metadata, **value}}]}],
    }


def inbound(phone: str, message: dict[str, Any], at: dt.datetime) -> dict[str, Any]:
    """A customer's message (`message` holds `id`, `type` and the type's block) with its contact."""
    wa_id = phone.removeprefix("+")
    item = {"from": wa_id, "timestamp": str(int(at.timestamp())), **message}
    return {"contacts": [{"profile": {"name": "Budi"}, "wa_id": wa_id, "user_id": "ID.1234567"}], "messages": [item]}


def text(body: str, message_id: str) -> dict[str, Any]:
    return {"id": message_id, "type": "text", "text": {"body": body}}


def button(payload: str, label: str, message_id: str, context_wamid: str = "wamid.out.1") -> dict[str, Any]:
    return {
        "id": message_id,
        "type": "button",
        "button": {"payload": payload, "text": label},
        "context": {"from": "622155550000", "id": context_wamid},
    }


def status(wamid: str, state: str, at: dt.datetime, *, tracker: str | None = None, **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": wamid,
        "status": state,
        "timestamp": str(int(at.timestamp())),
        "recipient_id": "6281200000001",
    }
    if tracker:
        item["biz_opaque_callback_data"] = tracker
    return {**item, **extra}


# -- token and OAuth endpoints --------------------------------------------------------------------------------------


class FakeRefresher:
    """A TokenRefresher: each refresh rotates the refresh token. `delay` holds the answer back (real seconds) so
    concurrent callers pile up on the lease; `fail` is raised instead of answering."""

    def __init__(self, clock: FixedClock, *, delay: float = 0.0, fail: Exception | None = None) -> None:
        self.clock = clock
        self.delay = delay
        self.fail = fail
        self.calls: list[str] = []
        self.on_refresh: Any = None  # called with the refresh token, before answering
        self._lock = threading.Lock()

    def refresh(self, refresh_token: str) -> OAuthTokens:
        with self._lock:
            self.calls.append(refresh_token)
            n = len(self.calls)
        if self.delay:
            time.sleep(self.delay)
        if self.on_refresh is not None:
            self.on_refresh(refresh_token)
        if self.fail is not None:
            raise self.fail
        return OAuthTokens(
            access_token=f"access-rotated-{n}",
            refresh_token=f"refresh-rotated-{n}",
            expires_at=self.clock.now() + dt.timedelta(minutes=30),
        )


@dataclass
class FakeResponse:
    status_code: int
    body: Any = None

    def json(self) -> Any:
        if self.body is None:
            raise ValueError("no JSON")
        return self.body


@dataclass
class FakeHttp:
    """The few calls ConnectFlows makes with its `requests.Session`: answers keyed by URL, every call recorded."""

    answers: dict[tuple[str, str], FakeResponse] = field(default_factory=dict)
    calls: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    def answer(self, method: str, url: str, status_code: int, body: Any = None) -> None:
        self.answers[(method, url)] = FakeResponse(status_code, body)

    def post(self, url: str, **kwargs: Any) -> FakeResponse:
        return self._call("POST", url, kwargs)

    def get(self, url: str, **kwargs: Any) -> FakeResponse:
        return self._call("GET", url, kwargs)

    def delete(self, url: str, **kwargs: Any) -> FakeResponse:
        return self._call("DELETE", url, kwargs)

    def _call(self, method: str, url: str, kwargs: dict[str, Any]) -> FakeResponse:
        self.calls.append((method, url, kwargs))
        return self.answers.get((method, url), FakeResponse(404, {"error": "not_found"}))

    def called(self, method: str, url: str) -> list[dict[str, Any]]:
        return [kwargs for m, u, kwargs in self.calls if (m, u) == (method, url)]
