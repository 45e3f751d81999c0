"""A local fake of QuickBooks Online (Intuit OAuth 2.0 + Accounting API v3) that speaks Intuit's wire format.

It exists so the QuickBooks adapter, the demo and the tests run the real python-quickbooks and intuit-oauth
libraries end to end on 127.0.0.1: rotating refresh tokens, one-hour access tokens, the query language subset the
adapter uses, change data capture, per-company limits answered with Intuit's XML 429 and its several fault shapes.
Where the vendor doc and convenience disagree, the doc wins (see /work/shared/reference/api-facts.md §2).

Vendor routes
    GET  /.well-known/openid_configuration[/]     the discovery document (intuit-oauth reads it at construction)
    GET  /connect/oauth2?client_id&redirect_uri&state[&realmId]   the consent page, consenting at once: 302 to
                                                   redirect_uri?code=…&state=…&realmId=… (the named company, or
                                                   the one seeded last)
    POST /oauth2/v1/tokens/bearer                  Basic client auth; form grant_type=authorization_code (code,
                                                   redirect_uri) | refresh_token (refresh_token)
    POST /v2/oauth2/tokens/revoke                  Basic client auth; JSON {"token": refresh or access token}
    GET  /v3/company/{realmId}/query?query=…       the SELECT in the query string, or
    POST /v3/company/{realmId}/query               the SELECT as an application/text body
                                                   (both: minorversion >= 75, include=invoiceLink)
    GET  /v3/company/{realmId}/cdc?entities=Invoice,Customer&changedSince=<ISO>   change data capture
    GET  /v3/company/{realmId}/companyinfo/{realmId}   CompanyInfo: CompanyName, Country, CompanyAddr, ...
    GET  /v3/company/{realmId}/payment/{id}        one Payment: Line[].LinkedTxn[] names the invoices it paid
    GET  /v3/company/{realmId}/preferences         Preferences: CurrencyPrefs.HomeCurrency, ...

Query language: `SELECT * | count(*) FROM Invoice|Customer|Payment [WHERE f op v AND …] [ORDERBY f [ASC|DESC], …]
[STARTPOSITION n] [MAXRESULTS m]` with `=, <, >, <=, >=, IN (…), LIKE '%x%'`; values in single quotes (numbers
and true/false may be bare). No OR, no projections. STARTPOSITION is 1-based; MAXRESULTS defaults to 100 and is
capped at 1000. A Customer query returns only active customers unless its WHERE names `Active`.

Admin API (JSON; each also a Python method of the same purpose):
    POST   /_sandbox/quickbooks/companies          seed(spec) -> {"realmId", "companyName", "customers": {ref: Id},
                                                   "invoices": {DocNumber: Id}}. Seeding an existing realmId adds.
        {"realmId": "<digits, optional>", "companyName": "PT Maju", "country": "ID", "currency": "IDR",
         "customers": [{"id"?: "7", "displayName": "Budi Santoso", "mobile"?: "0812 3456 7001",
                        "primaryPhone"?: "(021) 555 0100", "active"?: true, "currency"?: "IDR"}],
         "invoices": [{"id"?: "130", "docNumber": "1001", "customer": "<Id or DisplayName>", "txnDate"?: "…",
                       "dueDate": "2026-11-20", "total": "1500000", "balance"?: "<default total>",
                       "currency"?: "IDR", "onlinePayment"?: true, "updatedAt"?: "<ISO instant>", "count"?: 3}]}
        `count` repeats an invoice with DocNumbers 1001-1 … 1001-3 (volume tests). `country` is served as
        CompanyInfo.Country as given ("US", or a name) and `currency` as Preferences' home currency.
    GET    /_sandbox/quickbooks/companies/{realmId}                   the company's customers and invoices (wire)
    POST   /_sandbox/quickbooks/companies/{realmId}/tokens            a fresh token response plus "realmId"
    POST   /_sandbox/quickbooks/companies/{realmId}/disconnect        every grant of the company stops working
    POST   /_sandbox/quickbooks/authorization-codes                   {"realmId", "redirectUri"} -> {"code"}
    POST   /_sandbox/quickbooks/companies/{realmId}/invoices/{id}/pay    a Payment of the whole balance: Balance 0,
                                                   LinkedTxn Payment, touched; webhook Payment created
    POST   /_sandbox/quickbooks/companies/{realmId}/payments     {"lines": [{"invoiceId", "amount"?: <balance>}],
                                                   "txnDate"?} one Payment over one customer's invoices (partial
                                                   amounts leave a balance) -> the Payment; webhook Payment created
    POST   /_sandbox/quickbooks/companies/{realmId}/invoices/{id}/void   Balance/TotalAmt 0, "Voided", touched
    DELETE /_sandbox/quickbooks/companies/{realmId}/invoices/{id}        deleted (CDC reports status Deleted)
    PATCH  /_sandbox/quickbooks/companies/{realmId}/invoices/{id}        {"dueDate"?, "balance"?, "touch"?: true}
    PATCH  /_sandbox/quickbooks/companies/{realmId}/customers/{id}       {"mobile"?, "primaryPhone"?, "active"?,
                                                                          "displayName"?}
    PUT    /_sandbox/quickbooks/limits             {"perMinute"?, "perSecond"?, "accessTokenSeconds"?,
                                                    "refreshGraceSeconds"?, "resetCounters"?} -> the limits now
    POST   /_sandbox/quickbooks/triggers           {"after_path": "/query$", "after_count": 1, "action": "pay" |
                                                    "void" | "delete", "realm_id": "…", "invoice_id": "…"} (once)
    DELETE /_sandbox/quickbooks/triggers
    POST   /_sandbox/quickbooks/clock              {"advanceSeconds": 3700} moves the fake's clock forward

Webhooks: once `configure_webhook(url, key)` is set, every change made through the admin HTTP API above (pay, void,
delete, PATCH of an invoice or customer) queues a change event, and `notify_changed()` queues one from Python. They
are posted as a CloudEvents JSON array (`type` `qbo.invoice.updated.v1`, `intuitentityid`, `intuitaccountid`, empty
`data`), or in the legacy `eventNotifications` shape with `webhook_format="legacy"`, signed with `intuit-signature`
= base64(HMAC-SHA256(verifier token, raw body)), from a background thread (or at once with `flush_webhooks()`).
A payment (`pay`, `payments`) is announced as Intuit does, by the Payment it created (`qbo.payment.created.v1`,
legacy `{"name": "Payment", "operation": "Create"}`), not by an event on the invoices it paid: Lunas must read the
payment's `Line[].LinkedTxn` to find them (https://developer.intuit.com/app/developer/qbo/docs/develop/webhooks).
    POST   /_sandbox/quickbooks/webhook            {"url", "key", "format"?: "cloudevents"|"legacy", "autoDeliver"?}
    POST   /_sandbox/quickbooks/webhook/flush      deliver the pending events now

Assumptions where Intuit's documents are silent (marked ? in api-facts.md): an empty query result has no entity
key; a minorversion below 75 (or none) is refused with a ValidationFault; a CDC changedSince more than 30 days back
is refused with a ValidationFault; more than 1,000 changed objects are truncated to the oldest 1,000.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar
from urllib.parse import urlencode

from sandbox.accounting_fake import (
    AccountingFake,
    NotFound,
    SeedError,
    SlidingWindow,
    by_id_or_name,
    iso_date,
    json_response,
    money,
    per_minute,
    per_second,
    repeated,
)
from sandbox.clock import SandboxClock
from sandbox.fakehttp import Request, Response

DEFAULT_CLIENT_ID = "lunas-intuit-client-id"
DEFAULT_CLIENT_SECRET = "lunas-intuit-client-secret"
MINIMUM_MINOR_VERSION = 75
MAX_RESULTS = 1000
CDC_MAX_OBJECTS = 1000
CDC_MAX_DAYS = 30
REFRESH_TOKEN_SECONDS = 8_726_400  # 101 days, as Intuit answers x_refresh_token_expires_in
_PACIFIC = dt.timezone(dt.timedelta(hours=-8))  # Intuit stamps times in US Pacific (PST in November)
_API = re.compile(r"^/v3/company/(?P<realm>[^/]+)/(?P<op>[^/]+)(?:/(?P<id>[^/]+))?$")
DISCOVERY_PATH = "/.well-known/openid_configuration"
_JSON = "application/json;charset=UTF-8"


class QueryError(ValueError):
    """The SELECT does not parse, or names something that does not exist (Intuit: QueryParserError)."""


# -- wire helpers -----------------------------------------------------------------------------------------------


def intuit_time(instant: float) -> str:
    """An instant the way Intuit writes it: local Pacific time with its offset, `2026-11-19T10:22:15-08:00`."""
    return dt.datetime.fromtimestamp(instant, _PACIFIC).isoformat(timespec="seconds")


def _json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """JSON with Decimals written as exact numbers (`1250000.00`), never through float."""
    return json_response(body, status, headers, content_type=_JSON)


def fault_body(fault_type: str, code: str, message: str, detail: str, now: float) -> dict[str, Any]:
    """Intuit's JSON fault: `{"Fault": {"Error": [...], "type": ...}, "time": ...}` (may come with HTTP 200)."""
    error = {"Message": message, "Detail": detail, "code": code, "element": ""}
    return {"Fault": {"Error": [error], "type": fault_type}, "time": intuit_time(now)}


