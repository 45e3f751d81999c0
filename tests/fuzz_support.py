"""What the fuzz suites (tests/test_fuzz_webhooks.py, tests/test_fuzz_dashboard.py) share: the in-process client,
the request shapes hypothesis draws from, the budget, and the tally of answers.

Requests go to app.py's real handlers in-process through `chalice.test.Client` (Chalice's own API Gateway
emulation, the same one `chalice local` and the sandbox's HTTP server use), with DynamoDB, KMS, SQS and Cognito in
the sandbox's moto server as usual; a smaller HTTP suite checks that the same answers come back over the wire.

Budget: each fuzz target runs `examples()` inputs: a modest number in the normal test run (bounded, deterministic),
or, under `make fuzz N=…` (which loads this module as a pytest plugin with `-p tests.fuzz_support`), N inputs split
across every collected target, with every 5xx counted rather than stopping at the first, and a summary printed.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
import math
import os
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

INPUTS_ENV = "LUNAS_FUZZ_INPUTS"  # make fuzz N=…: the total number of inputs across every fuzz target
DEFAULT_EXAMPLES = 120  # per target in the normal (bounded) run
SQS_MESSAGE_LIMIT = 262_144  # SQS's classic per-message limit (the intake keeps every part under it)


# -- budget and tally -------------------------------------------------------------------------------------------


@dataclass
class _Plan:
    total: int = 0  # 0: the bounded run
    units: int = 1  # the weights of every collected fuzz target, added up

    @property
    def collecting(self) -> bool:
        return self.total > 0


PLAN = _Plan(total=int(os.environ.get(INPUTS_ENV) or 0))


def weight_for(test_name: str) -> int:
    """Webhook targets answer in a few milliseconds (no session, no DynamoDB read); dashboard targets read the
    session's organisation from DynamoDB on every input, so `make fuzz` gives the webhook targets 4 times more."""
    return 4 if test_name.startswith(("test_fuzz_webhook", "test_fuzz_whatsapp")) else 1


def examples(test_name: str, default: int = DEFAULT_EXAMPLES) -> int:
    """How many inputs one fuzz target runs now."""
    if PLAN.collecting:
        return max(1, math.ceil(PLAN.total * weight_for(test_name) / max(PLAN.units, 1)))
    return default


def fuzz_settings(test_name: str, default: int = DEFAULT_EXAMPLES) -> settings:
    """Bounded and reproducible in the test run; random and as long as asked under `make fuzz`."""
    return settings(
        max_examples=examples(test_name, default),
        deadline=None,
        database=None,
        derandomize=not PLAN.collecting,
        print_blob=True,
        suppress_health_check=list(HealthCheck),
    )


@dataclass
class Tally:
    """Answers per target: how many inputs, by status class, and a few samples of every 5xx."""

    inputs: Counter[str] = field(default_factory=Counter)
    classes: dict[str, Counter[str]] = field(default_factory=dict)
    server_errors: dict[str, list[str]] = field(default_factory=dict)  # a few samples per target
    failures: Counter[str] = field(default_factory=Counter)  # every 5xx
    seconds: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, target: str, status: int, sample: str) -> None:
        with self.lock:
            self.inputs[target] += 1
            self.classes.setdefault(target, Counter())[f"{status // 100}xx"] += 1
            if status >= 500:
                samples = self.server_errors.setdefault(target, [])
                self.failures[target] += 1
                if len(samples) < 20:
                    samples.append(sample)

    def errors(self, target: str) -> list[str]:
        return self.server_errors.get(target, [])


TALLY = Tally()


def answered(target: str, status: int, sample: Callable[[], str]) -> None:
    """Count one answer; a 5xx fails at once in the bounded run (hypothesis then shrinks it), and is only counted
    under `make fuzz` (the target fails at its end, listing samples)."""
    text = sample() if status >= 500 else ""
    TALLY.record(target, status, text[:500])
    if status >= 500 and not PLAN.collecting:
        raise AssertionError(f"{target}: HTTP {status} for {text[:2000]}")


@contextmanager
def fuzzing(target: str) -> Iterator[None]:
    """Around one fuzz target: time it and, under `make fuzz`, fail at the end if any input got a 5xx."""
    from chalicelib.clock import monotonic

    started = monotonic()
    try:
        yield
    finally:
        TALLY.seconds[target] = TALLY.seconds.get(target, 0.0) + monotonic() - started
    failed = TALLY.failures[target]
    assert not failed, f"{target}: {failed} inputs got a 5xx, e.g. " + "\n".join(TALLY.errors(target)[:5])


