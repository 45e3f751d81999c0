"""Cookies and CSRF tokens for the server-rendered dashboard.

- `lunas_session`: the Cognito ID token. HttpOnly (no script can read it), SameSite=Lax (not sent on cross-site
  POSTs), Secure when the site is served over https, Path=/.
- `lunas_csrf`: a random value per browser. Every state-changing form carries `csrf_token` = HMAC(secret, that value
  and the signed-in user): a page on another site can neither read the cookie nor compute the token.
"""

from __future__ import annotations

from functools import cache

from chalicelib.observability import logger

# app.py imports this module (through the dashboard's routes) on every cold start of every function: hashlib, hmac,
# secrets and http.cookies are imported by the functions that use them, on the first dashboard request.

SESSION_COOKIE = "lunas_session"
CSRF_COOKIE = "lunas_csrf"
LANG_COOKIE = "lunas_lang"
SESSION_MAX_AGE = 3600  # Cognito ID tokens live an hour


def parse_cookies(header: str | None) -> dict[str, str]:
    from http.cookies import CookieError, SimpleCookie

    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header or "")
    except CookieError:
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


def set_cookie(name: str, value: str, *, secure: bool, max_age: int | None = None, http_only: bool = True) -> str:
    parts = [f"{name}={value}", "Path=/", "SameSite=Lax"]
    if http_only:
        parts.append("HttpOnly")
    if secure:
        parts.append("Secure")
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    return "; ".join(parts)


def clear_cookie(name: str, *, secure: bool) -> str:
    return set_cookie(name, "", secure=secure, max_age=0)


def new_csrf_seed() -> str:
    import secrets

    return secrets.token_urlsafe(24)


@cache
def _fallback_secret() -> bytes:
    import secrets

    logger.warning("LUNAS_SESSION_SECRET is not set: CSRF tokens use a per-process secret")
    return secrets.token_bytes(32)


def _secret(configured: str) -> bytes:
    return configured.encode() if configured else _fallback_secret()


def csrf_token(seed: str, user_sub: str, configured_secret: str) -> str:
    import hashlib
    import hmac

    message = f"{seed}|{user_sub}".encode()
    return hmac.new(_secret(configured_secret), message, hashlib.sha256).hexdigest()


def csrf_valid(token: str | None, seed: str | None, user_sub: str, configured_secret: str) -> bool:
    from chalicelib.domain.secrecy import same_secret

    if not token or not seed:
        return False
    return same_secret(token, csrf_token(seed, user_sub, configured_secret))
