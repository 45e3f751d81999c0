"""DynamoDB storage behind sign-in, the OAuth connect flows, token-refresh leases and the owner's dashboard.

Same single table as `dynamo_models.py`. Items added here:

| item            | pk / sk                                   | what it holds                                       |
|-----------------|-------------------------------------------|-----------------------------------------------------|
| membership      | USER#<cognito sub> / MEMBERSHIP           | the user's organisation and role, sign-out instant  |
| OAuth state     | OAUTHSTATE#<sha256(state)> / STATE        | who started a connect flow, PKCE verifier, TTL      |
| refresh lease   | ORG#<org_id> / LEASE#<key>                | who is refreshing a token family, until when        |

Memberships and OAuth states are keyed by user and state (what a request carries), never by a caller-chosen
organisation: the organisation always comes out of the stored item.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import DeleteError, PutError, UpdateError
from pynamodb.models import Model

from chalicelib.adapters.dynamo_models import (
    TABLE_NAME,
    ConnectionRecord,
    ConsentRecord,
    LedgerRecord,
    MessageRecord,
    OrganisationRecord,
    org_pk,
)
from chalicelib.adapters.kms import KmsCipher
from chalicelib.domain.errors import LunasError
from chalicelib.domain.models import Money, ReminderSettings
from chalicelib.ports import Clock
from chalicelib.webhooks import storage as webhook_storage


class _Meta:
    table_name = TABLE_NAME
    billing_mode = "PAY_PER_REQUEST"


class _Item(Model):
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class MembershipRecord(_Item):
    class Meta(_Meta):
        pass

    org_id = UnicodeAttribute()
    role = UnicodeAttribute()  # owner | staff
    email = UnicodeAttribute(default="")
    created_at = UTCDateTimeAttribute()
    signed_out_at = NumberAttribute(null=True)  # epoch seconds: ID tokens issued at or before it are refused


class OAuthStateRecord(_Item):
    class Meta(_Meta):
        pass

    org_id = UnicodeAttribute()
    user_sub = UnicodeAttribute()
    provider = UnicodeAttribute()
    code_verifier = UnicodeAttribute(default="")
    redirect_uri = UnicodeAttribute()
    not_after = NumberAttribute()  # epoch seconds; checked on read (TTL deletion is lazy)
    used_at = NumberAttribute(null=True)  # set once, atomically: a second use is a replay
    expires_at = TTLAttribute()


class LeaseRecord(_Item):
    class Meta(_Meta):
        pass

    owner = UnicodeAttribute()
    lease_until = NumberAttribute()  # epoch seconds
    expires_at = TTLAttribute()


def _conditional(exc: Exception) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


# -- memberships -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Membership:
    user_sub: str
    org_id: str
    role: str
    email: str
    signed_out_at: float | None = None


class AlreadyMember(LunasError):
    """The user already belongs to an organisation."""


class DynamoMemberships:
    def add(self, membership: Membership, at: dt.datetime) -> None:
        record = MembershipRecord(
            f"USER#{membership.user_sub}",
            "MEMBERSHIP",
            org_id=membership.org_id,
            role=membership.role,
            email=membership.email,
            created_at=at,
        )
        try:
            record.save(condition=MembershipRecord.pk.does_not_exist())
        except PutError as exc:
            if _conditional(exc):
                raise AlreadyMember("this user already belongs to an organisation") from exc
            raise

    def for_user(self, user_sub: str) -> Membership | None:
        try:
            record = MembershipRecord.get(f"USER#{user_sub}", "MEMBERSHIP")
        except MembershipRecord.DoesNotExist:
            return None
        return Membership(
            user_sub=user_sub,
            org_id=record.org_id,
            role=record.role,
            email=record.email,
            signed_out_at=float(record.signed_out_at) if record.signed_out_at is not None else None,
        )

    def mark_signed_out(self, user_sub: str, issued_at: int) -> None:
        """ID tokens issued at or before `issued_at` (epoch seconds) are refused from now on."""
        MembershipRecord(f"USER#{user_sub}", "MEMBERSHIP").update(
            actions=[MembershipRecord.signed_out_at.set(issued_at)],
            condition=MembershipRecord.pk.exists(),
        )


# -- OAuth state -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class PendingAuthorization:
    org_id: str
    user_sub: str
    provider: str
    code_verifier: str
    redirect_uri: str


class StateInvalid(LunasError):
    """The `state` is unknown, already used, expired, or was started by someone else."""

    def __init__(self, message: str, *, kind: str) -> None:
        super().__init__(message)
        self.kind = kind  # missing | expired | replayed | wrong_user


def _state_key(state: str) -> str:
    return "OAUTHSTATE#" + hashlib.sha256(state.encode()).hexdigest()


class DynamoOAuthStates:
    """Single-use `state` values: stored hashed, bound to the user who started the flow, with a short lifetime."""

    def put(self, state: str, pending: PendingAuthorization, *, now: dt.datetime, ttl: dt.timedelta) -> None:
        not_after = now + ttl
        OAuthStateRecord(
            _state_key(state),
            "STATE",
            org_id=pending.org_id,
            user_sub=pending.user_sub,
            provider=pending.provider,
            code_verifier=pending.code_verifier,
            redirect_uri=pending.redirect_uri,
            not_after=int(not_after.timestamp()),
            expires_at=not_after + dt.timedelta(days=1),
        ).save(condition=OAuthStateRecord.pk.does_not_exist())

    def consume(self, state: str, *, user_sub: str, provider: str, now: dt.datetime) -> PendingAuthorization:
        """Mark the state used (atomically: a second use fails as a replay) after checking whose it is.

        The used item stays until its TTL, so a replayed callback is told apart from a made-up state.
        """
        try:
            record = OAuthStateRecord.get(_state_key(state), "STATE")
        except OAuthStateRecord.DoesNotExist:
            raise StateInvalid("unknown or already used state", kind="missing") from None
        if record.user_sub != user_sub or record.provider != provider:
            raise StateInvalid("state belongs to another sign-in or provider", kind="wrong_user")
        try:
            record.update(
                actions=[OAuthStateRecord.used_at.set(int(now.timestamp()))],
                condition=OAuthStateRecord.pk.exists() & OAuthStateRecord.used_at.does_not_exist(),
            )
        except UpdateError as exc:
            if _conditional(exc):
                raise StateInvalid("state already used", kind="replayed") from None
            raise
        if now.timestamp() > float(record.not_after):
            raise StateInvalid("state expired", kind="expired")
        return PendingAuthorization(
            org_id=record.org_id,
            user_sub=record.user_sub,
            provider=record.provider,
            code_verifier=record.code_verifier,
            redirect_uri=record.redirect_uri,
        )


# -- refresh leases ----------------------------------------------------------------------------------------------


class DynamoLeases:
    """Short leases with a conditional write: at most one holder per key until it releases or the lease runs out."""

    def acquire(self, org_id: str, key: str, owner: str, *, now: float, seconds: float) -> bool:
        record = LeaseRecord(
            org_pk(org_id),
            f"LEASE#{key}",
            owner=owner,
            lease_until=round(now + seconds, 3),
            expires_at=dt.datetime.fromtimestamp(now + 86_400, dt.UTC),
        )
        try:
            record.save(condition=LeaseRecord.sk.does_not_exist() | (LeaseRecord.lease_until < now))
        except PutError as exc:
            if _conditional(exc):
                return False
            raise
        return True

    def release(self, org_id: str, key: str, owner: str) -> None:
        try:
            LeaseRecord(org_pk(org_id), f"LEASE#{key}").delete(condition=LeaseRecord.owner == owner)
        except DeleteError as exc:
            if not _conditional(exc):  # already expired and taken over: nothing of ours to release
                raise


# -- the dashboard's writes and reads ----------------------------------------------------------------------------


class NumberTaken(LunasError):
    """The WhatsApp number is already connected to another Lunas organisation."""


@dataclass(frozen=True, slots=True, kw_only=True)
class WhatsAppSummary:
    """What the dashboard may show about the WhatsApp number: never the access token."""

    phone_number_id: str
    business_account_id: str
    has_token: bool


class DynamoOrganisationSettings:
    """Edits an organisation's profile in place (optimistic locking), keeping whatever the edit does not touch."""

    def __init__(self, cipher: KmsCipher, clock: Clock) -> None:
        self._cipher = cipher
        self._clock = clock

    def update_settings(self, settings: ReminderSettings) -> None:
        def change(record: OrganisationRecord) -> None:
            record.timezone = settings.timezone
            record.language = settings.language
            record.stages = [s.offset_days for s in settings.stages]
            record.window_start = settings.window.start.strftime("%H:%M")
            record.window_end = settings.window.end.strftime("%H:%M")
            record.window_weekdays = sorted(settings.window.weekdays)
            record.minimum_amounts = {m.currency: str(m.amount) for m in settings.minimum_amounts}
            record.business_name = settings.business_name

        self._edit(settings.org_id, change)

    def set_whatsapp(self, org_id: str, *, phone_number_id: str, business_account_id: str, token: str) -> None:
        """Store the number; an empty `token` keeps the stored one (the form never shows it back).

        The number is claimed first in the webhook routes (Meta's statuses name the number, not us): a number
        another organisation already uses is refused, so nobody can divert someone else's delivery reports.
        """
        from chalicelib.webhooks.storage import DynamoRoutes

        now = self._clock.now()
        if not DynamoRoutes().claim_phone_number(phone_number_id, org_id, now):
            raise NumberTaken("this WhatsApp number is already used by another organisation")
        if business_account_id:
            DynamoRoutes().add_business_account(business_account_id, org_id, now)
        ciphertext = (
            self._cipher.encrypt(token.encode(), {"org_id": org_id, "item": "whatsapp_token"}) if token else None
        )

        def change(record: OrganisationRecord) -> None:
            record.wa_phone_number_id = phone_number_id
            record.wa_business_account_id = business_account_id
            if ciphertext is not None:
                record.wa_token_ciphertext = ciphertext

        self._edit(org_id, change)
        routes = webhook_storage.DynamoRoutes()  # Meta's webhooks find the organisation by this number
        routes.claim_phone_number(phone_number_id, org_id, now)
        if business_account_id:
            routes.add_business_account(business_account_id, org_id, now)

    def whatsapp_summary(self, org_id: str) -> WhatsAppSummary:
        record = OrganisationRecord.get(org_pk(org_id), "PROFILE")
        return WhatsAppSummary(
            phone_number_id=record.wa_phone_number_id or "",
            business_account_id=record.wa_business_account_id or "",
            has_token=record.wa_token_ciphertext is not None,
        )

    @staticmethod
    def _edit(org_id: str, change: Callable[[OrganisationRecord], None]) -> None:
        for _ in range(3):
            record = OrganisationRecord.get(org_pk(org_id), "PROFILE")
            change(record)
            try:
                record.save()
                return
            except PutError as exc:
                if not _conditional(exc):
                    raise
        raise LunasError("the settings kept changing; try again")


