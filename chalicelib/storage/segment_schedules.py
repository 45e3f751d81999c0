"""Which named reminder schedule each customer follows: one small item per customer who does not follow the default,
in the organisation's own partition (`ORG#<org> / SCHEDULEFOR#<conn>#<customer>`), so it goes with the organisation.

The named schedules themselves live on the organisation's profile (`organisations.py`), where adding one is checked
against the limit in the same versioned write.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import MapAttribute
from pynamodb.exceptions import DeleteError

from chalicelib.storage.schema import ScheduleAssignmentRecord, org_pk
from chalicelib.storage.writes import conditional_failed

_PREFIX = "SCHEDULEFOR#"


def _sk(connection_id: str, customer_id: str) -> str:
    return f"{_PREFIX}{connection_id}#{customer_id}"


def assignments(org_id: str) -> dict[tuple[str, str], str]:
    """(connection_id, customer_id) -> schedule id, for every customer of this organisation who has one."""
    records = ScheduleAssignmentRecord.query(org_pk(org_id), ScheduleAssignmentRecord.sk.startswith(_PREFIX))
    return {(r.connection_id, r.customer_id): r.schedule_id for r in records}


def assign(org_id: str, connection_id: str, customer_id: str, schedule_id: str | None) -> None:
    """The customer follows `schedule_id` from now on; None: back to the default (the item is removed)."""
    record = ScheduleAssignmentRecord(
        org_pk(org_id),
        _sk(connection_id, customer_id),
        connection_id=connection_id,
        customer_id=customer_id,
        schedule_id=schedule_id or "",
    )
    if schedule_id:
        record.save()
    else:
        record.delete()  # nothing to delete is fine


def unassign_all(org_id: str, schedule_id: str) -> int:
    """Every customer of a deleted schedule back to the default; returns how many."""
    moved = 0
    records = ScheduleAssignmentRecord.query(org_pk(org_id), ScheduleAssignmentRecord.sk.startswith(_PREFIX))
    for record in records:
        if record.schedule_id != schedule_id:
            continue
        try:
            record.delete(condition=ScheduleAssignmentRecord.schedule_id == schedule_id)
        except DeleteError as exc:
            if not conditional_failed(exc):
                raise
            continue  # the owner moved this customer to another schedule meanwhile: theirs stays
        moved += 1
    return moved


def schedule_names(org_id: str) -> dict[tuple[str, str], str]:
    """(connection_id, customer_id) -> the name of the named schedule the customer follows (the owner's export)."""
    from chalicelib.storage.schema import OrganisationRecord

    try:
        profile = OrganisationRecord.get(org_pk(org_id), "PROFILE", attributes_to_get=["schedules"])
    except OrganisationRecord.DoesNotExist:
        return {}
    names = {str(item["id"]): str(item["name"]) for item in map(plain_map, profile.schedules or ())}
    if not names:
        return {}
    return {key: names[chosen] for key, chosen in assignments(org_id).items() if chosen in names}


def plain_map(item: Any) -> dict[str, Any]:
    """A stored map as a dict (pynamodb gives a MapAttribute, or a dict when it is read raw)."""
    return dict(item.as_dict()) if isinstance(item, MapAttribute) else dict(item)
