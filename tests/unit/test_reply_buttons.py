"""The templates' "I have paid" and "Need more time" quick replies, on the in-memory stores.

A cycle sends the reminder (its wamid is recorded in the send ledger); the tap arrives as Meta posts it, with the
payload the sender attached and the reminder's wamid as its context, and goes through `WhatsAppWebhookProcessor`.
"""

from __future__ import annotations

import datetime as dt

import pytest

from chalicelib.domain.models import Reason
from chalicelib.domain.records import DEFAULT_CLAIM_HOLD_DAYS
from chalicelib.domain.replies import (
    MORE_TIME_PAUSE,
    MORE_TIME_PAYLOAD,
    SAID_PAID_PAYLOAD,
    ReplyIntent,
    classify_button,
)
from tests.builders import CONN, TUESDAY_10_JKT
from tests.unit.fakes import button, inbound
from tests.unit.rig import ORG, P1, Rig, decision

T0 = TUESDAY_10_JKT


@pytest.mark.parametrize(
    ("payload", "label", "intent"),
    [
        (SAID_PAID_PAYLOAD, "Sudah bayar", ReplyIntent.SAID_PAID),
        (SAID_PAID_PAYLOAD, "I have paid", ReplyIntent.SAID_PAID),
        (MORE_TIME_PAYLOAD, "Minta waktu", ReplyIntent.MORE_TIME),
        (MORE_TIME_PAYLOAD, "Need more time", ReplyIntent.MORE_TIME),
        ("SOMETHING_ELSE", "Minta waktu", ReplyIntent.OTHER),  # only our payloads count, not the words
    ],
)
def test_the_payload_decides_whatever_the_language(payload: str, label: str, intent: ReplyIntent) -> None:
    assert classify_button(payload, label).intent is intent


def _sent_wamid(rig: Rig) -> str:
    assert decision(rig.cycle()).reason is Reason.SENT
    [message] = rig.stores.ledger.messages(ORG)
    assert message.wamid is not None
    assert dict(message.body_params)["invoice_number"] == "No-INV-1"  # kept at send time for the owner's pages
    return message.wamid


def test_i_have_paid_holds_the_invoices_of_the_message_it_was_tapped_on() -> None:
    rig = Rig()
    wamid = _sent_wamid(rig)
    rig.webhook(inbound(P1, button(SAID_PAID_PAYLOAD, "Sudah bayar", "wamid.in.1", wamid), T0))
    held = rig.stores.holds.pause_notes(ORG, T0)
    assert list(held) == [(CONN, "INV-1")]
    detail, why = held[(CONN, "INV-1")]
    assert 'tapped "I have paid" on the WhatsApp reminder' in detail
    assert why.key == "said_paid_whatsapp" and dict(why.values)["said_at"] == T0.isoformat()
    _, invoices = rig.stores.holds.active(ORG, T0 + dt.timedelta(days=DEFAULT_CLAIM_HOLD_DAYS) - dt.timedelta(1))
    assert (CONN, "INV-1") in invoices
    _, later = rig.stores.holds.active(ORG, T0 + dt.timedelta(days=DEFAULT_CLAIM_HOLD_DAYS, seconds=1))
    assert (CONN, "INV-1") not in later
    assert rig.stores.holds.paused_phones(ORG, [P1], T0) == frozenset()  # the invoice is held, not the customer
    [stored] = rig.stores.replies.for_org(ORG)
    assert (stored.intent, stored.context_wamid) == ("said_paid", wamid)
    assert stored.action.startswith("invoices held until ")


def test_i_have_paid_on_an_unknown_message_pauses_the_customer_instead() -> None:
    rig = Rig()
    rig.webhook(inbound(P1, button(SAID_PAID_PAYLOAD, "Sudah bayar", "wamid.in.1", "wamid.unknown"), T0))
    assert rig.stores.holds.paused_phones(ORG, [P1], T0 + dt.timedelta(days=DEFAULT_CLAIM_HOLD_DAYS - 1)) == {P1}
    assert rig.stores.holds.pause_notes(ORG, T0) == {}


def test_need_more_time_pauses_the_customer_for_a_week() -> None:
    rig = Rig()
    wamid = _sent_wamid(rig)
    rig.webhook(inbound(P1, button(MORE_TIME_PAYLOAD, "Minta waktu", "wamid.in.2", wamid), T0))
    assert rig.stores.holds.paused_phones(ORG, [P1], T0 + MORE_TIME_PAUSE - dt.timedelta(seconds=1)) == {P1}
    assert rig.stores.holds.paused_phones(ORG, [P1], T0 + MORE_TIME_PAUSE) == frozenset()
    [stored] = rig.stores.replies.for_org(ORG)
    assert stored.intent == "more_time" and stored.action == "reminders paused until 2026-12-01 03:00 UTC"
