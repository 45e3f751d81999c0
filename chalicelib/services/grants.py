"""Xero grants (chalicelib/domain/grants.py): whose a Xero access token is, and connecting and disconnecting
organisations of one Xero user without losing the user's others."""

from __future__ import annotations

import dataclasses
import secrets
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

import jwt

from chalicelib.clock import Monotonic, monotonic
from chalicelib.domain.errors import LunasError, TokenConflict
from chalicelib.domain.grants import ORGANISATION, GrantLink, TenantConnection, XeroUser, xero_grant_id
from chalicelib.domain.models import CompanyProfile, Connection, ConnectionStatus, OAuthTokens
from chalicelib.observability import logger
from chalicelib.ports import AccessTokenProvider, Clock, ConnectionRepository, Leases, XeroConnections
from chalicelib.services.tokens import holding_refreshes

_SAVE_ATTEMPTS = 4


def xero_user(access_token: str) -> XeroUser | None:
    """The `xero_userid` and `authentication_event_id` claims of a Xero access token (a JWT); None for a token that
    is no JWT or names no user.

    The signature is deliberately not verified: Lunas reads these two claims of a token it received itself, over TLS,
    straight from Xero's token endpoint (and stored encrypted since), only to know which of its own records the
    token belongs with. Nothing is granted on the strength of them; Xero checks the token on every API call.
    """
    try:
        claims = jwt.decode(access_token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    user_id = str(claims.get("xero_userid") or "")
    if not user_id:
        return None
    return XeroUser(user_id=user_id, auth_event_id=str(claims.get("authentication_event_id") or ""))


def xero_grant_of(tokens: OAuthTokens) -> str:
    """The grant a Xero token set belongs to (`xero:<xero_userid>`), or "" when its access token names no user."""
    user = xero_user(tokens.access_token)
    return xero_grant_id(user.user_id) if user else ""


@dataclass(frozen=True, slots=True)
class Consent:
    """A Xero consent, exchanged and stored: its user's grant, and the organisations to connect."""

    grant_id: str
    tokens: OAuthTokens
    organisations: list[TenantConnection]  # what this consent connected (or reconnected): each becomes a connection
    listed: dict[str, TenantConnection]  # every organisation the user has connected to Lunas, by tenant id


class XeroGrants:
    """The Xero half of connecting and disconnecting: one grant per (Lunas organisation, Xero user).

    - `consent`: exchange the code while no refresh of this organisation's Xero token sets runs, store the tokens as
      the user's grant (a new token of the user's family supersedes the one the grant held), and find the
      organisations this consent connected: `GET /connections?authEventId=<authentication_event_id>`.
    - `attach`: each of them becomes (or becomes again) a connection of the grant, with Xero's connection id.
    - `restore`: the user's other organisations this Lunas organisation already has read the new tokens too.
    - `drop`: disconnect one organisation with `DELETE /connections/{id}`; the grant's tokens go with its last
      connection, revoked only if Xero then lists nothing else for the user.
    """

    def __init__(
        self,
        *,
        connections: ConnectionRepository,
        xero: XeroConnections,
        clock: Clock,
        leases: Leases | None = None,
        access_tokens: Callable[[Connection], AccessTokenProvider] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        elapsed: Monotonic = monotonic,
    ) -> None:
        self._connections = connections
        self._xero = xero
        self._clock = clock
        self._leases = leases
        self._access_tokens = access_tokens
        self._sleep = sleep
        self._elapsed = elapsed

    # -- connecting ------------------------------------------------------------------------------------------------

    def consent(self, org_id: str, exchange: Callable[[], OAuthTokens]) -> Consent:
        """Exchange the code and store the tokens as their user's grant. An empty `organisations`: the consent
        connected none (the tokens are kept all the same when the user's grant exists: they are its newest).

        Raises whatever `exchange` raises, and AccountingError when Xero cannot list the connections.
        """
        with self._no_refreshes(org_id):
            tokens = exchange()
            user = xero_user(tokens.access_token)
            grant_id = xero_grant_id(user.user_id) if user else f"xero:consent-{secrets.token_hex(8)}"
            existed = self._connections.grant_tokens(org_id, grant_id) is not None
            if existed:  # the user's family has a new token now: the one the grant held is superseded
                self._store(org_id, grant_id, tokens)
            organisations, listed = self._organisations(org_id, tokens, user)
            if organisations and not existed:
                self._store(org_id, grant_id, tokens)
        return Consent(grant_id=grant_id, tokens=tokens, organisations=organisations, listed=listed)

    def attach(
        self, org_id: str, consent: Consent, organisation: TenantConnection, profile: CompanyProfile
    ) -> tuple[Connection, Connection | None]:
        """The organisation as a connection of the consent's grant, active; and what it was before (None: new)."""
        connection_id = f"xero:{organisation.tenant_id}"
        try:
            before: Connection | None = self._connections.get(org_id, connection_id)
            previous = self._connections.link(org_id, connection_id).grant_id
        except LunasError:
            before, previous = None, ""
        connection = Connection(
            org_id=org_id,
            connection_id=connection_id,
            provider="xero",
            tenant_id=organisation.tenant_id,
            tenant_name=organisation.tenant_name,
            country=profile.country,
            currency=profile.currency,
            timezone=profile.timezone,
        )
        link = GrantLink(grant_id=consent.grant_id, provider_connection_id=organisation.connection_id)
        self._connections.attach(connection, link)
        if previous and previous != consent.grant_id:
            self._forget_if_unused(org_id, previous)  # another Xero user's grant it belonged to
        return self._connections.get(org_id, connection_id), before

    def restore(self, org_id: str, consent: Consent, attached: Iterable[str]) -> list[Connection]:
        """The user's other organisations that this Lunas organisation already has, and Xero still lists for the
        user, read the new tokens too: the grant's own, one stored before grants, one whose grant no longer works.
        They join the grant with Xero's id for them, active again (after "reconnect needed" too). Disconnected
        ones stay disconnected; those of another working grant stay there."""
        done = set(attached)
        links = self._connections.links(org_id)
        restored = []
        for connection in self._connections.for_org(org_id):
            listed = consent.listed.get(connection.tenant_id)
            if connection.provider != "xero" or connection.connection_id in done or listed is None:
                continue
            if connection.status is ConnectionStatus.DISCONNECTED:
                continue
            link = links.get(connection.connection_id, GrantLink())
            ours = link.grant_id in ("", consent.grant_id) or connection.status is ConnectionStatus.RECONNECT_NEEDED
            wanted = GrantLink(grant_id=consent.grant_id, provider_connection_id=listed.connection_id)
            if not ours or (link == wanted and connection.status is ConnectionStatus.ACTIVE):
                continue
            self._connections.attach(dataclasses.replace(connection, status=ConnectionStatus.ACTIVE), wanted)
            if link.grant_id and link.grant_id != consent.grant_id:
                self._forget_if_unused(org_id, link.grant_id)
            restored.append(connection)
        return restored

    def _store(self, org_id: str, grant_id: str, tokens: OAuthTokens) -> None:
        """The consent's tokens are the newest of the user's family (no refresh of the grant runs meanwhile)."""
        for _ in range(_SAVE_ATTEMPTS):
            found = self._connections.grant_tokens(org_id, grant_id)
            try:
                self._connections.save_grant(org_id, grant_id, tokens, expected_version=found[1] if found else None)
                return
            except TokenConflict:
                continue  # written between our read and our write (a refresh that gave up waiting): ours is newer
        raise TokenConflict(f"grant {grant_id} kept changing while a consent was stored")

    def _organisations(
        self, org_id: str, tokens: OAuthTokens, user: XeroUser | None
    ) -> tuple[list[TenantConnection], dict[str, TenantConnection]]:
        """(the organisations of this consent, every organisation the user connected by tenant id)."""
        event = user.auth_event_id if user else ""
        mine = _organisations(self._xero.connections(tokens.access_token, auth_event_id=event))
        try:
            everyone = _organisations(self._xero.connections(tokens.access_token)) if event else mine
        except LunasError as exc:  # only the others' restoring needs it
            logger.warning("could not list the user's other Xero connections", extra={"error": str(exc)})
            everyone = []
        listed = {row.tenant_id: row for row in everyone}
        if not mine and event:
            # A consent that only re-approved organisations connected before may list none under its own event:
            # reconnect those this Lunas organisation already has.
            known = {c.tenant_id for c in self._connections.for_org(org_id) if c.provider == "xero"}
            mine = [row for row in everyone if row.tenant_id in known]
        return mine, listed

    def _no_refreshes(self, org_id: str) -> AbstractContextManager[None]:
        """Hold the refresh leases of every Xero token set this organisation keeps (see `holding_refreshes`)."""
        if self._leases is None:
            return nullcontext()
        return holding_refreshes(
            self._leases,
            org_id,
            [tokens.refresh_token for tokens in self._token_sets(org_id)],
            clock=self._clock,
            sleep=self._sleep,
            elapsed=self._elapsed,
        )

    def _token_sets(self, org_id: str) -> list[OAuthTokens]:
        """Every Xero token set of the organisation: each grant's once, and the own copies of connections stored
        before grants."""
        links = self._connections.links(org_id)
        found: dict[str, OAuthTokens] = {}
        for connection in self._connections.for_org(org_id):
            if connection.provider != "xero" or connection.status is ConnectionStatus.DISCONNECTED:
                continue
            owner = links.get(connection.connection_id, GrantLink()).grant_id or connection.connection_id
            if owner in found:
                continue
            try:
                found[owner] = self._connections.load_tokens(org_id, connection.connection_id)[0]
            except LunasError:
                continue
        return list(found.values())

    # -- disconnecting ---------------------------------------------------------------------------------------------

    def drop(self, connection: Connection) -> bool:
        """Disconnect one Xero organisation and leave the user's others connected. True when Xero confirmed it is
        no longer connected (or Lunas held no tokens for it); False when Xero could not be asked (the owner is told
        to remove Lunas in Xero). The caller marks the connection disconnected."""
        org_id, connection_id = connection.org_id, connection.connection_id
        link = self._connections.link(org_id, connection_id)
        try:
            tokens, _ = self._connections.load_tokens(org_id, connection_id)
        except LunasError:
            self._leave(org_id, connection_id, link)
            return True  # nothing stored: nothing to drop
        others = self._sharing(connection, link, tokens)
        access = self._access_token(connection, tokens)
        dropped = bool(access) and self._delete(access, connection, link)
        if others:
            self._leave(org_id, connection_id, link)
            return dropped
        revoked = bool(access) and self._revoke_if_alone(access, tokens.refresh_token, connection)
        self._leave(org_id, connection_id, link)
        if link.grant_id:
            self._connections.delete_grant(org_id, link.grant_id)  # the stored tokens go at once
        return dropped or revoked

    def _sharing(self, connection: Connection, link: GrantLink, tokens: OAuthTokens) -> list[str]:
        """The other connections (not disconnected) still reading the same token set: the grant's, or copies."""
        links = self._connections.links(connection.org_id)
        others = []
        for other in self._connections.for_org(connection.org_id):
            if other.connection_id == connection.connection_id or other.status is ConnectionStatus.DISCONNECTED:
                continue
            theirs = links.get(other.connection_id, GrantLink()).grant_id
            if link.grant_id:
                if theirs == link.grant_id:
                    others.append(other.connection_id)
                continue
            if theirs or other.provider != connection.provider:
                continue
            try:
                copy, _ = self._connections.load_tokens(other.org_id, other.connection_id)
            except LunasError:
                continue
            if copy.refresh_token == tokens.refresh_token:
                others.append(other.connection_id)
        return others

    def _access_token(self, connection: Connection, tokens: OAuthTokens) -> str:
        """A valid access token of the set (refreshed once, under the usual single flight), or "" if none can be
        had: the refresh token no longer works, or Xero cannot be reached."""
        if self._access_tokens is None:
            return tokens.access_token if tokens.expires_at > self._clock.now() else ""
        try:
            return self._access_tokens(connection)()
        except LunasError as exc:
            logger.warning("no valid Xero token to disconnect with", extra={"error": str(exc)})
            return ""

    def _delete(self, access_token: str, connection: Connection, link: GrantLink) -> bool:
        xero_id = link.provider_connection_id
        if not xero_id:  # stored before Lunas kept Xero's connection id: look it up
            try:
                rows = self._xero.connections(access_token)
            except LunasError:
                return False
            found = next((row for row in rows if row.tenant_id == connection.tenant_id), None)
            if found is None:
                return True  # Xero no longer lists it for this user: nothing to drop
            if not found.connection_id:
                return False
            xero_id = found.connection_id
        return self._xero.delete_connection(access_token, xero_id)

    def _revoke_if_alone(self, access_token: str, refresh_token: str, connection: Connection) -> bool:
        """The grant's last connection went: revoke the user's tokens, unless Xero still lists another organisation
        for the user (connected to another Lunas organisation, say), which revocation would drop too."""
        try:
            remaining = [r for r in self._xero.connections(access_token) if r.tenant_id != connection.tenant_id]
        except LunasError:
            return False
        if remaining:
            logger.info("the Xero user has other organisations connected to Lunas: tokens deleted, not revoked")
            return False
        return self._xero.revoke(refresh_token)

    def _leave(self, org_id: str, connection_id: str, link: GrantLink) -> None:
        """The connection no longer reads any token set: it leaves its grant, or its own copy is deleted."""
        if link.grant_id:
            self._connections.set_link(org_id, connection_id, GrantLink())
        else:
            self._connections.delete_tokens(org_id, connection_id)

    def _forget_if_unused(self, org_id: str, grant_id: str) -> None:
        """A grant no connection reads any more (its organisations moved to another Xero user's) is deleted."""
        links = self._connections.links(org_id)
        used = any(
            links.get(c.connection_id, GrantLink()).grant_id == grant_id
            for c in self._connections.for_org(org_id)
            if c.status is not ConnectionStatus.DISCONNECTED
        )
        if not used:
            self._connections.delete_grant(org_id, grant_id)


def _organisations(rows: Iterable[TenantConnection]) -> list[TenantConnection]:
    return [row for row in rows if row.tenant_type == ORGANISATION]
