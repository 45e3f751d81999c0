"""Meta's template management API over httpx: create templates in a WhatsApp Business Account and list them.

`WhatsAppTemplateManager` is `chalicelib.ports.TemplateManagement`:

- `create` posts one definition to `POST /{waba-id}/message_templates` exactly as Meta documents the body (`name`,
  `language`, `category`, `parameter_format`, `components`); Meta answers `{"id","status":"PENDING","category"}`.
  A template that already exists in that language (Graph error 100, subcode 2388024 "Content in This Language
  Already Exists") is an outcome, not an error.
  https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/overview
  https://developers.facebook.com/docs/graph-api/reference/whats-app-business-account/message_templates/
- `listed` pages through `GET /{waba-id}/message_templates?fields=...` with Graph cursor paging (`after` until no
  `paging.next`). https://developers.facebook.com/docs/graph-api/results
- `edit` posts a changed definition's `components` to `POST /{template-id}` ("edit a template": only an APPROVED,
  REJECTED or PAUSED one; an approved one once a day and 10 times in 30 days; Meta reviews it again, PENDING).
  https://developers.facebook.com/docs/whatsapp/business-management-api/message-templates/

Other Graph errors leave as `TemplateCatalogError` (token refused, Meta busy): one template failing does not stop
the others. Only httpx is imported (not pywa), so the dashboard and the CLI can use it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

from chalicelib.adapters import http
from chalicelib.domain.errors import LunasError
from chalicelib.domain.template_lifecycle import (
    ListedTemplate,
    PushOutcome,
    TemplateDefinition,
    content_of,
    rejected_reason,
)

logger = logging.getLogger(__name__)


def _templates_dir() -> Path:
    """templates/whatsapp of this checkout; in Lambda, the same files from the layer: vendor/lunas_templates is a
    link to templates/, and Chalice puts vendor/ (links followed) on the function's path."""
    checkout = Path(__file__).resolve().parents[2] / "templates" / "whatsapp"
    if checkout.is_dir():
        return checkout
    import importlib.util

    spec = importlib.util.find_spec("lunas_templates")
    for location in (spec.submodule_search_locations or []) if spec else []:
        if (Path(location) / "whatsapp").is_dir():
            return Path(location) / "whatsapp"
    return checkout


TEMPLATES_DIR = _templates_dir()
TEMPLATE_HOST = "https://lunas.example"
LIST_FIELDS = "id,name,language,status,category,rejected_reason,components"
CREATE_KEYS = ("name", "language", "category", "parameter_format", "components")
ALREADY_EXISTS_SUBCODE = 2388024  # "Content in This Language Already Exists"
_RETRYABLE = frozenset({1, 2, 4, 17, 32, 341, 613, 80007, 131000, 131016})


class TemplateManagementError(LunasError):
    """Meta did not answer a template request usefully (token, permissions, Meta busy)."""

    def __init__(self, message: str, *, code: int | None, retryable: bool) -> None:
        super().__init__(message)
        self.code = code
        self.retryable = retryable