def throttle_xml(now: float) -> bytes:
    """The 429 body: XML even when JSON was asked for (api-facts.md §2.7)."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="{intuit_time(now)}">'
        '<Fault type="SERVICE"><Error code="3001">'
        "<Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message>"
        "<Detail>The request limit was reached.  Try again later</Detail>"
        "</Error></Fault></IntuitResponse>"
    ).encode()


def _gateway_401(detail: str, now: float) -> Response:
    """The API gateway's 401: lowercase keys, not the usual Fault shape."""
    error = {
        "message": "message=AuthenticationFailed; errorCode=003200; statusCode=401",
        "detail": detail,
        "code": "3200",
        "element": None,
    }
    body: dict[str, Any] = {
        "warnings": None,
        "intuitObject": None,
        "fault": {"error": [error], "type": "AUTHENTICATION"},
        "report": None,
        "queryResponse": None,
        "batchItemResponse": [],
        "attachableResponse": [],
        "syncErrorResponse": None,
        "requestId": None,
        "time": int(now * 1000),
        "status": None,
        "cdcresponse": [],
    }
    return _json_response(body, 401)


def _gateway_403(now: float) -> Response:
    error = {
        "message": "message=AuthorizationFailed; errorCode=003100; statusCode=403",
        "detail": "The application is not authorized for this company",
        "code": "3100",
        "element": None,
    }
    body: dict[str, Any] = {"fault": {"error": [error], "type": "AUTHORIZATION"}, "time": int(now * 1000)}
    return _json_response(body, 403)


def _iso_instant(value: str) -> float:
    parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_PACIFIC)  # Intuit reads a time without offset as its own Pacific time
    return parsed.timestamp()


def discovery_document(base_url: str) -> dict[str, Any]:
    """What this fake serves at /.well-known/openid_configuration: every endpoint on the fake itself."""
    base = base_url.rstrip("/")
    return {
        "issuer": f"{base}/op/v1",
        "authorization_endpoint": f"{base}/connect/oauth2",
        "token_endpoint": f"{base}/oauth2/v1/tokens/bearer",
        "userinfo_endpoint": f"{base}/v1/openid_connect/userinfo",
        "revocation_endpoint": f"{base}/v2/oauth2/tokens/revoke",
        "jwks_uri": f"{base}/op/v1/jwks",
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "profile", "address", "phone"],
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "claims_supported": ["aud", "exp", "iat", "iss", "realmid", "sub"],
    }


# -- state ------------------------------------------------------------------------------------------------------


@dataclass
class _Customer:
    id: str
    display_name: str
    mobile: str = ""
    primary_phone: str = ""
    currency: str = "IDR"
    active: bool = True
    email: str = ""
    created: float = 0.0
    updated: float = 0.0
    sync_token: int = 0

    def wire(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "Taxable": False,
            "Job": False,
            "BillWithParent": False,
            "Balance": Decimal("0"),
            "BalanceWithJobs": Decimal("0"),
            "CurrencyRef": {"value": self.currency, "name": self.currency},
            "PreferredDeliveryMethod": "Email",
            "IsProject": False,
            "domain": "QBO",
            "sparse": False,
            "Id": self.id,
            "SyncToken": str(self.sync_token),
            "MetaData": {"CreateTime": intuit_time(self.created), "LastUpdatedTime": intuit_time(self.updated)},
            "FullyQualifiedName": self.display_name,
            "DisplayName": self.display_name,
            "PrintOnCheckName": self.display_name,
            "Active": self.active,
        }
        if self.mobile:
            body["Mobile"] = {"FreeFormNumber": self.mobile}
        if self.primary_phone:
            body["PrimaryPhone"] = {"FreeFormNumber": self.primary_phone}
        if self.email:
            body["PrimaryEmailAddr"] = {"Address": self.email}
        return body


@dataclass
class _Invoice:
    id: str
    doc_number: str
    customer: _Customer
    txn_date: dt.date
    due_date: dt.date
    total: Decimal
    balance: Decimal
    currency: str
    online_payment: bool
    link: str
    created: float
    updated: float
    sync_token: int = 0
    private_note: str = ""
    payment_ids: list[str] = field(default_factory=list)

    def touch(self, now: float) -> None:
        self.updated = max(now, self.updated + 0.001)
        self.sync_token += 1

    def wire(self, *, include_link: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {
            "AllowIPNPayment": False,
            "AllowOnlinePayment": False,
            "AllowOnlineCreditCardPayment": self.online_payment,
            "AllowOnlineACHPayment": self.online_payment,
            "domain": "QBO",
            "sparse": False,
            "Id": self.id,
            "SyncToken": str(self.sync_token),
            "MetaData": {"CreateTime": intuit_time(self.created), "LastUpdatedTime": intuit_time(self.updated)},
            "CustomField": [],
            "DocNumber": self.doc_number,
            "TxnDate": self.txn_date.isoformat(),
            "CurrencyRef": {"value": self.currency, "name": self.currency},
            "LinkedTxn": [{"TxnId": p, "TxnType": "Payment"} for p in self.payment_ids],
            "Line": self._lines(),
            "CustomerRef": {"value": self.customer.id, "name": self.customer.display_name},
            "DueDate": self.due_date.isoformat(),
            "TotalAmt": self.total,
            "TxnTaxDetail": {"TotalTax": Decimal("0")},  # a company without sales tax: no TxnTaxCodeRef, no TaxLine
            "ApplyTaxAfterDiscount": False,
            "PrintStatus": "NotSet",
            "EmailStatus": "EmailSent" if self.online_payment else "NotSet",
            "Balance": self.balance,
        }
        if self.online_payment:
            body["BillEmail"] = {"Address": f"billing+{self.customer.id}@example.com"}
        if self.private_note:
            body["PrivateNote"] = self.private_note
        if include_link and self.online_payment:
            body["InvoiceLink"] = self.link
        return body

    def _lines(self) -> list[dict[str, Any]]:
        return [
            {
                "Id": "1",
                "LineNum": 1,
                "Description": f"Invoice {self.doc_number}",
                "Amount": self.total,
                "DetailType": "SalesItemLineDetail",
                "SalesItemLineDetail": {
                    "ItemRef": {"value": "1", "name": "Services"},
                    "UnitPrice": self.total,
                    "Qty": 1,
                    "TaxCodeRef": {"value": "NON"},
                },
            },
            {"Amount": self.total, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}},
        ]


