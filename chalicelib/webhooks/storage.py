"""DynamoDB items the webhooks need, in the same single table as `adapters/dynamo_models.py`.

| item            | pk / sk                                         | holds                                    |
|-----------------|-------------------------------------------------|------------------------------------------|
| phone route     | WAPHONE#<phone_number_id> / ROUTE               | the organisation owning a WhatsApp number |
| WABA route      | WABA#<waba_id> / ROUTE#<org_id>                 | organisations using a WhatsApp account    |
| tenant route    | TENANT#<provider>#<tenant> / ROUTE#<org>#<conn> | connections reading a Xero tenant / realm |
| template state  | WABA#<waba_id> / TEMPLATE#<name>#<language>     | Meta's latest status, category, quality   |
| seen marker     | WEBHOOK#<dedupe key> / SEEN (TTL)               | an event already processed                |
| reply           | ORG#<org> / REPLY#<received>#<message id>       | what a customer wrote, what Lunas did     |
| marketing pref. | ORG#<org> / WAPREF#<e164>                       | the user_preferences event (stop/resume)  |
| BSUID           | ORG#<org> / BSUID#<user id>                     | business-scoped user id -> phone          |
| one-time claim  | ORG#<org> / CLAIM#<what> (TTL)                  | e.g. "confirmation for message X sent"    |
| phone pause     | ORG#<org> / PHONEPAUSE#<e164>                   | reminders paused after a reply, until     |
| invoice closure | ORG#<org> / CLOSED#<conn>#<invoice id> (TTL)    | paid / voided per an accounting webhook   |

Routes are written when an organisation saves its WhatsApp number or adds a connection; a webhook never trusts an
organisation id it carries itself. Everything an organisation owns stays under `ORG#<org_id>`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import PutError, UpdateError
from pynamodb.models import Model

from chalicelib.adapters.dynamo_models import TABLE_NAME, batch_get, org_pk
from chalicelib.observability import logger
from chalicelib.webhooks.templates import TemplateState


class _Meta:
    table_name = TABLE_NAME
    billing_mode = "PAY_PER_REQUEST"


class _Item(Model):
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


def _conditional_failure(exc: Exception) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


# -- routes -------------------------------------------------------------------------------------------------------


class RouteRecord(_Item):
    class Meta(_Meta):
        pass

    org_id = UnicodeAttribute()
    connection_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute(null=True)


@dataclass(frozen=True, slots=True)
class ConnectionRoute:
    org_id: str
    connection_id: str


class DynamoRoutes:
    """Where a webhook belongs. Phone numbers are owned by the first organisation that registered them."""

    def claim_phone_number(self, phone_number_id: str, org_id: str, at: dt.datetime) -> bool:
        """Route this WhatsApp number to the organisation unless another organisation already owns it."""
        record = RouteRecord(f"WAPHONE#{phone_number_id}", "ROUTE", org_id=org_id, created_at=at)
        try:
            record.save(condition=RouteRecord.pk.does_not_exist() | (RouteRecord.org_id == org_id))
        except PutError as exc:
            if not _conditional_failure(exc):
                raise
            logger.warning("WhatsApp number already routed to another organisation; not re-routed")
            return False
        return True

    def add_business_account(self, waba_id: str, org_id: str, at: dt.datetime) -> None:
        RouteRecord(f"WABA#{waba_id}", f"ROUTE#{org_id}", org_id=org_id, created_at=at).save()

    def add_tenant(self, provider: str, tenant_id: str, org_id: str, connection_id: str, at: dt.datetime) -> None:
        RouteRecord(
            f"TENANT#{provider}#{tenant_id}",
            f"ROUTE#{org_id}#{connection_id}",
            org_id=org_id,
            connection_id=connection_id,
            created_at=at,
        ).save()

    def org_for_phone_number(self, phone_number_id: str) -> str | None:
        try:
            return RouteRecord.get(f"WAPHONE#{phone_number_id}", "ROUTE").org_id
        except RouteRecord.DoesNotExist:
            return None

    def orgs_for_business_account(self, waba_id: str) -> list[str]:
        records = RouteRecord.query(f"WABA#{waba_id}", RouteRecord.sk.startswith("ROUTE#"))
        return [r.org_id for r in records]

    def connections_for_tenant(self, provider: str, tenant_id: str) -> list[ConnectionRoute]:
        records = RouteRecord.query(f"TENANT#{provider}#{tenant_id}", RouteRecord.sk.startswith("ROUTE#"))
        return [ConnectionRoute(r.org_id, r.connection_id or "") for r in records]


# -- dedupe -------------------------------------------------------------------------------------------------------


class SeenRecord(_Item):
    class Meta(_Meta):
        pass

    seen_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()


class DynamoSeenMarkers:
    """Events already processed, kept a little longer than the sender retries (Meta 7 days, Xero 31 days)."""

    def seen(self, keys: Iterable[str], now: dt.datetime) -> frozenset[str]:
        wanted = sorted(set(keys))
        found = batch_get(SeenRecord, [(f"WEBHOOK#{k}", "SEEN") for k in wanted])
        return frozenset(r.pk.removeprefix("WEBHOOK#") for r in found if r.expires_at > now)

    def mark(self, keys: Iterable[str], now: dt.datetime, keep_for: dt.timedelta) -> None:
        with SeenRecord.batch_write() as batch:
            for key in sorted(set(keys)):
                batch.save(SeenRecord(f"WEBHOOK#{key}", "SEEN", seen_at=now, expires_at=now + keep_for))


# -- what customers said ------------------------------------------------------------------------------------------


class ReplyRecord(_Item):
    class Meta(_Meta):
        pass

    message_id = UnicodeAttribute()
    phone = UnicodeAttribute()  # E.164
    kind = UnicodeAttribute()  # text | button | interactive | image | ...
    text = UnicodeAttribute(default="")
    intent = UnicodeAttribute()  # opt_out | opt_in | affirm | other
    action = UnicodeAttribute(default="")  # opted_out | opted_in | paused_until <iso> | none
    received_at = UTCDateTimeAttribute()
    context_wamid = UnicodeAttribute(null=True)  # the message of ours it answers, when quoted / a button
    phone_number_id = UnicodeAttribute(default="")


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredReply:
    org_id: str
    message_id: str
    phone: str
    kind: str
    text: str
    intent: str
    action: str
    received_at: dt.datetime
    context_wamid: str | None = None


class DynamoReplies:
    """Customers' replies per organisation, newest first, for the owner's dashboard."""

    def save(self, reply: StoredReply, phone_number_id: str) -> None:
        ReplyRecord(
            org_pk(reply.org_id),
            f"REPLY#{reply.received_at.isoformat()}#{reply.message_id}",
            message_id=reply.message_id,
            phone=reply.phone,
            kind=reply.kind,
            text=reply.text,
            intent=reply.intent,
            action=reply.action,
            received_at=reply.received_at,
            context_wamid=reply.context_wamid,
            phone_number_id=phone_number_id,
        ).save()

    def for_org(self, org_id: str, limit: int = 200) -> list[StoredReply]:
        records = ReplyRecord.query(
            org_pk(org_id), ReplyRecord.sk.startswith("REPLY#"), scan_index_forward=False, limit=limit
        )
        return [
            StoredReply(
                org_id=org_id,
                message_id=r.message_id,
                phone=r.phone,
                kind=r.kind,
                text=r.text,
                intent=r.intent,
                action=r.action,
                received_at=r.received_at,
                context_wamid=r.context_wamid,
            )
            for r in records
        ]


class PreferenceRecord(_Item):
    class Meta(_Meta):
        pass

    category = UnicodeAttribute()
    value = UnicodeAttribute()  # stop | resume
    detail = UnicodeAttribute(default="")
    at = UTCDateTimeAttribute()


class DynamoMarketingPreferences:
    """Meta's `user_preferences` events: only about MARKETING templates, kept for the record (and the owner)."""

    def record(self, org_id: str, phone: str, *, category: str, value: str, detail: str, at: dt.datetime) -> None:
        """Keep the latest choice; an older event arriving late changes nothing."""
        record = PreferenceRecord(
            org_pk(org_id), f"WAPREF#{phone}", category=category, value=value, detail=detail, at=at
        )
        try:
            record.save(condition=PreferenceRecord.pk.does_not_exist() | (PreferenceRecord.at <= at))
        except PutError as exc:
            if not _conditional_failure(exc):
                raise

    def get(self, org_id: str, phone: str) -> PreferenceRecord | None:
        try:
            return PreferenceRecord.get(org_pk(org_id), f"WAPREF#{phone}")
        except PreferenceRecord.DoesNotExist:
            return None


