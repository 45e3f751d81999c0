"""Meta's webhooks on the in-memory stores: customers' replies (STOP, START, anything else) and delivery statuses.

Bodies have the shapes Meta posts (and tests/test_webhooks_meta.py sends over HTTP to the sandbox); they go through
`WhatsAppWebhookProcessor`, as the webhook worker runs it, with the reply rules of `services/replies.py`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from chalicelib.domain.models import (
    STOP_REMINDERS_PAYLOAD,
    ConsentStatus,
    LedgerState,
    Reason,
    ReminderSettings,
    WhatsAppAccount,
)
from tests.builders import CONN, TUESDAY_10_JKT, consent
from tests.unit.fakes import WorkerDied, button, inbound, status, text
from tests.unit.rig import ORG, P1, REPLY_PAUSE, Rig, decision

T0 = TUESDAY_10_JKT
ID_CONFIRMATION = (
    "Baik, Anda tidak akan menerima pengingat tagihan dari Toko Maju lagi melalui WhatsApp. "
    "Balas MULAI jika ingin menerimanya kembali."
)
EN_CONFIRMATION = (
    "Done: you will no longer receive invoice reminders from Toko Maju on WhatsApp. Reply START to receive them again."
)


@pytest.fixture
def rig() -> Rig:
    return Rig()


def reply(rig: Rig, message: dict[str, Any], *, at: dt.datetime = T0, phone: str = P1) -> Any:
    return rig.webhook(inbound(phone, message, at))


def consent_of(rig: Rig, phone: str = P1) -> Any:
    return rig.stores.consents.for_phones(ORG, [phone]).get(phone)


# -- opting out and back in -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "source", "said", "confirmation"),
    [
        pytest.param(text("STOP", "wamid.in.1"), "whatsapp_reply", "STOP", EN_CONFIRMATION, id="STOP"),
        pytest.param(text("berhenti", "wamid.in.1"), "whatsapp_reply", "berhenti", ID_CONFIRMATION, id="berhenti"),
        pytest.param(
            button(STOP_REMINDERS_PAYLOAD, "Hentikan pengingat", "wamid.in.1"),
            "whatsapp_button",
            "Hentikan pengingat",
            ID_CONFIRMATION,  # a button says no language: the organisation's
            id="stop-button",
        ),
    ],
)
def test_stop_opts_out_with_evidence_and_one_confirmation(
    rig: Rig, message: dict[str, Any], source: str, said: str, confirmation: str
) -> None:
    reply(rig, message, at=T0 - dt.timedelta(minutes=1))
    current = consent_of(rig)
    assert (current.status, current.source, current.captured_at) == (
        ConsentStatus.OPTED_OUT,
        source,
        T0 - dt.timedelta(minutes=1),
    )
    assert "wamid.in.1" in current.evidence and f'"{said}"' in current.evidence
    assert [(t.to, t.text) for t in rig.sender.texts] == [(P1, confirmation)]
    [stored] = rig.stores.replies.for_org(ORG)
    assert (stored.intent, stored.action, stored.message_id) == ("opt_out", "opted_out", "wamid.in.1")
    assert decision(rig.cycle()).reason is Reason.OPTED_OUT  # and the next cycle honours it


def test_a_stop_button_from_a_customer_abroad_is_confirmed_in_english(rig: Rig) -> None:
    """A button carries no words to tell the language: the confirmation comes in the language of their reminders."""
    australian = "+61412345678"
    reply(rig, button(STOP_REMINDERS_PAYLOAD, "Stop reminders", "wamid.in.au"), phone=australian)
    assert [(t.to, t.text) for t in rig.sender.texts] == [(australian, EN_CONFIRMATION)]


@pytest.mark.parametrize("word", ["START", "MULAI"])
def test_start_after_an_opt_out_opts_back_in(rig: Rig, word: str) -> None:
    reply(rig, text("STOP", "wamid.in.1"))
    reply(rig, text(word, "wamid.in.2"), at=T0 + dt.timedelta(hours=1))
    assert consent_of(rig).status is ConsentStatus.OPTED_IN
    assert [c.status for c in rig.stores.consents.history(ORG, P1)] == [
        ConsentStatus.OPTED_IN,  # the signed form
        ConsentStatus.OPTED_OUT,
        ConsentStatus.OPTED_IN,
    ]
    assert len(rig.sender.texts) == 1  # only the opt-out is confirmed
    assert decision(rig.cycle()).reason is Reason.SENT


def test_yes_answers_the_prompt_in_the_confirmation_and_opts_back_in(rig: Rig) -> None:
    reply(rig, text("STOP", "wamid.in.1"))
    reply(rig, text("ya", "wamid.in.2"), at=T0 + dt.timedelta(hours=2))
    assert consent_of(rig).status is ConsentStatus.OPTED_IN


def test_yes_without_a_prompt_is_just_a_reply(rig: Rig) -> None:
    reply(rig, text("ya", "wamid.in.1"))
    assert consent_of(rig) == consent(ORG, P1)  # unchanged: the signed form
    assert rig.stores.holds.paused_phones(ORG, [P1], T0) == {P1}


def test_stop_twice_is_one_opt_out(rig: Rig) -> None:
    reply(rig, text("STOP", "wamid.in.1"))
    reply(rig, text("stop!!", "wamid.in.2"), at=T0 + dt.timedelta(minutes=5))
    assert [c.status for c in rig.stores.consents.history(ORG, P1)] == [
        ConsentStatus.OPTED_IN,
        ConsentStatus.OPTED_OUT,
    ]
    assert len(rig.sender.texts) == 1
    assert [r.action for r in rig.stores.replies.for_org(ORG)] == ["already opted out", "opted_out"]


# -- any other reply pauses that customer ---------------------------------------------------------------------------


def test_any_other_reply_pauses_that_phone_for_the_configured_days(rig: Rig) -> None:
    reply(rig, text("Kapan jatuh temponya pak? Saya transfer besok", "wamid.in.1"))
    assert rig.stores.holds.paused_phones(ORG, [P1], T0 + REPLY_PAUSE - dt.timedelta(seconds=1)) == {P1}
    assert rig.stores.holds.paused_phones(ORG, [P1], T0 + REPLY_PAUSE) == frozenset()
    assert consent_of(rig) == consent(ORG, P1)  # a question is not an opt-out
    assert rig.sender.texts == []
    assert decision(rig.cycle()).reason is Reason.PAUSED
    [stored] = rig.stores.replies.for_org(ORG)
    assert (stored.intent, stored.action) == ("other", "reminders paused until 2026-11-27 03:00 UTC")


def test_a_late_older_reply_never_shortens_the_pause(rig: Rig) -> None:
    reply(rig, text("besok saya bayar", "wamid.in.2"), at=T0)
    reply(rig, text("halo", "wamid.in.1"), at=T0 - dt.timedelta(days=2))  # delivered late
    assert rig.stores.holds.paused_phones(ORG, [P1], T0 + REPLY_PAUSE - dt.timedelta(seconds=1)) == {P1}


def test_a_photo_pauses_too(rig: Rig) -> None:
    photo = {"id": "wamid.in.1", "type": "image", "image": {"caption": "bukti transfer", "id": "media-1"}}
    reply(rig, photo)
    assert rig.stores.holds.paused_phones(ORG, [P1], T0 + dt.timedelta(days=1)) == {P1}
    assert rig.stores.replies.for_org(ORG)[0].text == "bukti transfer"


# -- redelivery and routing -----------------------------------------------------------------------------------------


def test_a_duplicate_webhook_changes_nothing_the_second_time(rig: Rig) -> None:
    body = inbound(P1, text("STOP", "wamid.in.1"), T0)
    first = rig.webhook(body)
    rig.clock.advance(dt.timedelta(hours=6))  # Meta retries for up to 7 days
    second = rig.webhook(body)
    assert (first.messages, first.duplicates, second.messages, second.duplicates) == (1, 0, 0, 1)
    assert len(rig.stores.consents.history(ORG, P1)) == 2
    assert len(rig.sender.texts) == 1
    assert len(rig.stores.replies.for_org(ORG)) == 1


def test_a_webhook_for_an_unknown_number_is_acknowledged_and_ignored(rig: Rig) -> None:
    report = rig.webhook(inbound(P1, text("STOP", "wamid.in.1"), T0), phone_number_id="999999")
    assert report.unknown_numbers == 1
    assert consent_of(rig).status is ConsentStatus.OPTED_IN
    assert rig.sender.texts == [] and rig.stores.replies.for_org(ORG) == []


# -- delivery statuses ----------------------------------------------------------------------------------------------


def _sent(rig: Rig) -> tuple[str, str]:
    """Send the default reminder; (wamid, tracker)."""
    assert decision(rig.cycle()).reason is Reason.SENT
    [sent] = rig.sender.templates
    return sent.wamid, sent.tracker


def _delivery(rig: Rig) -> tuple[str | None, set[str | None]]:
    [message] = rig.stores.ledger.messages(ORG)
    return message.delivery, {e.delivery for e in rig.stores.ledger.entries(ORG)}


def test_statuses_move_the_ledger_forward_only(rig: Rig) -> None:
    wamid, tracker = _sent(rig)
    later = T0 + dt.timedelta(minutes=5)
    rig.webhook({"statuses": [status(wamid, "delivered", T0, tracker=tracker)]})
    assert _delivery(rig) == ("delivered", {"delivered"})
    rig.webhook({"statuses": [status(wamid, "read", later, tracker=tracker)]})
    rig.webhook({"statuses": [status(wamid, "sent", T0, tracker=tracker)]})  # late and out of order
    assert _delivery(rig) == ("read", {"read"})
    report = rig.webhook({"statuses": [status(wamid, "read", later, tracker=tracker)]})  # redelivered
    assert (report.statuses, report.duplicates) == (0, 1)


def test_a_status_without_our_tracker_is_matched_by_its_wamid(rig: Rig) -> None:
    wamid, _ = _sent(rig)
    rig.webhook({"statuses": [status(wamid, "delivered", T0)]})
    assert _delivery(rig) == ("delivered", {"delivered"})


def test_a_status_completes_a_send_whose_worker_died(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    def die(*args: object, **kwargs: object) -> None:
        raise WorkerDied("killed after Meta accepted the message")

    with monkeypatch.context() as patched:
        patched.setattr(rig.stores.ledger, "record_sent", die)
        with pytest.raises(WorkerDied):
            rig.cycle()
    [sent] = rig.sender.templates
    assert decision(rig.cycle()).reason is Reason.SEND_UNCONFIRMED

    rig.webhook({"statuses": [status(sent.wamid, "delivered", T0, tracker=sent.tracker)]})
    assert rig.stores.ledger.states(ORG, [f"{CONN}#INV-1#d+7"]) == {f"{CONN}#INV-1#d+7": LedgerState.SENT}
    assert decision(rig.cycle()).reason is Reason.ALREADY_SENT
    assert len(rig.sender.templates) == 1


def test_a_status_before_its_send_is_recorded_waits_for_it(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    """Meta's `read` can overtake our own write of the wamid: parked, then applied when the send is recorded."""
    record_sent = rig.stores.ledger.record_sent

    def webhook_first(org_id: str, msg_key: str, wamid: str, at: dt.datetime, **answer: str) -> None:
        rig.webhook({"statuses": [status(wamid, "read", T0)]})  # no tracker: only the wamid names it
        record_sent(org_id, msg_key, wamid, at, **answer)

    monkeypatch.setattr(rig.stores.ledger, "record_sent", webhook_first)
    assert decision(rig.cycle()).reason is Reason.SENT
    assert _delivery(rig) == ("read", {"read"})


