"""What the owner looks at: the overview, invoices with their reminder timeline, the next-cycle preview and Run now,
and the same data as a small JSON API (scoped like the pages: the organisation comes from the session cookie)."""

from __future__ import annotations

from typing import Any

from chalice.app import Response

from chalicelib.web.handler import FORM, Ctx, handler, page, redirect, respond, web

# -- overview ----------------------------------------------------------------------------------------------------


@web.route("/dashboard", methods=["GET"])
@handler()
def overview(ctx: Ctx) -> Response:
    from chalicelib.web import dashboard, payments

    data = dashboard.overview(ctx.user.org_id)
    return page(
        ctx,
        "overview.html",
        page="overview",
        data=data,
        said_paid=payments.said_paid(ctx.user.org_id),
        templates=dashboard.template_statuses(ctx.user.org_id),
        costs=dashboard.costs(ctx.user.org_id),
    )


# -- invoices, preview, run now ----------------------------------------------------------------------------------


@web.route("/invoices", methods=["GET"])
@handler()
def invoices(ctx: Ctx) -> Response:
    from chalicelib.web import dashboard, payments

    rows = dashboard.invoices(ctx.user.org_id)
    said_paid = payments.said_paid_by_invoice(ctx.user.org_id)  # a paused invoice: the customer said they paid
    return page(ctx, "invoices.html", page="invoices", rows=rows, said_paid=said_paid)


@web.route("/preview", methods=["GET"])
@handler()
def preview(ctx: Ctx) -> Response:
    from chalicelib.web import dashboard

    data = dashboard.preview(ctx.user.org_id)
    sending = any(item.plan.messages for item in data.previews)
    return page(
        ctx, "preview.html", page="preview", page_data=data, sending=sending, skipped=dashboard.would_not_send(data)
    )


@web.route("/run-now", methods=["POST"], content_types=FORM)
@handler(csrf=True)
def run_now(ctx: Ctx) -> Response:
    from chalicelib.web import dashboard

    result = dashboard.run_now(ctx.user.org_id)
    if not result.connections:
        return redirect(ctx, "/preview?m=none")
    return redirect(ctx, "/invoices?m=" + ("done" if result.mode == "inline" else "queued"))


# -- JSON API (same scoping: the organisation comes from the session cookie) -------------------------------------


def _json(ctx: Ctx, body: Any) -> Response:
    import json

    return respond(ctx, json.dumps(body, default=str), 200, {"Content-Type": "application/json"})


@web.route("/api/connections", methods=["GET"])
@handler(api=True)
def api_connections(ctx: Ctx) -> Response:
    from chalicelib import bootstrap

    rows = bootstrap.container().stores.connections.health(ctx.user.org_id)
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
    from chalicelib import bootstrap

    consents = bootstrap.container().stores.consents.for_org(ctx.user.org_id)
    return _json(ctx, {"consents": [{"phone": c.phone, "status": c.status.value} for c in consents]})
