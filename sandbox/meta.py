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
    Embedded Signup, as a Tech Provider calls it after the popup (https://developers.facebook.com/documentation/
    business-messaging/whatsapp/embedded-signup/onboarding-customers-as-a-tech-provider):
    GET  /{v}/oauth/access_token                  ?client_id&client_secret&code -> {"access_token","token_type":
                                                  "bearer"} (the business token of the number the popup shared).
                                                  Errors: 400/101 unknown app id, 400/1 wrong secret, 400/100 unknown
                                                  code, 400/100 (subcode 36009) a code already exchanged.
    POST /{v}/{waba_id}/subscribed_apps           Bearer business token -> {"success": true}; recorded per WABA
                                                  (admin GET below). Errors: 401/190, 403/200, 400/100 as above.
    DELETE /{v}/{waba_id}/subscribed_apps         Bearer business token -> {"success": true}; the app is removed
                                                  from the WABA's list (same errors)
    POST /{v}/{phone_number_id}/register          {"messaging_product":"whatsapp","pin":"6 digits"} -> {"success":
                                                  true}; a PIN other than the first one -> 400/133005.
    GET  /{v}/{phone_number_id}                   ?fields=display_phone_number,verified_name,quality_rating,
                                                  whatsapp_business_manager_messaging_limit (messaging_limit_tier,
                                                  deprecated, too),throughput ({"level": "STANDARD"|"HIGH"}) -> the
                                                  number node; an unknown field -> 400/100.
    GET  /en_US/sdk.js                            a stand-in for Meta's JS SDK: FB.init, FB.login (opens the popup
                                                  below, then calls back with {authResponse: {code}}), as the real one
                                                  (sandbox/meta_signup_pages.py).
    GET  /_sandbox/meta/signup                    the popup: share one of the fake's numbers or create one; its answer
    POST /_sandbox/meta/signup                    posts {"type":"WA_EMBEDDED_SIGNUP","event":"FINISH","data":
                                                  {"phone_number_id","waba_id","business_id"}} (or CANCEL) to the page
                                                  and closes                                         complete_signup()

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
                                           "throughput_window_seconds"?: float, "latency_seconds"?: float,
                                           "pair_gap_seconds"?: float} -> current settings   configure()
    POST /_sandbox/meta/send_errors       {"to", "code", "times"?} -> Meta's documented error for the next sends to
                                          that number; GET /_sandbox/meta/refusals -> sends refused per code
                                          (see "Send pace" near the end of this module)         set_send_error()
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
    GET  /_sandbox/meta/subscribed_apps   -> {waba_id: [app id]} (POST /{waba}/subscribed_apps)   subscriptions()
    POST /_sandbox/meta/account_event     {"field": "account_update", "waba_id", "event": "VERIFIED_ACCOUNT" |
                                           "DISABLED_UPDATE" | "ACCOUNT_VIOLATION" | "ACCOUNT_RESTRICTION" |
                                           "PARTNER_ADDED"} or {"field": "phone_number_quality_update",
                                           "phone_number_id", "event": "FLAGGED" | "UNFLAGGED" | "UPGRADE" |
                                           "DOWNGRADE", "current_limit"?: "TIER_10K", "quality_rating"?} or
                                          {"field": "business_capability_update", "waba_id",
                                           "max_daily_conversations_per_business": 2000} -> {"queued": true}
                                          simulate_account_update() / simulate_number_quality_update() /
                                          simulate_business_capability_update(); configure_app() sets the app id,
                                          secret and webhook URL the signup popup's numbers use
    POST /_sandbox/meta/reset             back to the start (messages, webhooks, marks, template statuses, settings);
                                          registered phone numbers are kept -> {"reset": true}

Template lifecycle (docs/whatsapp-templates.md): templates are kept per business account. A number registered as
above shares templates/whatsapp, all APPROVED; an account given its own list starts empty (as after Embedded Signup):
    POST /{v}/{waba_id}/message_templates          {"name","language","category","parameter_format"?,"components"}
                                                  -> {"id","status":"PENDING","category"}; 400/100 with
                                                  error_user_title/_msg for a body Meta would refuse, subcode 2388024
                                                  for a name already there in that language, 401/190 a foreign token
    POST /_sandbox/meta/business_accounts {"waba_id","preloaded"?: false} -> 201    new_business_account()
    GET  /_sandbox/meta/business_accounts/{waba_id}/templates -> [template]          templates_of()
    POST /_sandbox/meta/templates/review  {"waba_id","name","language","status": "APPROVED"|"REJECTED"|"PAUSED"|
                                           "DISABLED"|"REINSTATED"|"FLAGGED","reason"?,"recommendation"?} -> sets it
                                          and queues the signed message_template_status_update    review_template()

Text messages (`"type": "text"`, e.g. the opt-out confirmation) are accepted only inside the 24-hour window opened
by the customer's last inbound message (else 400/131047), and get the same status webhooks (pricing category
"service", type "free_customer_service", billable false).
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
import time
from collections import deque
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import httpx

from chalicelib.clock import monotonic
from sandbox.clock import SandboxClock
from sandbox.fakehttp import FakeServer, Request, Response
from sandbox.meta_signup_pages import answer_page, sdk_js, signup_page

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
    rejected_reason: str = "NONE"  # Meta's list field: why a REJECTED template was rejected

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
            "rejected_reason": self.rejected_reason,
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
    quality_rating: str = "GREEN"
    messaging_limit: str = "TIER_250"  # whatsapp_business_manager_messaging_limit: a new portfolio's 250
    throughput_level: str = "STANDARD"  # `throughput.level`: STANDARD (80/s) until THROUGHPUT_UPGRADE (HIGH, 1,000/s)

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
            "quality_rating": self.quality_rating,
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


