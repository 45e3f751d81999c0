"""End to end with QuickBooks: app.py's handlers, real python-quickbooks / intuit-oauth / pywa against the fakes,
DynamoDB/SQS/KMS on the moto server. Same reminder path as Xero; only the source differs."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from sandbox.lambda_runtime import SqsEventSource, invoke_schedule
from sandbox.run import Sandbox
from tests.pay_support import page_text
from tests.qbo_world import QuickBooksCompany, QuickBooksWorld
from tests.world import TUESDAY_10_JAKARTA, World, phone_parts, set_clock

BUDI = "+6281234567001"
SARI = "+6281234567002"
WARUNG = "+6281234567003"


@pytest.fixture
def world(sandbox: Sandbox) -> Iterator[QuickBooksWorld]:
    set_clock(TUESDAY_10_JAKARTA)
    w = QuickBooksWorld(sandbox, today=TUESDAY_10_JAKARTA.date())
    yield w
    if w.tenant_id:
        w.retire()
    set_clock(TUESDAY_10_JAKARTA)


def test_quickbooks_reminders_go_through_the_same_reminder_path(world: QuickBooksWorld, sandbox: Sandbox) -> None:
    import app

    qbo = world.qbo
    qbo.customer("Budi Santoso", "0812-3456-7001")  # free text, national format: read as Indonesian
    qbo.customer("PT Sinar Abadi", "+62 812 3456 7002")
    qbo.customer("Warung Bu Sri", "0812 3456 7003")
    qbo.customer("Kantor Pusat", primary_phone="(021) 555 0100")
    qbo.invoice("1001", "Budi Santoso", due_in_days=-4)
    for number, days in (("1010", -8), ("1011", -15), ("1012", -31)):
        qbo.invoice(number, "PT Sinar Abadi", due_in_days=days, amount="500000")
    qbo.invoice("1020", "Warung Bu Sri", due_in_days=-4)
    qbo.invoice("1030", "Budi Santoso", due_in_days=10)
    qbo.invoice("1040", "Kantor Pusat", due_in_days=-4)
    world.create()
    world.consent(BUDI)
    world.consent(SARI)

    assert invoke_schedule(app.fan_out_reminders, TUESDAY_10_JAKARTA)["enqueued"] >= 1
    source = SqsEventSource(
        queue_url=sandbox.aws.queue_url, handler=app.run_reminder_cycles, function_name="run_reminder_cycles"
    )
    assert sum(o.failed for o in source.drain()) == 0

    assert world.reasons() == {
        "1001": "sent",
        "1010": "sent",
        "1011": "sent",
        "1012": "sent",
        "1020": "no_consent",
        "1030": "not_due",
        "1040": "invalid_phone",
    }
    sent = {m["to"]: m for m in world.messages()}
    assert set(sent) == {BUDI, SARI}
    assert sent[SARI]["template"] == "lunas_invoice_statement"
    assert "Rp 1.500.000" in sent[SARI]["rendered_text"]
    assert sent[BUDI]["template"] == "lunas_invoice_overdue"
    assert "Rp 1.250.000" in sent[BUDI]["rendered_text"]
    pay = httpx.get(f"{sandbox.app_url}/pay/{sent[BUDI]['button_url_suffix']}", follow_redirects=False)
    assert pay.status_code in (301, 302, 303, 307)
    assert pay.headers["location"].startswith("https://connect.intuit.com/")  # QuickBooks' own InvoiceLink
    calls = sandbox.quickbooks.api_calls(qbo.realm_id)
    assert all(c["query"]["minorversion"] == ["75"] for c in calls)


def test_an_invoice_paid_in_quickbooks_is_dropped_by_the_next_change_read(
    world: QuickBooksWorld, sandbox: Sandbox
) -> None:
    qbo = world.qbo
    qbo.customer("Budi Santoso", "0812 3456 7001")
    qbo.invoice("2001", "Budi Santoso", due_in_days=5)
    qbo.invoice("2002", "Budi Santoso", due_in_days=40)
    world.create()
    world.consent(BUDI)
    sandbox.quickbooks.advance(600)  # the invoices were made a while before the first sweep
    assert world.run_cycle() == "not_due=2"  # the first cycle sweeps and stores the snapshot

    sandbox.quickbooks.advance(60)
    qbo.pay("2001")
    set_clock(TUESDAY_10_JAKARTA.replace(day=26))  # two days later: 2001 would be at its d-3 stage
    sandbox.quickbooks.requests.clear()
    assert world.run_cycle() == "not_due=1"

    assert world.messages() == []
    reads = [c["path"].rsplit("/", 1)[1] for c in sandbox.quickbooks.api_calls(qbo.realm_id)]
    assert reads == ["cdc"]  # one change read; no sweep, no customer read


def test_a_phone_shared_by_a_xero_and_a_quickbooks_customer_gets_one_message_a_day(sandbox: Sandbox) -> None:
    set_clock(TUESDAY_10_JAKARTA)
    xero = World(sandbox, today=TUESDAY_10_JAKARTA.date())
    xero.customer("Budi Santoso", BUDI)
    xero.invoice("INV-001", "Budi Santoso", due_in_days=-4)
    xero.create()
    xero.consent(BUDI)
    digits = phone_parts(BUDI)
    qbo = QuickBooksCompany(xero, name="PT Budi Group")
    qbo.customer("Budi S. (Group)", f"0{digits['areaCode']} {digits['number']}")
    qbo.invoice("3001", "Budi S. (Group)", due_in_days=-4)
    qbo.connect()
    try:
        assert xero.run_cycle() == "sent=1"
        assert qbo.run_cycle() == "already_messaged_today=1"
        assert xero.reasons() == {"INV-001": "sent", "3001": "already_messaged_today"}
        assert [m["to"] for m in xero.messages()] == [BUDI]
    finally:
        xero.retire()
        qbo.retire()


def test_the_demo_quickbooks_company_seeds_and_runs(sandbox: Sandbox) -> None:
    from sandbox.demo_quickbooks import CONSENTED_PHONES, SHARED_PHONE, seed_quickbooks_company

    set_clock(TUESDAY_10_JAKARTA)
    xero = World(sandbox, today=TUESDAY_10_JAKARTA.date())
    xero.customer("Budi Santoso", SHARED_PHONE)
    xero.invoice("INV-2411", "Budi Santoso", due_in_days=-4)
    xero.create()
    connection = seed_quickbooks_company(sandbox, xero.org_id, xero.today)
    for phone in CONSENTED_PHONES:
        xero.consent(phone)
    try:
        assert connection.connection_id.startswith("quickbooks:") and connection.provider == "quickbooks"
        assert xero.run_cycle() == "sent=1"
        from chalicelib.worker import run_connection_cycle

        run_connection_cycle(xero.org_id, connection.connection_id)
        reasons = xero.reasons()
        assert reasons["QB-1042"] == "already_messaged_today"  # Budi got the Xero reminder today
        assert (reasons["QB-1037"], reasons["QB-1029"]) == ("sent", "sent")  # one statement
        assert (reasons["QB-1051"], reasons["QB-1045"], reasons["QB-1058"]) == ("sent", "invalid_phone", "not_due")
        assert len(xero.messages()) == 3
    finally:
        xero.retire()
        bootstrap_retire(xero, connection.connection_id)


def bootstrap_retire(world: World, connection_id: str) -> None:
    from chalicelib import bootstrap
    from chalicelib.domain.models import ConnectionStatus

    bootstrap.container().stores.connections.set_status(world.org_id, connection_id, ConnectionStatus.DISCONNECTED)


def test_invoices_without_an_online_payment_page_still_get_a_pay_button_that_says_how_to_pay(
    world: QuickBooksWorld, sandbox: Sandbox
) -> None:
    """QuickBooks Payments is not offered in Indonesia: no InvoiceLink. Meta refuses a template whose URL button has
    no value, so every reminder carries a Lunas link; its page names the invoices and says how to pay them."""
    qbo = world.qbo
    qbo.customer("PT Sinar Abadi", "+62 812 3456 7002")
    qbo.invoice("2001", "PT Sinar Abadi", due_in_days=-8, amount="500000", online_payment=False)
    qbo.invoice("2002", "PT Sinar Abadi", due_in_days=-15, amount="750000")
    world.create()
    world.consent(SARI)
    world.run_cycle()
    [sent] = world.messages()
    assert sent["template"] == "lunas_invoice_statement" and sent["button_url_suffix"]
    page = httpx.get(f"{sandbox.app_url}/pay/{sent['button_url_suffix']}", follow_redirects=False)
    assert page.status_code == 200
    assert '<html lang="id">' in page.text
    assert 'href="https://connect.intuit.com/' in page.text
    assert "Invoice 2002 Rp 750.000 Jatuh tempo 9 November 2026 Bayar online" in page_text(page.text)
    offline = page.text.split("tidak bisa dibayar online", 1)[1]
    assert world.settings is not None and world.settings.business_name in offline
    assert "<li>2001</li>" in offline and "2002" not in offline
