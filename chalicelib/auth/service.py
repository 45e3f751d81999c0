"""Who is asking: sign-up (a new organisation and its owner), sign-in, and the signed-in principal of a request."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

from chalicelib.auth.cognito import CognitoUsers
from chalicelib.auth.tokens import IdTokenVerifier, InvalidSession
from chalicelib.domain.models import ReminderSettings
from chalicelib.domain.records import Membership
from chalicelib.ports import Clock
from chalicelib.storage.organisations import DynamoMemberships


@dataclass(frozen=True, slots=True)
class Principal:
    """The signed-in user and the one organisation every page and API call is scoped to."""

    user_sub: str
    email: str
    org_id: str
    role: str
    issued_at: int  # of the session's ID token


class OrganisationCreator(Protocol):
    def __call__(self, settings: ReminderSettings) -> None: ...


class Authenticator:
    def __init__(
        self,
        *,
        users: CognitoUsers,
        verifier: IdTokenVerifier,
        memberships: DynamoMemberships,
        save_organisation: OrganisationCreator,
        clock: Clock,
    ) -> None:
        self._users = users
        self._verifier = verifier
        self._memberships = memberships
        self._save_organisation = save_organisation
        self._clock = clock

    def sign_up(self, *, email: str, password: str, business_name: str, country: str = "ID") -> str:
        """Create the account, its organisation (in `country`, ISO 3166 alpha-2) and the owner membership; returns an
        ID token (signed in)."""
        user = self._users.sign_up(email, password)
        org_id = f"org-{uuid.uuid4().hex[:16]}"
        self._save_organisation(ReminderSettings(org_id=org_id, business_name=business_name, country=country))
        self._memberships.add(
            Membership(user_sub=user.sub, org_id=org_id, role="owner", email=email), self._clock.now()
        )
        return self._users.sign_in(email, password)

    def sign_in(self, *, email: str, password: str) -> str:
        return self._users.sign_in(email, password)

    def principal(self, id_token: str | None) -> Principal:
        """The verified principal of a session cookie, or InvalidSession."""
        if not id_token:
            raise InvalidSession("no session")
        identity = self._verifier.verify(id_token)
        membership = self._memberships.for_user(identity.sub)
        if membership is None:
            raise InvalidSession("the user belongs to no organisation")
        if membership.signed_out_at is not None and identity.issued_at <= membership.signed_out_at:
            raise InvalidSession("signed out since this token was issued")
        return Principal(
            user_sub=identity.sub,
            email=identity.email or membership.email,
            org_id=membership.org_id,
            role=membership.role,
            issued_at=identity.issued_at,
        )

    def sign_out(self, principal: Principal) -> None:
        """Refuse this session's token (and any older one) from now on, even before it expires."""
        self._memberships.mark_signed_out(principal.user_sub, principal.issued_at)