# Create-template rules (https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/overview,
# .../templates/supported-languages): name of lowercase letters, digits and underscores (at most 512), a supported
# language code, one of the three categories, a BODY of at most 1,024 characters that neither starts nor ends with
# a parameter, a FOOTER of at most 60, at most 10 buttons of at most 25 characters, an example for every parameter.
_TEMPLATE_NAME = re.compile(r"^[a-z0-9_]{1,512}$")
_LANGUAGE_CODES = (
    "af sq ar az bn bg ca zh_CN zh_HK zh_TW hr cs da nl en en_GB en_US et fil fi fr ka de el gu ha he hi hu id ga it "
    "ja kn kk rw_RW ko ky_KG lo lv lt mk ms ml mr nb fa pl pt_BR pt_PT pa ro ru sr sk sl es es_AR es_ES es_MX sw sv "
    "ta te th tr uk ur uz vi zu"
)
_TEMPLATE_LANGUAGES = frozenset(_LANGUAGE_CODES.split(" "))
_PARAM_AT_END = re.compile(r"\{\{\s*[A-Za-z0-9_]+\s*\}\}$")
_TEMPLATE_CATEGORIES = frozenset({"AUTHENTICATION", "MARKETING", "UTILITY"})
_TEMPLATE_EXISTS = 2388024  # Graph error 100's subcode: "Content in This Language Already Exists"


