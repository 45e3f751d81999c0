"""The owner's payment instructions (what customers see on the pay page of invoices with no online payment page)
and what customers said there ("I have paid"), for one organisation at a time.

Like `dashboard.py`, every function takes the organisation id of the verified session and touches nothing else.
Form problems raise `dashboard.InvalidInput` with an i18n key, so the page explains them in the owner's language.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP

from chalicelib import bootstrap
from chalicelib.domain.records import (
    MAX_BANK_ACCOUNTS,
    BankAccount,
    PaymentClaim,
    PaymentInstructions,
    QrisImage,
)
from chalicelib.web.dashboard import InvalidInput

MAX_QRIS_BYTES = 200 * 1024  # a QRIS PNG is a few KB to a few tens of KB; DynamoDB items stop at 400 KB
MAX_UPLOAD_BYTES = 1024 * 1024  # a larger body is refused before it is parsed
MAX_HOLD_DAYS = 30
_ACCOUNT_NUMBER = re.compile(r"[0-9][0-9 .-]{3,38}[0-9]")  # digits, grouped with spaces, dots or dashes
_TEXT_LIMITS = {"bank": 60, "holder": 100, "virtual_account": 300, "e_wallet": 300}
_IMAGE_TYPES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


def instructions(org_id: str) -> PaymentInstructions:
    return bootstrap.container().stores.payment_instructions.get(org_id)


def form_values(current: PaymentInstructions) -> dict[str, str]:
    """The settings form's fields filled from what is stored (on a refused form, the page shows the form as sent)."""
    values = {
        "virtual_account": current.virtual_account,
        "e_wallet": current.e_wallet,
        "claim_hold_days": str(current.claim_hold_days),
    }
    for index in range(1, MAX_BANK_ACCOUNTS + 1):
        account = current.bank_accounts[index - 1] if index <= len(current.bank_accounts) else None
        values[f"bank_{index}_name"] = account.bank if account else ""
        values[f"bank_{index}_number"] = account.account_number if account else ""
        values[f"bank_{index}_holder"] = account.holder if account else ""
    return values


def submitted_values(form: dict[str, list[str]]) -> dict[str, str]:
    return {name: (form.get(name) or [""])[0] for name in form_values(PaymentInstructions())}


def _clean(text: str, limit_key: str, field: str) -> str:
    cleaned = " ".join(text.split())
    if len(cleaned) > _TEXT_LIMITS[limit_key]:
        limit = _TEXT_LIMITS[limit_key]
        raise InvalidInput(f"{field} is too long", key="pay_too_long", field=field, value=cleaned[:40], limit=limit)
    return cleaned


def parse_instructions(form: dict[str, list[str]], current: PaymentInstructions) -> PaymentInstructions:
    """The payment settings form -> PaymentInstructions (the QRIS image is kept), or InvalidInput naming the problem."""
    values = submitted_values(form)
    accounts = []
    for index in range(1, MAX_BANK_ACCOUNTS + 1):
        bank = _clean(values[f"bank_{index}_name"], "bank", f"bank_{index}_name")
        number = " ".join(values[f"bank_{index}_number"].split())
        holder = _clean(values[f"bank_{index}_holder"], "holder", f"bank_{index}_holder")
        if not (bank or number or holder):
            continue
        if not (bank and number and holder):
            missing = next(
                f"bank_{index}_{n}" for n, v in (("name", bank), ("number", number), ("holder", holder)) if not v
            )
            raise InvalidInput(
                f"bank account {index} is incomplete", key="pay_bank_incomplete", field=missing, index=index
            )
        if not _ACCOUNT_NUMBER.fullmatch(number) or sum(c.isdigit() for c in number) < 5:
            raise InvalidInput(
                f"account number {index} is not valid",
                key="pay_account_number_invalid",
                field=f"bank_{index}_number",
                index=index,
            )
        accounts.append(BankAccount(bank=bank, account_number=number, holder=holder))
    hold = values["claim_hold_days"].strip()
    if not re.fullmatch(r"[0-9]{1,2}", hold) or not 1 <= int(hold) <= MAX_HOLD_DAYS:
        raise InvalidInput(
            "hold days out of range", key="pay_hold_days_invalid", field="claim_hold_days", limit=MAX_HOLD_DAYS
        )
    return PaymentInstructions(
        bank_accounts=tuple(accounts),
        virtual_account=_clean(values["virtual_account"], "virtual_account", "virtual_account"),
        e_wallet=_clean(values["e_wallet"], "e_wallet", "e_wallet"),
        claim_hold_days=int(hold),
        qris_type=current.qris_type,
    )


