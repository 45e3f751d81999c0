"""Reads a connected QuickBooks Online company through python-quickbooks and intuit-oauth, into Lunas' domain types.

Why it looks the way it does:
- python-quickbooks builds the URLs (`/v3/company/{realmId}/query`, `/cdc`), adds `minorversion` and turns Intuit's
  `Fault` bodies (even on HTTP 200) into exceptions. The transport underneath is ours (`LunasQuickBooks.
  process_request`): it paces requests under the per-company limits, sends this connection's bearer token, applies
  timeouts, and spots the 429 whose body is XML even when JSON was asked for, before the SDK tries to parse it.
- Reads are metered by Intuit, so open invoices come 1,000 per query, customers and re-reads in batches of
  `Id IN (...)`, and `include=invoiceLink` brings the payment link with the invoice (no call per invoice).
  `changed_since` uses change data capture for incremental sync (see services/sync.py).
- intuit-oauth's AuthClient GETs a discovery document in its constructor; `_StaticDiscoveryAuthClient` answers that
  GET from static values, so refreshing a token is exactly one POST.
- SDK exceptions never leave this module: they become `chalicelib.domain.errors`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar
from xml.etree import ElementTree

import requests
from intuitlib.client import AuthClient
from intuitlib.exceptions import AuthClientError
from quickbooks import QuickBooks
from quickbooks.exceptions import (
    AuthorizationException,
    QuickbooksException,
    SevereException,
    ValidationException,
)

from chalicelib.clock import Monotonic, monotonic
from chalicelib.domain.changes import ChangeSet, ChangesUnavailable, Sweep
from chalicelib.domain.errors import AccountingError, AccountingRateLimited, ReconnectNeeded
from chalicelib.domain.models import Customer, Invoice, InvoiceStatus, Money, Reason
from chalicelib.domain.phones import PhoneResult, mask_phone, normalise_phone
from chalicelib.ports import AccessTokenProvider, OAuthTokens

log = logging.getLogger(__name__)

T = TypeVar("T")

SOURCE = "quickbooks"
MINOR_VERSION = 75  # 1-74 are deprecated since 1 Aug 2025
PAGE_SIZE = 1000  # MAXRESULTS maximum
ID_BATCH = 100  # ids per `Id IN (...)`: keeps the query short
CDC_LIMIT = 1000  # CDC answers at most this many objects; a full answer may be truncated
OPEN_INVOICES = "SELECT * FROM Invoice WHERE Balance > '0' ORDERBY Id"
PRODUCTION_API_BASE = "https://quickbooks.api.intuit.com"
THROTTLE_WAIT_SECONDS = 60.0  # Intuit: wait 60 seconds after a 429
_BACKOFF_SECONDS = (0.5, 1.0, 2.0, 4.0)
_THROTTLE_CODE = 3001

# Intuit's published production discovery document (api-facts.md §2.1), so constructing AuthClient costs no GET.
PRODUCTION_DISCOVERY: Mapping[str, str] = {
    "issuer": "https://oauth.platform.intuit.com/op/v1",
    "authorization_endpoint": "https://appcenter.intuit.com/connect/oauth2",
    "token_endpoint": "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
    "userinfo_endpoint": "https://accounts.platform.intuit.com/v1/openid_connect/userinfo",
    "revocation_endpoint": "https://developer.api.intuit.com/v2/oauth2/tokens/revoke",
    "jwks_uri": "https://oauth.platform.intuit.com/op/v1/jwks",
}
PRODUCTION_DISCOVERY_URL = "https://developer.intuit.com/.well-known/openid_configuration/"


def static_discovery(*, token_url: str, revoke_url: str, authorize_url: str) -> dict[str, str]:
    """Intuit's discovery document with these endpoints (the sandbox points them at the fake)."""
    return {
        **PRODUCTION_DISCOVERY,
        "token_endpoint": token_url,
        "revocation_endpoint": revoke_url,
        "authorization_endpoint": authorize_url,
    }


