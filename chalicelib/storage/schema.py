"""Every item kind of Lunas' one DynamoDB table: key format, attributes, time to live, and the personal data it holds.

Everything an organisation owns has the partition key `ORG#<org_id>`, so a query can never wander into another
organisation's items; the sort key names the item kind. A few lookups keyed by what an outside party names (a
WhatsApp number, a Xero tenant, a wamid, a webhook id, a user, a pay link) have their own partition keys and carry
the organisation id as an attribute: a webhook never trusts an organisation id it carries itself.

`ITEM_KINDS` at the end of this module lists every item kind with its key format, its TTL attribute and the personal
data it holds; tests/test_storage_schema.py keeps that list and the classes in step. These classes are storage only:
the repositories of this package (one module per concept) map them to domain types, and nothing outside
`chalicelib.storage` imports pynamodb. Tests, the sandbox and the CDK stack create the table from `LunasTable`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from pynamodb.attributes import (
    BinaryAttribute,
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.storage.dynamo import share

TABLE_NAME = os.environ.get("LUNAS_TABLE", "lunas")


ACTIVE_CONNECTIONS = "ACTIVE_CONNECTIONS"


def org_pk(org_id: str) -> str:
    return f"ORG#{org_id}"


class _Meta:
    table_name = TABLE_NAME
    billing_mode = "PAY_PER_REQUEST"


class ByKindIndex(GlobalSecondaryIndex["LunasTable"]):
    """Sparse index: only items that set gsi1pk appear (e.g. active connections, for the hourly fan-out)."""

    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class _Item(Model):
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class LunasTable(_Item):
    """The table itself (keys, index, TTL). Use it to create the table; use the item classes below for data."""

    class Meta(_Meta):
        pass

    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)
    by_kind = ByKindIndex()


# Every item kind below is a subclass of `_Item`, and pynamodb looks a model's connection up on its class: setting
# it here gives them all one TableConnection, one botocore session and one DynamoDB client (storage/dynamo.py).
_Item._connection = share(LunasTable)


class ActiveConnectionsIndex(GlobalSecondaryIndex["ConnectionRecord"]):
    """The same sparse index read as connections: the hourly fan-out gets every field from the query itself."""

    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class OrganisationRecord(_Item):
    class Meta(_Meta):
        pass

    business_name = UnicodeAttribute()
    country = UnicodeAttribute(default="ID")
    timezone = UnicodeAttribute(default="Asia/Jakarta")
    language = UnicodeAttribute(default="id")
    stages = ListAttribute[int](of=NumberAttribute, default=lambda: [-3, 0, 3, 7, 14, 30])  # type: ignore[arg-type]  # pynamodb types `of` as the element type
    window_start = UnicodeAttribute(default="09:00")
    window_end = UnicodeAttribute(default="17:00")
    window_weekdays = ListAttribute[int](of=NumberAttribute, default=lambda: [0, 1, 2, 3, 4])  # type: ignore[arg-type]  # pynamodb types `of` as the element type
    minimum_amounts = MapAttribute[str, Any](default=dict)  # currency -> decimal string
    stages_off = ListAttribute[int](of=NumberAttribute, null=True)  # type: ignore[arg-type]  # switched off in the editor
    skip_holidays = BooleanAttribute(null=True)  # business days: skip public holidays and the owner's days off
    days_off = ListAttribute[str](of=UnicodeAttribute, null=True)  # type: ignore[arg-type]  # the owner's days off (ISO)
    # Named schedules besides the default (storage/segment_schedules.py): [{"id", "name", "stages", "stages_off"}]
    schedules = ListAttribute[MapAttribute[str, Any]](of=MapAttribute, null=True)
    wa_phone_number_id = UnicodeAttribute(null=True)
    wa_business_account_id = UnicodeAttribute(null=True)
    wa_token_ciphertext = BinaryAttribute(null=True, legacy_encoding=False)
    wa_verified_at = UTCDateTimeAttribute(null=True)  # Meta confirmed the stored token manages this number
    wa_display_phone_number = UnicodeAttribute(null=True)  # as Meta listed it then
    wa_verified_name = UnicodeAttribute(null=True)
    # The number's health as Meta last told it (GET /{phone-number-id} at onboarding, then the webhooks
    # phone_number_quality_update / business_capability_update / account_update): see docs/whatsapp-onboarding.md.
    wa_quality_rating = UnicodeAttribute(null=True)  # GREEN | YELLOW | RED | UNKNOWN
    wa_messaging_limit_tier = UnicodeAttribute(null=True)  # TIER_250 | TIER_2K | ... | TIER_UNLIMITED
    wa_throughput_level = UnicodeAttribute(null=True)  # STANDARD (80 messages a second) | HIGH (1,000)
    wa_account_status = UnicodeAttribute(null=True)  # the last account_update problem ("" or absent: none)
    wa_health_at = UTCDateTimeAttribute(null=True)
    # The owner's daily summary (storage/digest.py): their sign-in address, remembered at their first visit, and the
    # Settings switch (absent: on).
    digest_email = UnicodeAttribute(null=True)
    digest_off = BooleanAttribute(null=True)
    thank_paid = BooleanAttribute(null=True)  # thank customers when a reminded invoice is paid (absent: off)
    version = VersionAttribute()


class ConnectionRecord(_Item):
    class Meta(_Meta):
        pass

    provider = UnicodeAttribute()  # xero | quickbooks
    tenant_id = UnicodeAttribute()  # Xero tenantId / QuickBooks realmId
    tenant_name = UnicodeAttribute(default="")
    status = UnicodeAttribute(default="active")  # active | reconnect_needed | disconnected
    # Its own token set: QuickBooks, and Xero connections stored before grants (read as a grant of one). A Xero
    # connection of a grant has none: it reads the GrantRecord `grant_id` names.
    token_ciphertext = BinaryAttribute(null=True, legacy_encoding=False)
    grant_id = UnicodeAttribute(null=True)  # "xero:<xero_userid>": the GrantRecord whose tokens it reads
    provider_connection_id = UnicodeAttribute(null=True)  # Xero's connection id (GET /connections -> id)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    last_cycle_at = UTCDateTimeAttribute(null=True)
    last_cycle_summary = UnicodeAttribute(null=True)
    # The connected company's country (ISO 3166 alpha-2), currency (ISO 4217) and IANA time zone, read at connect.
    # Absent on connections made before Lunas read them: the organisation's country applies.
    country = UnicodeAttribute(null=True)
    currency = UnicodeAttribute(null=True)
    timezone = UnicodeAttribute(null=True)
    # Xero's own invoice reminders on too (duplicate chasing), read at most daily; absent: not known.
    own_reminders = BooleanAttribute(null=True)
    own_reminders_checked_at = UTCDateTimeAttribute(null=True)
    version = VersionAttribute()
    active = ActiveConnectionsIndex()


class GrantRecord(_Item):
    """One Xero user's consent within an organisation: the one token set that user's connections share
    (chalicelib/domain/grants.py)."""

    class Meta(_Meta):
        pass

    provider = UnicodeAttribute()  # xero
    user_id = UnicodeAttribute()  # the access token's xero_userid
    token_ciphertext = BinaryAttribute(legacy_encoding=False)  # KMS envelope; context: org_id, grant_id
    updated_at = UTCDateTimeAttribute(null=True)
    version = VersionAttribute()


class ConsentChange(MapAttribute[str, Any]):
    status = UnicodeAttribute()
    source = UnicodeAttribute()
    evidence = UnicodeAttribute()
    captured_at = UTCDateTimeAttribute()
    recorded_by = UnicodeAttribute(null=True)  # who made the change (absent on changes recorded before it was kept)
    evidence_at = UTCDateTimeAttribute(null=True)  # when the evidence dates from, when the owner gave it


class ConsentRecord(_Item):
    """Kept while the organisation exists (retention.CONSENT): the proof of consent, and an opt-out never forgotten."""

    class Meta(_Meta):
        pass

    status = UnicodeAttribute()
    source = UnicodeAttribute()
    evidence = UnicodeAttribute()
    captured_at = UTCDateTimeAttribute()
    recorded_by = UnicodeAttribute(null=True)
    evidence_at = UTCDateTimeAttribute(null=True)
    history = ListAttribute[ConsentChange](of=ConsentChange, default=list)
    version = VersionAttribute()


class PhoneFlagRecord(_Item):
    class Meta(_Meta):
        pass

    not_on_whatsapp_at = UTCDateTimeAttribute(null=True)
    detail = UnicodeAttribute(default="")
    expires_at = TTLAttribute(null=True)  # retention.PHONE_FLAG


class PauseRecord(_Item):
    class Meta(_Meta):
        pass

    until = UTCDateTimeAttribute(null=True)
    note = UnicodeAttribute(default="")
    words = UnicodeAttribute(null=True)  # the note as words the dashboard translates (domain/notes.py, JSON)
    expires_at = TTLAttribute(null=True)  # retention.PAUSE (none for a pause without an end)


class ScheduleAssignmentRecord(_Item):
    """`ORG#<org> / SCHEDULEFOR#<conn>#<customer>`: the named schedule one customer follows (none: the default)."""

    class Meta(_Meta):
        pass

    connection_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    schedule_id = UnicodeAttribute()


class LedgerRecord(_Item):
    class Meta(_Meta):
        pass

    state = UnicodeAttribute()  # claimed | sent | failed
    message_sk = UnicodeAttribute()
    claimed_at = UTCDateTimeAttribute()
    sent_at = UTCDateTimeAttribute(null=True)
    wamid = UnicodeAttribute(null=True)
    delivery = UnicodeAttribute(null=True)  # sent | delivered | read | failed (from status webhooks)
    error_code = NumberAttribute(null=True)
    error_title = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)  # retention.DELIVERY


class MessageRecord(_Item):
    class Meta(_Meta):
        pass

    state = UnicodeAttribute()  # claimed | sent | failed
    connection_id = UnicodeAttribute()
    ledger_sks = ListAttribute[str](of=UnicodeAttribute, default=list)  # type: ignore[arg-type]  # pynamodb types `of` as the element type
    template = UnicodeAttribute()
    language = UnicodeAttribute()
    claimed_at = UTCDateTimeAttribute()
    sent_at = UTCDateTimeAttribute(null=True)
    wamid = UnicodeAttribute(null=True)
    delivery = UnicodeAttribute(null=True)
    delivery_at = UTCDateTimeAttribute(null=True)
    pricing_category = UnicodeAttribute(null=True)
    error_code = NumberAttribute(null=True)
    error_title = UnicodeAttribute(null=True)
    accepted_status = UnicodeAttribute(null=True)  # Meta's send answer `message_status` (accepted / held...)
    wa_id = UnicodeAttribute(null=True)  # the answer's `contacts[0].wa_id`, when it differs from the phone's digits
    body_params = UnicodeAttribute(null=True)  # JSON {name: value} as sent: the owner reads the message's text
    expires_at = TTLAttribute(null=True)  # retention.DELIVERY


class InvoiceViewRecord(_Item):
    """The latest decision for one invoice, what the owner sees next to it."""

    class Meta(_Meta):
        pass

    number = UnicodeAttribute()
    customer_name = UnicodeAttribute()
    due_date = UnicodeAttribute()
    amount_due = UnicodeAttribute()
    currency = UnicodeAttribute()
    reason = UnicodeAttribute()
    stage = UnicodeAttribute(null=True)
    detail = UnicodeAttribute(default="")
    note = UnicodeAttribute(null=True)  # domain/notes.py, JSON: the detail in words the dashboard translates
    decided_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute(null=True)  # retention.INVOICE_VIEW


class PaymentLinkRecord(_Item):
    class Meta(_Meta):
        pass

    org_id = UnicodeAttribute()
    language = UnicodeAttribute(null=True)  # the reminder's language: the page speaks it
    # [{"number": "INV-1", "connection_id": ..., "invoice_id": ..., "url": "https://..." | None, "looked_up": bool}]
    links = ListAttribute[MapAttribute[str, Any]](of=MapAttribute, default=list)
    expires_at = TTLAttribute(null=True)


class SyncCursorRecord(_Item):
    """Where the next change read of one connection starts (services/sync.py)."""

    class Meta(_Meta):
        pass

    cursor = UTCDateTimeAttribute(null=True)  # on the vendor's clock
    full_sweep_at = UTCDateTimeAttribute(null=True)  # on Lunas' clock
    version = VersionAttribute()
    expires_at = TTLAttribute(null=True)  # retention.SNAPSHOT: set at disconnect, removed at reconnect


class SyncInvoiceRecord(_Item):
    """One open invoice of a connection's sync snapshot."""

    class Meta(_Meta):
        pass

    source = UnicodeAttribute()
    number = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    customer_name = UnicodeAttribute(default="")
    due_date = UnicodeAttribute()
    amount_due = UnicodeAttribute()  # decimal string
    currency = UnicodeAttribute()
    status = UnicodeAttribute()
    payment_link = UnicodeAttribute(null=True)
    issue_date = UnicodeAttribute(null=True)
    updated_at = UTCDateTimeAttribute(null=True)
    expires_at = TTLAttribute(null=True)  # retention.SNAPSHOT: set at disconnect, removed at reconnect


