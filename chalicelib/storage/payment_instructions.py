"""How customers pay the business outside the accounting system: the owner's bank accounts, virtual account,
e-wallet and QRIS image (`ORG#<org> / PAYINFO`, the image in `ORG#<org> / PAYINFO#QRIS`)."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import MapAttribute

from chalicelib.domain.records import DEFAULT_CLAIM_HOLD_DAYS, BankAccount, PaymentInstructions, QrisImage
from chalicelib.storage.schema import PaymentInstructionsRecord, QrisImageRecord, org_pk

_INFO = "PAYINFO"
_QRIS = "PAYINFO#QRIS"


class DynamoPaymentInstructions:
    def get(self, org_id: str) -> PaymentInstructions:
        try:
            record = PaymentInstructionsRecord.get(org_pk(org_id), _INFO)
        except PaymentInstructionsRecord.DoesNotExist:
            return PaymentInstructions()
        hold = record.claim_hold_days
        return PaymentInstructions(
            bank_accounts=tuple(_account(_plain(item)) for item in record.bank_accounts),
            virtual_account=record.virtual_account or "",
            e_wallet=record.e_wallet or "",
            claim_hold_days=int(hold) if hold is not None else DEFAULT_CLAIM_HOLD_DAYS,
            qris_type=record.qris_type or "",
        )

    def save(self, org_id: str, instructions: PaymentInstructions) -> None:
        """An update, not a put: the QRIS type written with the image stays."""
        record = PaymentInstructionsRecord(org_pk(org_id), _INFO)
        accounts: list[MapAttribute[str, Any]] = [
            MapAttribute(bank=a.bank, account_number=a.account_number, holder=a.holder)
            for a in instructions.bank_accounts
        ]
        record.update(
            actions=[
                PaymentInstructionsRecord.bank_accounts.set(accounts),
                PaymentInstructionsRecord.virtual_account.set(instructions.virtual_account),
                PaymentInstructionsRecord.e_wallet.set(instructions.e_wallet),
                PaymentInstructionsRecord.claim_hold_days.set(instructions.claim_hold_days),
            ]
        )

    def set_qris(self, org_id: str, image: QrisImage) -> None:
        """The image first, then its type on the instructions: a page never points at an image that is not there."""
        QrisImageRecord(org_pk(org_id), _QRIS, content_type=image.content_type, image=image.data).save()
        PaymentInstructionsRecord(org_pk(org_id), _INFO).update(
            actions=[PaymentInstructionsRecord.qris_type.set(image.content_type)]
        )

    def remove_qris(self, org_id: str) -> None:
        PaymentInstructionsRecord(org_pk(org_id), _INFO).update(actions=[PaymentInstructionsRecord.qris_type.remove()])
        QrisImageRecord(org_pk(org_id), _QRIS).delete()

    def qris(self, org_id: str) -> QrisImage | None:
        try:
            record = QrisImageRecord.get(org_pk(org_id), _QRIS)
        except QrisImageRecord.DoesNotExist:
            return None
        return QrisImage(content_type=record.content_type, data=bytes(record.image))


def _plain(item: Any) -> dict[str, Any]:
    return dict(item.as_dict()) if isinstance(item, MapAttribute) else dict(item)


def _account(item: dict[str, Any]) -> BankAccount:
    return BankAccount(
        bank=str(item.get("bank") or ""),
        account_number=str(item.get("account_number") or ""),
        holder=str(item.get("holder") or ""),
    )
