"""A token provider for adapter tests, shared by the Xero and QuickBooks suites."""

from __future__ import annotations

import datetime as dt
from typing import Any

from chalicelib.domain.models import OAuthTokens
from chalicelib.ports import TokenRefresher


class FakeTokenProvider:
    """An AccessTokenProvider like the real one: keeps the newest token set, refreshes when told."""

    def __init__(self, tokens: dict[str, Any], refresher: TokenRefresher, *, issued_at: dt.datetime) -> None:
        self.refresher = refresher
        self.tokens = OAuthTokens(
            access_token=tokens["access_token"],
            refresh_token=tokens["refresh_token"],
            expires_at=issued_at + dt.timedelta(seconds=int(tokens["expires_in"])),
        )
        self.refreshes = 0
        self.calls: list[bool] = []

    def __call__(self, *, force_refresh: bool = False) -> str:
        self.calls.append(force_refresh)
        if force_refresh:
            self.tokens = self.refresher.refresh(self.tokens.refresh_token)
            self.refreshes += 1
        return self.tokens.access_token
