"""How every QuickBooks Online request leaves the process: paced, with our bearer token, timeouts and throttle spotting.

A module of its own because it is what the gateway stands on, not what it reads: python-quickbooks builds the URLs
(`/v3/company/{realmId}/query`, `/cdc`), adds `minorversion` and turns Intuit's `Fault` bodies into exceptions, while
`LunasQuickBooks.process_request` (ours) waits under Intuit's per-company limits (`RequestPacer`), sends the
connection's bearer token, applies timeouts, and spots the 429 whose body is XML even when JSON was asked for, before
the SDK tries to parse it. Throttles and transient failures leave as `Throttled` / `Transient` for the gateway's retry
policy.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any
from xml.etree import ElementTree

import requests
from quickbooks import QuickBooks

from chalicelib.clock import Monotonic, monotonic

MINOR_VERSION = 75  # 1-74 are deprecated since 1 Aug 2025
PRODUCTION_API_BASE = "https://quickbooks.api.intuit.com"
BACKOFF_SECONDS = (0.5, 1.0, 2.0, 4.0)  # between retries of a transient failure (API calls and token exchanges)


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


class Throttled(Exception):
    def __init__(self, retry_after: float | None, detail: str) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
        self.detail = detail


class Transient(Exception):
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
            raise Transient(f"transport error ({type(exc).__name__})") from None
        self.last_status = response.status_code
        is_xml = "xml" in response.headers.get("Content-Type", "").lower()
        if response.status_code == 429 or (is_xml and "ThrottleExceeded" in response.text):
            raise Throttled(_retry_after(response.headers), _throttle_detail(response.text))
        if response.status_code >= 500:
            raise Transient(f"HTTP {response.status_code}")
        return response
