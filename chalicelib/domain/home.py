"""The home page's month in numbers: messages sent / delivered / read / failed, and money settled after a reminder.

Pure functions over what the stores hand back (the send ledger's messages and reminders, the synced open invoices),
so every number on the home page is unit-tested without a database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from chalicelib.domain.models import LedgerState, Money
from chalicelib.domain.records import MessageEntry

InvoiceKey = tuple[str, str]  # (connection_id, invoice_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthMessages:
    """Reminder messages of one month (one per customer phone per day, a statement counting once)."""

    sent: int = 0  # Meta accepted them
    delivered: int = 0  # reached the phone (read ones included)
    read: int = 0
    failed: int = 0  # Meta refused them, or could not deliver them
    unconfirmed: int = 0  # claimed, outcome not known yet (never re-sent blindly)

    @property
    def total(self) -> int:
        return self.sent + self.failed + self.unconfirmed


def month_key(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def count_messages(messages: Iterable[MessageEntry], month: str) -> MonthMessages:
    """Count the messages whose local date (the organisation's calendar, as claimed) falls in `month` ("2026-12")."""
    sent = delivered = read = failed = unconfirmed = 0
    for message in messages:
        if month_key(message.local_date) != month:
            continue
        if message.state is LedgerState.FAILED or message.delivery == "failed":
            failed += 1
            continue
        if message.state is LedgerState.CLAIMED:
            unconfirmed += 1
            continue
        sent += 1
        delivered += message.delivery in ("delivered", "read")
        read += message.delivery == "read"
    return MonthMessages(sent=sent, delivered=delivered, read=read, failed=failed, unconfirmed=unconfirmed)


def ever_delivered(messages: Iterable[MessageEntry]) -> bool:
    """Whether any reminder ever reached a customer's phone (the getting-started checklist's last step)."""
    return any(m.delivery in ("delivered", "read") for m in messages)


@dataclass(frozen=True, slots=True, kw_only=True)
class SettledAfterReminder:
    """Invoices reminded this month that are no longer owed, and their last known balances per currency."""

    invoices: int
    amounts: tuple[Money, ...]


def reminded_in_month(messages: Iterable[MessageEntry], month: str) -> set[InvoiceKey]:
    """The invoices a reminder went out for (Meta accepted it, and did not report it undelivered) in `month` of the
    organisation's calendar: the messages' own reminders (`ledger_keys`: connection#invoice#stage), no other query."""
    keys: set[InvoiceKey] = set()
    for message in messages:
        if message.state is not LedgerState.SENT or message.delivery == "failed":
            continue  # never reached the customer: nothing to credit it with
        if month_key(message.local_date) != month:
            continue
        for ledger_key in message.ledger_keys:
            connection_id, invoice_id, _stage = ledger_key.rsplit("#", 2)
            keys.add((connection_id, invoice_id))
    return keys


def settled_after_reminder(
    reminded: Iterable[InvoiceKey],
    *,
    still_open: set[InvoiceKey],
    synced_connections: set[str],
    closures: Mapping[InvoiceKey, str],
    balances: Mapping[InvoiceKey, Money],
) -> SettledAfterReminder:
    """Reminded invoices that were paid since: reported paid by an accounting webhook, or gone from the open invoices
    of a connection still synced (Xero / QuickBooks list only open invoices, so a paid one leaves the list).

    Left out, because Lunas cannot tell they were paid: invoices a webhook reported voided or deleted, invoices of a
    connection no longer synced (disconnected), and invoices whose balance Lunas never recorded. An invoice voided
    without a webhook is indistinguishable from a paid one here (docs/dashboard.md says so).
    """
    sums: dict[str, Decimal] = {}
    count = 0
    for key in sorted(set(reminded)):
        status = closures.get(key)
        paid = status == "paid" or (status is None and key[0] in synced_connections and key not in still_open)
        balance = balances.get(key)
        if not paid or balance is None:
            continue
        count += 1
        sums[balance.currency] = sums.get(balance.currency, Decimal(0)) + balance.amount
    return SettledAfterReminder(
        invoices=count, amounts=tuple(Money(amount, currency) for currency, amount in sorted(sums.items()))
    )


def stage_offset(key: str) -> int | None:
    """A stage's key (`d-3`, `d0`, `d+20`, as `Stage.key` writes it) -> its days from the due date; None if not one."""
    if not key.startswith("d"):
        return None
    try:
        return int(key[1:])
    except ValueError:
        return None


def cycle_counts(summary: str) -> tuple[tuple[str, int], ...] | None:
    """A cycle's stored summary (`already_sent=4, no_consent=3`, `CycleResult.summary`) -> (reason, count) pairs;
    () for "no open invoices"; None for any other text (an error the worker wrote)."""
    text = summary.strip()
    if text == "no open invoices":
        return ()
    pairs = []
    for part in text.split(","):
        reason, sep, count = part.strip().partition("=")
        if not sep or not reason or not count.isdigit():
            return None
        pairs.append((reason, int(count)))
    return tuple(pairs) or None
