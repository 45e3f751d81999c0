"""The owner's forms: reminder settings (schedule, send window, minimums, the WhatsApp number) and consent records.

Each form is validated by `dashboard.py`; a refused one shows the same page again with the problem (status 400;
503 when Meta could not be asked to confirm a WhatsApp number), a saved one redirects with a flash message. The
WhatsApp number is connected with Meta's Embedded Signup (the Connect WhatsApp button:
`services/whatsapp_onboarding.py`), or, as an advanced option, by entering its IDs and token.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from chalice.app import Response

from chalicelib.web.handler import FORM, Ctx, error_page, handler, page, redirect, respond, web

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


# -- settings ----------------------------------------------------------------------------------------------------


def _connection_countries(ctx: Ctx, organisation_country: str) -> list[str]:
    """Where each connected company reads its customers' numbers, in the owner's words."""
    from chalicelib import bootstrap
    from chalicelib.domain.countries import country_name
    from chalicelib.domain.models import ConnectionStatus

    lines = []
    for connection in bootstrap.container().stores.connections.for_org(ctx.user.org_id):
        if connection.status is ConnectionStatus.DISCONNECTED:
            continue
        name = connection.tenant_name or connection.connection_id
        if connection.country is None:
            country = country_name(organisation_country, ctx.lang)
            lines.append(ctx.t("connection_country_unknown", name=name, country=country))
        elif connection.currency:
            country = country_name(connection.country, ctx.lang)
            lines.append(ctx.t("connection_country_currency", name=name, country=country, currency=connection.currency))
        else:
            lines.append(ctx.t("connection_country", name=name, country=country_name(connection.country, ctx.lang)))
    return lines


def _settings_page(
    ctx: Ctx, status: int = 200, flash: str = "", flash_kind: str = "ok", *, manual_open: bool = False
) -> Response:
    from chalicelib import bootstrap
    from chalicelib.domain.countries import country_choices
    from chalicelib.storage.organisations import minimum_amounts_text

    stores = bootstrap.container().stores
    settings = stores.organisations.settings(ctx.user.org_id)
    signup = _signup_config()
    response = page(
        ctx,
        "settings.html",
        status,
        page="settings",
        settings=settings,
        minimums=minimum_amounts_text(settings.minimum_amounts),
        timezones=_TIMEZONES if settings.timezone in _TIMEZONES else (settings.timezone, *_TIMEZONES),
        countries=country_choices(ctx.lang),
        connection_countries=_connection_countries(ctx, settings.country),
        whatsapp=stores.organisations.whatsapp_summary(ctx.user.org_id),
        signup=signup,
        manual_open=manual_open,
        flash=flash,
        flash_kind=flash_kind,
    )
    response.headers["Content-Security-Policy"] = _settings_csp(signup["sdk_origin"])
    return response


# -- Connect WhatsApp: Meta's Embedded Signup (docs/whatsapp-onboarding.md) ---------------------------------------
# https://developers.facebook.com/documentation/business-messaging/whatsapp/embedded-signup/implementation
_SIGNUP_JS = "whatsapp_signup.js"  # beside the page templates (they ship to Lambda)


def _signup_config() -> dict[str, str]:
    """What the page's Connect WhatsApp button needs: Meta's JS SDK (the fake's stand-in in the sandbox), our app id
    and Facebook Login for Business configuration id. `enabled` is "" when the app is not configured."""
    from chalicelib import bootstrap

    settings = bootstrap.container().settings
    sdk = urlsplit(settings.meta_sdk_url)
    return {
        "enabled": "1" if settings.meta_app_id and settings.meta_signup_config_id else "",
        "sdk_url": settings.meta_sdk_url,
        "sdk_origin": f"{sdk.scheme}://{sdk.netloc}",
        "app_id": settings.meta_app_id,
        "config_id": settings.meta_signup_config_id,
        "graph_version": f"v{float(settings.graph_api_version)}",
    }


def _settings_csp(sdk_origin: str) -> str:
    """The dashboard's policy, plus Meta's SDK script, its login frames and calls (our own script is a file)."""
    meta = f"{sdk_origin} https://*.facebook.com"
    return (
        "default-src 'self'; style-src 'self' 'unsafe-inline'; "
        f"script-src 'self' {sdk_origin}; frame-src {meta}; connect-src 'self' {meta}; img-src 'self' data: {meta}; "
        "frame-ancestors 'none'"
    )


@web.route("/settings/whatsapp-signup.js", methods=["GET"])
@handler(signed_in=False)
def whatsapp_signup_script(ctx: Ctx) -> Response:
    from pathlib import Path  # here, not at import: app.py's cold start

    script = (Path(__file__).parent / "templates" / _SIGNUP_JS).read_text(encoding="utf-8")
    return respond(ctx, script, 200, {"Content-Type": "application/javascript; charset=utf-8"})


@web.route("/settings/whatsapp/signup", methods=["POST"], content_types=FORM)
@handler(csrf=True)
def whatsapp_signup(ctx: Ctx) -> Response:
    """The popup's answer (code, phone number id, WABA id): connect the number, or say which step failed and why."""
    from chalicelib import bootstrap
    from chalicelib.ports import WhatsAppSignupRefused
    from chalicelib.services.whatsapp_onboarding import connect_whatsapp

    try:
        connected = connect_whatsapp(
            ctx.user.org_id,
            code=ctx.field("code"),
            phone_number_id=ctx.field("phone_number_id"),
            business_account_id=ctx.field("waba_id"),
            deps=bootstrap.container().whatsapp_onboarding,
        )
    except WhatsAppSignupRefused as exc:
        reason = ctx.t(f"signup_{exc.reason}")
        problem = ctx.t("signup_failed", step=ctx.t(f"signup_step_{exc.step}"), reason=reason)
        return _settings_page(ctx, 503 if exc.reason == "unavailable" else 400, problem, "bad")
    done = ctx.t("wa_connected", number=connected.display_phone_number, name=connected.verified_name or "-")
    templates = ctx.t(f"wa_templates_{connected.templates}") if connected.templates != "not_wired" else ""
    return _settings_page(ctx, 200, f"{done} {templates}".strip(), "warn" if connected.templates == "failed" else "ok")


@web.route("/settings", methods=["GET"])
@handler()
def settings_form(ctx: Ctx) -> Response:
    return _settings_page(ctx)


@web.route("/settings/schedule", methods=["POST"], content_types=FORM)
@handler(csrf=True)
def save_schedule(ctx: Ctx) -> Response:
    from chalicelib.web import dashboard

    try:
        dashboard.save_schedule(ctx.user.org_id, ctx.form())
    except dashboard.InvalidInput as exc:
        return _settings_page(ctx, 400, ctx.t("settings_invalid", problem=exc.explained(ctx.t)), "bad")
    return redirect(ctx, "/settings?m=saved")


@web.route("/settings/whatsapp", methods=["POST"], content_types=FORM)
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
    except dashboard.MetaUnavailable as exc:  # Meta could not confirm the number now: nothing saved, try again
        return _settings_page(ctx, 503, exc.explained(ctx.t), "bad", manual_open=True)
    except dashboard.InvalidInput as exc:
        problem = ctx.t("settings_invalid", problem=exc.explained(ctx.t))
        return _settings_page(ctx, 400, problem, "bad", manual_open=True)
    return redirect(ctx, "/settings?m=saved")


# -- customers and consent ---------------------------------------------------------------------------------------


@web.route("/customers", methods=["GET"])
@handler()
def customers(ctx: Ctx) -> Response:
    from chalicelib.web import dashboard

    return page(
        ctx, "customers.html", page="customers", data=dashboard.customers(ctx.user.org_id), sources=_CONSENT_SOURCES
    )


@web.route("/customers/consent", methods=["POST"], content_types=FORM)
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
            ctx.t("consent_evidence_needed")
            if str(exc) == "evidence needed"
            else ctx.t("phone_invalid", detail=exc.explained(ctx.t))
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