class BsuidRecord(_Item):
    class Meta(_Meta):
        pass

    phone = UnicodeAttribute()
    seen_at = UTCDateTimeAttribute()


class DynamoBsuids:
    """Business-scoped user ids (2026): a user with a username may arrive without a phone; keep the mapping."""

    def remember(self, org_id: str, pairs: dict[str, str], at: dt.datetime) -> None:
        with BsuidRecord.batch_write() as batch:
            for user_id, phone in sorted(pairs.items()):
                batch.save(BsuidRecord(org_pk(org_id), f"BSUID#{user_id}", phone=phone, seen_at=at))

    def phone_for(self, org_id: str, user_id: str) -> str | None:
        try:
            return BsuidRecord.get(org_pk(org_id), f"BSUID#{user_id}").phone
        except BsuidRecord.DoesNotExist:
            return None


class ClaimRecord(_Item):
    class Meta(_Meta):
        pass

    at = UTCDateTimeAttribute()
    detail = UnicodeAttribute(default="")
    expires_at = TTLAttribute()


class DynamoClaims:
    """Things done at most once (e.g. the opt-out confirmation), and short-lived prompts."""

    def claim(self, org_id: str, what: str, at: dt.datetime, keep_for: dt.timedelta, detail: str = "") -> bool:
        record = ClaimRecord(org_pk(org_id), f"CLAIM#{what}", at=at, detail=detail, expires_at=at + keep_for)
        try:
            record.save(condition=ClaimRecord.pk.does_not_exist())
        except PutError as exc:
            if _conditional_failure(exc):
                return False
            raise
        return True

    def put(self, org_id: str, what: str, at: dt.datetime, keep_for: dt.timedelta, detail: str = "") -> None:
        ClaimRecord(org_pk(org_id), f"CLAIM#{what}", at=at, detail=detail, expires_at=at + keep_for).save()

    def active(self, org_id: str, what: str, now: dt.datetime) -> bool:
        try:
            record = ClaimRecord.get(org_pk(org_id), f"CLAIM#{what}")
        except ClaimRecord.DoesNotExist:
            return False
        return record.expires_at > now

    def release(self, org_id: str, what: str) -> None:
        ClaimRecord(org_pk(org_id), f"CLAIM#{what}").delete()


