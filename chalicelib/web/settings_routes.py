"""The owner's forms: reminder settings (schedule, send window, minimums, the WhatsApp number) and consent records.

Each form is validated by `dashboard.py`; a refused one shows the same page again with the problem (status 400;
503 when Meta could not be asked to confirm a WhatsApp number), a saved one redirects with a flash message. The
WhatsApp number is connected with Meta's Embedded Signup (the Connect WhatsApp button:
`services/whatsapp_onboarding.py`), or, as an advanced option, by entering its IDs and token.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

from chalice.app import Response

from chalicelib.web.handler import FORM, Ctx, error_page, handler, page, redirect, respond, web

# What the owner may say consent came from. Never a customer's own source (a WhatsApp reply or button): only the
# webhook records those (chalicelib/domain/consent_rules.py).
_CONSENT_SOURCES = ("signed_form", "whatsapp_chat", "web_form", "in_person", "email", "phone_call")


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
    ctx: Ctx,
    status: int = 200,
    flash: str = "",
    flash_kind: str = "ok",
    *,
    manual_open: bool = False,
    problem: Any = None,
    typed: dict[str, list[str]] | None = None,
    refused: Any = None,
) -> Response:
    """The page; after a refused form, `problem` (an InvalidInput: its field is marked) and what was `typed`; after a
    refused named-schedule form, `refused` (`schedule_editor.Refused`)."""
    from chalicelib import bootstrap
    from chalicelib.domain.countries import country_choices
    from chalicelib.web import schedule_editor

    stores = bootstrap.container().stores
    settings = stores.organisations.settings(ctx.user.org_id)
    signup = _signup_config()
    schedule_typed = typed if typed is not None and "timezone" in typed else None
    editor = schedule_editor.editor(settings, ctx.lang, schedule_typed)
    schedule_editor.with_previews(editor, ctx.user.org_id, settings.business_name)
    error_field = getattr(problem, "field", "") if problem is not None else ""
    flash = "" if error_field else flash  # the problem is shown beside its field (and announced there) instead
    response = page(
        ctx,
        "settings.html",
        status,
        page="settings",
        settings=settings,
        editor=editor,
        named=schedule_editor.named_schedules(settings, refused),
        currencies=schedule_editor.CURRENCIES,
        error_field=error_field or ("schedule" if problem is not None and schedule_typed else ""),
        error_message=problem.explained(ctx.t) if problem is not None else "",
        typed=typed or {},
        countries=country_choices(ctx.lang),
        connection_countries=_connection_countries(ctx, settings.country),
        whatsapp=stores.organisations.whatsapp_summary(ctx.user.org_id),
        digest=stores.digests.get(ctx.user.org_id),
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
    number = connected.display_phone_number
    _note_setting(ctx, "audit_wa_connected", f"Connected the WhatsApp number {number}", kind="whatsapp", number=number)
    templates = ctx.t(f"wa_templates_{connected.templates}") if connected.templates != "not_wired" else ""
    return _settings_page(ctx, 200, f"{done} {templates}".strip(), "warn" if connected.templates == "failed" else "ok")


def _note_setting(ctx: Ctx, key: str, what: str, *, kind: str = "settings", **values: str) -> None:
    """The change in the audit log (chalicelib/web/audit_routes.py): `what` in English, the note `key` with
    `values` in the owner's language."""
    from chalicelib.domain import notes
    from chalicelib.web.audit_routes import note

    note(ctx, kind, what, words=notes.note(key, **values))


@web.route("/settings", methods=["GET"])
@handler()
def settings_form(ctx: Ctx) -> Response:
    return _settings_page(ctx, 200, _schedules_flash(ctx))


# -- named schedules, one per group of customers (docs/dashboard.md "Schedules for groups of customers") --
_SCHEDULE_FLASHES = ("sched_added", "sched_saved", "sched_deleted")


def _schedules_flash(ctx: Ctx) -> str:
    from chalicelib.domain.secrecy import same_secret

    key = ctx.query("m")
    if key not in _SCHEDULE_FLASHES:
        return ""
    name, moved = ctx.query("name"), ctx.query("moved")
    if not same_secret(ctx.query("sig"), ctx.signed(f"{key}|{name}|{moved}")):
        return ""  # not from this server for this owner: a crafted link shows no words of its own
    return ctx.t(f"flash_{key}", name=name[:60], n=int(moved) if moved.isdigit() else 0)