# -- pacing -----------------------------------------------------------------------------------------------------


class RequestPacer:
    """Keeps one company's requests under Intuit's limits (10/s, 500/min) by waiting before a call, not after a 429.

    The defaults leave a little headroom (9/s, 480/min) for clock differences. Clock and sleep are injectable so
    tests never really wait. Thread-safe; share one per company within a process.
    """

    def __init__(
        self,
        *,
        per_second: int = 9,
        per_minute: int = 480,
        clock: Monotonic = monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._windows = ((deque[float](), 1.0, per_second), (deque[float](), 60.0, per_minute))
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self.waited = 0.0  # seconds spent waiting, for logs and tests

    def acquire(self) -> None:
        with self._lock:
            while (wait := self._wait_needed(self._clock())) > 0:
                self.waited += wait
                self._sleep(wait)
            now = self._clock()
            for calls, _, _ in self._windows:
                calls.append(now)

    def _wait_needed(self, now: float) -> float:
        wait = 0.0
        for calls, seconds, limit in self._windows:
            while calls and calls[0] <= now - seconds:
                calls.popleft()
            if len(calls) >= limit:
                wait = max(wait, calls[0] + seconds - now)
        return wait


_pacers: dict[str, RequestPacer] = {}
_pacers_lock = threading.Lock()


def pacer_for(realm_id: str) -> RequestPacer:
    """The process-wide pacer of one company (a warm Lambda may serve the same company twice)."""
    with _pacers_lock:
        return _pacers.setdefault(realm_id, RequestPacer())


# -- transport --------------------------------------------------------------------------------------------------


class _Throttled(Exception):
    def __init__(self, retry_after: float | None, detail: str) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
        self.detail = detail


class _Transient(Exception):
    """5xx or a transport error: worth a short retry."""


def _throttle_detail(body: str) -> str:
    """The Message of Intuit's throttle fault, read defensively from XML or JSON."""
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return body[:120]
    message = next((e.text for e in root.iter() if e.tag.rsplit("}", 1)[-1] == "Message"), None)
    return (message or "throttled").strip()


def _retry_after(headers: Mapping[str, str]) -> float | None:
    try:
        return float(headers["Retry-After"])
    except (KeyError, ValueError):
        return None


class LunasQuickBooks(QuickBooks):  # type: ignore[misc]  # python-quickbooks is untyped
    """python-quickbooks with a configurable API base and our own transport (see the module docstring).

    Build it with `LunasQuickBooks.for_company()`; the SDK's own session and token refresh are never used.
    """

    api_url_v3 = PRODUCTION_API_BASE + "/v3"
    sandbox_api_url_v3 = PRODUCTION_API_BASE + "/v3"

    http: requests.Session
    pacer: RequestPacer
    timeout: tuple[float, float]
    bearer: str
    last_status: int

    @classmethod
    def for_company(
        cls, *, realm_id: str, api_base: str, pacer: RequestPacer, timeout_seconds: float
    ) -> LunasQuickBooks:
        client: LunasQuickBooks = cls(company_id=realm_id, minorversion=MINOR_VERSION, use_decimal=True)
        client.api_url_v3 = client.sandbox_api_url_v3 = api_base.rstrip("/") + "/v3"
        client.http = requests.Session()
        client.pacer = pacer
        client.timeout = (min(5.0, timeout_seconds), timeout_seconds)
        client.bearer = ""
        client.last_status = 0
        return client

    def process_request(
        self, request_type: str, url: str, headers: Any = "", params: Any = "", data: Any = ""
    ) -> requests.Response:
        self.pacer.acquire()
        sent_headers = {**(headers or {}), "Authorization": f"Bearer {self.bearer}"}
        try:
            response = self.http.request(
                request_type, url, headers=sent_headers, params=params, data=data, timeout=self.timeout
            )
        except requests.RequestException as exc:
            self.last_status = 0
            raise _Transient(f"transport error ({type(exc).__name__})") from None
        self.last_status = response.status_code
        is_xml = "xml" in response.headers.get("Content-Type", "").lower()
        if response.status_code == 429 or (is_xml and "ThrottleExceeded" in response.text):
            raise _Throttled(_retry_after(response.headers), _throttle_detail(response.text))
        if response.status_code >= 500:
            raise _Transient(f"HTTP {response.status_code}")
        return response


# -- the gateway ------------------------------------------------------------------------------------------------


@dataclass
class _Attempts:
    refresh_now: bool = False
    refreshed: bool = False
    rate_waits: int = 0
    failures: int = 0


class QuickBooksFault(AccountingError):
    """Intuit answered with a `Fault` (validation, not found, unsupported...): retrying will not help."""

    def __init__(self, message: str, *, code: int, fault_type: str) -> None:
        super().__init__(message)
        self.code = code
        self.fault_type = fault_type


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _batches(ids: Iterable[str], size: int = ID_BATCH) -> list[list[str]]:
    unique = list(dict.fromkeys(i for i in ids if i))
    return [unique[n : n + size] for n in range(0, len(unique), size)]


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value if value is not None else 0))
    except InvalidOperation:
        raise AccountingError(f"QuickBooks: not an amount: {value!r}") from None


