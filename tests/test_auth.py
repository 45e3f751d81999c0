"""Sign-up, sign-in, sessions and CSRF against the running app (Chalice local server, moto Cognito, DynamoDB)."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib import bootstrap
from chalicelib.auth.session import csrf_token, csrf_valid, parse_cookies
from chalicelib.auth.tokens import IdTokenVerifier, InvalidSession
from sandbox.run import Sandbox
from tests.web_support import PASSWORD, WebClient, new_email, org_of, retire_connections

pytestmark = pytest.mark.sandbox


@pytest.fixture(autouse=True)
def _retire_connections() -> Iterator[None]:
    yield
    retire_connections()


@pytest.fixture
def client(sandbox: Sandbox) -> WebClient:
    return WebClient(sandbox.app_url)


def test_sign_up_creates_an_organisation_and_signs_in_with_a_locked_down_cookie(client: WebClient) -> None:
    email = new_email()
    answer = client.sign_up(email, business="Toko Maju Jaya")
    assert answer.status_code == 303 and answer.headers["Location"] == "/dashboard"
    cookie = next(c for c in answer.raw.headers.getlist("Set-Cookie") if c.startswith("lunas_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # the sandbox serves plain http; LUNAS_PUBLIC_URL=https://... adds Secure
    page = client.get("/dashboard")
    assert page.status_code == 200 and "Toko Maju Jaya" in page.text
    org = org_of(email)
    assert org.startswith("org-")


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client: WebClient) -> None:
    email = new_email()
    client.sign_up(email)
    stranger = WebClient(client.base)
    answer = stranger.sign_in(email, "Wrong-Pass1")
    assert answer.status_code == 401
    assert "Wrong e-mail or password" in answer.text
    assert "lunas_session" not in stranger.session.cookies
    assert stranger.sign_in(email).status_code == 303


def test_sign_up_twice_and_weak_passwords_get_readable_answers(client: WebClient) -> None:
    email = new_email()
    client.sign_up(email)
    again = WebClient(client.base).sign_up(email)
    assert again.status_code == 400 and "already exists" in again.text
    weak = WebClient(client.base).sign_up(new_email(), password="short")
    assert weak.status_code == 400 and "too weak" in weak.text


def test_pages_need_a_session_and_the_api_answers_401(client: WebClient) -> None:
    assert client.get("/dashboard").headers["Location"] == "/signin"
    assert client.get("/api/invoices").status_code == 401


def test_a_tampered_or_foreign_token_is_refused(client: WebClient) -> None:
    client.sign_up(new_email())
    token = client.session.cookies["lunas_session"]
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "someone-else"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    client.session.cookies.set("lunas_session", f"{header}.{forged_payload}.{signature}")
    assert client.get("/dashboard").headers["Location"] == "/signin"

    own_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    foreign = jwt.encode({**claims, "exp": 4102444800}, own_key, algorithm="RS256", headers={"kid": "dummy"})
    client.session.cookies.set("lunas_session", foreign)
    assert client.get("/api/connections").status_code == 401


def test_verifier_checks_audience_and_issuer(sandbox: Sandbox, client: WebClient) -> None:
    client.sign_up(new_email())
    token = client.session.cookies["lunas_session"]
    config = bootstrap.container().settings
    good = IdTokenVerifier(
        jwks_url=config.cognito_jwks_url, issuer=config.cognito_issuer, audience=config.cognito_client_id
    )
    assert good.verify(token).sub
    with pytest.raises(InvalidSession):
        IdTokenVerifier(jwks_url=config.cognito_jwks_url, issuer=config.cognito_issuer, audience="other-app").verify(
            token
        )
    with pytest.raises(InvalidSession):
        IdTokenVerifier(
            jwks_url=config.cognito_jwks_url, issuer="https://evil.example", audience=config.cognito_client_id
        ).verify(token)


def test_sign_out_clears_the_session_and_the_old_token_stops_working(client: WebClient) -> None:
    client.sign_up(new_email())
    old_token = client.session.cookies["lunas_session"]
    answer = client.post("/signout", {}, csrf_from="/dashboard")
    assert answer.status_code == 303 and answer.headers["Location"] == "/signin"
    assert any(c.startswith("lunas_session=;") and "Max-Age=0" in c for c in answer.raw.headers.getlist("Set-Cookie"))
    replay = WebClient(client.base)
    replay.session.cookies.set("lunas_session", old_token)
    assert replay.get("/dashboard").headers["Location"] == "/signin"


def test_state_changing_forms_need_the_csrf_token(client: WebClient) -> None:
    client.sign_up(new_email())
    form = {
        "stages": "0, 3",
        "timezone": "Asia/Jakarta",
        "window_start": "09:00",
        "window_end": "17:00",
        "weekdays": ["0"],
        "language": "id",
        "minimum_amounts": "",
    }
    missing = client.post("/settings/schedule", form)
    assert missing.status_code == 403 and "did not come from Lunas" in missing.text
    forged = client.post("/settings/schedule", {**form, "csrf_token": "0" * 64})
    assert forged.status_code == 403
    assert client.post("/settings/schedule", form, csrf_from="/settings").status_code == 303
    signin_without_token = WebClient(client.base).post("/signin", {"email": "a@b.co", "password": PASSWORD})
    assert signin_without_token.status_code == 403


def test_csrf_token_is_bound_to_the_browser_seed_and_the_user() -> None:
    token = csrf_token("seed-1", "user-a", "secret")
    assert csrf_valid(token, "seed-1", "user-a", "secret")
    assert not csrf_valid(token, "seed-2", "user-a", "secret")
    assert not csrf_valid(token, "seed-1", "user-b", "secret")
    assert not csrf_valid(None, "seed-1", "user-a", "secret")
    assert parse_cookies('a=1; lunas_session="x.y.z"') == {"a": "1", "lunas_session": "x.y.z"}
    assert isinstance(parse_cookies("broken;;="), dict)  # never raises on a garbled header


def test_pages_speak_indonesian_and_english(client: WebClient) -> None:
    assert "Masuk" in client.get("/signin?lang=id").text
    assert "Masuk" in client.get("/signin").text  # remembered in a cookie
    assert "Sign in" in client.get("/signin?lang=en").text
    fresh = WebClient(client.base)
    assert "Masuk" in fresh.get("/signin", headers={"Accept-Language": "id-ID,id;q=0.9"}).text


def test_sessions_expire_with_the_token() -> None:
    # Cognito ID tokens live an hour; the cookie's Max-Age matches so a browser drops it with the token.
    from chalicelib.auth.session import SESSION_MAX_AGE

    assert dt.timedelta(seconds=SESSION_MAX_AGE) == dt.timedelta(hours=1)
