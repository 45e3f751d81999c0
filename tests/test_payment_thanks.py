"""Thank-you messages when a reminded invoice is paid (domain/thanks.py, services/thanks.py), end to end: the real
cycle against the fake Xero and the fake Meta, the text read as the customer gets it, the owner's switch and notes."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from chalicelib import bootstrap
from chalicelib.domain.models import ConsentStatus
from chalicelib.domain.thanks import ThanksState
from sandbox.run import Sandbox
from tests.world import TUESDAY_10_JAKARTA, World, set_clock

BUDI = "+6281234567001"
THANKS = "lunas_payment_thanks"


def _reminded(world: World, *, thanks: bool = True, **settings: Any) -> World:
    """Budi owes INV-001 (IDR 1,250,000, 4 days overdue), agreed to reminders and got one."""
    world.customer("Budi Santoso", BUDI)
    world.invoice("INV-001", "Budi Santoso", due_in_days=-4)
    world.create(thank_paid=thanks, **settings)
    world.consent(BUDI)
    world.run_cycle()
    assert world.reasons() == {"INV-001": "sent"}
    return world


def _thanks(world: World) -> list[dict[str, Any]]:
    return [m for m in world.messages() if m["template"] == THANKS]


def _state(world: World, number: str = "INV-001") -> ThanksState | None:
    from chalicelib.storage.thanks import DynamoThanks

    items = DynamoThanks().for_connection(world.org_id, world.connection_id)
    return next((i.state for i in items.values() if i.number == number), None)


def _note(world: World, number: str = "INV-001") -> str:
    [view] = [v for v in bootstrap.container().stores.decisions.for_org(world.org_id) if v.number == number]
    assert view.reason.value == "paid"
    return view.note.key if view.note else ""


def test_the_customer_is_thanked_once_in_indonesian_naming_the_business_the_invoice_and_the_amount(
    world: World, sandbox: Sandbox
) -> None:
    _reminded(world)
    assert _state(world) is ThanksState.WATCHING
    sandbox.xero.pay(world.invoice_ids["INV-001"])
    world.run_cycle()
    world.run_cycle()  # a second (or redelivered) cycle never thanks twice

    [message] = _thanks(world)
    assert message["to"] == BUDI and message["language"] == "id" and message["category"] == "UTILITY"
    text = message["rendered_text"]
    assert text.startswith("Yth. Budi Santoso,\n\nTerima kasih atas pembayaran Anda.")
    assert "Toko Sumber Rejeki telah mencatat invoice INV-001 sebesar Rp 1.250.000 sebagai lunas." in text
    assert message["rendered"]["buttons"] == [] and message["quick_reply_payloads"] == {}  # no "I have paid"
    assert _state(world) is ThanksState.SENT
    assert _note(world) == "thanks_sent"
    assert len(world.messages()) == 2  # the reminder, then the thank-you


def test_an_english_speaking_customer_reads_it_in_english(world: World, sandbox: Sandbox) -> None:
    _reminded(world, language="en")
    sandbox.xero.pay(world.invoice_ids["INV-001"])
    world.run_cycle()
    [message] = _thanks(world)
    assert message["language"] == "en"
    assert message["rendered_text"].startswith(
        "Hello Budi Santoso, thank you for your payment. Toko Sumber Rejeki has recorded invoice INV-001 for "
        "IDR 1,250,000 as paid in full."
    )


def test_switched_off_nothing_is_sent_or_watched(world: World, sandbox: Sandbox) -> None:
    _reminded(world, thanks=False)
    sandbox.xero.pay(world.invoice_ids["INV-001"])
    world.run_cycle()
    assert _thanks(world) == [] and _state(world) is None


def test_a_customer_who_said_stop_is_never_thanked_and_the_owner_sees_why(world: World, sandbox: Sandbox) -> None:
    _reminded(world)
    world.consent(BUDI, ConsentStatus.OPTED_OUT)
    sandbox.xero.pay(world.invoice_ids["INV-001"])
    world.run_cycle()
    world.consent(BUDI)  # even an opt-in later does not bring back a thank-you that was refused
    world.run_cycle()
    assert _thanks(world) == []
    assert _state(world) is ThanksState.NOT_SENT and _note(world) == "thanks_opted_out"


def test_without_consent_on_record_it_is_not_sent_and_the_reason_is_shown(world: World, sandbox: Sandbox) -> None:
    """Budi's consent was recorded for the reminder; his number then changed in Xero to one with no consent."""
    _reminded(world)
    other = "+6281234567999"
    _change_mobile(sandbox, world, other)
    sandbox.xero.pay(world.invoice_ids["INV-001"])
    world.run_cycle()
    assert [m for m in _thanks(world) if m["to"] in (BUDI, other)] == []
    assert _state(world) is ThanksState.NOT_SENT and _note(world) == "thanks_no_consent"


