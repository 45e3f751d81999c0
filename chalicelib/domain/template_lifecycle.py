"""A template's life at Meta: pushed (created, PENDING), reviewed (APPROVED / REJECTED), later PAUSED or DISABLED.

`TemplateDefinition` is one file of `templates/whatsapp/` (exactly the body of Meta's create-template request),
`PushOutcome` what Meta answered to it, `ListedTemplate` one row of Meta's template list (what a sync stores). The
owner never sees `lunas_invoice_pre_due`: `OWNER_NAMES` gives each template the i18n key of its plain name, and
`owner_status` says which plain-words status (and what to do) the dashboard shows.
https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/overview
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

# The template's name as the owner understands it (an i18n key of chalicelib/web/i18n.py).
OWNER_NAMES = {
    "lunas_invoice_pre_due": "tpl_name_pre_due",
    "lunas_invoice_due_today": "tpl_name_due_today",
    "lunas_invoice_overdue": "tpl_name_overdue",
    "lunas_invoice_statement": "tpl_name_statement",
    "lunas_payment_thanks": "tpl_name_payment_thanks",  # the thank-you after payment (domain/thanks.py)
}

# Meta's statuses -> what the owner reads (i18n key suffix) and how it looks (pill class).
_OWNER_STATUS = {
    "APPROVED": ("approved", "ok"),
    "REINSTATED": ("approved", "ok"),
    "UNARCHIVED": ("approved", "ok"),
    "FLAGGED": ("flagged", "warn"),
    "PENDING": ("pending", "warn"),
    "IN_APPEAL": ("pending", "warn"),
    "REJECTED": ("rejected", "bad"),
    "PAUSED": ("paused", "bad"),
    "DISABLED": ("disabled", "bad"),
}


@dataclass(frozen=True, slots=True)
class TemplateDefinition:
    """One create-template body: `name`, `language`, `category`, `parameter_format`, `components`."""

    body: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.body.get("name", ""))

    @property
    def language(self) -> str:
        return str(self.body.get("language", ""))


@dataclass(frozen=True, slots=True, kw_only=True)
class PushOutcome:
    """What Meta answered to one create-template request."""

    name: str
    language: str
    outcome: str  # "created" | "exists" (already there, same words) | "edited" (new words sent for review) | "refused"
    status: str = ""  # "PENDING" for a created one
    category: str = ""
    template_id: str = ""
    detail: str = ""  # Meta's words when refused


@dataclass(frozen=True, slots=True, kw_only=True)
class ListedTemplate:
    """One row of `GET /{waba-id}/message_templates`."""

    name: str
    language: str
    status: str
    category: str
    template_id: str = ""
    rejected_reason: str = ""  # Meta's `rejected_reason`; "NONE" is kept as ""
    content: str = ""  # what the customer reads (`content_of` its components); "" when the list did not say


@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateRow:
    """One template in one language as the owner sees it (dashboard) and the operator lists it (CLI)."""

    name: str
    language: str
    status: str | None
    category: str | None
    reason: str
    changed_at: dt.datetime | None


def owner_status(status: str | None) -> tuple[str, str]:
    """(i18n key suffix, pill class) of a Meta status; an unknown or missing status reads "not submitted yet"."""
    if status is None:
        return "missing", "warn"
    return _OWNER_STATUS.get(status.upper(), ("other", "warn"))


def rejected_reason(value: Any) -> str:
    """Meta's `rejected_reason` list field, "" for none."""
    text = str(value or "").strip()
    return "" if text.upper() == "NONE" else text


def content_of(components: Any) -> str:
    """What a customer reads in a template, comparable between our definition and Meta's list: each component's
    type and text, and each button's type, label and URL. Meta's list may add fields (ids, examples in its own
    shape), so only these are compared; a difference means the definition changed and the template needs an edit."""
    parts: list[Any] = []
    for component in components if isinstance(components, list) else []:
        if not isinstance(component, dict):
            continue
        buttons = [
            [str(b.get("type", "")).upper(), str(b.get("text", "")), str(b.get("url", ""))]
            for b in component.get("buttons") or []
            if isinstance(b, dict)
        ]
        parts.append([str(component.get("type", "")).upper(), str(component.get("text", "")), buttons])
    return json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
