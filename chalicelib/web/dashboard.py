"""What the owner's pages show and change, for one organisation at a time.

Every function takes the organisation id of the verified session (see `chalicelib/auth`) and reads or writes only
under that organisation's partition; none accepts an organisation, a connection key or a phone that it does not
re-check against that organisation.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib import bootstrap
from chalicelib.bootstrap import Stores
from chalicelib.container import Container
from chalicelib.domain import consent_rules, notes
from chalicelib.domain.aging import CurrencyAging
from chalicelib.domain.errors import LunasError
from chalicelib.domain.home import MonthMessages, SettledAfterReminder
from chalicelib.domain.meta_errors import WhatsAppAlert
from chalicelib.domain.models import (
    Connection,
    ConnectionStatus,
    Consent,
    ConsentStatus,
    Customer,
    DueReminder,
    Invoice,
    InvoiceStatus,
    LedgerState,
    Money,
    Reason,
    ReminderSettings,
    SendWindow,
    Stage,
)
from chalicelib.domain.notes import Note
from chalicelib.domain.phones import normalise_phone
from chalicelib.domain.records import ConnectionHealth, InvoiceView, MessageEntry, StoredReply, WhatsAppSummary
from chalicelib.observability import logger
from chalicelib.services.reminders import CyclePreview, plan_for_connection


class InvalidInput(LunasError):
    """A form value the owner must correct; the message says which one.

    With a `key`, the page shows that i18n key (chalicelib/web/i18n.py) with `values`, in the owner's language.
    """

    def __init__(self, message: str, *, key: str = "", field: str = "", **values: object) -> None:
        super().__init__(message)
        self.key = key
        self.field = field  # the form field to mark (aria-invalid) and focus; "" when none is to blame
        self.values = values

    def explained(self, translate: Callable[..., str]) -> str:
        return translate(self.key, **self.values) if self.key else str(self)


MAX_MINIMUM_AMOUNTS = 20  # one per currency the organisation invoices in
_AMOUNT_DIGITS = 15  # digits before the decimal point: IDR 999 trillion is plenty
_META_ID = re.compile(r"[0-9]{5,20}")  # ASCII digits only: "\d" would also take "٣" or "５"
_ACCESS_TOKEN = re.compile(r"[A-Za-z0-9._|=-]{1,2048}")  # Meta's tokens: no spaces, far under 2,048 characters


def _lunas() -> Container:
    return bootstrap.container()


def _stores() -> Stores:
    return bootstrap.container().stores


# -- overview ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Overview:
    settings: ReminderSettings
    connections: list[ConnectionHealth]
    whatsapp: WhatsAppSummary
    alerts: list[WhatsAppAlert] = field(default_factory=list)  # account blocked / template stopped: the banner


def overview(org_id: str) -> Overview:
    return Overview(
        settings=_stores().organisations.settings(org_id),
        connections=sorted(
            _stores().connections.health(org_id), key=lambda c: (c.status == "disconnected", c.tenant_name)
        ),
        whatsapp=_stores().organisations.whatsapp_summary(org_id),
        alerts=_stores().whatsapp_alerts.alerts(org_id),
    )


# -- settings ----------------------------------------------------------------------------------------------------


_WEEKDAY_VALUES = frozenset("0123456")  # what the form's checkboxes send (Monday = 0)
MAX_STAGES = 12  # rows of the schedule editor
MAX_DAYS_OFF = 60
_WHEN = ("before", "on", "after")  # a stage row: days before the due date, on it, or after it


def _stage_rows(form: dict[str, list[str]]) -> tuple[tuple[Stage, ...], tuple[Stage, ...]]:
    """The editor's rows (`stage_N_days`, `stage_N_when`, `stage_N_on`) -> (stages on, stages off); blank rows
    are new rows left empty."""
    on: dict[int, Stage] = {}
    off: dict[int, Stage] = {}
    for i in range(MAX_STAGES):
        days_text = _one(form, f"stage_{i}_days").strip()
        when = _one(form, f"stage_{i}_when") or "after"
        if not days_text and when != "on":
            continue
        if when not in _WHEN:
            raise InvalidInput(
                "choose before, on or after the due date", key="input_stage_when", field=f"stage_{i}_when"
            )
        if when == "on":
            days = 0
        elif not re.fullmatch(r"[0-9]{1,3}", days_text) or int(days_text) > 365:
            raise InvalidInput(
                "days must be a whole number from 0 to 365", key="input_stage_days", field=f"stage_{i}_days"
            )
        else:
            days = int(days_text) * (-1 if when == "before" else 1)
        (on if _one(form, f"stage_{i}_on") else off)[days] = Stage(days)
    if not on:
        raise InvalidInput("switch on at least one reminder", key="input_stage_none", field="stage_0_days")
    return tuple(on[d] for d in sorted(on)), tuple(off[d] for d in sorted(off) if d not in on)


def _stages(text: str) -> tuple[Stage, ...]:
    """The older form's one text box of offsets ("-3, 0, 3, 7"): still read, for scripts and saved pages."""
    try:
        days = sorted({int(part) for part in re.split(r"[,\s]+", text.strip()) if part})
    except ValueError:
        raise InvalidInput(
            "stages must be whole numbers of days, e.g. -3, 0, 3, 7", key="input_stage_days", field="stage_0_days"
        ) from None
    if not days or any(abs(d) > 365 for d in days):
        raise InvalidInput(
            "give at least one stage, each within a year of the due date", key="input_stage_days", field="stage_0_days"
        )
    return tuple(Stage(d) for d in days)


def _time(text: str, name: str) -> dt.time:
    """A wall-clock time in the organisation's zone: HH:MM only (no seconds, no UTC offset)."""
    match = re.fullmatch(r"([01][0-9]|2[0-3]):([0-5][0-9])", text.strip())
    if match is None:
        raise InvalidInput(f"{name} must be a time like 09:00", key="input_time", field=name)
    return dt.time(int(match.group(1)), int(match.group(2)))


_AMOUNT_PROBLEMS = {  # AmountRefused.problem -> what the owner reads (chalicelib/web/i18n.py)
    "format": "input_amount_format",
    "currency": "input_amount_currency",
    "too_large": "input_amount_big",
    "negative": "input_amount_negative",
}


def _minimum_rows(form: dict[str, list[str]], locale: str) -> tuple[Money, ...]:
    """The editor's minimum-amount rows (`minimum_N_amount` as people write it, `minimum_N_currency`)."""
    from chalicelib.domain.amounts import AmountRefused, parse_amount

    found: dict[str, Money] = {}
    for i in range(MAX_MINIMUM_AMOUNTS):
        typed = _one(form, f"minimum_{i}_amount").strip()
        if not typed:
            continue
        currency = _one(form, f"minimum_{i}_currency").strip().upper() or "IDR"
        if not re.fullmatch(r"[A-Z]{3}", currency):
            raise InvalidInput("choose a currency", key="input_currency", field=f"minimum_{i}_currency")
        try:
            money = parse_amount(typed, locale=locale, currency=currency)
        except AmountRefused as exc:
            raise InvalidInput(
                f"minimum amount {typed!r} is not an amount",
                key=_AMOUNT_PROBLEMS[exc.problem],
                field=f"minimum_{i}_amount",
            ) from None
        found[money.currency] = money
    return tuple(found[c] for c in sorted(found))


def _minimums(text: str) -> tuple[Money, ...]:
    """The older form's one text box ("IDR 50000, USD 10")."""
    result = []
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) > MAX_MINIMUM_AMOUNTS:
        raise InvalidInput("too many minimum amounts", key="input_too_many_minimums", limit=MAX_MINIMUM_AMOUNTS)
    for part in parts:
        match = re.fullmatch(r"([A-Za-z]{3})\s*([0-9][0-9.]*)", part)
        if not match:
            raise InvalidInput(f"minimum amount {part!r} should look like IDR 50000", field="minimum_0_amount")
        if len(match.group(2).split(".")[0]) > _AMOUNT_DIGITS or len(match.group(2)) > _AMOUNT_DIGITS + 5:
            raise InvalidInput("minimum amount too large", key="input_amount_too_large", currency=match.group(1))
        try:
            result.append(Money(Decimal(match.group(2)), match.group(1).upper()))
        except InvalidOperation:
            raise InvalidInput(f"minimum amount {part!r} is not a number", field="minimum_0_amount") from None
    return tuple(result)


