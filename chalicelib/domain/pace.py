"""How fast, and to how many customers a day, one WhatsApp number may send: Meta's limits as numbers.

Throughput: Meta lets a business phone number send 80 messages a second by default, more when it reports a higher
`throughput.level` for the number (GET /{phone-number-id}?fields=throughput).
https://developers.facebook.com/docs/whatsapp/throughput

Messaging limit: unique customers a business may start conversations with in a rolling 24 hours, per business
account, shown as the number's `messaging_limit_tier` (TIER_250 ... TIER_UNLIMITED). Meta gives a new verified
business 1,000, so an unknown tier counts as 1,000 (not 250: Lunas only sends for verified numbers, and a tier read
later from Meta replaces the guess; a send over the real limit comes back as an error Lunas handles anyway).
https://developers.facebook.com/docs/whatsapp/messaging-limits

Quality: a RED quality rating means customers are blocking or reporting the number; Meta lowers the limit next if it
stays RED. Lunas then sends at half the speed and uses at most half of the day's limit, so the most overdue
reminders still go while the owner looks at why.
"""

from __future__ import annotations

DEFAULT_THROUGHPUT = 80.0  # messages per second per number (Meta's default)
HEADROOM = 0.95  # pace a little under the cap: our clock and Meta's never count the same second
PAIR_GAP_SECONDS = 6.0  # Meta's pair rate limit: about one message every 6 seconds to the same customer (131056)
DEFAULT_TIER_LIMIT = 1_000  # a new verified business (see the module docstring)
RED = "RED"

TIER_LIMITS: dict[str, int | None] = {
    "TIER_250": 250,
    "TIER_1K": 1_000,
    "TIER_2K": 2_000,
    "TIER_10K": 10_000,
    "TIER_100K": 100_000,
    "TIER_UNLIMITED": None,
}


# Meta's `throughput.level` of a number -> its cap in messages a second: STANDARD 80, HIGH 1,000 (the automatic
# upgrade). https://developers.facebook.com/documentation/business-messaging/whatsapp/throughput
THROUGHPUT_BY_LEVEL = {"STANDARD": 80.0, "HIGH": 1_000.0}


def throughput_of(level: str | None) -> float | None:
    """Messages a second for Meta's throughput level (None: unknown, the default 80 applies)."""
    return THROUGHPUT_BY_LEVEL.get((level or "").upper())


def send_rate(throughput_level: float | None, quality_rating: str | None) -> float:
    """Messages per second Lunas aims at for one number."""
    cap = throughput_level if throughput_level and throughput_level > 0 else DEFAULT_THROUGHPUT
    rate = cap * HEADROOM
    return rate / 2 if (quality_rating or "").upper() == RED else rate


def messaging_limit(tier: str | None, quality_rating: str | None) -> int | None:
    """Unique recipients a rolling 24 hours may have (None: unlimited)."""
    limit = TIER_LIMITS.get((tier or "").upper(), DEFAULT_TIER_LIMIT)
    if limit is not None and (quality_rating or "").upper() == RED:
        return limit // 2
    return limit
