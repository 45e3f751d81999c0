"""Valid access tokens for a connection, refreshed once however many callers need a fresh one.

Refresh tokens rotate (Xero and QuickBooks), so two refreshes that race can cut a connection off, and a refresh whose
answer is lost leaves us holding a used token. Three rails:

1. **Single flight.** Before refreshing, a caller takes a short lease (a conditional write in DynamoDB) named after
   the refresh token it holds. Everyone else waits for the stored token to change and then uses the winner's.
   The connections of one Xero grant (one Xero user's organisations: chalicelib/domain/grants.py) read one stored
   token set, so they share the lease and the winner's one write; a new consent of that user holds the same lease
   while its tokens are exchanged and stored (`holding_refreshes`).
2. **Optimistic locking.** Tokens are saved only if the token set's version (the grant's, or the connection's own)
   is still the one read; a version bumped by an unrelated write (a status, a cycle summary) is retried, a newer
   token set from elsewhere is kept.
3. **Grace.** If the lease holder dies between the provider's answer and the save, the lease runs out in
   `LEASE_SECONDS` and the next caller refreshes again with the same (old) refresh token: Xero accepts it for 30
   minutes after first use, QuickBooks keeps the previous one working for about a day.

`invalid_grant` marks the connection (and every connection of its grant) "reconnect needed", which pauses its
reminders and puts a reconnect button on the dashboard.

Connections stored before grants keep their own copy of a token set: a refresh stores the new set on every
connection holding a copy of the same refresh token, and then (`grant_of` names the Xero user's grant) moves it
into the grant, with every connection of the organisation whose copy is of the same user: the migration.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from chalicelib.clock import Monotonic, monotonic
from chalicelib.domain.errors import AccountingError, LunasError, ReconnectNeeded, TokenConflict
from chalicelib.domain.grants import GrantLink
from chalicelib.domain.models import ConnectionStatus, OAuthTokens
from chalicelib.observability import logger
from chalicelib.ports import AccessTokenProvider, Clock, ConnectionRepository, Leases, TokenRefresher

_EARLY_REFRESH = dt.timedelta(seconds=60)  # refresh a little before expiry, so a call never starts with a dying token
LEASE_SECONDS = 30.0  # far inside Xero's 30-minute grace: a crashed holder's refresh can be redone with the same token
WAIT_SECONDS = 45.0  # how long a caller waits for another one's refresh before giving up (SQS will redeliver)
_SAVE_ATTEMPTS = 4


def family_key(refresh_token: str) -> str:
    """Lease name for everyone holding this refresh token (never the token itself: leases are readable items)."""
    return "REFRESH#" + hashlib.sha256(refresh_token.encode()).hexdigest()[:40]


@contextmanager
def holding_refreshes(
    leases: Leases,
    org_id: str,
    refresh_tokens: Iterable[str],
    *,
    clock: Clock,
    sleep: Callable[[float], None] = time.sleep,
    wait_seconds: float = 10.0,
    elapsed: Monotonic = monotonic,
) -> Iterator[None]:
    """Hold the refresh leases of these token sets: no refresh of theirs runs until the block ends.

    A new consent by a Xero user supersedes the refresh token stored for that user, so its tokens must be stored
    after any refresh that started before the exchange, never before one whose answer lands later. The leases are
    taken in one order (no two holders wait on each other); a lease still held by someone else after `wait_seconds`
    is given up on (that refresh is slow or its holder died; the lease runs out by itself).
    """
    owner, held = uuid.uuid4().hex, []
    deadline = elapsed() + wait_seconds
    try:
        for key in sorted({family_key(token) for token in refresh_tokens}):
            pause = 0.05
            while not leases.acquire(org_id, key, owner, now=clock.now().timestamp(), seconds=LEASE_SECONDS):
                if elapsed() > deadline:
                    logger.warning("a token refresh held its lease too long; going on without it")
                    break
                sleep(pause)
                pause = min(pause * 2, 0.5)
            else:
                held.append(key)
        yield
    finally:
        for key in held:
            leases.release(org_id, key, owner)


class ConnectionTokens:
    """An `AccessTokenProvider` for one connection (the token set it reads: its grant's, or its own)."""

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
        grant_of: Callable[[OAuthTokens], str] | None = None,
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
        self._grant_of = grant_of  # the grant a token set belongs to ("" none): moves copies of before into it
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
        if self._repository.link(self._org_id, self._connection_id).grant_id:
            return kept  # the grant's one set, read by all its connections: stored once
        # A copy of its own, from before grants: into its Xero user's grant, or else onto the other copies.
        if not (kept is fresh and self._move_into_grant(fresh, tokens.refresh_token)):
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
        """Other connections of this organisation holding their own copy of the same refresh token (one consent,
        several tenants, stored before grants)."""
        own = self._repository.load_tokens  # bound once: the loop below reads each sibling's tokens
        links = self._repository.links(self._org_id)
        siblings = []
        for connection in self._repository.for_org(self._org_id):
            if connection.connection_id == self._connection_id or connection.status is ConnectionStatus.DISCONNECTED:
                continue
            if links.get(connection.connection_id, GrantLink()).grant_id:
                continue  # reads its grant's set, never a copy
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

    def _grant_members(self, grant_id: str) -> list[str]:
        """The other connections of the grant (not disconnected): they read the same token set."""
        links = self._repository.links(self._org_id)
        return [
            c.connection_id
            for c in self._repository.for_org(self._org_id)
            if c.connection_id != self._connection_id
            and c.status is not ConnectionStatus.DISCONNECTED
            and links.get(c.connection_id, GrantLink()).grant_id == grant_id
        ]

    def _mark_family(self, used: str, status: ConnectionStatus) -> None:
        grant_id = self._repository.link(self._org_id, self._connection_id).grant_id
        others = self._grant_members(grant_id) if grant_id else self._siblings(used)
        for connection_id in [self._connection_id, *others]:
            self._repository.set_status(self._org_id, connection_id, status)

    def _move_into_grant(self, fresh: OAuthTokens, used: str) -> bool:
        """Migration of a connection stored before grants: its refreshed set becomes its Xero user's grant, read from
        then on by every connection of this organisation holding a copy of that user's tokens (copies of one user's
        tokens supersede each other at every refresh). False when there is no grant to move to, or it changed."""
        grant_id = self._grant_of(fresh) if self._grant_of is not None else ""
        if not grant_id:
            return False
        found = self._repository.grant_tokens(self._org_id, grant_id)
        try:  # the newest token of the user's family: it supersedes whatever the grant held
            self._repository.save_grant(self._org_id, grant_id, fresh, expected_version=found[1] if found else None)
        except TokenConflict:
            return False  # a consent or a refresh of the grant meanwhile: the next refresh tries again
        links = self._repository.links(self._org_id)
        for connection in self._repository.for_org(self._org_id):
            cid = connection.connection_id
            if connection.status is ConnectionStatus.DISCONNECTED or links.get(cid, GrantLink()).grant_id:
                continue
            try:
                theirs, _ = self._repository.load_tokens(self._org_id, cid)
            except LunasError:
                continue
            if theirs.refresh_token in (used, fresh.refresh_token) or self._grant_of_copy(theirs) == grant_id:
                self._repository.set_link(self._org_id, cid, GrantLink(grant_id=grant_id))
                self._repository.delete_tokens(self._org_id, cid)
        logger.info("token set moved into its grant", extra={"connection_id": self._connection_id})
        return True

    def _grant_of_copy(self, tokens: OAuthTokens) -> str:
        return self._grant_of(tokens) if self._grant_of is not None else ""


def token_provider(
    *,
    org_id: str,
    connection_id: str,
    repository: ConnectionRepository,
    refresher: TokenRefresher,
    clock: Clock,
    leases: Leases,
    grant_of: Callable[[OAuthTokens], str] | None = None,
) -> AccessTokenProvider:
    return ConnectionTokens(
        org_id=org_id,
        connection_id=connection_id,
        repository=repository,
        refresher=refresher,
        clock=clock,
        leases=leases,
        grant_of=grant_of,
    )