def _days_off(text: str) -> tuple[dt.date, ...]:
    """The owner's own days off: dates as 2026-12-24 or 24/12/2026, separated by commas, spaces or lines."""
    days = set()
    for part in (p for p in re.split(r"[,;\s]+", text.strip()) if p):
        iso = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", part)
        local = re.fullmatch(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})", part)
        try:
            if iso:
                days.add(dt.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3))))
            elif local:
                days.add(dt.date(int(local.group(3)), int(local.group(2)), int(local.group(1))))
            else:
                raise ValueError(part)
        except ValueError:
            raise InvalidInput(
                f"{part!r} is not a date", key="input_day_off", field="days_off", day=part[:20]
            ) from None
    if len(days) > MAX_DAYS_OFF:
        raise InvalidInput("too many days off", key="input_days_off_many", field="days_off", limit=MAX_DAYS_OFF)
    return tuple(sorted(days))


def _one(form: dict[str, list[str]], name: str) -> str:
    return (form.get(name) or [""])[0]


def parse_schedule(
    org_id: str, business_name: str, form: dict[str, list[str]], *, locale: str = "en"
) -> ReminderSettings:
    """The schedule form -> ReminderSettings, or InvalidInput naming the first problem and its field.

    `locale` is the page's language: how an ambiguous amount ("50.000") is read.
    """
    timezone = _one(form, "timezone").strip()
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"unknown time zone {timezone!r}; use a name like Asia/Jakarta", key="input_timezone", field="timezone"
        ) from None
    start, end = _time(_one(form, "window_start"), "window_start"), _time(_one(form, "window_end"), "window_end")
    if start >= end:
        raise InvalidInput("the send window must start before it ends", key="input_window", field="window_end")
    weekdays = frozenset(int(d) for d in form.get("weekdays", []) if d in _WEEKDAY_VALUES)
    if not weekdays:
        raise InvalidInput("pick at least one day", key="input_weekdays", field="weekdays")
    language = _one(form, "language")
    if language not in ("id", "en"):
        raise InvalidInput(
            "message language must be Bahasa Indonesia or English", key="input_language", field="language"
        )
    rows = any(re.fullmatch(r"stage_[0-9]+_(days|when|on)", name) for name in form)
    stages, stages_off = _stage_rows(form) if rows else (_stages(_one(form, "stages")), ())
    with_rows = any(re.fullmatch(r"minimum_[0-9]+_(amount|currency)", name) for name in form)
    minimums = _minimum_rows(form, locale) if with_rows else _minimums(_one(form, "minimum_amounts"))
    return ReminderSettings(
        org_id=org_id,
        business_name=business_name,
        timezone=timezone,
        language=language,
        stages=stages,
        window=SendWindow(start=start, end=end, weekdays=weekdays),
        minimum_amounts=minimums,
        stages_off=stages_off,
        skip_holidays=bool(_one(form, "skip_holidays")),
        days_off=_days_off(_one(form, "days_off")),
    )


def _country(form: dict[str, list[str]], current: str) -> str:
    """The organisation's country from the form (ISO 3166 alpha-2); a form without the field keeps it."""
    from chalicelib.domain.countries import is_country

    values = form.get("country")
    if values is None:
        return current
    code = values[0].strip().upper()
    if not is_country(code):
        raise InvalidInput("choose the country from the list", key="input_country_invalid", field="country")
    return code


def save_schedule(org_id: str, form: dict[str, list[str]], *, locale: str = "en") -> None:
    import dataclasses

    current = _stores().organisations.settings(org_id)
    settings = parse_schedule(org_id, current.business_name, form, locale=locale)
    country = _country(form, current.country)
    _stores().organisations.update_settings(dataclasses.replace(settings, country=country))
    if country != current.country:
        _reread_phones_read_in(org_id)


@dataclass(frozen=True, slots=True)
class StagePreview:
    """One stage's message as a customer reads it (a sample invoice), in one language."""

    stage: Stage
    language: str
    kind: str  # pre_due | due_today | overdue
    text: str


_SAMPLE_CUSTOMER = {"id": "PT Maju Jaya", "en": "PT Maju Jaya"}
_SAMPLE_AMOUNT = Money(Decimal("1250000"), "IDR")


def stage_previews(org_id: str, stages: tuple[Stage, ...], *, business_name: str = "") -> list[StagePreview]:
    """Each stage's message in both languages, worded as the send words it: the policy picks the template for the
    day it goes out (`policy.message_kind_on`), `wording.body_parameters` fills it, and the body is the template's
    own text (templates/whatsapp), here about a sample invoice reaching that stage today."""
    from chalicelib.domain import policy, schedule
    from chalicelib.domain.models import TEMPLATE_NAMES, Invoice, InvoiceStatus, OutgoingMessage, TemplateRef
    from chalicelib.domain.wording import body_parameters

    lunas = _lunas()
    settings = _stores().organisations.settings(org_id)
    today = schedule.local_today(lunas.clock.now(), settings.timezone)
    bodies = {(d.name, d.language): _body_text(d.body) for d in lunas.template_definitions()}
    result = []
    for stage in stages:
        invoice = Invoice(
            source="sample",
            connection_id="sample",
            invoice_id="sample",
            number="INV-0112",
            customer_id="sample",
            customer_name=_SAMPLE_CUSTOMER["en"],
            due_date=today - dt.timedelta(days=stage.offset_days),
            amount_due=_SAMPLE_AMOUNT,
            status=InvoiceStatus.OPEN,
        )
        kind = policy.message_kind_on([invoice], today)
        for language in ("id", "en"):
            message = OutgoingMessage(
                phone="+620000000000",
                customer_name=_SAMPLE_CUSTOMER[language],
                reminders=(DueReminder(invoice=invoice, stage=stage),),
                template=TemplateRef(TEMPLATE_NAMES[kind], language),
                send_date=today,
            )
            params = body_parameters(message, business_name or settings.business_name)
            body = bodies.get((TEMPLATE_NAMES[kind], language), "")
            text = _fill(body, params)
            result.append(StagePreview(stage=stage, language=language, kind=kind.value, text=text))
    return result


def upcoming_holidays(org_id: str, country: str) -> list[tuple[dt.date, str]]:
    """The next public holidays of `country` from the organisation's local today (domain/holidays.py)."""
    from chalicelib.domain import holidays, schedule

    settings = _stores().organisations.settings(org_id)
    return holidays.upcoming(country, schedule.local_today(_lunas().clock.now(), settings.timezone))


def _fill(body: str, params: dict[str, str]) -> str:
    """A template body with its named parameters, as WhatsApp shows it ({{name}} -> value)."""
    return re.sub(r"\{\{([a-z_]+)\}\}", lambda m: params.get(m.group(1), m.group(0)), body)


def _body_text(definition: dict[str, object]) -> str:
    components = definition.get("components")
    for component in components if isinstance(components, list) else []:
        if isinstance(component, dict) and component.get("type") == "BODY":
            return str(component.get("text", ""))
    return ""


def _reread_phones_read_in(org_id: str) -> None:
    """Connections that read their numbers in the organisation's country forget the numbers they read in the old
    one (their sync snapshot's customers): the next cycle reads them in the new one."""
    from chalicelib.services.connections import forget_customer_phones

    stores = _stores()
    for connection in stores.connections.for_org(org_id):
        if connection.country is None and connection.status is not ConnectionStatus.DISCONNECTED:
            forget_customer_phones(stores.snapshots, org_id, connection.connection_id)
            logger.info("customer numbers to be read again", extra={"connection_id": connection.connection_id})


class MetaUnavailable(InvalidInput):
    """Meta could not be asked (unreachable, 5xx, throttled): nothing was saved; the owner should try again."""


_REFUSALS = {  # WhatsAppAccountRefused.reason -> what the owner reads (chalicelib/web/i18n.py)
    "token_invalid": "whatsapp_token_refused",
    "no_access": "whatsapp_no_access",
    "number_not_in_account": "whatsapp_number_not_in_account",
}


