"""A small HTTP server base for the vendor fakes (Xero, QuickBooks, Meta Graph).

Every fake listens on 127.0.0.1 only, records every request it receives, and can be told through its
`/_sandbox/` admin API to inject latency, 5xx and 429 faults. Vendor-specific routes are registered by subclasses.

Admin API shared by every fake (JSON in, JSON out):
    GET    /_sandbox/requests            every request received so far (method, path, query, headers, body)
    DELETE /_sandbox/requests            forget them
    POST   /_sandbox/faults              {"method": "GET", "path": "^/api.xro/2.0/Invoices$", "status": 429,
                                          "headers": {"Retry-After": "1"}, "body": {...} | "text", "times": 1,
                                          "latency_ms": 0, "drop_response": false}
    DELETE /_sandbox/faults              clear every fault
    GET    /_sandbox/clock               {"now": ISO 8601, "timestamp": unix seconds, "frozen": bool}: the sandbox clock
    POST   /_sandbox/clock               {"pin": ISO 8601, "frozen"?: bool} or {"advanceSeconds": 3600} -> the same
Every fake of one sandbox shares one clock (sandbox/clock.py) with Lunas itself.
`drop_response` runs the real handler (so the side effect happens) and then closes the connection without
answering: the client sees a transport error although the request took effect.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sandbox.clock import SandboxClock

# Request headers worth recording (never the whole set: keeps the log readable).
_RECORDED_HEADERS = (
    "authorization",
    "content-type",
    "accept",
    "xero-tenant-id",
    "if-modified-since",
    "x-hub-signature-256",
)


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    match: re.Match[str] | None = None

    def arg(self, name: str, default: str | None = None) -> str | None:
        """First value of a query parameter, compared case-insensitively (Xero mixes `IDs` and `ids`)."""
        for key, values in self.query.items():
            if key.lower() == name.lower() and values:
                return values[0]
        return default

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class Response:
    status: int = 200
    body: Any = None  # dict/list -> JSON; str -> text; bytes -> as is
    headers: dict[str, str] = field(default_factory=dict)

    def encode(self) -> tuple[bytes, str]:
        if isinstance(self.body, bytes):
            return self.body, self.headers.get("Content-Type", "application/octet-stream")
        if isinstance(self.body, str):
            return self.body.encode(), self.headers.get("Content-Type", "text/plain; charset=utf-8")
        if self.body is None:
            return b"", self.headers.get("Content-Type", "text/plain")
        return json.dumps(self.body).encode(), "application/json; charset=utf-8"


Handler = Callable[[Request], Response]


@dataclass
class Fault:
    method: str | None
    path: re.Pattern[str]
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    times: int = 1  # how many matching requests it hits; -1 = until cleared
    latency_ms: int = 0
    drop_response: bool = False

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and bool(self.path.search(path))


class _DropConnection(Exception):
    """Raised to close the socket without writing a response."""


class FakeServer:
    """Base class: routing, recording, faults, admin API. Subclasses call `route()` in `__init__`."""

    name = "fake"

    def __init__(self, clock: SandboxClock | None = None) -> None:
        self.clock = clock or SandboxClock()
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._lock = threading.RLock()
        self.requests: list[dict[str, Any]] = []
        self._faults: list[Fault] = []
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.route("GET", r"^/_sandbox/requests$", lambda r: Response(body=self.recorded()))
        self.route("DELETE", r"^/_sandbox/requests$", self._clear_requests)
        self.route("POST", r"^/_sandbox/faults$", self._add_fault_from_request)
        self.route("DELETE", r"^/_sandbox/faults$", self._clear_faults)
        self.route("GET", r"^/_sandbox/clock$", lambda r: Response(body=self.clock.describe()))
        self.route("POST", r"^/_sandbox/clock$", self._set_clock)

    # -- registration -------------------------------------------------------------------------------------

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append((method, re.compile(pattern), handler))

    # -- lifecycle ----------------------------------------------------------------------------------------

    def start(self, port: int = 0) -> str:
        """Start serving on 127.0.0.1 in a daemon thread; returns the base URL."""
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _serve(self) -> None:
                server._serve(self)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self._httpd.daemon_threads = True
        httpd = self._httpd
        # A short poll interval keeps stop() quick (serve_forever only notices shutdown between polls).
        self._thread = threading.Thread(
            target=lambda: httpd.serve_forever(poll_interval=0.05), name=self.name, daemon=True
        )
        self._thread.start()
        return self.url

    def stop(self) -> None:
        """Shut down without waiting out serve_forever's poll: a throwaway connection wakes the loop.

        Tests start and stop a fake per test, so the poll would otherwise add up over the suite.
        """
        if self._httpd is None:
            return
        address = self._httpd.server_address[:2]
        stopper = threading.Thread(target=self._shutdown, name=f"{self.name}-stop")
        stopper.start()
        while stopper.is_alive():
            with contextlib.suppress(OSError):
                socket.create_connection((str(address[0]), int(address[1])), timeout=0.2).close()
            stopper.join(0.01)

    def _shutdown(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    @property
    def url(self) -> str:
        assert self._httpd is not None, "server not started"
        host, port = self._httpd.server_address[:2]
        host_text = host.decode() if isinstance(host, bytes) else str(host)
        return f"http://{host_text}:{port}"

    # -- clock --------------------------------------------------------------------------------------------------

    def now(self) -> float:
        """Unix seconds on the sandbox clock (shared with Lunas and the other fakes of the same sandbox)."""
        return self.clock.timestamp()

    def advance(self, seconds: float) -> None:
        """Move the sandbox clock (token expiry, grace periods, rate windows): every sharer of it moves too."""
        self.clock.advance(seconds)

    def _set_clock(self, request: Request) -> Response:
        spec = request.json() or {}
        if spec.get("pin"):
            self.clock.pin(dt.datetime.fromisoformat(str(spec["pin"])), frozen=bool(spec.get("frozen", False)))
        self.clock.advance(float(spec.get("advanceSeconds", 0)))
        return Response(body=self.clock.describe())

    # -- faults and recording -----------------------------------------------------------------------------

    def add_fault(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def recorded(self, path_regex: str = "") -> list[dict[str, Any]]:
        """Requests received so far (admin calls excluded), optionally only those whose path matches."""
        pattern = re.compile(path_regex)
        with self._lock:
            return [r for r in self.requests if pattern.search(r["path"])]

    def _clear_requests(self, _: Request) -> Response:
        with self._lock:
            self.requests.clear()
        return Response(body={"cleared": True})

    def _add_fault_from_request(self, request: Request) -> Response:
        spec = request.json() or {}
        self.add_fault(
            Fault(
                method=spec.get("method"),
                path=re.compile(spec.get("path", ".")),
                status=spec.get("status"),
                headers={str(k): str(v) for k, v in (spec.get("headers") or {}).items()},
                body=spec.get("body"),
                times=int(spec.get("times", 1)),
                latency_ms=int(spec.get("latency_ms", 0)),
                drop_response=bool(spec.get("drop_response", False)),
            )
        )
        return Response(status=201, body={"added": True})

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _clear_faults(self, _: Request) -> Response:
        self.clear_faults()
        return Response(body={"cleared": True})

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    if fault.times > 0:
                        fault.times -= 1
                        if fault.times == 0:
                            self._faults.remove(fault)
                    return fault
        return None

    # -- dispatch -----------------------------------------------------------------------------------------

    def _serve(self, http: BaseHTTPRequestHandler) -> None:
        split = urlsplit(http.path)
        length = int(http.headers.get("Content-Length") or 0)
        body = http.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in http.headers.items()}
        request = Request(http.command, split.path, parse_qs(split.query), headers, body)
        is_admin = split.path.startswith("/_sandbox/")
        if not is_admin:
            self._record(request)
        try:
            response = self.dispatch(request, allow_faults=not is_admin)
        except _DropConnection:
            http.close_connection = True
            return
        payload, content_type = response.encode()
        http.send_response(response.status)
        http.send_header("Content-Type", content_type)
        http.send_header("Content-Length", str(len(payload)))
        for key, value in response.headers.items():
            if key.lower() != "content-type":
                http.send_header(key, value)
        http.end_headers()
        http.wfile.write(payload)

    def dispatch(self, request: Request, *, allow_faults: bool = True) -> Response:
        fault = self._take_fault(request.method, request.path) if allow_faults else None
        if fault and fault.latency_ms:
            time.sleep(fault.latency_ms / 1000)
        if fault and fault.status is not None:
            return Response(status=fault.status, body=fault.body, headers=dict(fault.headers))
        response = self._route(request)
        if fault and fault.drop_response:
            raise _DropConnection
        return response

    def _route(self, request: Request) -> Response:
        for method, pattern, handler in self._routes:
            match = pattern.search(request.path)
            if method == request.method and match:
                try:
                    return handler(
                        Request(request.method, request.path, request.query, request.headers, request.body, match)
                    )
                except Exception as exc:  # a bug in a fake must show up as a 500, like a real server's
                    return Response(status=500, body={"fake_error": repr(exc)})
        return self.not_found(request)

    def not_found(self, request: Request) -> Response:
        return Response(status=404, body={"error": f"no route for {request.method} {request.path}"})

    def _record(self, request: Request) -> None:
        entry = {
            "at": self.now(),
            "method": request.method,
            "path": request.path,
            "query": request.query,
            "headers": {k: v for k, v in request.headers.items() if k in _RECORDED_HEADERS},
            "body": request.body.decode("utf-8", "replace"),
        }
        with self._lock:
            self.requests.append(entry)
