"""What the accounting fakes (Xero, QuickBooks) have in common, written once.

Both fakes hand out OAuth tokens the same way (expiring access tokens, rotating refresh tokens that keep working for
a grace period after their first use, one-shot authorisation codes, revocation), count calls in sliding windows,
fire one-shot triggers after the n-th matching request, and share one admin API shape (limits, triggers, clock,
webhook flush). Only the numbers and the wire formats differ, so each fake passes those in: its lifetimes and grace
through its `Limits`, its JSON content type, token prefixes and error statuses through class attributes.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import math
import re
import secrets
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Generic, Protocol, TypeVar
from urllib.parse import parse_qs

from sandbox.clock import SandboxClock
from sandbox.fakehttp import FakeServer, Request, Response

CODE_SECONDS = 300  # how long an authorisation code may wait before it is exchanged


class SeedError(ValueError):
    """The seed or admin request does not make sense."""


class NotFound(LookupError):
    """No such tenant, company, customer or invoice."""


class OAuthError(Exception):
    """An OAuth error answer (`{"error": ...}`), raised where it is found and rendered by the fake's token route."""

    def __init__(self, error: str, status: int = 400) -> None:
        super().__init__(error)
        self.error = error
        self.status = status


# -- wire helpers -----------------------------------------------------------------------------------------------


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None, *, content_type: str
) -> Response:
    """JSON with Decimals written exactly (`1500000.00`, as both vendors do), never through float."""
    marker = "\x00dec:"

    def default(value: Any) -> Any:
        if isinstance(value, Decimal):
            return f"{marker}{value}"
        raise TypeError(f"not JSON serialisable: {type(value).__name__}")

    text = json.dumps(body, default=default)
    text = re.sub(r'"\\u0000dec:(-?[0-9.E+-]+)"', r"\1", text)
    all_headers = {"Content-Type": content_type, **(headers or {})}
    return Response(status=status, body=text.encode(), headers=all_headers)


def hmac_signature(key: str, body: bytes) -> str:
    """base64(HMAC-SHA256(key, raw body)): how both vendors sign their webhooks."""
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