# -- pytest plugin hooks (only active when loaded with -p tests.fuzz_support, as make fuzz does) ------------------


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    PLAN.units = max(1, sum(weight_for(item.name) for item in items if item.name.startswith("test_fuzz")))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    write = terminalreporter.write_line
    write("")
    write(f"fuzz: {PLAN.total or 'bounded run, no'} inputs asked")
    write(f"{'target':<40} {'inputs':>8} {'2xx':>7} {'3xx':>7} {'4xx':>7} {'5xx':>5} {'seconds':>8}")
    for target in sorted(TALLY.inputs):
        c = TALLY.classes.get(target, Counter())
        write(
            f"{target:<40} {TALLY.inputs[target]:>8} {c['2xx']:>7} {c['3xx']:>7} {c['4xx']:>7} {c['5xx']:>5} "
            f"{TALLY.seconds.get(target, 0.0):>8.1f}"
        )
    total_5xx = sum(TALLY.failures.values())
    write(
        f"fuzz total: {sum(TALLY.inputs.values())} inputs, {total_5xx} answered 5xx, "
        f"{sum(TALLY.seconds.values()):.0f} s"
    )


# -- the in-process client ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, Any]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def cookies(self) -> list[str]:
        value = self.headers.get("Set-Cookie") or self.headers.get("set-cookie") or []
        return [value] if isinstance(value, str) else list(value)


@cache
def _client() -> Any:
    from chalice.test import Client

    import app

    return Client(app.app)


_LOCK = threading.Lock()  # Chalice keeps the current request on the app object: one request at a time in-process


def call(method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b"") -> Reply:
    """One request to app.py's routes, in this process."""
    with _LOCK:
        answer = _client().http.request(method, path, headers=dict(headers or {}), body=body)
    return Reply(answer.status_code, dict(answer.headers), answer.body or b"")


def path_with(path: str, query: Sequence[tuple[str, str]] = ()) -> str:
    return quote(path, safe="/") + ("?" + urlencode(list(query)) if query else "")


# -- queues that record instead of sending ------------------------------------------------------------------------


@dataclass
class RecordingQueue:
    """A `Queue` that keeps what it was given and refuses, as SQS would, a message over SQS's limit."""

    bodies: list[str] = field(default_factory=list)
    sends: int = 0  # messages sent since the last take()
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, bodies: Sequence[str]) -> None:
        for body in bodies:
            if len(body.encode("utf-8", "surrogatepass")) > SQS_MESSAGE_LIMIT:
                raise RuntimeError(f"SQS refuses a message of {len(body.encode())} bytes")
        with self.lock:
            self.sends += len(bodies)
            self.bodies.extend(bodies[:3])  # a few, for the checks; not every part of a huge body
            del self.bodies[:-50]

    def take(self) -> int:
        with self.lock:
            sends, self.sends = self.sends, 0
            self.bodies.clear()
            return sends


@contextmanager
def recording_queues() -> Iterator[tuple[RecordingQueue, RecordingQueue]]:
    """The installed container with its webhook and reminder queues replaced by recorders (same stores, clock)."""
    from chalicelib import bootstrap

    webhooks, reminders = RecordingQueue(), RecordingQueue()
    current = bootstrap.container()
    replaced = dataclasses.replace(current, webhook_queue=webhooks, reminder_queue=reminders)
    with bootstrap.installed(replaced):
        yield webhooks, reminders


# -- DynamoDB's key limits, which moto does not check on reads -----------------------------------------------------

_KEY_LIMITS = {"pk": 2048, "sk": 1024, "gsi1pk": 2048, "gsi1sk": 1024}  # bytes: partition keys 2 KB, sort keys 1 KB


def _oversized(item: Any) -> str | None:
    for name, limit in _KEY_LIMITS.items():
        value = item.get(name) if isinstance(item, dict) else None
        if isinstance(value, dict) and isinstance(value.get("S"), str):
            size = len(value["S"].encode("utf-8", "surrogatepass"))
            if size > limit:
                return f"{name} of {size} bytes (limit {limit})"
    return None


