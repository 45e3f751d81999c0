"""The owner's dashboard: a Chalice Blueprint of server-rendered pages, form handlers and a small JSON API.

Each handler is a few lines: who is asking (verified session -> organisation), one call into `dashboard.py` or
`services/connections.py`, one page or redirect. The organisation always comes from the session, never from the
request. Failures become pages a person understands (`error.html`); no stack trace or token ever reaches a page,
a URL or a log line.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from chalice.app import Blueprint, Request, Response

from chalicelib.auth import session as cookies
from chalicelib.observability import bind_org, logger
from chalicelib.web.i18n import pick_language, translate

if TYPE_CHECKING:
    from chalicelib.auth.service import Principal

web = Blueprint(__name__)

_FORM = ["application/x-www-form-urlencoded"]
_FLASH_KEYS = frozenset({"saved", "connected", "disconnected", "not_revoked", "consent", "queued", "done", "none"})
_CONSENT_SOURCES = ("signed_form", "whatsapp_reply", "web_form", "in_person", "email", "phone_call")
_TIMEZONES = (
    "Asia/Jakarta",
    "Asia/Makassar",
    "Asia/Jayapura",
    "Asia/Singapore",
    "Asia/Kuala_Lumpur",
    "Asia/Manila",
    "Asia/Bangkok",
    "Asia/Ho_Chi_Minh",
    "Australia/Sydney",
    "UTC",
)


class CsrfRejected(Exception):
    """A state-changing form without a valid CSRF token."""


@dataclass
class Ctx:
    """One request as the handlers see it."""

    request: Request
    lang: str
    cookie_jar: dict[str, str]
    csrf_seed: str
    set_cookies: list[str] = field(default_factory=list)
    principal: Principal | None = None
    timezone: str = "Asia/Jakarta"
    _form: dict[str, list[str]] | None = None

    @property
    def secure(self) -> bool:
        return str(_settings().public_base_url).startswith("https://")

    @property
    def user(self) -> Principal:
        assert self.principal is not None, "only on pages that require sign-in"
        return self.principal

    @property
    def csrf(self) -> str:
        sub = self.principal.user_sub if self.principal else ""
        return cookies.csrf_token(self.csrf_seed, sub, _settings().session_secret)

    def form(self) -> dict[str, list[str]]:
        if self._form is None:
            raw = self.request.raw_body or b""
            text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
            self._form = parse_qs(text, keep_blank_values=True)
        return self._form

    def field(self, name: str) -> str:
        return (self.form().get(name) or [""])[0]

    def query(self, name: str) -> str:
        return _query(self.request).get(name, "")

    def check_csrf(self) -> None:
        sub = self.principal.user_sub if self.principal else ""
        if not cookies.csrf_valid(self.field("csrf_token"), self.cookie_jar.get(cookies.CSRF_COOKIE), sub, _secret()):
            raise CsrfRejected

    def t(self, key: str, **values: object) -> str:
        return translate(self.lang, key, **values)


def _query(request: Request) -> dict[str, str]:
    params: Any = request.query_params or {}
    return {str(k): str(params[k]) for k in params}


def _settings() -> Any:
    from chalicelib.config import load_settings

    return load_settings()


def _secret() -> str:
    return str(_settings().session_secret)


def _authenticator() -> Any:
    from chalicelib.web.wiring import authenticator

    return authenticator()


def _new_ctx() -> Ctx:
    request = web.current_request
    jar = cookies.parse_cookies(request.headers.get("cookie"))
    query = _query(request)
    lang = pick_language(query.get("lang"), jar.get(cookies.LANG_COOKIE), request.headers.get("accept-language"))
    ctx = Ctx(request=request, lang=lang, cookie_jar=jar, csrf_seed=jar.get(cookies.CSRF_COOKIE) or "")
    if not ctx.csrf_seed:
        ctx.csrf_seed = cookies.new_csrf_seed()
        ctx.cookie_jar[cookies.CSRF_COOKIE] = ctx.csrf_seed
        ctx.set_cookies.append(cookies.set_cookie(cookies.CSRF_COOKIE, ctx.csrf_seed, secure=ctx.secure))
    if query.get("lang") in ("en", "id"):
        ctx.set_cookies.append(cookies.set_cookie(cookies.LANG_COOKIE, lang, secure=ctx.secure, max_age=31_536_000))
    return ctx


def _sign_in_ctx(ctx: Ctx) -> None:
    ctx.principal = _authenticator().principal(ctx.cookie_jar.get(cookies.SESSION_COOKIE))
    bind_org(ctx.user.org_id)
    from chalicelib import bootstrap

    ctx.timezone = bootstrap.stores().organisations.settings(ctx.user.org_id).timezone


def _response(ctx: Ctx, body: str, status: int = 200, headers: dict[str, Any] | None = None) -> Response:
    all_headers: dict[str, Any] = {
        "Content-Type": "text/html; charset=utf-8",
        "Cache-Control": "no-store",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
        **(headers or {}),
    }
    if ctx.set_cookies:
        all_headers["Set-Cookie"] = list(ctx.set_cookies)
    return Response(body=body, status_code=status, headers=all_headers)


def page(ctx: Ctx, template: str, status: int = 200, **context: Any) -> Response:
    from chalicelib.web.render import render

    flash_key = ctx.query("m")
    flash = context.pop("flash", "") or (ctx.t(f"flash_{flash_key}") if flash_key in _FLASH_KEYS else "")
    body = render(
        template,
        lang=ctx.lang,
        timezone=ctx.timezone,
        principal=ctx.principal,
        csrf=ctx.csrf,
        flash=flash,
        **context,
    )
    return _response(ctx, body, status)


def redirect(ctx: Ctx, location: str) -> Response:
    return _response(ctx, "", 303, {"Location": location})


def error_page(ctx: Ctx, kind: str, status: int, retry: str = "") -> Response:
    return page(ctx, "error.html", status, kind=kind, message=ctx.t(f"err_{kind}"), retry=retry)


def _handle_failure(ctx: Ctx, exc: Exception, api: bool) -> Response:
    from chalicelib.auth.tokens import InvalidSession
    from chalicelib.services.connections import ConnectError
    from chalicelib.storage.organisations import NotFound

    if isinstance(exc, InvalidSession):
        if api:
            return _response(ctx, '{"error": "sign in first"}', 401, {"Content-Type": "application/json"})
        ctx.set_cookies.append(cookies.clear_cookie(cookies.SESSION_COOKIE, secure=ctx.secure))
        return redirect(ctx, "/signin")
    if isinstance(exc, CsrfRejected):
        return error_page(ctx, "csrf", 403)
    if isinstance(exc, ConnectError):
        retry = "/dashboard" if exc.kind in ("not_found", "unknown_provider") else ""
        return error_page(ctx, exc.kind, 404 if exc.kind in ("not_found", "unknown_provider") else 400, retry)
    if isinstance(exc, NotFound):
        return error_page(ctx, "not_found", 404)
    logger.exception("dashboard request failed", extra={"path": ctx.request.context.get("resourcePath", "")})
    return error_page(ctx, "internal", 500)


def handler(*, signed_in: bool = True, api: bool = False, csrf: bool = False) -> Callable[..., Any]:
    """Wrap a route: build the context, verify the session and CSRF token, turn failures into pages."""

    def wrap(view: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(view)
        def run(**params: Any) -> Response:
            ctx = _new_ctx()
            try:
                if signed_in:
                    _sign_in_ctx(ctx)
                if csrf:
                    ctx.check_csrf()
                return view(ctx, **params)
            except Exception as exc:
                return _handle_failure(ctx, exc, api)

        return run

    return wrap


# -- sign-up, sign-in, sign-out ----------------------------------------------------------------------------------


@web.route("/", methods=["GET"])
@handler(signed_in=False)
def home(ctx: Ctx) -> Response:
    return redirect(ctx, "/dashboard" if ctx.cookie_jar.get(cookies.SESSION_COOKIE) else "/signin")


@web.route("/signin", methods=["GET"])
@handler(signed_in=False)
def signin_form(ctx: Ctx) -> Response:
    return page(ctx, "signin.html")


@web.route("/signin", methods=["POST"], content_types=_FORM)
@handler(signed_in=False, csrf=True)
def signin(ctx: Ctx) -> Response:
    from chalicelib.auth.cognito import SignInFailed

    email = ctx.field("email").strip().lower()
    try:
        token = _authenticator().sign_in(email=email, password=ctx.field("password"))
    except SignInFailed:
        return page(ctx, "signin.html", 401, error=ctx.t("signin_failed"), email=email)
    return _signed_in(ctx, token)


def _signed_in(ctx: Ctx, id_token: str) -> Response:
    session = cookies.set_cookie(cookies.SESSION_COOKIE, id_token, secure=ctx.secure, max_age=cookies.SESSION_MAX_AGE)
    ctx.set_cookies.append(session)
    return redirect(ctx, "/dashboard")


@web.route("/signup", methods=["GET"])
@handler(signed_in=False)
def signup_form(ctx: Ctx) -> Response:
    return page(ctx, "signup.html")


@web.route("/signup", methods=["POST"], content_types=_FORM)
@handler(signed_in=False, csrf=True)
def signup(ctx: Ctx) -> Response:
    from chalicelib.auth.cognito import SignUpRefused

    email = ctx.field("email").strip().lower()
    business = ctx.field("business_name").strip()[:100]
    if not business or "@" not in email:
        return page(ctx, "signup.html", 400, error=ctx.t("signup_invalid"), email=email, business_name=business)
    try:
        token = _authenticator().sign_up(email=email, password=ctx.field("password"), business_name=business)
    except SignUpRefused as exc:
        error = ctx.t(f"signup_{exc.kind}")
        return page(ctx, "signup.html", 400, error=error, email=email, business_name=business)
    return _signed_in(ctx, token)


@web.route("/signout", methods=["POST"], content_types=_FORM)
@handler(csrf=True)
def signout(ctx: Ctx) -> Response:
    _authenticator().sign_out(ctx.user)
    ctx.set_cookies.append(cookies.clear_cookie(cookies.SESSION_COOKIE, secure=ctx.secure))
    return redirect(ctx, "/signin")


# -- overview and connections ------------------------------------------------------------------------------------


@web.route("/dashboard", methods=["GET"])
@handler()
def overview(ctx: Ctx) -> Response:
    from chalicelib.web import dashboard

    return page(ctx, "overview.html", page="overview", data=dashboard.overview(ctx.user.org_id))


@web.route("/connect/{provider}", methods=["GET"])
@handler()
def connect(ctx: Ctx, provider: str) -> Response:
    from chalicelib.web.wiring import connect_flows

    url = connect_flows().start(org_id=ctx.user.org_id, user_sub=ctx.user.user_sub, provider_name=provider)
    return redirect(ctx, url)


@web.route("/connect/{provider}/callback", methods=["GET"])
@handler()
def connect_callback(ctx: Ctx, provider: str) -> Response:
    from chalicelib.web.wiring import connect_flows

    query = _query(ctx.request)
    connect_flows().finish(org_id=ctx.user.org_id, user_sub=ctx.user.user_sub, provider_name=provider, query=query)
    return redirect(ctx, "/dashboard?m=connected")


@web.route("/connections/disconnect", methods=["POST"], content_types=_FORM)
@handler(csrf=True)
def disconnect(ctx: Ctx) -> Response:
    from chalicelib.web.wiring import connect_flows

    result = connect_flows().disconnect(org_id=ctx.user.org_id, connection_id=ctx.field("connection_id"))
    return redirect(ctx, "/dashboard?m=" + ("disconnected" if result.revoked_at_provider else "not_revoked"))


# -- settings ----------------------------------------------------------------------------------------------------


def _settings_page(ctx: Ctx, status: int = 200, flash: str = "", flash_kind: str = "ok") -> Response:
    from chalicelib import bootstrap
    from chalicelib.storage.organisations import minimum_amounts_text
    from chalicelib.web.dashboard import _settings_store

    settings = bootstrap.stores().organisations.settings(ctx.user.org_id)
    return page(
        ctx,
        "settings.html",
        status,
        page="settings",
        settings=settings,
        minimums=minimum_amounts_text(settings.minimum_amounts),
        timezones=_TIMEZONES if settings.timezone in _TIMEZONES else (settings.timezone, *_TIMEZONES),
        whatsapp=_settings_store().whatsapp_summary(ctx.user.org_id),
        flash=flash,
        flash_kind=flash_kind,
    )


@web.route("/settings", methods=["GET"])
@handler()
def settings_form(ctx: Ctx) -> Response:
    return _settings_page(ctx)


@web.route("/settings/schedule", methods=["POST"], content_types=_FORM)
@handler(csrf=True)
def save_schedule(ctx: Ctx) -> Response:
    from chalicelib.web import dashboard

    try:
        dashboard.save_schedule(ctx.user.org_id, ctx.form())
    except dashboard.InvalidInput as exc:
        return _settings_page(ctx, 400, ctx.t("settings_invalid", problem=str(exc)), "bad")
    return redirect(ctx, "/settings?m=saved")


@web.route("/settings/whatsapp", methods=["POST"], content_types=_FORM)
@handler(csrf=True)
def save_whatsapp(ctx: Ctx) -> Response:
    from chalicelib.web import dashboard

    try:
        dashboard.save_whatsapp(
            ctx.user.org_id,
            phone_number_id=ctx.field("phone_number_id"),
            business_account_id=ctx.field("business_account_id"),
            token=ctx.field("access_token"),
        )
    except dashboard.InvalidInput as exc:
        return _settings_page(ctx, 400, ctx.t("settings_invalid", problem=str(exc)), "bad")
    return redirect(ctx, "/settings?m=saved")


# -- customers and consent ---------------------------------------------------------------------------------------


@web.route("/customers", methods=["GET"])
@handler()
def customers(ctx: Ctx) -> Response:
    from chalicelib.web import dashboard

    return page(
        ctx, "customers.html", page="customers", data=dashboard.customers(ctx.user.org_id), sources=_CONSENT_SOURCES
    )


@web.route("/customers/consent", methods=["POST"], content_types=_FORM)
@handler(csrf=True)
def record_consent(ctx: Ctx) -> Response:
    from chalicelib.web import dashboard

    status = ctx.field("status")
    if status not in ("opted_in", "opted_out"):
        return error_page(ctx, "not_found", 400)
    try:
        dashboard.record_consent(
            ctx.user.org_id,
            phone=ctx.field("phone"),
            status=status,
            source=ctx.field("source") if ctx.field("source") in _CONSENT_SOURCES else "dashboard",
            evidence=ctx.field("evidence"),
        )
    except dashboard.InvalidInput as exc:
        message = (
            ctx.t("consent_evidence_needed") if str(exc) == "evidence needed" else ctx.t("phone_invalid", detail=exc)
        )
        data = dashboard.customers(ctx.user.org_id)
        return page(
            ctx,
            "customers.html",
            400,
            page="customers",
            data=data,
            sources=_CONSENT_SOURCES,
            flash=message,
            flash_kind="bad",
        )
    return redirect(ctx, "/customers?m=consent")


# -- invoices, preview, run now ----------------------------------------------------------------------------------


@web.route("/invoices", methods=["GET"])
@handler()
def invoices(ctx: Ctx) -> Response:
    from chalicelib.web import dashboard

    return page(ctx, "invoices.html", page="invoices", rows=dashboard.invoices(ctx.user.org_id))


@web.route("/preview", methods=["GET"])
@handler()
def preview(ctx: Ctx) -> Response:
    from chalicelib.web import dashboard

    data = dashboard.preview(ctx.user.org_id)
    sending = any(item.plan.messages for item in data.previews)
    return page(
        ctx, "preview.html", page="preview", page_data=data, sending=sending, skipped=dashboard.would_not_send(data)
    )


@web.route("/run-now", methods=["POST"], content_types=_FORM)
@handler(csrf=True)
def run_now(ctx: Ctx) -> Response:
    from chalicelib.web import dashboard

    result = dashboard.run_now(ctx.user.org_id)
    if not result.connections:
        return redirect(ctx, "/preview?m=none")
    return redirect(ctx, "/invoices?m=" + ("done" if result.mode == "inline" else "queued"))


# -- JSON API (same scoping: the organisation comes from the session cookie) --------------------------------------


def _json(ctx: Ctx, body: Any) -> Response:
    import json

    return _response(ctx, json.dumps(body, default=str), 200, {"Content-Type": "application/json"})


@web.route("/api/connections", methods=["GET"])
@handler(api=True)
def api_connections(ctx: Ctx) -> Response:
    from chalicelib.storage.connections import connection_health

    rows = connection_health(ctx.user.org_id)
    return _json(ctx, {"connections": [{k: getattr(r, k) for k in r.__slots__} for r in rows]})


@web.route("/api/invoices", methods=["GET"])
@handler(api=True)
def api_invoices(ctx: Ctx) -> Response:
    from chalicelib.web import dashboard

    rows = dashboard.invoices(ctx.user.org_id)
    return _json(
        ctx,
        {
            "invoices": [
                {
                    "connection_id": r.connection_id,
                    "number": r.number,
                    "customer_name": r.customer_name,
                    "due_date": r.due_date,
                    "amount_due": r.amount_due,
                    "currency": r.currency,
                    "reason": r.reason,
                    "detail": r.detail,
                    "timeline": [{k: getattr(e, k) for k in e.__slots__} for e in r.timeline],
                }
                for r in rows
            ]
        },
    )


@web.route("/api/consents", methods=["GET"])
@handler(api=True)
def api_consents(ctx: Ctx) -> Response:
    from chalicelib.storage.invoice_views import DynamoTimeline

    records = DynamoTimeline().consents(ctx.user.org_id)
    return _json(ctx, {"consents": [{"phone": r.sk.removeprefix("CONSENT#"), "status": r.status} for r in records]})
