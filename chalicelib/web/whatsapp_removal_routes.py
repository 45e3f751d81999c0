"""Removing the organisation's WhatsApp number from Settings, in two steps: a page that says what happens, then the
confirmed form (`services/whatsapp_removal.py`; docs/privacy.md "Removing the WhatsApp number")."""

from __future__ import annotations

from chalice.app import Response

from chalicelib.web.handler import FORM, Ctx, handler, page, web


def _confirm_page(ctx: Ctx, status: int = 200, **values: object) -> Response:
    from chalicelib import bootstrap

    summary = bootstrap.container().stores.organisations.whatsapp_summary(ctx.user.org_id)
    return page(ctx, "whatsapp_remove.html", status, page="settings", whatsapp=summary, **values)


@web.route("/settings/whatsapp/remove", methods=["GET"])
@handler()
def confirm_remove_whatsapp(ctx: Ctx) -> Response:
    return _confirm_page(ctx)


@web.route("/settings/whatsapp/remove", methods=["POST"], content_types=FORM)
@handler(csrf=True)
def remove_whatsapp(ctx: Ctx) -> Response:
    from chalicelib import bootstrap
    from chalicelib.services.whatsapp_removal import NoWhatsAppNumber
    from chalicelib.services.whatsapp_removal import remove_whatsapp as remove
    from chalicelib.web.settings_routes import _settings_page

    if ctx.field("confirm") != "remove":
        return _confirm_page(ctx, 400, flash=ctx.t("wa_remove_confirm_needed"), flash_kind="bad")
    try:
        removal = remove(ctx.user.org_id, ctx.user.email, bootstrap.container().whatsapp_removal)
    except NoWhatsAppNumber:
        return _settings_page(ctx, 200, ctx.t("wa_remove_nothing"), "ok")
    done = ctx.t("wa_removed") if removal.unsubscribed else ctx.t("wa_removed_meta_unconfirmed")
    return _settings_page(ctx, 200, done, "ok" if removal.unsubscribed else "warn")
