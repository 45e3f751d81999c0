"""How every dashboard request is handled: the Blueprint, the request context, session and CSRF checks, pages.

The route modules (`auth_routes.py`, `dashboard_routes.py`, `settings_routes.py`) stay a few lines per handler because
everything they share is here: `handler()` builds the context (`Ctx`: language, cookies, the verified principal),
checks the CSRF token of state-changing forms and turns every failure into a page a person understands
(`error.html`); no stack trace or token ever reaches a page, a URL or a log line. The organisation always comes from
the session, never from the request.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from chalice.app import Blueprint, Request, Response

from chalicelib.auth import session as cookies
from chalicelib.observability import bind_org, logger

if TYPE_CHECKING:
    from chalicelib.auth.service import Principal

web = Blueprint(__name__)

FORM = ["application/x-www-form-urlencoded"]
_FLASH_KEYS = frozenset(
    {"saved", "connected", "connected_shared", "disconnected", "not_revoked", "consent", "queued", "done", "none"}
)
_WARNING_FLASHES = frozenset({"connected_shared"})  # shown as a warning, not a confirmation


class CsrfRejected(Exception):
    """A state-changing form without a valid CSRF token."""


class FormTooLarge(Exception):
    """A form body larger than any of the dashboard's forms can be (nothing in it could be saved)."""


MAX_FORM_BYTES = 64 * 1024  # the largest form (consent: 1,000 characters of evidence) is a few KB


class Ctx:
    """One request as the handlers see it. (A plain class: `dataclasses` would import `inspect` on every cold start.)"""

    def __init__(self, *, request: Request, lang: str, cookie_jar: dict[str, str], csrf_seed: str) -> None:
        self.request = request
        self.lang = lang
        self.cookie_jar = cookie_jar
        self.csrf_seed = csrf_seed
        self.set_cookies: list[str] = []
        self.principal: Principal | None = None
        self.timezone = "Asia/Jakarta"
        self._form: dict[str, list[str]] | None = None

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

    def signed(self, text: str) -> str:
        """A short signature of `text` for this browser and user: words a redirect carries in its query (a flash
        naming a schedule) are shown only when this server put them there, never from a crafted link."""
        sub = self.principal.user_sub if self.principal else ""
        return cookies.csrf_token(f"{self.csrf_seed}|{text}", sub, _settings().session_secret)[:24]

    def form(self) -> dict[str, list[str]]:
        if self._form is None:
            raw = self.request.raw_body or b""
            if len(raw) > MAX_FORM_BYTES:
                raise FormTooLarge
            text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
            self._form = parse_qs(text, keep_blank_values=True)
        return self._form

    def field(self, name: str) -> str:
        return (self.form().get(name) or [""])[0]

    def query(self, name: str) -> str:
        return query_params(self.request).get(name, "")

    def check_csrf(self) -> None:
        sub = self.principal.user_sub if self.principal else ""
        if not cookies.csrf_valid(self.field("csrf_token"), self.cookie_jar.get(cookies.CSRF_COOKIE), sub, _secret()):
            raise CsrfRejected

    def t(self, key: str, **values: object) -> str:
        from chalicelib.web.i18n import translate

        return translate(self.lang, key, **values)


def query_params(request: Request) -> dict[str, str]:
    params: Any = request.query_params or {}
    return {str(k): str(params[k]) for k in params}


def _settings() -> Any:
    from chalicelib import bootstrap

    return bootstrap.container().settings


def _secret() -> str:
    return str(_settings().session_secret)


def authenticator() -> Any:
    """The container's sign-in service (chalicelib/container.py; built on first use, not when app.py is imported)."""
    from chalicelib import bootstrap

    return bootstrap.container().authenticator


def _new_ctx() -> Ctx:
    from chalicelib.web.i18n import pick_language

    request = web.current_request
    jar = cookies.parse_cookies(request.headers.get("cookie"))
    query = query_params(request)
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
    ctx.principal = authenticator().principal(ctx.cookie_jar.get(cookies.SESSION_COOKIE))
    bind_org(ctx.user.org_id)
    from chalicelib import bootstrap

    ctx.timezone = bootstrap.container().stores.organisations.settings(ctx.user.org_id).timezone


def respond(ctx: Ctx, body: str, status: int = 200, headers: dict[str, Any] | None = None) -> Response:
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
    flash = context.pop("flash", "")
    if not flash and flash_key in _FLASH_KEYS:
        flash = ctx.t(f"flash_{flash_key}")
        if flash_key in _WARNING_FLASHES:
            context.setdefault("flash_kind", "warn")
    body = render(
        template,
        lang=ctx.lang,
        timezone=ctx.timezone,
        principal=ctx.principal,
        csrf=ctx.csrf,
        flash=flash,
        **context,
    )
    return respond(ctx, body, status)


def redirect(ctx: Ctx, location: str) -> Response:
    return respond(ctx, "", 303, {"Location": location})


def error_page(ctx: Ctx, kind: str, status: int, retry: str = "") -> Response:
    return page(ctx, "error.html", status, kind=kind, message=ctx.t(f"err_{kind}"), retry=retry)


def _handle_failure(ctx: Ctx, exc: Exception, api: bool) -> Response:
    from chalicelib.auth.tokens import InvalidSession
    from chalicelib.services.connections import ConnectError
    from chalicelib.storage.organisations import NotFound

    if isinstance(exc, InvalidSession):
        if api:
            return respond(ctx, '{"error": "sign in first"}', 401, {"Content-Type": "application/json"})
        ctx.set_cookies.append(cookies.clear_cookie(cookies.SESSION_COOKIE, secure=ctx.secure))
        return redirect(ctx, "/signin")
    refused = {CsrfRejected: ("csrf", 403), FormTooLarge: ("too_large", 413)}.get(type(exc))
    if refused is not None:
        return error_page(ctx, *refused)
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
