"""Tests of the reminder policy: every skip reason, the order of checks, local time, DST, catch-up and grouping."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.models import (
    DEFAULT_STAGES,
    TEMPLATE_NAMES,
    Consent,
    ConsentStatus,
    Customer,
    CycleFacts,
    CyclePlan,
    Decision,
    Invoice,
    InvoiceStatus,
    LedgerState,
    Money,
    OutgoingMessage,
    Reason,
    ReminderSettings,
    SendWindow,
    Stage,
    TemplateKind,
    TemplateRef,
)
from chalicelib.domain.policy import days_overdue, message_kind_on, plan_cycle, template_kind_on
from chalicelib.domain.schedule import due_stage, in_send_window, local_now, local_today, stage_date
from chalicelib.domain.wording import body_parameters
from chalicelib.services.presend import LastLook
from tests.meta_support import customer_text

UTC = dt.UTC
JAKARTA = "Asia/Jakarta"
ORG = "org-1"
CONN = "conn-1"

# Monday 23 Nov 2026, 10:00 in Jakarta (UTC+7, no DST): inside the default window.
MON_10_JKT = dt.datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
TODAY = dt.date(2026, 11, 23)
ALL_DAYS = frozenset(range(7))
TEN_DAYS_AGO = TODAY - dt.timedelta(days=10)  # with default stages: d+7 is due, d+14 is not yet

SETTINGS = ReminderSettings(org_id=ORG, business_name="Toko Maju")
ALL_TEMPLATES = frozenset(TemplateRef(name, lang) for name in TEMPLATE_NAMES.values() for lang in ("id", "en"))
SINGLE_TEMPLATES = frozenset(
    TemplateRef(TEMPLATE_NAMES[kind], "id")
    for kind in (TemplateKind.PRE_DUE, TemplateKind.DUE_TODAY, TemplateKind.OVERDUE)
)

PHONE_1 = "+6281200000001"
PHONE_2 = "+6281200000002"
PHONE_3 = "+6281200000003"


def utc(text: str) -> dt.datetime:
    """An instant from 'YYYY-MM-DDTHH:MM[:SS]' read as UTC."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def template(kind: TemplateKind, language: str = "id") -> TemplateRef:
    return TemplateRef(TEMPLATE_NAMES[kind], language)


# --- Builder ----------------------------------------------------------------------------------------------------


@dataclass
class World:
    """Mutable builder of CycleFacts; methods return self so a case reads as one expression."""

    now: dt.datetime = MON_10_JKT
    settings: ReminderSettings = SETTINGS
    invoices: list[Invoice] = field(default_factory=list)
    customers: dict[tuple[str, str], Customer] = field(default_factory=dict)
    consents: dict[str, Consent] = field(default_factory=dict)
    ledger: dict[str, LedgerState] = field(default_factory=dict)
    phones_messaged_today: set[str] = field(default_factory=set)
    unreachable_phones: set[str] = field(default_factory=set)
    paused_customers: set[tuple[str, str]] = field(default_factory=set)
    paused_invoices: set[tuple[str, str]] = field(default_factory=set)
    approved_templates: frozenset[TemplateRef] = ALL_TEMPLATES

    def customer(
        self,
        customer_id: str = "C1",
        phone: str | None = PHONE_1,
        *,
        connection_id: str = CONN,
        name: str | None = None,
        consent: ConsentStatus | None = ConsentStatus.OPTED_IN,
        phone_problem: Reason | None = None,
    ) -> World:
        self.customers[(connection_id, customer_id)] = Customer(
            source="xero",
            connection_id=connection_id,
            customer_id=customer_id,
            name=name or f"Customer {customer_id}",
            phone=phone,
            phone_problem=phone_problem,
        )
        if phone is not None and consent is not None:
            self.consent(phone, consent)
        return self

    def consent(self, phone: str, status: ConsentStatus, *, org_id: str = ORG) -> World:
        self.consents[phone] = Consent(
            org_id=org_id,
            phone=phone,
            status=status,
            source="signed_form",
            evidence="Setuju menerima pengingat tagihan via WhatsApp",
            captured_at=dt.datetime(2026, 1, 5, 2, 0, tzinfo=UTC),
        )
        return self

    def invoice(
        self,
        invoice_id: str = "INV-1",
        *,
        customer_id: str = "C1",
        due: dt.date = TEN_DAYS_AGO,
        amount: str = "150000",
        currency: str = "IDR",
        status: InvoiceStatus = InvoiceStatus.OPEN,
        connection_id: str = CONN,
    ) -> World:
        self.invoices.append(
            Invoice(
                source="xero",
                connection_id=connection_id,
                invoice_id=invoice_id,
                number=f"No-{invoice_id}",
                customer_id=customer_id,
                customer_name=f"Customer {customer_id}",
                due_date=due,
                amount_due=Money(Decimal(amount), currency),
                status=status,
            )
        )
        return self

    def sent(self, invoice_id: str, stage: int, state: LedgerState = LedgerState.SENT, *, conn: str = CONN) -> World:
        self.ledger[f"{conn}#{invoice_id}#{Stage(stage).key}"] = state
        return self

    def with_settings(self, **changes: object) -> World:
        self.settings = dataclasses.replace(self.settings, **changes)  # type: ignore[arg-type]
        return self

    def at(self, now: dt.datetime) -> World:
        self.now = now
        return self

    def facts(self) -> CycleFacts:
        return CycleFacts(
            now=self.now,
            settings=self.settings,
            invoices=tuple(self.invoices),
            customers=dict(self.customers),
            consents=dict(self.consents),
            ledger=dict(self.ledger),
            phones_messaged_today=frozenset(self.phones_messaged_today),
            unreachable_phones=frozenset(self.unreachable_phones),
            paused_customers=frozenset(self.paused_customers),
            paused_invoices=frozenset(self.paused_invoices),
            approved_templates=self.approved_templates,
        )

    def plan(self) -> CyclePlan:
        return plan_cycle(self.facts())

    def decision(self, invoice_id: str = "INV-1", *, connection_id: str = CONN) -> Decision:
        matches = [
            d
            for d in self.plan().decisions
            if d.invoice.invoice_id == invoice_id and d.invoice.connection_id == connection_id
        ]
        assert len(matches) == 1
        return matches[0]


def standard(**invoice: object) -> World:
    """One opted-in customer with one invoice 10 days overdue, on a Monday morning in Jakarta: would send d+7."""
    return World().customer().invoice(**invoice)  # type: ignore[arg-type]


def change(world: World, action: Callable[[World], object]) -> World:
    action(world)
    return world


# --- Every reason -----------------------------------------------------------------------------------------------

SATURDAY_10_JKT = utc("2026-11-28T03:00")

