"""Valid access tokens for a connection, refreshed safely.

Refresh tokens rotate (Xero and QuickBooks), so a refresh that is lost, or two that race, can cut a connection off.
The token set is stored with a version number: a refresh is saved only if nobody stored a newer set meanwhile, and
the loser of a race uses the winner's tokens. `invalid_grant` marks the connection "reconnect needed", which pauses
its reminders until the owner connects again.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from chalicelib.domain.errors import ReconnectNeeded, TokenConflict
from chalicelib.domain.models import ConnectionStatus
from chalicelib.ports import AccessTokenProvider, Clock, OAuthTokens, TokenRefresher

_EARLY_REFRESH = dt.timedelta(seconds=60)  # refresh a little before expiry, so a call never starts with a dying token


class TokenRepository(Protocol):
    def load_tokens(self, org_id: str, connection_id: str) -> tuple[OAuthTokens, int]: ...

    def save_tokens(self, org_id: str, connection_id: str, tokens: OAuthTokens, *, expected_version: int) -> None: ...

    def set_status(self, org_id: str, connection_id: str, status: ConnectionStatus) -> None: ...


class ConnectionTokens:
    """An `AccessTokenProvider` for one connection."""

    def __init__(
        self, *, org_id: str, connection_id: str, repository: TokenRepository, refresher: TokenRefresher, clock: Clock
    ) -> None:
        self._org_id = org_id
        self._connection_id = connection_id
        self._repository = repository
        self._refresher = refresher
        self._clock = clock
        self._last_access_token: str | None = None

    def __call__(self, *, force_refresh: bool = False) -> str:
        tokens, version = self._repository.load_tokens(self._org_id, self._connection_id)
        stale = force_refresh and tokens.access_token == self._last_access_token
        if not stale and tokens.expires_at - _EARLY_REFRESH > self._clock.now():
            self._last_access_token = tokens.access_token
            return tokens.access_token
        # force_refresh with a token someone else already replaced: theirs is fresh, use it.
        self._last_access_token = self._refresh(tokens, version).access_token
        return self._last_access_token

    def _refresh(self, tokens: OAuthTokens, version: int) -> OAuthTokens:
        try:
            fresh = self._refresher.refresh(tokens.refresh_token)
        except ReconnectNeeded:
            self._repository.set_status(self._org_id, self._connection_id, ConnectionStatus.RECONNECT_NEEDED)
            raise
        try:
            self._repository.save_tokens(self._org_id, self._connection_id, fresh, expected_version=version)
        except TokenConflict:
            winner, _ = self._repository.load_tokens(self._org_id, self._connection_id)
            return winner
        return fresh


def token_provider(
    *, org_id: str, connection_id: str, repository: TokenRepository, refresher: TokenRefresher, clock: Clock
) -> AccessTokenProvider:
    return ConnectionTokens(
        org_id=org_id, connection_id=connection_id, repository=repository, refresher=refresher, clock=clock
    )
