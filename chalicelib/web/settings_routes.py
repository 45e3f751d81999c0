"""The owner's forms: reminder settings (schedule, send window, minimums, the WhatsApp number) and consent records.

Each form is validated by `dashboard.py`; a refused one shows the same page again with the problem (status 400;
503 when Meta could not be asked to confirm a WhatsApp number), a saved one redirects with a flash message.
"""

from __future__ import annotations

from chalice.app import Response

from chalicelib.web.handler import FORM, Ctx, error_page, handler, page, redirect, web

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


def _settings_page(ctx: Ctx, status: int = 200, flash: str = "", flash_kind: str = "ok") -> Response:
    from chalicelib import bootstrap
    from chalicelib.domain.countries import country_choices
    from chalicelib.storage.organisations import minimum_amounts_text

    stores = bootstrap.container().stores
    settings = stores.organisations.settings(ctx.user.org_id)
    return page(
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
        flash=flash,
        flash_kind=flash_kind,
    )


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
        return _settings_page(ctx, 503, exc.explained(ctx.t), "bad")
    except dashboard.InvalidInput as exc:
        return _settings_page(ctx, 400, ctx.t("settings_invalid", problem=exc.explained(ctx.t)), "bad")
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