def _keys_in(operation: str, params: dict[str, Any]) -> Iterator[Any]:
    yield params.get("Key")
    yield params.get("Item")
    for table in (params.get("RequestItems") or {}).values():
        if isinstance(table, dict):  # BatchGetItem
            yield from table.get("Keys", [])
        else:  # BatchWriteItem
            for request in table:
                yield (request.get("PutRequest") or {}).get("Item")
                yield (request.get("DeleteRequest") or {}).get("Key")
    for entry in params.get("TransactItems") or []:
        for action in entry.values():
            yield action.get("Item")
            yield action.get("Key")
    if operation == "Query":  # the key condition's values (the table's queries filter on keys only)
        for value in (params.get("ExpressionAttributeValues") or {}).values():
            yield {"pk": value}


@contextmanager
def dynamodb_key_limits() -> Iterator[None]:
    """Make every DynamoDB call in this process refuse an oversized key, as DynamoDB does (ValidationException).

    moto enforces the 400 KB item limit but not the key limits on reads, so without this a huge id from a form
    or a URL that reaches a GetItem or Query would pass here and be a 500 on AWS.
    """
    from botocore.client import BaseClient
    from botocore.exceptions import ClientError

    original = BaseClient._make_api_call

    def checked(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        if self.meta.service_model.service_name == "dynamodb":
            for item in _keys_in(operation_name, api_params):
                problem = _oversized(item)
                if problem:
                    message = f"One or more parameter values were invalid: key too large: {problem}"
                    raise ClientError({"Error": {"Code": "ValidationException", "Message": message}}, operation_name)
        return original(self, operation_name, api_params)

    BaseClient._make_api_call = checked  # type: ignore[method-assign]
    try:
        yield
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]


# -- what hypothesis draws from ------------------------------------------------------------------------------------

ODD_DIGITS = ["²", "³", "¹", "٣", "５", "߁", "𝟘", "➊", "½", "Ⅻ", "0x1F", "1e9", "-0", "+1", "٠٠", "1_000", "NaN", "∞"]
ODD_TIMES = ["09:00+07:00", "17:00:00.5", "9:00", "24:00", "23:60", "09:00Z", "0９:00", "09：00", "T09:00", "-1:00"]
ODD_WORDS = [
    "",
    " ",
    "\x00",
    "\ufeff",
    "\u202e",
    "é",
    "null",
    "true",
    "[]",
    "{}",
    "<script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "%00",
    "\r\n",
    "Asia/../../etc",
    "ORG#x",
    "Asia",
    "UTC+7",
]


def huge_text() -> st.SearchStrategy[str]:
    """A long run of one character (fast to build): up to past DynamoDB's 400 KB item limit, in any plane."""
    return st.builds(
        lambda ch, n: ch * n,
        st.sampled_from(["x", "9", "é", "🙏", "\u0000", " ", ","]),
        st.sampled_from([1_000, 70_000, 140_000, 410_000, 1_100_000]),
    )


def any_text(max_size: int = 60) -> st.SearchStrategy[str]:
    return st.text(max_size=max_size)


def odd_value(*, huge: bool = True) -> st.SearchStrategy[str]:
    """A form value of any shape: unicode, unicode digits, odd times, words that mean something elsewhere, huge
    (without `huge`: at most 9,000 characters, as in a URL, which API Gateway caps at about 10 KB)."""
    return st.one_of(
        any_text(),
        st.sampled_from(ODD_DIGITS + ODD_TIMES + ODD_WORDS),
        st.integers(-(10**30), 10**30).map(str),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
        huge_text() if huge else st.sampled_from(["x" * 2_100, "é" * 1_100, "9" * 9_000]),
    )


def odd_header_value() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=40),
        st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=40),
        st.sampled_from(["", "é", "🙏", "a" * 9_000]),
    )


def form_body(pairs: Sequence[tuple[str, str]]) -> bytes:
    return urlencode(list(pairs)).encode()


# -- webhook signing ------------------------------------------------------------------------------------------------


def meta_signature(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def base64_signature(body: bytes, key: str) -> str:
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


def json_bytes(value: Any, encoding: str = "utf-8", ensure_ascii: bool = False) -> bytes:
    return json.dumps(value, ensure_ascii=ensure_ascii).encode(encoding, "surrogatepass")
