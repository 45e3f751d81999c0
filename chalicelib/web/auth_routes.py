"""Who the owner is and what they connected: sign-up, sign-in and sign-out (Cognito), and the connect flows that
link a Xero organisation or a QuickBooks company (OAuth redirects, `services/connections.py`) or unlink it."""

from __future__ import annotations

from chalice.app import Response

from chalicelib.auth import session as cookies
from chalicelib.web.handler import FORM, Ctx, authenticator, handler, page, query_params, redirect, web

# -- sign-up, sign-in, sign-out ----------------------------------------------------------------------------------


@web.route("/", methods=["GET"])
@handler(signed_in=False)
def home(ctx: Ctx) -> Response:
    return redirect(ctx, "/dashboard" if ctx.cookie_jar.get(cookies.SESSION_COOKIE) else "/signin")


@web.route("/signin", methods=["GET"])
@handler(signed_in=False)
def signin_form(ctx: Ctx) -> Response:
    return page(ctx, "signin.html")


@web.route("/signin", methods=["POST"], content_types=FORM)
@handler(signed_in=False, csrf=True)
def signin(ctx: Ctx) -> Response:
    from chalicelib.auth.cognito import NotVerified, SignInFailed

    email = ctx.field("email").strip().lower()
    try:
        token = authenticator().sign_in(email=email, password=ctx.field("password"))
    except NotVerified:
        return _verify_page(ctx, email)
    except SignInFailed:
        return page(ctx, "signin.html", 401, error=ctx.t("signin_failed"), email=email, error_field="password")
    return _signed_in(ctx, token)


def _signed_in(ctx: Ctx, id_token: str) -> Response:
    from chalicelib.web.audit_routes import note_sign_in

    note_sign_in(ctx, id_token)
    session = cookies.set_cookie(cookies.SESSION_COOKIE, id_token, secure=ctx.secure, max_age=cookies.SESSION_MAX_AGE)
    ctx.set_cookies.append(session)
    return redirect(ctx, "/dashboard")


def _browser_country(ctx: Ctx) -> str:
    """The country the sign-up form suggests: the one the browser's preferred language names, else Indonesia."""
    from chalicelib.web.i18n import country_from_accept_language

    return country_from_accept_language(ctx.request.headers.get("accept-language"))


def _signup_page(ctx: Ctx, status: int = 200, **values: object) -> Response:
    from chalicelib.domain.countries import country_choices

    values.setdefault("country", _browser_country(ctx))
    return page(ctx, "signup.html", status, countries=country_choices(ctx.lang), **values)


@web.route("/signup", methods=["GET"])
@handler(signed_in=False)
def signup_form(ctx: Ctx) -> Response:
    return _signup_page(ctx)


@web.route("/signup", methods=["POST"], content_types=FORM)
@handler(signed_in=False, csrf=True)
def signup(ctx: Ctx) -> Response:
    from chalicelib.auth.cognito import NotVerified, SignUpRefused
    from chalicelib.domain.countries import is_country

    email = ctx.field("email").strip().lower()
    business = ctx.field("business_name").strip()[:100]
    # A form without the field (an older page, a script) gets what the page would have suggested.
    country = ctx.field("country").strip().upper() if "country" in ctx.form() else _browser_country(ctx)
    entered = {"email": email, "business_name": business, "country": country}
    if not business:
        return _signup_page(ctx, 400, error=ctx.t("signup_invalid"), error_field="business_name", **entered)
    if "@" not in email:
        return _signup_page(ctx, 400, error=ctx.t("signup_invalid"), error_field="email", **entered)
    if not is_country(country):
        return _signup_page(
            ctx, 400, error=ctx.t("signup_country_invalid"), error_field="country", **{**entered, "country": ""}
        )
    try:
        token = authenticator().sign_up(
            email=email, password=ctx.field("password"), business_name=business, country=country
        )
    except NotVerified:  # the pool e-mailed a code (AWS): the account waits for it
        return _verify_page(ctx, email)
    except SignUpRefused as exc:
        field = {"exists": "email", "weak_password": "password"}.get(exc.kind, "email")
        return _signup_page(ctx, 400, error=ctx.t(f"signup_{exc.kind}"), error_field=field, **entered)
    return _signed_in(ctx, token)