def save_whatsapp(org_id: str, *, phone_number_id: str, business_account_id: str, token: str) -> None:
    """Store the organisation's WhatsApp number once Meta confirms the token manages it, and route its webhooks here.

    A new number, business account or token is checked with Meta first (`WhatsAppAccountCheck`: the account's
    phone numbers, read with that token, must list the number); nothing is stored or routed before the check passes.
    An empty token keeps the stored one only when the number and the account are unchanged (nothing to check then).
    """
    number, waba, token = phone_number_id.strip(), business_account_id.strip(), token.strip()
    if not _META_ID.fullmatch(number):
        raise InvalidInput(
            "the phone number ID is the number Meta shows in WhatsApp Manager (digits only)",
            key="input_phone_number_id",
            field="phone_number_id",
        )
    if not _META_ID.fullmatch(waba):
        raise InvalidInput(
            "the WhatsApp Business Account ID is digits only", key="input_waba_id", field="business_account_id"
        )
    if token and not _ACCESS_TOKEN.fullmatch(token):
        raise InvalidInput("not an access token", key="input_token_invalid", field="access_token")
    if not token:
        current = _stores().organisations.whatsapp_summary(org_id)
        if current.has_token and (current.phone_number_id, current.business_account_id) == (number, waba):
            return  # nothing changed: the stored token stays, and so does its check
        raise InvalidInput("a new number needs its access token", key="whatsapp_token_needed", field="access_token")
    from chalicelib.domain.errors import WhatsAppAccountRefused
    from chalicelib.storage.organisations import NumberTaken

    try:
        verified = _lunas().whatsapp_account_check.verify(
            business_account_id=waba, phone_number_id=number, access_token=token
        )
    except WhatsAppAccountRefused as exc:
        if exc.reason == "unavailable":
            raise MetaUnavailable(str(exc), key="whatsapp_meta_unreachable") from None
        raise InvalidInput(str(exc), key=_REFUSALS[exc.reason], number=number, waba=waba) from None
    try:
        _stores().organisations.set_whatsapp(org_id, verified, token=token)
    except NumberTaken:
        raise InvalidInput(
            "this WhatsApp number is already connected to another Lunas account", key="whatsapp_number_taken"
        ) from None
    logger.info("whatsapp number verified with meta and saved", extra={"org_id": org_id})


# -- customers and consent ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerRow:
    name: str
    phone: str | None
    phone_problem: str
    consent: str  # opted_in | opted_out | none
    evidence: str = ""
    captured_at: dt.datetime | None = None
    connections: tuple[str, ...] = ()
    history: tuple[ConsentHistoryRow, ...] = ()  # newest first


@dataclass(frozen=True, slots=True, kw_only=True)
class ConsentHistoryRow:
    """One consent change as the owner reads it: when, what, how (a source key in plain words), evidence, who."""

    at: dt.datetime
    status: str  # opted_in | opted_out
    source: str  # i18n: consent_source_<source>
    evidence: str
    evidence_at: dt.datetime | None
    recorded_by: str  # "" before Lunas kept who made a change


_SOURCES_IN_WORDS = frozenset(
    {*consent_rules.CUSTOMER_SOURCES, "signed_form", "web_form", "in_person", "email", "phone_call", "whatsapp_chat"}
    | {"dashboard", "cli"}
)


def _history_rows(history: list[Consent]) -> tuple[ConsentHistoryRow, ...]:
    return tuple(
        ConsentHistoryRow(
            at=c.captured_at,
            status=c.status.value,
            source=c.source if c.source in _SOURCES_IN_WORDS else "other",
            evidence=c.evidence,
            evidence_at=c.evidence_at,
            recorded_by=c.recorded_by,
        )
        for c in reversed(history)
    )


@dataclass(slots=True)
class CustomersPage:
    rows: list[CustomerRow] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (connection name, what went wrong)


def _live_customers(org_id: str, problems: list[tuple[str, str]]) -> list[Customer]:
    """Customers with open invoices, read now from every working connection (two API calls per connection)."""
    stores = _stores()
    settings = stores.organisations.settings(org_id)
    customers: list[Customer] = []
    for connection in stores.connections.for_org(org_id):
        if connection.status is not ConnectionStatus.ACTIVE:
            continue
        try:
            gateway = _lunas().accounting_gateway(connection, settings)
            ids = sorted({i.customer_id for i in gateway.open_invoices()})
            customers.extend(gateway.customers(ids).values() if ids else [])
        except LunasError as exc:
            logger.warning("customers page: connection unreadable", extra={"error": type(exc).__name__})
            problems.append((connection.tenant_name or connection.connection_id, type(exc).__name__))
    return customers


def customers(org_id: str) -> CustomersPage:
    page = CustomersPage()
    live = _live_customers(org_id, page.problems)
    consents = {c.phone: c for c in _stores().consents.for_org(org_id)}
    histories = _stores().consents.histories(org_id)
    seen: set[str] = set()
    for customer in sorted(live, key=lambda c: c.name.lower()):
        found = consents.get(customer.phone or "")
        page.rows.append(
            CustomerRow(
                name=customer.name,
                phone=customer.phone,
                phone_problem=customer.phone_problem.value if customer.phone_problem else "",
                consent=found.status.value if found else "none",
                evidence=found.evidence if found else "",
                captured_at=found.captured_at if found else None,
                connections=(customer.connection_id,),
                history=_history_rows(histories.get(customer.phone or "", [])),
            )
        )
        if customer.phone:
            seen.add(customer.phone)
    for phone, found in sorted(consents.items()):
        if phone not in seen:
            page.rows.append(
                CustomerRow(
                    name="",
                    phone=phone,
                    phone_problem="",
                    consent=found.status.value,
                    evidence=found.evidence,
                    captured_at=found.captured_at,
                    history=_history_rows(histories.get(phone, [])),
                )
            )
    return page


def record_consent(
    org_id: str,
    *,
    phone: str,
    status: str,
    source: str,
    evidence: str,
    recorded_by: str,
    evidence_at: str = "",
    confirmed: bool = False,
) -> str:
    """Record an opt-in (with its evidence) or an opt-out for a number, made by `recorded_by`; returns the E.164
    number. A customer's own STOP is undone only as `consent_rules.may_record` allows: otherwise InvalidInput says
    why, in the owner's language."""
    settings = _stores().organisations.settings(org_id)
    parsed = normalise_phone(phone, settings.country)
    if parsed.e164 is None:
        raise InvalidInput(parsed.detail or "not a mobile number")
    consent_status = ConsentStatus(status)
    evidence = evidence.strip()
    source = source.strip()[:40]
    now = _lunas().clock.now()
    consent = Consent(
        org_id=org_id,
        phone=parsed.e164,
        status=consent_status,
        # the customer's own sources are what the webhook records; the owner's word is never one of them
        source="dashboard" if not source or source in consent_rules.CUSTOMER_SOURCES else source,
        evidence=evidence[:1000]
        or ("opt-out recorded in the dashboard" if consent_status is ConsentStatus.OPTED_OUT else ""),
        captured_at=now,
        recorded_by=recorded_by,
        evidence_at=_evidence_time(evidence_at, settings.timezone),
    )
    history = _stores().consents.history(org_id, parsed.e164)
    verdict = consent_rules.may_record(history, consent, confirmed=confirmed, now=now)
    if verdict.refusal is consent_rules.Refusal.EVIDENCE_NEEDED:
        raise InvalidInput("evidence needed")
    if verdict.refusal is not None:
        stop = verdict.standing_stop
        when = stop.captured_at.astimezone(ZoneInfo(settings.timezone)).strftime("%Y-%m-%d %H:%M") if stop else ""
        raise InvalidInput(
            f"consent refused: {verdict.refusal.value}", key=f"consent_{verdict.refusal.value}", when=when
        )
    _stores().consents.record(consent)
    logger.info(
        "consent recorded in the dashboard",
        extra={"status": consent_status.value, "over_stop": bool(verdict.standing_stop)},
    )
    return parsed.e164


def _evidence_time(value: str, timezone: str) -> dt.datetime | None:
    """The form's "when the customer asked" (a local date and time, `datetime-local`), in UTC; None when empty."""
    if not value.strip():
        return None
    try:
        local = dt.datetime.fromisoformat(value.strip()[:40])
        if local.tzinfo is None:
            local = local.replace(tzinfo=ZoneInfo(timezone))
        return local.astimezone(dt.UTC)
    except (ValueError, OverflowError):  # not a date, or at the very edge of the calendar
        raise InvalidInput("not a date and time", key="consent_evidence_at_invalid") from None


