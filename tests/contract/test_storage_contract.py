"""One contract for every repository port, run against DynamoDB (the local moto server) and the in-memory stores.

`dynamo` is what production wires (`chalicelib.container.build_stores`, KMS from the sandbox); `memory` is
tests/memory_stores.py, which the fast unit tier (tests/unit) runs the services on. Every assertion is written once,
so the memory stores cannot drift from DynamoDB's semantics. The table is shared by the whole test session: each
test uses a fresh organisation id, and fresh wamids, phone number ids, WABA ids and states where the key is global.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError

from chalicelib.domain.changes import Snapshot, SnapshotChange
from chalicelib.domain.errors import LunasError, StateInvalid, TokenConflict
from chalicelib.domain.grants import GrantLink
from chalicelib.domain.models import (
    CompanyProfile,
    Connection,
    ConnectionStatus,
    ConsentStatus,
    Decision,
    InvoiceStatus,
    LedgerState,
    Money,
    OAuthTokens,
    Reason,
    ReminderSettings,
    SendWindow,
    Stage,
    VerifiedWhatsAppNumber,
    WhatsAppAccount,
)
from chalicelib.domain.notes import note
from chalicelib.domain.records import (
    BankAccount,
    ConnectionHealth,
    ConnectionRoute,
    InvoiceView,
    LedgerEntry,
    MarketingPreference,
    MessageEntry,
    PaymentClaim,
    PaymentInstructions,
    PaymentPage,
    PaymentTarget,
    PendingAuthorization,
    QrisImage,
    StoredReply,
    WhatsAppSummary,
)
from chalicelib.domain.tracking import DeliveryStatus
from chalicelib.ports import NumberHealthUpdate
from chalicelib.storage.organisations import NumberTaken
from tests.builders import TODAY, TUESDAY_10_JKT, consent, customer, invoice, message, new_org
from tests.memory_stores import MemoryStores

T0 = TUESDAY_10_JKT
P1, P2, P3 = "+6281200000001", "+6281200000002", "+6281200000003"
# What a create-only write (a connection, an OAuth state, an organisation) raises when the item is already there:
# DynamoDB lets pynamodb's PutError (a failed attribute_not_exists condition) through; memory raises AlreadyExists.
CREATE_REFUSED = (LunasError, PutError)


def hours(n: float) -> dt.timedelta:
    return dt.timedelta(hours=n)


class FixedClock:
    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def now(self) -> dt.datetime:
        return self.at


@dataclass
class Impl:
    kind: str  # dynamo | memory
    stores: Any  # chalicelib.bootstrap.Stores or tests.memory_stores.MemoryStores: same attribute names

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stores, name)


def _dynamo(sandbox: Any) -> Impl:
    """The DynamoDB repositories of `chalicelib/storage/`, on the sandbox's moto server and KMS key."""
    from types import SimpleNamespace

    from chalicelib.adapters.kms import KmsCipher
    from chalicelib.storage.audit import DynamoAuditLog
    from chalicelib.storage.connections import DynamoConnectionRepository, DynamoLeases
    from chalicelib.storage.consent import DynamoConsentRepository, DynamoMarketingPreferences
    from chalicelib.storage.holds import DynamoHolds, DynamoPhoneFlags
    from chalicelib.storage.inbox import DynamoOneTimeClaims, DynamoReplies, DynamoWebhookInbox
    from chalicelib.storage.invoice_views import DynamoDecisionLog
    from chalicelib.storage.ledger import DynamoSendLedger
    from chalicelib.storage.oauth_states import DynamoOAuthStates
    from chalicelib.storage.organisations import DynamoOrganisationRepository
    from chalicelib.storage.payment_instructions import DynamoPaymentInstructions
    from chalicelib.storage.payment_links import DynamoPaymentLinks
    from chalicelib.storage.routes import DynamoBsuids, DynamoRoutes
    from chalicelib.storage.snapshots import DynamoSyncSnapshots
    from chalicelib.storage.templates import DynamoTemplateRegistry

    cipher, clock = KmsCipher(sandbox.aws.kms_key_id), FixedClock(T0)
    stores = SimpleNamespace(
        organisations=DynamoOrganisationRepository(cipher, clock),
        connections=DynamoConnectionRepository(cipher, clock),
        leases=DynamoLeases(),
        oauth_states=DynamoOAuthStates(),
        consents=DynamoConsentRepository(),
        preferences=DynamoMarketingPreferences(),
        phone_flags=DynamoPhoneFlags(),
        holds=DynamoHolds(),
        ledger=DynamoSendLedger(),
        decisions=DynamoDecisionLog(),
        payment_links=DynamoPaymentLinks(),
        payment_instructions=DynamoPaymentInstructions(),
        snapshots=DynamoSyncSnapshots(),
        routes=DynamoRoutes(),
        seen=DynamoWebhookInbox(),
        replies=DynamoReplies(),
        claims=DynamoOneTimeClaims(),
        bsuids=DynamoBsuids(),
        templates=DynamoTemplateRegistry(),
        audit=DynamoAuditLog(),
    )
    return Impl("dynamo", stores)


def _memory() -> Impl:
    return Impl("memory", MemoryStores(clock=FixedClock(T0)))


@pytest.fixture(params=["dynamo", "memory"])
def impl(request: pytest.FixtureRequest) -> Impl:
    if request.param == "dynamo":
        return _dynamo(request.getfixturevalue("sandbox"))
    return _memory()


@pytest.fixture
def org() -> str:
    return new_org()


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:16]}"


# -- consent, marketing preferences, phone flags --------------------------------------------------------------------


def test_consent_is_recorded_with_its_history_and_read_per_phone(impl: Impl, org: str) -> None:
    opted_in = consent(org, P1, at=T0)
    opted_out = consent(org, P1, ConsentStatus.OPTED_OUT, at=T0 + hours(1), source="whatsapp_reply", evidence="STOP")
    impl.consents.record(opted_in)
    impl.consents.record(opted_out)
    impl.consents.record(consent(org, P2, at=T0))

    found = impl.consents.for_phones(org, [P1, P2, P3, P1])
    assert found == {P1: opted_out, P2: consent(org, P2, at=T0)}
    assert impl.consents.history(org, P1) == [opted_in, opted_out]
    assert impl.consents.history(org, P3) == []
    assert impl.consents.for_phones(org, []) == {}
    assert impl.consents.for_phones(new_org(), [P1]) == {}  # never another organisation's
    assert impl.consents.for_org(org) == [opted_out, consent(org, P2, at=T0)]  # the current one per phone, by phone
    assert impl.consents.for_org(new_org()) == []


def test_consent_keeps_who_made_each_change_and_when_its_evidence_dates_from(impl: Impl, org: str) -> None:
    import dataclasses

    by_owner = dataclasses.replace(
        consent(org, P1, at=T0 + hours(2)), recorded_by="owner@example.co.id (user s-1)", evidence_at=T0 + hours(1)
    )
    by_webhook = dataclasses.replace(
        consent(org, P1, ConsentStatus.OPTED_OUT, at=T0 + hours(3), source="whatsapp_reply", evidence="STOP"),
        recorded_by="whatsapp webhook (message 0123456789ab)",
    )
    impl.consents.record(by_owner)
    impl.consents.record(by_webhook)
    impl.consents.record(consent(org, P2, at=T0))  # recorded before Lunas kept who: ""
    assert impl.consents.history(org, P1) == [by_owner, by_webhook]
    assert impl.consents.for_phones(org, [P1])[P1] == by_webhook
    assert impl.consents.histories(org) == {P1: [by_owner, by_webhook], P2: [consent(org, P2, at=T0)]}
    assert impl.consents.histories(new_org()) == {}


def test_a_marketing_preference_keeps_the_latest_event(impl: Impl, org: str) -> None:
    impl.preferences.record(org, P1, category="marketing_messages", value="stop", detail="a", at=T0)
    impl.preferences.record(org, P1, category="marketing_messages", value="resume", detail="b", at=T0 - hours(1))
    assert impl.preferences.get(org, P1) == MarketingPreference(
        phone=P1, category="marketing_messages", value="stop", detail="a", at=T0
    )
    impl.preferences.record(org, P1, category="marketing_messages", value="resume", detail="c", at=T0)
    assert impl.preferences.get(org, P1).value == "resume"  # the same instant overwrites
    assert impl.preferences.get(org, P2) is None
    assert impl.preferences.get(new_org(), P1) is None


def test_phones_not_on_whatsapp(impl: Impl, org: str) -> None:
    impl.phone_flags.mark_not_on_whatsapp(org, P1, T0, "(#131026) Message undeliverable")
    assert impl.phone_flags.unreachable(org, [P1, P2]) == {P1}
    assert impl.phone_flags.unreachable(new_org(), [P1]) == frozenset()


# -- holds ----------------------------------------------------------------------------------------------------------


def test_customer_and_invoice_pauses_with_and_without_an_end(impl: Impl, org: str) -> None:
    impl.holds.pause_customer(org, "xero:t1", "C1", None)
    impl.holds.pause_invoice(org, "xero:t1", "INV-1", T0 + hours(1))
    impl.holds.pause_invoice(org, "quickbooks:r1", "INV-1", T0 - hours(1))  # already over
    assert impl.holds.active(org, T0) == ({("xero:t1", "C1")}, {("xero:t1", "INV-1")})
    assert impl.holds.active(org, T0 + hours(1)) == ({("xero:t1", "C1")}, frozenset())  # ends at `until`
    assert impl.holds.active(new_org(), T0) == (frozenset(), frozenset())


