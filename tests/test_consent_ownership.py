"""Consent the customer owns: the customer's own STOP is undone only by their own opt-in message, or by the owner
with evidence dated after the STOP and an explicit confirmation; every change says who made it, and the customers
page shows the history. Through the dashboard over HTTP, Meta's webhooks (signed, queued, processed) and the CLI."""

from __future__ import annotations

import datetime as dt
import html
import os
import subprocess
import sys
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest

from chalicelib import bootstrap
from chalicelib.domain import consent_rules
from chalicelib.domain.consent_rules import Refusal, may_record
from chalicelib.domain.models import Consent, ConsentStatus
from sandbox.run import Sandbox
from tests.test_dashboard import BUDI, Shop, open_shop
from tests.web_support import retire_connections
from tests.world import TUESDAY_10_JAKARTA, set_clock

JAKARTA = ZoneInfo("Asia/Jakarta")
T0 = dt.datetime(2026, 11, 24, 3, 0, tzinfo=dt.UTC)


def _consent(status: ConsentStatus, source: str, at: dt.datetime, **extra: object) -> Consent:
    return Consent(
        org_id="o",
        phone=BUDI,
        status=status,
        source=source,
        evidence="The customer agreed on the phone on 2026-11-24",
        captured_at=at,
        **extra,  # type: ignore[arg-type]
    )


# -- the rule, pure ----------------------------------------------------------------------------------------------


def test_an_owner_cannot_undo_a_customers_stop_without_later_evidence_and_confirmation() -> None:
    signed = _consent(ConsentStatus.OPTED_IN, "signed_form", T0)
    stop = _consent(ConsentStatus.OPTED_OUT, "whatsapp_reply", T0 + dt.timedelta(hours=1))
    history = [signed, stop]
    now = T0 + dt.timedelta(days=1)
    later = T0 + dt.timedelta(hours=2)

    def verdict(**extra: object) -> Refusal | None:
        new = _consent(ConsentStatus.OPTED_IN, "phone_call", now, **extra)
        return may_record(history, new, confirmed=False, now=now).refusal

    assert verdict() is Refusal.EVIDENCE_NOT_AFTER_STOP
    assert verdict(evidence_at=T0) is Refusal.EVIDENCE_NOT_AFTER_STOP  # before the STOP
    assert verdict(evidence_at=now + dt.timedelta(hours=1)) is Refusal.EVIDENCE_IN_FUTURE
    assert verdict(evidence_at=later) is Refusal.CUSTOMER_STOPPED  # no confirmation
    new = _consent(ConsentStatus.OPTED_IN, "phone_call", now, evidence_at=later)
    assert may_record(history, new, confirmed=True, now=now).allowed
    # The customer's own START needs nothing; an opt-out is always allowed.
    assert may_record(
        history, _consent(ConsentStatus.OPTED_IN, "whatsapp_reply", now), confirmed=False, now=now
    ).allowed
    assert may_record(history, _consent(ConsentStatus.OPTED_OUT, "cli", now), confirmed=False, now=now).allowed


def test_an_owners_own_opt_out_is_not_a_customer_stop_and_a_later_opt_in_clears_it() -> None:
    now = T0 + dt.timedelta(days=1)
    owner_stop = [_consent(ConsentStatus.OPTED_OUT, "dashboard", T0)]
    new = _consent(ConsentStatus.OPTED_IN, "signed_form", now)
    assert may_record(owner_stop, new, confirmed=False, now=now).allowed
    restarted = [
        _consent(ConsentStatus.OPTED_OUT, "whatsapp_button", T0),
        _consent(ConsentStatus.OPTED_IN, "whatsapp_reply", T0 + dt.timedelta(hours=1)),
        _consent(ConsentStatus.OPTED_OUT, "dashboard", T0 + dt.timedelta(hours=2)),
    ]
    assert consent_rules.standing_stop(restarted) is None
    short = _consent(ConsentStatus.OPTED_IN, "signed_form", now)
    assert may_record([], _with(short, evidence="ok"), confirmed=False, now=now).refusal is Refusal.EVIDENCE_NEEDED


def _with(consent: Consent, **changes: object) -> Consent:
    import dataclasses

    return dataclasses.replace(consent, **changes)  # type: ignore[arg-type]


def test_who_made_a_webhook_change_names_the_message_by_its_hash_only() -> None:
    by = consent_rules.by_webhook("wamid.HBgNNjI4MTIzNDU2NzAwMRUCABIYFDNB")
    assert by.startswith("whatsapp webhook (message ") and "HBgN" not in by


# -- through the dashboard, the webhook and the CLI ----------------------------------------------------------------


@pytest.fixture
def shop(sandbox: Sandbox) -> Iterator[Shop]:
    set_clock(TUESDAY_10_JAKARTA)
    yield open_shop(sandbox)
    retire_connections()
    sandbox.meta.reset()
    sandbox.meta.configure(auto_deliver=True)


def _record(shop: Shop, *, lang: str = "", **fields: str) -> tuple[int, str]:
    form = {
        "phone": BUDI,
        "status": "opted_in",
        "source": "phone_call",
        "evidence": "Budi called the shop and asked for the reminders again",
        **fields,
    }
    path = "/customers/consent" + (f"?lang={lang}" if lang else "")
    answer = shop.client.post(path, form, csrf_from="/customers" + (f"?lang={lang}" if lang else ""))
    return answer.status_code, html.unescape(answer.text)