def test_a_xero_webhook_saying_paid_is_proof_enough_even_while_the_cycles_read_is_stale(
    world: World, sandbox: Sandbox
) -> None:
    from tests.test_webhooks_accounting import _admin

    _reminded(world)
    invoice_id = world.invoice_ids["INV-001"]
    # Paid without touching UpdatedDateUTC: the incremental read still lists it; Xero's webhook says it is paid.
    _admin(sandbox, "xero", f"/_sandbox/xero/invoices/{invoice_id}!patch",
           {"status": "PAID", "amountDue": "0", "touch": False})  # fmt: skip
    sandbox.drain_webhooks(flush_fakes=True)
    world.run_cycle()
    [message] = _thanks(world)
    assert "invoice INV-001 sebesar Rp 1.250.000 sebagai lunas" in message["rendered_text"]
    assert _note(world) == "thanks_sent"


def test_a_paid_invoice_that_was_never_reminded_gets_nothing(world: World, sandbox: Sandbox) -> None:
    world.customer("Budi Santoso", BUDI)
    world.invoice("INV-001", "Budi Santoso", due_in_days=10)
    world.create(thank_paid=True)
    world.consent(BUDI)
    world.run_cycle()
    assert world.reasons() == {"INV-001": "not_due"}
    sandbox.xero.pay(world.invoice_ids["INV-001"])
    world.run_cycle()
    assert world.messages() == [] and _state(world) is None


def test_a_voided_invoice_is_not_thanked(world: World, sandbox: Sandbox) -> None:
    _reminded(world)
    sandbox.xero.void(world.invoice_ids["INV-001"])
    world.run_cycle()
    world.run_cycle()
    assert _thanks(world) == [] and _state(world) is ThanksState.NOT_PAID


def test_outside_the_send_window_it_waits_and_goes_in_the_next_sending_hours(world: World, sandbox: Sandbox) -> None:
    _reminded(world)
    sandbox.xero.pay(world.invoice_ids["INV-001"])
    set_clock(TUESDAY_10_JAKARTA.replace(hour=20))
    world.run_cycle()
    assert _thanks(world) == [] and _state(world) is ThanksState.DUE
    assert _note(world) == "thanks_outside_window"
    set_clock(TUESDAY_10_JAKARTA + dt.timedelta(days=1))
    world.run_cycle()
    assert len(_thanks(world)) == 1 and _note(world) == "thanks_sent"


def test_switching_it_on_later_never_thanks_for_a_payment_made_days_before(world: World, sandbox: Sandbox) -> None:
    organisations = bootstrap.container().stores.organisations
    _reminded(world)
    organisations.set_thank_paid(world.org_id, False)
    sandbox.xero.pay(world.invoice_ids["INV-001"])  # paid on Tuesday, while the owner had it off
    set_clock(TUESDAY_10_JAKARTA + dt.timedelta(days=7))
    organisations.set_thank_paid(world.org_id, True)
    world.run_cycle()
    assert _thanks(world) == []
    assert _state(world) is ThanksState.NOT_SENT and _note(world) == "thanks_too_late"


def test_a_crash_between_send_and_record_never_sends_a_second_thank_you(world: World, sandbox: Sandbox) -> None:
    """Meta takes the thank-you but its answer never reaches the worker: the claim stays, nothing is sent again."""
    import re

    from sandbox.fakehttp import Fault

    _reminded(world)
    sandbox.xero.pay(world.invoice_ids["INV-001"])
    messages = re.compile(rf"/{world.phone_number_id}/messages$")
    sandbox.meta.add_fault(Fault(method="POST", path=messages, drop_response=True))  # once
    world.run_cycle()
    world.run_cycle()
    world.run_cycle()
    assert len(_thanks(world)) == 1
    assert _state(world) is ThanksState.CLAIMED and _note(world) == "thanks_unconfirmed"


def _change_mobile(sandbox: Sandbox, world: World, phone: str) -> None:
    """The customer's mobile changes in Xero (the fake's seed API adds to a tenant; same contact id: replaced)."""
    from chalicelib.storage.thanks import DynamoThanks
    from tests.world import phone_parts

    [item] = DynamoThanks().for_connection(world.org_id, world.connection_id).values()
    contact = {"contactId": item.customer_id, "name": "Budi Santoso", "phones": {"MOBILE": phone_parts(phone)}}
    sandbox.xero.seed({"tenantId": world.tenant_id, "contacts": [contact]})