REASON_CASES = [
    pytest.param(standard, Reason.WOULD_SEND, "", id="would_send"),
    pytest.param(lambda: standard(status=InvoiceStatus.PAID), Reason.PAID, "paid", id="paid"),
    pytest.param(lambda: standard(status=InvoiceStatus.VOIDED), Reason.PAID, "voided", id="voided"),
    pytest.param(lambda: standard(amount="0"), Reason.PAID, "nothing left to pay", id="open-zero-balance"),
    pytest.param(lambda: standard(amount="-5000"), Reason.PAID, "nothing left to pay", id="open-credit-balance"),
    pytest.param(
        lambda: change(standard(), lambda w: w.paused_invoices.add((CONN, "INV-1"))),
        Reason.PAUSED,
        "invoice paused",
        id="paused-invoice",
    ),
    pytest.param(
        lambda: change(standard(), lambda w: w.paused_customers.add((CONN, "C1"))),
        Reason.PAUSED,
        "customer paused",
        id="paused-customer",
    ),
    pytest.param(
        lambda: standard(amount="49999").with_settings(minimum_amounts=(Money(Decimal(50000), "IDR"),)),
        Reason.BELOW_MINIMUM,
        "IDR 49,999 is below the minimum of IDR 50,000",
        id="below_minimum",
    ),
    pytest.param(
        lambda: standard(due=TODAY + days(4)),
        Reason.NOT_DUE,
        "first reminder on 2026-11-24",
        id="not_due",
    ),
    pytest.param(
        lambda: standard().sent("INV-1", 7), Reason.ALREADY_SENT, "the d+7 reminder was already sent", id="sent"
    ),
    pytest.param(
        lambda: standard().sent("INV-1", 7, LedgerState.CLAIMED),
        Reason.SEND_UNCONFIRMED,
        "the d+7 reminder was claimed but never confirmed; not re-sent",
        id="claimed",
    ),
    pytest.param(
        lambda: standard().sent("INV-1", 7, LedgerState.FAILED),
        Reason.SEND_FAILED,
        "WhatsApp refused the d+7 reminder earlier; not retried at this stage",
        id="failed",
    ),
    pytest.param(lambda: World().invoice(), Reason.NO_PHONE, "customer record not found", id="customer-missing"),
    pytest.param(lambda: World().customer(phone=None).invoice(), Reason.NO_PHONE, "", id="no-phone-no-problem-set"),
    pytest.param(
        lambda: World().customer(phone=None, phone_problem=Reason.NO_PHONE).invoice(),
        Reason.NO_PHONE,
        "",
        id="no_phone",
    ),
    pytest.param(
        lambda: World().customer(phone=None, phone_problem=Reason.INVALID_PHONE).invoice(),
        Reason.INVALID_PHONE,
        "",
        id="invalid_phone",
    ),
    pytest.param(
        lambda: change(standard(), lambda w: w.unreachable_phones.add(PHONE_1)),
        Reason.NOT_ON_WHATSAPP,
        "",
        id="not_on_whatsapp",
    ),
    pytest.param(lambda: World().customer(consent=None).invoice(), Reason.NO_CONSENT, "", id="no_consent"),
    pytest.param(
        lambda: World().customer(consent=None).consent(PHONE_1, ConsentStatus.OPTED_IN, org_id="other-org").invoice(),
        Reason.NO_CONSENT,
        "",
        id="consent-of-another-org",
    ),
    pytest.param(
        lambda: World().customer(consent=ConsentStatus.OPTED_OUT).invoice(),
        Reason.OPTED_OUT,
        "opted out via signed_form on 2026-01-05",
        id="opted_out",
    ),
    pytest.param(
        lambda: standard().at(SATURDAY_10_JKT),
        Reason.OUTSIDE_WINDOW,
        "local time Sat 10:00 (Asia/Jakarta) is outside 09:00-17:00 on allowed weekdays",
        id="outside_window",
    ),
    pytest.param(
        lambda: change(standard(), lambda w: w.phones_messaged_today.add(PHONE_1)),
        Reason.ALREADY_MESSAGED_TODAY,
        "",
        id="already_messaged_today",
    ),
    pytest.param(
        lambda: change(standard(), lambda w: setattr(w, "approved_templates", frozenset())),
        Reason.TEMPLATE_NOT_APPROVED,
        "template lunas_invoice_overdue (id) is not approved",
        id="template_not_approved",
    ),
]


@pytest.mark.parametrize(("build", "reason", "detail"), REASON_CASES)
def test_each_reason(build: Callable[[], World], reason: Reason, detail: str) -> None:
    world = build()
    decision = world.decision()
    assert decision.reason is reason
    assert decision.detail == detail
    plan = world.plan()
    assert len(plan.decisions) == 1
    # Only a planned send produces a message.
    assert len(plan.messages) == (1 if reason is Reason.WOULD_SEND else 0)


def test_reason_cases_cover_every_reason_the_policy_can_produce() -> None:
    covered = {case.values[1] for case in REASON_CASES}
    # SENT is recorded by the sender after Meta accepts a message, DEFERRED by the last look right before a send
    # (services/presend.py), MESSAGING_LIMIT by the sender against Meta's 24-hour limit; the policy decides none.
    assert covered == set(Reason) - {Reason.SENT, Reason.DEFERRED, Reason.MESSAGING_LIMIT}


@pytest.mark.parametrize(
    ("build", "stage"),
    [
        pytest.param(lambda: standard(status=InvoiceStatus.PAID), None, id="paid"),
        pytest.param(lambda: standard(due=TODAY + days(4)), None, id="not_due"),
        pytest.param(lambda: standard().sent("INV-1", 7), Stage(7), id="already_sent"),
        pytest.param(lambda: World().customer(consent=None).invoice(), Stage(7), id="no_consent"),
        pytest.param(standard, Stage(7), id="would_send"),
    ],
)
def test_decisions_carry_the_due_stage_once_it_is_known(build: Callable[[], World], stage: Stage | None) -> None:
    assert build().decision().stage == stage


# --- Order of checks --------------------------------------------------------------------------------------------


def _everything_wrong() -> World:
    world = World(approved_templates=frozenset()).customer(consent=ConsentStatus.OPTED_OUT)
    world.invoice(status=InvoiceStatus.PAID, amount="1").at(SATURDAY_10_JKT)
    world.with_settings(minimum_amounts=(Money(Decimal(50000), "IDR"),))
    world.sent("INV-1", 7, LedgerState.FAILED)
    world.paused_customers.add((CONN, "C1"))
    world.unreachable_phones.add(PHONE_1)
    world.phones_messaged_today.add(PHONE_1)
    return world


