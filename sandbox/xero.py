"""A local fake of Xero (identity + Accounting API) that speaks Xero's real wire format.

It exists so the Xero adapter, the demo and the tests can run the real xero-python SDK end to end on 127.0.0.1:
rotating refresh tokens with the 30-minute grace period, expiring access tokens, per-tenant rate limits with
`Retry-After`, `/Date(ms+0000)/` dates and the paging envelope. Where the vendor doc and convenience disagree,
the doc wins (docs/accounting-fakes.md lists what it follows and what it leaves out).

Tokens belong to a Xero *user*, as at Xero (https://developer.xero.com/documentation/guides/oauth2/auth-flow/):
each user who consents has one token family for the app and a list of connected organisations (`GET /connections`,
one `id` per user and organisation). A later consent by the same user adds its organisations to that list and
issues tokens of the same family; any new token of the family (a consent or a refresh) supersedes the previous
refresh token, which stays usable for the grace period (30 minutes) after that. A refresh token unused for 60
days expires. Access tokens are JWTs (HS256, signed with the fake's own key) carrying `xero_userid`,
`authentication_event_id` (the consent), `sub`, `exp`, `scope`... `DELETE /connections/{id}` drops one
organisation; revoking a refresh token ends the family and drops every organisation the user connected.

Vendor routes
    POST /connect/token                      grant_type=refresh_token | authorization_code (form body; client
                                             credentials in the body or as Basic auth)
    POST /connect/revocation                 token=<refresh token>: ends the user's token family and drops every
                                             organisation the user connected
    GET  /connections[?authEventId=]         Bearer: the user's connections ({id, authEventId, tenantId, tenantType,
                                             tenantName, createdDateUtc, updatedDateUtc}); with authEventId only
                                             those (re)connected by that consent
    DELETE /connections/{id}                 Bearer: drops one of the user's organisations (204)
    GET  /api.xro/2.0/Invoices               Statuses, where, IDs, InvoiceNumbers, ContactIDs, page, pageSize,
                                             summaryOnly, header If-Modified-Since
    GET  /api.xro/2.0/Invoices/{id}/OnlineInvoice
    GET  /api.xro/2.0/Contacts               IDs, where, page, pageSize, includeArchived, If-Modified-Since
    GET  /api.xro/2.0/Organisation           the tenant's organisation: Name, CountryCode, BaseCurrency,
                                             Timezone (a Windows zone name, e.g. SEASIASTANDARDTIME), ShortCode...
    GET  /api.xro/2.0/InvoiceReminders/Settings  {"InvoiceReminders": [{"Enabled": bool}]}: whether Xero's own
                                             invoice reminders are on (off unless the admin API switched them on)

Admin API (JSON; each also a Python method of the same purpose):
    POST   /_sandbox/xero/tenants            seed(spec) -> {"tenantId", "tenantName", "contacts": {ref: ContactID},
                                             "invoices": {InvoiceNumber: InvoiceID}}. Seeding an existing
                                             tenantId adds to it. The spec:
        {"tenantId": "<uuid, optional>", "tenantName": "Toko Maju", "country": "ID", "currency": "IDR",
         "timezone": "<Xero's Timezone, optional: by country, e.g. AUSEASTERNSTANDARDTIME for AU>",
         "contacts": [{"contactId": "<optional>", "name": "Budi Santoso", "firstName": "", "lastName": "",
                       "email": "", "status": "ACTIVE", "isCustomer": true,
                       "phones": {"MOBILE": {"countryCode": "62", "areaCode": "812", "number": "3456 7890"},
                                  "DEFAULT": {"countryCode": "", "areaCode": "", "number": "021 555 0100"}}}],
         "invoices": [{"invoiceId": "<optional>", "number": "INV-0001", "contact": "<contactId or contact name>",
                       "type": "ACCREC", "status": "AUTHORISED", "date": "2026-11-01", "dueDate": "2026-11-15",
                       "currency": "IDR", "total": "1500000.00", "totalTax": "0", "amountPaid": "0",
                       "amountDue": "<optional, default total - amountPaid>", "reference": "",
                       "updatedAt": "<ISO instant, optional, default now>"}]}
        Phone slot keys: DEFAULT, DDI, MOBILE, FAX; a slot may also be a bare string (goes into PhoneNumber).
        `count` on an invoice (optional int) repeats it with numbers INV-0001-1 ... for volume tests.
    GET    /_sandbox/xero/tenants/{tenantId}           the tenant's contacts and invoices, in wire format
    POST   /_sandbox/xero/tenants/{tenantId}/tokens    {"scope"?: "...", "user"?: "<e-mail>"} -> the /connect/token
                                                       answer plus "tenantId", "connectionId", "authEventId",
                                                       "xeroUserId": a user (a new one unless named) who consented
                                                       to this tenant                           issue_tokens()
    POST   /_sandbox/xero/tenants/{tenantId}/disconnect  the organisation removed the app: every user's connection
                                                       to it goes; a user left with none loses the token family
                                                       (refresh -> invalid_grant)                disconnect()
    POST   /_sandbox/xero/authorization-codes          {"tenantIds": [...], "redirectUri": "...", "user"?: "<e-mail>"}
                                                       -> {"code"}: that user consented to those organisations
    POST   /_sandbox/xero/invoices/{id}/pay            {"paidOn"?: "2026-11-20"} -> the invoice
    POST   /_sandbox/xero/tenants/{tenantId}/invoice-reminders  {"enabled": true|false}: the organisation switched
                                                       Xero's own invoice reminders on or off  set_invoice_reminders()
    POST   /_sandbox/xero/invoices/{id}/void           -> the invoice
    PATCH  /_sandbox/xero/invoices/{id}                {"dueDate"?, "amountDue"?, "status"?, "touch"?: true}
    PUT    /_sandbox/xero/limits                       {"perMinute"?, "concurrent"?, "perDay"?, "appPerMinute"?,
                                                        "accessTokenSeconds"?, "refreshGraceSeconds"?,
                                                        "refreshTokenSeconds"? (unused refresh token life: 60 days),
                                                        "resetCounters"?: false} -> the limits now
    POST   /_sandbox/xero/triggers                     {"after_path": "^/api.xro/2.0/Invoices$", "after_count": 1,
                                                        "action": "pay" | "void", "invoice_id": "..."} (fires once)
    DELETE /_sandbox/xero/triggers
    POST   /_sandbox/xero/clock                        {"advanceSeconds": 1860} moves the fake's clock forward
    POST   /_sandbox/xero/webhook                      {"url", "key", "autoDeliver"?: true}   configure_webhook()
    POST   /_sandbox/xero/webhook/flush                deliver pending change events now     flush_webhooks()

Webhooks: once `configure_webhook` is set, every invoice change made through the admin HTTP API above (pay, void,
PATCH) queues an INVOICE UPDATE event, and `notify_invoice_changed()` queues one from Python. Events are posted in
Xero's thin shape (`{"events": [...], "firstEventSequence", "lastEventSequence", "entropy"}`) with `x-xero-signature`
= base64(HMAC-SHA256(webhook key, raw body)), from a background thread (or at once with `flush_webhooks()`);
`send_intent_to_receive()` posts the intent-to-receive check, correctly or incorrectly signed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import math
import re
import secrets
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar
from xml.etree import ElementTree

from sandbox.accounting_fake import (
    AccessToken,
    AccountingFake,
    NotFound,
    OAuthError,
    RefreshToken,
    SeedError,
    SlidingWindow,
    TokenAuthority,
    by_id_or_name,
    form_fields,
    hmac_signature,
    iso_date,
    json_response,
    money,
    per_minute,
    repeated,
)
from sandbox.clock import SandboxClock
from sandbox.fakehttp import Request, Response

DEFAULT_CLIENT_ID = "lunas-xero-client-id"
DEFAULT_CLIENT_SECRET = "lunas-xero-client-secret"
DEFAULT_SCOPE = "offline_access accounting.invoices.read accounting.contacts.read"

_API = "/api.xro/2.0"
_PHONE_SLOTS = ("DDI", "DEFAULT", "FAX", "MOBILE")  # the order Xero lists them in
_INVOICE_STATUSES = frozenset({"DRAFT", "SUBMITTED", "DELETED", "AUTHORISED", "PAID", "VOIDED"})
_DAY_SECONDS = 86_400
_JSON = "application/json; charset=utf-8"


# -- wire helpers -----------------------------------------------------------------------------------------------


def ms_date(day: dt.date) -> str:
    """Xero's calendar date: midnight UTC in milliseconds, `/Date(1546128000000+0000)/`."""
    return f"/Date({calendar.timegm(day.timetuple()) * 1000}+0000)/"