def _template_error(title: str, message: str, *, subcode: int | None = None) -> Response:
    """Graph's answer to a refused create-template request: code 100 with Meta's user-facing title and message."""
    error: dict[str, Any] = {
        "message": "Invalid parameter",
        "type": "OAuthException",
        "code": 100,
        "is_transient": False,
        "error_user_title": title,
        "error_user_msg": message,
        "fbtrace_id": "A" + secrets.token_urlsafe(16),
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    return Response(status=400, body={"error": error})


def _template_problem(body: Any) -> tuple[str, str] | None:
    """(title, message) of the first rule a create-template body breaks, None when it keeps them all."""
    if not isinstance(body, dict):
        return "Invalid parameter", "The request body must be a JSON object."
    missing = next((k for k in ("name", "language", "category", "components") if not body.get(k)), None)
    components = body.get("components")
    checks = [
        (missing is not None, "Missing parameter", f"The parameter {missing} is required."),
        (
            not _TEMPLATE_NAME.match(str(body.get("name") or "")),
            "Invalid template name",
            "Names use lowercase letters, numbers and underscores (at most 512).",
        ),
        (
            body.get("language") not in _TEMPLATE_LANGUAGES,
            "Invalid language",
            f"{body.get('language')!r} is not a supported template language.",
        ),
        (
            str(body.get("category")).upper() not in _TEMPLATE_CATEGORIES,
            "Invalid category",
            "The category must be AUTHENTICATION, MARKETING or UTILITY.",
        ),
        (
            str(body.get("parameter_format") or "POSITIONAL").upper() not in ("NAMED", "POSITIONAL"),
            "Invalid parameter format",
            "parameter_format must be NAMED or POSITIONAL.",
        ),
        (
            not isinstance(components, list) or not all(isinstance(c, dict) for c in components),
            "Invalid parameter",
            "components must be a list of objects.",
        ),
    ]
    failed = next(((title, message) for broken, title, message in checks if broken), None)
    return failed or _components_problem(components or [])


def _components_problem(components: list[dict[str, Any]]) -> tuple[str, str] | None:
    kinds = [str(c.get("type", "")).upper() for c in components]
    if kinds.count("BODY") != 1:
        return "Invalid parameter", "A template has exactly one BODY component."
    body = components[kinds.index("BODY")]
    text = str(body.get("text") or "").strip()
    params = _PARAM.findall(text)
    example = body.get("example") or {}
    named = {str(e.get("param_name")) for e in example.get("body_text_named_params") or [] if isinstance(e, dict)}
    positional = (example.get("body_text") or [[]])[0] if isinstance(example.get("body_text"), list) else []
    footer = next((str(c.get("text") or "") for c in components if str(c.get("type", "")).upper() == "FOOTER"), "")
    buttons = [b for c in components if str(c.get("type", "")).upper() == "BUTTONS" for b in c.get("buttons") or []]
    checks = [
        (not text or len(text) > _MAX_BODY, "Message Body Is Too Long", f"The body has 1 to {_MAX_BODY} characters."),
        (
            bool(_PARAM.match(text) or _PARAM_AT_END.search(text)),
            "Variables can't be at the start or end of the template",
            "Add text before and after each variable.",
        ),
        (
            bool(params) and not set(params) <= named and len(positional) < len(params),
            "Missing Sample Text",
            "Add a sample for every variable of the body.",
        ),
        (len(footer) > 60, "Footer Too Long", "The footer has at most 60 characters."),
        (
            len(buttons) > 10 or any(len(str(b.get("text") or "")) > 25 for b in buttons),
            "Invalid buttons",
            "At most 10 buttons, each label at most 25 characters.",
        ),
        (  # https://developers.facebook.com/docs/whatsapp/business-management-api/message-templates/components
            sum(str(b.get("type", "")).upper() == "URL" for b in buttons) > 2,
            "Invalid buttons",
            "At most 2 URL buttons.",
        ),
    ]
    return next(((title, message) for broken, title, message in checks if broken), None)


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
        self._init_signup(version, admin)  # Embedded Signup: see the module docstring
        self._init_template_lifecycle(version, admin)  # template create / review: see the module docstring
        self._init_send_pace(admin)  # latency, pair limit, Graph errors on demand: see `_init_send_pace`

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
            self._reset_template_lifecycle()
            self._reset_send_pace()
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
                number,
                wamid=wamid,
                wa_id=wa_id,
                status=status,
                tracker=tracker,
                category="service",
                billable=False,
                pricing_type="free_customer_service",
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
            self._before_send(number, to)  # latency, an error asked for, the throughput cap, the pair limit
            filled = self._fill_template(body["template"], number.waba_id)
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

    def _approved_template(self, spec: dict[str, Any], waba_id: str = "") -> Template:
        name = str(spec.get("name", ""))
        language = str((spec.get("language") or {}).get("code", ""))
        with self._lock:
            template = self._templates_of(waba_id).get((name, language))
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

    def _fill_template(self, spec: dict[str, Any], waba_id: str = "") -> _Filled:
        filled = _Filled(self._approved_template(spec, waba_id))
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
            rows = [t.as_graph() for t in self._templates_of(waba_id).values()]
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
        pricing_type: str = "regular",
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
            # Meta prices every message it sends (a free one too: type free_customer_service / free_entry_point),
            # on `sent` and on one of delivered / read; `billable` is deprecated but still sent.
            # https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/status
            if (billable or pricing_type != "regular") and status in ("sent", "delivered"):
                entry["pricing"] = {
                    "billable": billable,
                    "pricing_model": "PMP",
                    "type": pricing_type,
                    "category": category,
                }
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

    # -- template lifecycle: create (PENDING), review (APPROVED / REJECTED + webhook), per business account ---------
    # https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/overview
    # https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/message_template_status_update

    def _init_template_lifecycle(self, version: str, admin: str) -> None:
        # A business account with its own templates; every other one shares `templates_by_key` (all APPROVED).
        self.waba_templates: dict[str, dict[tuple[str, str], Template]] = {}
        self._empty_wabas: set[str] = set()  # started with no template (restored so by reset())
        self.route("POST", version + r"/(?P<waba_id>[^/]+)/message_templates$", self._create_template)
        self.route("POST", version + r"/(?P<template_id>[0-9]+)$", self._edit_template)
        self._template_edits: dict[tuple[str, str], list[float]] = {}  # (waba, template id) -> approved-edit times
        self.route("POST", admin + r"/business_accounts$", self._admin_business_account)
        self.route("GET", admin + r"/business_accounts/(?P<waba_id>[^/]+)/templates$", self._admin_waba_templates)
        self.route("POST", admin + r"/templates/review$", self._admin_review)

    def _templates_of(self, waba_id: str) -> dict[tuple[str, str], Template]:
        """The templates a business account has (under the state lock)."""
        return self.waba_templates.get(waba_id, self.templates_by_key)

    def _own_templates(self, waba_id: str) -> dict[tuple[str, str], Template]:
        """The account's own templates, forked from the shared ones on first change (under the state lock)."""
        if waba_id not in self.waba_templates:
            self.waba_templates[waba_id] = {k: replace(t) for k, t in self.templates_by_key.items()}
        return self.waba_templates[waba_id]

    def _reset_template_lifecycle(self) -> None:
        self.waba_templates = {waba: {} for waba in self._empty_wabas}

    def new_business_account(self, waba_id: str, *, preloaded: bool = False) -> None:
        """Give a business account its own templates: none (a freshly onboarded account: `templates push` creates
        them PENDING) or a copy of templates/whatsapp, all APPROVED (how every other account starts)."""
        with self._lock:
            self.waba_templates[waba_id] = (
                {k: replace(t) for k, t in self.templates_by_key.items()} if preloaded else {}
            )
            (self._empty_wabas.discard if preloaded else self._empty_wabas.add)(waba_id)

    def templates_of(self, waba_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return [t.as_graph() for t in self._templates_of(waba_id).values()]

    def review_template(
        self, waba_id: str, name: str, language: str, status: str, *, reason: str = "NONE", recommendation: str = ""
    ) -> dict[str, Any]:
        """Meta's review (or a later change): set the template's status in that account and queue the signed
        `message_template_status_update` with the documented value (`event`, `message_template_id`,
        `message_template_name`, `message_template_language`, `reason`, `message_template_category`; a REJECTED
        one's `reason`, and `rejection_info` when a `recommendation` is given)."""
        status = status.upper()
        with self._lock:
            template = self._own_templates(waba_id).get((name, language))
            if template is None:
                raise KeyError(f"no template {name!r} in {language!r} in business account {waba_id}")
            template.status = status
            template.rejected_reason = reason.upper() if status == "REJECTED" else "NONE"
            value: dict[str, Any] = {
                "event": status,
                "message_template_id": int(template.id),
                "message_template_name": name,
                "message_template_language": language,
                "reason": template.rejected_reason if status == "REJECTED" else reason.upper(),
                "message_template_category": template.category,
            }
        if status == "REJECTED" and recommendation:
            value["rejection_info"] = {"reason": reason.upper(), "recommendation": recommendation}
        self._queue_account_event(waba_id, "message_template_status_update", value)
        return {"name": name, "language": language, "status": status, "reason": value["reason"]}

    def _create_template(self, request: Request) -> Response:
        """`POST /{waba_id}/message_templates`: validate the body as Meta does, store it PENDING, answer
        `{"id","status":"PENDING","category"}`."""
        assert request.match is not None
        waba_id = request.match["waba_id"]
        token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        with self._lock:
            numbers = [p for p in self.phone_numbers.values() if p.waba_id == waba_id]
        if not numbers:
            return self._unknown_object(waba_id)
        if not any(token and hmac.compare_digest(token, p.access_token) for p in numbers):
            return graph_error(401, 190, "Invalid OAuth access token", "", with_data=False)
        body = request.json()
        problem = _template_problem(body)
        if problem:
            return _template_error(*problem)
        assert isinstance(body, dict)
        template = Template(
            name=body["name"],
            language=body["language"],
            category=str(body["category"]).upper(),
            parameter_format=str(body.get("parameter_format") or "positional").lower(),
            components=body["components"],
            status="PENDING",
        )
        with self._lock:
            templates = self._own_templates(waba_id)
            if (template.name, template.language) in templates:
                return _template_error(
                    "Content in This Language Already Exists",
                    f"There is already {template.language} content for this template. You can create a new "
                    "template and try again.",
                    subcode=_TEMPLATE_EXISTS,
                )
            templates[(template.name, template.language)] = template
        return Response(body={"id": template.id, "status": "PENDING", "category": template.category})

    def _edit_template(self, request: Request) -> Response:
        """`POST /{template_id}` with `components`: Meta's "edit a template". Only an APPROVED, REJECTED or PAUSED
        template can be edited; an approved one at most once in 24 hours and 10 times in 30 days; the new content is
        reviewed again (PENDING). Answers `{"success": true}`.
        https://developers.facebook.com/docs/whatsapp/business-management-api/message-templates/"""
        assert request.match is not None
        template_id = request.match["template_id"]
        token = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        with self._lock:
            wabas = {
                p.waba_id for p in self.phone_numbers.values() if token and hmac.compare_digest(token, p.access_token)
            }
            found = next(
                ((w, t) for w in sorted(wabas) for t in self._templates_of(w).values() if t.id == template_id), None
            )
        if not wabas:
            return graph_error(401, 190, "Invalid OAuth access token", "", with_data=False)
        if found is None:
            return self._unknown_object(template_id)
        body = request.json()
        components = body.get("components") if isinstance(body, dict) else None
        if not isinstance(components, list) or not all(isinstance(c, dict) for c in components):
            return _template_error("Invalid parameter", "components must be a list of objects.")
        problem = _components_problem(components)
        if problem:
            return _template_error(*problem)
        return self._apply_template_edit(*found, components)

    def _apply_template_edit(self, waba_id: str, listed: Template, components: list[dict[str, Any]]) -> Response:
        now = self.clock.timestamp()
        with self._lock:
            template = self._own_templates(waba_id)[(listed.name, listed.language)]
            if template.status not in ("APPROVED", "REJECTED", "PAUSED"):
                return _template_error(
                    "Template Can't Be Edited", "Only approved, rejected or paused templates can be edited."
                )
            if template.status == "APPROVED":
                edits = [t for t in self._template_edits.get((waba_id, template.id), []) if now - t < 30 * 86_400]
                if len(edits) >= 10 or any(now - t < 86_400 for t in edits):
                    return _template_error(
                        "Edit Limit Reached",
                        "An approved template can be edited once in 24 hours and up to 10 times in 30 days.",
                    )
                self._template_edits[(waba_id, template.id)] = [*edits, now]
            template.components = components
            template.status = "PENDING"
            template.rejected_reason = "NONE"
        return Response(body={"success": True})

    def _admin_business_account(self, request: Request) -> Response:
        spec = request.json() or {}
        try:
            self.new_business_account(str(spec["waba_id"]), preloaded=bool(spec.get("preloaded", False)))
        except KeyError as missing:
            return Response(status=400, body={"error": f"missing {missing}"})
        return Response(status=201, body={"waba_id": str(spec["waba_id"])})

    def _admin_waba_templates(self, request: Request) -> Response:
        assert request.match is not None
        return Response(body=self.templates_of(request.match["waba_id"]))

    def _admin_review(self, request: Request) -> Response:
        spec = request.json() or {}
        try:
            status = str(spec.get("status", "APPROVED")).upper()
            if status not in ("APPROVED", "REJECTED", "PAUSED", "DISABLED", "REINSTATED", "FLAGGED"):
                raise ValueError(f"status {status!r}")
            reviewed = self.review_template(
                str(spec["waba_id"]),
                str(spec["name"]),
                str(spec["language"]),
                status,
                reason=str(spec.get("reason") or ("INVALID_FORMAT" if status == "REJECTED" else "NONE")),
                recommendation=str(spec.get("recommendation") or ""),
            )
        except (KeyError, ValueError) as exc:
            return Response(status=400, body={"error": f"missing or unknown {exc}"})
        return Response(body=reviewed)

    # -- Embedded Signup: the Graph calls after the popup, the popup itself, account events -------------------------
    # https://developers.facebook.com/documentation/business-messaging/whatsapp/embedded-signup/onboarding-customers-as-a-tech-provider

    def _init_signup(self, version: str, admin: str) -> None:
        self.app: dict[str, str] = {"app_id": "", "app_secret": "", "webhook_url": ""}
        self._codes: dict[str, dict[str, Any]] = {}  # code -> {"phone_number_id", "used"}
        self.subscribed_apps: dict[str, list[str]] = {}  # waba id -> app ids
        self.registered_pins: dict[str, str] = {}  # phone number id -> the two-step PIN it was registered with
        self.route("GET", version + r"/oauth/access_token$", self._exchange_code)
        self.route("POST", version + r"/(?P<waba_id>[^/]+)/subscribed_apps$", self._subscribe_app)
        self.route("DELETE", version + r"/(?P<waba_id>[^/]+)/subscribed_apps$", self._unsubscribe_app)
        self.route("POST", version + r"/(?P<phone_number_id>[^/]+)/register$", self._register)
        self.route("GET", version + r"/(?P<object_id>[^/]+)$", self._read_phone_number)
        self.route("GET", r"^/en_US/sdk\.js$", self._sdk)
        self.route("GET", admin + r"/signup$", self._signup_page)
        self.route("POST", admin + r"/signup$", self._signup_answer)
        self.route("GET", admin + r"/subscribed_apps$", lambda r: Response(body=self.subscriptions()))
        self.route("POST", admin + r"/account_event$", self._admin_account_event)

    def configure_app(self, *, app_id: str, app_secret: str, webhook_url: str) -> None:
        """The Meta app Lunas is (its id and secret, the webhook URL set in its App Dashboard): numbers created in
        the signup popup sign their webhooks with this secret and post them there."""
        with self._lock:
            self.app = {"app_id": app_id, "app_secret": app_secret, "webhook_url": webhook_url}

    def subscriptions(self) -> dict[str, list[str]]:
        with self._lock:
            return {waba: list(apps) for waba, apps in self.subscribed_apps.items()}

    def complete_signup(
        self,
        *,
        existing: str = "",
        display_phone_number: str = "+62 21 5000 0000",
        verified_name: str = "Toko Sandbox",
    ) -> dict[str, str]:
        """What finishing the popup does: share `existing` (a number id) or create a number (its own WABA and token,
        signed with the app's secret, posting to the app's webhook URL); returns {"code", "phone_number_id",
        "waba_id", "business_id"}. The code is exchanged once (`GET /oauth/access_token`)."""
        with self._lock:
            number = self.phone_numbers.get(existing) if existing else None
            app = dict(self.app)
        if number is None:
            number_id, waba = str(secrets.randbelow(10**15)), str(secrets.randbelow(10**15))
            self.new_business_account(waba)  # a new business account has no templates: Lunas pushes them (PENDING)
            self.register_phone_number(
                number_id,
                access_token=f"EAAG{secrets.token_hex(16)}",
                waba_id=waba,
                display_phone_number=display_phone_number,
                app_secret=app["app_secret"],
                webhook_url=app["webhook_url"] or None,
                verified_name=verified_name,
            )
            with self._lock:
                number = self.phone_numbers[number_id]
        code = "AQ" + secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = {"phone_number_id": number.phone_number_id, "used": False}
        business_id = str(int(hashlib.sha256(number.waba_id.encode()).hexdigest()[:12], 16))
        return {
            "code": code,
            "phone_number_id": number.phone_number_id,
            "waba_id": number.waba_id,
            "business_id": business_id,
        }

    def simulate_account_update(self, waba_id: str, event: str, **details: Any) -> None:
        """Queue a signed `account_update` in the documented shapes:
        https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/account_update
        VERIFIED_ACCOUNT (`phone_number`), DISABLED_UPDATE (`ban_info.waba_ban_state`: SCHEDULE_FOR_DISABLE /
        DISABLE / REINSTATE), ACCOUNT_VIOLATION (`violation_info.violation_type`), ACCOUNT_RESTRICTION
        (`restriction_info[]`), PARTNER_ADDED (`waba_info`); `details` overrides what is sent."""
        event = event.upper()
        with self._lock:
            number = next((p for p in self.phone_numbers.values() if p.waba_id == waba_id), None)
        value: dict[str, Any] = {"event": event}
        if event == "VERIFIED_ACCOUNT" and number is not None:
            value["phone_number"] = _digits(number.display_phone_number)
        elif event == "DISABLED_UPDATE":
            value["ban_info"] = {"waba_ban_state": ["DISABLE"], "waba_ban_date": "2026-12-01"}
        elif event == "ACCOUNT_VIOLATION":
            value["violation_info"] = {"violation_type": "SPAM"}
        elif event == "ACCOUNT_RESTRICTION":
            value["restriction_info"] = [
                {"restriction_type": "RESTRICTED_BIZ_INITIATED_MESSAGING", "expiration": int(self.now()) + 86400}
            ]
        elif event == "PARTNER_ADDED":
            value["waba_info"] = {"waba_id": waba_id, "owner_business_id": "1000000000000099"}
        value.update(details)
        self._queue_account_event(waba_id, "account_update", value)

    def simulate_number_quality_update(
        self, phone_number_id: str, event: str, *, current_limit: str | None = None, quality_rating: str | None = None
    ) -> None:
        """Queue a signed `phone_number_quality_update` (UPGRADE / DOWNGRADE / FLAGGED / UNFLAGGED / ONBOARDING /
        THROUGHPUT_UPGRADE) and change the fake's own number as Meta would:
        https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/phone_number_quality_update
        """
        with self._lock:
            number = self.phone_numbers[phone_number_id]
            old = number.messaging_limit
            if current_limit:
                number.messaging_limit = current_limit.upper()
            if quality_rating:
                number.quality_rating = quality_rating.upper()
            elif event.upper() == "FLAGGED":
                number.quality_rating = "RED"
            if event.upper() == "THROUGHPUT_UPGRADE":  # Meta's automatic upgrade to 1,000 messages a second
                number.throughput_level, number.throughput_per_second = "HIGH", 1_000
            limit = number.messaging_limit
        value: dict[str, Any] = {
            "display_phone_number": _digits(number.display_phone_number),
            "event": event.upper(),
            "current_limit": limit,
            "max_daily_conversations_per_business": limit,
        }
        if current_limit and old != limit:
            value["old_limit"] = old
        self._queue_account_event(number.waba_id, "phone_number_quality_update", value)

    def simulate_business_capability_update(self, waba_id: str, max_daily_conversations_per_business: int) -> None:
        """Queue a signed `business_capability_update` (250 / 2000 / 10000 / 100000 / -1 = unlimited):
        https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/business_capability_update
        """
        value = {
            "max_daily_conversations_per_business": max_daily_conversations_per_business,
            "max_phone_numbers_per_business": 2,
            "max_phone_numbers_per_waba": 2,
        }
        self._queue_account_event(waba_id, "business_capability_update", value)

    def _bearer(self, request: Request) -> str:
        return request.headers.get("authorization", "").removeprefix("Bearer ").strip()

    def _token_error(self, token: str, allowed: list[PhoneNumber]) -> Response | None:
        """190 for a token no number was registered with, 200 for a token of another account's number."""

        def same(number: PhoneNumber) -> bool:
            return bool(token) and hmac.compare_digest(token.encode(), number.access_token.encode())

        with self._lock:
            known = any(same(p) for p in self.phone_numbers.values())
        if not known:
            return graph_error(401, 190, "Invalid OAuth access token - Cannot parse access token", "", with_data=False)
        if not any(same(p) for p in allowed):
            return graph_error(403, 200, "Permissions error", "", with_data=False)
        return None

    def _exchange_code(self, request: Request) -> Response:
        """`GET /oauth/access_token?client_id&client_secret&code` -> {"access_token", "token_type": "bearer"}."""
        with self._lock:
            app = dict(self.app)
            grant = self._codes.get(request.arg("code") or "")
        if not app["app_id"] or request.arg("client_id") != app["app_id"]:
            return graph_error(400, 101, "Error validating application. Invalid application ID.", "", with_data=False)
        if not hmac.compare_digest((request.arg("client_secret") or "").encode(), app["app_secret"].encode()):
            return graph_error(400, 1, "Error validating client secret.", "", with_data=False)
        if grant is None:
            return graph_error(400, 100, "Invalid verification code format.", "", with_data=False)
        with self._lock:
            if grant["used"]:
                used = graph_error(400, 100, "This authorization code has been used.", "", with_data=False)
                used.body["error"]["error_subcode"] = 36009
                return used
            grant["used"] = True
            token = self.phone_numbers[grant["phone_number_id"]].access_token
        return Response(body={"access_token": token, "token_type": "bearer"})

    def _subscribe_app(self, request: Request) -> Response:
        """`POST /{waba-id}/subscribed_apps` with the business token -> {"success": true}."""
        assert request.match is not None
        waba_id = request.match["waba_id"]
        token = self._bearer(request)
        with self._lock:
            in_waba = [p for p in self.phone_numbers.values() if p.waba_id == waba_id]
        refused = self._token_error(token, in_waba)
        if refused is not None:
            return refused if in_waba or refused.status == 401 else self._unknown_object(waba_id)
        with self._lock:
            apps = self.subscribed_apps.setdefault(waba_id, [])
            if self.app["app_id"] and self.app["app_id"] not in apps:
                apps.append(self.app["app_id"])
        return Response(body={"success": True})

    def _unsubscribe_app(self, request: Request) -> Response:
        """`DELETE /{waba-id}/subscribed_apps` with the business token -> {"success": true}: the app gets no more of
        the account's webhooks (https://developers.facebook.com/docs/graph-api/reference/whats-app-business-account/
        subscribed_apps, "Deleting"). The same token checks as subscribing; an app not subscribed is still a success."""
        assert request.match is not None
        waba_id = request.match["waba_id"]
        token = self._bearer(request)
        with self._lock:
            in_waba = [p for p in self.phone_numbers.values() if p.waba_id == waba_id]
        refused = self._token_error(token, in_waba)
        if refused is not None:
            return refused if in_waba or refused.status == 401 else self._unknown_object(waba_id, "delete")
        with self._lock:
            apps = self.subscribed_apps.setdefault(waba_id, [])
            if self.app["app_id"] in apps:
                apps.remove(self.app["app_id"])
        return Response(body={"success": True})

    def _register(self, request: Request) -> Response:
        """`POST /{phone-number-id}/register` {"messaging_product": "whatsapp", "pin"} -> {"success": true}; another
        PIN than the one the number was first registered with -> 400/133005."""
        assert request.match is not None
        number_id = request.match["phone_number_id"]
        with self._lock:
            number = self.phone_numbers.get(number_id)
        if number is None:
            return self._unknown_object(number_id)
        refused = self._token_error(self._bearer(request), [number])
        if refused is not None:
            return refused
        spec = request.json() if request.body else {}
        pin = str((spec or {}).get("pin", ""))
        if (spec or {}).get("messaging_product") != "whatsapp" or not re.fullmatch(r"[0-9]{6}", pin):
            return graph_error(400, 100, "Invalid parameter", "messaging_product and a 6-digit pin are required")
        with self._lock:
            known = self.registered_pins.setdefault(number_id, pin)
        if known != pin:
            return graph_error(400, 133005, "Two step verification PIN Mismatch", "The PIN is not the number's PIN.")
        return Response(body={"success": True})

    def _read_phone_number(self, request: Request) -> Response:
        """`GET /{phone-number-id}?fields=...`: the number node (`whatsapp_business_manager_messaging_limit` too)."""
        assert request.match is not None
        object_id = request.match["object_id"]
        with self._lock:
            number = self.phone_numbers.get(object_id)
        if number is None:
            return self._unknown_object(object_id, "get")
        refused = self._token_error(self._bearer(request), [number])
        if refused is not None:
            return refused
        with self._lock:
            row = {
                **number.as_graph(),
                "whatsapp_business_manager_messaging_limit": number.messaging_limit,
                "throughput": {"level": number.throughput_level},
            }
        fields = [f for f in (request.arg("fields") or "").split(",") if f]
        unknown = [f for f in fields if f not in row and f != "messaging_limit_tier"]
        if unknown:
            return graph_error(400, 100, f"Tried accessing nonexisting field ({unknown[0]})", "", with_data=False)
        if "messaging_limit_tier" in fields:  # deprecated: answered while Meta still does
            row["messaging_limit_tier"] = number.messaging_limit
        return Response(body={k: v for k, v in row.items() if not fields or k in fields or k == "id"})

    def _sdk(self, request: Request) -> Response:
        headers = {"Content-Type": "application/javascript; charset=utf-8", "Access-Control-Allow-Origin": "*"}
        return Response(body=sdk_js(self.url), headers=headers)  # served with CORS, as connect.facebook.net is

    def _signup_page(self, request: Request) -> Response:
        query = {k: v[0] for k, v in request.query.items() if v}
        error = "" if query.get("app_id") == self.app["app_id"] else "Invalid App ID: this app is not set up here."
        with self._lock:
            numbers = [p.public() for p in self.phone_numbers.values()]
        return Response(body=signup_page(query, numbers, error), headers={"Content-Type": "text/html; charset=utf-8"})

    def _signup_answer(self, request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs(request.body.decode(), keep_blank_values=True).items()}
        origin = form.get("origin", "")
        if form.get("action") != "finish" or form.get("app_id") != self.app["app_id"]:
            message: dict[str, Any] = {
                "type": "WA_EMBEDDED_SIGNUP",
                "event": "CANCEL",
                "data": {"current_step": "PHONE_NUMBER_SETUP"},
            }
            return Response(body=answer_page(origin, message, None), headers={"Content-Type": "text/html"})
        done = self.complete_signup(
            existing=form.get("existing", ""),
            display_phone_number=form.get("display_phone_number") or "+62 21 5000 0000",
            verified_name=form.get("verified_name") or "Toko Sandbox",
        )
        data = {k: done[k] for k in ("phone_number_id", "waba_id", "business_id")}
        message = {"type": "WA_EMBEDDED_SIGNUP", "event": "FINISH", "data": data}
        page = answer_page(origin, message, done["code"], user_id=done["business_id"])
        return Response(body=page, headers={"Content-Type": "text/html; charset=utf-8"})

    def _admin_account_event(self, request: Request) -> Response:
        spec = request.json() or {}
        try:
            kind = str(spec.get("field", "account_update"))
            if kind == "phone_number_quality_update":
                self.simulate_number_quality_update(
                    str(spec["phone_number_id"]),
                    str(spec.get("event", "FLAGGED")),
                    current_limit=spec.get("current_limit"),
                    quality_rating=spec.get("quality_rating"),
                )
            elif kind == "business_capability_update":
                self.simulate_business_capability_update(
                    str(spec["waba_id"]), int(spec["max_daily_conversations_per_business"])
                )
            else:
                self.simulate_account_update(str(spec["waba_id"]), str(spec.get("event", "VERIFIED_ACCOUNT")))
        except (KeyError, ValueError) as exc:
            return Response(status=400, body={"error": f"missing or unknown {exc}"})
        return Response(body={"queued": True})

    # -- Send pace: latency, Meta's pair limit, and Graph errors asked for by tests -------------------------------
    # Throughput and pair rate: https://developers.facebook.com/docs/whatsapp/throughput
    # Error codes, titles and HTTP statuses: https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes
    #   POST /_sandbox/meta/send_errors  {"to": "+62...", "code": 131031, "times"?: 1 (-1: always)}
    #        -> the next template sends to that number are answered with Meta's error body for that code
    #                                                                                           set_send_error()
    #   GET  /_sandbox/meta/refusals     -> {"130429": 2, ...}: sends refused per code (throughput, pair, asked for)
    #   POST /_sandbox/meta/settings     {"latency_seconds"?: 0.1, "pair_gap_seconds"?: 6.0, ...}   configure()
    #        latency is slept per send outside the server's lock (sends overlap as at Meta); a second template to
    #        the same recipient within `pair_gap_seconds` (sandbox clock; Meta: about 6) is refused with 131056;
    #        0 (the default) turns it off.

    def _init_send_pace(self, admin: str) -> None:
        # The pair limit is off unless asked for (6.0 is Meta's): many tests send one number several templates.
        extra = {"latency_seconds": 0.0, "pair_gap_seconds": 0.0}
        self.settings.update(extra)
        self._initial_settings.update(extra)
        self._send_errors: dict[str, dict[str, int]] = {}  # digits of `to` -> {"code", "times"}
        self._last_pair: dict[tuple[str, str], float] = {}  # (phone number id, digits) -> sandbox time of last send
        self.refusals: dict[int, int] = {}  # Graph error code -> how many sends this fake refused with it (bench)
        self.route("POST", admin + r"/send_errors$", self._admin_send_error)
        self.route("GET", admin + r"/refusals$", lambda r: Response(body={str(k): v for k, v in self.refusals.items()}))

    def _reset_send_pace(self) -> None:
        """Under the state lock (`reset`): no error asked for, no pair history, no refusals counted."""
        self._send_errors.clear()
        self._last_pair.clear()
        self.refusals.clear()

    def set_send_error(self, to: str, code: int, *, times: int = 1) -> None:
        """Answer the next `times` template sends to `to` (-1: every one) with Meta's error for `code`."""
        if code not in GRAPH_ERRORS:
            raise ValueError(f"no documented error {code} in this fake (known: {sorted(GRAPH_ERRORS)})")
        with self._lock:
            self._send_errors[_digits(to)] = {"code": code, "times": times}

    def _before_send(self, number: PhoneNumber, to: str) -> None:
        """Count the send as it arrives (throughput, pair limit), then take `latency_seconds` to answer."""
        code = self._take_send_error(_digits(to))
        try:
            if code is not None:
                raise _Rejected(graph_error_for(code))
            self._take_throughput(number)
            self._take_pair(number, _digits(to))
        except _Rejected as rejected:
            refused = int(rejected.response.body["error"]["code"])
            with self._lock:
                self.refusals[refused] = self.refusals.get(refused, 0) + 1
            raise
        finally:
            latency = float(self.settings.get("latency_seconds") or 0.0)
            if latency > 0:
                time.sleep(latency)  # outside the lock: many sends are in flight at once, as at Meta

    def _take_send_error(self, digits: str) -> int | None:
        with self._lock:
            spec = self._send_errors.get(digits)
            if spec is None:
                return None
            if spec["times"] > 0:
                spec["times"] -= 1
                if spec["times"] == 0:
                    del self._send_errors[digits]
            return spec["code"]

    def _take_pair(self, number: PhoneNumber, digits: str) -> None:
        """Meta's pair rate limit: about one message every 6 seconds from one business number to one user."""
        now = self.now()
        with self._lock:
            gap = float(self.settings.get("pair_gap_seconds") or 0.0)
            key = (number.phone_number_id, digits)
            last = self._last_pair.get(key)
            if gap > 0 and last is not None and 0 <= now - last < gap:
                raise _Rejected(graph_error_for(131056))
            self._last_pair[key] = now

    def _admin_send_error(self, request: Request) -> Response:
        spec = request.json() or {}
        try:
            self.set_send_error(str(spec["to"]), int(spec["code"]), times=int(spec.get("times", 1)))
        except (KeyError, ValueError, TypeError) as exc:
            return Response(status=400, body={"error": f"{type(exc).__name__}: {exc}"})
        return Response(body={"to": _mask(str(spec["to"])), "code": int(spec["code"])})


# Meta's documented answers per error code: (HTTP status, title, details), as the error-codes reference lists them.
GRAPH_ERRORS: dict[int, tuple[int, str, str]] = {
    1: (400, "API Unknown", "Invalid request or possible server error."),
    2: (503, "API Service", "Temporary due to downtime or due to being overloaded."),
    4: (400, "API Too Many Calls", "The app has reached its API call rate limit."),
    190: (401, "Access token has expired", "Your access token has expired."),
    368: (
        403,
        "Temporarily blocked for policies violations",
        "The WhatsApp Business Account associated with the app "
        "has been restricted or disabled for violating a platform policy.",
    ),
    80007: (400, "Rate limit issues", "The WhatsApp Business Account has reached its rate limit."),
    130429: (400, "Rate limit hit", "Cloud API message throughput has been reached."),
    130472: (400, "User's number is part of an experiment", "Message was not sent as part of an experiment."),
    131000: (500, "Something went wrong", "Message failed to send due to an unknown error."),
    131016: (500, "Service unavailable", "A service is temporarily unavailable."),
    131021: (400, "Recipient cannot be sender", "Sender and recipient phone number is the same."),
    131026: (400, "Message Undeliverable", "Unable to deliver message."),
    131031: (
        403,
        "Account has been locked",
        "The WhatsApp Business Account associated with the app has been "
        "restricted or disabled for violating a platform policy, or we were unable to verify data included in "
        "the request against data set on the WhatsApp Business Account.",
    ),
    131042: (400, "Business eligibility payment issue", "There was an error related to your payment method."),
    131047: (
        400,
        "Re-engagement message",
        "More than 24 hours have passed since the recipient last replied to the sender number.",
    ),
    131048: (
        400,
        "Spam rate limit hit",
        "Message failed to send because there are restrictions on how many "
        "messages can be sent from this phone number. This may be because too many previous messages were "
        "blocked or flagged as spam.",
    ),
    131049: (
        400,
        "Meta chose not to deliver.",
        "This message was not delivered to maintain healthy ecosystem engagement.",
    ),
    131050: (
        400,
        "User has stopped receiving marketing messages",
        "Unable to deliver the message. This recipient "
        "has chosen to stop receiving marketing messages on WhatsApp from your business.",
    ),
    131056: (
        400,
        "(Business Account, Consumer Account) pair rate limit hit",
        "Too many messages sent from the "
        "sender phone number to the same recipient phone number in a short period of time.",
    ),
    131057: (500, "Account in maintenance mode", "Business Account is in maintenance mode."),
    132000: (
        400,
        "Template Param Count Mismatch",
        "The number of variable parameter values included in the "
        "request did not match the number of variable parameters defined in the template.",
    ),
    132001: (
        404,
        "Template does not exist",
        "The template does not exist in the specified language or the template has not been approved.",
    ),
    132005: (400, "Template Hydrated Text Too Long", "Translated text is too long."),
    132007: (400, "Template Format Character Policy Violated", "Template content violates a WhatsApp policy."),
    132012: (400, "Template Parameter Format Mismatch", "Variable parameter values formatted incorrectly."),
    132015: (
        400,
        "Template is Paused",
        "Template is paused due to low quality so it cannot be sent in a template message.",
    ),
    132016: (
        400,
        "Template is Disabled",
        "Template has been paused too many times due to low quality and is now permanently disabled.",
    ),
    133010: (
        400,
        "Phone number Not Registered",
        "The phone number is not registered on the WhatsApp Business Platform.",
    ),
}


def graph_error_for(code: int) -> Response:
    """Meta's error answer for a documented code (GRAPH_ERRORS); 190 comes without `error_data`, as Graph sends it."""
    status, title, details = GRAPH_ERRORS[code]
    return graph_error(status, code, title, details, with_data=code != 190)