class SyncCustomerRecord(_Item):
    """One customer of a connection's sync snapshot (phone already E.164, or why there is none)."""

    class Meta(_Meta):
        pass

    source = UnicodeAttribute()
    name = UnicodeAttribute(default="")
    phone = UnicodeAttribute(null=True)
    phone_problem = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)  # retention.SNAPSHOT: set at disconnect, removed at reconnect


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


class WamidPointerRecord(_Item):
    """`WAMID#<wamid>` / `MSG`: which organisation's message a wamid is."""

    class Meta(_Meta):
        pass

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    org_id = UnicodeAttribute()
    message_sk = UnicodeAttribute()
    expires_at = TTLAttribute()


class ParkedStatusRecord(_Item):
    """`WAMID#<wamid>` / `STATUS#<status>`: a status that came before we knew the wamid."""

    class Meta(_Meta):
        pass

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    org_id = UnicodeAttribute()  # from the receiving phone number's route, never from the payload
    status = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    recipient_id = UnicodeAttribute(default="")
    error_code = NumberAttribute(null=True)
    error_title = UnicodeAttribute(null=True)
    pricing_category = UnicodeAttribute(null=True)
    expires_at = TTLAttribute()


class RouteRecord(_Item):
    class Meta(_Meta):
        pass

    org_id = UnicodeAttribute()
    connection_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute(null=True)
    # WhatsApp number / WABA routes: when the organisation proved, with a token Meta accepted, that it manages them.
    # A route without it (written before the check existed, or by a seeding path) gives way to a proven claim.
    proven_at = UTCDateTimeAttribute(null=True)