# -- what stops reminders (read by the reminder cycle through DynamoPauses) ------------------------------------------


class PhonePauseRecord(_Item):
    class Meta(_Meta):
        pass

    until = UTCDateTimeAttribute()
    note = UnicodeAttribute(default="")


class InvoiceClosureRecord(_Item):
    class Meta(_Meta):
        pass

    status = UnicodeAttribute()  # paid | voided | deleted
    source = UnicodeAttribute(default="")
    at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()


def pause_phone(org_id: str, phone: str, until: dt.datetime, note: str) -> None:
    """Pause a phone until `until`, never shortening a longer pause already there."""
    record = PhonePauseRecord(org_pk(org_id), f"PHONEPAUSE#{phone}", until=until, note=note)
    try:
        record.save(condition=PhonePauseRecord.pk.does_not_exist() | (PhonePauseRecord.until < until))
    except PutError as exc:
        if not _conditional_failure(exc):
            raise


def paused_phones(org_id: str, phones: Sequence[str], now: dt.datetime) -> frozenset[str]:
    keys = [(org_pk(org_id), f"PHONEPAUSE#{p}") for p in sorted(set(phones))]
    return frozenset(r.sk.removeprefix("PHONEPAUSE#") for r in batch_get(PhonePauseRecord, keys) if r.until > now)


def close_invoice(
    org_id: str,
    connection_id: str,
    invoice_id: str,
    *,
    status: str,
    source: str,
    at: dt.datetime,
    keep_for: dt.timedelta,
) -> None:
    InvoiceClosureRecord(
        org_pk(org_id),
        f"CLOSED#{connection_id}#{invoice_id}",
        status=status,
        source=source,
        at=at,
        expires_at=at + keep_for,
    ).save()


def reopen_invoice(org_id: str, connection_id: str, invoice_id: str) -> None:
    InvoiceClosureRecord(org_pk(org_id), f"CLOSED#{connection_id}#{invoice_id}").delete()


def closed_invoices(org_id: str, keys: Sequence[tuple[str, str]], now: dt.datetime) -> dict[tuple[str, str], str]:
    """(connection_id, invoice_id) -> paid / voided, for the invoices a webhook reported closed (and not expired)."""
    wanted = [(org_pk(org_id), f"CLOSED#{c}#{i}") for c, i in sorted(set(keys))]
    result = {}
    for record in batch_get(InvoiceClosureRecord, wanted):
        if record.expires_at > now:
            connection_id, invoice_id = record.sk.removeprefix("CLOSED#").rsplit("#", 1)
            result[(connection_id, invoice_id)] = record.status
    return result


# -- Meta's template registry -------------------------------------------------------------------------------------


class TemplateStateRecord(_Item):
    class Meta(_Meta):
        pass

    template_id = UnicodeAttribute(default="")
    status = UnicodeAttribute(null=True)
    status_reason = UnicodeAttribute(default="")
    status_at = NumberAttribute(null=True)  # the event's time (epoch seconds): later events win
    category = UnicodeAttribute(null=True)
    category_at = NumberAttribute(null=True)
    pending_category = UnicodeAttribute(null=True)
    pending_category_from = NumberAttribute(null=True)
    quality = UnicodeAttribute(null=True)
    quality_at = NumberAttribute(null=True)


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
        if _conditional_failure(exc):
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
