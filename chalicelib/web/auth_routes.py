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
    from chalicelib.auth.cognito import SignInFailed

    email = ctx.field("email").strip().lower()
    try:
        token = authenticator().sign_in(email=email, password=ctx.field("password"))
    except SignInFailed:
        return page(ctx, "signin.html", 401, error=ctx.t("signin_failed"), email=email)
    return _signed_in(ctx, token)


def _signed_in(ctx: Ctx, id_token: str) -> Response:
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
    from chalicelib.auth.cognito import SignUpRefused
    from chalicelib.domain.countries import is_country

    email = ctx.field("email").strip().lower()
    business = ctx.field("business_name").strip()[:100]
    # A form without the field (an older page, a script) gets what the page would have suggested.
    country = ctx.field("country").strip().upper() if "country" in ctx.form() else _browser_country(ctx)
    entered = {"email": email, "business_name": business, "country": country}
    if not business or "@" not in email:
        return _signup_page(ctx, 400, error=ctx.t("signup_invalid"), **entered)
    if not is_country(country):
        return _signup_page(ctx, 400, error=ctx.t("signup_country_invalid"), **{**entered, "country": ""})
    try:
        token = authenticator().sign_up(
            email=email, password=ctx.field("password"), business_name=business, country=country
        )
    except SignUpRefused as exc:
        return _signup_page(ctx, 400, error=ctx.t(f"signup_{exc.kind}"), **entered)
    return _signed_in(ctx, token)


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
    return redirect(ctx, "/dashboard?m=" + ("connected_shared" if shared else "connected"))


@web.route("/connections/disconnect", methods=["POST"], content_types=FORM)
@handler(csrf=True)
def disconnect(ctx: Ctx) -> Response:
    from chalicelib import bootstrap

    result = bootstrap.container().connect_flows.disconnect(
        org_id=ctx.user.org_id, connection_id=ctx.field("connection_id")
    )
    return redirect(ctx, "/dashboard?m=" + ("disconnected" if result.revoked_at_provider else "not_revoked"))
