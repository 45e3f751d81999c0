"""Verifies Cognito ID tokens: RS256 signature against the pool's JWKS, audience, issuer, expiry, token use.

The JWKS URL and the expected issuer are separate settings: locally the keys come from the moto server while the
`iss` claim names the AWS host form. Keys are cached per URL for the life of the process (PyJWKClient), so a warm
Lambda verifies without a network call; an unknown `kid` refetches once (key rotation).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import jwt

from chalicelib.domain.errors import LunasError

_LEEWAY_SECONDS = 30


class InvalidSession(LunasError):
    """The session token is missing, forged, expired or meant for another app."""


@dataclass(frozen=True, slots=True)
class Identity:
    sub: str
    email: str
    issued_at: int


@cache
def _jwks_client(jwks_url: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=3600, timeout=5)


class IdTokenVerifier:
    def __init__(self, *, jwks_url: str, issuer: str, audience: str) -> None:
        if not (jwks_url and issuer and audience):
            raise InvalidSession("sign-in is not configured (COGNITO_* settings)")
        self._jwks_url = jwks_url
        self._issuer = issuer
        self._audience = audience

    def verify(self, token: str) -> Identity:
        try:
            key = _jwks_client(self._jwks_url).get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                audience=self._audience,
                issuer=self._issuer,
                leeway=_LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "sub", "aud", "iss"]},
            )
        except jwt.PyJWTError as exc:
            raise InvalidSession(f"session token refused: {type(exc).__name__}") from None
        if claims.get("token_use") != "id":
            raise InvalidSession("not an ID token")
        return Identity(sub=str(claims["sub"]), email=str(claims.get("email", "")), issued_at=int(claims["iat"]))
