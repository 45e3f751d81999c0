"""A local fake of Meta's Graph API (WhatsApp Cloud API) for tests and the offline demo.

It follows Meta's documented shapes (send response, Graph error bodies, status webhooks, template list paging) closely
enough that the real pywa client parses its answers, so the adapter is exercised end to end on 127.0.0.1. Its
template registry is `templates/whatsapp/*.json`, the very files we submit to Meta, so a template/parameter drift
shows up here as Meta's 132000/132001 rather than in production.

Graph routes (`{v}` is any `vNN.N`):
    POST /{v}/{phone_number_id}/messages          Bearer token of that number. Errors: 401/190 bad token,
                                                  400/100 unknown number or malformed body, 400/130429 over the
                                                  throughput cap, 400/132001 template missing in that language or not
                                                  APPROVED (PAUSED -> 132015, DISABLED -> 132016), 400/132012 body
                                                  parameters without parameter_name, 400/132000 named parameters or
                                                  URL-button parameter not exactly the declared ones, 400/132005 text
                                                  too long, 400/100 parameter text with newline/tab/5+ spaces.
    GET  /{v}/{waba_id}/message_templates         ?fields=a,b&limit=N&after=|before=&status=&category=&name=&language=
                                                  -> {"data":[...],"paging":{"cursors":{"before","after"},"next"?,
                                                  "previous"?}}
    GET  /{v}/{waba_id}/phone_numbers             ?fields=a,b&limit=N&after=|before= (Business Management API)
                                                  -> {"data":[{"id","display_phone_number","verified_name",
                                                  "quality_rating","code_verification_status"}],"paging":{"cursors":
                                                  {"before","after"},"next"?,"previous"?}}, ordered by id; `fields`
                                                  picks among those (id always). A token sees the numbers of that WABA
                                                  it was registered with (each fake number has its own token). Errors:
                                                  401/190 a token no number was registered with, 400/100 (subcode 33,
                                                  GraphMethodException) a WABA with no number, 403/200 a token of
                                                  another WABA's number.

Admin API (JSON; each also a Python method of the same purpose):
    POST /_sandbox/meta/phone_numbers     {"phone_number_id","access_token","waba_id","display_phone_number",
                                           "app_secret","webhook_url"?: str|null,"throughput_per_second"?: int,
                                           "verified_name"?: str (default "Test Number")}
                                          -> 201 {"phone_number_id"}                         register_phone_number()
    GET  /_sandbox/meta/phone_numbers     -> [{"phone_number_id","waba_id","display_phone_number","verified_name",
                                           "webhook_url","throughput_per_second"}]  (no secrets)
    POST /_sandbox/meta/not_on_whatsapp   {"phone": "+6281...", "not_on_whatsapp": true}      set_not_on_whatsapp()
    GET  /_sandbox/meta/templates         -> [{"id","name","language","status","category","parameter_format",
                                           "components"}]                                   templates()
    POST /_sandbox/meta/templates/status  {"name","language"?: "id"|"en"|null (all),"status"?: "APPROVED"|"PAUSED"|
                                           "REJECTED"|"DISABLED"|"PENDING","category"?: "UTILITY"|"MARKETING"}
                                          -> {"updated":[{"name","language","status","category"}]}
                                                                                             set_template_status()
    GET  /_sandbox/meta/messages          ?to=&phone_number_id= -> [message]                 messages()
         message = {"wamid","phone_number_id","to","wa_id","template","language","category","params":{name: text},
                    "button_url_suffix": str|null,"quick_reply_payloads":{"1": "LUNAS_STOP_REMINDERS"},
                    "tracker": str|null,"rendered_text": str,"rendered":{"body","footer","buttons":[{"type","text",
                    "url"?,"payload"?}]},"received_at": unix float,"api_version","statuses":["sent",...]}
    GET  /_sandbox/meta/webhooks          -> {"pending": int,"deliveries":[delivery]}         deliveries()
         delivery = {"seq","at","url": str|null,"phone_number_id","kind":"status"|"message","wamid","status",
                     "http_status": int|null,"error": str|null,"body": raw JSON str,"signature": "sha256=<hex>"}
    POST /_sandbox/meta/flush             deliver every pending webhook now -> {"delivered":[delivery]}   flush()
    POST /_sandbox/meta/settings          {"auto_deliver"?: bool,"status_delay_seconds"?: float,
                                           "final_status"?: "sent"|"delivered"|"read","throughput_per_second"?: int,
                                           "throughput_window_seconds"?: float} -> current settings   configure()
    POST /_sandbox/meta/inbound           {"phone_number_id","from":"+62...","text":"STOP"} or
                                          {"button_reply_to": wamid,"button_index"?: 1} -> {"wamid"}
                                          (queues a signed `messages` webhook)   simulate_text() / simulate_button_tap()
    POST /_sandbox/meta/template_event    {"waba_id","name","language","event"?: "PAUSED",...} or {"waba_id","name",
                                          "language","new_category": "MARKETING"} or {..., "new_quality_score"}
                                          -> {"queued": true}   simulate_template_event() / simulate_category_update()
                                          / simulate_quality_update()
    POST /_sandbox/meta/flush_batched     deliver every pending webhook merged into batched POSTs (<= 1,000 updates
                                          each, several entries/changes, as Meta batches) -> {"delivered":[delivery]}
                                                                                             flush_batched()
    POST /_sandbox/meta/send_answers      {"to": "+55...", "message_status"?: "held_for_quality_assessment" | "paused",
                                           "wa_id"?: "5511987654321", "times"?: 1 (-1: always)} -> how Meta answers
                                          the next sends to that number: held (template pacing) and/or resolved to
                                          another WhatsApp id                                 set_send_answer()
    POST /_sandbox/meta/held              {"wamid", "outcome"?: "released" | "dropped"} -> a held send goes out (its
                                          statuses follow) or is dropped (failed, 132015)  release_held() / drop_held()
    POST /_sandbox/meta/reset             back to the start (messages, webhooks, marks, template statuses, settings);
                                          registered phone numbers are kept -> {"reset": true}

Text messages (`"type": "text"`, e.g. the opt-out confirmation) are accepted only inside the 24-hour window opened
by the customer's last inbound message (else 400/131047), and get the same status webhooks (category "service").
`post_signed()` posts any payload signed with a number's app secret at once, for batched or odd shapes.

Send answers: `{"messaging_product", "contacts": [{"input", "wa_id"}], "messages": [{"id", "message_status"}]}` as
Meta's messages reference documents; `message_status` is `accepted` unless `set_send_answer` says the send is held
(template pacing, https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/template-pacing),
and `wa_id` is the number's digits unless it says Meta resolved the number to another WhatsApp id.

Status webhooks: after a send is accepted, `sent`, `delivered`, `read` (each a separate signed POST, in that order;
`pricing` on sent and delivered) or, for a number marked not on WhatsApp, `sent` then `failed` with error 131026 and
no `contacts` block, as Meta's reference documents. A background thread delivers them `status_delay_seconds` apart;
`flush` delivers everything pending synchronously, so tests never sleep. Without a webhook URL the statuses are only
recorded (url null).
"""

