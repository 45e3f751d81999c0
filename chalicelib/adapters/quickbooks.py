"""Reads a connected QuickBooks Online company through python-quickbooks, into Lunas' domain types.

Why it looks the way it does:
- Requests go through our own transport (`quickbooks_transport.py`: pacing under Intuit's per-company limits, the
  bearer token, timeouts, the XML 429); this module decides what to read and what to do when a request fails:
  refresh the token once on 401, wait out throttles (bounded), retry 5xx briefly, turn `Fault`s into errors.
- Reads are metered by Intuit, so open invoices come 1,000 per query, customers and re-reads in batches of
  `Id IN (...)`, and `include=invoiceLink` brings the payment link with the invoice (no call per invoice).
  `changed_since` uses change data capture for incremental sync (see services/sync.py).
- Rows become domain types in `quickbooks_mapping.py`; tokens come from `quickbooks_oauth.py` (through the
  `AccessTokenProvider`).
- SDK exceptions never leave this module: they become `chalicelib.domain.errors`.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from quickbooks.exceptions import (
    AuthorizationException,
    QuickbooksException,
    SevereException,
    ValidationException,
)

from chalicelib.adapters.quickbooks_mapping import SOURCE, instant, map_company, map_customer, map_invoice
from chalicelib.adapters.quickbooks_transport import (
    BACKOFF_SECONDS,
    PRODUCTION_API_BASE,
    LunasQuickBooks,
    RequestPacer,
    Throttled,
    Transient,
    pacer_for,
)
from chalicelib.domain.changes import ChangeSet, ChangesUnavailable, Sweep
from chalicelib.domain.errors import AccountingError, AccountingRateLimited, ReconnectNeeded
from chalicelib.domain.models import CompanyProfile, Customer, Invoice, InvoiceStatus
from chalicelib.ports import AccessTokenProvider

log = logging.getLogger(__name__)

T = TypeVar("T")

PAGE_SIZE = 1000  # MAXRESULTS maximum
ID_BATCH = 100  # ids per `Id IN (...)`: keeps the query short
CDC_LIMIT = 1000  # CDC answers at most this many objects; a full answer may be truncated
OPEN_INVOICES = "SELECT * FROM Invoice WHERE Balance > '0' ORDERBY Id"
THROTTLE_WAIT_SECONDS = 60.0  # Intuit: wait 60 seconds after a 429
_THROTTLE_CODE = 3001


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


def linked_invoice_ids(payment: Mapping[str, Any]) -> tuple[str, ...]:
    """The invoices a Payment row pays: every `Line[].LinkedTxn[]` whose TxnType is `Invoice` (a line may also link
    a credit memo or a journal entry), in order, once each."""
    found: list[str] = []
    for line in payment.get("Line") or []:
        for txn in (line.get("LinkedTxn") or []) if isinstance(line, Mapping) else []:
            if isinstance(txn, Mapping) and txn.get("TxnType") == "Invoice" and txn.get("TxnId"):
                found.append(str(txn["TxnId"]))
    return tuple(dict.fromkeys(found))


def _batches(ids: Iterable[str], size: int = ID_BATCH) -> list[list[str]]:
    unique = list(dict.fromkeys(i for i in ids if i))
    return [unique[n : n + size] for n in range(0, len(unique), size)]


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

    # -- the port ------------------------------------------------------------------------------------------------------

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

    # -- incremental sync ----------------------------------------------------------------------------------------------

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
            as_of=instant(result.get("time")),
        )

    def company_profile(self) -> CompanyProfile:
        """The company's name, country and home currency (the connect flow): `CompanyInfo` and `Preferences`, one
        read each, through python-quickbooks (`CompanyInfo.get`, `Preferences.get`)."""
        from quickbooks.objects.company_info import CompanyInfo
        from quickbooks.objects.preferences import Preferences

        try:
            info = self._call("read company info", lambda: CompanyInfo.get(self.realm_id, qb=self._client))
            preferences = self._call("read preferences", lambda: Preferences.get(qb=self._client))
            return map_company(info, preferences)
        except (KeyError, AttributeError, TypeError):  # an answer without the entity the SDK looks for
            raise AccountingError("QuickBooks company info: unreadable answer") from None

    # -- payments (accounting webhooks; not in the port) --------------------------------------------------------------

    def invoices_paid_by(self, payment_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        """Payment id -> the invoices it pays (`Line[].LinkedTxn[]` with TxnType `Invoice`), read with one query per
        100 payments; a payment that no longer exists (deleted) is missing.
        https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/payment"""
        paid: dict[str, tuple[str, ...]] = {}
        for batch in _batches(payment_ids):
            select = f"SELECT * FROM Payment WHERE Id IN ({', '.join(map(_quote, batch))}) MAXRESULTS {PAGE_SIZE}"
            for row in self._query("read payments", select, "Payment", include_link=False)[0]:
                paid[str(row.get("Id"))] = linked_invoice_ids(row)
        return paid

    def remaining_calls_today(self) -> int | None:
        """QuickBooks limits per minute (500 per company), not per day: paced by the transport, no daily cap.
        https://developer.intuit.com/app/developer/qbo/docs/learn/limits-and-throttles"""
        return None

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

    # -- mapping (quickbooks_mapping.py) -------------------------------------------------------------------------------

    def _map_invoices(self, rows: Iterable[Mapping[str, Any]]) -> list[Invoice]:
        invoices = []
        for row in rows:
            invoice = map_invoice(row, connection_id=self.connection_id)
            if invoice is not None:
                invoices.append(invoice)
                self._links[invoice.invoice_id] = invoice.payment_link
        return invoices

    def _map_customer(self, row: Mapping[str, Any]) -> Customer:
        return map_customer(row, connection_id=self.connection_id, country=self.country)

    # -- calling QuickBooks --------------------------------------------------------------------------------------------

    def _query(
        self, what: str, select: str, entity: str, *, include_link: bool = True
    ) -> tuple[list[Mapping[str, Any]], dt.datetime | None]:
        """One SELECT (invoices with their payment link); (rows, company time of the answer). No entity key = no
        rows."""
        params = {"include": "invoiceLink"} if include_link else {}
        result = self._call(what, lambda: self._client.query(select, params=params))
        try:
            rows = list((result.get("QueryResponse") or {}).get(entity) or [])
        except AttributeError:
            raise AccountingError(f"QuickBooks {what}: unreadable answer") from None
        return rows, instant(result.get("time"))

    def _call(self, what: str, request: Callable[[], T]) -> T:
        """Run one SDK request: refresh once on 401, wait out 429s (bounded), retry 5xx briefly, map Faults."""
        attempts = _Attempts()
        while True:
            self._client.bearer = self._access_token(force_refresh=attempts.refresh_now)
            attempts.refresh_now = False
            try:
                return request()
            except Throttled as exc:
                self._after_throttle(what, exc.retry_after, exc.detail, attempts)
            except Transient as exc:
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
        delay = BACKOFF_SECONDS[min(attempts.failures - 1, len(BACKOFF_SECONDS) - 1)]
        log.warning("QuickBooks %s: %s, retrying in %gs", what, detail, delay)
        self._sleep(delay)
