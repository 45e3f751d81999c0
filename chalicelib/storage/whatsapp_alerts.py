"""WhatsApp problems the owner must fix, per organisation: the account blocked, or a template stopped.

An account alert stops every send of the organisation (chalicelib/services/reminders.py reads it before sending)
until the owner fixes the cause and saves the WhatsApp number again (`DynamoOrganisationRepository.set_whatsapp`
calls `clear_account_block`). A template alert is cleared by that template's next successful send. The dashboard
shows each as a banner that says what to do.
"""

from __future__ import annotations

from chalicelib.domain.meta_errors import AlertKind, WhatsAppAlert
from chalicelib.storage.schema import WhatsAppAlertRecord, org_pk

_PREFIX = "WAALERT#"


class DynamoWhatsAppAlerts:
    """`chalicelib.ports.WhatsAppAlerts` on the one table (`ORG#<org>` / `WAALERT#<key>`)."""

    def raise_alert(self, org_id: str, alert: WhatsAppAlert) -> None:
        WhatsAppAlertRecord(
            org_pk(org_id),
            _PREFIX + alert.key,
            kind=alert.kind.value,
            code=alert.code,
            reason=alert.reason,
            at=alert.at,
            template=alert.template,
        ).save()

    def alerts(self, org_id: str) -> list[WhatsAppAlert]:
        """The organisation's open alerts, the account's first (one query, never another organisation's)."""
        records = WhatsAppAlertRecord.query(org_pk(org_id), WhatsAppAlertRecord.sk.startswith(_PREFIX))
        return [
            WhatsAppAlert(
                kind=AlertKind(r.kind),
                code=int(r.code) if r.code is not None else None,
                reason=r.reason,
                at=r.at,
                template=r.template,
            )
            for r in records
        ]

    def clear(self, org_id: str, key: str) -> None:
        WhatsAppAlertRecord(org_pk(org_id), _PREFIX + key).delete()


def clear_account_block(org_id: str) -> None:
    """The owner saved (reconnected) the WhatsApp number: sending may be tried again."""
    WhatsAppAlertRecord(org_pk(org_id), _PREFIX + "ACCOUNT").delete()