def _instant(value: Any) -> dt.datetime | None:
    """Intuit writes instants with an offset (`2026-11-19T10:22:15-08:00`); returned in UTC."""
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone(dt.timedelta(hours=-8)))
    return parsed.astimezone(dt.UTC)


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _ref(row: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = row.get(key)
    return value if isinstance(value, Mapping) else {}


class QuickBooksAccountingGateway:
    """`chalicelib.ports.AccountingGateway` for one QuickBooks Online company, plus `sweep()` / `changed_since()`
    for incremental sync and `payment_link()`."""

    source = SOURCE

    def __init__(
        self,
        *,
        connection_id: str,
        realm_id: str,
        country: str,
        access_token: AccessTokenProvider,
        api_base: str = PRODUCTION_API_BASE,
        pacer: RequestPacer | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_rate_waits: int = 2,
        max_attempts: int = 3,
        timeout_seconds: float = 30,
    ) -> None:
        self.connection_id = connection_id
        self.realm_id = realm_id
        self.country = country.upper()
        self._access_token = access_token
        self._sleep = sleep
        self._max_rate_waits = max_rate_waits
        self._max_attempts = max_attempts
        self._client = LunasQuickBooks.for_company(
            realm_id=realm_id,
            api_base=api_base,
            pacer=pacer or pacer_for(realm_id),
            timeout_seconds=timeout_seconds,
        )
        self._links: dict[str, str | None] = {}

    # -- the port -------------------------------------------------------------------------------------------------

    def open_invoices(self) -> list[Invoice]:
        return list(self.sweep().invoices)

    def invoices_by_id(self, invoice_ids: Sequence[str]) -> list[Invoice]:
        invoices: list[Invoice] = []
        for batch in _batches(invoice_ids):
            select = f"SELECT * FROM Invoice WHERE Id IN ({', '.join(map(_quote, batch))}) MAXRESULTS {PAGE_SIZE}"
            invoices.extend(self._map_invoices(self._query("re-read invoices", select, "Invoice")[0]))
        return invoices

    def customers(self, customer_ids: Sequence[str]) -> dict[str, Customer]:
        customers: dict[str, Customer] = {}
        for batch in _batches(customer_ids):
            # Without `Active IN (...)` QuickBooks leaves inactive customers out, though their invoices stay open.
            select = (
                "SELECT * FROM Customer WHERE Active IN (true, false) "
                f"AND Id IN ({', '.join(map(_quote, batch))}) MAXRESULTS {PAGE_SIZE}"
            )
            for row in self._query("read customers", select, "Customer")[0]:
                customer = self._map_customer(row)
                customers[customer.customer_id] = customer
        return customers

    # -- incremental sync ------------------------------------------------------------------------------------------

    def sweep(self) -> Sweep:
        """Every open invoice (Balance > 0), 1,000 per query, and the company time the sweep started at."""
        invoices: list[Invoice] = []
        as_of: dt.datetime | None = None
        start = 1
        while True:
            select = f"{OPEN_INVOICES} STARTPOSITION {start} MAXRESULTS {PAGE_SIZE}"
            rows, served_at = self._query("list open invoices", select, "Invoice")
            as_of = as_of or served_at
            invoices.extend(i for i in self._map_invoices(rows) if i.status is InvoiceStatus.OPEN)
            if len(rows) < PAGE_SIZE:
                return Sweep(invoices=tuple(invoices), as_of=as_of)
            start += PAGE_SIZE

    def changed_since(self, since: dt.datetime) -> ChangeSet:
        """Invoices and customers changed since `since`, through change data capture (one metered call).

        Raises:
            ChangesUnavailable: `since` is beyond CDC's 30 days, or the answer may be truncated (1,000 objects).
        """
        stamp = since.astimezone(dt.UTC).isoformat(timespec="seconds")
        try:
            result = self._call("read changes", lambda: self._client.change_data_capture("Invoice,Customer", stamp))
        except QuickBooksFault as exc:
            raise ChangesUnavailable(f"QuickBooks change data capture refused: {exc}") from None
        lists = self._cdc_lists(result)
        if sum(len(rows) for rows in lists.values()) >= CDC_LIMIT:
            raise ChangesUnavailable("QuickBooks change data capture hit its 1,000-object cap")
        invoice_rows = [r for r in lists.get("Invoice", []) if r.get("status") != "Deleted"]
        deleted = frozenset(str(r.get("Id")) for r in lists.get("Invoice", []) if r.get("status") == "Deleted")
        return ChangeSet(
            invoices=tuple(self._with_links(self._map_invoices(invoice_rows))),
            customers=tuple(self._map_customer(r) for r in lists.get("Customer", []) if r.get("status") != "Deleted"),
            deleted_invoice_ids=deleted,
            as_of=_instant(result.get("time")),
        )

    def payment_link(self, invoice_id: str) -> str | None:
        """The invoice's customer-facing link (pay online), re-read in one call if this gateway has not seen it."""
        if invoice_id not in self._links:
            self.invoices_by_id([invoice_id])
        return self._links.get(invoice_id)

    def _with_links(self, invoices: list[Invoice]) -> list[Invoice]:
        """CDC rows come without InvoiceLink: re-read the open ones (batched) to get it."""
        missing = [i.invoice_id for i in invoices if i.status is InvoiceStatus.OPEN and i.payment_link is None]
        if not missing:
            return invoices
        fresh = {i.invoice_id: i for i in self.invoices_by_id(missing)}
        return [fresh.get(i.invoice_id, i) for i in invoices]

    @staticmethod
    def _cdc_lists(result: Mapping[str, Any]) -> dict[str, list[Mapping[str, Any]]]:
        lists: dict[str, list[Mapping[str, Any]]] = {}
        try:
            for block in result.get("CDCResponse") or []:
                for response in block.get("QueryResponse") or []:
                    for entity in ("Invoice", "Customer"):
                        lists.setdefault(entity, []).extend(response.get(entity) or [])
        except AttributeError:
            raise AccountingError("QuickBooks change data capture: unreadable answer") from None
        return lists

    # -- mapping --------------------------------------------------------------------------------------------------

    def _map_invoices(self, rows: Iterable[Mapping[str, Any]]) -> list[Invoice]:
        invoices = []
        for row in rows:
            invoice = self._map_invoice(row)
            if invoice is not None:
                invoices.append(invoice)
                self._links[invoice.invoice_id] = invoice.payment_link
        return invoices

    def _map_invoice(self, row: Mapping[str, Any]) -> Invoice | None:
        due = _date(row.get("DueDate"))
        if due is None:  # never reminded; the caller treats it like a deleted one
            log.debug("skipping QuickBooks invoice %s without a due date", row.get("Id"))
            return None
        balance = _decimal(row.get("Balance"))
        customer = _ref(row, "CustomerRef")
        currency = str(_ref(row, "CurrencyRef").get("value") or "").upper()
        link = row.get("InvoiceLink")
        return Invoice(
            source=SOURCE,
            connection_id=self.connection_id,
            invoice_id=str(row.get("Id")),
            number=str(row.get("DocNumber") or row.get("Id")),
            customer_id=str(customer.get("value") or ""),
            customer_name=str(customer.get("name") or ""),
            due_date=due,
            amount_due=Money(balance, currency),
            status=self._status(row, balance),
            payment_link=str(link) if link else None,
            issue_date=_date(row.get("TxnDate")),
            updated_at=_instant(_ref(row, "MetaData").get("LastUpdatedTime")),
        )

    @staticmethod
    def _status(row: Mapping[str, Any], balance: Decimal) -> InvoiceStatus:
        if balance > 0:
            return InvoiceStatus.OPEN
        voided = "voided" in str(row.get("PrivateNote") or "").lower() and _decimal(row.get("TotalAmt")) == 0
        return InvoiceStatus.VOIDED if voided else InvoiceStatus.PAID

    def _map_customer(self, row: Mapping[str, Any]) -> Customer:
        result = self._best_phone(row)
        customer_id = str(row.get("Id"))
        if result.problem is not None:
            log.info("QuickBooks customer %s: %s (%s)", customer_id, result.problem.value, result.detail)
        else:
            log.debug("QuickBooks customer %s: phone %s", customer_id, mask_phone(result.e164))
        return Customer(
            source=SOURCE,
            connection_id=self.connection_id,
            customer_id=customer_id,
            name=str(row.get("DisplayName") or ""),
            phone=result.e164,
            phone_problem=result.problem,
        )

    def _best_phone(self, row: Mapping[str, Any]) -> PhoneResult:
        """Mobile first, then PrimaryPhone; free text read in the organisation's country; landlines refused."""
        raws = [_ref(row, key).get("FreeFormNumber") for key in ("Mobile", "PrimaryPhone")]
        results = [normalise_phone(str(raw), self.country) for raw in raws if raw]
        for result in results:
            if result.ok:
                return result
        tried = [r for r in results if r.problem == Reason.INVALID_PHONE]
        return tried[0] if tried else PhoneResult(None, Reason.NO_PHONE, "no Mobile or PrimaryPhone number")

    # -- calling QuickBooks ---------------------------------------------------------------------------------------

    def _query(self, what: str, select: str, entity: str) -> tuple[list[Mapping[str, Any]], dt.datetime | None]:
        """One SELECT (with the payment link); (rows, company time of the answer). No entity key = no rows."""
        result = self._call(what, lambda: self._client.query(select, params={"include": "invoiceLink"}))
        try:
            rows = list((result.get("QueryResponse") or {}).get(entity) or [])
        except AttributeError:
            raise AccountingError(f"QuickBooks {what}: unreadable answer") from None
        return rows, _instant(result.get("time"))

    def _call(self, what: str, request: Callable[[], T]) -> T:
        """Run one SDK request: refresh once on 401, wait out 429s (bounded), retry 5xx briefly, map Faults."""
        attempts = _Attempts()
        while True:
            self._client.bearer = self._access_token(force_refresh=attempts.refresh_now)
            attempts.refresh_now = False
            try:
                return request()
            except _Throttled as exc:
                self._after_throttle(what, exc.retry_after, exc.detail, attempts)
            except _Transient as exc:
                self._after_transient(what, str(exc), attempts)
            except AuthorizationException as exc:
                self._after_auth_error(what, exc, attempts)
            except SevereException as exc:
                self._after_severe(what, exc, attempts)
            except QuickbooksException as exc:
                self._after_fault(what, exc, attempts)

    def _after_auth_error(self, what: str, exc: AuthorizationException, attempts: _Attempts) -> None:
        status = self._client.last_status
        if status == 401 and not attempts.refreshed:
            log.info("QuickBooks %s: access token rejected, refreshing once", what)
            attempts.refreshed = attempts.refresh_now = True
            return
        if status == 403:
            raise ReconnectNeeded(f"QuickBooks {what}: company {self.realm_id} is no longer authorised (HTTP 403)")
        raise AccountingError(f"QuickBooks {what}: authentication failed (HTTP {status}, code {exc.error_code})")

    def _after_severe(self, what: str, exc: SevereException, attempts: _Attempts) -> None:
        self._after_transient(what, f"Intuit error {exc.error_code}", attempts)

    def _after_fault(self, what: str, exc: QuickbooksException, attempts: _Attempts) -> None:
        status = self._client.last_status
        if status == 403:
            raise ReconnectNeeded(f"QuickBooks {what}: company {self.realm_id} is no longer authorised (HTTP 403)")
        if str(exc.message).startswith(("Error reading json response", "Error returned with status code")):
            # Not JSON, or not a Fault: the SDK put the whole body in the message; keep it out of ours.
            raise AccountingError(f"QuickBooks {what}: unreadable answer (HTTP {status})") from None
        code = int(exc.error_code or 0) if str(exc.error_code or "0").isdigit() else 0
        if code == _THROTTLE_CODE:  # the throttle, as a JSON Fault this time
            self._after_throttle(what, None, str(exc.message), attempts)
            return
        fault_type = "ValidationFault" if isinstance(exc, ValidationException) else type(exc).__name__
        message = f"QuickBooks {what}: {exc.message} (code {code or exc.error_code}, HTTP {status})"
        raise QuickBooksFault(message, code=code, fault_type=fault_type) from None

    def _after_throttle(self, what: str, retry_after: float | None, detail: str, attempts: _Attempts) -> None:
        wait = THROTTLE_WAIT_SECONDS if retry_after is None else retry_after
        if attempts.rate_waits >= self._max_rate_waits:
            raise AccountingRateLimited(
                f"QuickBooks {what}: throttled {attempts.rate_waits + 1} times ({detail})",
                retry_after_seconds=wait,
                problem="throttle",
            )
        attempts.rate_waits += 1
        log.warning("QuickBooks %s: throttled (%s), waiting %gs", what, detail, wait)
        self._sleep(wait)

    def _after_transient(self, what: str, detail: str, attempts: _Attempts) -> None:
        attempts.failures += 1
        if attempts.failures >= self._max_attempts:
            raise AccountingError(f"QuickBooks {what} failed after {attempts.failures} attempts: {detail}")
        delay = _BACKOFF_SECONDS[min(attempts.failures - 1, len(_BACKOFF_SECONDS) - 1)]
        log.warning("QuickBooks %s: %s, retrying in %gs", what, detail, delay)
        self._sleep(delay)


# -- tokens -----------------------------------------------------------------------------------------------------


class _StaticDiscoveryAuthClient(AuthClient):  # type: ignore[misc]  # intuit-oauth is untyped
    """intuit-oauth's AuthClient, but the discovery GET of its constructor is answered from static values.

    (Patching `intuitlib.client.get_discovery_doc` would do the same for every AuthClient in the process.)
    """

    def __init__(self, *, client_id: str, client_secret: str, redirect_uri: str, discovery: Mapping[str, str]) -> None:
        self._discovery_url = PRODUCTION_DISCOVERY_URL
        self._discovery = dict(discovery)
        super().__init__(client_id, client_secret, redirect_uri, environment=self._discovery_url)

    def get(self, url: Any, **kwargs: Any) -> requests.Response:
        if url == self._discovery_url:
            response = requests.Response()
            response.status_code = 200
            response._content = json.dumps(self._discovery).encode()
            return response
        return super().get(url, **kwargs)  # type: ignore[no-any-return]


class QuickBooksTokenRefresher:
    """`chalicelib.ports.TokenRefresher` for Intuit: intuit-oauth with configurable endpoints and no discovery GET.

    Intuit may hand back a new refresh token on any refresh: the caller must store the one returned.
    """

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        token_url: str = PRODUCTION_DISCOVERY["token_endpoint"],
        revoke_url: str = PRODUCTION_DISCOVERY["revocation_endpoint"],
        authorize_url: str = PRODUCTION_DISCOVERY["authorization_endpoint"],
        redirect_uri: str = "",
        now: Callable[[], dt.datetime],  # the business clock: expiry is compared with it (bootstrap's Clock.now)
        sleep: Callable[[float], None] = time.sleep,
        max_attempts: int = 2,
    ) -> None:
        self._client_id = client_id
        self._client_secret = client_secret
        self._discovery = static_discovery(token_url=token_url, revoke_url=revoke_url, authorize_url=authorize_url)
        self._redirect_uri = redirect_uri
        self._now = now
        self._sleep = sleep
        self._max_attempts = max_attempts

    def auth_client(self) -> Any:
        """A fresh intuit-oauth client (one per exchange: it keeps the tokens it receives as attributes)."""
        return _StaticDiscoveryAuthClient(
            client_id=self._client_id,
            client_secret=self._client_secret,
            redirect_uri=self._redirect_uri,
            discovery=self._discovery,
        )

    def refresh(self, refresh_token: str) -> OAuthTokens:
        # Retrying with the same token is safe: Intuit keeps a superseded refresh token working for about a day.
        return self._exchange("token refresh", lambda client: client.refresh(refresh_token=refresh_token))

    def exchange_code(self, code: str, realm_id: str) -> OAuthTokens:
        """The authorization code from the connect callback -> the first token set."""
        return self._exchange("code exchange", lambda client: client.get_bearer_token(code, realm_id=realm_id))

    def _exchange(self, what: str, call: Callable[[Any], None]) -> OAuthTokens:
        for attempt in range(1, self._max_attempts + 1):
            client = self.auth_client()
            try:
                call(client)
                return self._tokens(client)
            except AuthClientError as exc:
                self._raise_unless_transient(what, exc)
            except requests.RequestException as exc:
                log.warning("Intuit %s: transport error (%s)", what, type(exc).__name__)
            except ValueError:
                raise AccountingError(f"Intuit {what}: unreadable answer") from None
            if attempt < self._max_attempts:
                self._sleep(_BACKOFF_SECONDS[attempt - 1])
        raise AccountingError(f"Intuit token endpoint unreachable ({what})")

    @staticmethod
    def _raise_unless_transient(what: str, exc: AuthClientError) -> None:
        status = int(exc.status_code or 0)
        if 0 < status < 500:
            error = _oauth_error(exc.content)
            if error == "invalid_grant":
                raise ReconnectNeeded(f"Intuit refused the grant in {what} (invalid_grant): reconnect needed") from None
            raise AccountingError(f"Intuit {what}: HTTP {status} {error}".rstrip()) from None
        log.warning("Intuit %s: HTTP %s", what, status)

    def _tokens(self, client: Any) -> OAuthTokens:
        try:
            expires_in = int(client.expires_in)
            if not (client.access_token and client.refresh_token):
                raise ValueError("missing token")
            return OAuthTokens(
                access_token=str(client.access_token),
                refresh_token=str(client.refresh_token),
                expires_at=self._now() + dt.timedelta(seconds=expires_in),
                scope="com.intuit.quickbooks.accounting",
            )
        except (TypeError, ValueError):
            raise AccountingError("Intuit token endpoint: unreadable answer") from None


def _oauth_error(body: Any) -> str:
    try:
        return str(json.loads(body or b"{}").get("error") or "")
    except (ValueError, AttributeError):
        return ""