def test_the_whatsapp_id_meta_resolved_a_number_to_leads_back_to_it(impl: Impl, org: str) -> None:
    msg_sk = impl.ledger.claim(org, message("+525512345678", invoice("INV-9")), TODAY, T0)
    assert msg_sk is not None
    impl.ledger.record_sent(org, msg_sk, "wamid.A", T0, wa_id="5215512345678")
    assert impl.ledger.numbers_known_as(org, ["+5215512345678", "+6281200000001"]) == {
        "+5215512345678": "+525512345678"
    }
    assert impl.ledger.numbers_known_as(new_org(), ["+5215512345678"]) == {}


def test_an_invoice_pause_keeps_its_note_while_it_lasts(impl: Impl, org: str) -> None:
    promised = note("promised", date="2026-12-01", reply_date="2026-11-24")
    impl.holds.pause_invoice(org, "xero:t1", "INV-1", T0 + hours(2), note="the customer said they paid", why=promised)
    impl.holds.pause_invoice(org, "xero:t1", "INV-2", None)
    impl.holds.pause_invoice(org, "xero:t1", "INV-3", T0 - hours(1), note="an old pause")
    impl.holds.pause_invoice(org, "xero:t1", "INV-4", T0 + hours(2), note="paused before notes had words")
    assert impl.holds.pause_notes(org, T0) == {
        ("xero:t1", "INV-1"): ("the customer said they paid", promised),
        ("xero:t1", "INV-4"): ("paused before notes had words", note("invoice_paused")),
    }
    assert impl.holds.pause_notes(org, T0 + hours(3)) == {}
    assert impl.holds.pause_notes(new_org(), T0) == {}


def test_a_phone_pause_is_never_shortened(impl: Impl, org: str) -> None:
    impl.holds.pause_phone(org, P1, T0 + hours(72), "replied")
    impl.holds.pause_phone(org, P1, T0 + hours(24), "replied again, shorter")
    assert impl.holds.paused_phones(org, [P1, P2], T0 + hours(48)) == {P1}
    impl.holds.pause_phone(org, P1, T0 + hours(120), "longer")
    assert impl.holds.paused_phones(org, [P1], T0 + hours(100)) == {P1}
    assert impl.holds.paused_phones(org, [P1], T0 + hours(120)) == frozenset()  # over at `until`
    assert impl.holds.paused_phones(new_org(), [P1], T0) == frozenset()


def test_closed_invoices_expire_and_can_be_reopened(impl: Impl, org: str) -> None:
    keep = dt.timedelta(days=2)
    impl.holds.close_invoice(org, "xero:t1", "INV-1", status="paid", source="xero", at=T0, keep_for=keep)
    impl.holds.close_invoice(org, "xero:t1", "INV-2", status="voided", source="xero", at=T0, keep_for=keep)
    keys = [("xero:t1", "INV-1"), ("xero:t1", "INV-2"), ("xero:t1", "INV-3")]
    assert impl.holds.closed_invoices(org, keys, T0 + hours(1)) == {keys[0]: "paid", keys[1]: "voided"}
    assert impl.holds.closed_invoices(org, keys, T0 + keep) == {}
    impl.holds.reopen_invoice(org, "xero:t1", "INV-1")
    impl.holds.reopen_invoice(org, "xero:t1", "INV-9")  # nothing to reopen: no error
    assert impl.holds.closed_invoices(org, keys, T0) == {keys[1]: "voided"}


# -- the send ledger ------------------------------------------------------------------------------------------------


def _message_row(impl: Impl, org: str, msg_key: str) -> MessageEntry:
    [row] = [m for m in impl.ledger.messages(org) if m.message_key == msg_key]
    return row


def _entry_rows(impl: Impl, org: str) -> dict[str, LedgerEntry]:
    return {e.ledger_key: e for e in impl.ledger.entries(org)}


def _status(org: str, msg_key: str, wamid: str, status: str, at: dt.datetime = T0, **extra: Any) -> DeliveryStatus:
    return DeliveryStatus(org_id=org, message_key=msg_key, wamid=wamid, status=status, at=at, **extra)


def test_a_claim_takes_the_phone_day_and_every_reminder_or_nothing(impl: Impl, org: str) -> None:
    inv1, inv2, inv3, inv4 = (invoice(f"INV-{n}") for n in range(1, 5))
    first = message(P1, inv1, inv2)
    msg_key = impl.ledger.claim(org, first, TODAY, T0)
    assert msg_key is not None
    assert impl.ledger.recipient(msg_key) == P1
    keys = [r.ledger_key for r in first.reminders]
    not_claimed = message(P1, inv3).reminders[0].ledger_key
    assert impl.ledger.states(org, [*keys, not_claimed]) == dict.fromkeys(keys, LedgerState.CLAIMED)
    assert impl.ledger.phones_messaged_on(org, TODAY, [P1, P2]) == {P1}

    # The same phone the same day, about another invoice: refused, and the other invoice stays unclaimed.
    assert impl.ledger.claim(org, message(P1, inv3), TODAY, T0) is None
    # Another phone, one reminder already claimed: refused as a whole (no phone-day, no new reminder row).
    assert impl.ledger.claim(org, message(P2, inv1, inv4), TODAY, T0) is None
    later = [message(P1, inv3).reminders[0].ledger_key, message(P2, inv4).reminders[0].ledger_key]
    assert impl.ledger.states(org, later) == {}
    assert impl.ledger.phones_messaged_on(org, TODAY, [P2]) == frozenset()
    # The same reminder again (a second worker, a redelivery): refused.
    assert impl.ledger.claim(org, first, TODAY, T0) is None
    # The next day the phone may get a message again; another organisation is independent.
    assert impl.ledger.claim(org, message(P1, inv3, on=TODAY + dt.timedelta(days=1)), TODAY + dt.timedelta(days=1), T0)
    assert impl.ledger.claim(new_org(), first, TODAY, T0) is not None


def test_a_message_naming_one_reminder_twice_is_refused(impl: Impl, org: str) -> None:
    twice = message(P1, invoice("INV-1"), invoice("INV-1"))
    with pytest.raises((ValueError, TransactWriteError)):  # DynamoDB: one transaction may not touch an item twice
        impl.ledger.claim(org, twice, TODAY, T0)
    assert impl.ledger.phones_messaged_on(org, TODAY, [P1]) == frozenset()


def test_record_sent_and_record_failed_complete_the_claim(impl: Impl, org: str) -> None:
    wamid = unique("wamid.")
    sent_key = impl.ledger.claim(org, message(P1, invoice("INV-1"), invoice("INV-2")), TODAY, T0)
    impl.ledger.record_sent(org, sent_key, wamid, T0 + hours(0.01))
    row = _message_row(impl, org, sent_key)
    assert (row.state, row.wamid, row.sent_at) == ("sent", wamid, T0 + hours(0.01))
    assert {k: (e.state, e.wamid) for k, e in _entry_rows(impl, org).items()} == {
        f"xero:tenant-1#INV-{n}#d+7": ("sent", wamid) for n in (1, 2)
    }
    assert impl.ledger.locate([wamid, unique("wamid.")]) == {wamid: (org, sent_key)}

    failed_key = impl.ledger.claim(org, message(P2, invoice("INV-3")), TODAY, T0)
    impl.ledger.record_failed(org, failed_key, 131049, "Not delivered to maintain healthy ecosystem", T0)
    failed = _message_row(impl, org, failed_key)
    assert (failed.state, failed.error_code, failed.error_title) == ("failed", 131049, failed.error_title)
    assert impl.ledger.states(org, ["xero:tenant-1#INV-3#d+7"]) == {"xero:tenant-1#INV-3#d+7": LedgerState.FAILED}
    impl.ledger.record_sent(org, "MSG#2026-11-24#+6200000000", unique("wamid."), T0)  # unknown message: no error


def test_the_ledger_reads_back_as_domain_entries(impl: Impl, org: str) -> None:
    wamid = unique("wamid.")
    first = message(P2, invoice("INV-2"), invoice("INV-1", connection_id="quickbooks:9341"))
    msg_key = impl.ledger.claim(org, first, TODAY, T0)
    impl.ledger.record_sent(org, msg_key, wamid, T0 + hours(0.01))
    read = _status(org, msg_key, wamid, "read", at=T0 + hours(1), pricing_category="utility")
    assert impl.ledger.apply_status(read)
    refused = message(P1, invoice("INV-3"), stage=14)
    failed_key = impl.ledger.claim(org, refused, TODAY, T0)
    impl.ledger.record_failed(org, failed_key, 131026, "Message undeliverable", T0)

    sent = {"state": LedgerState.SENT, "claimed_at": T0, "sent_at": T0 + hours(0.01), "wamid": wamid}
    assert impl.ledger.messages(org) == [  # by local date, then phone
        MessageEntry(
            message_key=failed_key,
            phone=P1,
            local_date=TODAY,
            state=LedgerState.FAILED,
            connection_id="xero:tenant-1",
            ledger_keys=("xero:tenant-1#INV-3#d+14",),
            template=refused.template.name,
            language="id",
            claimed_at=T0,
            error_code=131026,
            error_title="Message undeliverable",
        ),
        MessageEntry(
            message_key=msg_key,
            phone=P2,
            local_date=TODAY,
            connection_id="xero:tenant-1",
            ledger_keys=("xero:tenant-1#INV-2#d+7", "quickbooks:9341#INV-1#d+7"),
            template=first.template.name,
            language="id",
            delivery="read",
            delivery_at=T0 + hours(1),
            pricing_category="utility",
            accepted_status="accepted",  # Meta's answer, as recorded with the send
            **sent,
        ),
    ]
    assert impl.ledger.entries(org) == [  # by ledger key
        LedgerEntry(
            connection_id="quickbooks:9341",
            invoice_id="INV-1",
            stage="d+7",
            message_key=msg_key,
            delivery="read",
            **sent,
        ),
        LedgerEntry(
            connection_id="xero:tenant-1",
            invoice_id="INV-2",
            stage="d+7",
            message_key=msg_key,
            delivery="read",
            **sent,
        ),
        LedgerEntry(
            connection_id="xero:tenant-1",
            invoice_id="INV-3",
            stage="d+14",
            state=LedgerState.FAILED,
            message_key=failed_key,
            claimed_at=T0,
            error_code=131026,
            error_title="Message undeliverable",
        ),
    ]
    assert [e.ledger_key for e in impl.ledger.entries(org)] == [
        "quickbooks:9341#INV-1#d+7",
        "xero:tenant-1#INV-2#d+7",
        "xero:tenant-1#INV-3#d+14",
    ]
    assert impl.ledger.messages(new_org()) == [] and impl.ledger.entries(new_org()) == []