@pytest.mark.parametrize(
    ("build", "winner"),
    [
        pytest.param(_everything_wrong, Reason.PAID, id="everything-wrong->paid"),
        pytest.param(
            lambda: World().customer(consent=None).invoice(status=InvoiceStatus.PAID),
            Reason.PAID,
            id="paid-beats-no_consent",
        ),
        pytest.param(
            lambda: change(standard(status=InvoiceStatus.VOIDED), lambda w: w.paused_invoices.add((CONN, "INV-1"))),
            Reason.PAID,
            id="paid-beats-paused",
        ),
        pytest.param(
            lambda: change(
                standard(amount="1").with_settings(minimum_amounts=(Money(Decimal(50000), "IDR"),)),
                lambda w: w.paused_customers.add((CONN, "C1")),
            ),
            Reason.PAUSED,
            id="paused-beats-below_minimum",
        ),
        pytest.param(
            lambda: standard(amount="1", due=TODAY + days(30)).with_settings(
                minimum_amounts=(Money(Decimal(50000), "IDR"),)
            ),
            Reason.BELOW_MINIMUM,
            id="below_minimum-beats-not_due",
        ),
        pytest.param(
            lambda: World().customer(consent=None).invoice(due=TODAY + days(30)),
            Reason.NOT_DUE,
            id="not_due-beats-no_consent",
        ),
        pytest.param(
            lambda: World().customer(phone=None, phone_problem=Reason.INVALID_PHONE).invoice().sent("INV-1", 7),
            Reason.ALREADY_SENT,
            id="already_sent-beats-invalid_phone",
        ),
        pytest.param(
            lambda: World().invoice().sent("INV-1", 7, LedgerState.FAILED),
            Reason.SEND_FAILED,
            id="send_failed-beats-customer-missing",
        ),
        pytest.param(
            lambda: change(World().customer(consent=None).invoice(), lambda w: w.unreachable_phones.add(PHONE_1)),
            Reason.NOT_ON_WHATSAPP,
            id="not_on_whatsapp-beats-no_consent",
        ),
        pytest.param(
            lambda: World().customer(consent=None).invoice().at(SATURDAY_10_JKT),
            Reason.NO_CONSENT,
            id="no_consent-beats-outside_window",
        ),
        pytest.param(
            lambda: World().customer(consent=ConsentStatus.OPTED_OUT).invoice().at(SATURDAY_10_JKT),
            Reason.OPTED_OUT,
            id="opted_out-beats-outside_window",
        ),
        pytest.param(
            lambda: change(standard().at(SATURDAY_10_JKT), lambda w: w.phones_messaged_today.add(PHONE_1)),
            Reason.OUTSIDE_WINDOW,
            id="outside_window-beats-already_messaged_today",
        ),
        pytest.param(
            lambda: change(
                World(approved_templates=frozenset()).customer().invoice(),
                lambda w: w.phones_messaged_today.add(PHONE_1),
            ),
            Reason.ALREADY_MESSAGED_TODAY,
            id="already_messaged_today-beats-template_not_approved",
        ),
    ],
)
def test_first_failing_check_wins(build: Callable[[], World], winner: Reason) -> None:
    assert build().decision().reason is winner


# --- Local time and the send window -----------------------------------------------------------------------------


def test_local_now_converts_to_the_zone() -> None:
    local = local_now(utc("2026-11-26T18:00"), JAKARTA)
    assert local.utcoffset() == dt.timedelta(hours=7)
    assert (local.date(), local.hour) == (dt.date(2026, 11, 27), 1)


def test_local_today_uses_the_local_calendar() -> None:
    assert local_today(utc("2026-11-26T16:59:59"), JAKARTA) == dt.date(2026, 11, 26)
    assert local_today(utc("2026-11-26T17:00"), JAKARTA) == dt.date(2026, 11, 27)
    assert local_today(utc("2026-11-27T03:00"), "America/New_York") == dt.date(2026, 11, 26)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        local_now(dt.datetime(2026, 11, 23, 10, 0), JAKARTA)
    with pytest.raises(ValueError, match="timezone-aware"):
        standard().at(dt.datetime(2026, 11, 23, 10, 0)).plan()


@pytest.mark.parametrize(
    ("instant", "inside"),
    [
        pytest.param("2026-11-23T01:59:59", False, id="mon-08:59:59"),
        pytest.param("2026-11-23T02:00", True, id="mon-09:00"),
        pytest.param("2026-11-23T09:59", True, id="mon-16:59"),
        pytest.param("2026-11-23T09:59:59", True, id="mon-16:59:59"),
        pytest.param("2026-11-23T10:00", False, id="mon-17:00"),
        pytest.param("2026-11-27T05:00", True, id="fri-12:00"),
        pytest.param("2026-11-28T05:00", False, id="sat-12:00"),
        pytest.param("2026-11-29T05:00", False, id="sun-12:00"),
        # Friday 20:00 UTC is already Saturday 03:00 in Jakarta.
        pytest.param("2026-11-27T20:00", False, id="utc-fri-is-jakarta-sat"),
    ],
)
def test_send_window_in_jakarta(instant: str, inside: bool) -> None:
    assert in_send_window(utc(instant), SETTINGS) is inside


def test_send_window_uses_the_local_weekday_not_the_utc_one() -> None:
    early = dataclasses.replace(SETTINGS, window=SendWindow(start=dt.time(6, 0)))
    sunday_utc = utc("2026-11-22T23:30")  # Sunday in UTC, Monday 06:30 in Jakarta
    assert sunday_utc.weekday() == 6
    assert in_send_window(sunday_utc, early)
    # And the reverse: Saturday 06:30 in Jakarta is still Friday in UTC, but the window is closed.
    friday_utc = utc("2026-11-27T23:30")
    assert friday_utc.weekday() == 4
    assert not in_send_window(friday_utc, early)


def test_custom_window_hours_and_weekdays() -> None:
    window = SendWindow(start=dt.time(8, 30), end=dt.time(12, 0), weekdays=frozenset({5}))  # Saturday mornings only
    settings = dataclasses.replace(SETTINGS, window=window)
    assert in_send_window(utc("2026-11-28T01:30"), settings)  # Sat 08:30
    assert not in_send_window(utc("2026-11-28T05:00"), settings)  # Sat 12:00
    assert not in_send_window(utc("2026-11-23T02:00"), settings)  # Mon 09:00


NEW_YORK = dataclasses.replace(SETTINGS, timezone="America/New_York", window=SendWindow(weekdays=ALL_DAYS))


@pytest.mark.parametrize(
    ("instant", "inside"),
    [
        # Sat 7 Mar 2026, EST (UTC-5): 09:00 local is 14:00Z.
        pytest.param("2026-03-07T13:00", False, id="before-spring-forward-13Z-is-08:00"),
        pytest.param("2026-03-07T14:00", True, id="before-spring-forward-14Z-is-09:00"),
        # Sun 8 Mar 2026, clocks jump 02:00 -> 03:00, EDT (UTC-4): 09:00 local is 13:00Z.
        pytest.param("2026-03-08T12:59:59", False, id="spring-forward-08:59:59"),
        pytest.param("2026-03-08T13:00", True, id="spring-forward-09:00"),
        pytest.param("2026-03-08T20:59", True, id="spring-forward-16:59"),
        pytest.param("2026-03-08T21:00", False, id="spring-forward-17:00"),
        # Sun 1 Nov 2026, clocks fall back 02:00 -> 01:00, EST (UTC-5): 09:00 local is 14:00Z.
        pytest.param("2026-11-01T13:30", False, id="fall-back-13:30Z-is-08:30"),
        pytest.param("2026-11-01T13:59:59", False, id="fall-back-08:59:59"),
        pytest.param("2026-11-01T14:00", True, id="fall-back-09:00"),
        pytest.param("2026-11-01T21:59", True, id="fall-back-16:59"),
        pytest.param("2026-11-01T22:00", False, id="fall-back-17:00"),
    ],
)
def test_send_window_on_dst_change_days(instant: str, inside: bool) -> None:
    assert in_send_window(utc(instant), NEW_YORK) is inside


def test_dst_offsets_assumed_by_the_tests() -> None:
    ny, sydney = ZoneInfo("America/New_York"), ZoneInfo("Australia/Sydney")
    assert utc("2026-03-08T13:00").astimezone(ny).utcoffset() == dt.timedelta(hours=-4)
    assert utc("2026-11-01T14:00").astimezone(ny).utcoffset() == dt.timedelta(hours=-5)
    assert utc("2026-04-05T13:30").astimezone(sydney).utcoffset() == dt.timedelta(hours=10)
    assert utc("2026-10-04T13:00").astimezone(sydney).utcoffset() == dt.timedelta(hours=11)