def _named_refused(ctx: Ctx, schedule_id: str, exc: Any) -> Response:
    from chalicelib.web import schedule_editor

    message = exc.explained(ctx.t)
    refused = schedule_editor.Refused(schedule_id, ctx.form(), exc.field, message)
    # A marked field is announced beside it, in its card; a refusal without one (the limit) at the top of the page.
    flash = "" if exc.field else ctx.t("settings_invalid", problem=message)
    return _settings_page(ctx, 400, flash, "bad", refused=refused)


def _done(ctx: Ctx, key: str, name: str, moved: int = 0) -> Response:
    query = urlencode({"m": key, "name": name, "moved": moved, "sig": ctx.signed(f"{key}|{name}|{moved}")})
    return redirect(ctx, f"/settings?{query}#segment-schedules")


@web.route("/settings/schedules", methods=["POST"], content_types=FORM)
@handler(csrf=True)
def add_named_schedule(ctx: Ctx) -> Response:
    from chalicelib.web import dashboard, schedule_editor

    try:
        name = schedule_editor.add_named(ctx.user.org_id, ctx.form())
    except dashboard.InvalidInput as exc:
        return _named_refused(ctx, "new", exc)
    _note_setting(ctx, "audit_schedule_added", "Added a reminder schedule")
    return _done(ctx, "sched_added", name)


@web.route("/settings/schedules/{schedule_id}", methods=["POST"], content_types=FORM)
@handler(csrf=True)
def save_named_schedule(ctx: Ctx, schedule_id: str) -> Response:
    from chalicelib.web import dashboard, schedule_editor

    try:
        schedule_editor.save_named(ctx.user.org_id, schedule_id, ctx.form())
    except dashboard.InvalidInput as exc:
        return _named_refused(ctx, schedule_id, exc)
    _note_setting(ctx, "audit_schedule_changed", "Changed a reminder schedule")
    return _done(ctx, "sched_saved", " ".join(ctx.field("name").split()))


@web.route("/settings/schedules/{schedule_id}/delete", methods=["POST"], content_types=FORM)
@handler(csrf=True)
def delete_named_schedule(ctx: Ctx, schedule_id: str) -> Response:
    from chalicelib.web import dashboard, schedule_editor

    try:
        name, moved = schedule_editor.delete_named(ctx.user.org_id, schedule_id)
    except dashboard.InvalidInput as exc:
        return _settings_page(ctx, 400, exc.explained(ctx.t), "bad")
    what = f"Deleted a reminder schedule; {moved} customer(s) moved back to the default schedule"
    _note_setting(ctx, "audit_schedule_deleted", what, moved=str(moved))
    return _done(ctx, "sched_deleted", name, moved)


@web.route("/settings/schedule", methods=["POST"], content_types=FORM)
@handler(csrf=True)
def save_schedule(ctx: Ctx) -> Response:
    from chalicelib.web import dashboard

    if ctx.field("action") == "preview":  # the editor's "Show the messages" button (no JavaScript needed)
        return _settings_page(ctx, 200, typed=ctx.form())
    try:
        dashboard.save_schedule(ctx.user.org_id, ctx.form(), locale=ctx.lang)
    except dashboard.InvalidInput as exc:
        flash = ctx.t("settings_invalid", problem=exc.explained(ctx.t))
        return _settings_page(ctx, 400, flash, "bad", problem=exc, typed=ctx.form())
    _note_setting(ctx, "audit_default_schedule_changed", "Changed the reminder schedule")
    return redirect(ctx, "/settings?m=saved")


@web.route("/settings/digest", methods=["POST"], content_types=FORM)
@handler(csrf=True)
def save_digest(ctx: Ctx) -> Response:
    """The daily summary e-mail switch (docs/dashboard.md "Notifications"); it goes to the owner's address."""
    from chalicelib import bootstrap
    from chalicelib.web import dashboard

    on = ctx.field("digest") == "1"
    dashboard.remember_owner_address(ctx.user.org_id, ctx.user.email, ctx.user.role)
    bootstrap.container().stores.digests.set_enabled(ctx.user.org_id, on)
    _note_setting(
        ctx, f"audit_digest_{'on' if on else 'off'}", f"Switched the daily summary e-mail {'on' if on else 'off'}"
    )
    return redirect(ctx, "/settings?m=saved")


