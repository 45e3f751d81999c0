"""People's and owners' data rights: a person's request by phone number, and deleting the organisation.

A person's request (UU PDP access, portability, erasure) starts from the number they give, read in the organisation's
country. `find_person` shows what is held, `export_person` gives it as JSON, `erase_person` deletes it: the number's
keyed hash is written first (so an erasure cut short still never messages them again), then every item about it.
The hash is what the reminder policy checks (chalicelib/domain/eligibility.py), so a customer the next sync brings
back from Xero or QuickBooks is still refused; the owner should remove the number there too (docs/privacy.md).

`delete_organisation` closes an account, in an order that is safe to run again after any interruption: revoke every
provider access (Xero, QuickBooks, Meta's webhook subscription), delete the data, then the sign-in accounts. The
organisation's profile and its members' memberships go last, so a retry still finds who is asking and the name to
confirm against.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.domain import notes
from chalicelib.domain.audit import CLI_OPERATOR, DELETION, ERASURE, EXPORT
from chalicelib.domain.errors import LunasError
from chalicelib.domain.masking import mask_phone
from chalicelib.domain.models import Connection, WhatsAppAccount
from chalicelib.domain.phones import normalise_phone
from chalicelib.domain.privacy import ErasureResult, PersonData
from chalicelib.observability import count, logger
from chalicelib.ports import (
    AuditLog,
    Clock,
    ConnectionRepository,
    ErasedPhones,
    OrganisationData,
    PersonalData,
    UserAccounts,
    WhatsAppSubscription,
)
from chalicelib.services.audit import note

EXPORT_FORMAT = "lunas-person-export/1"


class InvalidPhone(LunasError):
    """The number given is not a phone number Lunas could hold (`detail` says why)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True)
class PrivacyDependencies:
    clock: Clock
    data: PersonalData
    erased: ErasedPhones
    country_of: Callable[[str], str]  # the organisation's country: numbers without + are read in it
    audit: AuditLog | None = None  # exports and erasures go in the organisation's audit log


def person_phone(org_id: str, raw: str, deps: PrivacyDependencies) -> str:
    """The E.164 number a person gave, read as the organisation's own customers' numbers are."""
    result = normalise_phone(raw, deps.country_of(org_id))
    if result.e164 is None:
        raise InvalidPhone(result.detail or str(result.problem))
    return result.e164


def find_person(org_id: str, phone: str, deps: PrivacyDependencies) -> PersonData:
    """Everything the organisation holds about the number, per item kind (nothing is changed)."""
    e164 = person_phone(org_id, phone, deps)
    found = deps.data.find(org_id, e164)
    blocked = bool(deps.erased.erased(org_id, [e164]))
    return PersonData(org_id=org_id, phone=e164, kinds=found.kinds, blocked=blocked, opted_out=found.opted_out)


def export_person(org_id: str, phone: str, deps: PrivacyDependencies, *, who: str = CLI_OPERATOR) -> dict[str, Any]:
    """The person's data as one JSON-able document (what the dashboard's Download and the CLI's export give)."""
    person = find_person(org_id, phone, deps)
    what = f"Exported the data held about {mask_phone(person.phone)} ({person.total} items)"
    words = notes.note("audit_person_exported", phone=mask_phone(person.phone), items=str(person.total))
    note(deps.audit, org_id, EXPORT, who, what, at=deps.clock.now(), words=words)
    logger.info("person's data exported", extra={"phone": mask_phone(person.phone), "items": person.total})
    count("PersonExported")
    return {
        "format": EXPORT_FORMAT,
        "organisation": org_id,
        "phone": person.phone,
        "exported_at": deps.clock.now().isoformat(),
        "never_messaged_again": person.blocked,
        "items": person.total,
        "data": {
            kind.kind: {"description": kind.description, "count": kind.count, "items": [dict(i) for i in kind.items]}
            for kind in person.held
        },
    }


def erase_person(org_id: str, phone: str, deps: PrivacyDependencies, *, who: str = CLI_OPERATOR) -> ErasureResult:
    """Erase everything about the number, keeping only its keyed hash: an erasure request means "never message me
    again", whatever consent said. Safe to run again (a second run finds nothing more to delete)."""
    e164 = person_phone(org_id, phone, deps)
    deps.erased.remember(org_id, e164, deps.clock.now())  # first: an erasure cut short still blocks every message
    removed = deps.data.erase(org_id, e164)
    result = ErasureResult(org_id=org_id, masked_phone=mask_phone(e164), removed=removed)
    logger.info("person erased", extra={"phone": result.masked_phone, "items": result.total, "kinds": dict(removed)})
    what = f"Erased {result.masked_phone} at their request ({result.total} items; only the opt-out hash is kept)"
    words = notes.note("audit_person_erased", phone=result.masked_phone, items=str(result.total))
    note(deps.audit, org_id, ERASURE, who, what, at=deps.clock.now(), words=words)
    count("PersonErased")
    return result