def test_a_status_posted_for_another_organisations_number_is_refused(rig: Rig) -> None:
    """Whatever its tracker or wamid say, a status changes only the ledger of the number's own organisation."""
    wamid, tracker = _sent(rig)
    other = WhatsAppAccount(phone_number_id="777000", business_account_id="", access_token="EAAG-other")
    rig.stores.organisations.save(ReminderSettings(org_id="org-other", business_name="Lain"), other)
    report = rig.webhook({"statuses": [status(wamid, "read", T0, tracker=tracker)]}, phone_number_id="777000")
    assert report.statuses == 1
    assert _delivery(rig) == (None, {None})


def test_undeliverable_131026_flags_the_phone(rig: Rig) -> None:
    wamid, tracker = _sent(rig)
    failed = status(wamid, "failed", T0, tracker=tracker, errors=[{"code": 131026, "title": "Message undeliverable"}])
    rig.webhook({"statuses": [failed]})
    [message] = rig.stores.ledger.messages(ORG)
    assert (message.delivery, message.error_code) == ("failed", 131026)
    assert rig.stores.phone_flags.unreachable(ORG, [P1]) == {P1}
    rig.clock.advance(dt.timedelta(days=7))  # the d+14 stage is due: that number is not tried again
    assert decision(rig.cycle()).reason is Reason.NOT_ON_WHATSAPP
