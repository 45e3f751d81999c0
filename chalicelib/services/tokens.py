"""Valid access tokens for a connection, refreshed once however many callers need a fresh one.

Refresh tokens rotate (Xero and QuickBooks), so two refreshes that race can cut a connection off, and a refresh whose
answer is lost leaves us holding a used token. Three rails:

1. **Single flight.** Before refreshing, a caller takes a short lease (a conditional write in DynamoDB) named after
   the refresh token it holds. Everyone else waits for the stored token to change and then uses the winner's.
   Connections that share one token set (several Xero organisations from one consent) share the lease, and the
   winner stores the new set on all of them.
2. **Optimistic locking.** Tokens are saved only if the connection's version is still the one read; a version bumped
   by an unrelated write (a status, a cycle summary) is retried, a newer token set from elsewhere is kept.
3. **Grace.** If the lease holder dies between the provider's answer and the save, the lease runs out in
   `LEASE_SECONDS` and the next caller refreshes again with the same (old) refresh token: Xero accepts it for 30
   minutes after first use, QuickBooks keeps the previous one working for about a day.

`invalid_grant` marks the connection (and every connection holding the same token) "reconnect needed", which pauses
its reminders and puts a reconnect button on the dashboard.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
import uuid
from collections.abc import Callable

from chalicelib.clock import Monotonic, monotonic
from chalicelib.domain.errors import AccountingError, LunasError, ReconnectNeeded, TokenConflict
from chalicelib.domain.models import ConnectionStatus, OAuthTokens
from chalicelib.ports import AccessTokenProvider, Clock, ConnectionRepository, Leases, TokenRefresher

_EARLY_REFRESH = dt.timedelta(seconds=60)  # refresh a little before expiry, so a call never starts with a dying token
LEASE_SECONDS = 30.0  # far inside Xero's 30-minute grace: a crashed holder's refresh can be redone with the same token
WAIT_SECONDS = 45.0  # how long a caller waits for another one's refresh before giving up (SQS will redeliver)
_SAVE_ATTEMPTS = 4


def family_key(refresh_token: str) -> str:
    """Lease name for everyone holding this refresh token (never the token itself: leases are readable items)."""
    return "REFRESH#" + hashlib.sha256(refresh_token.encode()).hexdigest()[:40]


class ConnectionTokens:
    """An `AccessTokenProvider` for one connection."""

    def __init__(
        self,
        *,
        org_id: str,
        connection_id: str,
        repository: ConnectionRepository,
        refresher: TokenRefresher,
        clock: Clock,
        leases: Leases,
        sleep: Callable[[float], None] = time.sleep,
        wait_seconds: float = WAIT_SECONDS,
        elapsed: Monotonic = monotonic,
    ) -> None:
        self._org_id = org_id
        self._connection_id = connection_id
        self._repository = repository
        self._refresher = refresher
        self._clock = clock
        self._leases = leases
        self._sleep = sleep
        self._wait_seconds = wait_seconds
        self._elapsed = elapsed
        self._owner = uuid.uuid4().hex
        self._last_access_token: str | None = None
        self._held: OAuthTokens | None = None  # the set last loaded or refreshed, reused while it is valid

    def __call__(self, *, force_refresh: bool = False) -> str:
        """A valid access token. The stored set is read (one DynamoDB read and one KMS decrypt) only when the one
        held is near expiry or a vendor refused it (`force_refresh`), not once per vendor request."""
        held = self._held
        if held is not None and not force_refresh and held.expires_at - _EARLY_REFRESH > self._clock.now():
            return held.access_token
        tokens, _ = self._load()
        stale = force_refresh and tokens.access_token == self._last_access_token
        if stale or tokens.expires_at - _EARLY_REFRESH <= self._clock.now():
            tokens = self._refresh_once(tokens)
        # force_refresh with a token someone else already replaced: theirs is fresh, use it.
        self._last_access_token = tokens.access_token
        self._held = tokens
        return tokens.access_token

    def _load(self) -> tuple[OAuthTokens, int]:
        return self._repository.load_tokens(self._org_id, self._connection_id)

    def _refresh_once(self, stale: OAuthTokens) -> OAuthTokens:
        """Refresh under the family's lease, or wait for whoever holds it to store new tokens."""
        key = family_key(stale.refresh_token)
        deadline = self._elapsed() + self._wait_seconds
        pause = 0.05
        while True:
            # The lease lives in DynamoDB, shared by every container: its expiry is business time, like the tokens'.
            now = self._clock.now().timestamp()
            if self._leases.acquire(self._org_id, key, self._owner, now=now, seconds=LEASE_SECONDS):
                try:
                    return self._refresh_holding_lease(stale)
                finally:
                    self._leases.release(self._org_id, key, self._owner)
            self._sleep(pause)
            pause = min(pause * 2, 0.5)
            current, _ = self._load()
            if current.refresh_token != stale.refresh_token:
                return current  # the lease holder stored the rotated set
            if self._elapsed() > deadline:
                raise AccountingError("another worker's token refresh did not finish in time")

    def _refresh_holding_lease(self, stale: OAuthTokens) -> OAuthTokens:
        tokens, version = self._load()
        if tokens.refresh_token != stale.refresh_token:
            return tokens  # refreshed by someone between our read and our lease
        try:
            fresh = self._refresher.refresh(tokens.refresh_token)
        except ReconnectNeeded:
            current, _ = self._load()
            if current.refresh_token != tokens.refresh_token:
                return current
            self._mark_family(tokens.refresh_token, ConnectionStatus.RECONNECT_NEEDED)
            raise
        kept = self._save_rotated(self._connection_id, fresh, tokens.refresh_token, version)
        self._share_with_family(fresh, tokens.refresh_token)
        return kept

    def _save_rotated(self, connection_id: str, fresh: OAuthTokens, used: str, version: int) -> OAuthTokens:
        """Store `fresh` unless a newer set is already there; a version bumped by anything else is retried."""
        for _ in range(_SAVE_ATTEMPTS):
            try:
                self._repository.save_tokens(self._org_id, connection_id, fresh, expected_version=version)
                return fresh
            except TokenConflict:
                current, version = self._repository.load_tokens(self._org_id, connection_id)
                if current.refresh_token != used:
                    return current
        raise TokenConflict(f"connection {connection_id} kept changing while its tokens were saved")

    def _siblings(self, used: str) -> list[str]:
        """Other connections of this organisation holding the same refresh token (one consent, several tenants)."""
        own = self._repository.load_tokens  # bound once: the loop below reads each sibling's tokens
        siblings = []
        for connection in self._repository.for_org(self._org_id):
            if connection.connection_id == self._connection_id or connection.status is ConnectionStatus.DISCONNECTED:
                continue
            try:
                tokens, _ = own(self._org_id, connection.connection_id)
            except LunasError:
                continue
            if tokens.refresh_token == used:
                siblings.append(connection.connection_id)
        return siblings

    def _share_with_family(self, fresh: OAuthTokens, used: str) -> None:
        for connection_id in self._siblings(used):
            try:
                _, version = self._repository.load_tokens(self._org_id, connection_id)
                self._save_rotated(connection_id, fresh, used, version)
            except LunasError:
                continue  # the sibling changed under us: it holds newer tokens of its own

    def _mark_family(self, used: str, status: ConnectionStatus) -> None:
        for connection_id in [self._connection_id, *self._siblings(used)]:
            self._repository.set_status(self._org_id, connection_id, status)


def token_provider(
    *,
    org_id: str,
    connection_id: str,
    repository: ConnectionRepository,
    refresher: TokenRefresher,
    clock: Clock,
    leases: Leases,
) -> AccessTokenProvider:
    return ConnectionTokens(
        org_id=org_id,
        connection_id=connection_id,
        repository=repository,
        refresher=refresher,
        clock=clock,
        leases=leases,
    )
