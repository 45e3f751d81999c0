"""Xero grants: the consent of one Xero user, shared by every organisation that user connected to Lunas.

Xero issues tokens to a *user*, not to an organisation: one refresh-token family per user and app, and every token
of the family reads every organisation the user connected (`GET /connections`). Refresh tokens rotate, and a newer
token of the family supersedes the older ones (usable for 30 minutes more), so two stored copies of one user's
tokens cut each other off. Lunas therefore keeps one token set per (Lunas organisation, Xero user), the *grant*, and
each connection (one Xero organisation) points at its grant and keeps Xero's id for it, which is what
`DELETE /connections/{id}` takes to drop that organisation alone. Revoking the refresh token instead drops every
organisation of the user, so it is done only when the grant's last connection goes.
https://developer.xero.com/documentation/guides/oauth2/auth-flow/#removing-connections
https://developer.xero.com/documentation/guides/oauth2/token-types/

Connections stored before grants existed keep their own copy of a token set and no Xero connection id: they are
read as a grant of one until a refresh or a new consent of their Xero user moves them into that user's grant.
"""

from __future__ import annotations

from dataclasses import dataclass

ORGANISATION = "ORGANISATION"  # Xero's tenantType of an organisation (the other one is PRACTICE)


@dataclass(frozen=True, slots=True, kw_only=True)
class GrantLink:
    """How a connection reaches its tokens."""

    grant_id: str = ""  # "xero:<xero_userid>"; "": the connection keeps its own token set (a grant of one)
    provider_connection_id: str = ""  # Xero's connection id (`GET /connections` -> `id`); "": not known yet


@dataclass(frozen=True, slots=True, kw_only=True)
class TenantConnection:
    """One row of Xero's `GET /connections`: an organisation the token's user connected to Lunas."""

    connection_id: str  # `id`
    tenant_id: str
    tenant_name: str = ""
    tenant_type: str = ORGANISATION
    auth_event_id: str = ""  # the consent that (last) connected it


@dataclass(frozen=True, slots=True, kw_only=True)
class XeroUser:
    """What a Xero access token says about whose it is and which consent issued it."""

    user_id: str  # the JWT claim `xero_userid`
    auth_event_id: str = ""  # the JWT claim `authentication_event_id`


def xero_grant_id(user_id: str) -> str:
    """The grant of a Xero user within one Lunas organisation."""
    return f"xero:{user_id}"