class SeenRecord(_Item):
    class Meta(_Meta):
        pass

    seen_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()


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
    expires_at = TTLAttribute(null=True)  # retention.REPLIES


class PreferenceRecord(_Item):
    class Meta(_Meta):
        pass

    category = UnicodeAttribute()
    value = UnicodeAttribute()  # stop | resume
    detail = UnicodeAttribute(default="")
    at = UTCDateTimeAttribute()


class PhoneAliasRecord(_Item):
    """Another WhatsApp id Meta resolved one of our numbers to (its send answer's `contacts[0].wa_id`): replies come
    from it, and mean the number Lunas messaged."""

    class Meta(_Meta):
        pass

    phone = UnicodeAttribute()  # E.164: the number Lunas messaged (where its consent is)
    expires_at = TTLAttribute(null=True)  # retention.PHONE_ALIAS


class BsuidRecord(_Item):
    class Meta(_Meta):
        pass

    phone = UnicodeAttribute()
    seen_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute(null=True)  # retention.BSUID


class ClaimRecord(_Item):
    class Meta(_Meta):
        pass

    at = UTCDateTimeAttribute()
    detail = UnicodeAttribute(default="")
    expires_at = TTLAttribute()


class PhonePauseRecord(_Item):
    class Meta(_Meta):
        pass

    until = UTCDateTimeAttribute()
    note = UnicodeAttribute(default="")
    expires_at = TTLAttribute(null=True)  # retention.PAUSE