def save_instructions(org_id: str, form: dict[str, list[str]]) -> None:
    store = bootstrap.container().stores.payment_instructions
    store.save(org_id, parse_instructions(form, store.get(org_id)))


# -- the QRIS image: a multipart upload -------------------------------------------------------------------------------


class TooLarge(Exception):
    """An upload body over `MAX_UPLOAD_BYTES`: not parsed at all."""


@dataclass(frozen=True, slots=True)
class Upload:
    fields: dict[str, str]  # the text fields (the CSRF token)
    file: bytes | None  # the `qris` file's bytes, None when no file was chosen


def parse_upload(content_type: str, body: bytes) -> Upload:
    """A multipart/form-data body: its text fields and the `qris` file (the standard library's MIME parser)."""
    if len(body) > MAX_UPLOAD_BYTES:
        raise TooLarge
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    fields: dict[str, str] = {}
    file: bytes | None = None
    if isinstance(message, EmailMessage) and message.is_multipart():
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if not isinstance(name, str) or not isinstance(payload, bytes):
                continue
            if name == "qris" and part.get_filename():
                file = payload or None
            elif name not in fields:
                fields[name] = payload.decode("utf-8", "replace")
    return Upload(fields=fields, file=file)


def qris_image(data: bytes | None) -> QrisImage:
    """A PNG or JPEG of at most 200 KB, recognised by its first bytes (not by what the browser says it is)."""
    if not data:
        raise InvalidInput("choose an image", key="pay_qris_missing")
    if len(data) > MAX_QRIS_BYTES:
        raise InvalidInput("image too large", key="pay_qris_too_large", limit=MAX_QRIS_BYTES // 1024)
    for magic, content_type in _IMAGE_TYPES:
        if data.startswith(magic):
            return QrisImage(content_type=content_type, data=data)
    raise InvalidInput("not a PNG or JPEG", key="pay_qris_not_image")


def save_qris(org_id: str, data: bytes | None) -> None:
    bootstrap.container().stores.payment_instructions.set_qris(org_id, qris_image(data))


def remove_qris(org_id: str) -> None:
    bootstrap.container().stores.payment_instructions.remove_qris(org_id)


def qris_data_url(org_id: str) -> str:
    """The stored image as a data: URL for the settings page (no image route: nothing binary leaves the app)."""
    import base64

    image = bootstrap.container().stores.payment_instructions.qris(org_id)
    if image is None:
        return ""
    return f"data:{image.content_type};base64,{base64.b64encode(image.data).decode('ascii')}"


# -- what customers said on their pay pages ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimRow:
    claimed_at: dt.datetime
    numbers: tuple[str, ...]
    customers: tuple[str, ...]  # the customers' names as the latest decisions know them ("" when not known)
    amounts: tuple[tuple[str, str], ...]  # (amount, currency) as the reminder said


def said_paid(org_id: str, limit: int = 10) -> list[ClaimRow]:
    """The latest "I have paid" presses, newest first, with the customers' names from the decision log."""
    stores = bootstrap.container().stores
    claims = stores.payment_links.claims(org_id, limit)
    if not claims:
        return []
    names = {(v.connection_id, v.invoice_id): v.customer_name for v in stores.decisions.for_org(org_id)}
    return [_row(claim, names) for claim in claims]


def _row(claim: PaymentClaim, names: dict[tuple[str, str], str]) -> ClaimRow:
    customers = dict.fromkeys(names.get((i.connection_id, i.invoice_id), "") for i in claim.invoices)
    return ClaimRow(
        claimed_at=claim.claimed_at,
        numbers=tuple(i.number for i in claim.invoices),
        customers=tuple(c for c in customers if c),
        amounts=tuple((str(i.amount.amount), i.amount.currency) for i in claim.invoices if i.amount),
    )


def said_paid_by_invoice(org_id: str) -> dict[tuple[str, str], dt.datetime]:
    """(connection id, invoice number) -> when the customer last said they paid it, for the invoices page."""
    found: dict[tuple[str, str], dt.datetime] = {}
    for claim in bootstrap.container().stores.payment_links.claims(org_id, 100):
        for invoice in claim.invoices:
            found.setdefault((invoice.connection_id, invoice.number), claim.claimed_at)
    return found
