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
from chalicelib.domain.errors import LunasError
from chalicelib.domain.meta_errors import WhatsAppAlert
from chalicelib.domain.models import (
    Connection,
    ConnectionStatus,
    Consent,
    ConsentStatus,
    Customer,
    Money,
    Reason,
    ReminderSettings,
    SendWindow,
    Stage,
)
from chalicelib.domain.phones import normalise_phone
from chalicelib.domain.records import ConnectionHealth, WhatsAppSummary
from chalicelib.observability import logger
from chalicelib.services.reminders import CyclePreview, plan_for_connection


class InvalidInput(LunasError):
    """A form value the owner must correct; the message says which one.

    With a `key`, the page shows that i18n key (chalicelib/web/i18n.py) with `values`, in the owner's language.
    """

    def __init__(self, message: str, *, key: str = "", **values: object) -> None:
        super().__init__(message)
        self.key = key
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


def _stages(text: str) -> tuple[Stage, ...]:
    try:
        days = sorted({int(part) for part in re.split(r"[,\s]+", text.strip()) if part})
    except ValueError:
        raise InvalidInput("stages must be whole numbers of days, e.g. -3, 0, 3, 7") from None
    if not days or any(abs(d) > 365 for d in days):
        raise InvalidInput("give at least one stage, each within a year of the due date")
    return tuple(Stage(d) for d in days)


def _time(text: str, name: str) -> dt.time:
    """A wall-clock time in the organisation's zone: HH:MM only (no seconds, no UTC offset)."""
    match = re.fullmatch(r"([01][0-9]|2[0-3]):([0-5][0-9])", text.strip())
    if match is None:
        raise InvalidInput(f"{name} must be a time like 09:00")
    return dt.time(int(match.group(1)), int(match.group(2)))


def _minimums(text: str) -> tuple[Money, ...]:
    result = []
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) > MAX_MINIMUM_AMOUNTS:
        raise InvalidInput("too many minimum amounts", key="input_too_many_minimums", limit=MAX_MINIMUM_AMOUNTS)
    for part in parts:
        match = re.fullmatch(r"([A-Za-z]{3})\s*([0-9][0-9.]*)", part)
        if not match:
            raise InvalidInput(f"minimum amount {part!r} should look like IDR 50000")
        if len(match.group(2).split(".")[0]) > _AMOUNT_DIGITS or len(match.group(2)) > _AMOUNT_DIGITS + 5:
            raise InvalidInput("minimum amount too large", key="input_amount_too_large", currency=match.group(1))
        try:
            result.append(Money(Decimal(match.group(2)), match.group(1).upper()))
        except InvalidOperation:
            raise InvalidInput(f"minimum amount {part!r} is not a number") from None
    return tuple(result)


def parse_schedule(org_id: str, business_name: str, form: dict[str, list[str]]) -> ReminderSettings:
    """The schedule form -> ReminderSettings, or InvalidInput naming the first problem."""

    def one(name: str) -> str:
        return (form.get(name) or [""])[0]

    timezone = one("timezone").strip()
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"unknown time zone {timezone!r}; use a name like Asia/Jakarta") from None
    start, end = _time(one("window_start"), "send from"), _time(one("window_end"), "send until")
    if start >= end:
        raise InvalidInput("the send window must start before it ends")
    weekdays = frozenset(int(d) for d in form.get("weekdays", []) if d in _WEEKDAY_VALUES)
    if not weekdays:
        raise InvalidInput("pick at least one day")
    language = one("language")
    if language not in ("id", "en"):
        raise InvalidInput("message language must be Bahasa Indonesia or English")
    return ReminderSettings(
        org_id=org_id,
        business_name=business_name,
        timezone=timezone,
        language=language,
        stages=_stages(one("stages")),
        window=SendWindow(start=start, end=end, weekdays=weekdays),
        minimum_amounts=_minimums(one("minimum_amounts")),
    )