# -- e-mail verification and forgotten passwords (Cognito sends the codes; the sandbox shows them: docs) ---------


def _verify_page(ctx: Ctx, email: str, status: int = 200, **values: object) -> Response:
    return page(ctx, "verify_email.html", status, email=email, **values)


@web.route("/signup/verify", methods=["GET"])
@handler(signed_in=False)
def verify_form(ctx: Ctx) -> Response:
    return _verify_page(ctx, ctx.query("email").strip().lower()[:200])


@web.route("/signup/verify", methods=["POST"], content_types=FORM)
@handler(signed_in=False, csrf=True)
def verify_email(ctx: Ctx) -> Response:
    """The code Cognito e-mailed at sign-up; then the owner signs in. "Send the code again" resends it."""
    from chalicelib import bootstrap
    from chalicelib.auth.cognito import CodeRefused

    email = ctx.field("email").strip().lower()[:200]
    users = bootstrap.container().cognito_users
    try:
        if ctx.field("action") == "resend":
            users.resend_code(email)
            return _verify_page(ctx, email, flash=ctx.t("verify_resent"))
        users.confirm_sign_up(email, ctx.field("code").strip()[:20])
    except CodeRefused as exc:
        return _verify_page(ctx, email, 400, error=ctx.t(f"code_{exc.kind}"), error_field="code")
    return page(ctx, "signin.html", flash=ctx.t("verify_done"), email=email)


@web.route("/forgot-password", methods=["GET"])
@handler(signed_in=False)
def forgot_form(ctx: Ctx) -> Response:
    return page(ctx, "forgot_password.html", email=ctx.query("email").strip().lower()[:200])


@web.route("/forgot-password", methods=["POST"], content_types=FORM)
@handler(signed_in=False, csrf=True)
def forgot_password(ctx: Ctx) -> Response:
    """Ask Cognito to e-mail a reset code; the answer is the same whether or not the address has an account."""
    from chalicelib import bootstrap
    from chalicelib.auth.cognito import CodeRefused

    email = ctx.field("email").strip().lower()[:200]
    if "@" not in email:
        return page(ctx, "forgot_password.html", 400, email=email, error=ctx.t("signup_invalid"), error_field="email")
    try:
        bootstrap.container().cognito_users.forgot_password(email)
    except CodeRefused as exc:
        return page(ctx, "forgot_password.html", 429, email=email, error=ctx.t(f"code_{exc.kind}"))
    return _reset_page(ctx, email)


def _reset_page(ctx: Ctx, email: str, status: int = 200, **values: object) -> Response:
    from chalicelib.auth.cognito import LOCAL_OUTBOX

    return page(ctx, "reset_password.html", status, email=email, outbox=LOCAL_OUTBOX.get(email, ""), **values)


@web.route("/forgot-password/confirm", methods=["POST"], content_types=FORM)
@handler(signed_in=False, csrf=True)
def reset_password(ctx: Ctx) -> Response:
    from chalicelib import bootstrap
    from chalicelib.auth.cognito import CodeRefused

    email = ctx.field("email").strip().lower()[:200]
    try:
        bootstrap.container().cognito_users.confirm_forgot_password(
            email, ctx.field("code").strip()[:64], ctx.field("password")
        )
    except CodeRefused as exc:
        field = "password" if exc.kind == "weak_password" else "code"
        error = ctx.t("signup_weak_password" if exc.kind == "weak_password" else f"code_{exc.kind}")
        return _reset_page(ctx, email, 400, error=error, error_field=field, code=ctx.field("code")[:64])
    return page(ctx, "signin.html", flash=ctx.t("reset_done"), email=email)


@web.route("/signout", methods=["POST"], content_types=FORM)
@handler(csrf=True)
def signout(ctx: Ctx) -> Response:
    authenticator().sign_out(ctx.user)
    ctx.set_cookies.append(cookies.clear_cookie(cookies.SESSION_COOKIE, secure=ctx.secure))
    return redirect(ctx, "/signin")


# -- connections -------------------------------------------------------------------------------------------------