def ms_instant(instant: float, *, offset: bool = True) -> str:
    return f"/Date({int(instant * 1000)}{'+0000' if offset else ''})/"


def _json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """JSON with Decimals written exactly (`1500000.00`, as Xero does), not through float."""
    return json_response(body, status, headers, content_type=_JSON)


def _problem(status: int, title: str, detail: str) -> Response:
    """The RFC 7807-style body Xero's gateway answers 401/403 with."""
    body = {"Type": None, "Title": title, "Status": status, "Detail": detail, "Instance": str(uuid.uuid4())}
    return _json_response({**body, "Extensions": {}}, status)


def _validation_error(message: str, *, error_type: str = "ValidationException", number: int = 10) -> Response:
    body: dict[str, Any] = {"ErrorNumber": number, "Type": error_type, "Message": message}
    if error_type == "ValidationException":
        body["Elements"] = [{"ValidationErrors": [{"Message": message}]}]
    return _json_response(body, 400)


def xero_signature(key: str, body: bytes) -> str:
    """`x-xero-signature`: base64(HMAC-SHA256(webhook key, raw body))."""
    return hmac_signature(key, body)


def _to_xml(tag: str, value: Any) -> ElementTree.Element:
    element = ElementTree.Element(tag)
    if isinstance(value, dict):
        for key, item in value.items():
            element.append(_to_xml(key, item))
    elif isinstance(value, list):
        child_tag = tag[:-1] if tag.endswith("s") else "Item"
        for item in value:
            element.append(_to_xml(child_tag, item))
    elif value is not None:
        element.text = str(value).lower() if isinstance(value, bool) else str(value)
    return element


def _iso_instant(value: str) -> float:
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)  # Xero reads If-Modified-Since as UTC
    return parsed.timestamp()


def _parse_if_modified_since(value: str) -> float:
    try:
        return _iso_instant(value.strip())
    except ValueError:
        return parsedate_to_datetime(value).timestamp()  # RFC 1123 form, as browsers send it


# -- state ------------------------------------------------------------------------------------------------------


@dataclass
class _Contact:
    contact_id: str
    name: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    status: str = "ACTIVE"
    is_customer: bool = True
    phones: dict[str, dict[str, str]] = field(default_factory=dict)
    updated: float = 0.0

    def wire(self) -> dict[str, Any]:
        phones = []
        for slot in _PHONE_SLOTS:
            parts = self.phones.get(slot, {})
            phones.append(
                {
                    "PhoneType": slot,
                    "PhoneNumber": parts.get("number", ""),
                    "PhoneAreaCode": parts.get("areaCode", ""),
                    "PhoneCountryCode": parts.get("countryCode", ""),
                }
            )
        return {
            "ContactID": self.contact_id,
            "ContactStatus": self.status,
            "Name": self.name,
            "FirstName": self.first_name,
            "LastName": self.last_name,
            "EmailAddress": self.email,
            "BankAccountDetails": "",
            # Xero lists both address slots with their (empty) fields, as in its GET /Contacts example
            "Addresses": [
                {"AddressType": kind, "City": "", "Region": "", "PostalCode": "", "Country": ""}
                for kind in ("STREET", "POBOX")
            ],
            "Phones": phones,
            "UpdatedDateUTC": ms_instant(self.updated),
            "ContactGroups": [],
            "IsSupplier": False,
            "IsCustomer": self.is_customer,
            "SalesTrackingCategories": [],
            "PurchasesTrackingCategories": [],
            "ContactPersons": [],
            "HasAttachments": False,
            "HasValidationErrors": False,
        }