# -- deleting the organisation -----------------------------------------------------------------------------------


class NameMismatch(LunasError):
    """The name typed to confirm is not the organisation's business name."""


@dataclass(frozen=True)
class DeletionDependencies:
    data: OrganisationData
    connections: ConnectionRepository
    disconnect: Callable[[str, str], bool]  # (org, connection id) -> revoked at the provider (services/connections.py)
    business_name_of: Callable[[str], str | None]  # None: the profile is already gone (a retry)
    whatsapp_of: Callable[[str], WhatsAppAccount | None]
    subscription: WhatsAppSubscription
    orgs_for_business_account: Callable[[str], list[str]]
    users: UserAccounts
    audit: AuditLog | None = None  # the start is recorded (the entry goes with everything else)
    clock: Clock | None = None


@dataclass(frozen=True)
class DeletionResult:
    org_id: str
    connections_revoked: int
    connections_not_revoked: int
    whatsapp_unsubscribed: bool | None  # None: no WhatsApp number was connected
    items_deleted: int
    users_deleted: int


_LAST = ("USER#",)  # memberships go last, with the profile: a retry still knows who is asking


def delete_organisation(
    org_id: str, typed_name: str, deps: DeletionDependencies, *, who: str = CLI_OPERATOR
) -> DeletionResult:
    """Delete the organisation confirmed by its business name typed exactly (surrounding spaces aside)."""
    name = deps.business_name_of(org_id)
    if name is not None and typed_name.strip() != name.strip():
        raise NameMismatch("the name typed is not the organisation's business name")
    if deps.clock is not None and name is not None:  # recorded before the data goes (and deleted with it)
        note(deps.audit, org_id, DELETION, who, "Started deleting the organisation", at=deps.clock.now())
    revoked, not_revoked = _revoke_connections(org_id, deps)
    unsubscribed, template_keys = _drop_whatsapp(org_id, deps)
    keys = sorted(set(deps.data.keys(org_id)) | set(template_keys))
    last = [k for k in keys if k[0].startswith(_LAST) or k == (f"ORG#{org_id}", "PROFILE")]
    members = sorted({pk.removeprefix("USER#") for pk, _ in last if pk.startswith("USER#")})
    deleted = deps.data.delete([k for k in keys if k not in last])
    for user_sub in members:
        deps.users.delete_user(user_sub)
    deleted += deps.data.delete(last)
    result = DeletionResult(org_id, revoked, not_revoked, unsubscribed, deleted, len(members))
    logger.info("organisation deleted", extra={"items": deleted, "users": len(members), "revoked": revoked})
    count("OrganisationDeleted")
    return result


def _revoke_connections(org_id: str, deps: DeletionDependencies) -> tuple[int, int]:
    """Every connection, whatever its status (a disconnected Xero one may still share a grant): the provider's
    access is dropped; one the provider did not confirm is still deleted here (its tokens with the data)."""
    revoked = failed = 0
    connections: Sequence[Connection] = deps.connections.for_org(org_id)
    for connection in connections:
        try:
            ok = deps.disconnect(org_id, connection.connection_id)
        except LunasError:
            ok = False
        revoked, failed = (revoked + 1, failed) if ok else (revoked, failed + 1)
    if failed:
        logger.warning("some provider access could not be revoked; the tokens are deleted anyway", extra={"n": failed})
    return revoked, failed


def _drop_whatsapp(org_id: str, deps: DeletionDependencies) -> tuple[bool | None, list[tuple[str, str]]]:
    """Unsubscribe our app from the WhatsApp Business Account, unless another organisation still uses it; the
    account's template states go too when no one else does."""
    try:
        account = deps.whatsapp_of(org_id)
    except LunasError:
        account = None
    if account is None or not account.business_account_id:
        return None, []
    waba = account.business_account_id
    others = [o for o in deps.orgs_for_business_account(waba) if o != org_id]
    if others:
        return True, []
    unsubscribed = deps.subscription.unsubscribe(business_account_id=waba, access_token=account.access_token)
    return unsubscribed, deps.data.partition(f"WABA#{waba}", "TEMPLATE#")
