"""The public privacy notice (`/privacy`, no sign-in): what Lunas holds, why, for how long, who processes it, where,
and the rights UU PDP (Law No. 27 of 2022) gives the people it is about. How long comes from the retention rules
the storage applies (chalicelib/domain/retention.py), so the notice never claims what the code does not do."""

from __future__ import annotations

import os

from chalice.app import Response

from chalicelib.web.handler import Ctx, handler, page, web


@web.route("/privacy", methods=["GET"])
@handler(signed_in=False)
def privacy_notice(ctx: Ctx) -> Response:
    from chalicelib.domain import retention  # here, not at import: every Lambda imports the routes

    rows = [
        (row, retention.describe(retention.longest(rules), ctx.lang)) for row, rules in retention.NOTICE_ROWS.items()
    ]
    return page(
        ctx,
        "privacy.html",
        page="privacy",
        rows=rows,
        log_days=retention.LOG_RETENTION_DAYS,
        region=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "ap-southeast-3",
        contact=os.environ.get("LUNAS_PRIVACY_CONTACT", ""),
    )
