"""Errors the adapters raise instead of vendor exceptions, so services never import an SDK."""

from __future__ import annotations

from typing import Literal


class LunasError(Exception):
    """Base class of every error Lunas raises on purpose."""


class AccountingError(LunasError):
    """The accounting system could not answer (after retries)."""


class AccountingRateLimited(AccountingError):
    """The accounting system's limit is spent for longer than we are willing to wait in this cycle."""

    def __init__(self, message: str, *, retry_after_seconds: float, problem: str = "") -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds
        self.problem = problem  # e.g. Xero's X-Rate-Limit-Problem: "minute", "day"


class ReconnectNeeded(AccountingError):
    """The provider rejected our refresh token (invalid_grant): the owner must connect again."""


class TokenConflict(LunasError):
    """Someone else saved newer tokens for this connection first (optimistic locking lost)."""


class SendFailed(LunasError):
    """Meta did not accept a message.

    `retryable` says whether trying again later can help (throughput limits, 5xx). `maybe_sent` is True when we
    cannot know (a timeout after the request left): such a send must never be repeated blindly. `throttled` is True
    when Meta (or anything in front of it) asked us to slow down: the rest of the cycle waits for the next one.
    """

    def __init__(
        self,
        message: str,
        *,
        code: int | None,
        title: str,
        retryable: bool,
        maybe_sent: bool = False,
        throttled: bool = False,
    ):
        super().__init__(message)
        self.code = code
        self.title = title
        self.retryable = retryable
        self.maybe_sent = maybe_sent
        self.throttled = throttled


WhatsAppRefusal = Literal["token_invalid", "no_access", "number_not_in_account", "unavailable"]


class WhatsAppAccountRefused(LunasError):
    """Meta did not confirm that an access token manages a WhatsApp number.

    `reason`: `token_invalid` (Meta refused the token: wrong, expired or revoked, code 190), `no_access` (the token
    cannot read that WhatsApp Business Account, or there is no such account: codes 10, 100, 200-299),
    `number_not_in_account` (the account's numbers, read with that token, do not include it) or `unavailable` (Meta
    could not be reached or answered 5xx / throttled: nothing is known, try again later).
    """

    def __init__(self, message: str, *, reason: WhatsAppRefusal, code: int | None = None) -> None:
        super().__init__(message)
        self.reason: WhatsAppRefusal = reason
        self.code = code


class StateInvalid(LunasError):
    """The `state` is unknown, already used, expired, or was started by someone else."""

    def __init__(self, message: str, *, kind: str) -> None:
        super().__init__(message)
        self.kind = kind  # missing | expired | replayed | wrong_user
