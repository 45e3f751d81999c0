"""Reads a connected Xero organisation through xero-python and translates it into Lunas' domain types.

Why it looks the way it does:
- Token state is per gateway (`xero_client.py`): each gateway has its own bearer header, fed by the
  `AccessTokenProvider` (which owns refreshing and persisting rotated tokens, through `xero_oauth.py`).
- Xero's limits are tight (60/min, 5,000 or 1,000 a day per tenant), so invoices are read 1,000 per page, contacts
  in batches of 50 ids, and online-invoice links only for invoices that are about to be reminded, cached.
- This module decides what to read and what to do when a request fails (refresh once on 401, honour 429, retry 5xx
  briefly); `xero_mapping.py` turns what comes back into domain types.
- SDK exceptions never leave this module: they become `chalicelib.domain.errors`.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import urllib3
from xero_python.accounting import AccountingApi
from xero_python.exceptions import ApiException

from chalicelib.adapters.xero_client import BACKOFF_SECONDS, BearerAuth, api_client, http_status
from chalicelib.adapters.xero_mapping import SOURCE, map_customer, map_invoice, map_organisation
from chalicelib.domain.changes import ChangeSet, Sweep
from chalicelib.domain.errors import AccountingError, AccountingRateLimited, ReconnectNeeded
from chalicelib.domain.models import CompanyProfile, Customer, Invoice
from chalicelib.observability import count
from chalicelib.ports import AccessTokenProvider

log = logging.getLogger(__name__)

T = TypeVar("T")

OPEN_INVOICES_WHERE = 'Type=="ACCREC" AND AmountDue>0'
PAGE_SIZE = 1000  # Xero's maximum; 100 is the default
ID_BATCH = 50  # about 52 GUIDs fit in Xero's URL limit


def _batches(ids: Iterable[str], size: int = ID_BATCH) -> list[list[str]]:
    unique = list(dict.fromkeys(i for i in ids if i))
    return [unique[n : n + size] for n in range(0, len(unique), size)]


def _retry_after(headers: Any) -> float | None:
    raw = headers.get("Retry-After") if headers is not None else None
    try:
        return float(raw) if raw is not None else None
    except ValueError:
        return None


@dataclass
class _Attempts:
    refreshed: bool = False  # the one forced refresh this call is allowed has happened
    refresh_next: bool = False
    rate_waits: int = 0
    failures: int = 0


class _ClientError(AccountingError):
    """A 4xx other than 401/429: retrying will not help."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class XeroAccountingGateway:
    """`chalicelib.ports.AccountingGateway` for one Xero tenant.

    `payment_link()`: Xero's online-invoice URL costs one call per invoice, so it is fetched only when a customer opens
    a reminder's pay link (services/payments.py), never in the send loop, and cached per gateway.
    """

    source = SOURCE

    def __init__(
        self,
        *,
        connection_id: str,
        tenant_id: str,
        country: str,
        access_token: AccessTokenProvider,
        api_base: str = "https://api.xero.com",
        sleep: Callable[[float], None] = time.sleep,
        max_retry_wait_seconds: float = 60,
        max_rate_waits: int = 3,
        max_attempts: int = 3,
        timeout_seconds: float = 30,
    ) -> None:
        self.connection_id = connection_id
        self.tenant_id = tenant_id
        self.country = country.upper()
        self._access_token = access_token
        self._sleep = sleep
        self._max_retry_wait = max_retry_wait_seconds
        self._max_rate_waits = max_rate_waits
        self._max_attempts = max_attempts
        self._timeout = (min(5.0, timeout_seconds), timeout_seconds)
        self._auth = BearerAuth()
        self._api = AccountingApi(api_client(self._auth), base_url=api_base.rstrip("/") + "/api.xro/2.0")
        self._links: dict[str, str | None] = {}
        self._day_remaining: int | None = None

    # -- the port ------------------------------------------------------------------------------------------------------

    def open_invoices(self) -> list[Invoice]:
        invoices: list[Invoice] = []
        page = 1
        while True:
            result = self._call(
                "list open invoices",
                functools.partial(
                    self._api.get_invoices,
                    self.tenant_id,
                    statuses=["AUTHORISED"],
                    where=OPEN_INVOICES_WHERE,
                    page=page,
                    page_size=PAGE_SIZE,
                    _request_timeout=self._timeout,
                ),
            )
            rows = result.invoices or []
            invoices.extend(self._map_invoices(rows))
            if self._last_page(result, page, len(rows)):
                return invoices
            page += 1

    def invoices_by_id(self, invoice_ids: Sequence[str]) -> list[Invoice]:
        invoices: list[Invoice] = []
        for batch in _batches(invoice_ids):
            result = self._call(
                "re-read invoices",
                functools.partial(
                    self._api.get_invoices,
                    self.tenant_id,
                    i_ds=batch,
                    page=1,
                    page_size=PAGE_SIZE,
                    _request_timeout=self._timeout,
                ),
            )
            invoices.extend(self._map_invoices(result.invoices or []))
        return invoices

    def customers(self, customer_ids: Sequence[str]) -> dict[str, Customer]:
        customers: dict[str, Customer] = {}
        for batch in _batches(customer_ids):
            result = self._call(
                "read contacts",
                functools.partial(
                    self._api.get_contacts,
                    self.tenant_id,
                    i_ds=batch,
                    include_archived=True,
                    _request_timeout=self._timeout,
                ),
            )
            for contact in result.contacts or []:
                customer = self._map_customer(contact)
                customers[customer.customer_id] = customer
        return customers

    # -- incremental sync (services/sync.py; not in the port) ----------------------------------------------------------

    def sweep(self) -> Sweep:
        """Every open invoice; the cursor is the newest UpdatedDateUTC among them, on Xero's own clock."""
        invoices = self.open_invoices()
        return Sweep(invoices=tuple(invoices), as_of=_newest(i.updated_at for i in invoices))

    def changed_since(self, since: dt.datetime) -> ChangeSet:
        """Sales invoices and contacts changed since `since` (`If-Modified-Since`), whatever their status now.

        Paid, voided and deleted invoices come back with their new status, so the caller can drop them.
        """
        invoices = [
            invoice
            for rows in self._changed_pages("list changed invoices", self._api.get_invoices, "invoices", since)
            for invoice in self._map_invoices(rows)
        ]
        contacts = [
            contact
            for rows in self._changed_pages("list changed contacts", self._api.get_contacts, "contacts", since)
            for contact in rows
        ]
        newest = _newest([since, *(i.updated_at for i in invoices), *(c.updated_date_utc for c in contacts)])
        return ChangeSet(
            invoices=tuple(invoices),
            customers=tuple(self._map_customer(c) for c in contacts if c.is_customer is not False),
            as_of=newest,
        )

    def _changed_pages(self, what: str, read: Callable[..., Any], key: str, since: dt.datetime) -> list[list[Any]]:
        pages: list[list[Any]] = []
        extra = {"where": 'Type=="ACCREC"'} if key == "invoices" else {"include_archived": True}
        while True:
            page = len(pages) + 1
            result = self._call(
                what,
                functools.partial(
                    read,
                    self.tenant_id,
                    if_modified_since=since,
                    page=page,
                    page_size=PAGE_SIZE,
                    _request_timeout=self._timeout,
                    **extra,
                ),
            )
            pages.append(list(getattr(result, key) or []))
            if self._last_page(result, page, len(pages[-1])):
                return pages

    # -- the organisation (the connect flow; not in the port) ---------------------------------------------------------

    def organisation_profile(self) -> CompanyProfile:
        """The organisation's country, base currency and time zone: one `GET /Organisation` (xero-python
        `get_organisations`; needs the `accounting.settings.read` scope).
        https://developer.xero.com/documentation/api/accounting/organisation"""
        result = self._call(
            "read organisation",
            functools.partial(self._api.get_organisations, self.tenant_id, _request_timeout=self._timeout),
        )
        rows = result.organisations or []
        return map_organisation(rows[0]) if rows else CompanyProfile()

    def own_reminders_enabled(self) -> bool | None:
        """Whether Xero's own invoice reminders are switched on (`chalicelib.ports.OwnRemindersReader`): one
        `GET /InvoiceReminders/Settings` (xero-python `get_invoice_reminders`, `accounting.settings.read`).
        https://developer.xero.com/documentation/api/accounting/invoicereminders
        None when Xero did not say (refused, busy, unreadable): the owner is then not warned."""
        try:
            result = self._call(
                "read invoice reminder settings",
                functools.partial(self._api.get_invoice_reminders, self.tenant_id, _request_timeout=self._timeout),
            )
        except AccountingError as exc:
            log.info("%s: invoice reminder settings not read (%s)", self.connection_id, type(exc).__name__)
            return None
        rows = getattr(result, "invoice_reminders", None) or []
        enabled = getattr(rows[0], "enabled", None) if rows else None
        return enabled if isinstance(enabled, bool) else None

    # -- payment links (not in the port) -------------------------------------------------------------------------------

    def payment_link(self, invoice_id: str) -> str | None:
        """The invoice's online-invoice URL (customers can pay there), or None when Xero has none (drafts)."""
        if invoice_id not in self._links:
            try:
                result = self._call(
                    "read online invoice",
                    functools.partial(
                        self._api.get_online_invoice, self.tenant_id, invoice_id, _request_timeout=self._timeout
                    ),
                )
            except _ClientError:
                self._links[invoice_id] = None
            else:
                rows = result.online_invoices or []
                self._links[invoice_id] = str(rows[0].online_invoice_url) if rows else None
        return self._links[invoice_id]

    # -- mapping (xero_mapping.py) -------------------------------------------------------------------------------------

    @staticmethod
    def _last_page(result: Any, page: int, rows: int) -> bool:
        pagination = result.pagination
        page_count = getattr(pagination, "page_count", None) if pagination is not None else None
        if page_count is not None:
            return page >= int(page_count)
        return rows < PAGE_SIZE

    def _map_invoices(self, rows: Iterable[Any]) -> list[Invoice]:
        invoices = []
        for row in rows:
            invoice = map_invoice(row, connection_id=self.connection_id, known_links=self._links)
            if invoice is not None:
                invoices.append(invoice)
        return invoices

    def _map_customer(self, contact: Any) -> Customer:
        return map_customer(contact, connection_id=self.connection_id, country=self.country)

    # -- calling Xero --------------------------------------------------------------------------------------------------

    def _call(self, what: str, request: Callable[[], T]) -> T:
        """Run one SDK request with Xero's error handling: refresh once on 401, honour 429, retry 5xx briefly."""
        attempts = _Attempts()
        while True:
            self._auth.access_token = self._access_token(force_refresh=attempts.refresh_next)
            attempts.refresh_next = False
            count("XeroApiCalls")
            try:
                answer = request()
                self._note_allowance(getattr(self._api.api_client, "last_response", None))
                return answer
            except ApiException as exc:
                self._after_api_error(what, exc, attempts)
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                self._after_transient(what, f"transport error ({type(exc).__name__})", attempts)
            except (ValueError, TypeError, AttributeError) as exc:
                raise AccountingError(f"Xero {what}: unreadable response ({type(exc).__name__})") from None

    def remaining_calls_today(self) -> int | None:
        """Xero's `X-DayLimit-Remaining` from the last answer (https://developer.xero.com/documentation/guides/oauth2/limits/)."""
        return self._day_remaining

    def _note_allowance(self, response: Any) -> None:
        headers = response.getheaders() if response is not None else None
        value = headers.get("X-DayLimit-Remaining") if headers is not None else None
        if value is not None and str(value).strip().isdigit():
            self._day_remaining = int(str(value).strip())

    def _after_api_error(self, what: str, exc: ApiException, attempts: _Attempts) -> None:
        status = http_status(exc)
        if status == 401 and not attempts.refreshed:
            log.info("Xero %s: access token rejected, refreshing once", what)
            attempts.refreshed = attempts.refresh_next = True
            return
        if status == 429:
            self._after_rate_limit(what, exc, attempts)
            return
        if status >= 500 or status == 0:
            self._after_transient(what, f"HTTP {status}", attempts)
            return
        if status == 403:
            raise ReconnectNeeded(f"Xero {what}: tenant {self.tenant_id} is no longer authorised (HTTP 403)")
        raise _ClientError(f"Xero {what}: HTTP {status}", status)

    def _after_rate_limit(self, what: str, exc: ApiException, attempts: _Attempts) -> None:
        headers = exc.http_resp.getheaders() if exc.http_resp is not None else None
        problem = str(headers.get("X-Rate-Limit-Problem") or "") if headers is not None else ""
        retry_after = _retry_after(headers)
        wait = 60.0 if retry_after is None else retry_after
        if wait > self._max_retry_wait or attempts.rate_waits >= self._max_rate_waits:
            raise AccountingRateLimited(
                f"Xero {what}: {problem or 'rate'} limit reached, retry after {wait:g}s",
                retry_after_seconds=wait,
                problem=problem,
            )
        attempts.rate_waits += 1
        log.warning("Xero %s: %s limit reached, waiting %gs", what, problem or "rate", wait)
        self._sleep(wait)

    def _after_transient(self, what: str, detail: str, attempts: _Attempts) -> None:
        attempts.failures += 1
        if attempts.failures >= self._max_attempts:
            raise AccountingError(f"Xero {what} failed after {attempts.failures} attempts: {detail}")
        delay = BACKOFF_SECONDS[min(attempts.failures - 1, len(BACKOFF_SECONDS) - 1)]
        log.warning("Xero %s: %s, retrying in %gs", what, detail, delay)
        self._sleep(delay)


def _newest(instants: Iterable[dt.datetime | None]) -> dt.datetime | None:
    aware = [i if i.tzinfo else i.replace(tzinfo=dt.UTC) for i in instants if isinstance(i, dt.datetime)]
    return max(aware, default=None)
