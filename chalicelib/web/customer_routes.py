"""The replies inbox and one customer's page (docs/dashboard.md "Replies inbox", "Customer page").

`/replies` lists every customer reply with who sent it, the invoices it answers and what Lunas did; its buttons end
a reply's pause, mark a reply resolved or record a promise to pay (which holds those invoices' reminders until that
date). `/customers/<connection>/<customer>` shows what one customer owes, their consent, every message as it was
sent with its status, their replies, and pause / unpause / chase now. Every form is CSRF-checked; every id in a URL
or a form is re-checked against the signed-in organisation by `dashboard.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, unquote

from chalice.app import Response

from chalicelib.web.handler import FORM, Ctx, handler, page, redirect, web

_REPLY_FLASHES = {"resolved", "unpaused", "promise", "paused", "chased", "chase_queued", "schedule"}


def _day(ctx: Ctx) -> Callable[[dt.datetime | dt.date | str | None], str]:
    """A date as the owner reads it in their language and zone: "5 December 2026" / "5 Desember 2026"."""
    from zoneinfo import ZoneInfo  # here: every Lambda imports the routes on a cold start (tests/test_cold_start.py)

    from chalicelib.domain.wording import format_due_date

    zone = ZoneInfo(ctx.timezone)

    def day(value: dt.datetime | dt.date | str | None) -> str:
        if not value:
            return ""
        if isinstance(value, str):
            value = dt.date.fromisoformat(value)
        date = value.astimezone(zone).date() if isinstance(value, dt.datetime) else value
        return format_due_date(date, ctx.lang)

    return day


# Meta's error codes the owner most often meets, explained in their language with what to do (i18n `msg_error_*`).
EXPLAINED_ERRORS = frozenset({131026, 131047, 131049, 131050, 131021, 130472, 132001, 131042, 368})


def _failure(ctx: Ctx) -> Callable[[int | None, str], str]:
    """Why a message failed, in plain words: never Meta's raw "(#131026) Message undeliverable"."""

    def failure(code: int | None, title: str) -> str:
        if code in EXPLAINED_ERRORS:
            return ctx.t(f"msg_error_{code}")
        return ctx.t("msg_error_other", code=code if code is not None else "-")

    return failure


def _flash(ctx: Ctx) -> str:
    key = ctx.query("m")
    return ctx.t(f"flash_reply_{key}") if key in _REPLY_FLASHES else ""


# -- replies inbox ----------------------------------------------------------------------------------------------


def _replies_page(ctx: Ctx, status: int = 200, problem: str = "") -> Response:
    from chalicelib.web import dashboard

    show = "all" if ctx.query("show") == "all" else "open"
    rows = dashboard.replies_inbox(ctx.user.org_id, show=show)
    return page(
        ctx,
        "replies.html",
        status,
        page="replies",
        rows=rows,
        show=show,
        local_day=_day(ctx),
        flash=problem or _flash(ctx),
        flash_kind="bad" if problem else "ok",
    )


@web.route("/replies", methods=["GET"])
@handler()
def replies(ctx: Ctx) -> Response:
    return _replies_page(ctx)


@web.route("/replies/resolve", methods=["POST"], content_types=FORM)
@handler(csrf=True)
def resolve_reply(ctx: Ctx) -> Response:
    from chalicelib.web import dashboard

    dashboard.resolve_reply(ctx.user.org_id, ctx.field("message_id"))
    return redirect(ctx, "/replies?m=resolved")


@web.route("/replies/unpause", methods=["POST"], content_types=FORM)
@handler(csrf=True)
def unpause_reply(ctx: Ctx) -> Response:
    from chalicelib.web import dashboard

    try:
        dashboard.unpause_phone(ctx.user.org_id, ctx.field("phone"))
    except dashboard.InvalidInput as exc:
        return _replies_page(ctx, 400, exc.explained(ctx.t))
    return redirect(ctx, _back(ctx, "/replies") + "?m=unpaused")


@web.route("/replies/promise", methods=["POST"], content_types=FORM)
@handler(csrf=True)
def record_promise(ctx: Ctx) -> Response:
    from chalicelib.web import dashboard

    try:
        dashboard.record_promise(ctx.user.org_id, ctx.field("message_id"), ctx.field("promise_date"))
    except dashboard.InvalidInput as exc:
        return _replies_page(ctx, 400, exc.explained(ctx.t))
    return redirect(ctx, "/replies?m=promise")


def _back(ctx: Ctx, default: str) -> str:
    """Where a form came from, among this dashboard's own pages only (never another site)."""
    back = ctx.field("back")
    return back if back.startswith("/customers/") and "//" not in back and "?" not in back else default