# -- invoices and their reminder timeline ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelineEntry:
    stage: str
    state: str  # claimed | sent | failed
    delivery: str  # sent | delivered | read | failed | ""
    at: dt.datetime | None
    error: str = ""


@dataclass(slots=True, kw_only=True)
class InvoiceRow:
    connection_id: str
    number: str
    customer_name: str
    due_date: str
    amount_due: str
    currency: str
    reason: str
    detail: str
    decided_at: dt.datetime
    timeline: list[TimelineEntry] = field(default_factory=list)
    note: Note | None = None


def _disconnected(org_id: str) -> frozenset[str]:
    return frozenset(
        c.connection_id for c in _stores().connections.for_org(org_id) if c.status is ConnectionStatus.DISCONNECTED
    )


def invoices(org_id: str) -> list[InvoiceRow]:
    stores = _stores()
    rows: dict[tuple[str, str], InvoiceRow] = {}
    gone = _disconnected(org_id)  # a disconnected company's invoices are no longer open for Lunas
    for view in stores.decisions.for_org(org_id):
        if view.connection_id in gone:
            continue
        rows[(view.connection_id, view.invoice_id)] = InvoiceRow(
            connection_id=view.connection_id,
            number=view.number,
            customer_name=view.customer_name,
            due_date=view.due_date.isoformat(),
            amount_due=str(view.amount_due.amount),
            currency=view.amount_due.currency,
            reason=view.reason.value,
            detail=view.detail,
            decided_at=view.decided_at,
            note=view.note,
        )
    for entry in stores.ledger.entries(org_id):
        row = rows.get((entry.connection_id, entry.invoice_id))
        if row is None:
            continue
        error = f"(#{entry.error_code}) {entry.error_title}" if entry.error_code else entry.error_title or ""
        row.timeline.append(
            TimelineEntry(
                stage=entry.stage,
                state=entry.state.value,
                delivery=entry.delivery or "",
                at=entry.sent_at or entry.claimed_at,
                error=error,
            )
        )
    for row in rows.values():
        row.timeline.sort(key=lambda e: e.at or dt.datetime.min.replace(tzinfo=dt.UTC))
    return sorted(rows.values(), key=lambda r: (r.due_date, r.number))


# -- preview and run now -----------------------------------------------------------------------------------------


@dataclass(slots=True)
class PreviewPage:
    previews: list[CyclePreview] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    whatsapp_missing: bool = False
    in_window: bool = True


def _active(org_id: str) -> list[Connection]:
    return [c for c in _stores().connections.for_org(org_id) if c.status is ConnectionStatus.ACTIVE]


def preview(org_id: str) -> PreviewPage:
    from chalicelib.domain import schedule

    page = PreviewPage()
    if _stores().organisations.whatsapp(org_id) is None:
        page.whatsapp_missing = True
        return page
    page.in_window = schedule.in_send_window(_lunas().clock.now(), _stores().organisations.settings(org_id))
    for connection in _active(org_id):
        try:
            page.previews.append(plan_for_connection(connection, _lunas().cycle_dependencies(connection)))
        except LunasError as exc:
            logger.warning("preview: connection unreadable", extra={"error": type(exc).__name__})
            page.problems.append((connection.tenant_name or connection.connection_id, type(exc).__name__))
    page.previews = one_message_per_phone(page.previews)
    return page


_SECOND_MESSAGE = "another connected company's reminder goes to this number first; this one waits for the next day"


def one_message_per_phone(previews: list[CyclePreview]) -> list[CyclePreview]:
    """The previews as the run will play out: each connection plans alone, but the send ledger lets a phone receive
    one message a day across the organisation (`SendLedger.claim`), so a number planned by an earlier connection is
    "already messaged today" in the later ones, exactly as the run would record it."""
    import dataclasses

    taken: set[str] = set()
    result = []
    for item in previews:
        dropped = {m.phone for m in item.plan.messages if m.phone in taken}
        taken |= {m.phone for m in item.plan.messages}
        if not dropped:
            result.append(item)
            continue
        waiting = {r.ledger_key for m in item.plan.messages if m.phone in dropped for r in m.reminders}
        decisions = tuple(
            dataclasses.replace(d, reason=Reason.ALREADY_MESSAGED_TODAY, detail=_SECOND_MESSAGE)
            if d.reason is Reason.WOULD_SEND
            and d.stage
            and DueReminder(invoice=d.invoice, stage=d.stage).ledger_key in waiting
            else d
            for d in item.plan.decisions
        )
        messages = tuple(m for m in item.plan.messages if m.phone not in dropped)
        plan = dataclasses.replace(item.plan, decisions=decisions, messages=messages)
        result.append(dataclasses.replace(item, plan=plan))
    return result


def would_not_send(page: PreviewPage) -> list[tuple[str, str, str, str, Note | None]]:
    """(invoice number, customer, reason, detail, note) for every invoice the next cycle would not remind about."""
    rows = []
    for item in page.previews:
        for decision in item.plan.decisions:
            if decision.reason is not Reason.WOULD_SEND:
                inv = decision.invoice
                rows.append((inv.number, inv.customer_name, decision.reason.value, decision.detail, decision.note))
    return rows


@dataclass(frozen=True, slots=True)
class RunNowResult:
    mode: str  # queue | inline
    connections: int
    summaries: tuple[str, ...] = ()
    requested_at: dt.datetime | None = None  # the run's results are the cycles recorded at or after this instant


# How the owner reads a cycle's counts (the reasons of `CycleResult.summary`): sent, waiting (tried again by a later
# cycle without the owner doing anything), or not sent (each with its reason, and the fix on the invoices page).
_WAITING = frozenset(
    {
        Reason.WOULD_SEND,
        Reason.NOT_DUE,
        Reason.ALREADY_SENT,
        Reason.ALREADY_MESSAGED_TODAY,
        Reason.OUTSIDE_WINDOW,
        Reason.DEFERRED,
        Reason.MESSAGING_LIMIT,
        Reason.PAUSED,
    }
)
_COUNT = re.compile(r"([a-z_]+)=([0-9]+)")


@dataclass(frozen=True, slots=True)
class RunStatus:
    """Where a Run now stands: `done` once every working connection recorded a cycle at or after `since`."""

    done: bool
    pending: int  # connections whose cycle has not finished yet
    sent: int = 0
    waiting: int = 0
    not_sent: tuple[tuple[str, int], ...] = ()  # (reason, count), most first
    problems: tuple[str, ...] = ()  # connections whose cycle could not read the accounting system (i18n keys)


def summary_counts(summary: str) -> dict[str, int]:
    """The counts of a cycle summary (`CycleResult.summary`: "no_consent=3, sent=2"); unknown reasons are dropped."""
    known = {r.value for r in Reason}
    return {k: int(v) for k, v in _COUNT.findall(summary) if k in known}


def _problem_of(summary: str) -> str:
    if summary.startswith("reconnect needed"):
        return "run_problem_reconnect"
    if summary.startswith("accounting API limit"):
        return "run_problem_rate_limited"
    if summary.startswith("no WhatsApp number"):  # removed in Settings (chalicelib/worker.py NO_WHATSAPP_NUMBER)
        return "run_problem_no_whatsapp"
    return ""


def run_status(org_id: str, since: dt.datetime) -> RunStatus:
    """The results of a Run now started at `since`, added up over the organisation's working connections."""
    working = [h for h in _stores().connections.health(org_id) if h.status == ConnectionStatus.ACTIVE.value]
    finished = [h for h in working if h.last_cycle_at is not None and h.last_cycle_at >= since]
    totals: dict[str, int] = {}
    for health in finished:
        for reason, n in summary_counts(health.last_cycle_summary).items():
            totals[reason] = totals.get(reason, 0) + n
    not_sent = sorted(
        ((r, n) for r, n in totals.items() if r != Reason.SENT.value and Reason(r) not in _WAITING),
        key=lambda item: (-item[1], item[0]),
    )
    return RunStatus(
        done=len(finished) == len(working),
        pending=len(working) - len(finished),
        sent=totals.get(Reason.SENT.value, 0),
        waiting=sum(n for r, n in totals.items() if Reason(r) in _WAITING),
        not_sent=tuple(not_sent),
        problems=tuple(p for p in (_problem_of(h.last_cycle_summary) for h in finished) if p),
    )


