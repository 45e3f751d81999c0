"""The correlation key Lunas gives Meta with every message (biz_opaque_callback_data).

Meta echoes it on every status webhook for that message, so a status can complete the send ledger even when the
worker died between "Meta accepted" and "we recorded it".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


def tracker_for(org_id: str, msg_key: str) -> str:
    return f"{org_id}|{msg_key}"


def parse_tracker(tracker: str) -> tuple[str, str] | None:
    """(org_id, message key), or None for a tracker Lunas did not write (the message key is the ledger's, opaque)."""
    org_id, sep, msg_key = tracker.partition("|")
    if not sep or not org_id or not msg_key:
        return None
    return org_id, msg_key


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryStatus:
    """One delivery status from Meta (sent, delivered, read, failed), matched to its organisation and message."""

    org_id: str
    message_key: str
    wamid: str
    status: str
    at: dt.datetime
    recipient_id: str = ""
    error_code: int | None = None
    error_title: str | None = None
    pricing_category: str | None = None