# -- one customer ------------------------------------------------------------------------------------------------


@web.route("/customers/{connection_id}/{customer_id}", methods=["GET"])
@handler()
def customer(ctx: Ctx, connection_id: str, customer_id: str) -> Response:
    from chalicelib.web import dashboard

    data = dashboard.customer_page(ctx.user.org_id, unquote(connection_id), unquote(customer_id))
    return page(
        ctx,
        "customer.html",
        page="customers",
        data=data,
        here=dashboard.customer_link(data.customer.connection_id, data.customer.customer_id),
        local_day=_day(ctx),
        failure=_failure(ctx),
        flash=_flash(ctx),
        **_schedule_choice(ctx, data.customer.connection_id, data.customer.customer_id),
    )


def _schedule_choice(ctx: Ctx, connection_id: str, customer_id: str) -> dict[str, Any]:
    """The named schedules the owner may pick for this customer, and the one they follow ("" = the default)."""
    from chalicelib import bootstrap
    from chalicelib.domain.segment_schedules import schedule_of

    settings = bootstrap.container().stores.organisations.settings(ctx.user.org_id)
    chosen = schedule_of(settings, connection_id, customer_id)
    return {"schedules": settings.schedules, "chosen_schedule": chosen.schedule_id if chosen else ""}


def _customer_action(ctx: Ctx, connection_id: str, customer_id: str, act: Callable[[str, str], str]) -> Response:
    from chalicelib.web import dashboard

    connection, customer_id = unquote(connection_id), unquote(customer_id)
    here = dashboard.customer_link(connection, customer_id)
    try:
        flash = act(connection, customer_id)
    except dashboard.InvalidInput as exc:
        data = dashboard.customer_page(ctx.user.org_id, connection, customer_id)
        problem = exc.explained(ctx.t)
        return page(
            ctx,
            "customer.html",
            400,
            page="customers",
            data=data,
            here=here,
            local_day=_day(ctx),
            failure=_failure(ctx),
            flash=problem,
            flash_kind="bad",
            **_schedule_choice(ctx, connection, customer_id),
        )
    return redirect(ctx, f"{here}?m={quote(flash)}")


@web.route("/customers/{connection_id}/{customer_id}/pause", methods=["POST"], content_types=FORM)
@handler(csrf=True)
def pause_customer(ctx: Ctx, connection_id: str, customer_id: str) -> Response:
    from chalicelib.web import dashboard

    def act(connection: str, customer_id: str) -> str:
        dashboard.pause_customer(ctx.user.org_id, connection, customer_id, ctx.field("until"))
        return "paused"

    return _customer_action(ctx, connection_id, customer_id, act)


@web.route("/customers/{connection_id}/{customer_id}/unpause", methods=["POST"], content_types=FORM)
@handler(csrf=True)
def unpause_customer(ctx: Ctx, connection_id: str, customer_id: str) -> Response:
    from chalicelib.web import dashboard

    def act(connection: str, customer_id: str) -> str:
        data = dashboard.customer_page(ctx.user.org_id, connection, customer_id)
        dashboard.unpause_customer(ctx.user.org_id, connection, customer_id, data.customer.phone)
        return "unpaused"

    return _customer_action(ctx, connection_id, customer_id, act)


@web.route("/customers/{connection_id}/{customer_id}/chase", methods=["POST"], content_types=FORM)
@handler(csrf=True)
def chase_now(ctx: Ctx, connection_id: str, customer_id: str) -> Response:
    from chalicelib.web import dashboard

    def act(connection: str, customer_id: str) -> str:
        result = dashboard.chase_now(ctx.user.org_id, connection, customer_id)
        return "chased" if result.mode == "inline" else "chase_queued"

    return _customer_action(ctx, connection_id, customer_id, act)


@web.route("/customers/{connection_id}/{customer_id}/schedule", methods=["POST"], content_types=FORM)
@handler(csrf=True)
def choose_schedule(ctx: Ctx, connection_id: str, customer_id: str) -> Response:
    """Which reminder schedule this customer follows (docs/dashboard.md "Schedules for groups of customers")."""
    from chalicelib.web import dashboard, schedule_editor

    def act(connection: str, customer_id: str) -> str:
        dashboard.customer_page(ctx.user.org_id, connection, customer_id)  # one of this organisation's customers
        schedule_editor.assign(ctx.user.org_id, connection, customer_id, ctx.field("schedule_id"))
        return "schedule"

    return _customer_action(ctx, connection_id, customer_id, act)