def _history(shop: Shop) -> list[Consent]:
    return bootstrap.container().stores.consents.history(shop.org_id, BUDI)


def _customers_stop(shop: Shop, sandbox: Sandbox) -> Consent:
    """The owner records a signed form, a reminder goes out, the customer presses its stop button."""
    signed = {"source": "signed_form", "evidence": "Signed the WhatsApp reminders form on 2026-11-01"}
    assert _record(shop, **signed)[0] == 303
    assert shop.client.post("/run-now", {}, csrf_from="/preview").status_code == 303
    [reminder] = [m for m in sandbox.meta.messages(phone_number_id=shop.phone_number_id) if m["wa_id"] == BUDI[1:]]
    sandbox.meta.simulate_button_tap(reminder["wamid"])
    sandbox.drain_webhooks(flush_fakes=True)
    stop = _history(shop)[-1]
    assert (stop.status, stop.source) == (ConsentStatus.OPTED_OUT, "whatsapp_button")
    return stop


def test_the_dashboard_refuses_to_undo_a_customers_stop_in_plain_words_until_the_owner_confirms_with_later_evidence(
    shop: Shop, sandbox: Sandbox
) -> None:
    stop = _customers_stop(shop, sandbox)
    assert stop.recorded_by.startswith("whatsapp webhook (message ") and "wamid" not in stop.recorded_by
    stop_local = stop.captured_at.astimezone(JAKARTA)

    status, page = _record(shop)
    assert status == 400 and "said STOP themselves" in page and stop_local.strftime("%Y-%m-%d %H:%M") in page
    before = (stop_local - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    status, page = _record(shop, lang="id", evidence_at=before, customer_asked_again="yes")
    assert status == 400 and "sendiri membalas STOP" in page and "harus setelah" in page
    set_clock(TUESDAY_10_JAKARTA + dt.timedelta(hours=3))
    after = (stop_local + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    status, page = _record(shop, lang="en", evidence_at=after)  # no confirmation ticked
    assert status == 400 and "The customer asked me to start again after they said STOP" in page
    assert _history(shop)[-1].status is ConsentStatus.OPTED_OUT  # nothing recorded by the refusals
    # A dashboard form cannot pretend to be the customer: a "whatsapp_reply" source is recorded as the dashboard's.
    status, _ = _record(shop, source="whatsapp_reply")
    assert status == 400

    status, _ = _record(shop, evidence_at=after, customer_asked_again="yes")
    assert status == 303
    restarted = _history(shop)[-1]
    assert restarted.status is ConsentStatus.OPTED_IN and restarted.source == "phone_call"
    assert restarted.evidence_at == stop.captured_at.replace(second=0, microsecond=0) + dt.timedelta(hours=1)
    email = bootstrap.container().authenticator.principal(shop.client.session.cookies["lunas_session"]).email
    assert restarted.recorded_by.startswith(email)

    page = html.unescape(shop.client.get("/customers?lang=en").text)
    assert page.count('class="consent-change"') == 3
    assert "The customer pressed a button in a reminder" in page and "Phone call" in page
    # Who: the customer on WhatsApp (never the webhook's internals), the owner by e-mail (without their user id).
    assert "The customer, on WhatsApp" in page and email in page
    assert "whatsapp webhook" not in page and "(user " not in page
    indonesian = html.unescape(shop.client.get("/customers?lang=id").text)
    assert "Riwayat persetujuan" in indonesian and "Pelanggan menekan tombol di pengingat" in indonesian
    assert "Pelanggan, lewat WhatsApp" in indonesian


def test_the_customers_own_start_undoes_their_stop_and_is_recorded_as_the_webhooks(
    shop: Shop, sandbox: Sandbox
) -> None:
    _customers_stop(shop, sandbox)
    sandbox.meta.simulate_text(shop.phone_number_id, BUDI, "START")
    sandbox.drain_webhooks(flush_fakes=True)
    start = _history(shop)[-1]
    assert (start.status, start.source) == (ConsentStatus.OPTED_IN, "whatsapp_reply")
    assert start.recorded_by.startswith("whatsapp webhook (message ")


def test_the_cli_obeys_the_same_rule_and_records_the_operator(shop: Shop, sandbox: Sandbox) -> None:
    stop = _customers_stop(shop, sandbox)
    env = {**os.environ, "PYTHONPATH": "."}
    base = [sys.executable, "cli.py", "--sandbox", str(sandbox.urls_file), "consent", "record", "--org", shop.org_id]
    base += ["--phone", BUDI, "--source", "phone_call", "--evidence", "Budi called and asked to restart"]
    refused = subprocess.run(base, capture_output=True, text=True, env=env, check=False, timeout=120)
    assert refused.returncode == 1 and "said STOP themselves" in refused.stderr
    set_clock(TUESDAY_10_JAKARTA + dt.timedelta(hours=3))
    after = (stop.captured_at + dt.timedelta(hours=1)).isoformat()
    agreed = [*base, "--evidence-date", after, "--customer-asked-again"]
    recorded = subprocess.run(agreed, capture_output=True, text=True, env=env, check=False, timeout=120)
    assert recorded.returncode == 0, recorded.stderr
    latest = _history(shop)[-1]
    assert (latest.status, latest.recorded_by) == (ConsentStatus.OPTED_IN, consent_rules.CLI_OPERATOR)