def run_now(org_id: str) -> RunNowResult:
    """Queue a cycle for each working connection (as the hourly fan-out does), or run them here in the sandbox."""
    from chalicelib.services.fanout import cycle_message

    connections = _active(org_id)
    lunas = _lunas()
    requested_at = lunas.clock.now()
    if lunas.settings.run_now_mode == "inline":
        from chalicelib.worker import run_connection_cycle

        summaries = tuple(run_connection_cycle(org_id, c.connection_id) for c in connections)
        return RunNowResult("inline", len(connections), summaries, requested_at)
    lunas.reminder_queue.send([cycle_message(c, requested_at.isoformat()) for c in connections])
    return RunNowResult("queue", len(connections), requested_at=requested_at)


# -- WhatsApp templates and costs (services/templates.py, domain/pricing.py; docs/whatsapp-templates.md) ----------


@dataclass(frozen=True, slots=True)
class TemplateStatusRow:
    """One template in one language, in the owner's words: `name_key` / `status_key` are i18n keys."""

    name: str
    name_key: str
    language: str
    status_key: str
    pill: str
    reason: str
    changed_at: dt.datetime | None


def template_statuses(org_id: str) -> list[TemplateStatusRow]:
    """Each of Lunas' templates per language, as Meta last said (events, pushes, syncs); [] without a number."""
    from chalicelib.domain.template_lifecycle import OWNER_NAMES, owner_status
    from chalicelib.services.templates import template_rows

    account = _stores().organisations.whatsapp(org_id)
    if account is None or not account.business_account_id:
        return []
    ours = [(name, language) for name in OWNER_NAMES for language in ("id", "en")]
    states = [s for s in _stores().templates.states(account.business_account_id) if s.name in OWNER_NAMES]
    rows = []
    for row in template_rows(states, ours):
        status_key, pill = owner_status(row.status)
        rows.append(
            TemplateStatusRow(
                name=row.name,
                name_key=OWNER_NAMES[row.name],
                language=row.language,
                status_key=f"tpl_status_{status_key}",
                pill=pill,
                reason=row.reason,
                changed_at=row.changed_at,
            )
        )
    order = list(OWNER_NAMES)
    return sorted(rows, key=lambda r: (order.index(r.name), r.language != "id"))


@dataclass(frozen=True, slots=True)
class CostsSummary:
    """This month's delivered messages and about what Meta charges for them (domain/pricing.py)."""

    month: str
    delivered: int
    by_category: list[tuple[str, int]]
    estimate: Decimal | None
    currency: str


def costs(org_id: str) -> CostsSummary:
    from chalicelib.domain.pricing import CURRENCY_OF_COUNTRY, estimate, month_of

    lunas = _lunas()
    settings = _stores().organisations.settings(org_id)
    month = month_of(lunas.clock.now(), settings.timezone)
    usage = _stores().usage.month(org_id, month)
    currency = CURRENCY_OF_COUNTRY.get(settings.country.upper(), "USD")
    return CostsSummary(
        month=month,
        delivered=usage.delivered,
        by_category=list(usage.by_category().items()),
        estimate=estimate(usage, country=settings.country, currency=currency, usd_rates=lunas.usd_rates),
        currency=currency,
    )


# -- home: money first, this month, what needs attention, getting started (docs/dashboard.md "Home") -------------

CHECKLIST_PREVIEWED = "checklist_previewed"  # a one-time claim: the owner opened the preview (step 4)
_PREVIEW_MEMORY = dt.timedelta(days=8)  # retention.CLAIM: then a cycle having run keeps the step ticked
_REPLY_DAYS = 7  # unresolved replies of the last week are listed "to read" (the inbox keeps them all)
_XERO_LOGIN = "https://go.xero.com/"  # the owner switches Xero's own invoice reminders off there
_PHONE_REASONS = frozenset({Reason.NOT_ON_WHATSAPP, Reason.INVALID_PHONE, Reason.NO_PHONE})


@dataclass(frozen=True, slots=True)
class AttentionItem:
    """One thing the owner should fix: `key` is the i18n key of its words (with `values`), `href` where to fix it."""

    key: str
    href: str
    kind: str  # replies | phones | consent | reconnect | whatsapp | template | send_failed | duplicate
    values: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True, slots=True)
class ChecklistStep:
    key: str  # i18n key suffix: checklist_<key> / checklist_<key>_how
    done: bool
    href: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Home:
    today: dt.date
    aging: tuple[CurrencyAging, ...]
    messages: MonthMessages
    settled: SettledAfterReminder
    attention: tuple[AttentionItem, ...]
    checklist: tuple[ChecklistStep, ...]  # empty once the first reminder was delivered
    never_synced: tuple[str, ...] = ()  # connected companies whose invoices Lunas has not read yet

    @property
    def show_checklist(self) -> bool:
        return bool(self.checklist)


def remember_previewed(org_id: str) -> None:
    """The owner opened the preview: the checklist's step 4 stays ticked (one small write, the first time only)."""
    lunas = _lunas()
    now = lunas.clock.now()
    if not lunas.stores.claims.active(org_id, CHECKLIST_PREVIEWED, now):
        lunas.stores.claims.claim(org_id, CHECKLIST_PREVIEWED, now, _PREVIEW_MEMORY)


def remember_owner_address(org_id: str, email: str, role: str) -> None:
    """The daily summary e-mail goes to the owner's sign-in address: kept at their first visit (one small write)."""
    if role != "owner" or "@" not in email:
        return
    digests = _stores().digests
    if not digests.get(org_id).email:
        digests.remember_owner(org_id, email)


def home(org_id: str, *, replies_href: str = "/customers", templates: list[TemplateStatusRow] | None = None) -> Home:
    """Everything the home page shows, read from the stores: never from the accounting system (no API call)."""
    from chalicelib.domain import home as month
    from chalicelib.domain.aging import age_invoices
    from chalicelib.domain.schedule import local_today

    lunas = _lunas()
    stores = lunas.stores
    now = lunas.clock.now()
    settings = stores.organisations.settings(org_id)
    today = local_today(now, settings.timezone)
    this_month = month.month_key(today)
    connections = stores.connections.for_org(org_id)
    synced = [c for c in connections if c.status is not ConnectionStatus.DISCONNECTED]
    open_invoices, never_synced = _synced_open_invoices(org_id, synced, now)
    messages = stores.ledger.messages(org_id, since=today.replace(day=1))  # this month's keys only
    decisions = stores.decisions.for_org(org_id)
    reminded = month.reminded_in_month(messages, this_month)
    settled = month.settled_after_reminder(
        reminded,
        still_open={(i.connection_id, i.invoice_id) for i in open_invoices},
        synced_connections={c.connection_id for c in synced},
        closures=stores.holds.closed_invoices(org_id, reminded, now) if reminded else {},
        balances={(v.connection_id, v.invoice_id): v.amount_due for v in decisions},
    )
    delivered = month.ever_delivered(messages) or stores.ledger.any_delivered(org_id)
    whatsapp = stores.organisations.whatsapp_summary(org_id)
    return Home(
        today=today,
        aging=age_invoices(open_invoices, today),
        never_synced=tuple(never_synced),
        messages=month.count_messages(messages, this_month),
        settled=settled,
        attention=_attention(
            org_id,
            now=now,
            today=today,
            decisions=decisions,
            whatsapp=whatsapp,
            replies_href=replies_href,
            templates=templates or [],
        ),
        checklist=()
        if delivered
        else _checklist(
            org_id, now=now, whatsapp=whatsapp, connections=connections, decisions=decisions, messages=messages
        ),
    )


def _synced_open_invoices(
    org_id: str, connections: list[Connection], now: dt.datetime
) -> tuple[list[Invoice], list[str]]:
    """The open invoices of the last sync of each connection still connected, minus those a webhook reported closed
    since (the next sync drops them too); and the names of the connections never synced yet."""
    stores = _stores()
    snapshots = [(c, stores.snapshots.load(org_id, c.connection_id)) for c in connections]
    invoices = [i for _, snapshot in snapshots for i in snapshot.invoices.values()]
    never = [c.tenant_name or c.connection_id for c, s in snapshots if s.cursor is None and not s.invoices]
    closed = stores.holds.closed_invoices(org_id, [(i.connection_id, i.invoice_id) for i in invoices], now)
    return [i for i in invoices if (i.connection_id, i.invoice_id) not in closed], never