@dataclass
class _PaymentLine:
    invoice: _Invoice
    amount: Decimal
    open_balance: Decimal  # the invoice's balance before this payment (Intuit echoes it in LineEx)


def _name_value(name: str, value: str) -> dict[str, Any]:
    """One `LineEx.any` entry, as Intuit's JSON serialiser writes its JAXB NameValue elements."""
    return {
        "name": "{http://schema.intuit.com/finance/v3}NameValue",
        "nil": False,
        "value": {"Name": name, "Value": value},
        "declaredType": "com.intuit.schema.finance.v3.NameValue",
        "scope": "javax.xml.bind.JAXBElement$GlobalScope",
        "globalScope": True,
        "typeSubstituted": False,
    }


@dataclass
class _Payment:
    """A received payment: one Line per invoice it pays, each naming the invoice in `LinkedTxn` (TxnType Invoice).
    https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/payment"""

    id: str
    customer: _Customer
    txn_date: dt.date
    currency: str
    lines: list[_PaymentLine]
    created: float
    updated: float
    sync_token: int = 0

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    def wire(self) -> dict[str, Any]:
        return {
            "SyncToken": str(self.sync_token),
            "domain": "QBO",
            "DepositToAccountRef": {"value": "4"},
            "UnappliedAmt": Decimal("0"),
            "TxnDate": self.txn_date.isoformat(),
            "TotalAmt": self.total,
            "ProcessPayment": False,
            "sparse": False,
            "Line": [
                {
                    "Amount": line.amount,
                    "LineEx": {
                        "any": [
                            _name_value("txnId", line.invoice.id),
                            _name_value("txnOpenBalance", f"{line.open_balance:.2f}"),
                            _name_value("txnReferenceNumber", line.invoice.doc_number),
                        ]
                    },
                    "LinkedTxn": [{"TxnId": line.invoice.id, "TxnType": "Invoice"}],
                }
                for line in self.lines
            ],
            "CustomerRef": {"value": self.customer.id, "name": self.customer.display_name},
            "CurrencyRef": {"value": self.currency, "name": self.currency},
            "Id": self.id,
            "MetaData": {"CreateTime": intuit_time(self.created), "LastUpdatedTime": intuit_time(self.updated)},
        }


@dataclass
class _Usage:
    minute: SlidingWindow = field(default_factory=per_minute)
    second: SlidingWindow = field(default_factory=per_second)


@dataclass
class _Company:
    realm_id: str
    name: str
    country: str
    currency: str
    created: float
    customers: dict[str, _Customer] = field(default_factory=dict)
    invoices: dict[str, _Invoice] = field(default_factory=dict)
    deleted_invoices: dict[str, float] = field(default_factory=dict)  # Id -> when
    payments: dict[str, _Payment] = field(default_factory=dict)
    usage: _Usage = field(default_factory=_Usage)
    next_id: int = 1

    def _address(self) -> dict[str, Any]:
        return {"Id": "1", "Line1": "1 Sandbox Street", "City": "Sandbox", "Country": self.country, "PostalCode": "1"}

    def _meta(self) -> dict[str, str]:
        created = intuit_time(self.created)
        return {"CreateTime": created, "LastUpdatedTime": created}

    def company_info(self) -> dict[str, Any]:
        """The CompanyInfo entity (Intuit's example: `Country` "US", addresses with `Country` too; the documented
        read is `GET /v3/company/{realmId}/companyinfo/{realmId}`).
        https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/companyinfo"""
        return {
            "SyncToken": "0",
            "domain": "QBO",
            "LegalAddr": self._address(),
            "SupportedLanguages": "en",
            "CompanyName": self.name,
            "Country": self.country,
            "CompanyAddr": self._address(),
            "sparse": False,
            "Id": "1",
            "WebAddr": {},
            "FiscalYearStartMonth": "January",
            "CustomerCommunicationAddr": self._address(),
            "PrimaryPhone": {},
            "LegalName": self.name,
            "CompanyStartDate": dt.datetime.fromtimestamp(self.created, _PACIFIC).date().isoformat(),
            "Email": {"Address": "donotreply@intuit.com"},
            "NameValue": [
                {"Name": "NeoEnabled", "Value": "true"},
                {"Name": "IsQbdtMigrated", "Value": "false"},
                {"Name": "SubscriptionStatus", "Value": "PAID"},
                {"Name": "OfferingSku", "Value": "QuickBooks Online Plus"},
            ],
            "MetaData": self._meta(),
        }

    def preferences(self) -> dict[str, Any]:
        """The Preferences entity, with the home currency in `CurrencyPrefs.HomeCurrency` (as Intuit's example).
        https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/preferences"""
        return {
            "AccountingInfoPrefs": {
                "FirstMonthOfFiscalYear": "January",
                "UseAccountNumbers": True,
                "TaxYearMonth": "January",
                "ClassTrackingPerTxn": False,
                "TrackDepartments": False,
                "TaxForm": "6",
                "CustomerTerminology": "Customers",
                "BookCloseDate": "",
                "DepartmentTerminology": "Location",
                "ClassTrackingPerTxnLine": True,
            },
            "ProductAndServicesPrefs": {
                "QuantityWithPriceAndRate": True,
                "ForPurchase": True,
                "QuantityOnHand": True,
                "ForSales": True,
            },
            "SalesFormsPrefs": {
                "ETransactionPaymentEnabled": False,
                "CustomTxnNumbers": False,
                "AllowShipping": False,
                "AllowServiceDate": False,
                "ETransactionEnabledStatus": "NotApplicable",
                "AllowEstimates": True,
                "AllowDiscount": True,
                "AllowDeposit": True,
                "AutoApplyCredit": True,
                "ETransactionAttachPDF": False,
                "UsingProgressInvoicing": False,
            },
            "ReportPrefs": {"ReportBasis": "Accrual", "CalcAgingReportFromTxnDate": False},
            "CurrencyPrefs": {"HomeCurrency": {"value": self.currency}, "MultiCurrencyEnabled": False},
            "domain": "QBO",
            "SyncToken": "0",
            "sparse": False,
            "Id": "1",
            "MetaData": self._meta(),
        }

    def new_id(self) -> str:
        while any(str(self.next_id) in records for records in (self.customers, self.invoices, self.payments)):
            self.next_id += 1
        self.next_id += 1
        return str(self.next_id - 1)


@dataclass
class _Grant:
    realm_id: str
    revoked: bool = False


@dataclass(frozen=True)
class Limits:
    per_minute: int = 500
    per_second: int = 10
    access_token_seconds: int = 3600
    refresh_grace_seconds: int = 86_400  # the superseded refresh token works about a day longer (api-facts §2.2)


# -- the query language -----------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^'\\]|\\.)*')|(?P<op><=|>=|!=|=|<|>)|(?P<punct>[(),*])"
    r"|(?P<num>-?\d+(?:\.\d+)?(?![\w.]))|(?P<word>[A-Za-z_][\w.]*))"
)
_KEYWORDS = frozenset({"select", "from", "where", "and", "or", "in", "like", "orderby", "startposition", "maxresults"})