class WhatsAppTemplateManager:
    """One WhatsApp Business Account's templates, with that account's token (one pooled client)."""

    def __init__(
        self,
        *,
        waba_id: str,
        access_token: str,
        graph_base_url: str,
        api_version: str,
        timeout_seconds: float = 10.0,
        page_size: int = 100,
        max_pages: int = 50,
    ) -> None:
        self._waba_id = waba_id
        self._page_size = page_size
        self._max_pages = max_pages
        self._http = http.graph_client(graph_base_url, api_version, timeout=timeout_seconds, access_token=access_token)

    def close(self) -> None:
        self._http.close()

    def create(self, definition: TemplateDefinition) -> PushOutcome:
        body = {k: definition.body[k] for k in CREATE_KEYS if k in definition.body}
        name, language = definition.name, definition.language
        try:
            response = self._http.post(f"/{self._waba_id}/message_templates", json=body)
        except httpx.TransportError as exc:
            return PushOutcome(name=name, language=language, outcome="refused", detail=type(exc).__name__)
        answer = _json(response)
        if response.status_code < 400 and answer.get("id"):
            logger.info("template created at meta", extra={"template": name, "language": language})
            return PushOutcome(
                name=name,
                language=language,
                outcome="created",
                status=str(answer.get("status") or "PENDING").upper(),
                category=str(answer.get("category") or body.get("category") or "").upper(),
                template_id=str(answer["id"]),
            )
        error = _mapping(answer.get("error"))
        if error.get("error_subcode") == ALREADY_EXISTS_SUBCODE:
            return PushOutcome(name=name, language=language, outcome="exists", detail=_words(error))
        if error.get("code") in (190, 102):
            raise TemplateManagementError(_words(error), code=int(error["code"]), retryable=False)
        return PushOutcome(name=name, language=language, outcome="refused", detail=_words(error, response))

    def edit(self, template_id: str, definition: TemplateDefinition) -> PushOutcome:
        """Send a changed definition's components for review; the outcome is "edited" (PENDING) or "refused"."""
        name, language = definition.name, definition.language
        try:
            response = self._http.post(f"/{template_id}", json={"components": definition.body.get("components")})
        except httpx.TransportError as exc:
            return PushOutcome(name=name, language=language, outcome="refused", detail=type(exc).__name__)
        answer = _json(response)
        if response.status_code < 400 and answer.get("success"):
            logger.info("template edited at meta", extra={"template": name, "language": language})
            return PushOutcome(
                name=name, language=language, outcome="edited", status="PENDING", template_id=template_id
            )
        error = _mapping(answer.get("error"))
        if error.get("code") in (190, 102):
            raise TemplateManagementError(_words(error), code=int(error["code"]), retryable=False)
        return PushOutcome(name=name, language=language, outcome="refused", detail=_words(error, response))

    def listed(self) -> list[ListedTemplate]:
        rows: list[ListedTemplate] = []
        params: dict[str, str | int] = {"fields": LIST_FIELDS, "limit": self._page_size}
        seen: set[str] = set()
        for _ in range(self._max_pages):
            page = self._get(params)
            rows += [_listed(r) for r in page.get("data") or [] if isinstance(r, dict) and r.get("name")]
            paging = _mapping(page.get("paging"))
            after = _mapping(paging.get("cursors")).get("after")
            if not paging.get("next") or not isinstance(after, str) or not after or after in seen:
                return rows
            seen.add(after)
            params = {**params, "after": after}
        raise TemplateManagementError(f"more than {self._max_pages} pages of templates", code=None, retryable=False)

    def _get(self, params: Mapping[str, str | int]) -> dict[str, Any]:
        try:
            response = self._http.get(f"/{self._waba_id}/message_templates", params=dict(params))
        except httpx.TransportError as exc:
            raise TemplateManagementError(f"no answer ({type(exc).__name__})", code=None, retryable=True) from exc
        body = _json(response)
        if response.status_code >= 400 or "data" not in body:
            error = _mapping(body.get("error"))
            code = error.get("code")
            raise TemplateManagementError(
                f"template list failed (HTTP {response.status_code}): {_words(error, response)}",
                code=code if isinstance(code, int) else None,
                retryable=response.status_code >= 500 or code in _RETRYABLE,
            )
        return body


def load_definitions(directory: Path = TEMPLATES_DIR, public_base_url: str = "") -> list[TemplateDefinition]:
    """The create-template bodies of `templates/whatsapp/*.json`, the pay button pointing at our public host.

    The files name the placeholder host `https://lunas.example`; Meta must be given the host that serves
    `/pay/<code>` (templates/README.md).
    """
    definitions = []
    for path in sorted(directory.glob("*.json")):
        text = path.read_text(encoding="utf-8")
        if public_base_url:
            text = text.replace(TEMPLATE_HOST, public_base_url.rstrip("/"))
        definitions.append(TemplateDefinition(json.loads(text)))
    return definitions


def _listed(row: dict[str, Any]) -> ListedTemplate:
    return ListedTemplate(
        name=str(row["name"]),
        language=str(row.get("language") or ""),
        status=str(row.get("status") or "").upper(),
        category=str(row.get("category") or "").upper(),
        template_id=str(row.get("id") or ""),
        rejected_reason=rejected_reason(row.get("rejected_reason")),
        content=content_of(row["components"]) if "components" in row else "",
    )


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _words(error: Mapping[str, Any], response: httpx.Response | None = None) -> str:
    """Meta's own explanation: the user-facing message when there is one, else the error message."""
    parts = [str(error[k]) for k in ("error_user_title", "error_user_msg") if error.get(k)]
    if not parts and error.get("message"):
        parts.append(str(error["message"]))
    if not parts and response is not None:
        parts.append(f"HTTP {response.status_code}")
    return ": ".join(parts)
