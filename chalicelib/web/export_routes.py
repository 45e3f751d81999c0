"""The owner's export of the organisation's data (docs/privacy.md "Export"): a page that says what is included and
how many items of each kind, then `/export.json` or `/export.zip` (a zip of CSVs).

Only the owner downloads (staff use the dashboard; the export holds every customer's number and every reply). The
file is written as the stores are read, into a spooled temporary file (memory up to `SPOOL_BYTES`, then disk), and
sent as an attachment; the export is recorded in the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO

from chalice.app import Response

from chalicelib.web.handler import Ctx, error_page, handler, page, respond, web

SPOOL_BYTES = 4 * 1024 * 1024


def _deps() -> object:
    from chalicelib import bootstrap

    return bootstrap.container().export


@web.route("/export", methods=["GET"])
@handler()
def export_page(ctx: Ctx) -> Response:
    from chalicelib.services.export import KINDS, counts

    if ctx.user.role != "owner":
        return error_page(ctx, "owner_only", 403)
    found = counts(ctx.user.org_id, _deps())  # type: ignore[arg-type]
    return page(ctx, "export.html", page="settings", counts=found, kinds=KINDS, total=sum(found.values()))


def _download(ctx: Ctx, write: Callable[..., object], filename: str, content_type: str) -> Response:
    import tempfile  # here, not at import: app.py's cold start

    if ctx.user.role != "owner":
        return error_page(ctx, "owner_only", 403)
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as out:
        write(ctx.user.org_id, out, ctx.user.email, _deps())
        body = _read(out)
    headers = {"Content-Type": content_type, "Content-Disposition": f'attachment; filename="{filename}"'}
    response = respond(ctx, "", 200, headers)
    # Text stays text; the zip goes as bytes (application/zip is one of Chalice's binary types: base64 to Lambda).
    response.body = body.decode("utf-8") if content_type.startswith("application/json") else body
    return response


def _read(out: IO[bytes]) -> bytes:
    out.seek(0)
    return out.read()


@web.route("/export.json", methods=["GET"])
@handler()
def export_json(ctx: Ctx) -> Response:
    from chalicelib.services.export import write_json

    return _download(ctx, write_json, "lunas-export.json", "application/json; charset=utf-8")


@web.route("/export.zip", methods=["GET"])
@handler()
def export_zip(ctx: Ctx) -> Response:
    from chalicelib.services.export import write_zip

    return _download(ctx, write_zip, "lunas-export.zip", "application/zip")