# --- Due dates in the local calendar ----------------------------------------------------------------------------


def _local_due_world(now: dt.datetime, due: dt.date, tz: str = JAKARTA) -> World:
    world = World().customer().invoice(due=due).at(now)
    return world.with_settings(timezone=tz, stages=(Stage(0), Stage(5)), window=SendWindow(weekdays=ALL_DAYS))


@pytest.mark.parametrize(
    ("now", "due", "tz", "stage"),
    [
        # 18:00Z on 26 Nov is 01:00 on 27 Nov in Jakarta: the invoice is due today there.
        pytest.param("2026-11-26T18:00", "2026-11-27", JAKARTA, Stage(0), id="jakarta-already-due-day"),
        pytest.param("2026-11-26T16:59:59", "2026-11-27", JAKARTA, None, id="jakarta-day-before"),
        pytest.param("2026-11-26T17:00", "2026-11-27", JAKARTA, Stage(0), id="jakarta-local-midnight"),
        # 03:00Z on 27 Nov is still 26 Nov in New York.
        pytest.param("2026-11-27T03:00", "2026-11-27", "America/New_York", None, id="new-york-still-day-before"),
        # Sydney leaves DST on Sun 5 Apr 2026 (UTC+11 -> UTC+10): local midnight of 6 Apr is 14:00Z.
        pytest.param("2026-04-05T13:30", "2026-04-06", "Australia/Sydney", None, id="sydney-dst-end-23:30"),
        pytest.param("2026-04-05T14:00", "2026-04-06", "Australia/Sydney", Stage(0), id="sydney-dst-end-midnight"),
        # Due on the day DST starts (Sun 4 Oct 2026, UTC+10 -> UTC+11).
        pytest.param("2026-10-03T13:59", "2026-10-04", "Australia/Sydney", None, id="sydney-dst-start-eve"),
        pytest.param("2026-10-03T14:00", "2026-10-04", "Australia/Sydney", Stage(0), id="sydney-dst-start-day"),
        # The day after DST starts, midnight is 13:00Z (UTC+11); a UTC+10 clock would still say 23:00 the day before.
        pytest.param("2026-10-04T13:00", "2026-10-05", "Australia/Sydney", Stage(0), id="sydney-after-dst-start"),
        pytest.param("2026-10-04T12:59", "2026-10-05", "Australia/Sydney", None, id="sydney-after-dst-start-eve"),
    ],
)
def test_due_date_is_compared_in_the_local_calendar(now: str, due: str, tz: str, stage: Stage | None) -> None:
    decision = _local_due_world(utc(now), dt.date.fromisoformat(due), tz).decision()
    assert decision.stage == stage
    if stage is None:
        assert decision.reason is Reason.NOT_DUE
        assert decision.detail == f"first reminder on {due}"


def test_jakarta_due_today_message_goes_out_when_the_window_opens() -> None:
    # 02:00Z on Friday 27 Nov is 09:00 in Jakarta, the first minute of the window on the due date.
    plan = World().customer().invoice(due=dt.date(2026, 11, 27)).at(utc("2026-11-27T02:00")).plan()
    (message,) = plan.messages
    assert message.template == template(TemplateKind.DUE_TODAY)
    assert plan.decisions[0].stage == Stage(0)


# --- Stages and the catch-up rule -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_after_due", "expected"),
    [
        (-30, None),
        (-4, None),
        (-3, -3),
        (-2, -3),
        (-1, -3),
        (0, 0),
        (2, 0),
        (3, 3),
        (6, 3),
        (7, 7),
        (10, 7),
        (14, 14),
        (29, 14),
        (30, 30),
        (45, 30),
        (400, 30),
    ],
)
def test_due_stage_is_the_latest_reached_stage(days_after_due: int, expected: int | None) -> None:
    invoice = standard().invoices[0]
    today = invoice.due_date + days(days_after_due)
    stage = due_stage(invoice, today, DEFAULT_STAGES)
    assert stage == (None if expected is None else Stage(expected))
    # Order of the configured stages must not matter.
    assert due_stage(invoice, today, tuple(reversed(DEFAULT_STAGES))) == stage
    assert due_stage(invoice, today, (Stage(7), Stage(-3), Stage(30), Stage(0), Stage(14), Stage(3))) == stage


def test_due_stage_with_no_stages_is_none() -> None:
    invoice = standard().invoices[0]
    assert due_stage(invoice, invoice.due_date + days(100), ()) is None


def test_stage_date() -> None:
    invoice = standard(due=dt.date(2026, 2, 27)).invoices[0]
    assert stage_date(invoice, Stage(-3)) == dt.date(2026, 2, 24)
    assert stage_date(invoice, Stage(3)) == dt.date(2026, 3, 2)


@pytest.mark.parametrize(
    ("days_after_due", "stage", "kind"),
    [
        pytest.param(10, 7, TemplateKind.OVERDUE, id="10-days-overdue->d+7-only"),
        pytest.param(45, 30, TemplateKind.OVERDUE, id="45-days-overdue->d+30-only"),
        pytest.param(-2, -3, TemplateKind.PRE_DUE, id="due-in-2-days->d-3"),
        pytest.param(0, 0, TemplateKind.DUE_TODAY, id="due-today->d0"),
        # The stage decides that a reminder is due; the day it goes out decides its words.
        pytest.param(2, 0, TemplateKind.OVERDUE, id="due-2-days-ago->d0-worded-overdue"),
    ],
)
def test_catch_up_sends_only_the_latest_stage(days_after_due: int, stage: int, kind: TemplateKind) -> None:
    plan = standard(due=TODAY - days(days_after_due)).plan()
    (decision,) = plan.decisions
    assert (decision.reason, decision.stage) == (Reason.WOULD_SEND, Stage(stage))
    (message,) = plan.messages
    assert message.template == template(kind)
    assert [r.ledger_key for r in message.reminders] == [f"{CONN}#INV-1#{Stage(stage).key}"]


def test_earlier_stage_sent_and_next_stage_reached_sends_the_next() -> None:
    world = standard(due=TODAY - days(7)).sent("INV-1", -3).sent("INV-1", 0).sent("INV-1", 3)
    decision = world.decision()
    assert (decision.reason, decision.stage) == (Reason.WOULD_SEND, Stage(7))


def test_latest_stage_sent_does_not_fall_back_to_an_unsent_earlier_stage() -> None:
    # d+3 was never sent (missed run), d+7 was: nothing to do until d+14.
    decision = standard(due=TODAY - days(10)).sent("INV-1", 7).decision()
    assert (decision.reason, decision.stage) == (Reason.ALREADY_SENT, Stage(7))


def test_custom_stages_per_organisation() -> None:
    def world(days_after_due: int) -> World:
        return standard(due=TODAY - days(days_after_due)).with_settings(stages=(Stage(5), Stage(0)))

    not_due = world(-2).decision()
    assert (not_due.reason, not_due.detail) == (Reason.NOT_DUE, f"first reminder on {TODAY + days(2)}")
    assert world(0).decision().stage == Stage(0)
    assert world(4).decision().stage == Stage(0)
    assert world(5).decision().stage == Stage(5)
    assert world(60).decision().stage == Stage(5)
    assert world(60).sent("INV-1", 5).decision().reason is Reason.ALREADY_SENT


def test_no_stages_configured_means_never_due() -> None:
    decision = standard().with_settings(stages=()).decision()
    assert (decision.reason, decision.detail) == (Reason.NOT_DUE, "no reminder stages configured")