class InvoiceClosureRecord(_Item):
    class Meta(_Meta):
        pass

    status = UnicodeAttribute()  # paid | voided | deleted
    source = UnicodeAttribute(default="")
    at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()


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


class PaymentClaimRecord(_Item):
    """A customer pressed "I have paid" on a pay link: one per code, under the organisation."""

    class Meta(_Meta):
        pass

    claimed_at = UTCDateTimeAttribute()
    # [{"number": "INV-1", "connection_id": ..., "invoice_id": ..., "amount": "1250000", "currency": "IDR",
    #   "due_date": "2026-11-20"}]
    invoices = ListAttribute[MapAttribute[str, Any]](of=MapAttribute, default=list)
    expires_at = TTLAttribute(null=True)


class ThanksRecord(_Item):
    """The thank-you for one reminded invoice (storage/thanks.py, domain/thanks.py): watched while open, then sent
    at most once. Holds no phone number: the customer is named by the vendor's id."""

    class Meta(_Meta):
        pass

    state = UnicodeAttribute()  # watching | due | claimed | sent | not_sent | not_paid
    reason = UnicodeAttribute(default="")
    number = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    due_date = UnicodeAttribute()  # ISO
    amount = UnicodeAttribute()  # the open balance when last seen open, a decimal string
    currency = UnicodeAttribute()
    paid_at = UTCDateTimeAttribute(null=True)
    changed_at = UTCDateTimeAttribute(null=True)
    language = UnicodeAttribute(null=True)
    body_params = UnicodeAttribute(null=True)  # JSON of the template's parameters as sent, but the customer's name
    expires_at = TTLAttribute(null=True)  # retention.DELIVERY


