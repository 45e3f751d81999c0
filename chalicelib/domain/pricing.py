"""What the owner's WhatsApp messages cost: delivered messages per pricing category and a rough estimate.

Meta bills per delivered message (per-message pricing, `pricing_model` "PMP", since 1 July 2025). Each status
webhook of a billable message carries `pricing`: `category` (utility / marketing / authentication /
authentication_international / marketing_lite / service / referral_conversion), `type` (`regular`: charged;
`free_customer_service`, `free_entry_point`: free) and the deprecated `billable`.
https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/status
https://developers.facebook.com/documentation/business-messaging/whatsapp/pricing

The estimate is Meta's list price only (no volume tiers, no partner fees, no tax), in USD converted to the owner's
currency at a configurable rate (`LUNAS_USD_RATES`, e.g. "IDR=16500,SGD=1.30"): an estimate, never an invoice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

UNKNOWN = "unknown"  # a delivered message whose status carried no pricing block (yet)
PAID_TYPE = "regular"

# Meta's published per-message list prices in USD by recipient market, read on 2 December 2026 from
# https://developers.facebook.com/documentation/business-messaging/whatsapp/pricing (rate card effective
# 1 July 2025). An ESTIMATE: Meta changes them (a change is announced for 1 October 2026 in some markets), applies
# volume tiers to utility and authentication, and bills in the WhatsApp Business Account's currency.
# Service messages (replies inside the customer-service window) are free.
RATE_CARD_USD: Mapping[str, Mapping[str, Decimal]] = {
    "ID": {
        "marketing": Decimal("0.0411"),
        "marketing_lite": Decimal("0.0411"),
        "utility": Decimal("0.0250"),
        "authentication": Decimal("0.0250"),
        "authentication_international": Decimal("0.1360"),
        "service": Decimal("0"),
        "referral_conversion": Decimal("0"),
    },
}

# USD -> currency, used when LUNAS_USD_RATES does not say (an approximate rate of December 2026; configurable).
DEFAULT_USD_RATES: Mapping[str, Decimal] = {"USD": Decimal("1"), "IDR": Decimal("16500")}
_CURRENCY_DECIMALS = {"IDR": 0, "JPY": 0, "VND": 0}
# The owner's currency for the estimate, by the organisation's country (the markets Lunas serves).
CURRENCY_OF_COUNTRY = {"ID": "IDR", "SG": "SGD", "MY": "MYR", "TH": "THB", "PH": "PHP", "VN": "VND", "AU": "AUD"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Delivered:
    """One message the customer's phone received (a `delivered` or `read` status), as Meta priced it."""

    wamid: str
    month: str  # "YYYY-MM" in the organisation's time zone, of the delivery
    category: str  # Meta's pricing.category, lower case, or UNKNOWN
    paid: bool  # pricing.type "regular" (or billable when no type)


@dataclass(frozen=True, slots=True)
class CategoryCount:
    category: str
    paid: bool
    count: int


@dataclass(frozen=True, slots=True)
class MonthUsage:
    """Delivered messages of one organisation in one month, per category and paid/free."""

    month: str
    counts: tuple[CategoryCount, ...] = ()

    @property
    def delivered(self) -> int:
        return sum(c.count for c in self.counts)

    def by_category(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for c in self.counts:
            totals[c.category] = totals.get(c.category, 0) + c.count
        return {k: v for k, v in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])) if v}


def month_of(at: dt.datetime, timezone: str) -> str:
    """The month an instant falls in, in the organisation's time zone ("2026-12")."""
    return at.astimezone(ZoneInfo(timezone)).strftime("%Y-%m")


def is_paid(pricing_type: str | None, billable: bool | None) -> bool:
    """Meta charges a `regular` message; without a type (older payloads) the deprecated `billable` says."""
    if pricing_type:
        return pricing_type.lower() == PAID_TYPE
    return billable is not False


def parse_usd_rates(text: str) -> dict[str, Decimal]:
    """ "IDR=16500,SGD=1.30" -> {"IDR": 16500, "SGD": 1.30}, on top of the defaults; bad parts are ignored."""
    rates = dict(DEFAULT_USD_RATES)
    for part in text.split(","):
        code, _, value = part.partition("=")
        try:
            rate = Decimal(value.strip())
        except ArithmeticError:
            continue
        if code.strip() and rate > 0:
            rates[code.strip().upper()] = rate
    return rates


def estimate(usage: MonthUsage, *, country: str, currency: str, usd_rates: Mapping[str, Decimal]) -> Decimal | None:
    """About what Meta charges for these messages, in `currency`; None when the market or the rate is unknown."""
    card = RATE_CARD_USD.get(country.upper())
    rate = usd_rates.get(currency.upper())
    if card is None or rate is None:
        return None
    usd = sum(
        (card.get(c.category, card["utility"]) * c.count for c in usage.counts if c.paid and c.category != UNKNOWN),
        Decimal(0),
    )
    places = Decimal(1).scaleb(-_CURRENCY_DECIMALS.get(currency.upper(), 2))
    return (usd * rate).quantize(places, rounding=ROUND_HALF_UP)


def merged(counts: Iterable[CategoryCount]) -> tuple[CategoryCount, ...]:
    """Several counters of the same (category, paid) added up, zero ones dropped."""
    totals: dict[tuple[str, bool], int] = {}
    for c in counts:
        totals[(c.category, c.paid)] = totals.get((c.category, c.paid), 0) + c.count
    return tuple(CategoryCount(cat, paid, n) for (cat, paid), n in sorted(totals.items()) if n > 0)