@dataclass
class _Invoice:
    invoice_id: str
    number: str
    contact: _Contact
    type: str
    status: str
    date: dt.date
    due_date: dt.date
    currency: str
    total: Decimal
    total_tax: Decimal
    amount_paid: Decimal
    amount_due: Decimal
    reference: str
    updated: float
    fully_paid_on: dt.date | None = None
    online_url: str = ""

    def wire(self, *, summary: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {
            "Type": self.type,
            "InvoiceID": self.invoice_id,
            "InvoiceNumber": self.number,
            "Reference": self.reference,
            "Payments": [],
            "CreditNotes": [],
            "Prepayments": [],
            "Overpayments": [],
            "AmountDue": self.amount_due,
            "AmountPaid": self.amount_paid,
            "AmountCredited": Decimal("0.00"),
            "CurrencyRate": Decimal("1.000000"),
            "IsDiscounted": False,
            "HasAttachments": False,
            "HasErrors": False,
            "Contact": {
                "ContactID": self.contact.contact_id,
                "Name": self.contact.name,
                "Addresses": [],
                "Phones": [],
                "ContactGroups": [],
                "ContactPersons": [],
                "HasValidationErrors": False,
            },
            "DateString": f"{self.date.isoformat()}T00:00:00",
            "Date": ms_date(self.date),
            "DueDateString": f"{self.due_date.isoformat()}T00:00:00",
            "DueDate": ms_date(self.due_date),
            "Status": self.status,
            "LineAmountTypes": "Exclusive",
            "SubTotal": self.total - self.total_tax,
            "TotalTax": self.total_tax,
            "Total": self.total,
            "UpdatedDateUTC": ms_instant(self.updated),
            "CurrencyCode": self.currency,
        }
        if self.fully_paid_on is not None:
            body["FullyPaidOnDate"] = ms_date(self.fully_paid_on)
        if summary:
            for key in ("Payments", "CreditNotes", "Prepayments", "Overpayments"):
                del body[key]
        else:
            body["LineItems"] = [
                {
                    "Description": f"Invoice {self.number}",
                    "Quantity": Decimal("1.0000"),
                    "UnitAmount": self.total - self.total_tax,
                    "TaxAmount": self.total_tax,
                    "LineAmount": self.total - self.total_tax,
                    "AccountCode": "200",
                    "LineItemID": str(uuid.uuid5(uuid.NAMESPACE_URL, self.invoice_id)),
                }
            ]
        return body


@dataclass
class _Usage:
    """One tenant's (or the app's) call counters."""

    minute: SlidingWindow = field(default_factory=per_minute)
    day_start: float | None = None
    day_count: int = 0
    in_flight: int = 0


@dataclass
class _Tenant:
    tenant_id: str
    name: str
    country: str
    currency: str
    created: float
    contacts: dict[str, _Contact] = field(default_factory=dict)
    invoices: dict[str, _Invoice] = field(default_factory=dict)
    usage: _Usage = field(default_factory=_Usage)
    timezone: str = "SEASIASTANDARDTIME"
    short_code: str = field(default_factory=lambda: "!" + secrets.token_urlsafe(4)[:5])
    invoice_reminders: bool = False  # Xero's own payment reminders (Business settings -> Invoice reminders)

    def organisation(self) -> dict[str, Any]:
        """`GET /Organisation`'s organisation, in the shape of Xero's documented example (fields Lunas does not
        read keep plausible values). https://developer.xero.com/documentation/api/accounting/organisation"""
        return {
            "APIKey": self.tenant_id.replace("-", "")[:30].upper(),
            "Name": self.name,
            "LegalName": self.name,
            "PaysTax": True,
            "Version": _XERO_VERSIONS.get(self.country, "GLOBAL"),
            "OrganisationType": "COMPANY",
            "BaseCurrency": self.currency,
            "CountryCode": self.country,
            "IsDemoCompany": False,
            "OrganisationStatus": "ACTIVE",
            "FinancialYearEndDay": 31,
            "FinancialYearEndMonth": 12,
            "SalesTaxBasis": "ACCRUALS",
            "SalesTaxPeriod": "MONTHLY",
            "DefaultSalesTax": "Tax Exclusive",
            "DefaultPurchasesTax": "Tax Exclusive",
            "CreatedDateUTC": ms_instant(self.created, offset=False),
            "OrganisationEntityType": "COMPANY",
            "Timezone": self.timezone,
            "ShortCode": self.short_code,
            "OrganisationID": self.tenant_id,
            "Edition": "BUSINESS",
            "Class": "STANDARD",
            "Addresses": [],
            "Phones": [],
            "ExternalLinks": [],
            "PaymentTerms": {},
        }


# Xero's `Version` of an organisation's country edition, and a usual `Timezone` per country (Windows zone names,
# upper case, no spaces, as Xero writes them); other countries get GLOBAL and SE Asia time.
_XERO_VERSIONS = {"AU": "AU", "NZ": "NZ", "GB": "UK", "US": "US"}
_XERO_TIMEZONES = {
    "ID": "SEASIASTANDARDTIME",
    "AU": "AUSEASTERNSTANDARDTIME",
    "NZ": "NEWZEALANDSTANDARDTIME",
    "GB": "GMTSTANDARDTIME",
    "US": "PACIFICSTANDARDTIME",
    "SG": "SINGAPORESTANDARDTIME",
    "MY": "SINGAPORESTANDARDTIME",
}


@dataclass
class _XeroConnection:
    """One organisation a user connected to the app: a row of that user's `GET /connections`."""

    connection_id: str  # `id`: what `DELETE /connections/{id}` takes
    tenant_id: str
    auth_event_id: str  # the consent that last connected it
    created: float
    updated: float

    def wire(self, tenant: _Tenant) -> dict[str, Any]:
        """The documented Connection (xero-identity.yaml): {id, authEventId, tenantId, tenantType, tenantName,
        createdDateUtc, updatedDateUtc}."""
        return {
            "id": self.connection_id,
            "authEventId": self.auth_event_id,
            "tenantId": self.tenant_id,
            "tenantType": "ORGANISATION",
            "tenantName": tenant.name,
            "createdDateUtc": _utc_text(self.created),
            "updatedDateUtc": _utc_text(self.updated),
        }


@dataclass
class _User:
    """A Xero user who consented to the app: one token family, and the organisations the user connected."""

    user_id: str  # the access token's `xero_userid`
    email: str
    sub: str = field(default_factory=lambda: uuid.uuid4().hex)
    session_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    connections: dict[str, _XeroConnection] = field(default_factory=dict)  # by tenant id
    # Once connected, an organisation keeps its connection id and creation date for this user, even after a
    # disconnect ("updatedDateUtc ... may differ to the created date if the user has disconnected and subsequently
    # reconnected this tenant": the Connection schema).
    known: dict[str, tuple[str, float]] = field(default_factory=dict)
    family: _Grant | None = None


@dataclass
class _Grant:
    """One user's token family: every token issued to the user, by consents and refreshes, until it is revoked."""

    user: _User
    scope: str
    auth_event_id: str  # the consent the family's newest tokens come from
    auth_time: float
    revoked: bool = False
    current_refresh: str = ""  # the newest refresh token; the one before it was superseded when it was issued

    @property
    def tenant_ids(self) -> frozenset[str]:
        """The organisations the family's tokens may read: the user's connections, now."""
        return frozenset() if self.revoked else frozenset(self.user.connections)


def _utc_text(instant: float) -> str:
    """`2019-07-09T23:40:30.1833130`: the Connection schema's date-time, UTC, seven fraction digits."""
    return dt.datetime.fromtimestamp(instant, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f0")


@dataclass(frozen=True)
class Limits:
    per_minute: int = 60
    concurrent: int = 5
    per_day: int = 5000
    app_per_minute: int = 10_000
    access_token_seconds: int = 1800
    refresh_grace_seconds: int = 1800
    refresh_token_seconds: int = 60 * _DAY_SECONDS  # a refresh token unused this long expires


class _XeroTokens(TokenAuthority[_Grant]):
    """The shared token rules, as Xero applies them to a user's token family.

    - Access tokens are JWTs (HS256 with the fake's key) with Xero's claims; the fake still looks them up itself.
    - A new token of the family (a consent's or a refresh's) supersedes the family's previous refresh token, which
      then stays usable for the grace period: several copies of one user's tokens invalidate each other.
    - A refresh token unused for `refresh_token_seconds` (60 days) is refused with `invalid_grant`.
    - An authorisation code carries its consent's authentication event into the tokens it is exchanged for.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float],
        limits: Callable[[], Limits],
        client_id: str,
    ) -> None:
        super().__init__(clock=clock, lifetimes=limits, prefix="xero")
        self._limits = limits
        self._client_id = client_id
        self._key = secrets.token_bytes(32)
        self._kid = secrets.token_hex(8)
        self.issued_at: dict[str, float] = {}  # refresh token -> when it was issued
        self.code_events: dict[str, str] = {}  # authorisation code -> its consent's authentication event

    def issue(self, grant: _Grant) -> tuple[str, str]:
        now = self._clock()
        previous = self.refresh.get(grant.current_refresh)
        if previous is not None and previous.rotated_at is None:
            previous.rotated_at = now  # superseded: usable for the grace period from now on
        expires = now + self._limits().access_token_seconds
        access = self._jwt(grant, now, expires)
        refresh = "xero-rt-" + secrets.token_urlsafe(24)
        self.access[access] = AccessToken(grant, expires)
        self.refresh[refresh] = RefreshToken(grant)
        self.issued_at[refresh] = now
        grant.current_refresh = refresh
        return access, refresh

    def _jwt(self, grant: _Grant, now: float, expires: float) -> str:
        import jwt

        claims = {
            "nbf": int(now),
            "exp": int(expires),
            "iss": "https://identity.xero.com",
            "aud": "https://identity.xero.com/resources",
            "client_id": self._client_id,
            "sub": grant.user.sub,
            "auth_time": int(grant.auth_time),
            "xero_userid": grant.user.user_id,
            "global_session_id": grant.user.session_id,
            "jti": secrets.token_hex(16),
            "authentication_event_id": grant.auth_event_id,
            "scope": grant.scope.split(),
        }
        return jwt.encode(claims, self._key, algorithm="HS256", headers={"kid": self._kid})

    def new_code(self, grant: _Grant, redirect_uri: str) -> str:
        code = super().new_code(grant, redirect_uri)
        self.code_events[code] = grant.auth_event_id
        return code

    def redeem_code(self, code: str, redirect_uri: str | None) -> _Grant:
        event = self.code_events.pop(code, "")
        grant = super().redeem_code(code, redirect_uri)
        if grant.revoked:
            raise OAuthError("invalid_grant")
        grant.auth_event_id = event or grant.auth_event_id
        return grant

    def rotate(self, token: str, vet: Callable[[_Grant], str | None] = lambda _: None) -> _Grant:
        issued = self.issued_at.get(token)
        if issued is not None and self._clock() > issued + self._limits().refresh_token_seconds:
            raise OAuthError("invalid_grant")  # unused for 60 days
        return super().rotate(token, vet)

    def revoke(self, token: str, *, access_too: bool = False) -> None:
        """Revoking any refresh token of a family ends the family and drops all the user's connections."""
        entry: AccessToken[_Grant] | RefreshToken[_Grant] | None = self.refresh.get(token)
        if entry is None and access_too:
            entry = self.access.get(token)
        if entry is not None:
            end_family(entry.grant)


def end_family(grant: _Grant) -> None:
    """The family's tokens stop working and the user's organisations are no longer connected to the app."""
    grant.revoked = True
    if grant.user.family is grant:
        grant.user.family = None
        grant.user.connections.clear()


# -- where filter -----------------------------------------------------------------------------------------------

_CLAUSE = re.compile(r"^\s*([A-Za-z.]+)\s*(==|!=|>=|<=|>|<)\s*(.+?)\s*$")
_DATETIME_LITERAL = re.compile(r"^DateTime\(\s*(\d{4})\s*,\s*(\d{1,2})\s*,\s*(\d{1,2})\s*\)$")
_STRING_LITERAL = re.compile(r'^"([^"]*)"$')
_GUID_LITERAL = re.compile(r'^Guid\(\s*"([^"]*)"\s*\)$')
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
}

Predicate = Callable[[Any], bool]


def _literal(text: str) -> Any:
    if match := _STRING_LITERAL.match(text):
        return match.group(1)
    if match := _GUID_LITERAL.match(text):
        return match.group(1).lower()
    if match := _DATETIME_LITERAL.match(text):
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    if text in ("true", "false"):
        return text == "true"
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise SeedError(f"cannot read the value {text!r}") from exc


def parse_where(where: str, fields: dict[str, Callable[[Any], Any]]) -> list[Predicate]:
    """`Type=="ACCREC" AND AmountDue>0` -> predicates. Raises SeedError for anything else (OR, brackets...)."""
    predicates: list[Predicate] = []
    for clause in re.split(r"\s+AND\s+", where.strip(), flags=re.IGNORECASE):
        match = _CLAUSE.match(clause)
        if not match:
            raise SeedError(f"cannot parse the clause {clause!r}")
        name, op, raw = match.groups()
        getter = fields.get(name.lower())
        if getter is None:
            raise SeedError(f"No property or field '{name}' exists")
        value = _literal(raw)
        if isinstance(value, str | bool) and op not in ("==", "!="):
            raise SeedError(f"operator {op} does not apply to {name}")
        predicates.append(_predicate(getter, _OPS[op], value))
    return predicates


def _predicate(getter: Callable[[Any], Any], op: Callable[[Any, Any], bool], value: Any) -> Predicate:
    def test(record: Any) -> bool:
        actual = getter(record)
        if isinstance(value, str) and isinstance(actual, str):
            return op(actual.lower(), value.lower())
        try:
            return op(actual, value)
        except TypeError:
            return False

    return test


_INVOICE_FIELDS: dict[str, Callable[[Any], Any]] = {
    "type": lambda i: i.type,
    "status": lambda i: i.status,
    "amountdue": lambda i: i.amount_due,
    "amountpaid": lambda i: i.amount_paid,
    "total": lambda i: i.total,
    "invoicenumber": lambda i: i.number,
    "reference": lambda i: i.reference,
    "date": lambda i: i.date,
    "duedate": lambda i: i.due_date,
    "currencycode": lambda i: i.currency,
    "contact.contactid": lambda i: i.contact.contact_id,
    "contact.name": lambda i: i.contact.name,
    "invoiceid": lambda i: i.invoice_id,
}

_CONTACT_FIELDS: dict[str, Callable[[Any], Any]] = {
    "name": lambda c: c.name,
    "contactstatus": lambda c: c.status,
    "iscustomer": lambda c: c.is_customer,
    "emailaddress": lambda c: c.email,
    "contactid": lambda c: c.contact_id,
}


# -- the server -------------------------------------------------------------------------------------------------


class FakeXero(AccountingFake[Limits, _Grant]):
    """Xero identity + Accounting API, in memory, thread-safe. Start with `start()`; seed with `seed()`."""

    name = "fake-xero"
    json_content_type = _JSON
    token_prefix = "xero"
    client_secret_in_body = True
    signature_header = "x-xero-signature"
    limit_names: ClassVar[dict[str, str]] = {
        "perMinute": "per_minute",
        "concurrent": "concurrent",
        "perDay": "per_day",
        "appPerMinute": "app_per_minute",
        "accessTokenSeconds": "access_token_seconds",
        "refreshGraceSeconds": "refresh_grace_seconds",
        "refreshTokenSeconds": "refresh_token_seconds",
    }

    def __init__(
        self,
        *,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        limits: Limits | None = None,
        clock: SandboxClock | None = None,
    ) -> None:
        super().__init__(clock=clock, client_id=client_id, client_secret=client_secret, limits=limits or Limits())
        self._xero_tokens = _XeroTokens(clock=self.now, limits=lambda: self.limits, client_id=client_id)
        self._tokens = self._xero_tokens
        self._users: dict[str, _User] = {}  # by e-mail, lower case
        self._tenants: dict[str, _Tenant] = {}
        self._trigger_actions = {"pay": self.pay, "void": self.void}
        self._app_usage = _Usage()
        self._webhook_sequence = 0  # _webhook_lock keeps the sequence numbers in order
        self._register_routes()

    def _register_routes(self) -> None:
        admin = "^/_sandbox/xero"
        self.route("POST", r"^/connect/token$", self._token)
        self.route("POST", r"^/connect/revocation$", self._revocation)
        self.route("GET", r"(?i)^/connections$", self._connections)  # the SDK asks for /Connections
        self.route("DELETE", r"(?i)^/connections/(?P<id>[^/]+)$", self._delete_connection)
        self.route("GET", rf"^{_API}/Invoices$", self._get_invoices)
        self.route("GET", rf"^{_API}/Invoices/(?P<id>[^/]+)/OnlineInvoice$", self._get_online_invoice)
        self.route("GET", rf"^{_API}/Contacts$", self._get_contacts)
        self.route("GET", rf"^{_API}/Organisation$", self._get_organisation)
        self.route("GET", rf"^{_API}/InvoiceReminders/Settings$", self._get_invoice_reminders)
        self.route("POST", rf"{admin}/tenants/(?P<id>[^/]+)/invoice-reminders$", self._admin_invoice_reminders)
        self.route("POST", rf"{admin}/tenants$", self._admin_seed)
        self.route("GET", rf"{admin}/tenants/(?P<id>[^/]+)$", self._admin_tenant)
        self.route("POST", rf"{admin}/tenants/(?P<id>[^/]+)/tokens$", self._admin_tokens)
        self.route("POST", rf"{admin}/tenants/(?P<id>[^/]+)/disconnect$", self._admin_disconnect)
        self.route("POST", rf"{admin}/authorization-codes$", self._admin_code)
        self.route("POST", rf"{admin}/invoices/(?P<id>[^/]+)/pay$", self._admin_pay)
        self.route("POST", rf"{admin}/invoices/(?P<id>[^/]+)/void$", self._admin_void)
        self.route("PATCH", rf"{admin}/invoices/(?P<id>[^/]+)$", self._admin_patch)
        self.route("POST", rf"{admin}/webhook$", self._admin_webhook)
        self._register_shared_admin(admin)

    # -- Python admin API -----------------------------------------------------------------------------------------

    def seed(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Create (or add to) a tenant from the module docstring's seed shape."""
        with self._state:
            tenant = self._tenant_for_seed(spec)
            contact_ids = {}
            for item in spec.get("contacts") or []:
                contact = self._seed_contact(tenant, item)
                contact_ids[str(item.get("contactId") or item["name"])] = contact.contact_id
            invoice_ids = {}
            for item in spec.get("invoices") or []:
                for invoice in self._seed_invoices(tenant, item):
                    invoice_ids[invoice.number] = invoice.invoice_id
            return {
                "tenantId": tenant.tenant_id,
                "tenantName": tenant.name,
                "contacts": contact_ids,
                "invoices": invoice_ids,
            }

    def issue_tokens(
        self, tenant_ids: Iterable[str], scope: str = DEFAULT_SCOPE, *, user: str | None = None
    ) -> dict[str, Any]:
        """A fresh token set, as if a user had just consented to these tenants in the browser and the code had been
        exchanged: a new user unless `user` (an e-mail) names one, whose family the tokens then join."""
        with self._state:
            grant = self._consent(tenant_ids, user, scope)
            return self._token_set(grant)

    def issue_authorization_code(
        self, tenant_ids: Iterable[str], redirect_uri: str = "", *, user: str | None = None, scope: str = DEFAULT_SCOPE
    ) -> str:
        """The user (a new one unless named) consented to these tenants: they are connected now; the code is
        exchanged for tokens of the user's family."""
        with self._state:
            return self._tokens.new_code(self._consent(tenant_ids, user, scope), redirect_uri)

    def disconnect(self, tenant_id: str) -> None:
        """The organisation removed the app (Xero's connected-apps settings): every user's connection to it goes,
        and a user left with no organisation loses the token family (the next refresh is `invalid_grant`)."""
        with self._state:
            for person in self._users.values():
                dropped = person.connections.pop(tenant_id, None) is not None
                if dropped and not person.connections and person.family is not None:
                    end_family(person.family)

    def set_invoice_reminders(self, tenant_id: str, enabled: bool) -> None:
        """The organisation switched Xero's own invoice reminders on or off (Business settings -> Invoice reminders)."""
        with self._state:
            self._tenants[tenant_id].invoice_reminders = enabled

    def connections_of(self, user: str) -> list[dict[str, Any]]:
        """The user's `GET /connections` rows (an admin view: no token needed)."""
        with self._state:
            person = self._users.get(user.lower())
            return self._connection_rows(person, "") if person else []

    def pay(self, invoice_id: str, paid_on: dt.date | None = None) -> dict[str, Any]:
        with self._state:
            invoice = self._invoice(invoice_id)
            invoice.status = "PAID"
            invoice.amount_paid = invoice.total
            invoice.amount_due = Decimal("0.00")
            invoice.fully_paid_on = paid_on or dt.datetime.fromtimestamp(self.now(), dt.UTC).date()
            invoice.updated = self.now()
            return invoice.wire()

    def void(self, invoice_id: str) -> dict[str, Any]:
        with self._state:
            invoice = self._invoice(invoice_id)
            invoice.status = "VOIDED"
            invoice.amount_due = Decimal("0.00")
            invoice.updated = self.now()
            return invoice.wire()

    def patch_invoice(self, invoice_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Change DueDate / AmountDue / Status. `touch: false` leaves UpdatedDateUTC alone (Xero does that too)."""
        with self._state:
            invoice = self._invoice(invoice_id)
            if "dueDate" in changes:
                invoice.due_date = iso_date(changes["dueDate"], "dueDate")
            if "amountDue" in changes:
                invoice.amount_due = money(changes["amountDue"], "amountDue")
                invoice.amount_paid = invoice.total - invoice.amount_due
            if "status" in changes:
                invoice.status = self._status(changes["status"])
            if changes.get("touch", True):
                invoice.updated = self.now()
            return invoice.wire()

    def reset_counters(self) -> None:
        with self._state:
            for tenant in self._tenants.values():
                tenant.usage = _Usage(in_flight=tenant.usage.in_flight)
            self._app_usage = _Usage(in_flight=self._app_usage.in_flight)

    def add_trigger(self, after_path: str, after_count: int, action: str, invoice_id: str) -> None:
        """After the `after_count`-th successful request whose path matches, pay/void the invoice (once)."""
        self._add_trigger(after_path, after_count, action, (invoice_id,), lambda: self._invoice(invoice_id))

    def tenant_state(self, tenant_id: str) -> dict[str, Any]:
        with self._state:
            tenant = self._tenant(tenant_id)
            return {
                "tenantId": tenant.tenant_id,
                "tenantName": tenant.name,
                "contacts": [c.wire() for c in tenant.contacts.values()],
                "invoices": [i.wire() for i in tenant.invoices.values()],
            }

    # -- seeding internals ----------------------------------------------------------------------------------------

    def _tenant_for_seed(self, spec: dict[str, Any]) -> _Tenant:
        tenant_id = str(spec.get("tenantId") or uuid.uuid4())
        if tenant_id in self._tenants:
            return self._tenants[tenant_id]
        country = str(spec.get("country") or "ID").upper()
        tenant = _Tenant(
            tenant_id=tenant_id,
            name=str(spec.get("tenantName") or "Demo Company"),
            country=country,
            currency=str(spec.get("currency") or "IDR").upper(),
            created=self.now(),
            timezone=str(spec.get("timezone") or _XERO_TIMEZONES.get(country, "SEASIASTANDARDTIME")).upper(),
        )
        self._tenants[tenant_id] = tenant
        return tenant

    def _seed_contact(self, tenant: _Tenant, item: dict[str, Any]) -> _Contact:
        phones: dict[str, dict[str, str]] = {}
        for slot, parts in (item.get("phones") or {}).items():
            if slot.upper() not in _PHONE_SLOTS:
                raise SeedError(f"unknown phone slot {slot!r}; use one of {_PHONE_SLOTS}")
            pieces = {"number": parts} if isinstance(parts, str) else parts
            phones[slot.upper()] = {k: str(pieces.get(k) or "") for k in ("countryCode", "areaCode", "number")}
        contact = _Contact(
            contact_id=str(item.get("contactId") or uuid.uuid4()),
            name=str(item["name"]),
            first_name=str(item.get("firstName") or ""),
            last_name=str(item.get("lastName") or ""),
            email=str(item.get("email") or ""),
            status=str(item.get("status") or "ACTIVE"),
            is_customer=bool(item.get("isCustomer", True)),
            phones=phones,
            updated=self.now(),
        )
        tenant.contacts[contact.contact_id] = contact
        return contact

    def _seed_invoices(self, tenant: _Tenant, item: dict[str, Any]) -> list[_Invoice]:
        return [self._seed_invoice(tenant, item, n, i) for n, i in repeated(item, "number", "invoiceId")]

    def _seed_invoice(self, tenant: _Tenant, item: dict[str, Any], number: str, invoice_id: Any) -> _Invoice:
        total = money(item["total"], "total")
        paid = money(item.get("amountPaid", "0"), "amountPaid")
        status = self._status(item.get("status", "AUTHORISED"))
        due = money(item["amountDue"], "amountDue") if "amountDue" in item else total - paid
        updated = _iso_instant(str(item["updatedAt"])) if item.get("updatedAt") else self.now()
        invoice = _Invoice(
            invoice_id=str(invoice_id or uuid.uuid4()),
            number=number,
            contact=self._contact_ref(tenant, str(item["contact"])),
            type=str(item.get("type") or "ACCREC"),
            status=status,
            date=iso_date(item.get("date") or item["dueDate"], "date"),
            due_date=iso_date(item["dueDate"], "dueDate"),
            currency=str(item.get("currency") or tenant.currency),
            total=total,
            total_tax=money(item.get("totalTax", "0"), "totalTax"),
            amount_paid=paid,
            amount_due=Decimal("0.00") if status in ("PAID", "VOIDED", "DELETED") else due,
            reference=str(item.get("reference") or ""),
            updated=updated,
            online_url="https://in.xero.com/" + secrets.token_urlsafe(30),
        )
        if status == "PAID":
            invoice.amount_paid, invoice.fully_paid_on = total, invoice.due_date
        tenant.invoices[invoice.invoice_id] = invoice
        return invoice

    @staticmethod
    def _contact_ref(tenant: _Tenant, ref: str) -> _Contact:
        return by_id_or_name(tenant.contacts, ref, lambda contact: contact.name, "contact")

    @staticmethod
    def _status(value: Any) -> str:
        status = str(value).upper()
        if status not in _INVOICE_STATUSES:
            raise SeedError(f"unknown invoice status {value!r}")
        return status

    def _tenant(self, tenant_id: str) -> _Tenant:
        tenant = self._tenants.get(tenant_id)
        if tenant is None:
            raise NotFound(f"unknown tenant {tenant_id}")
        return tenant

    def _invoice(self, invoice_id: str) -> _Invoice:
        for tenant in self._tenants.values():
            invoice = tenant.invoices.get(invoice_id)
            if invoice is not None:
                return invoice
        raise NotFound(f"unknown invoice {invoice_id}")

    # -- users, consents and tokens --------------------------------------------------------------------------------

    def _consent(self, tenant_ids: Iterable[str], user: str | None, scope: str) -> _Grant:
        """`user` (an e-mail; a new user when None) allowed the app these organisations: they join the user's
        connections (a known one keeps its id, with this consent's authEventId), in the user's token family."""
        ids = list(dict.fromkeys(tenant_ids))
        for tenant_id in ids:
            self._tenant(tenant_id)
        email = (user or f"xero-user-{uuid.uuid4().hex[:10]}@example.com").lower()
        person = self._users.setdefault(email, _User(user_id=str(uuid.uuid4()), email=email))
        event, now = str(uuid.uuid4()), self.now()
        if person.family is None or person.family.revoked:
            person.family = _Grant(user=person, scope=scope, auth_event_id=event, auth_time=now)
        family = person.family
        family.scope, family.auth_event_id, family.auth_time = scope, event, now
        for tenant_id in ids:
            connection_id, created = person.known.setdefault(tenant_id, (str(uuid.uuid4()), now))
            person.connections[tenant_id] = _XeroConnection(connection_id, tenant_id, event, created, now)
        return family

    def _connection_rows(self, person: _User, auth_event_id: str) -> list[dict[str, Any]]:
        rows = sorted(person.connections.values(), key=lambda c: (c.created, c.tenant_id))
        return [
            c.wire(self._tenants[c.tenant_id]) for c in rows if not auth_event_id or c.auth_event_id == auth_event_id
        ]

    def _token_set(self, grant: _Grant) -> dict[str, Any]:
        access, refresh = self._tokens.issue(grant)
        return {
            "access_token": access,
            "refresh_token": refresh,
            "expires_in": self.limits.access_token_seconds,
            "token_type": "Bearer",
            "scope": grant.scope,
        }

    def _vet_refresh(self, form: dict[str, str]) -> Callable[[_Grant], str | None]:
        """A refresh may ask for fewer scopes than were granted, never more."""
        requested = set(form.get("scope", "").split())
        return lambda grant: "invalid_scope" if requested and not requested <= set(grant.scope.split()) else None

    def _revocation(self, request: Request) -> Response:
        form = form_fields(request)
        if not self._client_ok(request, form):
            return self._oauth_error("invalid_client")
        with self._state:
            self._tokens.revoke(form.get("token", ""))
        return Response(status=200)

    # -- auth and limits around every API call -------------------------------------------------------------------

    def dispatch(self, request: Request, *, allow_faults: bool = True) -> Response:
        if not (request.path.startswith(_API + "/") or _is_connections(request.path)):
            return super().dispatch(request, allow_faults=allow_faults)
        denied, tenant = self._authorise(request)
        if denied is not None:
            return denied
        if tenant is None:  # /connections is not tenant-scoped
            return super().dispatch(request, allow_faults=allow_faults)
        refused = self._acquire(tenant)
        if refused is not None:
            return refused
        try:
            response = super().dispatch(request, allow_faults=allow_faults)
        finally:
            with self._state:
                tenant.usage.in_flight -= 1
        response.headers.update(self._limit_headers(tenant))
        if 200 <= response.status < 300:
            self._fire_triggers(request.path)
        return response

    def _authorise(self, request: Request) -> tuple[Response | None, _Tenant | None]:
        with self._state:
            access = self._tokens.bearer(request)
            if access is None or access.grant.revoked:
                return _problem(401, "Unauthorized", "AuthenticationUnsuccessful"), None
            if self.now() >= access.expires_at:
                expired = dt.datetime.fromtimestamp(access.expires_at, dt.UTC).strftime("%m/%d/%Y %H:%M:%S")
                return _problem(401, "Unauthorized", f"TokenExpired: token expired at {expired}"), None
            if _is_connections(request.path):
                return None, None
            tenant_id = request.headers.get("xero-tenant-id", "")
            if tenant_id not in access.grant.tenant_ids or tenant_id not in self._tenants:
                return _problem(403, "Forbidden", "AuthorizationUnsuccessful"), None
            return None, self._tenants[tenant_id]

    def _acquire(self, tenant: _Tenant) -> Response | None:
        """Count the call against the tenant's limits, or answer 429 as Xero does."""
        with self._state:
            now = self.now()
            for usage in (tenant.usage, self._app_usage):
                usage.minute.prune(now)
            usage = tenant.usage
            if usage.day_start is None or now >= usage.day_start + _DAY_SECONDS:
                usage.day_start, usage.day_count = now, 0
            problem, retry_after = self._breach(tenant, now)
            if problem:
                headers = {"Retry-After": str(retry_after), "X-Rate-Limit-Problem": problem}
                headers.update(self._limit_headers(tenant))
                return Response(status=429, body=None, headers=headers)
            usage.minute.add(now)
            self._app_usage.minute.add(now)
            usage.day_count += 1
            usage.in_flight += 1
            return None

    def _breach(self, tenant: _Tenant, now: float) -> tuple[str, int]:
        usage, limits = tenant.usage, self.limits
        if usage.day_count >= limits.per_day:
            assert usage.day_start is not None
            return "day", max(1, math.ceil(usage.day_start + _DAY_SECONDS - now))
        if usage.in_flight >= limits.concurrent:
            return "concurrent", 1
        if len(usage.minute) >= limits.per_minute:
            return "minute", usage.minute.retry_after(now)
        if len(self._app_usage.minute) >= limits.app_per_minute:
            return "appminute", self._app_usage.minute.retry_after(now)
        return "", 0

    def _limit_headers(self, tenant: _Tenant) -> dict[str, str]:
        with self._state:
            usage, limits = tenant.usage, self.limits
            return {
                "X-DayLimit-Remaining": str(max(limits.per_day - usage.day_count, 0)),
                "X-MinLimit-Remaining": str(max(limits.per_minute - len(usage.minute), 0)),
                "X-AppMinLimit-Remaining": str(max(limits.app_per_minute - len(self._app_usage.minute), 0)),
            }

    # -- vendor handlers ------------------------------------------------------------------------------------------

    def _connections(self, request: Request) -> Response:
        """The bearer's user's connections; `authEventId` keeps those (re)connected by that consent."""
        with self._state:
            access = self._tokens.bearer(request)
            assert access is not None  # dispatch() checked it
            rows = self._connection_rows(access.grant.user, request.arg("authEventId") or "")
        return _json_response(rows)

    def _delete_connection(self, request: Request) -> Response:
        """Drop one of the bearer's user's organisations: 204, or 404 for an id the user does not have."""
        assert request.match is not None
        wanted = request.match.group("id")
        with self._state:
            access = self._tokens.bearer(request)
            assert access is not None  # dispatch() checked it
            connections = access.grant.user.connections
            for tenant_id, connection in list(connections.items()):
                if connection.connection_id == wanted:
                    del connections[tenant_id]
                    return Response(status=204, body=b"")
        return _problem(404, "Not Found", f"Connection {wanted} was not found")

    def _envelope(self, key: str, items: list[dict[str, Any]], page: int, page_size: int, total: int) -> dict[str, Any]:
        return {
            "Id": str(uuid.uuid4()),
            "Status": "OK",
            "ProviderName": "Lunas",
            "DateTimeUTC": ms_instant(self.now(), offset=False),
            "pagination": {
                "page": page,
                "pageSize": page_size,
                "pageCount": math.ceil(total / page_size),
                "itemCount": total,
            },
            key: items,
        }

    def _render(self, request: Request, envelope: dict[str, Any]) -> Response:
        if "application/json" in request.headers.get("accept", "").lower():
            return _json_response(envelope)
        # Xero answers XML unless asked for JSON; enough of it to show a client forgot the Accept header.
        xml = ElementTree.tostring(_to_xml("Response", json.loads(_json_response(envelope).encode()[0])))
        return Response(body=xml, headers={"Content-Type": "text/xml; charset=utf-8"})

    def _get_invoices(self, request: Request) -> Response:
        try:
            page, page_size, predicates, since = _listing(request, _INVOICE_FIELDS)
        except SeedError as exc:
            return _validation_error(str(exc), error_type="QueryParseException", number=16)
        statuses = _csv_upper(request.arg("Statuses"))
        ids = {i.lower() for i in _csv(request.arg("IDs"))}
        numbers = set(_csv(request.arg("InvoiceNumbers")))
        contact_ids = {i.lower() for i in _csv(request.arg("ContactIDs"))}
        summary = (request.arg("summaryOnly") or "").lower() == "true"
        with self._state:
            tenant = self._tenants[request.headers["xero-tenant-id"]]
            matching = [
                invoice
                for invoice in tenant.invoices.values()
                if (not statuses or invoice.status in statuses)
                and (not ids or invoice.invoice_id.lower() in ids)
                and (not numbers or invoice.number in numbers)
                and (not contact_ids or invoice.contact.contact_id.lower() in contact_ids)
                and (since is None or invoice.updated > since)
                and all(test(invoice) for test in predicates)
            ]
            chunk = matching[(page - 1) * page_size : page * page_size]
            items = [invoice.wire(summary=summary) for invoice in chunk]
        return self._render(request, self._envelope("Invoices", items, page, page_size, len(matching)))

    def _get_contacts(self, request: Request) -> Response:
        try:
            page, page_size, predicates, since = _listing(request, _CONTACT_FIELDS)
        except SeedError as exc:
            return _validation_error(str(exc), error_type="QueryParseException", number=16)
        ids = {i.lower() for i in _csv(request.arg("IDs"))}
        archived = (request.arg("includeArchived") or "").lower() == "true" or bool(ids)
        with self._state:
            tenant = self._tenants[request.headers["xero-tenant-id"]]
            matching = [
                contact
                for contact in tenant.contacts.values()
                if (not ids or contact.contact_id.lower() in ids)
                and (archived or contact.status != "ARCHIVED")
                and (since is None or contact.updated > since)
                and all(test(contact) for test in predicates)
            ]
            items = [c.wire() for c in matching[(page - 1) * page_size : page * page_size]]
        return self._render(request, self._envelope("Contacts", items, page, page_size, len(matching)))

    def _get_organisation(self, request: Request) -> Response:
        with self._state:
            tenant = self._tenants[request.headers["xero-tenant-id"]]
            organisation = tenant.organisation()
        envelope = {  # no pagination: there is one organisation per tenant
            "Id": str(uuid.uuid4()),
            "Status": "OK",
            "ProviderName": "Lunas",
            "DateTimeUTC": ms_instant(self.now(), offset=False),
            "Organisations": [organisation],
        }
        return self._render(request, envelope)

    def _get_invoice_reminders(self, request: Request) -> Response:
        """`GET /InvoiceReminders/Settings`, as xero-python's `get_invoice_reminders` reads it (model
        `InvoiceReminders`: `{"InvoiceReminders": [{"Enabled": bool}]}`).
        https://developer.xero.com/documentation/api/accounting/invoicereminders"""
        with self._state:
            enabled = self._tenants[request.headers["xero-tenant-id"]].invoice_reminders
        envelope = {
            "Id": str(uuid.uuid4()),
            "Status": "OK",
            "ProviderName": "Lunas",
            "DateTimeUTC": ms_instant(self.now(), offset=False),
            "InvoiceReminders": [{"Enabled": enabled}],
        }
        return self._render(request, envelope)

    def _get_online_invoice(self, request: Request) -> Response:
        assert request.match is not None
        with self._state:
            tenant = self._tenants[request.headers["xero-tenant-id"]]
            invoice = tenant.invoices.get(request.match.group("id"))
            if invoice is None:
                return Response(status=404, body="The resource you're looking for cannot be found")
            if invoice.type != "ACCREC" or invoice.status in ("DRAFT", "DELETED"):
                return _validation_error("Online invoice URLs are only available for approved sales invoices")
            body = {"OnlineInvoices": [{"OnlineInvoiceUrl": invoice.online_url}]}
        return _json_response(body)

    # -- admin handlers -------------------------------------------------------------------------------------------

    def _admin_tenant(self, request: Request) -> Response:
        assert request.match is not None
        return self._admin(lambda: self.tenant_state(request.match.group("id")) if request.match else None)

    def _admin_tokens(self, request: Request) -> Response:
        assert request.match is not None
        tenant_id = request.match.group("id")
        spec = request.json() or {}
        scope = spec.get("scope") or DEFAULT_SCOPE

        def issue() -> dict[str, Any]:
            tokens = self.issue_tokens([tenant_id], scope, user=spec.get("user"))
            grant = self._tokens.access[tokens["access_token"]].grant
            return {
                **tokens,
                "tenantId": tenant_id,
                "connectionId": grant.user.connections[tenant_id].connection_id,
                "authEventId": grant.auth_event_id,
                "xeroUserId": grant.user.user_id,
            }

        return self._admin(issue, 201)

    def _admin_disconnect(self, request: Request) -> Response:
        assert request.match is not None
        tenant_id = request.match.group("id")

        def disconnect() -> dict[str, str]:
            self.disconnect(tenant_id)
            return {"disconnected": tenant_id}

        return self._admin(disconnect)

    def _admin_code(self, request: Request) -> Response:
        spec = request.json() or {}
        return self._admin(
            lambda: {
                "code": self.issue_authorization_code(
                    spec.get("tenantIds") or [], spec.get("redirectUri", ""), user=spec.get("user")
                )
            }
        )

    def _admin_pay(self, request: Request) -> Response:
        assert request.match is not None
        invoice_id = request.match.group("id")
        paid_on = (request.json() or {}).get("paidOn")
        return self._admin(
            lambda: self._changed(invoice_id, self.pay(invoice_id, iso_date(paid_on, "paidOn") if paid_on else None))
        )

    def _admin_invoice_reminders(self, request: Request) -> Response:
        assert request.match is not None
        tenant_id = request.match.group("id")
        enabled = (request.json() or {}).get("enabled")
        if not isinstance(enabled, bool):
            return Response(status=400, body="enabled must be true or false")

        def switch() -> dict[str, Any]:
            self.set_invoice_reminders(tenant_id, enabled)
            return {"tenantId": tenant_id, "enabled": enabled}

        return self._admin(switch)

    def _admin_void(self, request: Request) -> Response:
        assert request.match is not None
        invoice_id = request.match.group("id")
        return self._admin(lambda: self._changed(invoice_id, self.void(invoice_id)))

    def _admin_patch(self, request: Request) -> Response:
        assert request.match is not None
        invoice_id = request.match.group("id")
        return self._admin(lambda: self._changed(invoice_id, self.patch_invoice(invoice_id, request.json() or {})))

    def _trigger_from(self, spec: dict[str, Any]) -> None:
        self.add_trigger(spec["after_path"], int(spec.get("after_count", 1)), spec["action"], spec["invoice_id"])

    # -- webhooks (the sender side) ------------------------------------------------------------------------------

    def configure_webhook(self, url: str | None, key: str, auto_deliver: bool = True) -> None:
        with self._webhook_lock:
            self._webhook = {"url": url, "key": key, "auto": auto_deliver}

    def notify_invoice_changed(self, invoice_id: str, event_type: str = "UPDATE") -> None:
        """Queue an INVOICE event for this invoice (the admin HTTP API does it on every change)."""
        with self._state:
            tenant_id = next(t.tenant_id for t in self._tenants.values() if invoice_id in t.invoices)
        self._queue_event(tenant_id, "INVOICE", invoice_id, event_type)

    def notify_contact_changed(self, contact_id: str, event_type: str = "UPDATE") -> None:
        with self._state:
            tenant_id = next(t.tenant_id for t in self._tenants.values() if contact_id in t.contacts)
        self._queue_event(tenant_id, "CONTACT", contact_id, event_type)

    def _queue_event(self, tenant_id: str, category: str, resource_id: str, event_type: str) -> None:
        if not self._webhook["url"]:
            return
        kind = "Invoices" if category == "INVOICE" else "Contacts"
        now = dt.datetime.fromtimestamp(self.now(), dt.UTC)
        event = {
            "resourceUrl": f"https://api.xero.com/api.xro/2.0/{kind}/{resource_id}",
            "resourceId": resource_id,
            "eventDateUtc": now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}",
            "eventType": event_type,
            "eventCategory": category,
            "tenantId": tenant_id,
            "tenantType": "ORGANISATION",
        }
        self._enqueue_webhook(event)

    def _webhook_body(self, pending: list[Any]) -> dict[str, Any]:
        """Xero's thin delivery: the events with their sequence numbers."""
        first = self._webhook_sequence + 1
        self._webhook_sequence += len(pending)
        return {
            "events": pending,
            "firstEventSequence": first,
            "lastEventSequence": self._webhook_sequence,
            "entropy": secrets.token_hex(10).upper(),
        }

    def send_intent_to_receive(self, *, correctly_signed: bool = True) -> dict[str, Any]:
        """Xero's intent-to-receive check: an empty event list, signed with the key or with a wrong one."""
        body = {"events": [], "firstEventSequence": 0, "lastEventSequence": 0, "entropy": secrets.token_hex(10)}
        key = self._webhook["key"] if correctly_signed else "not-" + self._webhook["key"]
        with self._webhook_lock:
            return self._post_webhook(json.dumps(body).encode(), key)

    def _changed(self, invoice_id: str, result: Any) -> Any:
        self.notify_invoice_changed(invoice_id)
        return result

    def _admin_webhook(self, request: Request) -> Response:
        spec = request.json() or {}
        self.configure_webhook(spec.get("url"), str(spec.get("key", "")), bool(spec.get("autoDeliver", True)))
        return Response(body={"url": spec.get("url")})


def _is_connections(path: str) -> bool:
    """`/connections` and `/connections/{id}`: Xero's identity routes, not tenant-scoped (the SDK capitalises)."""
    lowered = path.lower()
    return lowered == "/connections" or lowered.startswith("/connections/")


def _csv(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _csv_upper(value: str | None) -> set[str]:
    return {part.upper() for part in _csv(value)}


def _paging(request: Request) -> tuple[int, int]:
    try:
        page = int(request.arg("page") or 1)
        page_size = int(request.arg("pageSize") or 100)
    except ValueError as exc:
        raise SeedError("page and pageSize must be integers") from exc
    if page < 1 or page_size < 1:
        raise SeedError("page and pageSize must be at least 1")
    return page, min(page_size, 1000)


def _listing(
    request: Request, fields: dict[str, Callable[[Any], Any]]
) -> tuple[int, int, list[Predicate], float | None]:
    """Page, page size, `where` filter and If-Modified-Since of a list request (SeedError when one is unreadable)."""
    page, page_size = _paging(request)
    where = request.arg("where")
    return page, page_size, parse_where(where, fields) if where else [], _since(request)


def _since(request: Request) -> float | None:
    value = request.headers.get("if-modified-since")
    if not value:
        return None
    try:
        return _parse_if_modified_since(value)
    except (ValueError, TypeError) as exc:
        raise SeedError(f"cannot read If-Modified-Since {value!r}") from exc
