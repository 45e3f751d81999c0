"""The WhatsApp template registry: Meta's latest status, category and quality per template (from its events)."""

from __future__ import annotations

import datetime as dt

from pynamodb.exceptions import UpdateError

from chalicelib.domain.templates import TemplateState
from chalicelib.storage.schema import TemplateStateRecord
from chalicelib.storage.writes import conditional_failed


class DynamoTemplateRegistry:
    """Per WhatsApp Business Account: what Meta's template events last said about each template."""

    def update(self, waba_id: str, name: str, language: str, *, group: str, values: dict[str, object], at: int) -> bool:
        """Set one group of fields (status / category / quality) unless a later event of that group already did."""
        return _update(waba_id, name, language, group=group, values=values, at=at)

    def states(self, waba_id: str) -> list[TemplateState]:
        """The registry of one WhatsApp Business Account."""
        return _states(waba_id)


def _update(waba_id: str, name: str, language: str, *, group: str, values: dict[str, object], at: int) -> bool:
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


def _states(waba_id: str) -> list[TemplateState]:
    records = TemplateStateRecord.query(f"WABA#{waba_id}", TemplateStateRecord.sk.startswith("TEMPLATE#"))
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
            status_at=dt.datetime.fromtimestamp(int(r.status_at), dt.UTC) if r.status_at else None,
        )
        for r in records
    ]