def test_a_send_meta_holds_back_stays_claimed_until_a_status_and_keeps_metas_answer(impl: Impl, org: str) -> None:
    """Meta's `message_status` other than accepted (template pacing): never re-sent, not sent until a status says so;
    the answer's `wa_id` is kept when it is not the claimed phone's digits."""
    held_wamid, other_wamid = unique("wamid."), unique("wamid.")
    held_key = impl.ledger.claim(org, message(P1, invoice("INV-1")), TODAY, T0)
    impl.ledger.record_sent(org, held_key, held_wamid, T0, accepted_status="held_for_quality_assessment", wa_id=P1[1:])
    other_key = impl.ledger.claim(org, message(P2, invoice("INV-2")), TODAY, T0)
    impl.ledger.record_sent(org, other_key, other_wamid, T0, wa_id="6281299999992")
    entries = {m.message_key: m for m in impl.ledger.messages(org)}
    assert (entries[held_key].state, entries[held_key].wamid) == (LedgerState.CLAIMED, held_wamid)
    assert (entries[held_key].accepted_status, entries[held_key].wa_id) == ("held_for_quality_assessment", None)
    assert (entries[other_key].state, entries[other_key].wa_id) == (LedgerState.SENT, "6281299999992")
    assert impl.ledger.states(org, ["xero:tenant-1#INV-1#d+7"]) == {"xero:tenant-1#INV-1#d+7": LedgerState.CLAIMED}
    assert impl.ledger.phones_messaged_on(org, TODAY, [P1]) == frozenset({P1})  # the phone's message of the day
    assert impl.ledger.locate([held_wamid]) == {held_wamid: (org, held_key)}  # its statuses find it
    assert impl.ledger.apply_status(_status(org, held_key, held_wamid, "sent", at=T0 + hours(1)))
    released = {m.message_key: m for m in impl.ledger.messages(org)}[held_key]
    assert (released.state, released.delivery, released.sent_at) == (LedgerState.SENT, "sent", T0 + hours(1))


def test_a_message_refused_for_good_does_not_use_up_the_phones_day(impl: Impl, org: str) -> None:
    refused = impl.ledger.claim(org, message(P2, invoice("INV-3")), TODAY, T0)
    impl.ledger.record_failed(org, refused, 132000, "Number of parameters does not match", T0)
    assert impl.ledger.phones_messaged_on(org, TODAY, [P2]) == frozenset()
    assert impl.ledger.claim(org, message(P2, invoice("INV-3")), TODAY, T0) is None  # that reminder: never again
    again = impl.ledger.claim(org, message(P2, invoice("INV-4")), TODAY, T0 + hours(1))
    assert again is not None  # another reminder for the same phone may go out today
    assert impl.ledger.phones_messaged_on(org, TODAY, [P2]) == frozenset({P2})
    assert impl.ledger.states(org, ["xero:tenant-1#INV-3#d+7"]) == {"xero:tenant-1#INV-3#d+7": LedgerState.FAILED}


def test_release_frees_only_a_claim_nothing_completed(impl: Impl, org: str) -> None:
    claimed = message(P1, invoice("INV-1"))
    msg_key = impl.ledger.claim(org, claimed, TODAY, T0)
    impl.ledger.release(org, msg_key)
    assert impl.ledger.states(org, [claimed.reminders[0].ledger_key]) == {}
    assert impl.ledger.phones_messaged_on(org, TODAY, [P1]) == frozenset()
    assert impl.ledger.claim(org, claimed, TODAY, T0) == msg_key  # claimable again
    impl.ledger.release(org, "MSG#2026-11-24#+6200000000")  # nothing there: no error

    impl.ledger.record_sent(org, msg_key, unique("wamid."), T0)
    impl.ledger.release(org, msg_key)  # completed meanwhile (a status webhook): nothing is freed, nothing fails
    assert impl.ledger.states(org, [claimed.reminders[0].ledger_key]) == {
        claimed.reminders[0].ledger_key: LedgerState.SENT
    }


def test_delivery_statuses_never_go_backwards(impl: Impl, org: str) -> None:
    wamid = unique("wamid.")
    msg_key = impl.ledger.claim(org, message(P1, invoice("INV-1"), invoice("INV-2")), TODAY, T0)
    impl.ledger.record_sent(org, msg_key, wamid, T0)

    def delivery() -> tuple[str | None, set[str | None]]:
        return _message_row(impl, org, msg_key).delivery, {e.delivery for e in impl.ledger.entries(org)}

    for status, expected in [
        ("delivered", "delivered"),
        ("sent", "delivered"),
        ("read", "read"),
        ("delivered", "read"),
        ("read", "read"),
    ]:
        assert impl.ledger.apply_status(_status(org, msg_key, wamid, status, pricing_category="utility"))
        assert delivery() == (expected, {expected})
    row = _message_row(impl, org, msg_key)
    assert (row.pricing_category, row.state) == ("utility", "sent")

    failed = _status(org, msg_key, wamid, "failed", error_code=131047, error_title="Re-engagement message")
    assert impl.ledger.apply_status(failed)
    assert impl.ledger.apply_status(_status(org, msg_key, wamid, "read"))
    row = _message_row(impl, org, msg_key)
    assert (row.delivery, row.error_code, row.error_title) == ("failed", 131047, "Re-engagement message")
    assert {(e.delivery, e.error_code) for e in impl.ledger.entries(org)} == {("failed", 131047)}
    assert impl.ledger.apply_status(_status(org, msg_key, wamid, "deleted"))  # not a delivery status: ignored
    assert not impl.ledger.apply_status(_status(org, "MSG#2026-11-24#+6200000000", wamid, "read"))


def test_statuses_in_bulk_end_as_one_after_another_would(impl: Impl, org: str) -> None:
    """`apply_statuses`: several messages and several statuses each, out of order and repeated, a claimed message,
    an unknown one; the same end as `apply_status` one at a time (never backwards, pricing and errors kept)."""
    keys, wamids = [], []
    for phone, invoices in ((P1, ("INV-1", "INV-2")), (P2, ("INV-3",)), (P3, ("INV-4",))):
        wamids.append(unique("wamid."))
        keys.append(impl.ledger.claim(org, message(phone, *(invoice(i) for i in invoices)), TODAY, T0))
    impl.ledger.record_sent(org, keys[0], wamids[0], T0)
    impl.ledger.record_sent(org, keys[1], wamids[1], T0)  # keys[2] stays claimed: the worker died after the send
    failed = _status(org, keys[1], wamids[1], "failed", error_code=131049, error_title="Not delivered")
    updates = [
        _status(org, keys[0], wamids[0], "read", at=T0 + hours(2)),
        _status(org, keys[1], wamids[1], "sent", pricing_category="utility"),
        _status(org, keys[0], wamids[0], "delivered", pricing_category="utility", at=T0 + hours(1)),
        failed,
        _status(org, keys[2], wamids[2], "delivered", at=T0 + hours(1)),
        _status(org, keys[1], wamids[1], "read"),
        _status(org, keys[0], wamids[0], "read", at=T0 + hours(2)),
        _status(org, "MSG#2026-11-24#+6200000000", wamids[0], "read"),  # no such message
    ]
    assert impl.ledger.apply_statuses(updates) == 7
    rows = [_message_row(impl, org, k) for k in keys]
    assert [(r.state, r.delivery) for r in rows] == [("sent", "read"), ("sent", "failed"), ("sent", "delivered")]
    assert (rows[0].pricing_category, rows[0].delivery_at) == (None, T0 + hours(2))  # "read" came first
    assert (rows[1].pricing_category, rows[1].error_code, rows[1].error_title) == ("utility", 131049, "Not delivered")
    assert rows[2].wamid == wamids[2]
    entries = {e.ledger_key.split("#")[1]: e for e in impl.ledger.entries(org)}
    assert {i: (e.state, e.delivery) for i, e in entries.items()} == {
        "INV-1": (LedgerState.SENT, "read"),
        "INV-2": (LedgerState.SENT, "read"),
        "INV-3": (LedgerState.SENT, "failed"),
        "INV-4": (LedgerState.SENT, "delivered"),
    }
    assert entries["INV-3"].error_code == 131049
    assert impl.ledger.apply_statuses([]) == 0


def test_a_status_for_a_claimed_message_completes_it(impl: Impl, org: str) -> None:
    """The worker died after Meta accepted: the status webhook (tracker = message key) is the proof it was sent."""
    wamid = unique("wamid.")
    msg_key = impl.ledger.claim(org, message(P1, invoice("INV-1")), TODAY, T0)
    assert impl.ledger.apply_status(_status(org, msg_key, wamid, "delivered", at=T0 + hours(0.1)))
    row = _message_row(impl, org, msg_key)
    assert (row.state, row.wamid, row.delivery, row.sent_at) == ("sent", wamid, "delivered", T0 + hours(0.1))
    assert impl.ledger.states(org, ["xero:tenant-1#INV-1#d+7"]) == {"xero:tenant-1#INV-1#d+7": LedgerState.SENT}
    assert impl.ledger.locate([wamid]) == {wamid: (org, msg_key)}


