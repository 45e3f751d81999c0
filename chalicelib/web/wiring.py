"""Builds the sign-in and connect-flow objects from the current settings.

Cheap to build (no I/O): the expensive part, the JWKS keys, is cached per URL in `chalicelib.auth.tokens`.
"""

from __future__ import annotations

from chalicelib import bootstrap
from chalicelib.auth.cognito import CognitoUsers
from chalicelib.auth.service import Authenticator
from chalicelib.auth.tokens import IdTokenVerifier
from chalicelib.config import load_settings
from chalicelib.services.connections import ConnectFlows, providers_from_settings
from chalicelib.storage.oauth_states import DynamoOAuthStates
from chalicelib.storage.organisations import DynamoMemberships


def authenticator() -> Authenticator:
    config = load_settings()
    return Authenticator(
        users=CognitoUsers(user_pool_id=config.cognito_user_pool_id, client_id=config.cognito_client_id),
        verifier=IdTokenVerifier(
            jwks_url=config.cognito_jwks_url, issuer=config.cognito_issuer, audience=config.cognito_client_id
        ),
        memberships=DynamoMemberships(),
        save_organisation=bootstrap.stores().organisations.save,
        clock=bootstrap.clock(),
    )


def connect_flows() -> ConnectFlows:
    config = load_settings()
    return ConnectFlows(
        providers=providers_from_settings(config),
        states=DynamoOAuthStates(),
        connections=bootstrap.stores().connections,
        clock=bootstrap.clock(),
        public_base_url=config.public_base_url,
    )