@pytest.mark.parametrize(
    ("state", "reason"),
    [
        (LedgerState.SENT, Reason.ALREADY_SENT),
        (LedgerState.CLAIMED, Reason.SEND_UNCONFIRMED),
        (LedgerState.FAILED, Reason.SEND_FAILED),
    ],
)
def test_ledger_state_of_the_due_stage(state: LedgerState, reason: Reason) -> None:
    plan = standard().sent("INV-1", 7, state).plan()
    assert plan.decisions[0].reason is reason
    assert plan.messages == ()


def test_ledger_state_of_another_stage_does_not_block() -> None:
    world = standard().sent("INV-1", 3, LedgerState.CLAIMED).sent("INV-1", 14, LedgerState.FAILED)
    assert world.decision().reason is Reason.WOULD_SEND


# --- One message per phone --------------------------------------------------------------------------------------


def test_three_overdue_invoices_of_one_customer_make_one_statement_sorted_oldest_first() -> None:
    world = World().customer()
    world.invoice("INV-B", due=TODAY - days(3)).invoice("INV-A", due=TODAY - days(40)).invoice("INV-C", due=TODAY)
    plan = world.plan()
    assert [d.invoice.invoice_id for d in plan.decisions] == ["INV-B", "INV-A", "INV-C"]
    assert [(d.reason, d.stage) for d in plan.decisions] == [
        (Reason.WOULD_SEND, Stage(3)),
        (Reason.WOULD_SEND, Stage(30)),
        (Reason.WOULD_SEND, Stage(0)),
    ]
    (message,) = plan.messages
    assert message.is_statement
    assert message.phone == PHONE_1
    assert message.customer_name == "Customer C1"
    assert message.template == template(TemplateKind.STATEMENT)
    assert [r.invoice.invoice_id for r in message.reminders] == ["INV-A", "INV-B", "INV-C"]
    assert [r.stage for r in message.reminders] == [Stage(30), Stage(3), Stage(0)]


def test_two_customers_sharing_a_phone_get_one_message() -> None:
    world = World().customer("C1", PHONE_1, name="Budi").customer("C2", PHONE_1, name="CV Budi Jaya")
    world.invoice("INV-1", customer_id="C2", due=TODAY - days(20)).invoice(
        "INV-2", customer_id="C1", due=TODAY - days(9)
    )
    plan = world.plan()
    (message,) = plan.messages
    assert message.template == template(TemplateKind.STATEMENT)
    assert [r.invoice.invoice_id for r in message.reminders] == ["INV-1", "INV-2"]
    assert message.customer_name == "CV Budi Jaya"  # the customer owing the oldest invoice
    assert {d.reason for d in plan.decisions} == {Reason.WOULD_SEND}


def test_single_eligible_invoice_of_a_group_gets_a_single_invoice_template() -> None:
    # Two invoices, but one is already sent at its stage: the other goes alone with its own template.
    world = World().customer().invoice("INV-1", due=TODAY - days(1)).invoice("INV-2", due=TODAY + days(3))
    plan = world.sent("INV-1", 0).plan()
    (message,) = plan.messages
    assert not message.is_statement
    assert message.template == template(TemplateKind.PRE_DUE)
    assert [d.reason for d in plan.decisions] == [Reason.ALREADY_SENT, Reason.WOULD_SEND]


def test_messages_are_ordered_by_phone_and_independent_of_input_order() -> None:
    world = World().customer("C3", PHONE_3).customer("C1", PHONE_1).customer("C2", PHONE_2)
    world.invoice("INV-3", customer_id="C3").invoice("INV-1", customer_id="C1").invoice("INV-2", customer_id="C2")
    plan = world.plan()
    assert [m.phone for m in plan.messages] == [PHONE_1, PHONE_2, PHONE_3]
    assert [d.invoice.invoice_id for d in plan.decisions] == ["INV-3", "INV-1", "INV-2"]
    world.invoices.reverse()
    assert world.plan().messages == plan.messages


def test_statement_ties_on_due_date_are_ordered_deterministically() -> None:
    world = World().customer().invoice("INV-2").invoice("INV-1")
    first = world.plan().messages
    world.invoices.reverse()
    assert world.plan().messages == first
    assert [r.invoice.invoice_id for r in first[0].reminders] == ["INV-1", "INV-2"]


def test_an_invoice_listed_twice_is_in_the_message_once() -> None:
    world = World().customer().invoice()
    world.invoices.append(world.invoices[0])
    plan = world.plan()
    assert [d.reason for d in plan.decisions] == [Reason.WOULD_SEND, Reason.WOULD_SEND]
    (message,) = plan.messages
    assert not message.is_statement
    assert message.template == template(TemplateKind.OVERDUE)


def test_phone_already_messaged_today_from_another_source() -> None:
    world = World().customer("C1", PHONE_1).customer("C2", PHONE_2).invoice("INV-1").invoice("INV-2", customer_id="C2")
    world.phones_messaged_today.add(PHONE_1)
    plan = world.plan()
    assert [d.reason for d in plan.decisions] == [Reason.ALREADY_MESSAGED_TODAY, Reason.WOULD_SEND]
    assert [m.phone for m in plan.messages] == [PHONE_2]


def test_unapproved_statement_template_blocks_only_the_statement() -> None:
    world = World(approved_templates=SINGLE_TEMPLATES).customer("C1", PHONE_1).customer("C2", PHONE_2)
    world.invoice("INV-1").invoice("INV-2", due=TODAY - days(20)).invoice("INV-3", customer_id="C2")
    plan = world.plan()
    assert [d.reason for d in plan.decisions] == [
        Reason.TEMPLATE_NOT_APPROVED,
        Reason.TEMPLATE_NOT_APPROVED,
        Reason.WOULD_SEND,
    ]
    assert plan.decisions[0].detail == "template lunas_invoice_statement (id) is not approved"
    assert [d.stage for d in plan.decisions] == [Stage(7), Stage(14), Stage(7)]
    (message,) = plan.messages
    assert (message.phone, message.template) == (PHONE_2, template(TemplateKind.OVERDUE))


def test_template_must_be_approved_in_the_organisations_language() -> None:
    english_only = frozenset(TemplateRef(name, "en") for name in TEMPLATE_NAMES.values())
    world = standard()
    world.approved_templates = english_only
    decision = world.decision()
    assert (decision.reason, decision.detail) == (
        Reason.TEMPLATE_NOT_APPROVED,
        "template lunas_invoice_overdue (id) is not approved",
    )
    english = standard().with_settings(language="en")
    english.approved_templates = english_only
    (message,) = english.plan().messages
    assert message.template == TemplateRef("lunas_invoice_overdue", "en")


# --- The words are true on the day the message goes out ---------------------------------------------------------

SYDNEY = "Australia/Sydney"
LONDON = "Europe/London"
ANY_HOUR = SendWindow(start=dt.time(0, 0), end=dt.time.max, weekdays=ALL_DAYS)
SATURDAY_DUE = dt.date(2026, 11, 28)
MONDAY_30_10_JKT = utc("2026-11-30T03:00")


def _message(world: World) -> OutgoingMessage:
    (message,) = world.plan().messages
    return message


def _in(message: OutgoingMessage, language: str) -> OutgoingMessage:
    return dataclasses.replace(message, template=TemplateRef(message.template.name, language))