def test_parked_statuses_land_when_the_send_is_recorded_and_only_for_their_organisation(impl: Impl, org: str) -> None:
    wamid = unique("wamid.")
    msg_key = impl.ledger.claim(org, message(P1, invoice("INV-1")), TODAY, T0)
    impl.ledger.park(org, [_status(org, "", wamid, "delivered"), _status(org, "", wamid, "read", at=T0 + hours(1))])
    other = new_org()
    impl.ledger.park(other, [_status(other, "", wamid, "failed", error_code=131026, error_title="Undeliverable")])
    assert impl.ledger.locate([wamid]) == {}

    impl.ledger.record_sent(org, msg_key, wamid, T0)
    row = _message_row(impl, org, msg_key)
    assert (row.delivery, row.delivery_at, row.error_code) == ("read", T0 + hours(1), None)
    assert impl.ledger.apply_parked(wamid, org, msg_key) == 2  # kept until they expire; applying again is harmless
    assert _message_row(impl, org, msg_key).delivery == "read"


def test_recipient_reads_the_phone_from_a_message_key(impl: Impl, org: str) -> None:
    msg_key = impl.ledger.claim(org, message(P3, invoice("INV-1")), TODAY, T0)
    assert impl.ledger.recipient(msg_key) == P3
    assert impl.ledger.recipient("not-a-key") is None


# -- decisions, payment links ---------------------------------------------------------------------------------------


def test_the_latest_decision_per_invoice(impl: Impl, org: str) -> None:
    inv = invoice("INV-1", amount="1250000")
    impl.decisions.save_decisions(org, [Decision(invoice=inv, reason=Reason.NO_CONSENT, stage=Stage(7))], T0)
    impl.decisions.save_decisions(
        org, [Decision(invoice=inv, reason=Reason.SENT, stage=Stage(7), detail="wamid.1")], T0 + hours(1)
    )
    impl.decisions.save_decisions(org, [Decision(invoice=invoice("INV-2"), reason=Reason.NOT_DUE)], T0)
    impl.decisions.save_decisions(
        org,
        [
            Decision(
                invoice=invoice("INV-0", connection_id="quickbooks:9341", amount="99.50", currency="USD"),
                reason=Reason.PAID,
            )
        ],
        T0,
    )
    first, second = (invoice("INV-1"), invoice("INV-2"))
    assert impl.decisions.for_org(org) == [  # by connection, then invoice
        InvoiceView(
            connection_id="quickbooks:9341",
            invoice_id="INV-0",
            number="No-INV-0",
            customer_name=first.customer_name,
            due_date=dt.date(2026, 11, 14),
            amount_due=Money(Decimal("99.50"), "USD"),
            reason=Reason.PAID,
            stage=None,
            detail="",
            decided_at=T0,
        ),
        InvoiceView(
            connection_id="xero:tenant-1",
            invoice_id="INV-1",
            number="No-INV-1",
            customer_name=first.customer_name,
            due_date=dt.date(2026, 11, 14),
            amount_due=Money(Decimal("1250000"), "IDR"),
            reason=Reason.SENT,
            stage="d+7",
            detail="wamid.1",
            decided_at=T0 + hours(1),
        ),
        InvoiceView(
            connection_id="xero:tenant-1",
            invoice_id="INV-2",
            number="No-INV-2",
            customer_name=second.customer_name,
            due_date=second.due_date,
            amount_due=second.amount_due,
            reason=Reason.NOT_DUE,
            stage=None,
            detail="",
            decided_at=T0,
        ),
    ]
    assert str(impl.decisions.for_org(org)[0].amount_due.amount) == "99.50"  # as the invoice said it
    assert impl.decisions.for_org(new_org()) == []


def test_payment_links_resolve_until_they_expire(impl: Impl, org: str) -> None:
    xero = PaymentTarget(number="INV-1", connection_id="xero:t1", invoice_id="i-1")
    qbo = PaymentTarget(
        number="INV-2", connection_id="quickbooks:r1", invoice_id="130", url="https://app.qbo.intuit.com/pay/xyz"
    )
    code = impl.payment_links.create(org, [xero, qbo], T0 + hours(24), language="en")
    other = impl.payment_links.create(org, [xero], T0 + hours(24), language="id")
    assert code != other and len(code) >= 16
    page = impl.payment_links.resolve(code, T0)
    assert page == PaymentPage(org_id=org, language="en", targets=(xero, dataclasses.replace(qbo, looked_up=True)))
    # Looked up when the customer opened it: kept, including "this invoice has no online payment page".
    impl.payment_links.remember(code, {"i-1": None})
    impl.payment_links.remember(other, {"i-1": "https://in.xero.com/abc"})
    again = impl.payment_links.resolve(code, T0)
    assert again is not None and again.targets[0] == dataclasses.replace(xero, looked_up=True)
    assert again.targets[1].url == "https://app.qbo.intuit.com/pay/xyz"
    mine = impl.payment_links.resolve(other, T0)
    assert mine is not None and mine.targets[0].url == "https://in.xero.com/abc"
    assert impl.payment_links.resolve(code, T0 + hours(24)) is None
    assert impl.payment_links.resolve(unique("nope"), T0) is None
    impl.payment_links.remember(unique("nope"), {"i-1": None})  # a code that is gone: nothing to keep


def test_payment_links_keep_what_the_reminder_said(impl: Impl, org: str) -> None:
    """Amount and due date, as the message showed them; a link made before they were kept reads without them."""
    idr = PaymentTarget(
        number="INV-1",
        connection_id="quickbooks:r1",
        invoice_id="130",
        amount=Money(Decimal("1250000"), "IDR"),
        due_date=TODAY,
    )
    usd = PaymentTarget(
        number="INV-2", connection_id="xero:t1", invoice_id="i-2", amount=Money(Decimal("99.50"), "USD"), due_date=TODAY
    )
    bare = PaymentTarget(number="INV-3", connection_id="xero:t1", invoice_id="i-3")
    code = impl.payment_links.create(org, [idr, usd, bare], T0 + hours(24), language="id")
    impl.payment_links.remember(code, {"i-2": None})
    page = impl.payment_links.resolve(code, T0)
    assert page is not None
    assert page.targets == (idr, dataclasses.replace(usd, looked_up=True), bare)
    assert str(page.targets[1].amount.amount if page.targets[1].amount else "") == "99.50"


def test_a_link_written_before_amounts_were_kept_still_opens(sandbox: Any) -> None:
    """Backward compatible: a DynamoDB link item without amount, currency and due date (as written before)."""
    from chalicelib.storage.payment_links import DynamoPaymentLinks
    from chalicelib.storage.schema import PaymentLinkRecord

    code, org = unique("old"), new_org()
    legacy = [{"number": "INV-9", "connection_id": "xero:t1", "invoice_id": "i-9", "url": None, "looked_up": False}]
    PaymentLinkRecord(
        f"PAYLINK#{code}", "LINK", org_id=org, language="id", links=legacy, expires_at=T0 + hours(1)
    ).save()
    page = DynamoPaymentLinks().resolve(code, T0)
    assert page is not None
    assert page.targets == (PaymentTarget(number="INV-9", connection_id="xero:t1", invoice_id="i-9"),)


def test_i_have_paid_is_kept_once_per_code_newest_first(impl: Impl, org: str) -> None:
    first = PaymentTarget(
        number="INV-1",
        connection_id="xero:t1",
        invoice_id="i-1",
        amount=Money(Decimal("500000"), "IDR"),
        due_date=TODAY,
    )
    second = PaymentTarget(number="INV-2", connection_id="xero:t1", invoice_id="i-2", url="https://in.xero.com/x")
    code, other = unique("c"), unique("c")
    claim = impl.payment_links.record_claim(org, code, [first, second], T0, dt.timedelta(days=90))
    kept = (first, PaymentTarget(number="INV-2", connection_id="xero:t1", invoice_id="i-2"))  # no payment page
    assert claim == PaymentClaim(org_id=org, code=code, claimed_at=T0, invoices=kept)
    # Pressed again, later, even with other invoices: the first claim, unchanged.
    again = impl.payment_links.record_claim(org, code, [second], T0 + hours(1), dt.timedelta(days=90))
    assert again == claim and impl.payment_links.claim(org, code) == claim
    impl.payment_links.record_claim(org, other, [second], T0 + hours(2), dt.timedelta(days=90))
    assert [c.code for c in impl.payment_links.claims(org)] == [other, code]  # newest first
    assert [c.code for c in impl.payment_links.claims(org, limit=1)] == [other]
    assert impl.payment_links.claim(new_org(), code) is None  # another organisation's partition
    assert impl.payment_links.claims(new_org()) == []