def _attention(
    org_id: str,
    *,
    now: dt.datetime,
    today: dt.date,
    decisions: list[InvoiceView],
    whatsapp: WhatsAppSummary,
    replies_href: str,
    templates: list[TemplateStatusRow],
) -> tuple[AttentionItem, ...]:
    """What blocks sending first (WhatsApp, connections, templates), then what is about customers."""
    return (
        *_account_attention(org_id, whatsapp, templates),
        *_customer_attention(org_id, now=now, today=today, decisions=decisions, replies_href=replies_href),
    )


def _account_attention(
    org_id: str, whatsapp: WhatsAppSummary, templates: list[TemplateStatusRow]
) -> list[AttentionItem]:
    stores = _stores()
    items: list[AttentionItem] = []
    if any(alert.kind.value == "account" for alert in stores.whatsapp_alerts.alerts(org_id)):
        items.append(AttentionItem("attention_whatsapp_blocked", "/settings", "whatsapp"))
    if not (whatsapp.phone_number_id and whatsapp.has_token):
        items.append(AttentionItem("attention_whatsapp_missing", "/settings", "whatsapp"))
    elif whatsapp.account_status:
        items.append(AttentionItem("attention_whatsapp_account", "/settings", "whatsapp"))
    for health in stores.connections.health(org_id):
        if health.status == ConnectionStatus.RECONNECT_NEEDED.value:
            name = health.tenant_name or ("Xero" if health.provider == "xero" else "QuickBooks")
            items.append(
                AttentionItem("attention_reconnect", f"/connect/{health.provider}", "reconnect", (("name", name),))
            )
    items.extend(_duplicate_chasing(org_id))
    stopped = [r for r in templates if r.pill == "bad"]
    if stopped:
        items.append(AttentionItem("attention_templates", "#templates", "template", (("count", len(stopped)),)))
    return items


def _duplicate_chasing(org_id: str) -> list[AttentionItem]:
    """Connected companies whose accounting system also sends its own payment reminders (services/own_reminders.py):
    customers would be chased twice. Only Xero can tell; the owner switches them off in Xero."""
    return [
        AttentionItem("attention_own_reminders", _XERO_LOGIN, "duplicate", (("name", c.tenant_name or "Xero"),))
        for c in _stores().connections.for_org(org_id)
        if c.own_reminders and c.status is ConnectionStatus.ACTIVE
    ]


def _customer_attention(
    org_id: str, *, now: dt.datetime, today: dt.date, decisions: list[InvoiceView], replies_href: str
) -> list[AttentionItem]:
    done = _stores().replies.resolved(org_id)  # the replies inbox's "resolved": read and dealt with
    since = now - dt.timedelta(days=_REPLY_DAYS)
    replies = sum(
        1 for r in _stores().replies.for_org(org_id, limit=100) if r.received_at >= since and r.message_id not in done
    )
    phones = {(v.connection_id, v.customer_name) for v in decisions if v.reason in _PHONE_REASONS}
    no_consent = {
        (v.connection_id, v.customer_name) for v in decisions if v.reason is Reason.NO_CONSENT and v.due_date < today
    }
    failed = sum(1 for v in decisions if v.reason is Reason.SEND_FAILED)
    counted = (
        ("attention_replies", replies_href, "replies", replies),
        ("attention_phones", "/invoices", "phones", len(phones)),
        ("attention_consent", "/customers", "consent", len(no_consent)),
        ("attention_send_failed", "/invoices?reason=send_failed", "send_failed", failed),
    )
    return [AttentionItem(key, href, kind, (("count", n),)) for key, href, kind, n in counted if n]


def _checklist(
    org_id: str,
    *,
    now: dt.datetime,
    whatsapp: WhatsAppSummary,
    connections: list[Connection],
    decisions: list[InvoiceView],
    messages: list[MessageEntry],
) -> tuple[ChecklistStep, ...]:
    """The six steps to a first delivered reminder, each ticked from what is stored."""
    stores = _stores()
    cycle_ran = bool(decisions) or bool(messages)
    return (
        ChecklistStep("whatsapp", bool(whatsapp.phone_number_id and whatsapp.has_token), "/settings"),
        ChecklistStep(
            "accounting", any(c.status is not ConnectionStatus.DISCONNECTED for c in connections), "#connections"
        ),
        ChecklistStep(
            "consent", any(c.status is ConsentStatus.OPTED_IN for c in stores.consents.for_org(org_id)), "/customers"
        ),
        ChecklistStep("preview", cycle_ran or stores.claims.active(org_id, CHECKLIST_PREVIEWED, now), "/preview"),
        ChecklistStep("run", cycle_ran, "/preview#run-now"),
        ChecklistStep("delivered", False, "/invoices"),
    )


# -- the replies inbox, the customer page, the customer list's figures, invoice filters (docs/dashboard.md) --------


@dataclass(frozen=True, slots=True)
class Books:
    """What the organisation's connected companies say is open: customers and their open invoices."""

    customers: dict[tuple[str, str], Customer] = field(default_factory=dict)  # (connection_id, customer id)
    invoices: list[Invoice] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)

    def by_phone(self) -> dict[str, Customer]:
        return {c.phone: c for c in sorted(self.customers.values(), key=lambda c: c.name) if c.phone}

    def open_for(self, connection_id: str, customer_id: str) -> list[Invoice]:
        return [i for i in self.invoices if (i.connection_id, i.customer_id) == (connection_id, customer_id)]


def books(org_id: str) -> Books:
    """Every working connection's customers and open invoices: its sync snapshot (one query), or, before its first
    cycle stored one, a live read (two API calls), as the customers page always did."""
    found = Books()
    stores = _stores()
    settings = stores.organisations.settings(org_id)
    for connection in _active(org_id):
        snapshot = stores.snapshots.load(org_id, connection.connection_id)
        if snapshot.customers:
            customers, invoices = list(snapshot.customers.values()), list(snapshot.invoices.values())
        else:
            try:
                gateway = _lunas().accounting_gateway(connection, settings)
                invoices = gateway.open_invoices()
                ids = sorted({i.customer_id for i in invoices})
                customers = list(gateway.customers(ids).values()) if ids else []
            except LunasError as exc:
                logger.warning("books: connection unreadable", extra={"error": type(exc).__name__})
                found.problems.append((connection.tenant_name or connection.connection_id, type(exc).__name__))
                continue
        found.customers.update({(c.connection_id, c.customer_id): c for c in customers})
        found.invoices.extend(i for i in invoices if i.status is InvoiceStatus.OPEN)
    return found


def owed(invoices: list[Invoice]) -> tuple[list[Money], dt.date | None]:
    """Totals per currency (largest first) and the oldest due date."""
    totals: dict[str, Decimal] = {}
    for invoice in invoices:
        totals[invoice.amount_due.currency] = totals.get(invoice.amount_due.currency, Decimal(0)) + (
            invoice.amount_due.amount
        )
    oldest = min((i.due_date for i in invoices), default=None)
    return [Money(a, c) for c, a in sorted(totals.items(), key=lambda kv: -kv[1])], oldest


# Replies: what Lunas did, from the stored action ("reminders paused until 2026-12-05 10:00 UTC", "opted_out", ...)
_UNTIL = re.compile(r"until (\d{4}-\d{2}-\d{2} \d{2}:\d{2}) UTC")


def reply_action(intent: str, action: str) -> tuple[str, dt.datetime | None]:
    """(i18n key, until) of what Lunas did about a reply, for the owner's words."""
    match = _UNTIL.search(action)
    until = dt.datetime.strptime(match.group(1), "%Y-%m-%d %H:%M").replace(tzinfo=dt.UTC) if match else None
    if action in ("opted_out", "already opted out"):
        return ("reply_did_opted_out" if action == "opted_out" else "reply_did_already_out"), None
    if action in ("opted_in", "already opted in"):
        return ("reply_did_opted_in" if action == "opted_in" else "reply_did_already_in"), None
    if action.startswith("invoices held") and until:
        return "reply_did_held", until
    if action.startswith("reminders paused") and until:
        return "reply_did_paused", until
    return "reply_did_nothing", None