def _texts(message: OutgoingMessage) -> dict[str, str]:
    """What the customer reads, in each template language."""
    return {language: customer_text(_in(message, language)) for language in ("en", "id")}


# Phrases that only the due-today template uses.
DUE_TODAY_WORDS = {"en": "due today", "id": "jatuh tempo hari ini"}


@pytest.mark.parametrize(
    ("sent_on", "kind"),
    [
        pytest.param(dt.date(2026, 11, 27), TemplateKind.PRE_DUE, id="day-before"),
        pytest.param(dt.date(2026, 11, 28), TemplateKind.DUE_TODAY, id="due-date"),
        pytest.param(dt.date(2026, 11, 29), TemplateKind.OVERDUE, id="day-after"),
        pytest.param(dt.date(2027, 1, 15), TemplateKind.OVERDUE, id="weeks-after"),
    ],
)
def test_template_kind_on_is_where_the_invoice_stands_that_day(sent_on: dt.date, kind: TemplateKind) -> None:
    invoice = standard(due=SATURDAY_DUE).invoices[0]
    assert template_kind_on(invoice, sent_on) is kind
    assert message_kind_on([invoice], sent_on) is kind
    assert message_kind_on([invoice, invoice], sent_on) is TemplateKind.STATEMENT
    assert days_overdue(invoice, sent_on) == max(0, (sent_on - SATURDAY_DUE).days)


def test_message_kind_needs_an_invoice() -> None:
    with pytest.raises(ValueError, match="at least one invoice"):
        message_kind_on([], TODAY)


def test_due_on_a_saturday_is_not_sent_at_the_weekend() -> None:
    decision = standard(due=SATURDAY_DUE).at(SATURDAY_10_JKT).decision()
    assert (decision.reason, decision.stage) == (Reason.OUTSIDE_WINDOW, Stage(0))


def test_due_on_a_saturday_sent_on_monday_is_two_days_overdue() -> None:
    world = standard(due=SATURDAY_DUE).at(MONDAY_30_10_JKT)
    message = _message(world)
    # Still the d0 stage that was reached on Saturday (and its ledger key) ...
    assert world.decision().stage == Stage(0)
    assert [r.ledger_key for r in message.reminders] == [f"{CONN}#INV-1#d0"]
    # ... but worded for Monday.
    assert message.send_date == dt.date(2026, 11, 30)
    assert message.template == template(TemplateKind.OVERDUE)
    assert body_parameters(message, "Toko Maju")["days_overdue"] == "2 hari"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "invoice No-INV-1 for IDR 150,000, due on 28 November 2026, is now 2 days overdue and has not yet"),
        ("id", "invoice No-INV-1 sebesar Rp 150.000 sudah lewat 2 hari dari jatuh tempo 28 November 2026 dan belum"),
    ],
)
def test_monday_message_for_a_saturday_due_date_reads_two_days_overdue(language: str, expected: str) -> None:
    world = standard(due=SATURDAY_DUE).at(MONDAY_30_10_JKT).with_settings(language=language)
    text = customer_text(_message(world))
    assert expected in text
    assert DUE_TODAY_WORDS[language] not in text
    assert "hari ini" not in text and "today" not in text


def test_a_pre_due_message_names_the_due_date() -> None:
    # Wednesday 2 Dec 2026, 10:00 in Jakarta; due Saturday 5 Dec: the d-3 stage.
    message = _message(standard(due=dt.date(2026, 12, 5)).at(utc("2026-12-02T03:00")))
    assert message.template == template(TemplateKind.PRE_DUE)
    texts = _texts(message)
    assert "invoice No-INV-1 for IDR 150,000 is due on 5 December 2026." in texts["en"]
    assert "invoice No-INV-1 sebesar Rp 150.000 akan jatuh tempo pada 5 Desember 2026." in texts["id"]


def test_an_edited_stage_before_the_due_date_first_sent_on_it_says_due_today() -> None:
    # The owner set a d-1 stage; for an invoice due Monday 30 Nov it is reached on Sunday, sent on Monday.
    world = standard(due=dt.date(2026, 11, 30)).with_settings(stages=(Stage(-1), Stage(7)))
    assert world.at(utc("2026-11-29T03:00")).decision().reason is Reason.OUTSIDE_WINDOW
    message = _message(world.at(MONDAY_30_10_JKT))
    assert [r.stage for r in message.reminders] == [Stage(-1)]
    assert message.template == template(TemplateKind.DUE_TODAY)
    texts = _texts(message)
    assert "is due today, 30 November 2026." in texts["en"]
    assert "jatuh tempo hari ini, 30 November 2026." in texts["id"]


def test_an_edited_stage_on_the_due_date_sent_late_says_overdue() -> None:
    # The owner switched to (0, 10) days; an invoice due 5 days ago reaches the new d0 stage, never sent.
    world = standard(due=TODAY - days(5)).with_settings(stages=(Stage(0), Stage(10)))
    message = _message(world)
    assert [r.ledger_key for r in message.reminders] == [f"{CONN}#INV-1#d0"]
    assert message.template == template(TemplateKind.OVERDUE)
    texts = _texts(message)
    assert "due on 18 November 2026, is now 5 days overdue" in texts["en"]
    assert "sudah lewat 5 hari dari jatuh tempo 18 November 2026" in texts["id"]


@pytest.mark.parametrize(
    ("due", "stage", "words_en", "words_id"),
    [
        # Due Wednesday 25 Nov; no cycle ran Wednesday or Thursday; Friday the d0 stage goes out.
        pytest.param(dt.date(2026, 11, 25), 0, "is now 2 days overdue", "sudah lewat 2 hari", id="d0-two-days-late"),
        # A longer outage: the d+7 stage (reached Wednesday 25 Nov) goes out on Friday 27 Nov.
        pytest.param(dt.date(2026, 11, 18), 7, "is now 9 days overdue", "sudah lewat 9 hari", id="d+7-two-days-late"),
    ],
)
def test_catch_up_after_an_outage_is_worded_for_the_day_it_goes_out(
    due: dt.date, stage: int, words_en: str, words_id: str
) -> None:
    message = _message(standard(due=due).at(utc("2026-11-27T03:00")))  # Friday 10:00 in Jakarta
    assert [r.stage for r in message.reminders] == [Stage(stage)]
    assert message.template == template(TemplateKind.OVERDUE)
    texts = _texts(message)
    assert words_en in texts["en"] and words_id in texts["id"]


def test_catch_up_after_a_pause_is_worded_for_the_day_it_goes_out() -> None:
    # Stages (-3, 7); due Tuesday 24 Nov. Paused on Monday 23 (d-3 reached), lifted by Wednesday 25.
    world = standard(due=dt.date(2026, 11, 24)).with_settings(stages=(Stage(-3), Stage(7)))
    world.paused_customers.add((CONN, "C1"))
    assert world.decision().reason is Reason.PAUSED
    world.paused_customers.clear()
    message = _message(world.at(utc("2026-11-25T03:00")))
    assert [r.ledger_key for r in message.reminders] == [f"{CONN}#INV-1#d-3"]
    assert message.template == template(TemplateKind.OVERDUE)
    texts = _texts(message)
    assert "due on 24 November 2026, is now 1 day overdue" in texts["en"]  # singular
    assert "sudah lewat 1 hari dari jatuh tempo 24 November 2026" in texts["id"]