def test_payment_instructions_and_the_qris_image(impl: Impl, org: str) -> None:
    store = impl.payment_instructions
    assert store.get(org) == PaymentInstructions()  # nothing set: empty, with the default hold
    assert store.get(org).claim_hold_days == 3 and not store.get(org).given
    bca = BankAccount(bank="BCA", account_number="123 456 7890", holder="PT Sumber Rejeki")
    mandiri = BankAccount(bank="Mandiri", account_number="137-00-1234567-8", holder="Budi Hartono")
    info = PaymentInstructions(
        bank_accounts=(bca, mandiri), virtual_account="BCA VA 39010 0812", e_wallet="GoPay 0812", claim_hold_days=5
    )
    store.save(org, info)
    assert store.get(org) == info and store.qris(org) is None
    png = QrisImage(content_type="image/png", data=b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    store.set_qris(org, png)
    assert store.qris(org) == png
    store.save(org, dataclasses.replace(info, bank_accounts=(mandiri,)))  # a text save keeps the image
    assert store.get(org) == dataclasses.replace(info, bank_accounts=(mandiri,), qris_type="image/png")
    assert store.qris(org) == png
    store.remove_qris(org)
    assert store.qris(org) is None and store.get(org).qris_type == ""
    assert store.get(new_org()) == PaymentInstructions() and store.qris(new_org()) is None


# -- connections and their tokens, leases, OAuth states -------------------------------------------------------------


def _tokens(n: int) -> OAuthTokens:
    return OAuthTokens(
        access_token=f"access-{n}", refresh_token=f"refresh-{n}", expires_at=T0 + hours(0.5), scope="offline_access"
    )


def test_connections_and_their_versioned_tokens(impl: Impl, org: str) -> None:
    tenant = unique("tenant-")
    connection = Connection(org_id=org, connection_id=f"xero:{tenant}", provider="xero", tenant_id=tenant)
    impl.connections.add(connection, _tokens(1))
    assert impl.connections.get(org, connection.connection_id) == connection
    assert impl.connections.for_org(org) == [connection]
    assert connection in impl.connections.active()
    assert impl.routes.connections_for_tenant("xero", tenant) == [ConnectionRoute(org, connection.connection_id)]
    assert impl.connections.load_tokens(org, connection.connection_id) == (_tokens(1), 1)

    impl.connections.save_tokens(org, connection.connection_id, _tokens(2), expected_version=1)
    assert impl.connections.load_tokens(org, connection.connection_id) == (_tokens(2), 2)
    with pytest.raises(TokenConflict):  # someone saved since version 1 was read
        impl.connections.save_tokens(org, connection.connection_id, _tokens(3), expected_version=1)

    assert impl.connections.health(org) == [
        ConnectionHealth(
            connection_id=connection.connection_id,
            provider="xero",
            tenant_name="",
            status="active",
            last_cycle_at=None,
            last_cycle_summary="",
        )
    ]
    impl.connections.record_cycle(org, connection.connection_id, T0, "sent=1")  # any write moves the version
    [health] = impl.connections.health(org)
    assert (health.last_cycle_at, health.last_cycle_summary) == (T0, "sent=1")
    assert impl.connections.health(new_org()) == []
    assert impl.connections.version(org, connection.connection_id) == 3
    with pytest.raises(TokenConflict):
        impl.connections.save_tokens(org, connection.connection_id, _tokens(3), expected_version=2)
    assert impl.connections.load_tokens(org, connection.connection_id) == (_tokens(2), 3)

    with pytest.raises(CREATE_REFUSED):  # add creates; an existing connection is reconnected with save_tokens
        impl.connections.add(connection, _tokens(9))
    assert impl.connections.load_tokens(org, connection.connection_id)[0] == _tokens(2)


def test_connection_status_and_deleted_tokens(impl: Impl, org: str) -> None:
    connection = Connection(org_id=org, connection_id="quickbooks:9341", provider="quickbooks", tenant_id="9341")
    impl.connections.add(connection, _tokens(1))
    impl.connections.set_status(org, connection.connection_id, ConnectionStatus.RECONNECT_NEEDED)
    assert impl.connections.get(org, connection.connection_id).status is ConnectionStatus.RECONNECT_NEEDED
    assert all(c.org_id != org for c in impl.connections.active())
    impl.connections.set_status(org, connection.connection_id, ConnectionStatus.ACTIVE)
    assert [c.connection_id for c in impl.connections.active() if c.org_id == org] == [connection.connection_id]

    impl.connections.delete_tokens(org, connection.connection_id)
    with pytest.raises(LunasError):  # NotFound: no tokens
        impl.connections.load_tokens(org, connection.connection_id)
    assert impl.connections.version(org, connection.connection_id) == 4
    impl.connections.delete_tokens(org, "xero:nothing")  # nothing there: no error
    assert impl.connections.version(org, "xero:nothing") is None
    for read in (impl.connections.get, impl.connections.load_tokens):
        with pytest.raises(LunasError):
            read(org, "xero:nothing")
    with pytest.raises(LunasError):
        impl.connections.set_status(org, "xero:nothing", ConnectionStatus.DISCONNECTED)


def test_a_connection_keeps_its_companys_country_currency_and_time_zone(impl: Impl, org: str) -> None:
    connection = Connection(
        org_id=org,
        connection_id="xero:au-1",
        provider="xero",
        tenant_id="au-1",
        country="AU",
        currency="AUD",
        timezone="Australia/Sydney",
    )
    impl.connections.add(connection, _tokens(1))
    assert impl.connections.get(org, connection.connection_id) == connection
    assert connection.phone_country("ID") == "AU"
    assert [c for c in impl.connections.active() if c.org_id == org] == [connection]

    older = Connection(org_id=org, connection_id="quickbooks:9341", provider="quickbooks", tenant_id="9341")
    impl.connections.add(older, _tokens(1))  # connected before Lunas read the company's country
    assert impl.connections.get(org, older.connection_id).country is None
    assert impl.connections.get(org, older.connection_id).phone_country("ID") == "ID"  # the organisation's
    impl.connections.set_profile(org, older.connection_id, CompanyProfile(country="US", currency="USD"))
    assert impl.connections.get(org, older.connection_id) == dataclasses.replace(older, country="US", currency="USD")
    impl.connections.set_profile(org, older.connection_id, CompanyProfile())  # nothing known: nothing forgotten
    assert impl.connections.get(org, older.connection_id).country == "US"
    assert impl.connections.version(org, older.connection_id) == 3
    with pytest.raises(LunasError):
        impl.connections.set_profile(org, "xero:nothing", CompanyProfile(country="US"))


def test_the_connections_of_a_grant_read_and_write_its_one_token_set(impl: Impl, org: str) -> None:
    grant = unique("xero:user-")
    assert impl.connections.grant_tokens(org, grant) is None
    impl.connections.save_grant(org, grant, _tokens(1), expected_version=None)
    with pytest.raises(TokenConflict):  # None: only a new grant
        impl.connections.save_grant(org, grant, _tokens(9), expected_version=None)
    assert impl.connections.grant_tokens(org, grant) == (_tokens(1), 1)
    assert impl.connections.grant_tokens(new_org(), grant) is None  # never another organisation's

    tenant_a, tenant_b = unique("tenant-"), unique("tenant-")
    a = Connection(org_id=org, connection_id=f"xero:{tenant_a}", provider="xero", tenant_id=tenant_a, country="AU")
    b = Connection(org_id=org, connection_id=f"xero:{tenant_b}", provider="xero", tenant_id=tenant_b)
    link_a = GrantLink(grant_id=grant, provider_connection_id="conn-a")
    impl.connections.attach(a, link_a)
    impl.connections.attach(b, GrantLink(grant_id=grant, provider_connection_id="conn-b"))
    assert impl.connections.get(org, a.connection_id) == a
    assert impl.routes.connections_for_tenant("xero", tenant_a) == [ConnectionRoute(org, a.connection_id)]
    assert impl.connections.link(org, a.connection_id) == link_a
    assert impl.connections.links(org) == {
        a.connection_id: link_a,
        b.connection_id: GrantLink(grant_id=grant, provider_connection_id="conn-b"),
    }
    assert impl.connections.load_tokens(org, a.connection_id) == (_tokens(1), 1)
    assert impl.connections.load_tokens(org, b.connection_id) == (_tokens(1), 1)

    impl.connections.save_tokens(org, b.connection_id, _tokens(2), expected_version=1)  # one write, both read it
    assert impl.connections.load_tokens(org, a.connection_id) == (_tokens(2), 2)
    with pytest.raises(TokenConflict):
        impl.connections.save_tokens(org, a.connection_id, _tokens(3), expected_version=1)
    impl.connections.record_cycle(org, a.connection_id, T0, "sent=1")  # the connection's own writes: not the set's
    impl.connections.set_status(org, b.connection_id, ConnectionStatus.RECONNECT_NEEDED)
    assert impl.connections.load_tokens(org, a.connection_id)[1] == 2

    # A connection with its own token set (stored before grants) joins the grant: its copy is deleted.
    tenant_c = unique("tenant-")
    c = Connection(org_id=org, connection_id=f"xero:{tenant_c}", provider="xero", tenant_id=tenant_c)
    impl.connections.add(c, _tokens(5))
    assert impl.connections.link(org, c.connection_id) == GrantLink()
    impl.connections.attach(dataclasses.replace(c, tenant_name="Toko C"), GrantLink(grant_id=grant))
    assert impl.connections.load_tokens(org, c.connection_id) == (_tokens(2), 2)
    assert impl.connections.get(org, c.connection_id).tenant_name == "Toko C"
    # Attached again (a reconnect) with what is known: unknown profile fields stay, the status is the one given.
    impl.connections.attach(dataclasses.replace(a, country=None, status=ConnectionStatus.ACTIVE), link_a)
    assert impl.connections.get(org, a.connection_id).country == "AU"
    impl.connections.attach(dataclasses.replace(b, status=ConnectionStatus.ACTIVE), GrantLink(grant_id=grant))
    assert impl.connections.get(org, b.connection_id).status is ConnectionStatus.ACTIVE
    assert impl.connections.link(org, b.connection_id) == GrantLink(grant_id=grant)

    impl.connections.set_link(org, a.connection_id, GrantLink())  # it left the grant: it reads nothing
    with pytest.raises(LunasError):
        impl.connections.load_tokens(org, a.connection_id)
    impl.connections.delete_grant(org, grant)
    assert impl.connections.grant_tokens(org, grant) is None
    with pytest.raises(LunasError):
        impl.connections.load_tokens(org, b.connection_id)
    impl.connections.delete_grant(org, grant)  # nothing there: no error
    with pytest.raises(TokenConflict):
        impl.connections.save_grant(org, grant, _tokens(4), expected_version=2)
    with pytest.raises(LunasError):
        impl.connections.set_link(org, "xero:nothing", GrantLink())


def test_a_lease_has_one_holder_until_released_or_expired(impl: Impl, org: str) -> None:
    now = T0.timestamp()
    assert impl.leases.acquire(org, "REFRESH#a", "worker-1", now=now, seconds=30)
    assert not impl.leases.acquire(org, "REFRESH#a", "worker-2", now=now + 1, seconds=30)
    assert not impl.leases.acquire(org, "REFRESH#a", "worker-1", now=now + 1, seconds=30)  # not re-entrant
    assert impl.leases.acquire(org, "REFRESH#b", "worker-2", now=now, seconds=30)  # another key
    impl.leases.release(org, "REFRESH#a", "worker-2")  # not the holder: nothing happens
    assert not impl.leases.acquire(org, "REFRESH#a", "worker-3", now=now + 2, seconds=30)
    impl.leases.release(org, "REFRESH#a", "worker-1")
    assert impl.leases.acquire(org, "REFRESH#a", "worker-3", now=now + 2, seconds=30)
    assert not impl.leases.acquire(org, "REFRESH#a", "worker-4", now=now + 32, seconds=30)  # at the end: still held
    assert impl.leases.acquire(org, "REFRESH#a", "worker-4", now=now + 32.5, seconds=30)  # after it: taken over
    impl.leases.release(org, "REFRESH#a", "worker-3")  # the old holder's release does not free the new lease
    assert not impl.leases.acquire(org, "REFRESH#a", "worker-5", now=now + 33, seconds=30)
    impl.leases.release(org, "REFRESH#zzz", "worker-1")  # nothing there: no error


def _pending(org: str, user: str = "user-1", provider: str = "xero") -> PendingAuthorization:
    return PendingAuthorization(
        org_id=org,
        user_sub=user,
        provider=provider,
        code_verifier="v" * 43,
        redirect_uri="http://127.0.0.1/connect/xero/callback",
    )


def test_an_oauth_state_is_single_use_and_bound_to_its_user(impl: Impl, org: str) -> None:
    state = unique("state-")
    impl.oauth_states.put(state, _pending(org), now=T0, ttl=dt.timedelta(minutes=10))
    with pytest.raises(CREATE_REFUSED):  # the same state twice is refused
        impl.oauth_states.put(state, _pending(org), now=T0, ttl=dt.timedelta(minutes=10))

    def kind(user: str = "user-1", provider: str = "xero", now: dt.datetime = T0, value: str = state) -> str:
        with pytest.raises(StateInvalid) as caught:
            impl.oauth_states.consume(value, user_sub=user, provider=provider, now=now)
        return caught.value.kind

    assert kind(user="user-2") == "wrong_user"
    assert kind(provider="quickbooks") == "wrong_user"
    assert kind(value=unique("state-")) == "missing"
    # Someone else's attempt did not use it up: the right user still can, once.
    assert impl.oauth_states.consume(state, user_sub="user-1", provider="xero", now=T0) == _pending(org)
    assert kind() == "replayed"


def test_an_expired_oauth_state_is_refused_and_used_up(impl: Impl, org: str) -> None:
    state = unique("state-")
    impl.oauth_states.put(state, _pending(org), now=T0, ttl=dt.timedelta(minutes=10))
    now = T0 + dt.timedelta(minutes=10, seconds=1)
    with pytest.raises(StateInvalid) as caught:
        impl.oauth_states.consume(state, user_sub="user-1", provider="xero", now=now)
    assert caught.value.kind == "expired"
    with pytest.raises(StateInvalid) as again:
        impl.oauth_states.consume(state, user_sub="user-1", provider="xero", now=T0)
    assert again.value.kind == "replayed"


def test_an_oauth_state_is_valid_to_its_last_second(impl: Impl, org: str) -> None:
    state = unique("state-")
    impl.oauth_states.put(state, _pending(org), now=T0, ttl=dt.timedelta(minutes=10))
    at_the_end = T0 + dt.timedelta(minutes=10)
    assert impl.oauth_states.consume(state, user_sub="user-1", provider="xero", now=at_the_end) == _pending(org)


# -- incremental-sync snapshots -------------------------------------------------------------------------------------


def test_a_snapshot_round_trips_and_its_cursor_moves_only_for_the_version_read(impl: Impl, org: str) -> None:
    connection_id = "quickbooks:9341"
    assert impl.snapshots.load(org, connection_id) == Snapshot()
    inv1 = invoice("11", connection_id=connection_id, source="quickbooks", payment_link="https://pay/11")
    inv1 = dataclasses.replace(inv1, issue_date=TODAY, updated_at=T0 - hours(1))
    inv2 = invoice("12", connection_id=connection_id, source="quickbooks", amount="250000.50")
    budi = customer("1", "+6281234567001", connection_id=connection_id, source="quickbooks")
    landline = customer("2", None, connection_id=connection_id, source="quickbooks", phone_problem=Reason.INVALID_PHONE)
    sweep = SnapshotChange(
        put_invoices=(inv1, inv2), put_customers=(budi, landline), cursor=T0 - hours(2), full_sweep_at=T0
    )
    assert impl.snapshots.save(org, connection_id, sweep, expected_version=0)
    loaded = impl.snapshots.load(org, connection_id)
    assert loaded == Snapshot(
        invoices={"11": inv1, "12": inv2},
        customers={"1": budi, "2": landline},
        cursor=T0 - hours(2),
        full_sweep_at=T0,
        version=1,
    )

    # A worker still holding version 0: its items are written (harmless), its cursor is not.
    paid = SnapshotChange(delete_invoice_ids=frozenset({"11"}), cursor=T0 - hours(1))
    assert not impl.snapshots.save(org, connection_id, paid, expected_version=0)
    after = impl.snapshots.load(org, connection_id)
    assert (set(after.invoices), after.cursor, after.version) == ({"12"}, T0 - hours(2), 1)
    # Items only (no cursor change, or no version): always written, the cursor stays.
    items_only = SnapshotChange(put_invoices=(inv1,), delete_customer_ids=frozenset({"2"}))
    assert impl.snapshots.save(org, connection_id, items_only, expected_version=None)
    assert impl.snapshots.save(org, connection_id, SnapshotChange(cursor=T0 + hours(1)), expected_version=None)
    after = impl.snapshots.load(org, connection_id)
    assert (set(after.invoices), set(after.customers), after.version) == ({"11", "12"}, {"1"}, 1)
    # The holder of version 1 moves the cursor (keeping the sweep time it did not change).
    assert impl.snapshots.save(org, connection_id, SnapshotChange(cursor=T0), expected_version=1)
    after = impl.snapshots.load(org, connection_id)
    assert (after.cursor, after.full_sweep_at, after.version) == (T0, T0, 2)
    assert impl.snapshots.load(org, "xero:other") == Snapshot()


def test_a_snapshot_change_naming_an_item_twice_is_refused(impl: Impl, org: str) -> None:
    twice = SnapshotChange(put_invoices=(invoice("11"), invoice("11")))
    with pytest.raises((ValueError, PutError)):  # DynamoDB: "Provided list of item keys contains duplicates"
        impl.snapshots.save(org, "xero:t1", twice, expected_version=None)
    assert impl.snapshots.load(org, "xero:t1") == Snapshot()


# -- routes, inbox, replies, claims, business-scoped user ids, templates --------------------------------------------


def test_routes_from_what_webhooks_name(impl: Impl, org: str) -> None:
    number, waba, tenant, other = unique("pn"), unique("waba"), unique("tenant-"), new_org()
    assert impl.routes.claim_phone_number(number, org, T0)
    assert impl.routes.claim_phone_number(number, org, T0 + hours(1))  # the owner again: fine
    assert not impl.routes.claim_phone_number(number, other, T0)  # never re-routed to another organisation
    assert impl.routes.org_for_phone_number(number) == org
    assert impl.routes.org_for_phone_number(unique("pn")) is None

    impl.routes.add_business_account(waba, other, T0)
    impl.routes.add_business_account(waba, org, T0)
    impl.routes.add_business_account(waba, org, T0)
    assert impl.routes.orgs_for_business_account(waba) == sorted([org, other])
    assert impl.routes.orgs_for_business_account(unique("waba")) == []

    impl.routes.add_tenant("xero", tenant, org, "xero:a", T0)
    impl.routes.add_tenant("xero", tenant, other, "xero:b", T0)
    routes = impl.routes.connections_for_tenant("xero", tenant)
    assert sorted(routes, key=lambda r: r.org_id) == sorted(
        [ConnectionRoute(org, "xero:a"), ConnectionRoute(other, "xero:b")], key=lambda r: r.org_id
    )
    assert impl.routes.connections_for_tenant("quickbooks", tenant) == []


def test_webhook_events_seen_until_they_expire(impl: Impl) -> None:
    keys = [unique("wa-in:"), unique("wa-status:")]
    impl.seen.mark(keys, T0, dt.timedelta(days=8))
    fresh = unique("wa-in:")
    assert impl.seen.seen([*keys, fresh], T0 + hours(1)) == set(keys)
    assert impl.seen.seen(keys, T0 + dt.timedelta(days=8)) == frozenset()
    impl.seen.mark(keys[:1], T0 + dt.timedelta(days=8), dt.timedelta(days=8))  # marked again: seen again
    assert impl.seen.seen(keys, T0 + dt.timedelta(days=9)) == {keys[0]}


def _reply(org: str, message_id: str, at: dt.datetime) -> StoredReply:
    return StoredReply(
        org_id=org,
        message_id=message_id,
        phone=P1,
        kind="text",
        text="kapan jatuh tempo?",
        intent="other",
        action="reminders paused",
        received_at=at,
        context_wamid="wamid.ours",
    )


def test_replies_newest_first(impl: Impl, org: str) -> None:
    replies = [_reply(org, f"wamid.in.{n}", T0 + hours(n)) for n in (0, 2, 1)]
    for reply in replies:
        impl.replies.save(reply, "pn-1")
    impl.replies.save(replies[0], "pn-1")  # the same reply again is one reply
    assert impl.replies.for_org(org) == [replies[1], replies[2], replies[0]]
    assert impl.replies.for_org(org, limit=1) == [replies[1]]
    assert impl.replies.for_org(new_org()) == []


def test_the_audit_log_newest_first_by_kind_and_date_never_another_organisations(impl: Impl, org: str) -> None:
    impl.audit.record(org, "sign_in", "owner@example.co.id", "Signed in", T0)
    impl.audit.record(org, "sync", "scheduler", "Read   Xero:\n 3 open invoices", T0 + hours(2))
    impl.audit.record(org, "consent", "whatsapp webhook", "Opted out: +62*******001", T0 + hours(1))
    impl.audit.record(new_org(), "sign_in", "other@example.co.id", "Signed in", T0 + hours(1))
    every = impl.audit.entries(org)
    assert [(e.kind, e.who) for e in every] == [
        ("sync", "scheduler"),
        ("consent", "whatsapp webhook"),
        ("sign_in", "owner@example.co.id"),
    ]
    assert every[0].what == "Read Xero: 3 open invoices" and every[0].at == T0 + hours(2)
    assert [e.kind for e in impl.audit.entries(org, kinds=["sign_in", "sync"])] == ["sync", "sign_in"]
    assert [e.kind for e in impl.audit.entries(org, since=T0 + hours(1), until=T0 + hours(2))] == ["consent"]
    assert [e.kind for e in impl.audit.entries(org, limit=1)] == ["sync"]
    with pytest.raises(ValueError):
        impl.audit.record(org, "gossip", "someone", "not a kind", T0)


def test_one_time_claims_and_short_lived_prompts(impl: Impl, org: str) -> None:
    keep = dt.timedelta(hours=24)
    assert impl.claims.claim(org, "OPTOUTCONFIRM#wamid.1", T0, keep, "sent")
    assert not impl.claims.claim(org, "OPTOUTCONFIRM#wamid.1", T0 + hours(1), keep)
    assert impl.claims.claim(new_org(), "OPTOUTCONFIRM#wamid.1", T0, keep)  # per organisation
    assert impl.claims.active(org, "OPTOUTCONFIRM#wamid.1", T0 + hours(23))
    assert not impl.claims.active(org, "OPTOUTCONFIRM#wamid.1", T0 + keep)
    impl.claims.release(org, "OPTOUTCONFIRM#wamid.1")
    impl.claims.release(org, "OPTOUTCONFIRM#never")  # nothing there: no error
    assert impl.claims.claim(org, "OPTOUTCONFIRM#wamid.1", T0, keep)
    assert impl.claims.claim(org, "OPTOUTCONFIRM#wamid.1", T0 + keep + hours(1), keep)  # an expired claim is free

    impl.claims.put(org, f"OPTINPROMPT#{P1}", T0, keep)
    impl.claims.put(org, f"OPTINPROMPT#{P1}", T0 + hours(10), keep)  # a new prompt restarts the window
    assert impl.claims.active(org, f"OPTINPROMPT#{P1}", T0 + hours(30))
    assert not impl.claims.active(org, f"OPTINPROMPT#{P2}", T0)


def test_business_scoped_user_ids(impl: Impl, org: str) -> None:
    impl.bsuids.remember(org, {"ID.1": P1, "ID.2": P2}, T0)
    impl.bsuids.remember(org, {"ID.1": P3}, T0 + hours(1))
    assert (impl.bsuids.phone_for(org, "ID.1"), impl.bsuids.phone_for(org, "ID.2")) == (P3, P2)
    assert impl.bsuids.phone_for(org, "ID.9") is None
    assert impl.bsuids.phone_for(new_org(), "ID.1") is None


def test_template_events_apply_per_group_unless_a_later_one_did(impl: Impl) -> None:
    waba = unique("waba")
    name, lang = "lunas_invoice_overdue", "id"
    assert impl.templates.update(waba, name, lang, group="status", values={"status": "APPROVED"}, at=100)
    assert not impl.templates.update(waba, name, lang, group="status", values={"status": "PAUSED"}, at=50)
    assert impl.templates.update(waba, name, lang, group="category", values={"category": "UTILITY"}, at=50)
    paused = {"status": "PAUSED", "status_reason": "FIRST_PAUSE", "template_id": "42"}
    assert impl.templates.update(waba, name, lang, group="status", values=paused, at=100)  # same time: applied
    pending = {"pending_category": "MARKETING", "pending_category_from": 1_800_000_000}
    assert impl.templates.update(waba, name, lang, group="category", values=pending, at=60)
    assert impl.templates.update(waba, name, "en", group="quality", values={"quality": "GREEN"}, at=1)
    states = {(s.name, s.language): s for s in impl.templates.states(waba)}
    overdue = states[(name, lang)]
    assert (overdue.status, overdue.status_reason, overdue.category) == ("PAUSED", "FIRST_PAUSE", "UTILITY")
    assert (overdue.pending_category, overdue.pending_category_from) == (
        "MARKETING",
        dt.datetime.fromtimestamp(1_800_000_000, dt.UTC),
    )
    english = states[(name, "en")]
    assert (english.quality, english.status, english.category, english.pending_category) == ("GREEN", None, None, None)
    assert impl.templates.states(unique("waba")) == []


def test_expiries_kept_in_a_ttl_attribute_have_whole_seconds(impl: Impl, org: str) -> None:
    """Closures, payment links, seen markers and claims expire at the whole second before their exact time."""
    at, keep = T0 + dt.timedelta(seconds=0.6), hours(1)
    just_after_the_second = T0 + keep + dt.timedelta(seconds=0.3)
    impl.holds.close_invoice(org, "xero:t1", "INV-1", status="paid", source="xero", at=at, keep_for=keep)
    assert impl.holds.closed_invoices(org, [("xero:t1", "INV-1")], T0 + keep - dt.timedelta(seconds=0.1))
    assert impl.holds.closed_invoices(org, [("xero:t1", "INV-1")], just_after_the_second) == {}
    target = PaymentTarget(number="INV-1", connection_id="xero:t1", invoice_id="i-1", url="https://pay")
    code = impl.payment_links.create(org, [target], at + keep, language="id")
    assert impl.payment_links.resolve(code, just_after_the_second) is None
    key = unique("wa-in:")
    impl.seen.mark([key], at, keep)
    assert impl.seen.seen([key], just_after_the_second) == frozenset()
    impl.claims.put(org, "OPTINPROMPT#x", at, keep)
    assert not impl.claims.active(org, "OPTINPROMPT#x", just_after_the_second)


# -- organisations --------------------------------------------------------------------------------------------------


def test_an_organisation_and_its_whatsapp_number(impl: Impl, org: str) -> None:
    settings = ReminderSettings(
        org_id=org,
        business_name="Toko Maju",
        timezone="Asia/Makassar",
        language="en",
        stages=(Stage(-1), Stage(0), Stage(5)),
        window=SendWindow(start=dt.time(8, 30), end=dt.time(16, 0), weekdays=frozenset({0, 2, 4})),
        minimum_amounts=(Money(Decimal("50000"), "IDR"),),
    )
    number, waba = unique("pn"), unique("waba")
    account = WhatsAppAccount(phone_number_id=number, business_account_id=waba, access_token="EAAG-secret")
    impl.organisations.save(settings, account)
    with pytest.raises(CREATE_REFUSED):  # save creates; the dashboard edits through DynamoOrganisationSettings
        impl.organisations.save(settings)
    assert impl.organisations.settings(org) == settings
    assert impl.organisations.whatsapp(org) == account
    assert impl.routes.org_for_phone_number(number) == org
    assert impl.routes.orgs_for_business_account(waba) == [org]

    bare = new_org()
    impl.organisations.save(ReminderSettings(org_id=bare, business_name="Warung"))
    assert impl.organisations.whatsapp(bare) is None
    assert impl.organisations.settings(bare) == ReminderSettings(org_id=bare, business_name="Warung")
    with pytest.raises(LunasError):
        impl.organisations.settings(new_org())


def verified(number: str, waba: str, *, name: str = "Toko Maju") -> VerifiedWhatsAppNumber:
    return VerifiedWhatsAppNumber(
        phone_number_id=number, business_account_id=waba, display_phone_number="+62 21 5555 0000", verified_name=name
    )


def test_a_proven_owner_takes_over_an_unproven_claim_but_never_a_proven_one(impl: Impl, org: str) -> None:
    number, waba, squatter, late = unique("pn"), unique("waba"), new_org(), new_org()
    # Legacy data: another organisation saved the number and WABA before numbers were checked (unproven routes).
    account = WhatsAppAccount(phone_number_id=number, business_account_id=waba, access_token="EAAG-guess")
    impl.organisations.save(ReminderSettings(org_id=squatter, business_name="Penyerobot"), account)
    assert impl.routes.org_for_phone_number(number) == squatter
    assert impl.routes.orgs_for_business_account(waba) == [squatter]
    assert not impl.routes.claim_phone_number(number, org, T0)  # an unproven claim never moves another's route

    impl.organisations.save(ReminderSettings(org_id=org, business_name="Pemilik"))
    impl.organisations.set_whatsapp(org, verified(number, waba), token="EAAG-owner")
    assert impl.routes.org_for_phone_number(number) == org
    assert impl.routes.orgs_for_business_account(waba) == [org]  # proven routes hide unproven ones
    # The proven route stays proven when an unproven claim of the same organisation repeats it.
    assert impl.routes.claim_phone_number(number, org, T0)
    impl.routes.add_business_account(waba, org, T0)
    impl.routes.add_business_account(waba, late, T0)
    assert impl.routes.orgs_for_business_account(waba) == [org]
    impl.organisations.save(ReminderSettings(org_id=late, business_name="Telat"))
    with pytest.raises(NumberTaken):
        impl.organisations.set_whatsapp(late, verified(number, waba), token="EAAG-late")
    assert impl.routes.org_for_phone_number(number) == org


def test_removing_the_whatsapp_number_forgets_it_and_only_this_organisations_routes(impl: Impl, org: str) -> None:
    other, number, waba = new_org(), unique("pn"), unique("waba")
    impl.organisations.save(ReminderSettings(org_id=org, business_name="Toko Maju"))
    impl.organisations.save(ReminderSettings(org_id=other, business_name="Toko Lain"))
    impl.organisations.set_whatsapp(org, verified(number, waba), token="EAAG-1")
    impl.organisations.set_whatsapp(other, verified(unique("pn"), waba), token="EAAG-2")  # the same account
    impl.organisations.remove_whatsapp(org)
    assert impl.organisations.whatsapp(org) is None
    assert impl.organisations.whatsapp_summary(org) == WhatsAppSummary(
        phone_number_id="", business_account_id="", has_token=False
    )
    assert impl.routes.org_for_phone_number(number) is None
    assert impl.routes.orgs_for_business_account(waba) == [other]
    assert impl.organisations.settings(org).business_name == "Toko Maju"  # the settings stay
    impl.organisations.remove_whatsapp(org)  # nothing left to remove is fine


def test_the_owner_edits_the_settings_and_the_whatsapp_number(impl: Impl, org: str) -> None:
    impl.organisations.save(ReminderSettings(org_id=org, business_name="Toko Maju", country="ID"))
    assert impl.organisations.whatsapp_summary(org) == WhatsAppSummary(
        phone_number_id="", business_account_id="", has_token=False
    )
    edited = ReminderSettings(
        org_id=org, business_name="Toko Maju Jaya", country="MY", language="en", stages=(Stage(0),)
    )
    impl.organisations.update_settings(edited)
    assert impl.organisations.settings(org) == edited  # the country too: the owner may correct it in settings

    number, waba = unique("pn"), unique("waba")
    with pytest.raises(ValueError):  # a verified number is stored with the token Meta accepted, never without
        impl.organisations.set_whatsapp(org, verified(number, waba), token="")
    assert impl.organisations.whatsapp(org) is None and impl.routes.org_for_phone_number(number) is None
    impl.organisations.set_whatsapp(org, verified(number, waba), token="EAAG-1")
    assert impl.organisations.whatsapp_summary(org) == WhatsAppSummary(
        phone_number_id=number,
        business_account_id=waba,
        has_token=True,
        verified=True,
        display_phone_number="+62 21 5555 0000",
        verified_name="Toko Maju",
    )
    moved, moved_waba = unique("pn"), unique("waba")
    impl.organisations.set_whatsapp(org, verified(moved, moved_waba, name=""), token="EAAG-2")
    assert impl.organisations.whatsapp(org) == WhatsAppAccount(
        phone_number_id=moved, business_account_id=moved_waba, access_token="EAAG-2"
    )
    assert impl.organisations.whatsapp_summary(org).verified_name == ""
    # The old number and business account no longer route here; the new ones do.
    assert (impl.routes.org_for_phone_number(moved), impl.routes.org_for_phone_number(number)) == (org, None)
    assert (impl.routes.orgs_for_business_account(moved_waba), impl.routes.orgs_for_business_account(waba)) == (
        [org],
        [],
    )
    assert impl.organisations.settings(org).business_name == "Toko Maju Jaya"  # the number kept the settings

    other = new_org()
    impl.organisations.save(ReminderSettings(org_id=other, business_name="Lain"))
    with pytest.raises(NumberTaken):  # a proven number is never taken by another organisation, even with proof
        impl.organisations.set_whatsapp(other, verified(moved, moved_waba), token="EAAG-3")
    assert impl.organisations.whatsapp_summary(other).phone_number_id == ""
    assert impl.routes.org_for_phone_number(moved) == org
    # An organisation that does not exist: NotFound from memory; DynamoDB lets pynamodb's DoesNotExist through.
    with pytest.raises((LunasError, DoesNotExist)):
        impl.organisations.update_settings(ReminderSettings(org_id=new_org(), business_name="Nobody"))
    with pytest.raises((LunasError, DoesNotExist)):
        impl.organisations.whatsapp_summary(new_org())


def test_the_numbers_health_is_stored_with_it_and_changed_only_for_that_number(impl: Impl, org: str) -> None:
    impl.organisations.save(ReminderSettings(org_id=org, business_name="Toko Sehat"))
    number, waba = unique("pn"), unique("waba")
    impl.organisations.set_whatsapp(
        org, verified(number, waba), token="EAAG-1", quality_rating="GREEN", messaging_limit_tier="TIER_250"
    )
    account = impl.organisations.whatsapp(org)
    assert account is not None and (account.quality_rating, account.messaging_limit_tier) == ("GREEN", "TIER_250")

    # Another business account, or another display number of this one: not this number.
    assert not impl.organisations.update_whatsapp_health(
        org, NumberHealthUpdate(business_account_id=unique("waba"), quality_rating="RED")
    )
    assert not impl.organisations.update_whatsapp_health(
        org, NumberHealthUpdate(business_account_id=waba, display_phone_number="6221000", quality_rating="RED")
    )
    # The stored display number "+62 21 5555 0000", as Meta's webhooks write it (digits).
    assert impl.organisations.update_whatsapp_health(
        org, NumberHealthUpdate(business_account_id=waba, display_phone_number="622155550000", quality_rating="RED")
    )
    assert impl.organisations.update_whatsapp_health(
        org, NumberHealthUpdate(business_account_id=waba, messaging_limit_tier="TIER_2K", account_status="X: Y")
    )
    account = impl.organisations.whatsapp(org)
    assert account is not None and (account.quality_rating, account.messaging_limit_tier) == ("RED", "TIER_2K")
    summary = impl.organisations.whatsapp_summary(org)
    assert (summary.quality_rating, summary.messaging_limit_tier, summary.account_status) == ("RED", "TIER_2K", "X: Y")

    # Saving the same number again (the manual form) keeps what Meta said; a new number starts afresh.
    impl.organisations.set_whatsapp(org, verified(number, waba), token="EAAG-2")
    assert impl.organisations.whatsapp_summary(org).quality_rating == "RED"
    impl.organisations.set_whatsapp(org, verified(unique("pn"), waba), token="EAAG-3", messaging_limit_tier="TIER_1K")
    summary = impl.organisations.whatsapp_summary(org)
    assert (summary.quality_rating, summary.messaging_limit_tier, summary.account_status) == ("", "TIER_1K", "")


def test_messages_since_a_day_reads_that_day_on_and_any_delivered_sees_every_month(impl: Impl, org: str) -> None:
    """The home page reads this month's messages only; whether one was ever delivered still sees older ones."""
    october = impl.ledger.claim(org, message(P1, invoice("INV-1")), dt.date(2026, 10, 30), T0 - hours(24 * 25))
    today = impl.ledger.claim(org, message(P2, invoice("INV-2")), TODAY, T0)
    assert impl.ledger.any_delivered(org) is False
    wamid = unique("wamid.")
    impl.ledger.record_sent(org, october, wamid, T0 - hours(24 * 25))
    assert impl.ledger.apply_status(_status(org, october, wamid, "delivered", at=T0 - hours(24 * 25)))
    assert [m.message_key for m in impl.ledger.messages(org, since=TODAY.replace(day=1))] == [today]
    assert [m.message_key for m in impl.ledger.messages(org, since=dt.date(2026, 10, 30))] == [october, today]
    assert impl.ledger.any_delivered(org) is True
    assert impl.ledger.any_delivered(new_org()) is False


def test_an_invoice_closed_by_a_webhook_keeps_the_last_open_balance_lunas_saw(impl: Impl, org: str) -> None:
    """Xero and QuickBooks read 0 once paid: the home page's "paid after a reminder" must credit what was owed."""
    impl.decisions.save_decisions(
        org, [Decision(invoice=invoice("INV-1", amount="1250000"), reason=Reason.SENT, stage=Stage(7))], T0
    )
    paid = note("closed_paid", system="Xero")
    closed = [
        Decision(invoice=invoice("INV-1", amount="0", status=InvoiceStatus.PAID), reason=Reason.PAID, note=paid),
        Decision(invoice=invoice("INV-9", amount="0", status=InvoiceStatus.PAID), reason=Reason.PAID, note=paid),
    ]
    impl.decisions.save_closed(org, closed, T0 + hours(1))
    views = {v.invoice_id: v for v in impl.decisions.for_org(org)}
    assert (views["INV-1"].reason, views["INV-1"].amount_due.amount, views["INV-1"].note) == (
        Reason.PAID,
        Decimal("1250000"),
        paid,
    )
    assert (views["INV-1"].stage, views["INV-1"].decided_at) == (None, T0 + hours(1))
    assert views["INV-9"].amount_due.amount == Decimal("0")  # never seen open: nothing better to keep
