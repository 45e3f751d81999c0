"""Privacy requests (a person asks what is held about their phone number, for a copy, or to be erased) and deleting
the organisation, from the owner's dashboard (docs/privacy.md).

The phone number travels only in POST bodies, never in a URL (URLs end up in logs and browser history). Erasing and
deleting each need an explicit confirmation in the form; every form carries the CSRF token.
"""

from __future__ import annotations

import json

from chalice.app import Response

from chalicelib.auth import session as cookies
from chalicelib.web.handler import FORM, Ctx, error_page, handler, page, redirect, respond, web


def _privacy_page(ctx: Ctx, status: int = 200, **values: object) -> Response:
    return page(ctx, "privacy_requests.html", status, page="privacy", **values)


def _person(ctx: Ctx) -> object:
    """The person the form names, or a page saying why the number cannot be used."""
    from chalicelib import bootstrap
    from chalicelib.services.privacy import InvalidPhone, find_person

    entered = ctx.field("phone").strip()[:40]
    try:
        return find_person(ctx.user.org_id, entered, bootstrap.container().privacy)
    except InvalidPhone as exc:
        return _privacy_page(
            ctx, 400, entered=entered, flash=ctx.t("phone_invalid", detail=exc.detail), flash_kind="bad"
        )


@web.route("/privacy-requests", methods=["GET"])
@handler()
def privacy_requests(ctx: Ctx) -> Response:
    return _privacy_page(ctx)


@web.route("/privacy-requests/find", methods=["POST"], content_types=FORM)
@handler(csrf=True)
def privacy_find(ctx: Ctx) -> Response:
    person = _person(ctx)
    if isinstance(person, Response):
        return person
    return _privacy_page(ctx, person=person, entered=ctx.field("phone").strip()[:40])


@web.route("/privacy-requests/export", methods=["POST"], content_types=FORM)
@handler(csrf=True)
def privacy_export(ctx: Ctx) -> Response:
    from chalicelib import bootstrap
    from chalicelib.services.privacy import InvalidPhone, export_person

    try:
        document = export_person(
            ctx.user.org_id, ctx.field("phone").strip()[:40], bootstrap.container().privacy, who=ctx.user.email
        )
    except InvalidPhone as exc:
        return _privacy_page(ctx, 400, flash=ctx.t("phone_invalid", detail=exc.detail), flash_kind="bad")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Disposition": 'attachment; filename="lunas-person-data.json"',
    }
    return respond(ctx, json.dumps(document, ensure_ascii=False, indent=2), 200, headers)


@web.route("/privacy-requests/erase", methods=["POST"], content_types=FORM)
@handler(csrf=True)
def privacy_erase(ctx: Ctx) -> Response:
    from chalicelib import bootstrap
    from chalicelib.services.privacy import erase_person

    person = _person(ctx)
    if isinstance(person, Response):
        return person
    if ctx.field("confirm") != "erase":
        return _privacy_page(ctx, 400, person=person, flash=ctx.t("privacy_confirm_needed"), flash_kind="bad")
    phone = ctx.field("phone").strip()[:40]
    result = erase_person(ctx.user.org_id, phone, bootstrap.container().privacy, who=ctx.user.email)
    done = ctx.t("privacy_erased", phone=result.masked_phone, count=result.total)
    return _privacy_page(ctx, erased=result, flash=done)


# -- deleting the organisation (Settings, at the bottom) ----------------------------------------------------------


@web.route("/settings/delete-organisation", methods=["POST"], content_types=FORM)
@handler(csrf=True)
def delete_organisation(ctx: Ctx) -> Response:
    from chalicelib import bootstrap
    from chalicelib.services.privacy import NameMismatch, delete_organisation
    from chalicelib.web.settings_routes import _settings_page

    if ctx.user.role != "owner":  # staff may use the dashboard; only the owner closes the account
        return error_page(ctx, "owner_only", 403)
    try:
        deletion = bootstrap.container().organisation_deletion
        delete_organisation(ctx.user.org_id, ctx.field("business_name"), deletion, who=ctx.user.email)
    except NameMismatch:  # the settings page again, saying so; nothing was touched
        return _settings_page(ctx, 400, ctx.t("delete_org_name_mismatch"), "bad")
    ctx.set_cookies.append(cookies.clear_cookie(cookies.SESSION_COOKIE, secure=ctx.secure))
    return redirect(ctx, "/goodbye")


@web.route("/goodbye", methods=["GET"])
@handler(signed_in=False)
def goodbye(ctx: Ctx) -> Response:
    return page(ctx, "goodbye.html")
