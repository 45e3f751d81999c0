"""OAuth 2.0 `state` values of connect flows in progress: single use, short-lived, bound to the user."""

from __future__ import annotations

import datetime as dt
import hashlib

from pynamodb.exceptions import UpdateError

from chalicelib.domain import retention
from chalicelib.domain.errors import StateInvalid
from chalicelib.domain.records import PendingAuthorization
from chalicelib.storage.schema import OAuthStateRecord
from chalicelib.storage.writes import conditional_failed


def _state_key(state: str) -> str:
    return "OAUTHSTATE#" + hashlib.sha256(state.encode()).hexdigest()


class DynamoOAuthStates:
    """Single-use `state` values: stored hashed, bound to the user who started the flow, with a short lifetime."""

    def put(self, state: str, pending: PendingAuthorization, *, now: dt.datetime, ttl: dt.timedelta) -> None:
        not_after = now + ttl
        OAuthStateRecord(
            _state_key(state),
            "STATE",
            org_id=pending.org_id,
            user_sub=pending.user_sub,
            provider=pending.provider,
            code_verifier=pending.code_verifier,
            redirect_uri=pending.redirect_uri,
            not_after=int(not_after.timestamp()),
            expires_at=retention.OAUTH_STATE.until(not_after),  # kept a little: a replay is told apart
        ).save(condition=OAuthStateRecord.pk.does_not_exist())

    def consume(self, state: str, *, user_sub: str, provider: str, now: dt.datetime) -> PendingAuthorization:
        """Mark the state used (atomically: a second use fails as a replay) after checking whose it is.

        The used item stays until its TTL, so a replayed callback is told apart from a made-up state.
        """
        try:
            record = OAuthStateRecord.get(_state_key(state), "STATE")
        except OAuthStateRecord.DoesNotExist:
            raise StateInvalid("unknown or already used state", kind="missing") from None
        if record.user_sub != user_sub or record.provider != provider:
            raise StateInvalid("state belongs to another sign-in or provider", kind="wrong_user")
        try:
            record.update(
                actions=[OAuthStateRecord.used_at.set(int(now.timestamp()))],
                condition=OAuthStateRecord.pk.exists() & OAuthStateRecord.used_at.does_not_exist(),
            )
        except UpdateError as exc:
            if conditional_failed(exc):
                raise StateInvalid("state already used", kind="replayed") from None
            raise
        if now.timestamp() > float(record.not_after):
            raise StateInvalid("state expired", kind="expired")
        return PendingAuthorization(
            org_id=record.org_id,
            user_sub=record.user_sub,
            provider=record.provider,
            code_verifier=record.code_verifier,
            redirect_uri=record.redirect_uri,
        )