def minimum_amounts_text(amounts: tuple[Money, ...]) -> str:
    return ", ".join(f"{m.currency} {m.amount}" for m in amounts)


class DynamoConnectionTokens:
    """What the connect flows need beyond `DynamoConnectionRepository`: the version, and deleting tokens."""

    def version(self, org_id: str, connection_id: str) -> int | None:
        try:
            return int(ConnectionRecord.get(org_pk(org_id), f"CONN#{connection_id}").version or 0)
        except ConnectionRecord.DoesNotExist:
            return None

    def delete_tokens(self, org_id: str, connection_id: str) -> None:
        for _ in range(5):
            try:
                record = ConnectionRecord.get(org_pk(org_id), f"CONN#{connection_id}")
            except ConnectionRecord.DoesNotExist:
                return
            record.token_ciphertext = None
            try:
                record.save()
                return
            except PutError as exc:
                if not _conditional(exc):
                    raise
        raise LunasError("the connection kept changing; try again")


class DynamoTimeline:
    """Reads for the invoice timeline and the customers page (all under the organisation's partition)."""

    def ledger(self, org_id: str) -> list[LedgerRecord]:
        return list(LedgerRecord.query(org_pk(org_id), LedgerRecord.sk.startswith("LEDGER#")))

    def messages(self, org_id: str) -> list[MessageRecord]:
        return list(MessageRecord.query(org_pk(org_id), MessageRecord.sk.startswith("MSG#")))

    def consents(self, org_id: str) -> list[ConsentRecord]:
        return list(ConsentRecord.query(org_pk(org_id), ConsentRecord.sk.startswith("CONSENT#")))


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectionHealth:
    connection_id: str
    provider: str
    tenant_name: str
    status: str
    last_cycle_at: dt.datetime | None
    last_cycle_summary: str


def connection_health(org_id: str) -> list[ConnectionHealth]:
    """Every connection of the organisation with its status and last cycle, for the overview page."""
    records = ConnectionRecord.query(org_pk(org_id), ConnectionRecord.sk.startswith("CONN#"))
    return [
        ConnectionHealth(
            connection_id=r.sk.removeprefix("CONN#"),
            provider=r.provider,
            tenant_name=r.tenant_name,
            status=r.status,
            last_cycle_at=r.last_cycle_at,
            last_cycle_summary=r.last_cycle_summary or "",
        )
        for r in records
    ]
