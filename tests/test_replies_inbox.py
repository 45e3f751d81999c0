"""The replies inbox, the customer page, customer search and invoice filters, over HTTP as a signed-in owner.

A reminder goes out through the running app to the fake Meta; the customer taps the template's quick replies
("Need more time", "I have paid") through the fake's admin API, Meta posts the signed webhooks, and the owner reads
and acts on the pages in both languages.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest

from chalicelib import bootstrap
from chalicelib.domain.models import ConnectionStatus, Consent, ConsentStatus
from sandbox.run import Sandbox
from tests.test_dashboard import BUDI, SARI, Shop, open_shop
from tests.web_support import retire_connections
from tests.world import TUESDAY_10_JAKARTA, set_clock

pytestmark = pytest.mark.sandbox

PAID_BUTTON, MORE_TIME_BUTTON = 2, 3  # templates/whatsapp/*.json: URL, stop, "I have paid", "Need more time"


@pytest.fixture(autouse=True)
def _retire_connections() -> Iterator[None]:
    yield
    retire_connections()


@pytest.fixture
def shop(sandbox: Sandbox) -> Iterator[Shop]:
    set_clock(TUESDAY_10_JAKARTA)
    s = open_shop(sandbox)
    yield s
    bootstrap.container().stores.connections.set_status(s.org_id, f"xero:{s.tenant_id}", ConnectionStatus.DISCONNECTED)


def _consent(org_id: str, phone: str) -> None:
    bootstrap.container().stores.consents.record(
        Consent(
            org_id=org_id,
            phone=phone,
            status=ConsentStatus.OPTED_IN,
            source="signed_form",
            evidence="Signed the WhatsApp reminders form at the shop counter on 2026-11-01",
            captured_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        )
    )


def _send_reminder(sandbox: Sandbox, shop: Shop) -> str:
    """Budi has consent: Run now sends him one reminder about INV-001; returns its wamid."""
    _consent(shop.org_id, BUDI)
    assert shop.client.post("/run-now", {}, csrf_from="/preview").status_code == 303
    sandbox.drain_webhooks(flush_fakes=True)
    [sent] = sandbox.meta.messages(phone_number_id=shop.phone_number_id)
    return str(sent["wamid"])


def _tap(sandbox: Sandbox, wamid: str, button: int) -> None:
    sandbox.meta.simulate_button_tap(wamid, button)
    sandbox.drain_webhooks(flush_fakes=True)


def _card(page: str, marker: str) -> str:
    """The <article> of the page that contains `marker`."""
    for card in re.findall(r"<article.*?</article>", page, re.S):
        if marker in card:
            return str(card)
    raise AssertionError(f"no card with {marker!r}")


def test_need_more_time_then_a_promise_to_pay_holds_the_invoice(sandbox: Sandbox, shop: Shop) -> None:
    wamid = _send_reminder(sandbox, shop)
    sent = sandbox.meta.messages(phone_number_id=shop.phone_number_id)[0]
    labels = [b["text"] for b in sent["rendered"]["buttons"]]
    assert labels[PAID_BUTTON:] == ["I have paid", "Need more time"] or labels[PAID_BUTTON:] == [
        "Sudah bayar",
        "Minta waktu",
    ]
    _tap(sandbox, wamid, MORE_TIME_BUTTON)
    holds = bootstrap.container().stores.holds
    now = bootstrap.container().clock.now()
    assert BUDI in holds.phone_pauses(shop.org_id, now)  # paused for a week while the owner answers
    assert holds.phone_pauses(shop.org_id, now)[BUDI] >= now + dt.timedelta(days=6)

    inbox = shop.client.get("/replies?lang=en").text
    card = _card(inbox, 'data-intent="more_time"')
    assert "Budi Santoso" in card and 'data-number="INV-001"' in card
    assert "Paused reminders to this number until" in card and "Send reminders again now" in card
    assert 'action="/replies/promise"' in card and 'name="csrf_token"' in card
    message_id = re.search(r'data-message-id="([^"]+)"', card)
    assert message_id is not None

    indonesian = shop.client.get("/replies?lang=id").text
    assert "Balasan" in indonesian and "Pengingat ke nomor ini dijeda sampai" in indonesian
    assert "Catat janji bayar" in indonesian and "Menekan" in indonesian

    # A date outside the range is refused in plain words; nothing is held.
    too_far = shop.client.post(
        "/replies/promise", {"message_id": message_id.group(1), "promise_date": "2027-12-31"}, csrf_from="/replies"
    )
    # (in Indonesian: the language chosen last)
    assert too_far.status_code == 400 and "Pilih tanggal antara hari ini dan 180 hari lagi" in too_far.text
    promised = shop.client.post(
        "/replies/promise", {"message_id": message_id.group(1), "promise_date": "2026-11-29"}, csrf_from="/replies"
    )
    assert promised.headers["Location"] == "/replies?m=promise"
    held = holds.invoice_pauses(shop.org_id, now)
    [(until, note)] = [v for (c, i), v in held.items() if c == f"xero:{shop.tenant_id}"]
    assert until == dt.datetime(2026, 11, 29, 17, 0, tzinfo=dt.UTC)  # the end of 29 Nov in Jakarta
    assert "promised to pay by 2026-11-29" in note

    # The promise resolves the reply: it leaves "to read", and shows with the resolved ones.
    assert 'data-intent="more_time"' not in shop.client.get("/replies").text
    everything = shop.client.get("/replies?show=all&lang=en").text
    assert 'data-resolved="yes"' in _card(everything, 'data-intent="more_time"')
    invoices = shop.client.get("/invoices?lang=en").text
    assert 'class="note warn held-until" data-number="INV-001"' in invoices
    assert 'data-number="INV-002"' in invoices and 'held-until" data-number="INV-002"' not in invoices

    # The owner ends the reply's pause: the number may get reminders again.
    unpaused = shop.client.post("/replies/unpause", {"phone": BUDI}, csrf_from="/replies")
    assert unpaused.headers["Location"] == "/replies?m=unpaused"
    assert BUDI not in holds.phone_pauses(shop.org_id, now)
    refused = shop.client.post("/replies/unpause", {"phone": "not a phone"}, csrf_from="/replies")
    assert refused.status_code == 400
    assert shop.client.post("/replies/unpause", {"phone": BUDI}).status_code == 403  # no CSRF token


def test_i_have_paid_holds_the_reminded_invoices_like_the_pay_page(sandbox: Sandbox, shop: Shop) -> None:
    wamid = _send_reminder(sandbox, shop)
    _tap(sandbox, wamid, PAID_BUTTON)
    lunas = bootstrap.container()
    held = lunas.stores.holds.invoice_pauses(shop.org_id, lunas.clock.now())
    [(until, note)] = list(held.values())
    hold_days = lunas.stores.payment_instructions.get(shop.org_id).claim_hold_days
    assert until - lunas.clock.now() > dt.timedelta(days=hold_days) - dt.timedelta(hours=1)
    assert 'tapped "I have paid" on the WhatsApp reminder' in note
    card = _card(shop.client.get("/replies?lang=en").text, 'data-intent="said_paid"')
    assert "Held the reminders for these invoices until" in card and "INV-001" in card
    message_id = re.search(r'data-message-id="([^"]+)"', card)
    assert message_id is not None
    done = shop.client.post("/replies/resolve", {"message_id": message_id.group(1)}, csrf_from="/replies")
    assert done.headers["Location"] == "/replies?m=resolved"
    assert 'data-intent="said_paid"' not in shop.client.get("/replies").text


def test_customer_page_shows_the_text_as_sent_its_status_and_replies(sandbox: Sandbox, shop: Shop) -> None:
    wamid = _send_reminder(sandbox, shop)
    _tap(sandbox, wamid, MORE_TIME_BUTTON)
    customers = shop.client.get("/customers?lang=en").text
    link = re.search(r'href="(/customers/xero%3A[^"]+)"', customers)
    assert link is not None and "Owes:" in customers and "Last message:" in customers
    page = shop.client.get(link.group(1) + "?lang=en")
    assert page.status_code == 200, page.text
    text = page.text
    assert "<h1>Budi Santoso</h1>" in text and 'data-consent="opted_in"' in text
    assert "Rp" in text and "1.250.000" in text  # what he owes
    sent = sandbox.meta.messages(phone_number_id=shop.phone_number_id)[0]
    first_line = sent["rendered"]["body"].split("\n")[0]
    assert first_line in text  # the message's own words, as the customer read them
    assert 'class="card sent-message" data-state="' in text
    assert 'class="card customer-reply" data-intent="more_time"' in text
    assert "Paused until" in text and 'id="unpause"' in text

    assert "Tagih sekarang" in shop.client.get(link.group(1) + "?lang=id").text

    paused = shop.client.post(link.group(1) + "/pause", {"until": ""}, csrf_from=link.group(1))
    assert paused.headers["Location"] == link.group(1) + "?m=paused"
    assert "Paused until you unpause them." in shop.client.get(link.group(1) + "?lang=en").text
    unpaused = shop.client.post(link.group(1) + "/unpause", {}, csrf_from=link.group(1))
    assert unpaused.headers["Location"] == link.group(1) + "?m=unpaused"
    after = shop.client.get(link.group(1) + "?lang=en").text
    assert 'id="unpause"' not in after and 'id="pause"' in after

    # Chase now runs the company's cycle: Budi already got today's message, so nothing is sent twice.
    chased = shop.client.post(link.group(1) + "/chase", {}, csrf_from=link.group(1))
    assert chased.headers["Location"] == link.group(1) + "?m=chased"
    assert len(sandbox.meta.messages(phone_number_id=shop.phone_number_id)) == 1

    assert shop.client.get("/customers/xero%3Anobody/123").status_code == 404


def test_customer_search_and_invoice_filters(sandbox: Sandbox, shop: Shop) -> None:
    _send_reminder(sandbox, shop)
    by_name = shop.client.get("/customers?q=budi&lang=en").text
    assert f'data-phone="{BUDI}"' in by_name and f'data-phone="{SARI}"' not in by_name
    by_local_number = shop.client.get("/customers?q=0812-3456-0102").text
    assert f'data-phone="{SARI}"' in by_local_number and f'data-phone="{BUDI}"' not in by_local_number
    assert "No customer matches" in shop.client.get("/customers?q=zzz&lang=en").text
    indonesian = shop.client.get("/customers?lang=id").text
    assert "Cari nama atau nomor telepon" in indonesian and "Pesan terakhir" in indonesian and "Buka" in indonesian
    assert indonesian.count("<style>") == indonesian.count("</style>")  # a "{#" in CSS once swallowed the page

    everything = shop.client.get("/invoices?lang=en").text
    assert 'data-currency="IDR">IDR 2,050,000<' in everything and "2 invoices" in everything  # 1,250,000 + 800,000
    no_consent = shop.client.get("/invoices?reason=no_consent&lang=en").text
    assert 'data-number="INV-002"' in no_consent and 'data-number="INV-001"' not in no_consent
    assert 'data-currency="IDR">IDR 800,000<' in no_consent  # the totals are of what is shown
    assert 'data-number="INV-001"' in shop.client.get("/invoices?status=overdue&source=xero").text
    assert 'data-number="INV-001"' not in shop.client.get("/invoices?source=quickbooks").text
    assert 'data-number="INV-001"' not in shop.client.get("/invoices?status=not_overdue").text
    assert "Tagihan" in shop.client.get("/invoices?lang=id").text


def test_another_organisation_cannot_touch_these_replies(sandbox: Sandbox, shop: Shop) -> None:
    wamid = _send_reminder(sandbox, shop)
    _tap(sandbox, wamid, MORE_TIME_BUTTON)
    [reply] = bootstrap.container().stores.replies.for_org(shop.org_id)
    other = open_shop(sandbox, "Toko Lain")
    assert "Budi Santoso" not in other.client.get("/replies?show=all").text
    refused = other.client.post("/replies/resolve", {"message_id": reply.message_id}, csrf_from="/replies")
    assert refused.status_code == 404
    assert reply.message_id not in bootstrap.container().stores.replies.resolved(shop.org_id)
    customers = shop.client.get("/customers").text
    link = re.search(r'href="(/customers/xero%3A[^"]+)"', customers)
    assert link is not None and other.client.get(link.group(1)).status_code == 404