def money(value: Any, name: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise SeedError(f"{name}: not an amount: {value!r}") from exc
    return amount.quantize(Decimal("0.01"))


def iso_date(value: Any, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise SeedError(f"{name}: not an ISO date: {value!r}") from exc


def repeated(item: Mapping[str, Any], number_key: str, id_key: str) -> list[tuple[str, Any]]:
    """(number, id) of each invoice a seed item makes: `count` repeats it as <number>-1 ... <number>-n, new ids."""
    count = int(item.get("count", 0))
    if count <= 0:
        return [(str(item[number_key]), item.get(id_key))]
    return [(f"{item[number_key]}-{n}", None) for n in range(1, count + 1)]


T = TypeVar("T")


def by_id_or_name(records: Mapping[str, T], ref: str, name: Callable[[T], str], kind: str) -> T:
    """The record a seeded invoice points at: seeds may name a contact or customer by id or by name."""
    if ref in records:
        return records[ref]
    for record in records.values():
        if name(record) == ref:
            return record
    raise SeedError(f"invoice refers to unknown {kind} {ref!r}")


def form_fields(request: Request) -> dict[str, str]:
    """An x-www-form-urlencoded body, first value of each field."""
    return {k: v[0] for k, v in parse_qs(request.body.decode()).items()}


def basic_credentials(request: Request) -> tuple[str, str] | None:
    """(client id, secret) from a Basic Authorization header; None without one; ValueError when unreadable."""
    auth = request.headers.get("authorization", "")
    if not auth.lower().startswith("basic "):
        return None
    client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")  # binascii/Unicode errors: ValueError
    return client_id, secret


# -- rate windows -----------------------------------------------------------------------------------------------


@dataclass
class SlidingWindow:
    """The times of the calls made within the last `seconds` (a per-minute or per-second limit)."""

    seconds: float
    times: deque[float] = field(default_factory=deque)

    def __len__(self) -> int:
        return len(self.times)

    def prune(self, now: float) -> None:
        while self.times and self.times[0] <= now - self.seconds:
            self.times.popleft()

    def add(self, now: float) -> None:
        self.times.append(now)

    def retry_after(self, now: float) -> int:
        """Whole seconds until the oldest call leaves the window (at least 1)."""
        return max(1, math.ceil(self.times[0] + self.seconds - now))


def per_minute() -> SlidingWindow:
    return SlidingWindow(60)


def per_second() -> SlidingWindow:
    return SlidingWindow(1)


# -- tokens -----------------------------------------------------------------------------------------------------


class Grant(Protocol):
    """One consent: what a token family may read, and whether the owner took it back."""

    revoked: bool


class TokenLifetimes(Protocol):
    """The part of a fake's `Limits` the token authority reads (both fakes let tests change them at run time)."""

    @property
    def access_token_seconds(self) -> int: ...

    @property
    def refresh_grace_seconds(self) -> int: ...


G = TypeVar("G", bound=Grant)


@dataclass(frozen=True)
class AccessToken(Generic[G]):
    grant: G
    expires_at: float


@dataclass
class RefreshToken(Generic[G]):
    grant: G
    rotated_at: float | None = None  # when it was first exchanged; usable for the grace period after


def _acceptable(_: Any) -> str | None:
    return None


class TokenAuthority(Generic[G]):
    """Issues, rotates and revokes one fake's tokens. Not locked itself: the fake calls it under its state lock."""

    def __init__(
        self,
        *,
        clock: Callable[[], float],
        lifetimes: Callable[[], TokenLifetimes],
        prefix: str,
        access_bytes: int = 24,
        code_prefix: str = "",
    ) -> None:
        self._clock = clock
        self._lifetimes = lifetimes
        self._prefix = prefix
        self._access_bytes = access_bytes
        self._code_prefix = code_prefix
        self.access: dict[str, AccessToken[G]] = {}
        self.refresh: dict[str, RefreshToken[G]] = {}
        self.codes: dict[str, tuple[G, str, float]] = {}

    def issue(self, grant: G) -> tuple[str, str]:
        """A new (access token, refresh token) pair for the grant."""
        access = f"{self._prefix}-at-" + secrets.token_urlsafe(self._access_bytes)
        refresh = f"{self._prefix}-rt-" + secrets.token_urlsafe(24)
        self.access[access] = AccessToken(grant, self._clock() + self._lifetimes().access_token_seconds)
        self.refresh[refresh] = RefreshToken(grant)
        return access, refresh

    def new_code(self, grant: G, redirect_uri: str) -> str:
        code = self._code_prefix + secrets.token_urlsafe(24)
        self.codes[code] = (grant, redirect_uri, self._clock() + CODE_SECONDS)
        return code

    def redeem_code(self, code: str, redirect_uri: str | None) -> G:
        """The grant behind a code, once; OAuthError("invalid_grant") if unknown, expired or for another redirect."""
        entry = self.codes.pop(code, None)
        if entry is None:
            raise OAuthError("invalid_grant")
        grant, expected_uri, expires_at = entry
        if self._clock() > expires_at or (expected_uri and redirect_uri != expected_uri):
            raise OAuthError("invalid_grant")
        return grant

    def rotate(self, token: str, vet: Callable[[G], str | None] = _acceptable) -> G:
        """Exchange a refresh token: the old one keeps working for the grace period after its first exchange.

        `vet` may refuse the exchange with an OAuth error name (Xero checks the requested scope).
        """
        entry = self.refresh.get(token)
        now = self._clock()
        if entry is None or entry.grant.revoked:
            raise OAuthError("invalid_grant")
        if entry.rotated_at is not None and now > entry.rotated_at + self._lifetimes().refresh_grace_seconds:
            raise OAuthError("invalid_grant")
        problem = vet(entry.grant)
        if problem:
            raise OAuthError(problem)
        if entry.rotated_at is None:
            entry.rotated_at = now
        return entry.grant

    def bearer(self, request: Request) -> AccessToken[G] | None:
        """The access token a request's `Authorization: Bearer` header names, if this fake issued it."""
        auth = request.headers.get("authorization", "")
        token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
        return self.access.get(token)

    def revoke(self, token: str, *, access_too: bool = False) -> None:
        """Revoke the grant behind a refresh token (or, with `access_too`, an access token): the whole family."""
        entry: AccessToken[G] | RefreshToken[G] | None = self.refresh.get(token)
        if entry is None and access_too:
            entry = self.access.get(token)
        if entry is not None:
            entry.grant.revoked = True

    def revoke_where(self, covers: Callable[[G], bool]) -> None:
        """The owner disconnected the app: every grant `covers` picks stops working."""
        grants = [t.grant for t in self.refresh.values()] + [t.grant for t in self.access.values()]
        for grant in grants:
            if covers(grant):
                grant.revoked = True


# -- triggers ---------------------------------------------------------------------------------------------------


@dataclass
class Trigger:
    path: re.Pattern[str]
    after_count: int
    action: str
    target: tuple[str, ...]  # the action's arguments (invoice id; QuickBooks: realm id and invoice id)
    seen: int = 0


# -- the base class ---------------------------------------------------------------------------------------------

L = TypeVar("L", bound=TokenLifetimes)


class AccountingFake(FakeServer, Generic[L, G]):
    """An accounting fake: state lock, token authority, limits, triggers, webhook state and the shared admin API.

    `L` is the vendor's frozen `Limits` dataclass, `G` its grant (what one consent covers).

    Subclasses set the class attributes, fill `_trigger_actions` and call `_register_shared_admin()` in `__init__`,
    and define what is theirs: `seed`, `reset_counters`, `_token_set` (the token response), `_trigger_from` (the
    trigger admin body) and `_webhook_body` (the delivery shape); Xero also `_vet_refresh` (scopes).
    """

    json_content_type: ClassVar[str] = "application/json; charset=utf-8"
    token_prefix: ClassVar[str] = "fake"
    invalid_client_status: ClassVar[int] = 400
    client_secret_in_body: ClassVar[bool] = False  # Xero accepts the client credentials in the form too
    limit_names: ClassVar[dict[str, str]] = {}  # admin JSON name -> Limits field, in the order the JSON lists them
    signature_header: ClassVar[str] = "x-signature"  # the webhook signature header

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        limits: L,
        access_bytes: int = 24,
        code_prefix: str = "",
        clock: SandboxClock | None = None,
    ) -> None:
        super().__init__(clock)
        self.client_id = client_id
        self.client_secret = client_secret
        self.limits = limits
        self._state = threading.RLock()
        self._tokens: TokenAuthority[G] = TokenAuthority(
            clock=self.now,
            lifetimes=lambda: self.limits,
            prefix=self.token_prefix,
            access_bytes=access_bytes,
            code_prefix=code_prefix,
        )
        self._triggers: list[Trigger] = []
        self._trigger_actions: dict[str, Callable[..., Any]] = {}
        self._webhook: dict[str, Any] = {"url": None, "key": "", "auto": True}
        self._webhook_pending: list[Any] = []
        self._webhook_lock = threading.Lock()  # one delivery at a time keeps the events in order
        self.webhook_deliveries: list[dict[str, Any]] = []

    def _register_shared_admin(self, admin: str) -> None:
        self.route("PUT", rf"{admin}/limits$", self._admin_limits)
        self.route("POST", rf"{admin}/triggers$", self._admin_trigger)
        self.route("DELETE", rf"{admin}/triggers$", self._admin_clear_triggers)
        self.route("POST", rf"{admin}/clock$", self._admin_clock)
        self.route("POST", rf"{admin}/webhook/flush$", lambda r: Response(body={"delivered": self.flush_webhooks()}))

    # -- what each fake supplies --------------------------------------------------------------------------------

    def seed(self, spec: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def reset_counters(self) -> None:
        raise NotImplementedError

    def _token_set(self, grant: G) -> dict[str, Any]:
        raise NotImplementedError

    def _vet_refresh(self, form: dict[str, str]) -> Callable[[G], str | None]:
        return _acceptable

    def _trigger_from(self, spec: dict[str, Any]) -> None:
        raise NotImplementedError

    def _webhook_body(self, pending: list[Any]) -> Any:
        """The JSON body delivering these queued events (called under the webhook lock)."""
        raise NotImplementedError

    # -- limits ---------------------------------------------------------------------------------------------------

    def set_limits(self, changes: dict[str, Any]) -> L:
        names = self.limit_names
        unknown = set(changes) - set(names) - {"resetCounters"}
        if unknown:
            raise SeedError(f"unknown limits: {sorted(unknown)}")
        with self._state:
            self.limits = replace(self.limits, **{names[k]: int(v) for k, v in changes.items() if k in names})  # type: ignore[type-var]
            if changes.get("resetCounters"):
                self.reset_counters()
            return self.limits

    @classmethod
    def limits_json(cls, limits: TokenLifetimes) -> dict[str, int]:
        """The limits as the admin API answers them."""
        return {wire: int(getattr(limits, attribute)) for wire, attribute in cls.limit_names.items()}

    # -- triggers -------------------------------------------------------------------------------------------------

    def _add_trigger(
        self, after_path: str, after_count: int, action: str, target: tuple[str, ...], lookup: Callable[[], object]
    ) -> None:
        """After the `after_count`-th successful request whose path matches, run the action on `target` (once)."""
        if action not in self._trigger_actions:
            raise SeedError(f"unknown trigger action {action!r}")
        with self._state:
            lookup()  # NotFound before anything is armed
            self._triggers.append(Trigger(re.compile(after_path), int(after_count), action, target))

    def _fire_triggers(self, path: str) -> None:
        """Count a successful request against the triggers; run (once) each that reaches its count."""
        with self._state:
            for trigger in list(self._triggers):
                if not trigger.path.search(path):
                    continue
                trigger.seen += 1
                if trigger.seen >= trigger.after_count:
                    self._triggers.remove(trigger)
                    self._trigger_actions[trigger.action](*trigger.target)

    # -- OAuth ----------------------------------------------------------------------------------------------------

    def _json(self, body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        return json_response(body, status, headers, content_type=self.json_content_type)

    def _oauth_error(self, error: str, status: int = 400) -> Response:
        return self._json({"error": error}, status)

    def _client_ok(self, request: Request, form: dict[str, str] | None = None) -> bool:
        """Basic client authentication, or (when the fake allows it) client_id / client_secret in the form."""
        try:
            credentials: tuple[str | None, str | None] | None = basic_credentials(request)
        except ValueError:
            return False
        if credentials is None and form is not None:
            credentials = form.get("client_id"), form.get("client_secret")
        return credentials == (self.client_id, self.client_secret)

    def _token(self, request: Request) -> Response:
        """The token endpoint: authorization_code and refresh_token grants."""
        form = form_fields(request) if self.client_secret_in_body else None
        if not self._client_ok(request, form):
            return self._oauth_error("invalid_client", self.invalid_client_status)
        form = form if form is not None else form_fields(request)
        grant_type = form.get("grant_type")
        try:
            with self._state:
                if grant_type == "refresh_token":
                    grant = self._tokens.rotate(form.get("refresh_token", ""), self._vet_refresh(form))
                elif grant_type == "authorization_code":
                    grant = self._tokens.redeem_code(form.get("code", ""), form.get("redirect_uri"))
                else:
                    return self._oauth_error("unsupported_grant_type")
                return self._json(self._token_set(grant))
        except OAuthError as exc:
            return self._oauth_error(exc.error, exc.status)

    # -- admin handlers -------------------------------------------------------------------------------------------

    def _admin(self, action: Callable[[], Any], status: int = 200) -> Response:
        try:
            return self._json(action(), status)
        except NotFound as exc:
            return self._json({"error": str(exc)}, 404)
        except (KeyError, TypeError, ValueError) as exc:  # a malformed admin request
            return self._json({"error": f"{type(exc).__name__}: {exc}"}, 400)

    def _admin_seed(self, request: Request) -> Response:
        return self._admin(lambda: self.seed(request.json() or {}), 201)

    def _admin_limits(self, request: Request) -> Response:
        return self._admin(lambda: self.limits_json(self.set_limits(request.json() or {})))

    def _admin_trigger(self, request: Request) -> Response:
        spec = request.json() or {}

        def add() -> dict[str, bool]:
            self._trigger_from(spec)
            return {"added": True}

        return self._admin(add, 201)

    def _admin_clear_triggers(self, _: Request) -> Response:
        with self._state:
            self._triggers.clear()
        return self._json({"cleared": True})

    def _admin_clock(self, request: Request) -> Response:
        self.advance(float((request.json() or {}).get("advanceSeconds", 0)))
        return self._json({"now": self.now()})

    # -- webhooks -------------------------------------------------------------------------------------------------

    def _enqueue_webhook(self, event: Any) -> None:
        """Queue one event (none without a webhook URL); deliver it from a background thread unless told not to."""
        with self._webhook_lock:
            if not self._webhook["url"]:
                return
            self._webhook_pending.append(event)
            auto = self._webhook["auto"]
        if auto:
            threading.Thread(target=self.flush_webhooks, name=f"{self.name}-webhook", daemon=True).start()

    def flush_webhooks(self) -> list[dict[str, Any]]:
        """POST every pending event now, in one signed delivery; returns the delivery records."""
        with self._webhook_lock:
            pending, self._webhook_pending = self._webhook_pending, []
            if not pending:
                return []
            raw = json.dumps(self._webhook_body(pending)).encode()
            return [self._post_webhook(raw, str(self._webhook["key"]))]

    def _post_webhook(self, raw: bytes, key: str) -> dict[str, Any]:
        """POST one signed webhook body; the delivery record (status, or the transport error) is kept and returned."""
        import httpx

        url = self._webhook["url"]
        record: dict[str, Any] = {"url": url, "body": raw.decode(), "status": None, "text": None}
        try:
            answer = httpx.post(
                str(url),
                content=raw,
                headers={"Content-Type": "application/json", self.signature_header: hmac_signature(key, raw)},
                timeout=10.0,
            )
            record["status"], record["text"] = answer.status_code, answer.text
        except httpx.HTTPError as exc:
            record["error"] = f"{type(exc).__name__}: {exc}"
        self.webhook_deliveries.append(record)
        return record
