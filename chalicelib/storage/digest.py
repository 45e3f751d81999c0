"""The owner's daily summary e-mail: its address and the Settings switch, two attributes of the organisation's
profile item (ORG#<org> / PROFILE; docs/dashboard.md "Notifications"). The once-a-day marker is a one-time claim
(storage/inbox.py `DynamoOneTimeClaims`, retention.CLAIM)."""

from __future__ import annotations

from chalicelib.domain.digest import DigestPreference
from chalicelib.domain.errors import LunasError
from chalicelib.storage.schema import OrganisationRecord, org_pk
from chalicelib.storage.writes import edit_versioned


def _profile(org_id: str) -> OrganisationRecord | None:
    try:
        return OrganisationRecord.get(org_pk(org_id), "PROFILE")
    except OrganisationRecord.DoesNotExist:
        return None


class DynamoDigestPreferences:
    def get(self, org_id: str) -> DigestPreference:
        record = _profile(org_id)
        if record is None:
            return DigestPreference(enabled=False)
        return DigestPreference(email=record.digest_email or "", enabled=not record.digest_off)

    def remember_owner(self, org_id: str, email: str) -> None:
        def change(record: OrganisationRecord) -> None:
            record.digest_email = email

        edit_versioned(
            lambda: record if (record := _profile(org_id)) is not None and not record.digest_email else None,
            change,
            gave_up=LunasError("the organisation kept changing; the summary address is kept next time"),
        )

    def set_enabled(self, org_id: str, enabled: bool) -> None:
        def change(record: OrganisationRecord) -> None:
            record.digest_off = None if enabled else True

        edit_versioned(
            lambda: _profile(org_id), change, gave_up=LunasError("the organisation kept changing; try again")
        )