@dataclass(frozen=True, slots=True, kw_only=True)
class HeldInvoice:
    connection_id: str
    invoice_id: str
    number: str
    held_until: dt.datetime | None = None  # a running hold (a promise to pay, "I have paid")
    held_note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplyRow:
    message_id: str
    phone: str
    customer_name: str
    customer_link: str  # "" when the number is not a customer of a connected company
    kind: str
    text: str
    intent: str
    did_key: str
    did_until: dt.datetime | None
    received_at: dt.datetime
    invoices: tuple[HeldInvoice, ...]
    paused_until: dt.datetime | None  # the number's reply pause, while it runs
    resolved: bool


def customer_link(connection_id: str, customer_id: str) -> str:
    from urllib.parse import quote

    return f"/customers/{quote(connection_id, safe='')}/{quote(customer_id, safe='')}"


def _invoice_numbers(org_id: str, found: Books) -> dict[tuple[str, str], str]:
    numbers = {(v.connection_id, v.invoice_id): v.number for v in _stores().decisions.for_org(org_id)}
    numbers.update({(i.connection_id, i.invoice_id): i.number for i in found.invoices})
    return numbers


def replies_inbox(org_id: str, *, show: str = "open") -> list[ReplyRow]:
    """Every stored reply, newest first, with its customer, the invoices it answers and what Lunas did; `show`
    "open" leaves out the ones the owner marked resolved."""
    from chalicelib.services.replies import invoices_of_message

    stores = _stores()
    now = _lunas().clock.now()
    found = books(org_id)
    customers = found.by_phone()
    numbers = _invoice_numbers(org_id, found)
    holds = stores.holds.invoice_pauses(org_id, now)
    phone_pauses = stores.holds.phone_pauses(org_id, now)
    resolved = stores.replies.resolved(org_id)
    rows = []
    for reply in stores.replies.for_org(org_id):
        done = reply.message_id in resolved
        if show == "open" and done:
            continue
        pairs = invoices_of_message(stores.ledger, org_id, reply.context_wamid) if reply.context_wamid else []
        customer = customers.get(reply.phone)
        did_key, did_until = reply_action(reply.intent, reply.action)
        rows.append(
            ReplyRow(
                message_id=reply.message_id,
                phone=reply.phone,
                customer_name=customer.name if customer else "",
                customer_link=customer_link(customer.connection_id, customer.customer_id) if customer else "",
                kind=reply.kind,
                text=reply.text,
                intent=reply.intent,
                did_key=did_key,
                did_until=did_until,
                received_at=reply.received_at,
                invoices=tuple(
                    HeldInvoice(
                        connection_id=c,
                        invoice_id=i,
                        number=numbers.get((c, i), i),
                        held_until=holds[(c, i)][0] if (c, i) in holds else None,
                        held_note=holds[(c, i)][1] if (c, i) in holds else "",
                    )
                    for c, i in pairs
                ),
                paused_until=phone_pauses.get(reply.phone),
                resolved=done,
            )
        )
    return rows


def _reply(org_id: str, message_id: str) -> StoredReply:
    from chalicelib.storage.organisations import NotFound

    reply = next((r for r in _stores().replies.for_org(org_id) if r.message_id == message_id), None)
    if reply is None:
        raise NotFound(message_id)
    return reply


def resolve_reply(org_id: str, message_id: str) -> None:
    _reply(org_id, message_id)  # only this organisation's replies
    _stores().replies.mark_resolved(org_id, message_id, _lunas().clock.now())


def unpause_phone(org_id: str, phone: str) -> None:
    """End the pause a reply started; the number is re-read as E.164 and only this organisation's pause is ended."""
    if not re.fullmatch(r"\+[1-9][0-9]{6,14}", phone.strip()):
        raise InvalidInput("not a phone number", key="input_phone_invalid")
    _stores().holds.end_phone_pause(org_id, phone.strip())


MAX_PROMISE_DAYS = 180  # a promise to pay further out than this is a plan, not a promise: pause the customer instead


def _promise_until(org_id: str, text: str) -> tuple[dt.date, dt.datetime]:
    """The promised date (YYYY-MM-DD, as the date picker sends it) -> the end of that day in the organisation's zone."""
    settings = _stores().organisations.settings(org_id)
    zone = ZoneInfo(settings.timezone)
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput("promise date", key="promise_date_invalid") from None
    today = _lunas().clock.now().astimezone(zone).date()
    if not today <= day <= today + dt.timedelta(days=MAX_PROMISE_DAYS):
        raise InvalidInput("promise date", key="promise_date_range", days=MAX_PROMISE_DAYS)
    return day, dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone).astimezone(dt.UTC)


def record_promise(org_id: str, message_id: str, date_text: str) -> int:
    """The customer promised to pay by a date: hold the reminders of the invoices their reply answered until the end
    of that day (the customer's number instead when the reply answered no reminder); the reply is resolved.
    Returns how many invoices are held."""
    from chalicelib.services.replies import invoices_of_message

    reply = _reply(org_id, message_id)
    day, until = _promise_until(org_id, date_text)
    stores = _stores()
    now = _lunas().clock.now()
    note = (
        f"the customer promised to pay by {day.isoformat()} (their WhatsApp reply of "
        f"{reply.received_at:%Y-%m-%d}); reminders are held until then"
    )
    pairs = invoices_of_message(stores.ledger, org_id, reply.context_wamid) if reply.context_wamid else []
    why = notes.note("promised", date=day.isoformat(), reply_date=f"{reply.received_at:%Y-%m-%d}")
    for connection_id, invoice_id in pairs:
        stores.holds.pause_invoice(org_id, connection_id, invoice_id, until, note=note, why=why)
    if not pairs and reply.phone:
        stores.holds.pause_phone(org_id, reply.phone, until, note)
    stores.replies.mark_resolved(org_id, message_id, now)
    return len(pairs)


# -- one customer --


@dataclass(frozen=True, slots=True, kw_only=True)
class SentText:
    """One message to the customer as it was sent, and what became of it."""

    at: dt.datetime
    template: str
    language: str
    text: str  # "" when the message's parameters were not kept (sent before Lunas kept them)
    state: str  # sent | delivered | read | failed | claimed
    error_code: int | None
    error_title: str
    invoices: tuple[str, ...]  # invoice numbers


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelineItem:
    at: dt.datetime
    message: SentText | None = None
    reply: ReplyRow | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerPage:
    customer: Customer
    open_invoices: list[InvoiceRow]
    owed: list[Money]
    oldest_due: dt.date | None
    consent: Consent | None
    paused_until: dt.datetime | None  # the owner's pause of this customer (None: not paused)
    paused_forever: bool
    reply_paused_until: dt.datetime | None
    timeline: list[TimelineItem]