@pytest.mark.parametrize(
    ("now", "due", "tz", "stage", "kind"),
    [
        # Jakarta (UTC+7): local midnight is 17:00Z.
        pytest.param("2026-11-26T16:59:59", "2026-11-27", JAKARTA, -1, "pre_due", id="jakarta-eve-pre-due"),
        pytest.param("2026-11-26T17:00", "2026-11-27", JAKARTA, -1, "due_today", id="jakarta-midnight-due-today"),
        pytest.param("2026-11-27T16:59:59", "2026-11-27", JAKARTA, 0, "due_today", id="jakarta-23:59:59-due-today"),
        pytest.param("2026-11-27T17:00", "2026-11-27", JAKARTA, 0, "overdue", id="jakarta-midnight-overdue"),
        # Sydney leaves DST on Sun 5 Apr 2026 (UTC+11 -> UTC+10): midnight of 6 Apr is 14:00Z.
        pytest.param("2026-04-05T13:30", "2026-04-06", SYDNEY, -1, "pre_due", id="sydney-dst-end-eve-pre-due"),
        pytest.param("2026-04-05T14:00", "2026-04-06", SYDNEY, -1, "due_today", id="sydney-dst-end-midnight"),
        pytest.param("2026-04-05T13:30", "2026-04-05", SYDNEY, 0, "due_today", id="sydney-dst-end-23:30-due"),
        pytest.param("2026-04-05T14:00", "2026-04-05", SYDNEY, 0, "overdue", id="sydney-dst-end-overdue"),
        # Sydney enters DST on Sun 4 Oct 2026 (UTC+10 -> UTC+11): midnight of 5 Oct is 13:00Z, not 14:00Z.
        pytest.param("2026-10-04T12:59", "2026-10-04", SYDNEY, 0, "due_today", id="sydney-dst-start-23:59"),
        pytest.param("2026-10-04T13:00", "2026-10-04", SYDNEY, 0, "overdue", id="sydney-dst-start-midnight"),
        # London enters BST on Sun 29 Mar 2026: midnight of 30 Mar is 23:00Z on 29 Mar.
        pytest.param("2026-03-29T22:59", "2026-03-29", LONDON, 0, "due_today", id="london-bst-start-23:59"),
        pytest.param("2026-03-29T23:00", "2026-03-29", LONDON, 0, "overdue", id="london-bst-start-midnight"),
        # London leaves BST on Sun 25 Oct 2026: that day starts at 23:00Z on 24 Oct and ends at 00:00Z on 26 Oct.
        pytest.param("2026-10-24T22:59", "2026-10-25", LONDON, -1, "pre_due", id="london-bst-end-eve"),
        pytest.param("2026-10-24T23:00", "2026-10-25", LONDON, -1, "due_today", id="london-bst-end-midnight"),
        pytest.param("2026-10-25T23:59", "2026-10-25", LONDON, 0, "due_today", id="london-bst-end-23:59"),
        pytest.param("2026-10-26T00:00", "2026-10-25", LONDON, 0, "overdue", id="london-after-bst-end-midnight"),
    ],
)
def test_words_follow_the_local_date_at_midnight_and_across_dst(
    now: str, due: str, tz: str, stage: int, kind: str
) -> None:
    world = standard(due=dt.date.fromisoformat(due)).at(utc(now))
    world.with_settings(timezone=tz, stages=(Stage(stage),), window=ANY_HOUR, language="en")
    message = _message(world)
    assert message.reminders[0].stage == Stage(stage)
    assert message.template == template(TemplateKind(kind), "en")
    text = customer_text(message)
    assert ("due today" in text) is (kind == "due_today")
    if kind == "overdue":
        assert "is now 1 day overdue" in text


def test_london_offsets_assumed_by_the_tests() -> None:
    london = ZoneInfo(LONDON)
    assert utc("2026-03-29T23:00").astimezone(london).isoformat() == "2026-03-30T00:00:00+01:00"
    assert utc("2026-10-24T23:00").astimezone(london).isoformat() == "2026-10-25T00:00:00+01:00"
    assert utc("2026-10-26T00:00").astimezone(london).isoformat() == "2026-10-26T00:00:00+00:00"


@pytest.mark.parametrize("tz", [JAKARTA, SYDNEY, LONDON])
@pytest.mark.parametrize(
    "stages",
    [DEFAULT_STAGES, (Stage(-1), Stage(2)), (Stage(0),), (Stage(-5), Stage(1), Stage(4))],
    ids=["default", "d-1,d+2", "d0", "d-5,d+1,d+4"],
)
def test_due_today_is_said_on_the_due_date_and_on_no_other_day(tz: str, stages: tuple[Stage, ...]) -> None:
    # Due Saturday 3 Oct 2026: the following weeks cross Sydney's and London's DST changes.
    due = dt.date(2026, 10, 3)
    for offset in range(-7, 36):
        for hour in (0, 12, 23):
            local = dt.datetime.combine(due + days(offset), dt.time(hour, 30), ZoneInfo(tz))
            world = standard(due=due).at(local.astimezone(UTC))
            world.with_settings(timezone=tz, stages=stages, window=ANY_HOUR)
            for message in world.plan().messages:
                assert message.send_date == local.date()
                expected = template_kind_on(message.reminders[0].invoice, local.date())
                assert message.template == template(expected)
                says_due_today = message.template == template(TemplateKind.DUE_TODAY)
                assert says_due_today is (local.date() == due), local
                texts = _texts(message)
                for language, words in DUE_TODAY_WORDS.items():
                    assert (words in texts[language]) is says_due_today


def test_statement_says_how_many_invoices_are_overdue_and_how_many_not_yet() -> None:
    world = World().customer()
    world.invoice("INV-A", due=TODAY - days(10)).invoice("INV-B", due=TODAY - days(3))
    world.invoice("INV-C", due=TODAY + days(2))  # its d-3 stage is reached: not yet due
    message = _message(world)
    assert message.template == template(TemplateKind.STATEMENT)
    params = body_parameters(message, "Toko Maju")
    assert params["overdue_summary"] == "2 sudah lewat jatuh tempo, 1 belum"
    texts = _texts(message)
    assert (
        "this is an account update from Toko Maju: 3 invoices totalling IDR 450,000 are awaiting payment "
        "(2 overdue, 1 not yet due). The earliest due date is 13 November 2026." in texts["en"]
    )
    assert (
        "Berikut ringkasan tagihan dari Toko Maju: terdapat 3 invoice dengan total Rp 450.000 yang menunggu "
        "pembayaran (2 sudah lewat jatuh tempo, 1 belum). Tanggal jatuh tempo paling awal adalah "
        "13 November 2026." in texts["id"]
    )


def test_statement_counts_an_invoice_due_today_as_not_yet_overdue() -> None:
    world = World().customer().invoice("INV-A", due=TODAY - days(1)).invoice("INV-B", due=TODAY)
    params = body_parameters(_message(world), "Toko Maju")
    assert (params["invoice_count"], params["overdue_summary"]) == ("2", "1 sudah lewat jatuh tempo, 1 belum")


