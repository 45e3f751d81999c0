"""A demo owner for `make demo`: a Cognito account that signs in to an existing sandbox organisation."""

from __future__ import annotations

import contextlib
import secrets

DEMO_EMAIL_DOMAIN = "demo.lunas.local"


def create_demo_owner(org_id: str) -> tuple[str, str]:
    """Create (or reuse) a confirmed account owning `org_id`; returns (email, password) to print for the user.

    Call after `start_sandbox()`: it uses the sandbox's Cognito pool (COGNITO_* in the environment). Running it
    again for the same organisation gives the same account a new password.
    """
    import boto3

    from chalicelib import bootstrap
    from chalicelib.auth.cognito import SignUpRefused
    from chalicelib.domain.records import Membership
    from chalicelib.storage.organisations import AlreadyMember

    lunas = bootstrap.container()
    config = lunas.settings
    email = f"owner-{org_id.lower()}@{DEMO_EMAIL_DOMAIN}"
    password = f"Lunas-{secrets.token_hex(4)}A1"
    try:
        sub = lunas.cognito_users.sign_up(email, password).sub
    except SignUpRefused:
        idp = boto3.client("cognito-idp")
        idp.admin_set_user_password(
            UserPoolId=config.cognito_user_pool_id, Username=email, Password=password, Permanent=True
        )
        attributes = idp.admin_get_user(UserPoolId=config.cognito_user_pool_id, Username=email)["UserAttributes"]
        sub = next(a["Value"] for a in attributes if a["Name"] == "sub")
    with contextlib.suppress(AlreadyMember):
        lunas.stores.memberships.add(
            Membership(user_sub=sub, org_id=org_id, role="owner", email=email), lunas.clock.now()
        )
    return email, password