@dataclass(frozen=True)
class _Token:
    kind: str  # str | op | punct | num | word
    text: str

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.text.lower() in words


def _tokenise(text: str) -> list[_Token]:
    tokens, position = [], 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise QueryError(f'Encountered "{text[position : position + 10]}" at column {position + 1}')
        kind = match.lastgroup or ""
        tokens.append(_Token(kind, match.group(kind)))
        position = match.end()
    return tokens


@dataclass(frozen=True)
class _Field:
    get: Callable[[Any], Any]
    kind: str  # str | decimal | date | datetime | bool | id


_INVOICE_FIELDS: dict[str, _Field] = {
    "id": _Field(lambda i: i.id, "id"),
    "docnumber": _Field(lambda i: i.doc_number, "str"),
    "txndate": _Field(lambda i: i.txn_date, "date"),
    "duedate": _Field(lambda i: i.due_date, "date"),
    "totalamt": _Field(lambda i: i.total, "decimal"),
    "balance": _Field(lambda i: i.balance, "decimal"),
    "customerref": _Field(lambda i: i.customer.id, "id"),
    "currencyref": _Field(lambda i: i.currency, "str"),
    "metadata.createtime": _Field(lambda i: i.created, "datetime"),
    "metadata.lastupdatedtime": _Field(lambda i: i.updated, "datetime"),
}
_CUSTOMER_FIELDS: dict[str, _Field] = {
    "id": _Field(lambda c: c.id, "id"),
    "displayname": _Field(lambda c: c.display_name, "str"),
    "active": _Field(lambda c: c.active, "bool"),
    "metadata.createtime": _Field(lambda c: c.created, "datetime"),
    "metadata.lastupdatedtime": _Field(lambda c: c.updated, "datetime"),
}
_PAYMENT_FIELDS: dict[str, _Field] = {
    "id": _Field(lambda p: p.id, "id"),
    "txndate": _Field(lambda p: p.txn_date, "date"),
    "totalamt": _Field(lambda p: p.total, "decimal"),
    "customerref": _Field(lambda p: p.customer.id, "id"),
    "metadata.createtime": _Field(lambda p: p.created, "datetime"),
    "metadata.lastupdatedtime": _Field(lambda p: p.updated, "datetime"),
}
ENTITY_FIELDS = {"Invoice": _INVOICE_FIELDS, "Customer": _CUSTOMER_FIELDS, "Payment": _PAYMENT_FIELDS}

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


@dataclass
class Query:
    entity: str
    count: bool = False
    conditions: list[Callable[[Any], bool]] = field(default_factory=list)
    names_active: bool = False
    order: list[tuple[_Field, bool]] = field(default_factory=list)  # (field, descending)
    start: int = 1
    max_results: int = 100


class _QueryParser:
    """Recursive descent over the token list; raises QueryError like Intuit's QueryParserError."""

    def __init__(self, text: str) -> None:
        self.tokens = _tokenise(text)
        self.position = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise QueryError("Encountered <EOF> where more was expected")
        self.position += 1
        return token

    def expect_word(self, *words: str) -> _Token:
        token = self.take()
        if not token.is_word(*words):
            raise QueryError(f'Encountered "{token.text}", expected {" or ".join(w.upper() for w in words)}')
        return token

    def expect_punct(self, text: str) -> None:
        token = self.take()
        if token.text != text:
            raise QueryError(f'Encountered "{token.text}", expected "{text}"')

    def parse(self) -> Query:
        self.expect_word("select")
        count = self._projection()
        self.expect_word("from")
        entity = self.take().text
        if entity not in ENTITY_FIELDS:  # entity names are case-sensitive
            raise QueryError(f"Invalid entity name: {entity}")
        query = Query(entity=entity, count=count)
        fields = ENTITY_FIELDS[entity]
        if (token := self.peek()) is not None and token.is_word("where"):
            self.take()
            self._where(query, fields)
        self._tail(query, fields)
        return query

    def _projection(self) -> bool:
        token = self.take()
        if token.text == "*":
            return False
        if token.is_word("count"):
            self.expect_punct("(")
            self.expect_punct("*")
            self.expect_punct(")")
            return True
        raise QueryError(f'Encountered "{token.text}": only SELECT * and SELECT count(*) are supported')

    def _where(self, query: Query, fields: dict[str, _Field]) -> None:
        while True:
            query.conditions.append(self._condition(query, fields))
            token = self.peek()
            if token is not None and token.is_word("or"):
                raise QueryError('Encountered " <OR> "OR "" : OR is not supported')
            if token is None or not token.is_word("and"):
                return
            self.take()

    def _condition(self, query: Query, fields: dict[str, _Field]) -> Callable[[Any], bool]:
        name = self.take()
        spec = fields.get(name.text.lower())
        if name.kind != "word" or spec is None:
            raise QueryError(f"Property {name.text} not found for Entity {query.entity}")
        query.names_active |= name.text.lower() == "active"
        op = self.take()
        if op.is_word("in"):
            values = self._value_list(spec)
            return lambda record: spec.get(record) in values
        if op.is_word("like"):
            pattern = self._like(self.take())
            return lambda record: bool(pattern.fullmatch(str(spec.get(record))))
        if op.kind != "op" or op.text not in _COMPARE:
            raise QueryError(f'Encountered "{op.text}", expected an operator')
        value, compare = _coerce(self.take(), spec), _COMPARE[op.text]
        return lambda record: compare(_comparable(spec, spec.get(record)), _comparable(spec, value))

    def _value_list(self, spec: _Field) -> set[Any]:
        self.expect_punct("(")
        values = {_coerce(self.take(), spec)}
        while (token := self.take()).text == ",":
            values.add(_coerce(self.take(), spec))
        if token.text != ")":
            raise QueryError(f'Encountered "{token.text}", expected ")"')
        return values

    @staticmethod
    def _like(token: _Token) -> re.Pattern[str]:
        if token.kind != "str":
            raise QueryError("LIKE needs a quoted string")
        parts = _unquote(token.text).split("%")
        return re.compile(".*".join(re.escape(p) for p in parts), re.IGNORECASE | re.DOTALL)

    def _tail(self, query: Query, fields: dict[str, _Field]) -> None:
        while (token := self.peek()) is not None:
            self.take()
            if token.is_word("orderby"):
                self._order(query, fields)
            elif token.is_word("startposition"):
                query.start = self._positive_int()
            elif token.is_word("maxresults"):
                query.max_results = min(self._positive_int(), MAX_RESULTS)
            else:
                raise QueryError(f'Encountered "{token.text}" at the end of the query')

    def _order(self, query: Query, fields: dict[str, _Field]) -> None:
        while True:
            name = self.take()
            spec = fields.get(name.text.lower())
            if spec is None:
                raise QueryError(f"Property {name.text} not found for Entity {query.entity}")
            descending = False
            if (token := self.peek()) is not None and token.is_word("asc", "desc"):
                descending = self.take().text.lower() == "desc"
            query.order.append((spec, descending))
            if (token := self.peek()) is None or token.text != ",":
                return
            self.take()

    def _positive_int(self) -> int:
        token = self.take()
        text = _unquote(token.text) if token.kind == "str" else token.text
        if not text.isdigit() or int(text) < 1:
            raise QueryError(f'Encountered "{token.text}", expected a positive number')
        return int(text)


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