from __future__ import annotations

import base64
import hashlib
import heapq
import hmac
import itertools
import json
import re
import secrets
import threading
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from chalicelib.clock import monotonic
from sandbox.clock import SandboxClock
from sandbox.fakehttp import FakeServer, Request, Response

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates" / "whatsapp"
TEMPLATE_HOST = "https://lunas.example"

_PARAM = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
_BAD_PARAM_TEXT = re.compile(r"[\n\t]| {5,}")
_MAX_BODY = 1024
_ERROR_HREF = "https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes"
_UNDELIVERABLE = (131026, "Message undeliverable")
# A held message Meta drops because the paced template's feedback was bad: the template is paused (132015).
# https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/template-pacing
_PACING_DROP = (132015, "Template is Paused")
# BSUID prefixes by calling code, so webhook fixtures carry the current (2026) user_id shape.
_BSUID_COUNTRY = {"62": "ID", "65": "SG", "60": "MY", "66": "TH", "63": "PH", "84": "VN", "61": "AU", "1": "US"}


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)


def _bsuid(digits: str) -> str:
    country = next((cc for prefix, cc in _BSUID_COUNTRY.items() if digits.startswith(prefix)), "ZZ")
    return f"{country}.{int(hashlib.sha256(digits.encode()).hexdigest()[:15], 16)}"


def _mask(phone: str) -> str:
    digits = _digits(phone)
    return f"+{digits[:4]}…{digits[-3:]}" if len(digits) > 7 else "+…"


def sign(app_secret: str, body: bytes) -> str:
    """The `X-Hub-Signature-256` value Meta sends: HMAC-SHA256 of the raw body with the app secret, hex."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def graph_error(status: int, code: int, title: str, details: str, *, with_data: bool = True) -> Response:
    """Meta's error body: {"error":{"message","type","code","error_data":{...},"fbtrace_id"}}."""
    error: dict[str, Any] = {"message": f"(#{code}) {title}", "type": "OAuthException", "code": code}
    if with_data:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    error["fbtrace_id"] = "A" + secrets.token_urlsafe(16)
    return Response(status=status, body={"error": error})


@dataclass
class Template:
    name: str
    language: str
    category: str
    parameter_format: str
    components: list[dict[str, Any]]
    status: str = "APPROVED"

    @property
    def id(self) -> str:
        return str(int(hashlib.sha256(f"{self.name}/{self.language}".encode()).hexdigest()[:15], 16))

    def component(self, kind: str) -> dict[str, Any] | None:
        return next((c for c in self.components if str(c.get("type", "")).upper() == kind), None)

    @property
    def body_text(self) -> str:
        body = self.component("BODY")
        return str(body["text"]) if body else ""

    @property
    def body_params(self) -> list[str]:
        return _PARAM.findall(self.body_text)

    @property
    def buttons(self) -> list[dict[str, Any]]:
        component = self.component("BUTTONS")
        return list(component["buttons"]) if component else []

    def as_graph(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "language": self.language,
            "status": self.status,
            "category": self.category,
            "parameter_format": self.parameter_format.upper(),
            "components": self.components,
        }


@dataclass
class PhoneNumber:
    phone_number_id: str
    access_token: str
    waba_id: str
    display_phone_number: str
    app_secret: str
    webhook_url: str | None = None
    throughput_per_second: int | None = None
    verified_name: str = "Test Number"  # what Meta calls a test number's display name
    sent_times: deque[float] = field(default_factory=deque)

    def public(self) -> dict[str, Any]:
        return {
            "phone_number_id": self.phone_number_id,
            "waba_id": self.waba_id,
            "display_phone_number": self.display_phone_number,
            "verified_name": self.verified_name,
            "webhook_url": self.webhook_url,
            "throughput_per_second": self.throughput_per_second,
        }

    def as_graph(self) -> dict[str, Any]:
        """The default fields of a WhatsApp Business Phone Number node, as the phone_numbers edge lists them."""
        return {
            "id": self.phone_number_id,
            "display_phone_number": self.display_phone_number,
            "verified_name": self.verified_name,
            "quality_rating": "GREEN",
            "code_verification_status": "VERIFIED",
        }


@dataclass(order=True)
class _Pending:
    due: float
    seq: int
    phone_number_id: str = field(compare=False)
    kind: str = field(compare=False)
    wamid: str = field(compare=False)
    status: str = field(compare=False)
    payload: dict[str, Any] = field(compare=False)


@dataclass
class _Filled:
    """A send request's template, checked, with the values it was filled with."""

    template: Template
    params: dict[str, str] = field(default_factory=dict)
    suffix: str | None = None
    payloads: dict[str, str] = field(default_factory=dict)  # quick-reply payloads by button index


class _Rejected(Exception):
    def __init__(self, response: Response) -> None:
        super().__init__("rejected")
        self.response = response


def load_templates(directory: Path = TEMPLATES_DIR, public_url: str | None = None) -> dict[tuple[str, str], Template]:
    """Read the create-template JSON files, optionally pointing the URL buttons at a reachable host."""
    registry: dict[tuple[str, str], Template] = {}
    for path in sorted(directory.glob("*.json")):
        text = path.read_text(encoding="utf-8")
        if public_url:
            text = text.replace(TEMPLATE_HOST, public_url.rstrip("/"))
        spec = json.loads(text)
        template = Template(
            name=spec["name"],
            language=spec["language"],
            category=str(spec.get("category", "UTILITY")).upper(),
            parameter_format=str(spec.get("parameter_format", "positional")).lower(),
            components=spec["components"],
        )
        registry[(template.name, template.language)] = template
    return registry


