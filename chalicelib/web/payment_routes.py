"""The owner's payment instructions (`/settings/payments`): bank accounts, virtual account, e-wallet, how long
"I have paid" holds reminders, and a QRIS image. Customers see them on the pay page of invoices that have no online
payment page (chalicelib/pages.py).

A refused form shows the page again with the values as sent and the problem in the owner's language (status 400); a
saved one redirects with a flash message. The QRIS upload is a multipart form, so its CSRF token is read from the
parsed body here (the shared handler reads URL-encoded forms only).
"""

from __future__ import annotations

from typing import Any

from chalice.app import Response

from chalicelib.web.handler import FORM, CsrfRejected, Ctx, FormTooLarge, handler, page, redirect, web

MULTIPART = ["multipart/form-data"]
# The settings page shows the stored QRIS image inline (a data: URL): the dashboard's policy plus data: images.
_CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"


def _payments_page(
    ctx: Ctx,
    status: int = 200,
    values: dict[str, str] | None = None,
    flash: str = "",
    flash_kind: str = "ok",
    *,
    problem: Any = None,
) -> Response:
    """The page; after a refused form, `problem` (an InvalidInput) marks its field and says why beside it."""
    from chalicelib.web import payments

    current = payments.instructions(ctx.user.org_id)
    response = page(
        ctx,
        "payments.html",
        status,
        page="payments",
        values=values if values is not None else payments.form_values(current),
        instructions=current,
        qris=payments.qris_data_url(ctx.user.org_id) if current.qris_type else "",
        max_qris_kb=payments.MAX_QRIS_BYTES // 1024,
        max_hold_days=payments.MAX_HOLD_DAYS,
        flash="" if getattr(problem, "field", "") else flash,
        flash_kind=flash_kind,
        error_field=getattr(problem, "field", ""),
        error_message=flash,
    )
    response.headers["Content-Security-Policy"] = _CSP
    return response


def _note_payments(ctx: Ctx, key: str, what: str) -> None:
    """The change in the audit log (chalicelib/web/audit_routes.py), in English and as the note `key`."""
    from chalicelib.domain import notes
    from chalicelib.web.audit_routes import note

    note(ctx, "settings", what, words=notes.note(key))


@web.route("/settings/payments", methods=["GET"])
@handler()
def payment_settings(ctx: Ctx) -> Response:
    return _payments_page(ctx)


@web.route("/settings/payments", methods=["POST"], content_types=FORM)
@handler(csrf=True)
def save_payment_settings(ctx: Ctx) -> Response:
    from chalicelib.web import dashboard, payments

    try:
        payments.save_instructions(ctx.user.org_id, ctx.form())
    except dashboard.InvalidInput as exc:
        problem = ctx.t("pay_invalid", problem=exc.explained(ctx.t))
        return _payments_page(ctx, 400, payments.submitted_values(ctx.form()), problem, "bad", problem=exc)
    _note_payments(ctx, "audit_payments_changed", "Changed the payment instructions")
    return redirect(ctx, "/settings/payments?m=saved")


@web.route("/settings/payments/qris", methods=["POST"], content_types=MULTIPART)
@handler()
def upload_qris(ctx: Ctx) -> Response:
    from chalicelib import bootstrap
    from chalicelib.auth import session as cookies
    from chalicelib.web import dashboard, payments

    raw = ctx.request.raw_body or b""
    body = raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogateescape")
    try:
        upload = payments.parse_upload(ctx.request.headers.get("content-type", ""), body)
    except payments.TooLarge:
        raise FormTooLarge from None
    secret = bootstrap.container().settings.session_secret
    seed = ctx.cookie_jar.get(cookies.CSRF_COOKIE)
    if not cookies.csrf_valid(upload.fields.get("csrf_token"), seed, ctx.user.user_sub, secret):
        raise CsrfRejected
    try:
        payments.save_qris(ctx.user.org_id, upload.file)
    except dashboard.InvalidInput as exc:
        return _payments_page(ctx, 400, flash=ctx.t("pay_invalid", problem=exc.explained(ctx.t)), flash_kind="bad")
    _note_payments(ctx, "audit_qris_uploaded", "Uploaded a QRIS image")
    return redirect(ctx, "/settings/payments?m=saved")


@web.route("/settings/payments/qris/delete", methods=["POST"], content_types=FORM)
@handler(csrf=True)
def remove_qris(ctx: Ctx) -> Response:
    from chalicelib.web import payments

    payments.remove_qris(ctx.user.org_id)
    _note_payments(ctx, "audit_qris_removed", "Removed the QRIS image")
    return redirect(ctx, "/settings/payments?m=saved")
