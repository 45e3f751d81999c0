"""The organisation's data for its owner (UU PDP portability; docs/privacy.md "Export"): one JSON document, or a zip
of CSV files (customers.csv, consent.csv, messages.csv, replies.csv, audit.csv).

Both are written into a file object as the rows are read, one page of the store at a time
(`chalicelib.ports.OrganisationExport`), so the rows never all sit in memory as Python objects; the route hands the
file to the browser. Every export is recorded in the audit log, with its counts.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from chalicelib.domain import notes
from chalicelib.domain.audit import EXPORT
from chalicelib.ports import AuditLog, Clock, OrganisationExport
from chalicelib.services.audit import note

FORMAT = "lunas-organisation-export/1"
KINDS = ("customers", "consent", "messages", "replies", "audit")
COLUMNS: dict[str, tuple[str, ...]] = {
    "customers": ("connection_id", "customer_id", "source", "name", "phone", "phone_problem", "reminder_schedule"),
    "consent": (
        "phone",
        "current_status",
        "change",
        "status",
        "source",
        "evidence",
        "evidence_at",
        "captured_at",
        "recorded_by",
    ),
    "messages": (
        "date",
        "phone",
        "connection_id",
        "status",
        "state",
        "delivery",
        "delivery_at",
        "template",
        "language",
        "claimed_at",
        "sent_at",
        "error_code",
        "error_title",
        "reminders",
    ),
    "replies": ("received_at", "phone", "kind", "text", "intent", "action", "message_id"),
    "audit": ("at", "kind", "who", "what"),
}


@dataclass(frozen=True)
class ExportDependencies:
    clock: Clock
    data: OrganisationExport
    audit: AuditLog | None = None


def counts(org_id: str, deps: ExportDependencies) -> dict[str, int]:
    """How many items of each kind an export will hold (the export page shows them before the download)."""
    found = deps.data.counts(org_id)
    return {kind: int(found.get(kind, 0)) for kind in KINDS}


def write_json(org_id: str, out: IO[bytes], who: str, deps: ExportDependencies) -> dict[str, int]:
    """The whole organisation as one JSON document, written piece by piece; returns the counts written."""
    written = dict.fromkeys(KINDS, 0)
    head = {"format": FORMAT, "organisation": org_id, "exported_at": deps.clock.now().isoformat()}
    out.write(json.dumps(head, ensure_ascii=False)[:-1].encode())
    for kind in KINDS:
        out.write(f', "{kind}": ['.encode())
        for n, row in enumerate(deps.data.rows(org_id, kind)):
            out.write((", " if n else "").encode() + json.dumps(row, ensure_ascii=False).encode())
            written[kind] += 1
        out.write(b"]")
    out.write(b"}\n")
    _noted("JSON", org_id, who, written, deps)
    return written


def write_zip(org_id: str, out: IO[bytes], who: str, deps: ExportDependencies) -> dict[str, int]:
    """A zip of one CSV per kind (UTF-8 with a byte-order mark, so spreadsheets read Indonesian names right)."""
    written = dict.fromkeys(KINDS, 0)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for kind in KINDS:
            with archive.open(f"{kind}.csv", "w") as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                writer = csv.DictWriter(text, fieldnames=COLUMNS[kind], extrasaction="ignore")
                writer.writeheader()
                for row in _csv_rows(kind, deps.data.rows(org_id, kind)):
                    writer.writerow(row)
                    written[kind] += 1
                text.flush()
                text.detach()
    _noted("CSV (zip)", org_id, who, written, deps)
    return written


def _csv_rows(kind: str, rows: Iterable[dict[str, object]]) -> Iterator[dict[str, object]]:
    """Rows as the CSV writes them: a consent becomes one row per change (its history), lists become `;`-joined."""
    for row in rows:
        if kind == "consent":
            yield from _consent_changes(row)
        elif kind == "messages":
            reminders = row.get("reminders")
            yield {**row, "reminders": ";".join(str(r) for r in reminders) if isinstance(reminders, list) else ""}
        else:
            yield row


def _consent_changes(row: dict[str, object]) -> Iterator[dict[str, object]]:
    history = row.get("history")
    changes = history if isinstance(history, list) and history else [row]
    for n, change in enumerate(changes, start=1):
        values = change if isinstance(change, dict) else {}
        yield {
            "phone": row.get("phone", ""),
            "current_status": row.get("status", ""),
            "change": n,
            **{k: values.get(k) or "" for k in COLUMNS["consent"][3:]},
        }


def _noted(form: str, org_id: str, who: str, written: dict[str, int], deps: ExportDependencies) -> None:
    what = f"Exported the organisation's data as {form}: " + ", ".join(f"{n} {kind}" for kind, n in written.items())
    words = notes.note("audit_org_exported", form=form, items=str(sum(written.values())))
    note(deps.audit, org_id, EXPORT, who, what, at=deps.clock.now(), words=words)