def _coerce(token: _Token, spec: _Field) -> Any:
    if token.kind not in ("str", "num", "word") or (token.kind == "word" and token.text.lower() in _KEYWORDS):
        raise QueryError(f'Encountered "{token.text}", expected a value')
    raw = _unquote(token.text) if token.kind == "str" else token.text
    try:
        if spec.kind == "decimal":
            return Decimal(raw)
        if spec.kind == "date":
            return dt.date.fromisoformat(raw)
        if spec.kind == "datetime":
            return _iso_instant(raw)
        if spec.kind == "bool":
            if raw.lower() not in ("true", "false"):
                raise ValueError(raw)
            return raw.lower() == "true"
    except (InvalidOperation, ValueError) as exc:
        raise QueryError(f"Invalid value {token.text} for a {spec.kind} property") from exc
    return raw


def _comparable(spec: _Field, value: Any) -> Any:
    """Ids compare as numbers (Intuit's Ids are numeric strings); other strings case-insensitively."""
    if spec.kind == "id":
        return (0, int(value)) if str(value).isdigit() else (1, str(value))
    return value.lower() if isinstance(value, str) else value


def parse_query(text: str) -> Query:
    return _QueryParser(text).parse()


def run_query(query: Query, records: Iterable[Any]) -> list[Any]:
    """Filter, sort (by Id unless ORDERBY says otherwise) and page."""
    rows = [r for r in records if all(test(r) for test in query.conditions)]
    if query.entity == "Customer" and not query.names_active:
        rows = [r for r in rows if r.active]
    id_field = ENTITY_FIELDS[query.entity]["id"]
    rows.sort(key=lambda r: _comparable(id_field, id_field.get(r)))
    for spec, descending in reversed(query.order):
        rows.sort(key=lambda r, s=spec: _comparable(s, s.get(r)), reverse=descending)  # type: ignore[misc]
    return rows


# -- the server -------------------------------------------------------------------------------------------------


