"""Retention: every item kind holding personal data has a rule (a TTL or a documented reason to keep it), and the
items a real flow writes carry `expires_at` at the rule's distance from the injected clock (DynamoDB on moto)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from chalicelib.domain import retention
from chalicelib.storage import schema
from chalicelib.storage.schema import LunasTable, org_pk
from sandbox.run import Sandbox
from tests.web_support import WebClient, connect, new_email, org_of, retire_connections
from tests.world import TUESDAY_10_JAKARTA, World, set_clock

ROOT = Path(__file__).resolve().parent.parent
BUDI = "+6281234567001"


# -- the rules, as documented -------------------------------------------------------------------------------------


def test_every_item_kind_holding_personal_data_has_a_ttl_rule_or_a_reason_to_keep_it() -> None:
    missing = []
    for kind in schema.ITEM_KINDS:
        rule = retention.RULES.get(kind.retention)
        if kind.personal_data and rule is None:
            missing.append(kind.record.__name__)
            continue
        if rule is None:
            continue
        if rule.expires:
            assert kind.ttl, f"{kind.record.__name__}: rule {rule.name} expires, but the item has no TTL attribute"
        else:
            assert len(rule.kept_because) > 40, f"{rule.name}: say why it is kept"
    assert missing == [], "item kinds with personal data but no retention rule (chalicelib/domain/retention.py)"


def test_consent_is_kept_while_the_organisation_exists_and_says_why() -> None:
    [consent] = [k for k in schema.ITEM_KINDS if k.record is schema.ConsentRecord]
    assert consent.ttl == "" and consent.retention == "consent"
    assert "opt-out must never be forgotten" in retention.CONSENT.kept_because


def test_a_rule_needs_a_duration_or_a_reason_not_both() -> None:
    with pytest.raises(ValueError):
        retention.Retention(name="x")
    with pytest.raises(ValueError):
        retention.Retention(name="x", keep_for=dt.timedelta(days=1), kept_because="because")


def test_the_lifetimes_other_modules_pass_are_within_their_documented_rule() -> None:
    from chalicelib.domain.replies import PROMPT_FOR
    from chalicelib.services import connections, reminders, replies
    from chalicelib.webhooks import accounting, whatsapp

    assert retention.WEBHOOK_SEEN.keep_for >= whatsapp.SEEN_FOR  # type: ignore[operator]
    assert retention.WEBHOOK_SEEN.keep_for >= accounting.SEEN_FOR  # type: ignore[operator]
    assert retention.CLOSURE.keep_for == accounting.CLOSED_FOR
    assert max(replies.CONFIRMATION_CLAIMED_FOR, PROMPT_FOR) <= retention.CLAIM.keep_for  # type: ignore[operator]
    assert retention.PAYMENT_LINK.keep_for == reminders._PAYMENT_LINK_LIFETIME
    assert dt.timedelta(minutes=10) == connections.STATE_LIFETIME  # what the OAuth state rule says


def test_every_rule_with_personal_data_is_in_the_docs() -> None:
    docs = (ROOT / "docs" / "storage.md").read_text()
    for kind in schema.ITEM_KINDS:
        if kind.personal_data:
            assert f"`{kind.retention}`" in docs, kind.retention


# -- through the real stores ---------------------------------------------------------------------------------------


@pytest.fixture
def world(world: World, sandbox: Sandbox) -> Iterator[World]:
    yield world
    sandbox.meta.reset()
    sandbox.meta.configure(auto_deliver=True)


def _items(org_id: str) -> dict[str, dt.datetime | None]:
    """sk -> expires_at of every item in the organisation's partition."""
    return {item.sk: item.expires_at for item in LunasTable.query(org_pk(org_id))}


def _close(actual: dt.datetime | None, expected: dt.datetime, slack: dt.timedelta = dt.timedelta(minutes=5)) -> bool:
    return actual is not None and abs(actual - expected) <= slack