@pytest.mark.parametrize(
    ("dues", "english", "indonesian"),
    [
        ((-10, -3), "(all overdue)", "(semuanya sudah lewat jatuh tempo)"),
        ((1, 2), "(none overdue yet)", "(belum ada yang lewat jatuh tempo)"),
    ],
)
def test_a_statement_whose_invoices_are_all_or_none_overdue_says_so_in_words(
    dues: tuple[int, int], english: str, indonesian: str
) -> None:
    """Never "(2 overdue, 0 not yet due)" or "0 sudah lewat jatuh tempo": the customer reads it as a mistake."""
    world = World().customer()
    world.invoice("INV-A", due=TODAY + days(dues[0])).invoice("INV-B", due=TODAY + days(dues[1]))
    texts = _texts(_message(world))
    assert english in texts["en"] and indonesian in texts["id"]
    assert not any(word in texts["en"] + texts["id"] for word in (" 0 ", "(0"))


@dataclass
class _FixedClock:
    instant: dt.datetime

    def now(self) -> dt.datetime:
        return self.instant


class _NothingChanged:
    """Consent, holds and phone flags as the plan saw them: opted in, nothing paused, closed or unreachable."""

    def for_phones(self, org_id: str, phones: Iterable[str]) -> dict[str, Consent]:
        return {p: Consent(org_id=org_id, phone=p, status=ConsentStatus.OPTED_IN, source="t", evidence="t",
                           captured_at=utc("2026-10-01T00:00:00")) for p in phones}  # fmt: skip

    def active(self, org_id: str, now: dt.datetime) -> tuple[frozenset[tuple[str, str]], frozenset[tuple[str, str]]]:
        return frozenset(), frozenset()

    def paused_phones(self, org_id: str, phones: Iterable[str], now: dt.datetime) -> frozenset[str]:
        return frozenset()

    def unreachable(self, org_id: str, phones: Iterable[str]) -> frozenset[str]:
        return frozenset()

    def closed_invoices(self, org_id: str, keys: Iterable[tuple[str, str]], now: dt.datetime) -> dict[Any, str]:
        return {}


def test_the_last_look_holds_a_message_worded_for_another_day() -> None:
    # Planned at 23:59:59 on the due date ("due today"); the local date has changed by the time it would be sent.
    world = standard(due=dt.date(2026, 11, 27)).at(utc("2026-11-27T16:59:59"))
    message = _message(world.with_settings(window=ANY_HOUR))
    assert message.template == template(TemplateKind.DUE_TODAY)
    unchanged = _NothingChanged()
    look = LastLook(
        org_id=ORG,
        timezone=world.settings.timezone,
        gateway=None,  # type: ignore[arg-type]  # nothing is stale: no re-read
        consents=unchanged,  # type: ignore[arg-type]
        holds=unchanged,  # type: ignore[arg-type]
        phone_flags=unchanged,  # type: ignore[arg-type]
        clock=_FixedClock(utc("2026-11-27T17:00:01")),
        elapsed=lambda: 0.0,
        recheck_after=dt.timedelta(minutes=1),
        read_at=0.0,
    )
    verdict = look.check([message])
    assert verdict.sendable == []
    (decision,) = verdict.held
    assert decision.reason is Reason.DEFERRED
    assert decision.detail == (
        "not sent: worded for 2026-11-27 but it is now 2026-11-28 locally; it is planned again in the next cycle"
    )


# --- Minimums and pauses ----------------------------------------------------------------------------------------

IDR_MIN = (Money(Decimal(50000), "IDR"),)


@pytest.mark.parametrize(
    ("amount", "currency", "minimums", "reason"),
    [
        pytest.param("49999", "IDR", IDR_MIN, Reason.BELOW_MINIMUM, id="idr-below"),
        pytest.param("49999.99", "IDR", IDR_MIN, Reason.BELOW_MINIMUM, id="idr-fraction-below"),
        pytest.param("50000", "IDR", IDR_MIN, Reason.WOULD_SEND, id="idr-exactly-minimum"),
        pytest.param("10", "USD", IDR_MIN, Reason.WOULD_SEND, id="usd-unaffected-by-idr-minimum"),
        pytest.param("10", "USD", (*IDR_MIN, Money(Decimal(25), "USD")), Reason.BELOW_MINIMUM, id="usd-own-minimum"),
        pytest.param("1", "IDR", (), Reason.WOULD_SEND, id="no-minimums"),
        pytest.param(
            "60000", "IDR", (*IDR_MIN, Money(Decimal(75000), "IDR")), Reason.BELOW_MINIMUM, id="duplicate-keeps-highest"
        ),
    ],
)
def test_minimum_amount_per_currency(amount: str, currency: str, minimums: tuple[Money, ...], reason: Reason) -> None:
    world = standard(amount=amount, currency=currency).with_settings(minimum_amounts=minimums)
    assert world.decision().reason is reason


def test_paused_customer_pauses_all_their_invoices_only() -> None:
    world = World().customer("C1", PHONE_1).customer("C2", PHONE_2)
    world.invoice("INV-1").invoice("INV-2", due=TODAY - days(20)).invoice("INV-3", customer_id="C2")
    world.paused_customers.add((CONN, "C1"))
    plan = world.plan()
    assert [d.reason for d in plan.decisions] == [Reason.PAUSED, Reason.PAUSED, Reason.WOULD_SEND]
    assert [m.phone for m in plan.messages] == [PHONE_2]


def test_paused_invoice_leaves_the_customers_other_invoices() -> None:
    world = World().customer().invoice("INV-1").invoice("INV-2", due=TODAY - days(20))
    world.paused_invoices.add((CONN, "INV-2"))
    plan = world.plan()
    assert [d.reason for d in plan.decisions] == [Reason.WOULD_SEND, Reason.PAUSED]
    (message,) = plan.messages
    assert not message.is_statement


# --- Connections never collide ----------------------------------------------------------------------------------


def test_same_vendor_ids_on_two_connections_do_not_collide() -> None:
    world = World()
    world.customer("C1", PHONE_1, connection_id="conn-a", name="Alpha")
    world.customer("C1", PHONE_2, connection_id="conn-b", name="Beta", consent=None)
    world.invoice("INV-1", connection_id="conn-a").invoice("INV-1", connection_id="conn-b")
    assert world.decision(connection_id="conn-a").reason is Reason.WOULD_SEND
    assert world.decision(connection_id="conn-b").reason is Reason.NO_CONSENT

    # Consent for Beta's phone: both send, each to its own customer's phone.
    world.consent(PHONE_2, ConsentStatus.OPTED_IN)
    plan = world.plan()
    assert [(m.phone, m.customer_name) for m in plan.messages] == [(PHONE_1, "Alpha"), (PHONE_2, "Beta")]

    # The ledger, pauses are per connection too.
    world.sent("INV-1", 7, conn="conn-a")
    assert world.decision(connection_id="conn-a").reason is Reason.ALREADY_SENT
    assert world.decision(connection_id="conn-b").reason is Reason.WOULD_SEND
    world.paused_customers.add(("conn-b", "C1"))
    world.paused_invoices.add(("conn-a", "INV-1"))
    assert world.decision(connection_id="conn-a").reason is Reason.PAUSED
    assert world.decision(connection_id="conn-b").reason is Reason.PAUSED


def test_paused_keys_of_another_connection_do_not_pause() -> None:
    world = standard()
    world.paused_customers.add(("conn-other", "C1"))
    world.paused_invoices.add(("conn-other", "INV-1"))
    assert world.decision().reason is Reason.WOULD_SEND


def test_empty_cycle() -> None:
    assert World().plan() == CyclePlan(decisions=(), messages=())