def test_the_owner_switches_it_on_in_settings_and_reads_what_happened_on_the_invoices_page(sandbox: Sandbox) -> None:
    from tests.web_support import (
        WebClient,
        connect,
        new_email,
        org_of,
        retire_connections,
        save_whatsapp_number,
        seed_overdue_customers,
    )

    set_clock(TUESDAY_10_JAKARTA)
    client = WebClient(sandbox.app_url)
    email = new_email("thanks")
    try:
        assert client.sign_up(email, business="Toko Terima").status_code == 303
        org_id = org_of(email)
        page = client.get("/settings").text
        assert 'id="thanks-on" name="thanks" value="1" aria-describedby="thanks-hint" >' in page  # off by default
        assert "Thank customers on WhatsApp when they pay an invoice Lunas reminded them about" in page
        assert client.post("/settings/thanks", {"thanks": "1"}, csrf_from="/settings").status_code == 303
        assert bootstrap.container().stores.organisations.settings(org_id).thank_paid
        audit = bootstrap.container().audit.entries(org_id)
        assert any("thank-you messages for paid invoices on" in e.what for e in audit)

        seeded = seed_overdue_customers(
            sandbox, f"Toko Terima {uuid.uuid4().hex[:6]}", [("Budi", BUDI, "INV-7", "800000")], overdue_days=4
        )
        number = save_whatsapp_number(client, sandbox, "+62 21 5555 0712")
        assert connect(client, "xero", {"tenant": [seeded["tenantId"]]}).status_code == 303
        consent = {"phone": BUDI, "status": "opted_in", "source": "signed_form", "evidence": "Signed the form"}
        assert client.post("/customers/consent", consent, csrf_from="/customers").status_code == 303
        assert client.post("/run-now", {}, csrf_from="/preview").status_code == 303
        sandbox.xero.pay(seeded["invoices"]["INV-7"])
        assert client.post("/run-now", {}, csrf_from="/preview").status_code == 303

        sent = sandbox.meta.messages(phone_number_id=number.phone_number_id)
        [thanks] = [m for m in sent if m["template"] == THANKS]
        assert "Toko Terima telah mencatat invoice INV-7 sebesar Rp 800.000 sebagai lunas." in thanks["rendered_text"]
        assert "Paid in Xero. Lunas thanked the customer on WhatsApp (" in client.get("/invoices?lang=en").text
        assert "Lunas sudah mengucapkan terima kasih lewat WhatsApp (" in client.get("/invoices?lang=id").text

        assert client.post("/settings/thanks", {}, csrf_from="/settings").status_code == 303
        assert not bootstrap.container().stores.organisations.settings(org_id).thank_paid
    finally:
        retire_connections()


# -- the evidence rule, on its own (no sandbox) --------------------------------------------------------------------


def _invoice(status: str, amount: str) -> Any:
    from decimal import Decimal

    from chalicelib.domain.models import Invoice, InvoiceStatus, Money

    return Invoice(
        source="xero",
        connection_id="xero:t",
        invoice_id="i",
        number="INV-1",
        customer_id="c",
        customer_name="Budi",
        due_date=dt.date(2026, 11, 20),
        amount_due=Money(Decimal(amount), "IDR"),
        status=InvoiceStatus(status),
    )


def test_only_positive_evidence_counts_as_paid() -> None:
    from chalicelib.domain.thanks import Evidence, evidence

    assert evidence("paid", None, reread_done=False) is Evidence.PAID  # an accounting webhook said paid
    assert evidence("voided", None, reread_done=False) is Evidence.NOT_PAID
    assert evidence("deleted", None, reread_done=False) is Evidence.NOT_PAID
    assert evidence(None, None, reread_done=False) is None  # gone from the open list, not read again: nothing known
    assert evidence(None, None, reread_done=True) is Evidence.NOT_PAID  # asked for and not found: deleted
    assert evidence(None, _invoice("voided", "0"), reread_done=True) is Evidence.NOT_PAID
    assert evidence(None, _invoice("paid", "0"), reread_done=True) is Evidence.PAID
    assert evidence(None, _invoice("open", "0"), reread_done=True) is Evidence.PAID  # nothing left to pay
    assert evidence(None, _invoice("open", "1000"), reread_done=True) is Evidence.OPEN
