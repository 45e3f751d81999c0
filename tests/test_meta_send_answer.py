"""Meta's send answer is recorded as Meta gives it: a message held back by template pacing is not "sent" until a
status webhook says so, and the WhatsApp id Meta resolved the number to (`contacts[0].wa_id`) is kept where the
statuses are matched, without touching consent.

End to end through the real pieces: the cycle's handler sends through pywa to the fake Meta, whose `/_sandbox/`
API makes a send come back held or resolved to another WhatsApp id; statuses come back through the signed webhook
route and the queue worker.
"""

from __future__ import annotations

import httpx

from chalicelib import bootstrap
from chalicelib.domain.models import LedgerState
from chalicelib.domain.records import MessageEntry
from sandbox.run import Sandbox
from tests.world import World

BUDI = "+6281234567001"
# A Mexican mobile as the accounting system writes it; WhatsApp's id for it keeps the old mobile "1" after 52.
CARLOS = "+525512345678"
CARLOS_WA_ID = "5215512345678"


def _messages(world: World) -> list[MessageEntry]:
    return bootstrap.container().stores.ledger.messages(world.org_id)


def _send_answer(sandbox: Sandbox, **spec: object) -> None:
    answer = httpx.post(f"{sandbox.meta.url}/_sandbox/meta/send_answers", json=spec, timeout=10)
    assert answer.status_code == 200, answer.text


def test_a_send_held_for_quality_assessment_is_not_sent_until_meta_releases_it(world: World, sandbox: Sandbox) -> None:
    world.customer("Budi Santoso", BUDI)
    world.invoice("INV-001", "Budi Santoso", due_in_days=-4)
    world.create()
    world.consent(BUDI)
    _send_answer(sandbox, to=BUDI, message_status="held_for_quality_assessment")

    world.run_cycle()
    sandbox.drain_webhooks(flush_fakes=True)
    reason, detail = world.decisions()["INV-001"]
    assert (reason, detail.split(":")[0]) == ("send_unconfirmed", "held by Meta for quality assessment")
    [message] = _messages(world)
    assert (message.state, message.accepted_status, message.delivery) == (
        LedgerState.CLAIMED,
        "held_for_quality_assessment",
        None,
    )
    [held] = sandbox.meta.held()
    assert message.wamid == held  # recorded, so its statuses find it

    world.run_cycle()  # a held message is never sent again
    assert world.reasons()["INV-001"] == "send_unconfirmed"
    assert len(world.messages()) == 1

    released = httpx.post(f"{sandbox.meta.url}/_sandbox/meta/held", json={"wamid": held}, timeout=10)
    assert released.status_code == 200, released.text
    sandbox.drain_webhooks(flush_fakes=True)
    [message] = _messages(world)
    assert (message.state, message.delivery) == (LedgerState.SENT, "read")  # the statuses said it went out
    world.run_cycle()
    assert world.reasons()["INV-001"] == "already_sent"
    assert len(world.messages()) == 1


def test_a_held_send_that_meta_drops_is_failed_and_not_retried(world: World, sandbox: Sandbox) -> None:
    world.customer("Budi Santoso", BUDI)
    world.invoice("INV-001", "Budi Santoso", due_in_days=-4)
    world.create()
    world.consent(BUDI)
    sandbox.meta.set_send_answer(BUDI, message_status="paused")
    world.run_cycle()
    assert world.decisions()["INV-001"][1].startswith("paused by Meta")
    [held] = sandbox.meta.held()
    sandbox.meta.drop_held(held)
    sandbox.drain_webhooks(flush_fakes=True)
    [message] = _messages(world)
    assert (message.delivery, message.error_code) == ("failed", 132015)
    world.run_cycle()
    assert len(world.messages()) == 1


def test_the_whatsapp_id_meta_resolved_the_number_to_is_kept_and_its_statuses_find_the_message(
    world: World, sandbox: Sandbox
) -> None:
    world.customer("Carlos Ruiz", CARLOS)
    world.invoice("INV-001", "Carlos Ruiz", due_in_days=-4)
    world.create()
    world.consent(CARLOS)
    _send_answer(sandbox, to=CARLOS, wa_id=CARLOS_WA_ID)
    sandbox.meta.set_not_on_whatsapp(CARLOS_WA_ID)  # Meta's statuses name the resolved id: here it fails (131026)

    world.run_cycle()
    sandbox.drain_webhooks(flush_fakes=True)
    assert world.reasons()["INV-001"] == "sent"
    [message] = _messages(world)
    assert (message.phone, message.wa_id, message.accepted_status) == (CARLOS, CARLOS_WA_ID, "accepted")
    assert (message.delivery, message.error_code) == ("failed", 131026)  # statuses for the resolved id applied
    statuses = [d for d in sandbox.meta.deliveries()["deliveries"] if d["wamid"] == message.wamid]
    assert statuses and all(f'"recipient_id":"{CARLOS_WA_ID}"' in d["body"] for d in statuses)
    stores = bootstrap.container().stores
    # The number the business knows is flagged (not Meta's id), and consent stays where it was recorded.
    assert stores.phone_flags.unreachable(world.org_id, [CARLOS, f"+{CARLOS_WA_ID}"]) == frozenset({CARLOS})
    assert set(stores.consents.for_phones(world.org_id, [CARLOS, f"+{CARLOS_WA_ID}"])) == {CARLOS}


def test_a_stop_tapped_from_the_whatsapp_id_meta_resolved_to_opts_out_the_number_we_message(
    world: World, sandbox: Sandbox
) -> None:
    """Meta delivers to the id it resolved our number to, so the customer's replies come from that id: a STOP from
    it must stop the number whose consent we hold, or the next reminder would go out after an opt-out."""
    world.customer("Carlos Ruiz", CARLOS)
    world.invoice("INV-001", "Carlos Ruiz", due_in_days=-4)
    world.create()
    world.consent(CARLOS)
    _send_answer(sandbox, to=CARLOS, wa_id=CARLOS_WA_ID)
    world.run_cycle()
    [message] = _messages(world)
    assert message.wa_id == CARLOS_WA_ID
    sandbox.meta.simulate_button_tap(message.wamid or "", button_index=1)  # "stop reminders", from +5215512345678
    sandbox.drain_webhooks(flush_fakes=True)
    consents = bootstrap.container().stores.consents.for_phones(world.org_id, [CARLOS, f"+{CARLOS_WA_ID}"])
    assert set(consents) == {CARLOS} and consents[CARLOS].status.value == "opted_out"
