"""Sign-in for the sandbox: a Cognito user pool and app client on the local moto server.

moto signs ID tokens with RS256 and serves the pool's keys at `<endpoint>/<pool_id>/.well-known/jwks.json`; the
tokens' `iss` claim names the AWS host form, so the JWKS URL and the issuer are separate settings (see
`chalicelib/config.py`). Never trust moto's signing key outside local development: it is published.
"""

from __future__ import annotations

import os
import secrets


def create_user_pool(endpoint: str, name: str = "lunas-owners") -> dict[str, str]:
    """Create the pool and the web client; returns the environment the app reads (COGNITO_*)."""
    import boto3

    region = os.environ.get("AWS_DEFAULT_REGION", "ap-southeast-3")
    idp = boto3.client("cognito-idp")
    pool = idp.create_user_pool(
        PoolName=name,
        UsernameAttributes=["email"],
        Policies={
            "PasswordPolicy": {
                "MinimumLength": 8,
                "RequireUppercase": True,
                "RequireLowercase": True,
                "RequireNumbers": True,
                "RequireSymbols": False,
            }
        },
    )["UserPool"]
    client = idp.create_user_pool_client(
        UserPoolId=pool["Id"],
        ClientName="lunas-dashboard",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    return {
        "COGNITO_USER_POOL_ID": pool["Id"],
        "COGNITO_CLIENT_ID": client["ClientId"],
        "COGNITO_JWKS_URL": f"{endpoint}/{pool['Id']}/.well-known/jwks.json",
        "COGNITO_ISSUER": f"https://cognito-idp.{region}.amazonaws.com/{pool['Id']}",
        "LUNAS_SESSION_SECRET": secrets.token_urlsafe(32),
        "LUNAS_ERASURE_KEY": secrets.token_urlsafe(32),
    }