@web.route("/connect/{provider}", methods=["GET"])
@handler()
def connect(ctx: Ctx, provider: str) -> Response:
    from chalicelib import bootstrap

    url = bootstrap.container().connect_flows.start(
        org_id=ctx.user.org_id, user_sub=ctx.user.user_sub, provider_name=provider
    )
    return redirect(ctx, url)


@web.route("/connect/{provider}/callback", methods=["GET"])
@handler()
def connect_callback(ctx: Ctx, provider: str) -> Response:
    from chalicelib import bootstrap

    query = query_params(ctx.request)
    flows = bootstrap.container().connect_flows
    connected = flows.finish(org_id=ctx.user.org_id, user_sub=ctx.user.user_sub, provider_name=provider, query=query)
    # Another Lunas organisation has connected one of these companies too: both would remind its customers.
    shared = flows.held_elsewhere(ctx.user.org_id, connected)
    _note_connection(
        ctx, "Connected", "audit_connected", [f"{c.provider} {c.tenant_name or c.tenant_id}" for c in connected]
    )
    return redirect(ctx, "/dashboard?m=" + ("connected_shared" if shared else "connected"))


@web.route("/connections/disconnect", methods=["POST"], content_types=FORM)
@handler(csrf=True)
def disconnect(ctx: Ctx) -> Response:
    """The second step: the owner confirmed on `confirm_disconnect`'s page."""
    from chalicelib import bootstrap

    result = bootstrap.container().connect_flows.disconnect(
        org_id=ctx.user.org_id, connection_id=ctx.field("connection_id")
    )
    gone = result.connection
    revoked = "access revoked" if result.revoked_at_provider else "the provider did not confirm the revocation"
    name = f"{gone.provider} {gone.tenant_name or gone.tenant_id}"
    key = "audit_disconnected" if result.revoked_at_provider else "audit_disconnected_unconfirmed"
    _note_connection(ctx, "Disconnected", key, [f"{name} ({revoked})"])
    return redirect(ctx, "/dashboard?m=" + ("disconnected" if result.revoked_at_provider else "not_revoked"))


def _note_connection(ctx: Ctx, did: str, key: str, names: list[str]) -> None:
    """The audit entry: `did` and the names in English, the note `key` for the owner's language."""
    from chalicelib.domain import notes
    from chalicelib.domain.audit import CONNECTION
    from chalicelib.web.audit_routes import note

    listed = ", ".join(names) or "-"
    note(ctx, CONNECTION, f"{did} {listed}", words=notes.note(key, names=listed))


@web.route("/connections/disconnect", methods=["GET"])
@handler()
def confirm_disconnect(ctx: Ctx) -> Response:
    """The first step of Disconnect (a plain link or GET form, no JavaScript): what stops and what happens to the
    data, then the button that posts. Only a connection of this organisation is shown (anything else: not found)."""
    from chalicelib import bootstrap
    from chalicelib.domain.models import ConnectionStatus
    from chalicelib.web.handler import error_page

    connection_id = ctx.query("connection_id")
    found = [
        c
        for c in bootstrap.container().stores.connections.for_org(ctx.user.org_id)
        if c.connection_id == connection_id and c.status is not ConnectionStatus.DISCONNECTED
    ]
    if not found:
        return error_page(ctx, "not_found", 404, "/dashboard")
    connection = found[0]
    return page(
        ctx,
        "disconnect_confirm.html",
        page="overview",
        connection_id=connection.connection_id,
        name=connection.tenant_name or connection.connection_id,
        provider=connection.provider,
    )


# -- a page that does not exist ----------------------------------------------------------------------------------


@web.route("/{proxy+}", methods=["GET"])
@handler(signed_in=False)
def not_found(ctx: Ctx, **_: str) -> Response:  # Chalice passes the path as `proxy+`
    """Any other GET: a friendly page in the reader's language, not API Gateway's "Missing Authentication Token".

    API Gateway prefers every concrete route (and `/pay/{code}`) over this greedy one; unknown POSTs still get its
    403. The path itself is never echoed back (it could carry anything)."""
    from chalicelib.web.handler import error_page

    return error_page(ctx, "page_not_found", 404)