class PaymentInstructionsRecord(_Item):
    """How customers pay the business outside the accounting system (the owner's dashboard setting)."""

    class Meta(_Meta):
        pass

    # [{"bank": "BCA", "account_number": "123 456 7890", "holder": "PT Sumber Rejeki"}]
    bank_accounts = ListAttribute[MapAttribute[str, Any]](of=MapAttribute, default=list)
    virtual_account = UnicodeAttribute(default="")
    e_wallet = UnicodeAttribute(default="")
    claim_hold_days = NumberAttribute(null=True)
    qris_type = UnicodeAttribute(null=True)  # set with the image (QrisImageRecord), removed with it


class QrisImageRecord(_Item):
    """The business's QRIS image (PNG or JPEG, at most 200 KB), in its own item: the 400 KB item limit."""

    class Meta(_Meta):
        pass

    content_type = UnicodeAttribute()
    image = BinaryAttribute(legacy_encoding=False)


class WhatsAppAlertRecord(_Item):
    """A WhatsApp problem the owner must fix: the account blocked (every send stopped) or one template stopped."""

    class Meta(_Meta):
        pass

    kind = UnicodeAttribute()  # account | template
    code = NumberAttribute(null=True)  # Meta's error code
    reason = UnicodeAttribute()  # plain words: what happened and what to do
    at = UTCDateTimeAttribute()
    template = UnicodeAttribute(default="")  # name/language, for a template alert


class DeliveredMarkRecord(_Item):
    """A delivered message counted in the organisation's monthly usage (once, whatever Meta redelivers)."""

    class Meta(_Meta):
        pass

    month = UnicodeAttribute()  # YYYY-MM in the organisation's time zone
    category = UnicodeAttribute()  # Meta's pricing.category, or "unknown" until a status says
    paid = UnicodeAttribute()  # "paid" | "free"
    expires_at = TTLAttribute()


class UsageCountRecord(_Item):
    """Delivered messages of one month, category and paid/free (atomic ADD; docs/webhooks.md "Costs")."""

    class Meta(_Meta):
        pass

    messages = NumberAttribute(default=0)  # not `count`: that is Model.count()


class OptOutHashRecord(_Item):
    """An erased person's number as a keyed one-way hash (chalicelib/domain/privacy.py): never messaged again."""

    class Meta(_Meta):
        pass

    erased_at = UTCDateTimeAttribute()


class AuditRecord(_Item):
    """One audit log entry (chalicelib/domain/audit.py): who did what, when; numbers masked, counts not contents."""

    class Meta(_Meta):
        pass

    kind = UnicodeAttribute()
    who = UnicodeAttribute()  # the signed-in user's e-mail, or "scheduler" / "whatsapp webhook" / "cli operator"
    what = UnicodeAttribute()
    words = UnicodeAttribute(null=True)  # domain/notes.py, JSON: `what` in words the dashboard translates
    at = UTCDateTimeAttribute()
    expires_at = TTLAttribute(null=True)  # retention.AUDIT


