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

    dashboard.remember_owner_address(ctx.user.org_id, ctx.user.email, ctx.user.role)  # the daily summary's address
    data = dashboard.overview(ctx.user.org_id)
    templates = dashboard.template_statuses(ctx.user.org_id)
    return page(
        ctx,
        "overview.html",
        page="overview",
        data=data,
        home=dashboard.home(ctx.user.org_id, replies_href=_replies_page(), templates=templates),
        said_paid=payments.said_paid(ctx.user.org_id),
        templates=templates,
        costs=dashboard.costs(ctx.user.org_id),
    )


def _replies_page() -> str:
    """Where the owner reads customers' replies: the replies inbox once the app has one, else the customers page."""
    try:
        return "/replies" if "/replies" in web.current_app.routes else "/customers"
    except (AttributeError, RuntimeError):  # not registered on an app (a unit test)
        return "/customers"


# -- invoices, preview, run now ----------------------------------------------------------------------------------


@web.route("/invoices", methods=["GET"])
@handler()
def invoices(ctx: Ctx) -> Response:
    from chalicelib.web import dashboard, payments

    every = dashboard.invoices(ctx.user.org_id)
    said_paid = payments.said_paid_by_invoice(ctx.user.org_id)  # a paused invoice: the customer said they paid
    chosen = dashboard.InvoiceFilter(status=ctx.query("status"), reason=ctx.query("reason"), source=ctx.query("source"))
    rows, totals, held = dashboard.filter_invoices(ctx.user.org_id, every, chosen)
    return page(
        ctx,
        "invoices.html",
        page="invoices",
        rows=rows,
        said_paid=said_paid,
        chosen=chosen,
        totals=totals,
        held=held,
        statuses=dashboard.INVOICE_STATUSES,
        reasons=sorted({r.reason for r in every}),
        sources=sorted({r.connection_id.split(":", 1)[0] for r in every}),
    )


@web.route("/preview", methods=["GET"])
@handler()
def preview(ctx: Ctx) -> Response:
    from chalicelib.web import dashboard

    data = dashboard.preview(ctx.user.org_id)
    dashboard.remember_previewed(ctx.user.org_id)  # the getting-started checklist's "preview" step
    sending = any(item.plan.messages for item in data.previews)
    return page(
        ctx, "preview.html", page="preview", page_data=data, sending=sending, skipped=dashboard.would_not_send(data)
    )


@web.route("/run-now", methods=["POST"], content_types=FORM)
@handler(csrf=True)
def run_now(ctx: Ctx) -> Response:
    from urllib.parse import urlencode

    from chalicelib.web import dashboard

    result = dashboard.run_now(ctx.user.org_id)
    if not result.connections or result.requested_at is None:
        return redirect(ctx, "/preview?m=none")
    return redirect(ctx, "/run-status?" + urlencode({"since": result.requested_at.isoformat()}))


def _since(ctx: Ctx) -> Any:
    """The `since` of a Run now (an ISO instant with its offset), or None when the link was altered."""
    import datetime as dt

    try:
        since = dt.datetime.fromisoformat(ctx.query("since"))
    except ValueError:
        return None
    return since if since.tzinfo is not None else None


@web.route("/run-status", methods=["GET"])
@handler()
def run_status(ctx: Ctx) -> Response:
    """A Run now's progress, then its counts in words; refreshes itself (and polls `/api/run-status`) until done."""
    from chalicelib.web import dashboard

    since = _since(ctx)
    if since is None:
        return redirect(ctx, "/preview")
    status = dashboard.run_status(ctx.user.org_id, since)
    return page(ctx, "run_status.html", page="preview", run=status, since=ctx.query("since"))


@web.route("/run-status.js", methods=["GET"])
@handler(signed_in=False)
def run_status_script(ctx: Ctx) -> Response:
    from pathlib import Path  # here, not at import: app.py's cold start

    script = (Path(__file__).parent / "templates" / "run_status.js").read_text(encoding="utf-8")
    return respond(ctx, script, 200, {"Content-Type": "application/javascript; charset=utf-8"})


@web.route("/api/run-status", methods=["GET"])
@handler(api=True)
def api_run_status(ctx: Ctx) -> Response:
    from chalicelib.web import dashboard

    since = _since(ctx)
    if since is None:
        return respond(ctx, '{"error": "since must be an ISO instant"}', 400, {"Content-Type": "application/json"})
    status = dashboard.run_status(ctx.user.org_id, since)
    return _json(
        ctx,
        {
            "done": status.done,
            "pending": status.pending,
            "sent": status.sent,
            "waiting": status.waiting,
            "not_sent": dict(status.not_sent),
        },
    )


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


@web.route("/api/home", methods=["GET"])
@handler(api=True)
def api_home(ctx: Ctx) -> Response:
    """The home page's numbers: amounts as decimal strings per currency, never added across currencies."""
    from chalicelib.web import dashboard

    home = dashboard.home(ctx.user.org_id, replies_href=_replies_page())
    return _json(
        ctx,
        {
            "aging": [
                {
                    "currency": a.currency,
                    "overdue": str(a.overdue),
                    "overdue_invoices": a.overdue_invoices,
                    "due_soon": str(a.due_soon),
                    "due_soon_invoices": a.due_soon_invoices,
                    "buckets": {name: str(amount) for name, amount in a.buckets},
                }
                for a in home.aging
            ],
            "this_month": {
                "sent": home.messages.sent,
                "delivered": home.messages.delivered,
                "read": home.messages.read,
                "failed": home.messages.failed,
                "unconfirmed": home.messages.unconfirmed,
            },
            "paid_after_reminder": {
                "invoices": home.settled.invoices,
                "amounts": [{"currency": m.currency, "amount": str(m.amount)} for m in home.settled.amounts],
            },
            "attention": [{"kind": i.kind, "href": i.href, **dict(i.values)} for i in home.attention],
            "checklist": [{"step": s.key, "done": s.done, "href": s.href} for s in home.checklist],
        },
    )