@web.route("/settings/thanks", methods=["POST"], content_types=FORM)
@handler(csrf=True)
def save_thanks(ctx: Ctx) -> Response:
    """The thank-you switch (docs/dashboard.md "Notifications"): thank customers when a reminded invoice is paid."""
    from chalicelib import bootstrap

    on = ctx.field("thanks") == "1"
    bootstrap.container().stores.organisations.set_thank_paid(ctx.user.org_id, on)
    _note_setting(
        ctx,
        f"audit_thanks_{'on' if on else 'off'}",
        f"Switched thank-you messages for paid invoices {'on' if on else 'off'}",
    )
    return redirect(ctx, "/settings?m=saved")


@web.route("/settings/schedule/preview", methods=["POST"], content_types=FORM)
@handler(csrf=True)
def schedule_preview(ctx: Ctx) -> Response:
    """The stage rows' messages for what is typed now (the editor's script asks on every change)."""
    from chalicelib import bootstrap
    from chalicelib.web import schedule_editor
    from chalicelib.web.render import render

    settings = bootstrap.container().stores.organisations.settings(ctx.user.org_id)
    editor = schedule_editor.editor(settings, ctx.lang, ctx.form())
    schedule_editor.with_previews(editor, ctx.user.org_id, settings.business_name)
    body = render("schedule_preview.html", lang=ctx.lang, timezone=ctx.timezone, editor=editor)
    return respond(ctx, body, 200)


@web.route("/settings/schedule.js", methods=["GET"])
@handler(signed_in=False)
def schedule_script(ctx: Ctx) -> Response:
    from pathlib import Path  # here, not at import: app.py's cold start

    script = (Path(__file__).parent / "templates" / "schedule_editor.js").read_text(encoding="utf-8")
    return respond(ctx, script, 200, {"Content-Type": "application/javascript; charset=utf-8"})


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
        typed = _typed_ids(ctx) if exc.field else None  # only a malformed ID: a valid one may be another org's
        return _settings_page(ctx, 400, problem, "bad", manual_open=True, problem=exc, typed=typed)
    _note_setting(ctx, "audit_wa_saved_by_hand", "Saved the WhatsApp number (entered by hand)", kind="whatsapp")
    return redirect(ctx, "/settings?m=saved")


def _typed_ids(ctx: Ctx) -> dict[str, list[str]]:
    """What the manual WhatsApp form showed back: the IDs as typed, never the token."""
    return {name: [ctx.field(name)[:64]] for name in ("phone_number_id", "business_account_id")}


# -- customers and consent ---------------------------------------------------------------------------------------


@web.route("/customers", methods=["GET"])
@handler()
def customers(ctx: Ctx) -> Response:
    from chalicelib.web import dashboard

    data = dashboard.customers(ctx.user.org_id)
    query = ctx.query("q").strip()[:100]  # search by name or phone (customer_routes.py's figures and search)
    data.rows = dashboard.search_customers(data.rows, query)
    figures = dashboard.customer_figures(ctx.user.org_id)
    return page(
        ctx,
        "customers.html",
        page="customers",
        data=data,
        sources=_CONSENT_SOURCES,
        q=query,
        figures=figures,
        schedule_names=_schedule_names(ctx),
    )


def _schedule_names(ctx: Ctx) -> dict[str, str]:
    """Customer page link -> the name of the named schedule that customer follows (the default is not shown)."""
    from chalicelib import bootstrap
    from chalicelib.domain.segment_schedules import schedule_of
    from chalicelib.web import dashboard

    settings = bootstrap.container().stores.organisations.settings(ctx.user.org_id)
    names = {}
    for connection_id, customer_id in settings.schedule_of:
        if (named := schedule_of(settings, connection_id, customer_id)) is not None:
            names[dashboard.customer_link(connection_id, customer_id)] = named.name
    return names


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
            evidence_at=ctx.field("evidence_at"),
            confirmed=ctx.field("customer_asked_again") == "yes",
            recorded_by=_by_user(ctx),
        )
    except dashboard.InvalidInput as exc:
        if str(exc) == "evidence needed":
            message = ctx.t("consent_evidence_needed")
        elif exc.key.startswith("consent_"):
            message = exc.explained(ctx.t)
        else:
            message = ctx.t("phone_invalid", detail=exc.explained(ctx.t))
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


def _by_user(ctx: Ctx) -> str:
    """Who made a dashboard consent change (chalicelib/domain/consent_rules.py), imported here, not at app import."""
    from chalicelib.domain import consent_rules

    return consent_rules.by_user(ctx.user.email, ctx.user.user_sub)