class FakeMetaGraph(FakeServer):
    """The Graph API endpoints Lunas uses, plus `/_sandbox/meta/...` controls. See the module docstring."""

    name = "fake-meta"

    def __init__(
        self,
        *,
        templates_dir: Path = TEMPLATES_DIR,
        public_url: str | None = None,
        status_delay_seconds: float = 0.05,
        auto_deliver: bool = True,
        throughput_per_second: int = 80,
        clock: SandboxClock | None = None,
    ) -> None:
        super().__init__(clock)
        self._templates_source = (templates_dir, public_url)
        self.templates_by_key = load_templates(templates_dir, public_url)
        self.phone_numbers: dict[str, PhoneNumber] = {}
        self.not_on_whatsapp: set[str] = set()  # digits
        self.settings: dict[str, Any] = {
            "auto_deliver": auto_deliver,
            "status_delay_seconds": status_delay_seconds,
            "final_status": "read",
            "throughput_per_second": throughput_per_second,
            "throughput_window_seconds": 1.0,
        }
        self._initial_settings = dict(self.settings)
        self._messages: list[dict[str, Any]] = []
        self._last_inbound: dict[tuple[str, str], float] = {}  # (phone_number_id, wa_id) -> time (24-hour window)
        self._send_answers: dict[str, dict[str, Any]] = {}  # digits of `to` -> {"message_status", "wa_id", "times"}
        self._held: dict[str, tuple[str, str, str | None, str]] = {}  # wamid -> (number id, wa_id, tracker, category)
        self._deliveries: list[dict[str, Any]] = []
        self._pending: list[_Pending] = []
        self._seq = itertools.count(1)
        self._wake = threading.Condition(self._lock)
        self._deliver_lock = threading.Lock()  # one delivery at a time keeps each message's statuses in order
        self._worker: threading.Thread | None = None
        self._stopping = False
        self._http = httpx.Client(timeout=10.0)

        version = r"^/v(?P<version>\d+\.\d+)"
        self.route("POST", version + r"/(?P<phone_number_id>[^/]+)/messages$", self._send)
        self.route("GET", version + r"/(?P<waba_id>[^/]+)/message_templates$", self._list_templates)
        self.route("GET", version + r"/(?P<waba_id>[^/]+)/phone_numbers$", self._list_phone_numbers)
        admin = r"^/_sandbox/meta"
        self.route("POST", admin + r"/phone_numbers$", self._admin_register)
        self.route("GET", admin + r"/phone_numbers$", lambda r: Response(body=self.phone_number_list()))
        self.route("POST", admin + r"/not_on_whatsapp$", self._admin_not_on_whatsapp)
        self.route("GET", admin + r"/templates$", lambda r: Response(body=self.templates()))
        self.route("POST", admin + r"/templates/status$", self._admin_template_status)
        self.route("GET", admin + r"/messages$", self._admin_messages)
        self.route("GET", admin + r"/webhooks$", lambda r: Response(body=self.deliveries()))
        self.route("POST", admin + r"/flush$", lambda r: Response(body={"delivered": self.flush()}))
        self.route("POST", admin + r"/settings$", lambda r: Response(body=self.configure(**(r.json() or {}))))
        self.route("POST", admin + r"/inbound$", self._admin_inbound)
        self.route("POST", admin + r"/reset$", lambda r: Response(body=self.reset()))
        self.route("POST", admin + r"/template_event$", self._admin_template_event)
        self.route("POST", admin + r"/flush_batched$", lambda r: Response(body={"delivered": self.flush_batched()}))
        self.route("POST", admin + r"/send_answers$", self._admin_send_answer)
        self.route("POST", admin + r"/held$", self._admin_held)

    # -- lifecycle ----------------------------------------------------------------------------------------

    def start(self, port: int = 0) -> str:
        url = super().start(port)
        with self._lock:
            self._stopping = False
        self._worker = threading.Thread(target=self._deliver_loop, name=f"{self.name}-webhooks", daemon=True)
        self._worker.start()
        return url

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            self._wake.notify_all()
        if self._worker is not None:
            self._worker.join(timeout=5)
            self._worker = None
        super().stop()
        self._http.close()

    # -- admin, as Python methods -------------------------------------------------------------------------

    def register_phone_number(
        self,
        phone_number_id: str,
        *,
        access_token: str,
        waba_id: str,
        display_phone_number: str,
        app_secret: str,
        webhook_url: str | None = None,
        throughput_per_second: int | None = None,
        verified_name: str = "Test Number",
    ) -> None:
        with self._lock:
            self.phone_numbers[phone_number_id] = PhoneNumber(
                phone_number_id,
                access_token,
                waba_id,
                display_phone_number,
                app_secret,
                webhook_url,
                throughput_per_second,
                verified_name,
            )

    def phone_number_list(self) -> list[dict[str, Any]]:
        with self._lock:
            return [p.public() for p in self.phone_numbers.values()]

    def set_not_on_whatsapp(self, phone: str, not_on_whatsapp: bool = True) -> None:
        with self._lock:
            (self.not_on_whatsapp.add if not_on_whatsapp else self.not_on_whatsapp.discard)(_digits(phone))

    def set_send_answer(
        self, to: str, *, message_status: str | None = None, wa_id: str | None = None, times: int = 1
    ) -> None:
        """How Meta answers the next `times` template sends to `to` (-1: every one): `message_status`
        `held_for_quality_assessment` / `paused` (template pacing: no status webhook until `release_held` or
        `drop_held`), and/or `wa_id`, the WhatsApp id Meta resolved the number to (e.g. a Brazilian mobile with the
        extra 9), used in the answer's `contacts[0].wa_id` and as `recipient_id` of the statuses."""
        with self._lock:
            self._send_answers[_digits(to)] = {
                "message_status": message_status,
                "wa_id": _digits(wa_id) if wa_id else None,
                "times": times,
            }

    def held(self) -> list[str]:
        """The wamids of sends Meta answered as held and has not released or dropped yet."""
        with self._lock:
            return list(self._held)

    def release_held(self, wamid: str) -> None:
        """Meta's quality assessment passed: the held message goes out; its status webhooks follow as usual."""
        self._settle_held(wamid, dropped=False)

    def drop_held(self, wamid: str) -> None:
        """Meta's quality assessment failed: the held message is dropped, reported as `failed` (132015)."""
        self._settle_held(wamid, dropped=True)

    def _settle_held(self, wamid: str, *, dropped: bool) -> None:
        with self._lock:
            held = self._held.pop(wamid, None)
            if held is None:
                raise KeyError(f"no held message {wamid}")
            phone_number_id, wa_id, tracker, category = held
            self._queue_statuses(self.phone_numbers[phone_number_id], wamid, wa_id, tracker, category, dropped=dropped)

    def templates(self) -> list[dict[str, Any]]:
        with self._lock:
            return [t.as_graph() for t in self.templates_by_key.values()]

    def set_template_status(
        self, name: str, language: str | None = None, *, status: str | None = None, category: str | None = None
    ) -> list[dict[str, str]]:
        updated = []
        with self._lock:
            for template in self.templates_by_key.values():
                if template.name == name and language in (None, template.language):
                    template.status = status.upper() if status else template.status
                    template.category = category.upper() if category else template.category
                    updated.append({k: getattr(template, k) for k in ("name", "language", "status", "category")})
        if not updated:
            raise KeyError(f"no template {name!r} in {language or 'any language'}")
        return updated

    def messages(self, *, to: str | None = None, phone_number_id: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [
                json.loads(json.dumps(m))
                for m in self._messages
                if (to is None or _digits(to) in (m["wa_id"], _digits(m["to"])))
                and (phone_number_id is None or m["phone_number_id"] == phone_number_id)
            ]

    def deliveries(self) -> dict[str, Any]:
        with self._lock:
            return {"pending": len(self._pending), "deliveries": [dict(d) for d in self._deliveries]}

    def configure(self, **settings: Any) -> dict[str, Any]:
        with self._lock:
            unknown = set(settings) - set(self.settings)
            if unknown:
                raise ValueError(f"unknown settings {sorted(unknown)}")
            self.settings.update(settings)
            self._wake.notify_all()
            return dict(self.settings)

    def reset(self) -> dict[str, bool]:
        """Back to the starting state, keeping the registered phone numbers."""
        with self._deliver_lock, self._lock:
            self._messages.clear()
            self._last_inbound.clear()
            self._send_answers.clear()
            self._held.clear()
            self._deliveries.clear()
            self._pending.clear()
            self.not_on_whatsapp.clear()
            self.templates_by_key = load_templates(*self._templates_source)
            self.settings = dict(self._initial_settings)
            for number in self.phone_numbers.values():
                number.sent_times.clear()
        return {"reset": True}

    def flush(self) -> list[dict[str, Any]]:
        """Deliver every pending webhook now, in order; returns the delivery records."""
        done = []
        with self._deliver_lock:
            while True:
                with self._lock:
                    if not self._pending:
                        break
                    item = heapq.heappop(self._pending)
                done.append(self._deliver(item))
        return done

    def simulate_text(self, phone_number_id: str, sender: str, text: str) -> str:
        """Queue an inbound text from a customer (e.g. "STOP"); returns its wamid."""
        message = {"type": "text", "text": {"body": text}}
        return self._queue_inbound(phone_number_id, sender, message)

    def simulate_button_tap(self, wamid: str, button_index: int = 1) -> str:
        """Queue the customer's tap on a quick-reply button of a message we sent; returns the inbound wamid."""
        with self._lock:
            sent = next((m for m in self._messages if m["wamid"] == wamid), None)
        if sent is None:
            raise KeyError(f"unknown wamid {wamid}")
        button = sent["rendered"]["buttons"][button_index]
        if button["type"] != "QUICK_REPLY":
            raise ValueError(f"button {button_index} is not a quick reply")
        message = {
            "context": {"from": self.phone_numbers[sent["phone_number_id"]].display_phone_number, "id": wamid},
            "type": "button",
            "button": {"payload": button.get("payload") or button["text"], "text": button["text"]},
        }
        return self._queue_inbound(sent["phone_number_id"], "+" + sent["wa_id"], message)

    def simulate_template_event(
        self,
        waba_id: str,
        name: str,
        language: str,
        event: str,
        *,
        reason: str = "NONE",
        category: str | None = None,
        other_info: dict[str, str] | None = None,
        apply: bool = False,
    ) -> None:
        """Queue a signed `message_template_status_update` (PAUSED, APPROVED, DISABLED, ...) for a WABA.

        With `apply`, the fake's own template list changes too (as Meta's would); without it, only the event is sent,
        which shows that the app believes the event over a cached template list.
        """
        template = self.templates_by_key.get((name, language))
        value: dict[str, Any] = {
            "event": event.upper(),
            "message_template_id": int(template.id) if template else 0,
            "message_template_name": name,
            "message_template_language": language,
            "reason": reason,
            "message_template_category": (category or (template.category if template else "UTILITY")).upper(),
        }
        if other_info:
            value["other_info"] = other_info
        if apply and template is not None:
            self.set_template_status(
                name, language, status=event.upper() if event.upper() != "REINSTATED" else "APPROVED"
            )
        self._queue_account_event(waba_id, "message_template_status_update", value)

    def simulate_category_update(
        self, waba_id: str, name: str, language: str, new_category: str, *, previous_category: str = "UTILITY"
    ) -> None:
        """Queue a signed, completed `template_category_update` (e.g. UTILITY -> MARKETING)."""
        template = self.templates_by_key.get((name, language))
        value = {
            "message_template_id": int(template.id) if template else 0,
            "message_template_name": name,
            "message_template_language": language,
            "previous_category": previous_category.upper(),
            "new_category": new_category.upper(),
        }
        self._queue_account_event(waba_id, "template_category_update", value)

    def simulate_quality_update(self, waba_id: str, name: str, language: str, new_score: str) -> None:
        template = self.templates_by_key.get((name, language))
        value = {
            "previous_quality_score": "GREEN",
            "new_quality_score": new_score.upper(),
            "message_template_id": int(template.id) if template else 0,
            "message_template_name": name,
            "message_template_language": language,
        }
        self._queue_account_event(waba_id, "message_template_quality_update", value)

    def simulate_user_preferences(self, phone_number_id: str, phone: str, value: str = "stop") -> None:
        """Queue a signed `user_preferences` event: the user stopped (or resumed) marketing messages in WhatsApp."""
        with self._lock:
            number = self.phone_numbers[phone_number_id]
        detail = "User requested to stop marketing messages" if value == "stop" else "User resumed marketing messages"
        pref = {
            "wa_id": _digits(phone),
            "detail": detail,
            "category": "marketing_messages",
            "value": value,
            "timestamp": int(self.now()),
        }
        contacts = [{"wa_id": pref["wa_id"], "profile": {"name": "Customer"}}]  # as Meta's reference shows
        payload = self._envelope(number, {"contacts": contacts, "user_preferences": [pref]})
        payload["entry"][0]["changes"][0]["field"] = "user_preferences"
        self._push(phone_number_id, "user_preferences", "", value, payload)

    def post_signed(self, phone_number_id: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST any payload now, signed with the number's app secret, to its webhook URL; returns the delivery."""
        item = _Pending(monotonic(), next(self._seq), phone_number_id, "raw", "", "", payload)
        with self._deliver_lock:
            return self._deliver(item, stamp=False)

    def flush_batched(self, max_updates: int = 1000) -> list[dict[str, Any]]:
        """Deliver everything pending merged into batched POSTs, as Meta does under load (one per webhook URL)."""
        with self._deliver_lock:
            with self._lock:
                items = sorted(self._pending)
                self._pending.clear()
            by_number: dict[str, list[_Pending]] = {}
            for item in items:
                by_number.setdefault(item.phone_number_id, []).append(item)
            records = []
            for phone_number_id, queued in by_number.items():
                for start in range(0, len(queued), max_updates):
                    chunk = queued[start : start + max_updates]
                    body = {
                        "object": "whatsapp_business_account",
                        "entry": [e for q in chunk for e in q.payload["entry"]],
                    }
                    for q in chunk:
                        self._stamp(q.payload)
                    batch = _Pending(monotonic(), next(self._seq), phone_number_id, "batch", "", "", body)
                    records.append(self._deliver(batch, stamp=False))
                    self._record_statuses(chunk)
            return records

    def _queue_account_event(self, waba_id: str, field_name: str, value: dict[str, Any]) -> None:
        with self._lock:
            number = next((p for p in self.phone_numbers.values() if p.waba_id == waba_id), None)
        if number is None:
            raise KeyError(f"no phone number registered for WABA {waba_id}")
        payload = {
            "object": "whatsapp_business_account",
            "entry": [{"id": waba_id, "time": int(self.now()), "changes": [{"field": field_name, "value": value}]}],
        }
        self._push(number.phone_number_id, "template", "", field_name, payload)

    def _push(self, phone_number_id: str, kind: str, wamid: str, status: str, payload: dict[str, Any]) -> None:
        with self._lock:
            delay = float(self.settings["status_delay_seconds"])
            heapq.heappush(
                self._pending,
                _Pending(monotonic() + delay, next(self._seq), phone_number_id, kind, wamid, status, payload),
            )
            self._wake.notify_all()

    def _send_text(self, number: PhoneNumber, version: str, to: str, body: dict[str, Any]) -> Response:
        """A free-form text: only inside the 24-hour customer-service window (else 131047)."""
        wa_id = _digits(to)
        with self._lock:
            last = self._last_inbound.get((number.phone_number_id, wa_id))
        if last is None or self.now() - last > 24 * 3600:
            return graph_error(
                400,
                131047,
                "Re-engagement message",
                "More than 24 hours have passed since the recipient last replied to the sender number.",
            )
        text = str((body.get("text") or {}).get("body", ""))
        if not text:
            return graph_error(400, 100, "Invalid parameter", "text.body is required")
        wamid = "wamid." + base64.b64encode(f"\x15\x02{wa_id}\x15{secrets.token_hex(10).upper()}".encode()).decode()
        tracker = body.get("biz_opaque_callback_data")
        with self._lock:
            self._messages.append(
                {
                    "wamid": wamid,
                    "phone_number_id": number.phone_number_id,
                    "to": to,
                    "wa_id": wa_id,
                    "type": "text",
                    "template": None,
                    "language": None,
                    "category": "service",
                    "params": {},
                    "button_url_suffix": None,
                    "quick_reply_payloads": {},
                    "tracker": tracker,
                    "rendered_text": text,
                    "rendered": {"body": text, "footer": None, "buttons": []},
                    "received_at": self.now(),
                    "api_version": version,
                    "statuses": [],
                }
            )
        for step, status in enumerate(("sent", "delivered", "read"), start=1):
            payload = self._status_payload(
                number, wamid=wamid, wa_id=wa_id, status=status, tracker=tracker, category="service", billable=False
            )
            with self._lock:
                due = monotonic() + step * float(self.settings["status_delay_seconds"])
                heapq.heappush(
                    self._pending,
                    _Pending(due, next(self._seq), number.phone_number_id, "status", wamid, status, payload),
                )
                self._wake.notify_all()
        return Response(
            body={
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": wa_id}],
                "messages": [{"id": wamid}],
            }
        )

    # -- Graph: send --------------------------------------------------------------------------------------

    def _send(self, request: Request) -> Response:
        assert request.match is not None
        try:
            number = self._authorised_number(request, request.match["phone_number_id"])
            body = request.json()
            if not isinstance(body, dict) or body.get("messaging_product") != "whatsapp":
                raise _Rejected(graph_error(400, 100, "Invalid parameter", "messaging_product must be whatsapp"))
            to = str(body.get("to") or "")
            if not _digits(to):
                raise _Rejected(graph_error(400, 131008, "Required parameter is missing", "to is required"))
            if body.get("type") == "text" and isinstance(body.get("text"), dict):
                return self._send_text(number, request.match["version"], to, body)
            if body.get("type") != "template" or not isinstance(body.get("template"), dict):
                raise _Rejected(graph_error(400, 100, "Invalid parameter", "this fake only sends templates"))
            self._take_throughput(number)
            filled = self._fill_template(body["template"])
        except _Rejected as rejected:
            return rejected.response
        tracker = body.get("biz_opaque_callback_data")
        return Response(body=self._accept(number, request.match["version"], to, filled, tracker))

    def _authorised_number(self, request: Request, phone_number_id: str) -> PhoneNumber:
        with self._lock:
            number = self.phone_numbers.get(phone_number_id)
        token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if number is None:
            raise _Rejected(self._unknown_object(phone_number_id))
        if not token or not hmac.compare_digest(token, number.access_token):
            raise _Rejected(graph_error(401, 190, "Invalid OAuth access token", "", with_data=False))
        return number

    @staticmethod
    def _unknown_object(object_id: str, method: str = "post") -> Response:
        response = graph_error(
            400,
            100,
            f"Unsupported {method} request",
            f"Object with ID '{object_id}' does not exist, cannot be loaded due to missing permissions, "
            "or does not support this operation",
            with_data=False,
        )
        response.body["error"]["error_subcode"] = 33
        return response

    def _take_throughput(self, number: PhoneNumber) -> None:
        now = monotonic()
        with self._lock:
            cap = number.throughput_per_second or int(self.settings["throughput_per_second"])
            window = float(self.settings["throughput_window_seconds"])
            while number.sent_times and now - number.sent_times[0] >= window:
                number.sent_times.popleft()
            if len(number.sent_times) >= cap:
                raise _Rejected(
                    graph_error(400, 130429, "Rate limit hit", "Cloud API message throughput has been reached.")
                )
            number.sent_times.append(now)

    def _approved_template(self, spec: dict[str, Any]) -> Template:
        name = str(spec.get("name", ""))
        language = str((spec.get("language") or {}).get("code", ""))
        with self._lock:
            template = self.templates_by_key.get((name, language))
            status = template.status if template else None
        if status == "PAUSED":
            raise _Rejected(graph_error(400, 132015, "Template is Paused", f"template ({name}) is paused"))
        if status == "DISABLED":
            raise _Rejected(graph_error(400, 132016, "Template is Disabled", f"template ({name}) is disabled"))
        if template is None or status != "APPROVED":
            raise _Rejected(
                graph_error(
                    400,
                    132001,
                    "Template name does not exist in the translation",
                    f"template name ({name}) does not exist in {language}",
                )
            )
        return template

    def _fill_template(self, spec: dict[str, Any]) -> _Filled:
        filled = _Filled(self._approved_template(spec))
        for component in spec.get("components") or []:
            kind = str(component.get("type", "")).lower()
            values = component.get("parameters") or []
            sub_type = str(component.get("sub_type", "")).lower()
            if kind == "body":
                filled.params = self._body_params(filled.template, values)
            elif kind == "button" and sub_type == "url" and values:
                filled.suffix = str(values[0].get("text", ""))
            elif kind == "button" and sub_type == "quick_reply" and values:
                filled.payloads[str(component.get("index"))] = str(values[0].get("payload", ""))
        self._validate(filled)
        return filled

    def _validate(self, filled: _Filled) -> None:
        declared = filled.template.body_params
        if set(filled.params) != set(declared) or len(filled.params) != len(declared):
            raise _Rejected(self._param_mismatch(declared, list(filled.params)))
        has_url_param = any(b.get("type") == "URL" and "{{" in b.get("url", "") for b in filled.template.buttons)
        if has_url_param != (filled.suffix is not None) or filled.suffix == "":
            raise _Rejected(
                graph_error(
                    400,
                    132000,
                    "Number of parameters does not match the expected number of params",
                    "button: the URL button takes exactly one non-empty parameter",
                )
            )
        for value in [*filled.params.values(), filled.suffix or ""]:
            if _BAD_PARAM_TEXT.search(value):
                raise _Rejected(
                    graph_error(
                        400,
                        100,
                        "Invalid parameter",
                        "Param text cannot have new-line/tab characters or more than 4 consecutive spaces",
                    )
                )
        if len(self._render_body(filled.template, filled.params)) > _MAX_BODY:
            raise _Rejected(graph_error(400, 132005, "Translated text too long", "body text too long after hydration"))

    def _body_params(self, template: Template, parameters: list[dict[str, Any]]) -> dict[str, str]:
        params: dict[str, str] = {}
        for parameter in parameters:
            if template.parameter_format == "named" and not parameter.get("parameter_name"):
                raise _Rejected(
                    graph_error(
                        400,
                        132012,
                        "Parameter format does not match format in the created template",
                        "named template: every body parameter needs parameter_name",
                    )
                )
            key = str(parameter.get("parameter_name") or len(params) + 1)
            if key in params:
                raise _Rejected(self._param_mismatch(template.body_params, [*params, key]))
            params[key] = str(parameter.get("text", ""))
        return params

    @staticmethod
    def _param_mismatch(declared: list[str], given: list[str]) -> Response:
        return graph_error(
            400,
            132000,
            "Number of parameters does not match the expected number of params",
            f"body: expected {sorted(declared)}, got {sorted(given)}",
        )

    @staticmethod
    def _render_body(template: Template, params: dict[str, str]) -> str:
        return _PARAM.sub(lambda m: params.get(m.group(1), m.group(0)), template.body_text)

    def _render(self, filled: _Filled) -> dict[str, Any]:
        buttons: list[dict[str, Any]] = []
        for index, button in enumerate(filled.template.buttons):
            rendered: dict[str, Any] = {"type": button["type"], "text": button["text"]}
            if button["type"] == "URL":
                rendered["url"] = _PARAM.sub(lambda _: filled.suffix or "", button["url"])
            elif button["type"] == "QUICK_REPLY":
                rendered["payload"] = filled.payloads.get(str(index))
            buttons.append(rendered)
        footer = filled.template.component("FOOTER")
        return {
            "body": self._render_body(filled.template, filled.params),
            "footer": footer["text"] if footer else None,
            "buttons": buttons,
        }

    @staticmethod
    def _rendered_text(rendered: dict[str, Any]) -> str:
        lines = [rendered["body"]]
        if rendered["footer"]:
            lines += ["", rendered["footer"]]
        lines.append("")
        for button in rendered["buttons"]:
            lines.append(f"[ {button['text']} ]" + (f" -> {button['url']}" if button.get("url") else ""))
        return "\n".join(lines)

    def _accept(
        self, number: PhoneNumber, version: str, to: str, filled: _Filled, tracker: str | None
    ) -> dict[str, Any]:
        answer = self._take_send_answer(_digits(to))
        wa_id = answer.get("wa_id") or _digits(to)  # the WhatsApp id Meta delivers to, which may differ from `to`
        message_status = answer.get("message_status") or "accepted"
        wamid = "wamid." + base64.b64encode(f"\x15\x02{wa_id}\x15{secrets.token_hex(10).upper()}".encode()).decode()
        rendered = self._render(filled)
        template = filled.template
        with self._lock:
            self._messages.append(
                {
                    "wamid": wamid,
                    "phone_number_id": number.phone_number_id,
                    "to": to,
                    "wa_id": wa_id,
                    "type": "template",
                    "template": template.name,
                    "language": template.language,
                    "category": template.category,
                    "params": filled.params,
                    "button_url_suffix": filled.suffix,
                    "quick_reply_payloads": filled.payloads,
                    "tracker": tracker,
                    "rendered_text": self._rendered_text(rendered),
                    "rendered": rendered,
                    "received_at": self.now(),
                    "api_version": version,
                    "message_status": message_status,
                    "statuses": [],
                }
            )
            if message_status == "accepted":
                self._queue_statuses(number, wamid, wa_id, tracker, template.category.lower())
            else:  # held (template pacing): no status until Meta lets it go (release_held) or drops it (drop_held)
                self._held[wamid] = (number.phone_number_id, wa_id, tracker, template.category.lower())
        return {
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": wa_id}],
            "messages": [{"id": wamid, "message_status": message_status}],
        }

    def _queue_statuses(
        self,
        number: PhoneNumber,
        wamid: str,
        wa_id: str,
        tracker: str | None,
        category: str,
        *,
        dropped: bool = False,
    ) -> None:
        """Queue a sent message's status webhooks (under the state lock): sent, delivered, read up to the configured
        final status; sent then failed (131026) for a number not on WhatsApp; failed (132015) for a dropped one."""
        undeliverable = wa_id in self.not_on_whatsapp
        steps = ("sent", "delivered", "read")
        chain = ["sent", "failed"] if undeliverable else list(steps[: steps.index(self.settings["final_status"]) + 1])
        chain = ["failed"] if dropped else chain
        delay = float(self.settings["status_delay_seconds"])
        for step, status in enumerate(chain, start=1):
            payload = self._status_payload(
                number,
                wamid=wamid,
                wa_id=wa_id,
                status=status,
                tracker=tracker,
                category=category,
                billable=not (undeliverable or dropped),
                error=_PACING_DROP if dropped else _UNDELIVERABLE,
            )
            due = monotonic() + step * delay
            heapq.heappush(
                self._pending, _Pending(due, next(self._seq), number.phone_number_id, "status", wamid, status, payload)
            )
        self._wake.notify_all()

    def _take_send_answer(self, digits: str) -> dict[str, Any]:
        """The answer set with `set_send_answer` for this number, used up one send at a time."""
        with self._lock:
            answer = self._send_answers.get(digits)
            if answer is None:
                return {}
            if answer["times"] > 0:
                answer["times"] -= 1
                if answer["times"] == 0:
                    del self._send_answers[digits]
            return dict(answer)

    # -- Graph: template list -----------------------------------------------------------------------------

    def _list_templates(self, request: Request) -> Response:
        assert request.match is not None
        waba_id = request.match["waba_id"]
        token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        with self._lock:
            numbers = [p for p in self.phone_numbers.values() if p.waba_id == waba_id]
            rows = [t.as_graph() for t in self.templates_by_key.values()]
        if not numbers:
            return self._unknown_object(waba_id, "get")
        if not any(token and hmac.compare_digest(token, p.access_token) for p in numbers):
            return graph_error(401, 190, "Invalid OAuth access token", "", with_data=False)
        for key in ("status", "category", "name", "language"):
            wanted = request.arg(key)
            if wanted:
                rows = [r for r in rows if str(r[key]).lower() in wanted.lower().split(",")]
        try:
            limit = max(1, min(int(request.arg("limit") or 25), 1000))
        except ValueError:
            return graph_error(400, 100, "Invalid parameter", "limit must be an integer", with_data=False)
        return Response(body=self._page(request, rows, limit))

    # -- Graph: a business account's phone numbers -----------------------------------------------------------

    def _list_phone_numbers(self, request: Request) -> Response:
        """`GET /{waba_id}/phone_numbers`: the numbers of that WABA this token was registered with."""
        assert request.match is not None
        waba_id = request.match["waba_id"]
        token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()

        def is_theirs(number: PhoneNumber) -> bool:
            return bool(token) and hmac.compare_digest(token.encode(), number.access_token.encode())

        with self._lock:
            known_token = any(is_theirs(p) for p in self.phone_numbers.values())
            in_waba = [p for p in self.phone_numbers.values() if p.waba_id == waba_id]
            visible = sorted((p for p in in_waba if is_theirs(p)), key=lambda p: p.phone_number_id)
            rows = [p.as_graph() for p in visible]
        if not known_token:
            return graph_error(401, 190, "Invalid OAuth access token - Cannot parse access token", "", with_data=False)
        if not in_waba:
            return self._unknown_object(waba_id, "get")
        if not visible:
            return graph_error(403, 200, "Permissions error", "", with_data=False)
        try:
            limit = max(1, min(int(request.arg("limit") or 25), 1000))
        except ValueError:
            return graph_error(400, 100, "Invalid parameter", "limit must be an integer", with_data=False)
        return Response(body=self._page(request, rows, limit))

    def _page(self, request: Request, rows: list[dict[str, Any]], limit: int) -> dict[str, Any]:
        """Graph cursor paging: `after` = cursor of a page's last row, `before` = of its first."""
        start = 0
        if request.arg("after"):
            start = self._decode_cursor(request.arg("after")) + 1
        elif request.arg("before"):
            start = max(0, self._decode_cursor(request.arg("before")) - limit)
        page = rows[start : start + limit]
        fields = [f for f in (request.arg("fields") or "").split(",") if f]
        data = [{k: v for k, v in row.items() if not fields or k in fields or k == "id"} for row in page]
        paging: dict[str, Any] = {}
        if page:
            paging["cursors"] = {"before": self._cursor(start), "after": self._cursor(start + len(page) - 1)}
            base = f"http://{request.headers.get('host', '127.0.0.1')}{request.path}"
            query = {k: v[0] for k, v in request.query.items() if k not in ("after", "before")}
            if start + len(page) < len(rows):
                paging["next"] = base + "?" + urlencode({**query, "after": paging["cursors"]["after"]})
            if start > 0:
                paging["previous"] = base + "?" + urlencode({**query, "before": paging["cursors"]["before"]})
        return {"data": data, "paging": paging}

    @staticmethod
    def _cursor(index: int) -> str:
        return base64.urlsafe_b64encode(f"tpl:{index}".encode()).decode().rstrip("=")

    @staticmethod
    def _decode_cursor(cursor: str | None) -> int:
        try:
            raw = base64.urlsafe_b64decode((cursor or "") + "=" * (-len(cursor or "") % 4)).decode()
            return int(raw.removeprefix("tpl:"))
        except ValueError:
            return -1

    # -- webhooks -----------------------------------------------------------------------------------------

    @staticmethod
    def _envelope(number: PhoneNumber, value: dict[str, Any]) -> dict[str, Any]:
        metadata = {
            "display_phone_number": _digits(number.display_phone_number),
            "phone_number_id": number.phone_number_id,
        }
        return {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": number.waba_id,
                    "changes": [
                        {"field": "messages", "value": {"messaging_product": "whatsapp", "metadata": metadata, **value}}
                    ],
                }
            ],
        }

    def _status_payload(
        self,
        number: PhoneNumber,
        *,
        wamid: str,
        wa_id: str,
        status: str,
        tracker: str | None,
        category: str,
        billable: bool,
        error: tuple[int, str] = (131026, "Message undeliverable"),
    ) -> dict[str, Any]:
        entry: dict[str, Any] = {"id": wamid, "status": status, "timestamp": "", "recipient_id": wa_id}
        value: dict[str, Any] = {}
        if tracker is not None:
            entry["biz_opaque_callback_data"] = tracker
        if status == "failed":
            # Meta's reference: a failed status carries errors[] and no contacts block.
            code, title = error
            entry["errors"] = [
                {
                    "code": code,
                    "title": title,
                    "message": title,
                    "error_data": {"details": f"{title}."},
                    "href": _ERROR_HREF,
                }
            ]
        else:
            entry["recipient_user_id"] = _bsuid(wa_id)
            value["contacts"] = [{"wa_id": wa_id, "user_id": _bsuid(wa_id)}]
            if billable and status in ("sent", "delivered"):
                entry["pricing"] = {"billable": True, "pricing_model": "PMP", "type": "regular", "category": category}
        value["statuses"] = [entry]
        return self._envelope(number, value)

    def _queue_inbound(self, phone_number_id: str, sender: str, message: dict[str, Any]) -> str:
        with self._lock:
            number = self.phone_numbers[phone_number_id]
            wa_id = _digits(sender)
            self._last_inbound[(phone_number_id, wa_id)] = self.now()
            wamid = "wamid." + base64.b64encode(f"in.{wa_id}.{secrets.token_hex(10).upper()}".encode()).decode()
            full = {"from": wa_id, "from_user_id": _bsuid(wa_id), "id": wamid, "timestamp": "", **message}
            contacts = [{"profile": {"name": "Customer"}, "wa_id": wa_id, "user_id": _bsuid(wa_id)}]
            payload = self._envelope(number, {"contacts": contacts, "messages": [full]})
            delay = float(self.settings["status_delay_seconds"])
            heapq.heappush(
                self._pending,
                _Pending(
                    monotonic() + delay,
                    next(self._seq),
                    phone_number_id,
                    "message",
                    wamid,
                    str(message["type"]),
                    payload,
                ),
            )
            self._wake.notify_all()
        return wamid

    def _stamp(self, payload: dict[str, Any]) -> None:
        """Statuses and messages carry the time they were delivered, as unix seconds in a string."""
        value = payload["entry"][0]["changes"][0]["value"]
        for part in (*value.get("statuses", ()), *value.get("messages", ())):
            part["timestamp"] = str(int(self.now()))

    def _record_statuses(self, items: list[_Pending]) -> None:
        with self._lock:
            for item in items:
                if item.kind == "status":
                    for message in self._messages:
                        if message["wamid"] == item.wamid:
                            message["statuses"].append(item.status)

    def _deliver(self, item: _Pending, *, stamp: bool = True) -> dict[str, Any]:
        """POST one signed webhook (outside the state lock: the app may call us back meanwhile)."""
        with self._lock:
            number = self.phone_numbers[item.phone_number_id]
            url, secret = number.webhook_url, number.app_secret
        if stamp:
            self._stamp(item.payload)
        raw = json.dumps(item.payload, separators=(",", ":"), ensure_ascii=False).encode()
        signature = sign(secret, raw)
        record: dict[str, Any] = {
            "seq": item.seq,
            "at": self.now(),
            "url": url,
            "phone_number_id": item.phone_number_id,
            "kind": item.kind,
            "wamid": item.wamid,
            "status": item.status,
            "http_status": None,
            "error": None,
            "body": raw.decode(),
            "signature": signature,
        }
        if url:
            try:
                answer = self._http.post(
                    url, content=raw, headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature}
                )
                record["http_status"] = answer.status_code
            except httpx.HTTPError as exc:
                record["error"] = f"{type(exc).__name__}: {exc}"
        with self._lock:
            self._deliveries.append(record)
        self._record_statuses([item])
        return record

    def _deliver_loop(self) -> None:
        while True:
            with self._lock:
                while not self._stopping:
                    head = self._pending[0] if self._pending else None
                    wait = None if head is None else head.due - monotonic()
                    if head is not None and self.settings["auto_deliver"] and wait is not None and wait <= 0:
                        break
                    self._wake.wait(timeout=wait if wait and wait > 0 and self.settings["auto_deliver"] else 0.5)
                if self._stopping:
                    return
            with self._deliver_lock:
                with self._lock:
                    if not self._pending or self._pending[0].due > monotonic():
                        continue  # flushed or reset meanwhile
                    item = heapq.heappop(self._pending)
                self._deliver(item)

    # -- admin HTTP wrappers ------------------------------------------------------------------------------

    def _admin_register(self, request: Request) -> Response:
        spec = request.json() or {}
        try:
            self.register_phone_number(
                str(spec["phone_number_id"]),
                access_token=str(spec["access_token"]),
                waba_id=str(spec["waba_id"]),
                display_phone_number=str(spec.get("display_phone_number", "")),
                app_secret=str(spec["app_secret"]),
                webhook_url=spec.get("webhook_url"),
                throughput_per_second=spec.get("throughput_per_second"),
                verified_name=str(spec.get("verified_name") or "Test Number"),
            )
        except KeyError as missing:
            return Response(status=400, body={"error": f"missing {missing}"})
        return Response(status=201, body={"phone_number_id": str(spec["phone_number_id"])})

    def _admin_not_on_whatsapp(self, request: Request) -> Response:
        spec = request.json() or {}
        self.set_not_on_whatsapp(str(spec["phone"]), bool(spec.get("not_on_whatsapp", True)))
        return Response(
            body={"phone": _mask(str(spec["phone"])), "not_on_whatsapp": bool(spec.get("not_on_whatsapp", True))}
        )

    def _admin_send_answer(self, request: Request) -> Response:
        spec = request.json() or {}
        try:
            self.set_send_answer(
                str(spec["to"]),
                message_status=spec.get("message_status"),
                wa_id=spec.get("wa_id"),
                times=int(spec.get("times", 1)),
            )
        except (KeyError, ValueError) as exc:
            return Response(status=400, body={"error": f"{type(exc).__name__}: {exc}"})
        return Response(body={"to": _mask(str(spec["to"])), "message_status": spec.get("message_status")})

    def _admin_held(self, request: Request) -> Response:
        spec = request.json() or {}
        try:
            outcome = str(spec.get("outcome", "released"))
            if outcome not in ("released", "dropped"):
                raise ValueError(f"outcome must be released or dropped, not {outcome!r}")
            self._settle_held(str(spec["wamid"]), dropped=outcome == "dropped")
        except (KeyError, ValueError) as exc:
            return Response(status=400, body={"error": f"{type(exc).__name__}: {exc}"})
        return Response(body={"wamid": spec["wamid"], "outcome": outcome})

    def _admin_template_status(self, request: Request) -> Response:
        spec = request.json() or {}
        try:
            updated = self.set_template_status(
                str(spec["name"]), spec.get("language"), status=spec.get("status"), category=spec.get("category")
            )
        except KeyError as exc:
            return Response(status=404, body={"error": str(exc)})
        return Response(body={"updated": updated})

    def _admin_messages(self, request: Request) -> Response:
        return Response(body=self.messages(to=request.arg("to"), phone_number_id=request.arg("phone_number_id")))

    def _admin_inbound(self, request: Request) -> Response:
        spec = request.json() or {}
        try:
            if spec.get("button_reply_to"):
                wamid = self.simulate_button_tap(str(spec["button_reply_to"]), int(spec.get("button_index", 1)))
            else:
                wamid = self.simulate_text(str(spec["phone_number_id"]), str(spec["from"]), str(spec["text"]))
        except (KeyError, ValueError, IndexError) as exc:
            return Response(status=400, body={"error": str(exc)})
        return Response(body={"wamid": wamid})

    def _admin_template_event(self, request: Request) -> Response:
        spec = request.json() or {}
        try:
            waba, name, language = str(spec["waba_id"]), str(spec["name"]), str(spec["language"])
            if spec.get("new_category"):
                self.simulate_category_update(waba, name, language, str(spec["new_category"]))
            elif spec.get("new_quality_score"):
                self.simulate_quality_update(waba, name, language, str(spec["new_quality_score"]))
            else:
                self.simulate_template_event(
                    waba, name, language, str(spec.get("event", "PAUSED")), reason=str(spec.get("reason", "NONE"))
                )
        except KeyError as exc:
            return Response(status=400, body={"error": f"missing or unknown {exc}"})
        return Response(body={"queued": True})
