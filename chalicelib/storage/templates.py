"""The WhatsApp template registry: Meta's latest status, category and quality per template (from its events)."""

from __future__ import annotations

import datetime as dt

from pynamodb.exceptions import UpdateError

from chalicelib.domain.templates import TemplateState
from chalicelib.storage.schema import TemplateStateRecord
from chalicelib.storage.writes import conditional_failed


def update_template_state(
    waba_id: str, name: str, language: str, *, group: str, values: dict[str, object], at: int
) -> bool:
    """Set one group of fields (status / category / quality) unless a later event of that group already did."""
    item = TemplateStateRecord(f"WABA#{waba_id}", f"TEMPLATE#{name}#{language}")
    stamp = getattr(TemplateStateRecord, f"{group}_at")
    actions = [getattr(TemplateStateRecord, k).set(v) for k, v in values.items() if v is not None]
    actions.append(stamp.set(at))
    try:
        item.update(actions=actions, condition=stamp.does_not_exist() | (stamp <= at))
    except UpdateError as exc:
        if conditional_failed(exc):
            return False
        raise
    return True


def template_states(waba_id: str) -> list[TemplateStateRecord]:
    return list(TemplateStateRecord.query(f"WABA#{waba_id}", TemplateStateRecord.sk.startswith("TEMPLATE#")))


def registry_states(waba_id: str) -> list[TemplateState]:
    """The template registry of one WhatsApp Business Account, as `templates.TemplateState`s."""
    return [
        TemplateState(
            name=r.sk.removeprefix("TEMPLATE#").rsplit("#", 1)[0],
            language=r.sk.rsplit("#", 1)[1],
            status=r.status,
            status_reason=r.status_reason,
            category=r.category,
            pending_category=r.pending_category or None,
            pending_category_from=(
                dt.datetime.fromtimestamp(int(r.pending_category_from), dt.UTC) if r.pending_category_from else None
            ),
            quality=r.quality,
        )
        for r in template_states(waba_id)
    ]