@dataclass(frozen=True)
class ItemKind:
    """One kind of item in the table, described for people (docs/storage.md) and checked by tests."""

    record: type[Model]
    key: str  # pk / sk format
    repository: str  # the chalicelib.storage module that reads and writes it
    personal_data: str  # what it holds about people ("" = nothing personal)
    ttl: str = ""  # the TTL attribute, when the item expires by itself
    retention: str = ""  # its rule in chalicelib/domain/retention.py (a duration, or kept and why)


ITEM_KINDS: tuple[ItemKind, ...] = (
    ItemKind(
        OrganisationRecord,
        "ORG#<org> / PROFILE",
        "organisations",
        "business name; WhatsApp token (encrypted); the owner's e-mail for the daily summary",
        retention="account",
    ),
    ItemKind(MembershipRecord, "USER#<sub> / MEMBERSHIP", "organisations", "owner's e-mail", retention="account"),
    ItemKind(
        ConnectionRecord,
        "ORG#<org> / CONN#<connection>",
        "connections",
        "OAuth tokens (encrypted)",
        retention="account",
    ),
    ItemKind(
        GrantRecord,
        "ORG#<org> / GRANT#xero:<user>",
        "connections",
        "OAuth tokens (encrypted); Xero user id",
        retention="account",
    ),
    ItemKind(LeaseRecord, "ORG#<org> / LEASE#<key>", "connections", "", ttl="expires_at", retention="lease"),
    ItemKind(
        OAuthStateRecord,
        "OAUTHSTATE#<sha256(state)> / STATE",
        "oauth_states",
        "user id",
        ttl="expires_at",
        retention="oauth_state",
    ),
    ItemKind(
        ConsentRecord,
        "ORG#<org> / CONSENT#<e164>",
        "consent",
        "phone; consent evidence and history",
        retention="consent",
    ),
    ItemKind(
        PreferenceRecord, "ORG#<org> / WAPREF#<e164>", "consent", "phone; marketing preference", retention="consent"
    ),
    ItemKind(
        LedgerRecord,
        "ORG#<org> / LEDGER#<conn>#<invoice>#<stage>",
        "ledger",
        "wamid (encodes the phone)",
        ttl="expires_at",
        retention="delivery",
    ),
    ItemKind(
        MessageRecord,
        "ORG#<org> / MSG#<local date>#<e164>",
        "ledger",
        "phone; wamid",
        ttl="expires_at",
        retention="delivery",
    ),
    ItemKind(WamidPointerRecord, "WAMID#<wamid> / MSG", "ledger", "wamid", ttl="expires_at", retention="wamid_pointer"),
    ItemKind(
        ParkedStatusRecord,
        "WAMID#<wamid> / STATUS#<status>",
        "ledger",
        "wamid; recipient",
        ttl="expires_at",
        retention="parked_status",
    ),
    ItemKind(
        InvoiceViewRecord,
        "ORG#<org> / INVOICE#<conn>#<invoice>",
        "invoice_views",
        "customer name",
        ttl="expires_at",
        retention="invoice_view",
    ),
    ItemKind(PhoneFlagRecord, "ORG#<org> / PHONE#<e164>", "holds", "phone", ttl="expires_at", retention="phone_flag"),
    ItemKind(PauseRecord, "ORG#<org> / PAUSE#CUST|INV#<conn>#<id>", "holds", "", ttl="expires_at", retention="pause"),
    ItemKind(
        ScheduleAssignmentRecord,
        "ORG#<org> / SCHEDULEFOR#<conn>#<customer>",
        "segment_schedules",
        "which reminder schedule a customer follows (e.g. late payers)",
        retention="account",
    ),
    ItemKind(PhonePauseRecord, "ORG#<org> / PHONEPAUSE#<e164>", "holds", "phone", ttl="expires_at", retention="pause"),
    ItemKind(
        InvoiceClosureRecord, "ORG#<org> / CLOSED#<conn>#<invoice>", "holds", "", ttl="expires_at", retention="closure"
    ),
    ItemKind(SeenRecord, "WEBHOOK#<dedupe key> / SEEN", "inbox", "", ttl="expires_at", retention="webhook_seen"),
    ItemKind(
        ReplyRecord,
        "ORG#<org> / REPLY#<received>#<message id>",
        "inbox",
        "phone; the reply's text",
        ttl="expires_at",
        retention="replies",
    ),
    ItemKind(ClaimRecord, "ORG#<org> / CLAIM#<what>", "inbox", "", ttl="expires_at", retention="claim"),
    ItemKind(
        RouteRecord,
        "WAPHONE#<id> / ROUTE, WABA#<id> / ROUTE#<org>, TENANT#<p>#<t> / ROUTE#…",
        "routes",
        "",
        retention="routing",
    ),
    ItemKind(
        BsuidRecord,
        "ORG#<org> / BSUID#<user id>",
        "routes",
        "phone; WhatsApp user id",
        ttl="expires_at",
        retention="bsuid",
    ),
    ItemKind(
        PhoneAliasRecord,
        "ORG#<org> / ALIAS#<phone Meta resolved to>",
        "ledger",
        "two phone numbers",
        ttl="expires_at",
        retention="phone_alias",
    ),
    ItemKind(TemplateStateRecord, "WABA#<waba> / TEMPLATE#<name>#<language>", "templates", "", retention="routing"),
    ItemKind(
        DeliveredMarkRecord,
        "ORG#<org> / DELIVERED#<wamid>",
        "usage",
        "wamid",
        ttl="expires_at",
        retention="delivered_mark",
    ),
    ItemKind(UsageCountRecord, "ORG#<org> / USAGE#<month>#<category>#<paid|free>", "usage", "", retention="usage"),
    ItemKind(
        PaymentLinkRecord,
        "PAYLINK#<code> / LINK",
        "payment_links",
        "invoice numbers",
        ttl="expires_at",
        retention="payment_link",
    ),
    ItemKind(
        SyncCursorRecord, "ORG#<org> / SYNC#<conn>#CURSOR", "snapshots", "", ttl="expires_at", retention="snapshot"
    ),
    ItemKind(
        SyncInvoiceRecord,
        "ORG#<org> / SYNC#<conn>#INV#<id>",
        "snapshots",
        "customer name",
        ttl="expires_at",
        retention="snapshot",
    ),
    ItemKind(
        SyncCustomerRecord,
        "ORG#<org> / SYNC#<conn>#CUST#<id>",
        "snapshots",
        "customer name; phone",
        ttl="expires_at",
        retention="snapshot",
    ),
    ItemKind(
        PaymentClaimRecord,
        "ORG#<org> / PAYCLAIM#<code>",
        "payment_links",
        "invoice numbers",
        ttl="expires_at",
        retention="payment_link",
    ),
    ItemKind(
        ThanksRecord,
        "ORG#<org> / THANKS#<conn>#<invoice>",
        "thanks",
        "invoice number and amount (the customer by the vendor's id; no phone, no name)",
        ttl="expires_at",
        retention="delivery",
    ),
    ItemKind(
        PaymentInstructionsRecord,
        "ORG#<org> / PAYINFO",
        "payment_instructions",
        "bank account numbers and holders",
        retention="account",
    ),
    ItemKind(
        QrisImageRecord,
        "ORG#<org> / PAYINFO#QRIS",
        "payment_instructions",
        "the business's QRIS code",
        retention="account",
    ),
    ItemKind(
        WhatsAppAlertRecord,
        "ORG#<org> / WAALERT#ACCOUNT|TEMPLATE#<name>/<language>",
        "whatsapp_alerts",
        "",
        retention="account",
    ),
    ItemKind(
        AuditRecord,
        "ORG#<org> / AUDIT#<iso time>#<random>",
        "audit",
        "who made a change (a user's e-mail); masked phone numbers",
        ttl="expires_at",
        retention="audit",
    ),
    # Kept without end on purpose: it is what keeps an erased person from being messaged again (docs/privacy.md).
    ItemKind(
        OptOutHashRecord,
        "ORG#<org> / OPTOUTHASH#<hmac-sha256>",
        "privacy",
        "keyed one-way hash of a phone",
        retention="opt_out_hash",
    ),
)
