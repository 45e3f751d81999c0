"""Each class of Meta error, end to end: the real cycle and pywa against the fake Meta answering Meta's documented error
bodies (`FakeMetaGraph.set_send_error`), DynamoDB on moto. chalicelib/domain/meta_errors.py has the table.

The cycle runs from the container's own dependencies, with two changes: one send at a time (so "the rest of the
cycle" is well defined) and waits recorded instead of slept.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.domain.meta_errors import AlertKind, WhatsAppAlert
from chalicelib.domain.models import VerifiedWhatsAppNumber
from chalicelib.services.reminders import CycleResult, run_cycle
from sandbox.fakehttp import Fault
from sandbox.run import Sandbox
from tests.world import TUESDAY_10_JAKARTA, World

BUDI = "+6281234567101"
SARI = "+6281234567102"
WARUNG = "+6281234567103"


def _three_customers(world: World) -> World:
    """Three opted-in customers, each with one invoice at a reminder stage today (most overdue first: Budi)."""
    for name, phone, days in (("Budi", BUDI, -8), ("Sari", SARI, -4), ("Warung", WARUNG, -4)):
        world.customer(name, phone)
        world.invoice(f"INV-{name}", name, due_in_days=days)
    world.create()
    for phone in (BUDI, SARI, WARUNG):
        world.consent(phone)
    return world


def _cycle(world: World, slept: list[float] | None = None, **changes: Any) -> CycleResult:
    lunas = bootstrap.container()
    connection = lunas.stores.connections.get(world.org_id, world.connection_id)
    deps = lunas.cycle_dependencies(connection)
    waits = slept if slept is not None else []
    return run_cycle(connection, dataclasses.replace(deps, concurrency=1, sleep=waits.append, **changes))


def _sends(sandbox: Sandbox, world: World) -> int:
    return len(sandbox.meta.recorded(rf"/{world.phone_number_id}/messages$"))


@pytest.mark.parametrize("code", [190, 368, 131031, 131042, 131048])
def test_an_account_error_stops_every_send_of_the_organisation_until_the_number_is_saved_again(
    world: World, sandbox: Sandbox, code: int, caplog: pytest.LogCaptureFixture
) -> None:
    _three_customers(world)
    sandbox.meta.set_send_error(BUDI, code)
    caplog.set_level(logging.ERROR)
    _cycle(world)
    assert _sends(sandbox, world) == 1  # the first refusal stopped the rest at once
    decisions = world.decisions()
    assert {reason for reason, _ in decisions.values()} == {"send_failed"}
    for _, detail in decisions.values():
        assert f"WhatsApp account blocked (#{code})" in detail and "Settings" in detail
    [alert] = bootstrap.container().stores.whatsapp_alerts.alerts(world.org_id)
    assert (alert.kind, alert.code) == (AlertKind.ACCOUNT, code)
    errors = [r for r in caplog.records if r.levelno == logging.ERROR and "account blocked" in r.getMessage()]
    assert len(errors) == 1
    assert "81234567" not in caplog.text and "EAAG" not in caplog.text  # no phone, no token

    _cycle(world)  # the next cycle: still blocked, nothing is even tried
    assert _sends(sandbox, world) == 1
    assert {reason for reason, _ in world.decisions().values()} == {"send_failed"}

    account = bootstrap.container().stores.organisations.whatsapp(world.org_id)
    assert account is not None
    number = VerifiedWhatsAppNumber(phone_number_id=account.phone_number_id, business_account_id=world.waba_id)
    bootstrap.container().stores.organisations.set_whatsapp(world.org_id, number, token=account.access_token)
    assert bootstrap.container().stores.whatsapp_alerts.alerts(world.org_id) == []
    _cycle(world)  # the owner fixed it and saved the number: nothing was lost, everything goes
    assert world.reasons() == {"INV-Budi": "sent", "INV-Sari": "sent", "INV-Warung": "sent"}


@pytest.mark.parametrize("code", [132000, 132001, 132005, 132007, 132015, 132016])
def test_a_template_error_stops_that_template_for_the_rest_of_the_cycle(
    world: World, sandbox: Sandbox, code: int, caplog: pytest.LogCaptureFixture
) -> None:
    _three_customers(world)  # all three get the overdue template
    sandbox.meta.set_send_error(BUDI, code)
    caplog.set_level(logging.ERROR)
    _cycle(world)
    assert _sends(sandbox, world) == 1
    decisions = world.decisions()
    assert {reason for reason, _ in decisions.values()} == {"template_not_approved"}
    assert "stopped for this cycle" in decisions["INV-Sari"][1] and f"(#{code})" in decisions["INV-Sari"][1]
    [alert] = bootstrap.container().stores.whatsapp_alerts.alerts(world.org_id)
    assert (alert.kind, alert.code, alert.template) == (AlertKind.TEMPLATE, code, "lunas_invoice_overdue/id")
    assert len([r for r in caplog.records if "template stopped" in r.getMessage()]) == 1

    _cycle(world)  # Meta's trouble passed: the claims were freed, everything goes and the alert clears
    assert world.reasons() == {"INV-Budi": "sent", "INV-Sari": "sent", "INV-Warung": "sent"}
    assert bootstrap.container().stores.whatsapp_alerts.alerts(world.org_id) == []


@pytest.mark.parametrize(("code", "flagged"), [(131026, True), (131047, False), (131050, False), (131021, False)])
def test_a_recipient_error_stops_only_that_recipient(world: World, sandbox: Sandbox, code: int, flagged: bool) -> None:
    _three_customers(world)
    sandbox.meta.set_send_error(BUDI, code)
    _cycle(world)
    reason, detail = world.decisions()["INV-Budi"]
    assert reason == "send_failed" and f"(#{code})" in detail
    assert {world.reasons()[n] for n in ("INV-Sari", "INV-Warung")} == {"sent"}
    unreachable = bootstrap.container().stores.phone_flags.unreachable(world.org_id, [BUDI])
    assert (BUDI in unreachable) is flagged
    assert bootstrap.container().stores.whatsapp_alerts.alerts(world.org_id) == []


@pytest.mark.parametrize("code", [130429, 131000, 131016, 131057])
def test_a_retryable_error_is_retried_in_the_cycle_with_backoff(world: World, sandbox: Sandbox, code: int) -> None:
    _three_customers(world)
    sandbox.meta.set_send_error(BUDI, code, times=2)
    slept: list[float] = []
    _cycle(world, slept)
    assert world.reasons() == {"INV-Budi": "sent", "INV-Sari": "sent", "INV-Warung": "sent"}
    assert _sends(sandbox, world) == 5
    assert [w for w in slept if w in (0.25, 0.5)] == [0.25, 0.5]


def test_server_errors_are_retried_a_bounded_number_of_times_then_left_for_the_next_cycle(
    world: World, sandbox: Sandbox
) -> None:
    _three_customers(world)
    path = re.compile(rf"/{world.phone_number_id}/messages$")
    sandbox.meta.add_fault(Fault(method="POST", path=path, status=503, body="Service Unavailable", times=3))
    _cycle(world)
    reason, detail = world.decisions()["INV-Budi"]
    assert reason == "send_failed" and "will retry next cycle" in detail
    assert {world.reasons()[n] for n in ("INV-Sari", "INV-Warung")} == {"sent"}
    _cycle(world)
    assert world.reasons()["INV-Budi"] == "sent"


def test_a_pair_limit_answer_waits_out_the_pair_gap_before_trying_again(world: World, sandbox: Sandbox) -> None:
    _three_customers(world)
    sandbox.meta.set_send_error(BUDI, 131056)
    slept: list[float] = []
    _cycle(world, slept)
    assert world.reasons()["INV-Budi"] == "sent"
    assert max(slept) > 5.0  # about Meta's 6 seconds, measured on the injected clock (recorded, not slept)


def test_the_fake_refuses_a_second_message_to_the_same_recipient_within_the_pair_gap(
    world: World, sandbox: Sandbox
) -> None:
    import httpx

    _three_customers(world)
    sandbox.meta.configure(pair_gap_seconds=6.0)  # Meta's; off by default in the fake
    try:
        _cycle(world)
        assert set(world.reasons().values()) == {"sent"}  # one message per recipient: the guard never trips
        account = bootstrap.container().stores.organisations.whatsapp(world.org_id)
        assert account is not None
        first = sandbox.meta.recorded(rf"/{world.phone_number_id}/messages$")[0]
        again = httpx.post(
            sandbox.meta.url + first["path"],
            content=first["body"],
            headers={"Authorization": f"Bearer {account.access_token}", "Content-Type": "application/json"},
        )
        assert again.status_code == 400 and again.json()["error"]["code"] == 131056
    finally:
        sandbox.meta.configure(pair_gap_seconds=0.0)


def test_the_overview_banner_says_what_to_do_in_both_languages(sandbox: Sandbox) -> None:
    from tests.web_support import WebClient, new_email, org_of

    client = WebClient(sandbox.app_url)
    email = new_email("blocked")
    assert client.sign_up(email).status_code == 303
    org_id = org_of(email)
    alerts = bootstrap.container().stores.whatsapp_alerts
    alerts.raise_alert(
        org_id, WhatsAppAlert(kind=AlertKind.ACCOUNT, code=131042, reason="payment problem", at=TUESDAY_10_JAKARTA)
    )
    english = client.get("/dashboard?lang=en").text
    assert "WhatsApp sending is stopped" in english and "payment method" in english
    indonesian = client.get("/dashboard?lang=id").text
    assert "Pengiriman WhatsApp berhenti" in indonesian and "metode pembayaran" in indonesian
    alerts.clear(org_id, "ACCOUNT")
    assert "WhatsApp sending is stopped" not in client.get("/dashboard?lang=en").text
