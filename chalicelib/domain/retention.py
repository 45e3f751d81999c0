"""How long Lunas keeps each kind of data, in one place: the storage (DynamoDB TTL), the docs and the privacy page
read these rules, so what the notice says is what the code does.

A rule either has a duration (`keep_for`, counted from `counted_from`) or is kept while the organisation exists,
with the reason (`kept_because`). DynamoDB deletes an expired item by itself, usually within a few days of its
`expires_at` (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html); the reads that must not
see a stale item (dedupe markers, claims, closures, OAuth states) check the time themselves.

Customers' rights under UU PDP (Law No. 27 of 2022) to erasure are served by the erase-by-phone and organisation
deletion flows; these rules are the defaults when nobody asks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

MONTH = dt.timedelta(days=30)
DELIVERY_RECORDS = dt.timedelta(days=548)  # 18 months: the delivery log the owner (and a dispute) can look back on


@dataclass(frozen=True, slots=True, kw_only=True)
class Retention:
    """One retention rule. Exactly one of `keep_for` and `kept_because` is set."""

    name: str
    keep_for: dt.timedelta | None = None
    counted_from: str = ""  # what starts the clock, in plain words (e.g. "when the message was sent")
    kept_because: str = ""  # why it is kept while the organisation exists

    def __post_init__(self) -> None:
        if (self.keep_for is None) == (not self.kept_because):
            raise ValueError(f"retention {self.name}: give a duration or a reason to keep it, not both")

    @property
    def expires(self) -> bool:
        return self.keep_for is not None

    def until(self, start: dt.datetime) -> dt.datetime:
        """When an item whose clock started at `start` expires (only for rules with a duration)."""
        if self.keep_for is None:
            raise ValueError(f"retention {self.name} has no duration")
        return start + self.keep_for


def _rule(name: str, keep_for: dt.timedelta, counted_from: str) -> Retention:
    return Retention(name=name, keep_for=keep_for, counted_from=counted_from)


def _kept(name: str, because: str) -> Retention:
    return Retention(name=name, kept_because=because)


DELIVERY = _rule("delivery", DELIVERY_RECORDS, "when the reminder was claimed for sending")
REPLIES = _rule("replies", DELIVERY_RECORDS, "when the reply arrived")
WAMID_POINTER = _rule("wamid_pointer", dt.timedelta(days=60), "when Meta accepted the message")
PARKED_STATUS = _rule("parked_status", dt.timedelta(days=8), "when the status happened (Meta retries for 7 days)")
DELIVERED_MARK = _rule("delivered_mark", dt.timedelta(days=60), "when the delivery was counted")
PHONE_ALIAS = _rule("phone_alias", DELIVERY_RECORDS, "when Meta resolved the number")
BSUID = _rule("bsuid", DELIVERY_RECORDS, "when the pair was first seen in a webhook")
SNAPSHOT = _rule("snapshot", MONTH, "when the connection was disconnected (kept while it is connected)")
INVOICE_VIEW = _rule("invoice_view", dt.timedelta(days=90), "the latest reminder decision about the invoice")
# Raw webhook bodies are never stored in the table: they wait in SQS (infra/lunas_infra/stateful.py), 4 days in the
# queue and 14 in its dead-letter queue when processing failed three times.
WEBHOOK_BODY = _rule("webhook_body", dt.timedelta(days=4), "when it arrived (14 days if processing kept failing)")
WEBHOOK_DEAD_LETTERS = dt.timedelta(days=14)
WEBHOOK_SEEN = _rule("webhook_seen", dt.timedelta(days=32), "when the webhook was processed (Xero replays 31 days)")
OAUTH_STATE = _rule("oauth_state", dt.timedelta(minutes=30), "the end of its 10 minutes of validity")
PHONE_FLAG = _rule("phone_flag", dt.timedelta(days=180), "when Meta said the number is not on WhatsApp")
PAUSE = _rule("pause", MONTH, "the end of the pause (a pause without an end is kept: the owner's instruction)")
CLAIM = _rule("claim", dt.timedelta(days=8), "when it was made (at most 8 days: Meta retries for 7)")
CLOSURE = _rule("closure", dt.timedelta(days=14), "when the accounting webhook reported the invoice closed")
PAYMENT_LINK = _rule("payment_link", dt.timedelta(days=90), "when the reminder with the link was sent")
LEASE = _rule("lease", dt.timedelta(days=1), "when it was taken (a lease lasts seconds)")
# The audit log: 13 months by default (a year, and the month it takes to notice); `LUNAS_AUDIT_RETENTION_DAYS`
# changes it for new entries (chalicelib/config.py).
AUDIT_DEFAULT = dt.timedelta(days=395)
AUDIT = _rule("audit", AUDIT_DEFAULT, "when it happened (configurable: LUNAS_AUDIT_RETENTION_DAYS)")

CONSENT = _kept(
    "consent",
    "it is the proof that a customer agreed to reminders, and an opt-out must never be forgotten; deleted with "
    "the organisation (an erased customer who opted out keeps only a one-way hash of the number)",
)
ACCOUNT = _kept(
    "account",
    "the organisation's own account, settings and (encrypted) provider tokens: needed to run the service; "
    "tokens are deleted at disconnect and everything with the organisation",
)
OPT_OUT_HASH = _kept(
    "opt_out_hash",
    "it is all that is left of an erased person who had opted out: a keyed one-way hash of the number, so they "
    "are never messaged again; deleted with the organisation",
)
ROUTING = _kept("routing", "which organisation a webhook belongs to; holds no personal data")
USAGE = _kept("usage", "monthly message counts for billing; holds no personal data")

RULES: dict[str, Retention] = {
    r.name: r
    for r in (
        DELIVERY,
        REPLIES,
        WAMID_POINTER,
        PARKED_STATUS,
        DELIVERED_MARK,
        PHONE_ALIAS,
        BSUID,
        SNAPSHOT,
        INVOICE_VIEW,
        WEBHOOK_BODY,
        WEBHOOK_SEEN,
        OAUTH_STATE,
        PHONE_FLAG,
        PAUSE,
        CLAIM,
        CLOSURE,
        PAYMENT_LINK,
        LEASE,
        AUDIT,
        CONSENT,
        OPT_OUT_HASH,
        ACCOUNT,
        ROUTING,
        USAGE,
    )
}

# CloudWatch Logs retention of every Lambda function's log group (infra/lunas_infra). Logs hold no phone numbers,
# wamids, tokens or message text (chalicelib/observability.py masks them).
LOG_RETENTION_DAYS = 90

# What the privacy page lists, in order: row -> the rules whose items it covers (the longest one is shown). The
# words are in i18n (`notice_row_<row>`: what and why; `notice_from_<row>`: from when, or why it is kept);
# tests/test_privacy_notice.py checks that every rule of an item kind with personal data is in a row.
NOTICE_ROWS: dict[str, tuple[str, ...]] = {
    "consent": ("consent", "opt_out_hash"),
    "delivery": ("delivery", "phone_alias", "wamid_pointer", "parked_status", "delivered_mark"),
    "replies": ("replies",),
    "bsuid": ("bsuid",),
    "snapshot": ("snapshot",),
    "invoice_view": ("invoice_view",),
    "payment_link": ("payment_link",),
    "phone_flag": ("phone_flag",),
    "pause": ("pause",),
    "webhook_body": ("webhook_body",),
    "oauth_state": ("oauth_state",),
    "account": ("account",),
    "audit": ("audit",),
}


def longest(names: tuple[str, ...]) -> Retention:
    """The rule of `names` that keeps data longest (a kept rule is longer than any duration)."""
    rules = [RULES[n] for n in names]
    kept = [r for r in rules if r.keep_for is None]
    return kept[0] if kept else max(rules, key=lambda r: r.keep_for or dt.timedelta(0))


def describe(rule: Retention, language: str = "en") -> str:
    """The rule's duration in plain words ("18 months", "30 days", "30 minutes"), or "" for a kept rule."""
    if rule.keep_for is None:
        return ""
    days = rule.keep_for.days
    if days == 0:
        minutes = int(rule.keep_for.total_seconds() // 60)
        return f"{minutes} {'menit' if language == 'id' else 'minutes'}"
    if days == DELIVERY_RECORDS.days:
        return f"18 {'bulan' if language == 'id' else 'months'}"
    if days == 1:
        return "1 hari" if language == "id" else "1 day"
    return f"{days} {'hari' if language == 'id' else 'days'}"
