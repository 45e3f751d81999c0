"""The template lifecycle: push Lunas' templates to a business's WhatsApp account, and read their status back.

`push_templates` creates every definition (one per name and language) in the account's WhatsApp Business Account;
Meta answers PENDING and reviews it, then posts `message_template_status_update` (APPROVED, REJECTED with a reason,
later PAUSED / DISABLED), which the webhook worker writes to the template registry. `sync_templates` reads Meta's
current list and writes it to the same registry: a sync is a read of the state at a time, so it wins over older
events and loses to later ones (the registry's "later event wins" rule).

Both are called by the `lunas templates` command (cli.py) and, through `Container.push_templates(org_id)`, right
after a number is onboarded. `template_rows` is what the command lists and the dashboard shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from chalicelib.domain.models import WhatsAppAccount
from chalicelib.domain.template_lifecycle import (
    ListedTemplate,
    PushOutcome,
    TemplateDefinition,
    TemplateRow,
    content_of,
)
from chalicelib.domain.templates import TemplateState
from chalicelib.observability import logger
from chalicelib.ports import Clock, TemplateManagement, TemplateRegistry

_SENDABLE = frozenset({"APPROVED", "REINSTATED", "UNARCHIVED"})


def push_templates(
    org_id: str,
    account: WhatsAppAccount,
    *,
    definitions: Sequence[TemplateDefinition],
    manager: TemplateManagement,
    registry: TemplateRegistry,
    clock: Clock,
) -> list[PushOutcome]:
    """Create each definition in the account's WhatsApp Business Account; one outcome per name and language.

    A template that already exists with the same words is reported ("exists"), not an error; one whose words changed
    since (templates/whatsapp was edited) is sent to Meta as an edit ("edited"), so customers never get a message
    the code fills with parameters the approved template lacks. A created or edited one is PENDING in the registry
    at once, so the owner sees "waiting for Meta" before Meta's review event arrives.
    """
    outcomes = []
    waba_id = account.business_account_id
    at_meta: dict[tuple[str, str], ListedTemplate] | None = None
    for definition in definitions:
        outcome = manager.create(definition)
        if outcome.outcome == "exists":
            if at_meta is None:  # one list for the whole push, only when something already exists
                at_meta = {(t.name, t.language): t for t in manager.listed()}
            outcome = _edit_if_changed(
                manager, definition, at_meta.get((definition.name, definition.language)), outcome
            )
        outcomes.append(outcome)
        if outcome.outcome in ("created", "edited"):
            at = int(clock.now().timestamp())
            status: dict[str, object] = {
                "status": outcome.status or "PENDING",
                "status_reason": "",
                "template_id": outcome.template_id,
            }
            registry.update(waba_id, outcome.name, outcome.language, group="status", values=status, at=at)
            if outcome.category:
                category: dict[str, object] = {"category": outcome.category}
                registry.update(waba_id, outcome.name, outcome.language, group="category", values=category, at=at)
    logger.info(
        "templates pushed",
        extra={
            "org_id": org_id,
            **{
                f"templates_{k}": sum(o.outcome == k for o in outcomes)
                for k in ("created", "edited", "exists", "refused")
            },
        },
    )
    return outcomes


def _edit_if_changed(
    manager: TemplateManagement, definition: TemplateDefinition, listed: ListedTemplate | None, exists: PushOutcome
) -> PushOutcome:
    if listed is None or not listed.template_id or not listed.content:
        return exists  # Meta did not list it with its words: nothing to compare
    if listed.content == content_of(definition.body.get("components")):
        return exists
    return manager.edit(listed.template_id, definition)


def sync_templates(
    org_id: str,
    account: WhatsAppAccount,
    *,
    manager: TemplateManagement,
    registry: TemplateRegistry,
    clock: Clock,
) -> list[ListedTemplate]:
    """Store Meta's current status and category of every template of the account; returns what Meta listed."""
    listed = manager.listed()
    at = int(clock.now().timestamp())
    waba_id = account.business_account_id
    for row in listed:
        # A rejection's reason comes with the list; a PAUSED template's reason only with its event: keep that one.
        reason: str | None = row.rejected_reason or ("" if row.status in _SENDABLE else None)
        status: dict[str, object] = {"status": row.status or None, "status_reason": reason}
        if row.template_id:
            status["template_id"] = row.template_id
        registry.update(waba_id, row.name, row.language, group="status", values=status, at=at)
        if row.category:
            registry.update(waba_id, row.name, row.language, group="category", values={"category": row.category}, at=at)
    logger.info("templates synced", extra={"org_id": org_id, "templates": len(listed)})
    return listed


def template_rows(states: Iterable[TemplateState], names: Iterable[tuple[str, str]] = ()) -> list[TemplateRow]:
    """The registry as rows, sorted; each (name, language) of `names` appears even when Meta said nothing yet."""
    rows = {
        (s.name, s.language): TemplateRow(
            name=s.name,
            language=s.language,
            status=s.status,
            category=s.category,
            reason=s.status_reason,
            changed_at=s.status_at,
        )
        for s in states
    }
    for name, language in names:
        rows.setdefault(
            (name, language),
            TemplateRow(name=name, language=language, status=None, category=None, reason="", changed_at=None),
        )
    return [rows[k] for k in sorted(rows)]