def message_text(definitions: dict[tuple[str, str], dict[str, object]], entry: MessageEntry) -> str:
    """The message as the customer read it: the template's body, footer and buttons, with the parameters sent."""
    body = definitions.get((entry.template, entry.language))
    if body is None or not entry.body_params:
        return ""
    params = dict(entry.body_params)
    lines: list[str] = []
    buttons: list[str] = []
    components = body.get("components")
    for component in components if isinstance(components, list) else []:
        kind = str(component.get("type", ""))
        if kind == "BODY":
            text = str(component.get("text", ""))
            lines.append(re.sub(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}", lambda m: params.get(m.group(1), m.group(0)), text))
        elif kind == "FOOTER":
            lines += ["", str(component.get("text", ""))]
        elif kind == "BUTTONS":
            buttons = [f"[ {b.get('text', '')} ]" for b in component.get("buttons") or []]
    return "\n".join([*lines, "", *buttons]) if buttons else "\n".join(lines)


def _definitions() -> dict[tuple[str, str], dict[str, object]]:
    return {(d.name, d.language): d.body for d in _lunas().template_definitions()}


def customer_page(org_id: str, connection_id: str, customer_id: str) -> CustomerPage:
    from chalicelib.storage.organisations import NotFound

    if connection_id not in {c.connection_id for c in _stores().connections.for_org(org_id)}:
        raise NotFound(connection_id)  # only this organisation's connections
    found = books(org_id)
    customer = found.customers.get((connection_id, customer_id))
    if customer is None:
        raise NotFound(customer_id)
    stores = _stores()
    now = _lunas().clock.now()
    mine = found.open_for(connection_id, customer_id)
    rows = {(r.connection_id, r.number): r for r in invoices(org_id)}
    open_rows = [
        rows.get((i.connection_id, i.number))
        or InvoiceRow(
            connection_id=i.connection_id,
            number=i.number,
            customer_name=i.customer_name,
            due_date=i.due_date.isoformat(),
            amount_due=str(i.amount_due.amount),
            currency=i.amount_due.currency,
            reason="",
            detail="",
            decided_at=now,
        )
        for i in sorted(mine, key=lambda i: i.due_date)
    ]
    totals, oldest = owed(mine)
    pauses = stores.holds.customer_pauses(org_id, now)
    timeline = _customer_timeline(org_id, customer, found) if customer.phone else []
    return CustomerPage(
        customer=customer,
        open_invoices=open_rows,
        owed=totals,
        oldest_due=oldest,
        consent=stores.consents.for_phones(org_id, [customer.phone]).get(customer.phone) if customer.phone else None,
        paused_until=pauses.get((connection_id, customer_id)),
        paused_forever=(connection_id, customer_id) in pauses and pauses[(connection_id, customer_id)] is None,
        reply_paused_until=stores.holds.phone_pauses(org_id, now).get(customer.phone or ""),
        timeline=timeline,
    )


def _customer_timeline(org_id: str, customer: Customer, found: Books) -> list[TimelineItem]:
    numbers = _invoice_numbers(org_id, found)
    definitions = _definitions()
    items = []
    for entry in _stores().ledger.messages(org_id):
        if entry.phone != customer.phone:
            continue
        keys = (key.rsplit("#", 2) for key in entry.ledger_keys)  # <connection>#<invoice>#<stage>
        invoice_numbers = tuple(dict.fromkeys(numbers.get((c, i), i) for c, i, _ in keys))
        state = entry.delivery or entry.state.value
        items.append(
            TimelineItem(
                at=entry.sent_at or entry.claimed_at,
                message=SentText(
                    at=entry.sent_at or entry.claimed_at,
                    template=entry.template,
                    language=entry.language,
                    text=message_text(definitions, entry),
                    state="failed" if entry.state is LedgerState.FAILED else state,
                    error_code=entry.error_code,
                    error_title=entry.error_title or "",
                    invoices=invoice_numbers,
                ),
            )
        )
    for reply in replies_inbox(org_id, show="all"):
        if reply.phone == customer.phone:
            items.append(TimelineItem(at=reply.received_at, reply=reply))
    return sorted(items, key=lambda i: i.at, reverse=True)


def pause_customer(org_id: str, connection_id: str, customer_id: str, until_text: str) -> None:
    """Pause a customer's reminders until the end of a date, or until the owner unpauses (no date)."""
    customer_page_guard(org_id, connection_id)
    until = _promise_until(org_id, until_text)[1] if until_text.strip() else None
    _stores().holds.pause_customer(org_id, connection_id, customer_id, until)


def unpause_customer(org_id: str, connection_id: str, customer_id: str, phone: str | None) -> None:
    """End the owner's pause and a reply's pause of this customer: reminders may go again from the next cycle."""
    customer_page_guard(org_id, connection_id)
    _stores().holds.pause_customer(org_id, connection_id, customer_id, _lunas().clock.now())
    if phone:
        _stores().holds.end_phone_pause(org_id, phone)


def customer_page_guard(org_id: str, connection_id: str) -> None:
    from chalicelib.storage.organisations import NotFound

    if connection_id not in {c.connection_id for c in _stores().connections.for_org(org_id)}:
        raise NotFound(connection_id)


def chase_now(org_id: str, connection_id: str, customer_id: str) -> RunNowResult:
    """Unpause the customer and run their company's cycle now (queued on AWS), as Run now does for every company:
    the cycle sends what is due for this customer, and any other reminder of that company that is due anyway."""
    page = customer_page(org_id, connection_id, customer_id)
    unpause_customer(org_id, connection_id, customer_id, page.customer.phone)
    connection = next(c for c in _active(org_id) if c.connection_id == connection_id)
    lunas = _lunas()
    if lunas.settings.run_now_mode == "inline":
        from chalicelib.worker import run_connection_cycle

        return RunNowResult("inline", 1, (run_connection_cycle(org_id, connection_id),))
    from chalicelib.services.fanout import cycle_message

    lunas.reminder_queue.send([cycle_message(connection, lunas.clock.now().isoformat())])
    return RunNowResult("queue", 1)


# -- the customer list's figures and search --


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerFigures:
    link: str
    owed: list[Money]
    oldest_due: dt.date | None
    last_message_at: dt.datetime | None
    last_message_state: str  # sent | delivered | read | failed | claimed | ""


def customer_figures(org_id: str) -> dict[tuple[str, str], CustomerFigures]:
    """(connection_id, customer name) -> what the customer owes and their last message, for the customers list."""
    found = books(org_id)
    last: dict[str, MessageEntry] = {}
    for entry in _stores().ledger.messages(org_id):
        at = entry.sent_at or entry.claimed_at
        current = last.get(entry.phone)
        if current is None or (current.sent_at or current.claimed_at) < at:
            last[entry.phone] = entry
    figures = {}
    for (connection_id, customer_id), customer in found.customers.items():
        totals, oldest = owed(found.open_for(connection_id, customer_id))
        message = last.get(customer.phone or "")
        figures[(connection_id, customer.name)] = CustomerFigures(
            link=customer_link(connection_id, customer_id),
            owed=totals,
            oldest_due=oldest,
            last_message_at=(message.sent_at or message.claimed_at) if message else None,
            last_message_state=(
                "failed" if message.state is LedgerState.FAILED else message.delivery or message.state.value
            )
            if message
            else "",
        )
    return figures


def search_customers(rows: list[CustomerRow], query: str) -> list[CustomerRow]:
    """Rows whose name contains the words, or whose number contains the digits, typed (case and spacing ignored)."""
    words = query.casefold().split()
    digits = re.sub(r"\D", "", query)
    if not words:
        return rows

    def matches(row: CustomerRow) -> bool:
        name = row.name.casefold()
        if all(word in name for word in words):
            return True
        phone = re.sub(r"\D", "", row.phone or "")
        # a local number typed with its leading 0 (0812...) matches the E.164 digits (62812...)
        return len(digits) >= 3 and (digits in phone or digits.lstrip("0") in phone)

    return [row for row in rows if matches(row)]


# -- invoice filters --

INVOICE_STATUSES = ("overdue", "not_overdue", "held")


@dataclass(frozen=True, slots=True, kw_only=True)
class InvoiceFilter:
    status: str = ""
    reason: str = ""
    source: str = ""


def filter_invoices(
    org_id: str, rows: list[InvoiceRow], chosen: InvoiceFilter
) -> tuple[list[InvoiceRow], list[Money], dict[tuple[str, str], dt.datetime | None]]:
    """The rows the filters keep, their totals per currency, and the held ones' end ((connection, number) -> until)."""
    now = _lunas().clock.now()
    today = now.astimezone(ZoneInfo(_stores().organisations.settings(org_id).timezone)).date()
    holds = _stores().holds.invoice_pauses(org_id, now)
    numbers = {(v.connection_id, v.invoice_id): v.number for v in _stores().decisions.for_org(org_id)}
    held = {(c, numbers[(c, i)]): until for (c, i), (until, _) in holds.items() if (c, i) in numbers}

    def status_of(row: InvoiceRow) -> set[str]:
        found = {"overdue" if dt.date.fromisoformat(row.due_date) < today else "not_overdue"}
        return found | ({"held"} if (row.connection_id, row.number) in held else set())

    kept = [
        r
        for r in rows
        if (not chosen.status or chosen.status in status_of(r))
        and (not chosen.reason or r.reason == chosen.reason)
        and (not chosen.source or r.connection_id.split(":", 1)[0] == chosen.source)
    ]
    totals: dict[str, Decimal] = {}
    for row in kept:
        totals[row.currency] = totals.get(row.currency, Decimal(0)) + Decimal(row.amount_due)
    return kept, [Money(a, c) for c, a in sorted(totals.items())], held