class FakeQuickBooks(AccountingFake[Limits, _Grant]):
    """Intuit OAuth + QuickBooks Online Accounting API, in memory, thread-safe. `start()`, then `seed()`."""

    name = "fake-quickbooks"
    json_content_type = _JSON
    token_prefix = "qb"
    signature_header = "intuit-signature"
    invalid_client_status = 401  # Intuit wants Basic client authentication, and says 401 without it
    limit_names: ClassVar[dict[str, str]] = {
        "perMinute": "per_minute",
        "perSecond": "per_second",
        "accessTokenSeconds": "access_token_seconds",
        "refreshGraceSeconds": "refresh_grace_seconds",
    }

    def __init__(
        self,
        *,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        limits: Limits | None = None,
        clock: SandboxClock | None = None,
    ) -> None:
        super().__init__(
            clock=clock,
            client_id=client_id,
            client_secret=client_secret,
            limits=limits or Limits(),
            access_bytes=32,
            code_prefix="AB11",
        )
        self._companies: dict[str, _Company] = {}
        self._trigger_actions = {"pay": self.pay, "void": self.void, "delete": self.delete}
        self._webhook: dict[str, Any] = {"url": None, "key": "", "format": "cloudevents", "auto": True}
        self._webhook_pending: list[tuple[str, str, str, str]] = []  # (realm, entity, id, verb)
        self._register_routes()

    def _register_routes(self) -> None:
        admin = "^/_sandbox/quickbooks"
        company = rf"{admin}/companies/(?P<realm>[^/]+)"
        self.route("GET", r"^/\.well-known/openid(_sandbox)?_configuration/?$", self._discovery)
        self.route("GET", r"^/connect/oauth2$", self._authorize)
        self.route("POST", r"^/oauth2/v1/tokens/bearer$", self._token)
        self.route("POST", r"^/v2/oauth2/tokens/revoke$", self._revoke)
        self.route("GET", r"^/v3/company/[^/]+/query$", self._query)
        self.route("POST", r"^/v3/company/[^/]+/query$", self._query)
        self.route("GET", r"^/v3/company/[^/]+/cdc$", self._cdc)
        self.route("GET", r"^/v3/company/[^/]+/companyinfo/[^/]+$", self._company_info)
        self.route("GET", r"^/v3/company/[^/]+/payment/[^/]+$", self._payment)
        self.route("GET", r"^/v3/company/[^/]+/preferences$", self._preferences)
        self.route("POST", rf"{admin}/companies$", self._admin_seed)
        self.route("GET", rf"{company}$", self._admin_company)
        self.route("POST", rf"{company}/tokens$", self._admin_tokens)
        self.route("POST", rf"{company}/disconnect$", self._admin_disconnect)
        self.route("POST", rf"{admin}/authorization-codes$", self._admin_code)
        self.route("POST", rf"{company}/invoices/(?P<id>[^/]+)/pay$", self._admin_pay)
        self.route("POST", rf"{company}/payments$", self._admin_payment)
        self.route("POST", rf"{company}/invoices/(?P<id>[^/]+)/void$", self._admin_void)
        self.route("DELETE", rf"{company}/invoices/(?P<id>[^/]+)$", self._admin_delete)
        self.route("PATCH", rf"{company}/invoices/(?P<id>[^/]+)$", self._admin_patch_invoice)
        self.route("PATCH", rf"{company}/customers/(?P<id>[^/]+)$", self._admin_patch_customer)
        self.route("POST", rf"{admin}/webhook$", self._admin_webhook)
        self._register_shared_admin(admin)

    @property
    def discovery_url(self) -> str:
        return self.url + DISCOVERY_PATH

    # -- Python admin API -----------------------------------------------------------------------------------------

    def seed(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Create (or add to) a company from the module docstring's seed shape."""
        with self._state:
            company = self._company_for_seed(spec)
            customers = {}
            for item in spec.get("customers") or []:
                customer = self._seed_customer(company, item)
                customers[str(item.get("id") or item["displayName"])] = customer.id
            invoices = {}
            for item in spec.get("invoices") or []:
                for invoice in self._seed_invoices(company, item):
                    invoices[invoice.doc_number] = invoice.id
            return {
                "realmId": company.realm_id,
                "companyName": company.name,
                "customers": customers,
                "invoices": invoices,
            }

    def issue_tokens(self, realm_id: str) -> dict[str, Any]:
        """A fresh token response for this company, as if the owner had just connected it."""
        with self._state:
            self._company(realm_id)
            return {**self._token_set(_Grant(realm_id)), "realmId": realm_id}

    def issue_authorization_code(self, realm_id: str, redirect_uri: str = "") -> str:
        with self._state:
            self._company(realm_id)
            return self._tokens.new_code(_Grant(realm_id), redirect_uri)

    def disconnect(self, realm_id: str) -> None:
        """The owner disconnected the app in QuickBooks: every grant for the company stops working."""
        with self._state:
            self._tokens.revoke_where(lambda grant: grant.realm_id == realm_id)

    def pay(self, realm_id: str, invoice_id: str) -> dict[str, Any]:
        """Receive a payment for the whole open balance (a Payment linked to the invoice): Balance 0, a LinkedTxn
        to the Payment, LastUpdatedTime bumped. Returns the invoice; its last LinkedTxn is the new Payment."""
        with self._state:
            company = self._company(realm_id)
            invoice = self._invoice(company, invoice_id)
            if invoice.balance <= 0:
                raise SeedError(f"invoice {invoice_id} has nothing left to pay")
            self._record_payment(company, [(invoice, invoice.balance)], None)
            return invoice.wire(include_link=True)

    def receive_payment(
        self, realm_id: str, lines: list[tuple[str, Decimal | None]], txn_date: dt.date | None = None
    ) -> dict[str, Any]:
        """One Payment over (invoice id, amount) lines of one customer's invoices; amount None pays the balance.
        Returns the Payment as Intuit serves it."""
        with self._state:
            company = self._company(realm_id)
            invoices = [(self._invoice(company, invoice_id), amount) for invoice_id, amount in lines]
            paid = [(invoice, invoice.balance if amount is None else amount) for invoice, amount in invoices]
            return self._record_payment(company, paid, txn_date).wire()

    def _record_payment(
        self, company: _Company, lines: list[tuple[_Invoice, Decimal]], txn_date: dt.date | None
    ) -> _Payment:
        if not lines or len({invoice.customer.id for invoice, _ in lines}) != 1:
            raise SeedError("a payment pays invoices of exactly one customer")
        for invoice, amount in lines:
            if amount <= 0 or amount > invoice.balance:
                raise SeedError(f"invoice {invoice.id}: cannot apply {amount} to a balance of {invoice.balance}")
        now = self.now()
        first = lines[0][0]
        payment = _Payment(
            id=company.new_id(),
            customer=first.customer,
            txn_date=txn_date or dt.datetime.fromtimestamp(now, _PACIFIC).date(),
            currency=first.currency,
            lines=[_PaymentLine(invoice, money(amount, "amount"), invoice.balance) for invoice, amount in lines],
            created=now,
            updated=now,
        )
        company.payments[payment.id] = payment
        for invoice, amount in lines:
            invoice.balance -= money(amount, "amount")
            invoice.payment_ids.append(payment.id)
            invoice.touch(now)
        return payment

    def void(self, realm_id: str, invoice_id: str) -> dict[str, Any]:
        """QuickBooks keeps a voided invoice with zero amounts and the note "Voided"."""
        with self._state:
            invoice = self._invoice(self._company(realm_id), invoice_id)
            invoice.balance = invoice.total = Decimal("0.00")
            invoice.private_note = "Voided"
            invoice.touch(self.now())
            return invoice.wire(include_link=True)

    def delete(self, realm_id: str, invoice_id: str) -> None:
        with self._state:
            company = self._company(realm_id)
            self._invoice(company, invoice_id)
            del company.invoices[invoice_id]
            company.deleted_invoices[invoice_id] = self.now()

    def patch_invoice(self, realm_id: str, invoice_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        """Change DueDate / Balance. `touch: false` leaves LastUpdatedTime alone."""
        with self._state:
            invoice = self._invoice(self._company(realm_id), invoice_id)
            if "dueDate" in changes:
                invoice.due_date = iso_date(changes["dueDate"], "dueDate")
            if "balance" in changes:
                invoice.balance = money(changes["balance"], "balance")
            if changes.get("touch", True):
                invoice.touch(self.now())
            return invoice.wire(include_link=True)

    def patch_customer(self, realm_id: str, customer_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        with self._state:
            customer = self._company(realm_id).customers.get(customer_id)
            if customer is None:
                raise NotFound(f"unknown customer {customer_id}")
            for key, attribute in (("mobile", "mobile"), ("primaryPhone", "primary_phone")):
                if key in changes:
                    setattr(customer, attribute, str(changes[key] or ""))
            if "displayName" in changes:
                customer.display_name = str(changes["displayName"])
            if "active" in changes:
                customer.active = bool(changes["active"])
            customer.updated = max(self.now(), customer.updated + 0.001)
            customer.sync_token += 1
            return customer.wire()

    def reset_counters(self) -> None:
        with self._state:
            for company in self._companies.values():
                company.usage = _Usage()

    def add_trigger(self, after_path: str, after_count: int, action: str, realm_id: str, invoice_id: str) -> None:
        """After the `after_count`-th successful API request whose path matches, pay/void/delete (once)."""
        target = (realm_id, invoice_id)
        self._add_trigger(
            after_path, after_count, action, target, lambda: self._invoice(self._company(realm_id), invoice_id)
        )

    def company_state(self, realm_id: str) -> dict[str, Any]:
        with self._state:
            company = self._company(realm_id)
            return {
                "realmId": company.realm_id,
                "companyName": company.name,
                "customers": [c.wire() for c in company.customers.values()],
                "invoices": [i.wire(include_link=True) for i in company.invoices.values()],
            }

    def api_calls(self, realm_id: str) -> list[dict[str, Any]]:
        """The recorded Accounting API requests for one company (what Intuit would meter)."""
        return self.recorded(rf"^/v3/company/{re.escape(realm_id)}/")

    # -- seeding internals ----------------------------------------------------------------------------------------

    def _company_for_seed(self, spec: dict[str, Any]) -> _Company:
        realm_id = str(spec.get("realmId") or f"9341{secrets.randbelow(10**12):012d}")
        if realm_id in self._companies:
            return self._companies[realm_id]
        company = _Company(
            realm_id=realm_id,
            name=str(spec.get("companyName") or "Demo Company"),
            country=str(spec.get("country") or "ID"),
            currency=str(spec.get("currency") or "IDR").upper(),
            created=self.now(),
        )
        self._companies[realm_id] = company
        return company

    def _seed_customer(self, company: _Company, item: dict[str, Any]) -> _Customer:
        now = self.now()
        customer = _Customer(
            id=str(item.get("id") or company.new_id()),
            display_name=str(item["displayName"]),
            mobile=str(item.get("mobile") or ""),
            primary_phone=str(item.get("primaryPhone") or ""),
            currency=str(item.get("currency") or company.currency),
            active=bool(item.get("active", True)),
            email=str(item.get("email") or ""),
            created=now,
            updated=now,
        )
        if any(c.display_name == customer.display_name for c in company.customers.values()):
            raise SeedError(f"DisplayName must be unique: {customer.display_name!r}")
        company.customers[customer.id] = customer
        return customer

    def _seed_invoices(self, company: _Company, item: dict[str, Any]) -> list[_Invoice]:
        return [self._seed_invoice(company, item, n, i) for n, i in repeated(item, "docNumber", "id")]

    def _seed_invoice(self, company: _Company, item: dict[str, Any], number: str, invoice_id: Any) -> _Invoice:
        total = money(item["total"], "total")
        updated = _iso_instant(str(item["updatedAt"])) if item.get("updatedAt") else self.now()
        invoice = _Invoice(
            id=str(invoice_id or company.new_id()),
            doc_number=number,
            customer=self._customer_ref(company, str(item["customer"])),
            txn_date=iso_date(item.get("txnDate") or item["dueDate"], "txnDate"),
            due_date=iso_date(item["dueDate"], "dueDate"),
            total=total,
            balance=money(item["balance"], "balance") if "balance" in item else total,
            currency=str(item.get("currency") or company.currency),
            online_payment=bool(item.get("onlinePayment", True)),
            link="https://connect.intuit.com/t/scs-v1-" + secrets.token_hex(24),
            created=min(updated, self.now()),
            updated=updated,
        )
        company.invoices[invoice.id] = invoice
        return invoice

    @staticmethod
    def _customer_ref(company: _Company, ref: str) -> _Customer:
        return by_id_or_name(company.customers, ref, lambda customer: customer.display_name, "customer")

    def _company(self, realm_id: str) -> _Company:
        company = self._companies.get(realm_id)
        if company is None:
            raise NotFound(f"unknown company {realm_id}")
        return company

    @staticmethod
    def _invoice(company: _Company, invoice_id: str) -> _Invoice:
        invoice = company.invoices.get(invoice_id)
        if invoice is None:
            raise NotFound(f"unknown invoice {invoice_id} in company {company.realm_id}")
        return invoice

    # -- OAuth ----------------------------------------------------------------------------------------------------

    def _discovery(self, _: Request) -> Response:
        return _json_response(discovery_document(self.url))

    def _authorize(self, request: Request) -> Response:
        """The owner picks a company and clicks Connect: straight back to the app with a code."""
        redirect_uri = request.arg("redirect_uri") or ""
        if request.arg("client_id") != self.client_id or not redirect_uri:
            return Response(status=400, body="invalid client_id or redirect_uri")
        with self._state:
            realm_id = request.arg("realmId") or (list(self._companies)[-1] if self._companies else "")
            if realm_id not in self._companies:
                return Response(status=400, body="no company to connect; seed one first")
            code = self.issue_authorization_code(realm_id, redirect_uri)
        query = urlencode({"code": code, "state": request.arg("state") or "", "realmId": realm_id})
        separator = "&" if "?" in redirect_uri else "?"
        return Response(status=302, headers={"Location": f"{redirect_uri}{separator}{query}"})

    def _token_set(self, grant: _Grant) -> dict[str, Any]:
        access, refresh = self._tokens.issue(grant)
        return {
            "token_type": "bearer",
            "access_token": access,
            "expires_in": self.limits.access_token_seconds,
            "refresh_token": refresh,
            "x_refresh_token_expires_in": REFRESH_TOKEN_SECONDS,
        }

    def _revoke(self, request: Request) -> Response:
        if not self._client_ok(request):
            return self._oauth_error("invalid_client", 401)
        try:
            token = str((request.json() or {}).get("token") or "")
        except ValueError:
            return self._oauth_error("invalid_request")
        with self._state:
            self._tokens.revoke(token, access_too=True)
        return Response(status=200)

    # -- auth, limits and minor version around every API call ----------------------------------------------------

    def dispatch(self, request: Request, *, allow_faults: bool = True) -> Response:
        match = _API.match(request.path)
        if match is None:
            return super().dispatch(request, allow_faults=allow_faults)
        refused = self._authorise(request, match.group("realm")) or self._throttle(match.group("realm"))
        if refused is not None:
            return refused
        version = request.arg("minorversion") or ""
        if not version.isdigit() or int(version) < MINIMUM_MINOR_VERSION:
            detail = f"minorversion {version or '(none)'} is not supported; use {MINIMUM_MINOR_VERSION} or later"
            return _json_response(
                fault_body("ValidationFault", "2010", "Unsupported minor version", detail, self.now()), 400
            )
        response = super().dispatch(request, allow_faults=allow_faults)
        if response.status == 200:
            self._fire_triggers(request.path)
        return response

    def _authorise(self, request: Request, realm_id: str) -> Response | None:
        with self._state:
            access = self._tokens.bearer(request)
            now = self.now()
            if access is None or access.grant.revoked:
                return _gateway_401("Token validation failed", now)
            if now >= access.expires_at:
                return _gateway_401("Token expired: the access token has expired", now)
            if access.grant.realm_id != realm_id or realm_id not in self._companies:
                return _gateway_403(now)
        return None

    def _throttle(self, realm_id: str) -> Response | None:
        """Count the call against the company's windows, or answer Intuit's XML 429 (not counted)."""
        with self._state:
            usage, now = self._companies[realm_id].usage, self.now()
            usage.minute.prune(now)
            usage.second.prune(now)
            if len(usage.minute) >= self.limits.per_minute or len(usage.second) >= self.limits.per_second:
                return Response(status=429, body=throttle_xml(now), headers={"Content-Type": "application/xml"})
            usage.minute.add(now)
            usage.second.add(now)
        return None

    # -- Accounting API handlers ---------------------------------------------------------------------------------

    def _query(self, request: Request) -> Response:
        realm_id = _API.match(request.path).group("realm")  # type: ignore[union-attr]  # dispatch() matched it
        text = request.arg("query") if request.method == "GET" else request.body.decode("utf-8", "replace")
        try:
            query = parse_query(text or "")
        except QueryError as exc:
            detail = f"QueryParserError: {exc}"
            return _json_response(fault_body("ValidationFault", "4000", "Error parsing query", detail, self.now()), 400)
        include_link = "invoicelink" in (request.arg("include") or "").lower()
        with self._state:
            company = self._companies[realm_id]
            records: dict[str, Iterable[Any]] = {
                "Invoice": company.invoices.values(),
                "Customer": company.customers.values(),
                "Payment": company.payments.values(),
            }
            rows = run_query(query, records[query.entity])
            body: dict[str, Any] = {}
            if query.count:
                body["totalCount"] = len(rows)
            else:
                page = rows[query.start - 1 : query.start - 1 + query.max_results]
                if page:
                    wire = [r.wire(include_link=include_link) if query.entity == "Invoice" else r.wire() for r in page]
                    body = {query.entity: wire, "startPosition": query.start, "maxResults": len(page)}
            return _json_response({"QueryResponse": body, "time": intuit_time(self.now())})

    def _cdc(self, request: Request) -> Response:
        realm_id = _API.match(request.path).group("realm")  # type: ignore[union-attr]  # dispatch() matched it
        entities = [e.strip() for e in (request.arg("entities") or "").split(",") if e.strip()]
        since_text = request.arg("changedSince") or ""
        now = self.now()
        try:
            since = _iso_instant(since_text)
        except ValueError:
            detail = f"changedSince is not a date and time: {since_text!r}"
            return _json_response(fault_body("ValidationFault", "2020", "Required param missing", detail, now), 400)
        if since < now - CDC_MAX_DAYS * 86_400:
            detail = f"changedSince must be within the last {CDC_MAX_DAYS} days"
            return _json_response(fault_body("ValidationFault", "2020", "Invalid changedSince", detail, now), 400)
        unknown = [e for e in entities if e not in ENTITY_FIELDS]
        if not entities or unknown:
            detail = f"unsupported entities {unknown or '(none)'}; this fake knows {sorted(ENTITY_FIELDS)}"
            return _json_response(fault_body("ValidationFault", "2020", "Invalid entities", detail, now), 400)
        with self._state:
            changes = self._changes(self._companies[realm_id], entities, since)
        responses = []
        for entity in entities:
            rows = [body for kind, _, body in changes if kind == entity]
            responses.append({entity: rows, "startPosition": 1, "maxResults": len(rows)} if rows else {})
        return _json_response({"CDCResponse": [{"QueryResponse": responses}], "time": intuit_time(now)})

    def _company_info(self, request: Request) -> Response:
        """`GET /companyinfo/{realmId}` (python-quickbooks `CompanyInfo.get`), shaped like Intuit's example."""
        match = _API.match(request.path)
        assert match is not None  # dispatch() matched it
        now = self.now()
        if match.group("id") != match.group("realm"):
            detail = f"Object Not Found : CompanyInfo {match.group('id')} does not exist in this company"
            return _json_response(fault_body("ValidationFault", "610", "Object Not Found", detail, now), 400)
        with self._state:
            body = {"CompanyInfo": self._companies[match.group("realm")].company_info(), "time": intuit_time(now)}
        return _json_response(body)

    def _payment(self, request: Request) -> Response:
        """`GET /payment/{id}` (python-quickbooks `Payment.get`): `{"Payment": {...}, "time"}`, or Intuit's 610."""
        match = _API.match(request.path)
        assert match is not None  # dispatch() matched it
        with self._state:
            payment = self._companies[match.group("realm")].payments.get(str(match.group("id")))
            body = {"Payment": payment.wire(), "time": intuit_time(self.now())} if payment else None
        if body is None:
            detail = f"Object Not Found : Payment {match.group('id')} does not exist in this company"
            return _json_response(fault_body("ValidationFault", "610", "Object Not Found", detail, self.now()), 400)
        return _json_response(body)

    def _preferences(self, request: Request) -> Response:
        """`GET /preferences` (python-quickbooks `Preferences.get`), shaped like Intuit's example."""
        realm_id = _API.match(request.path).group("realm")  # type: ignore[union-attr]  # dispatch() matched it
        with self._state:
            body = {"Preferences": self._companies[realm_id].preferences(), "time": intuit_time(self.now())}
        return _json_response(body)

    @staticmethod
    def _changes(company: _Company, entities: list[str], since: float) -> list[tuple[str, float, dict[str, Any]]]:
        """(entity, when, wire) of every change after `since`, oldest first, at most 1,000 (CDC's cap)."""
        changes: list[tuple[str, float, dict[str, Any]]] = []
        if "Invoice" in entities:
            changes += [("Invoice", i.updated, i.wire()) for i in company.invoices.values() if i.updated > since]
            for invoice_id, when in company.deleted_invoices.items():
                if when > since:
                    meta = {"LastUpdatedTime": intuit_time(when)}
                    changes.append(
                        ("Invoice", when, {"domain": "QBO", "status": "Deleted", "Id": invoice_id, "MetaData": meta})
                    )
        if "Customer" in entities:
            changes += [("Customer", c.updated, c.wire()) for c in company.customers.values() if c.updated > since]
        if "Payment" in entities:
            changes += [("Payment", p.updated, p.wire()) for p in company.payments.values() if p.updated > since]
        changes.sort(key=lambda change: change[1])
        return changes[:CDC_MAX_OBJECTS]

    # -- admin handlers -------------------------------------------------------------------------------------------

    @staticmethod
    def _groups(request: Request) -> dict[str, str]:
        assert request.match is not None
        return request.match.groupdict()

    def _admin_company(self, request: Request) -> Response:
        return self._admin(lambda: self.company_state(self._groups(request)["realm"]))

    def _admin_tokens(self, request: Request) -> Response:
        return self._admin(lambda: self.issue_tokens(self._groups(request)["realm"]), 201)

    def _admin_disconnect(self, request: Request) -> Response:
        realm_id = self._groups(request)["realm"]

        def disconnect() -> dict[str, str]:
            self._company(realm_id)
            self.disconnect(realm_id)
            return {"disconnected": realm_id}

        return self._admin(disconnect)

    def _admin_code(self, request: Request) -> Response:
        spec = request.json() or {}
        return self._admin(
            lambda: {"code": self.issue_authorization_code(str(spec["realmId"]), spec.get("redirectUri", ""))}
        )

    def _admin_pay(self, request: Request) -> Response:
        groups = self._groups(request)

        def pay() -> dict[str, Any]:
            invoice = self.pay(groups["realm"], groups["id"])
            self.notify_changed(groups["realm"], "Payment", invoice["LinkedTxn"][-1]["TxnId"], "created")
            return invoice

        return self._admin(pay)

    def _admin_payment(self, request: Request) -> Response:
        realm_id = self._groups(request)["realm"]
        spec = request.json() or {}

        def receive() -> dict[str, Any]:
            lines = [
                (str(line["invoiceId"]), money(line["amount"], "amount") if line.get("amount") is not None else None)
                for line in spec.get("lines") or []
            ]
            txn_date = iso_date(spec["txnDate"], "txnDate") if spec.get("txnDate") else None
            payment = self.receive_payment(realm_id, lines, txn_date)
            self.notify_changed(realm_id, "Payment", payment["Id"], "created")
            return payment

        return self._admin(receive, 201)

    def _admin_void(self, request: Request) -> Response:
        groups = self._groups(request)
        return self._admin(lambda: self._changed(groups, "Invoice", "voided", self.void(groups["realm"], groups["id"])))

    def _admin_delete(self, request: Request) -> Response:
        groups = self._groups(request)

        def delete() -> dict[str, str]:
            self.delete(groups["realm"], groups["id"])
            self.notify_changed(groups["realm"], "Invoice", groups["id"], "deleted")
            return {"deleted": groups["id"]}

        return self._admin(delete)

    def _admin_patch_invoice(self, request: Request) -> Response:
        groups = self._groups(request)
        return self._admin(
            lambda: self._changed(
                groups, "Invoice", "updated", self.patch_invoice(groups["realm"], groups["id"], request.json() or {})
            )
        )

    def _admin_patch_customer(self, request: Request) -> Response:
        groups = self._groups(request)
        return self._admin(
            lambda: self._changed(
                groups, "Customer", "updated", self.patch_customer(groups["realm"], groups["id"], request.json() or {})
            )
        )

    def _trigger_from(self, spec: dict[str, Any]) -> None:
        after_count = int(spec.get("after_count", 1))
        self.add_trigger(spec["after_path"], after_count, spec["action"], spec["realm_id"], spec["invoice_id"])

    # -- webhooks (the sender side) ------------------------------------------------------------------------------

    def configure_webhook(
        self, url: str | None, key: str, *, webhook_format: str = "cloudevents", auto_deliver: bool = True
    ) -> None:
        with self._webhook_lock:
            self._webhook = {"url": url, "key": key, "format": webhook_format, "auto": auto_deliver}

    def notify_changed(self, realm_id: str, entity: str, entity_id: str, verb: str = "updated") -> None:
        """Queue a change event (entity "Invoice" / "Customer" / "Payment", verb created / updated / deleted /
        voided)."""
        self._enqueue_webhook((realm_id, entity, entity_id, verb))

    def _webhook_body(self, pending: list[tuple[str, str, str, str]]) -> Any:
        """CloudEvents (a JSON array, one event per change) or the legacy eventNotifications shape."""
        now = dt.datetime.fromtimestamp(self.now(), dt.UTC)
        if self._webhook["format"] == "legacy":
            operations = {"updated": "Update", "created": "Create", "deleted": "Delete", "voided": "Void"}
            by_realm: dict[str, list[dict[str, str]]] = {}
            for realm, entity, entity_id, verb in pending:
                by_realm.setdefault(realm, []).append(
                    {
                        "name": entity,
                        "id": entity_id,
                        "operation": operations.get(verb, "Update"),
                        "lastUpdated": now.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                    }
                )
            return {
                "eventNotifications": [
                    {"realmId": realm, "dataChangeEvent": {"entities": entities}}
                    for realm, entities in by_realm.items()
                ]
            }
        return [
            {
                "specversion": "1.0",
                "id": str(uuid.uuid4()),
                "source": "intuit.dsnBgbseACLLRZNxo2dfc4evmEJdxde58xeeYcZliOU=",
                "type": f"qbo.{entity.lower()}.{verb}.v1",
                "datacontenttype": "application/json",
                "time": now.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                "intuitentityid": entity_id,
                "intuitaccountid": realm,
                "data": {},
            }
            for realm, entity, entity_id, verb in pending
        ]

    def _changed(self, groups: dict[str, str], entity: str, verb: str, result: Any) -> Any:
        self.notify_changed(groups["realm"], entity, groups["id"], verb)
        return result

    def _admin_webhook(self, request: Request) -> Response:
        spec = request.json() or {}
        self.configure_webhook(
            spec.get("url"),
            str(spec.get("key", "")),
            webhook_format=str(spec.get("format", "cloudevents")),
            auto_deliver=bool(spec.get("autoDeliver", True)),
        )
        return Response(body={"url": spec.get("url")})


limits_json = FakeQuickBooks.limits_json  # the PUT /limits answer as a function, for callers outside the class