def _country(form: dict[str, list[str]], current: str) -> str:
    """The organisation's country from the form (ISO 3166 alpha-2); a form without the field keeps it."""
    from chalicelib.domain.countries import is_country

    values = form.get("country")
    if values is None:
        return current
    code = values[0].strip().upper()
    if not is_country(code):
        raise InvalidInput("choose the country from the list", key="input_country_invalid")
    return code


def save_schedule(org_id: str, form: dict[str, list[str]]) -> None:
    current = _stores().organisations.settings(org_id)
    settings = parse_schedule(org_id, current.business_name, form)
    country = _country(form, current.country)
    _stores().organisations.update_settings(
        ReminderSettings(
            org_id=settings.org_id,
            business_name=settings.business_name,
            country=country,
            timezone=settings.timezone,
            language=settings.language,
            stages=settings.stages,
            window=settings.window,
            minimum_amounts=settings.minimum_amounts,
        )
    )
    if country != current.country:
        _reread_phones_read_in(org_id)


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
        raise InvalidInput("the phone number ID is the number Meta shows in WhatsApp Manager (digits only)")
    if not _META_ID.fullmatch(waba):
        raise InvalidInput("the WhatsApp Business Account ID is digits only")
    if token and not _ACCESS_TOKEN.fullmatch(token):
        raise InvalidInput("not an access token", key="input_token_invalid")
    if not token:
        current = _stores().organisations.whatsapp_summary(org_id)
        if current.has_token and (current.phone_number_id, current.business_account_id) == (number, waba):
            return  # nothing changed: the stored token stays, and so does its check
        raise InvalidInput("a new number needs its access token", key="whatsapp_token_needed")
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
                )
            )
    return page


def record_consent(org_id: str, *, phone: str, status: str, source: str, evidence: str) -> str:
    """Record an opt-in (with its evidence) or an opt-out for a number; returns the E.164 number."""
    settings = _stores().organisations.settings(org_id)
    parsed = normalise_phone(phone, settings.country)
    if parsed.e164 is None:
        raise InvalidInput(parsed.detail or "not a mobile number")
    consent_status = ConsentStatus(status)
    evidence = evidence.strip()
    if consent_status is ConsentStatus.OPTED_IN and len(evidence) < 10:
        raise InvalidInput("evidence needed")
    _stores().consents.record(
        Consent(
            org_id=org_id,
            phone=parsed.e164,
            status=consent_status,
            source=source.strip()[:40] or "dashboard",
            evidence=evidence[:1000] or "opt-out recorded in the dashboard",
            captured_at=_lunas().clock.now(),
        )
    )
    return parsed.e164


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


def invoices(org_id: str) -> list[InvoiceRow]:
    stores = _stores()
    rows: dict[tuple[str, str], InvoiceRow] = {}
    for view in stores.decisions.for_org(org_id):
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
    return page


def would_not_send(page: PreviewPage) -> list[tuple[str, str, str, str]]:
    """(invoice number, customer, reason, detail) for every invoice the next cycle would not remind about."""
    rows = []
    for item in page.previews:
        for decision in item.plan.decisions:
            if decision.reason is not Reason.WOULD_SEND:
                inv = decision.invoice
                rows.append((inv.number, inv.customer_name, decision.reason.value, decision.detail))
    return rows


@dataclass(frozen=True, slots=True)
class RunNowResult:
    mode: str  # queue | inline
    connections: int
    summaries: tuple[str, ...] = ()


def run_now(org_id: str) -> RunNowResult:
    """Queue a cycle for each working connection (as the hourly fan-out does), or run them here in the sandbox."""
    from chalicelib.services.fanout import cycle_message

    connections = _active(org_id)
    lunas = _lunas()
    if lunas.settings.run_now_mode == "inline":
        from chalicelib.worker import run_connection_cycle

        summaries = tuple(run_connection_cycle(org_id, c.connection_id) for c in connections)
        return RunNowResult("inline", len(connections), summaries)
    now = lunas.clock.now().isoformat()
    lunas.reminder_queue.send([cycle_message(c, now) for c in connections])
    return RunNowResult("queue", len(connections))


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