def test_a_reminder_its_statuses_and_a_reply_expire_at_their_documented_distance(
    world: World, sandbox: Sandbox
) -> None:
    set_clock(TUESDAY_10_JAKARTA)
    now = TUESDAY_10_JAKARTA.astimezone(dt.UTC)
    world.customer("Budi Santoso", BUDI)
    world.invoice("INV-001", "Budi Santoso", due_in_days=-4)
    world.create()
    world.consent(BUDI)
    world.run_cycle()
    assert world.reasons() == {"INV-001": "sent"}
    [reminder] = world.messages()
    sandbox.drain_webhooks(flush_fakes=True)  # the fake's sent / delivered statuses
    sandbox.meta.simulate_text(world.phone_number_id, BUDI, "Sudah saya transfer kemarin")
    sandbox.drain_webhooks(flush_fakes=True)

    items = _items(world.org_id)
    expected = {
        "MSG#": retention.DELIVERY,
        "LEDGER#": retention.DELIVERY,
        "REPLY#": retention.REPLIES,
        "INVOICE#": retention.INVOICE_VIEW,
        "DELIVERED#": retention.DELIVERED_MARK,
    }
    for prefix, rule in expected.items():
        found = {sk: at for sk, at in items.items() if sk.startswith(prefix)}
        assert found, f"the flow wrote no {prefix} item"
        for sk, at in found.items():
            assert _close(at, rule.until(now)), (sk, at, rule.name)
    [pause] = [at for sk, at in items.items() if sk.startswith("PHONEPAUSE#")]
    assert pause is not None and pause > now + retention.PAUSE.keep_for  # type: ignore[operator]  # the pause's end + 30 days
    consent = [at for sk, at in items.items() if sk.startswith("CONSENT#")]
    assert consent == [None]  # the proof of consent is never expired
    pointer = next(LunasTable.query(f"WAMID#{reminder['wamid']}", LunasTable.sk == "MSG"))
    assert _close(pointer.expires_at, retention.WAMID_POINTER.until(now))


def test_a_disconnected_connections_synced_customers_and_invoices_expire_30_days_later_unless_it_reconnects(
    sandbox: Sandbox,
) -> None:
    from chalicelib.domain.changes import SnapshotChange
    from chalicelib.domain.models import Customer, Invoice, InvoiceStatus, Money
    from chalicelib.storage.snapshots import DynamoSyncSnapshots

    set_clock(TUESDAY_10_JAKARTA)
    now = TUESDAY_10_JAKARTA.astimezone(dt.UTC)
    owner = WebClient(sandbox.app_url)
    email = new_email()
    assert owner.sign_up(email).status_code == 303
    org = org_of(email)
    tenant = str(sandbox.xero.seed({"tenantName": f"Toko Retensi {uuid.uuid4().hex[:6]}"})["tenantId"])
    assert connect(owner, "xero", {"tenant": [tenant]}).headers["Location"] == "/dashboard?m=connected"
    connection_id = f"xero:{tenant}"
    # What a sync keeps of the connection: a customer with a phone, an open invoice, the cursor.
    customer = Customer(source="xero", connection_id=connection_id, customer_id="c-1", name="Budi", phone=BUDI)
    invoice = Invoice(
        source="xero",
        connection_id=connection_id,
        invoice_id="i-1",
        number="INV-1",
        customer_id="c-1",
        customer_name="Budi",
        due_date=dt.date(2026, 12, 1),
        amount_due=Money(Decimal("1250000"), "IDR"),
        status=InvoiceStatus.OPEN,
    )
    change = SnapshotChange(put_invoices=(invoice,), put_customers=(customer,), cursor=now)
    assert DynamoSyncSnapshots().save(org, connection_id, change, expected_version=0)

    def synced() -> dict[str, dt.datetime | None]:
        return {sk: at for sk, at in _items(org).items() if sk.startswith(f"SYNC#{connection_id}#")}

    before = synced()
    assert len(before) == 3 and set(before.values()) == {None}  # kept while connected

    answer = owner.post("/connections/disconnect", {"connection_id": connection_id}, csrf_from="/dashboard")
    assert answer.status_code == 303
    after = synced()
    assert after.keys() == before.keys()
    assert all(_close(at, retention.SNAPSHOT.until(now)) for at in after.values()), after

    assert connect(owner, "xero", {"tenant": [tenant]}).headers["Location"] == "/dashboard?m=connected"
    assert set(synced().values()) == {None}  # connected again: the snapshot is live and kept
    retire_connections()


def test_an_oauth_state_expires_within_the_hour(sandbox: Sandbox) -> None:
    from chalicelib.domain.records import PendingAuthorization
    from chalicelib.storage.oauth_states import DynamoOAuthStates, _state_key

    now = dt.datetime(2026, 11, 24, 3, 0, tzinfo=dt.UTC)
    pending = PendingAuthorization(
        org_id="org-x", user_sub="sub-x", provider="xero", code_verifier="v", redirect_uri="https://x/cb"
    )
    DynamoOAuthStates().put("state-retention", pending, now=now, ttl=dt.timedelta(minutes=10))
    item = next(LunasTable.query(_state_key("state-retention"), LunasTable.sk == "STATE"))
    assert item.expires_at == now + dt.timedelta(minutes=40)
