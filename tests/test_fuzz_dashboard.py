"""Fuzzing the dashboard: every form (POST) route and every page, API and redirect (GET) route of
chalicelib/web/*_routes.py and app.py, with a real owner signed in through the sandbox's Cognito.

Forms get values of every shape (unicode digits like "²", times like "09:00+07:00", huge strings past DynamoDB's
400 KB item limit, missing and repeated fields, unknown fields naming another organisation, bodies that are not
UTF-8 or not a form at all) under every mix of session and CSRF credentials: valid, missing, garbage, another
user's, a token for another CSRF cookie, repeated tokens. Properties: never a 5xx; without a valid session and CSRF
token nothing of the organisation changes (profile and settings, WhatsApp number and its route, consents,
connections, sign-out, queued cycles, new accounts, a session cookie); the pages, APIs and redirects answer any
query, cookie or header without a 5xx and change nothing.

Bounded here; `make fuzz N=…` runs many more (see tests/fuzz_support.py).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib import bootstrap
from chalicelib.auth import session as cookies
from chalicelib.domain.models import ConnectionStatus
from chalicelib.storage.schema import ConsentRecord, OrganisationRecord, org_pk
from sandbox.run import Sandbox
from tests.fuzz_support import (
    ODD_DIGITS,
    ODD_TIMES,
    RecordingQueue,
    Reply,
    answered,
    any_text,
    call,
    dynamodb_key_limits,
    form_body,
    fuzz_settings,
    fuzzing,
    huge_text,
    odd_header_value,
    odd_value,
    path_with,
)
from tests.web_support import (
    PASSWORD,
    WebClient,
    connect,
    new_email,
    org_of,
    register_whatsapp_number,
    retire_connections,
    seed_overdue_customers,
)

pytestmark = pytest.mark.sandbox


@pytest.fixture(autouse=True)
def _dynamodb_key_limits() -> Iterator[None]:
    with dynamodb_key_limits():
        yield


FORM_TYPE = "application/x-www-form-urlencoded"
CONSENT_PHONES = ["+6281234569901", "0812-3456-9902", "+62 812 3456 9903", "6281234569904"]


@dataclass
class Owner:
    """A signed-up owner of an organisation with a WhatsApp number and one Xero connection."""

    email: str
    org_id: str
    sub: str
    session: str  # the Cognito ID token of the session cookie
    csrf_seed: str
    phone_number_id: str
    connection_id: str
    reminders: RecordingQueue = field(default_factory=RecordingQueue)

    def csrf_for(self, seed: str, sub: str | None = None) -> str:
        secret = bootstrap.container().settings.session_secret
        return cookies.csrf_token(seed, self.sub if sub is None else sub, secret)


def sign_up_owner(sandbox: Sandbox, business: str, *, with_connection: bool = True) -> Owner:
    client = WebClient(sandbox.app_url)
    email = new_email("fuzz")
    assert client.sign_up(email, business=business).status_code == 303
    org_id = org_of(email)
    token = f"EAAG{uuid.uuid4().hex}"
    phone_number_id, waba = register_whatsapp_number(sandbox, token, "+62 21 5555 0000")
    saved = client.post(
        "/settings/whatsapp",
        {"phone_number_id": phone_number_id, "business_account_id": waba, "access_token": token},
        csrf_from="/settings",
    )
    assert saved.status_code == 303, saved.text[:300]
    connection_id = ""
    if with_connection:
        seeded = seed_overdue_customers(
            sandbox,
            f"{business} {uuid.uuid4().hex[:6]}",
            [("Budi Fuzz", "+6281234569901", "FZ-1", "1000")],
            overdue_days=2,
        )
        assert connect(client, "xero", {"tenant": [seeded["tenantId"]]}).status_code == 303
        connection_id = f"xero:{seeded['tenantId']}"
    session = client.session.cookies[cookies.SESSION_COOKIE]
    principal = bootstrap.container().authenticator.principal(session)
    return Owner(
        email=email,
        org_id=org_id,
        sub=principal.user_sub,
        session=session,
        csrf_seed=client.session.cookies[cookies.CSRF_COOKIE],
        phone_number_id=phone_number_id,
        connection_id=connection_id,
    )


@pytest.fixture
def owner(sandbox: Sandbox) -> Iterator[Owner]:
    """The owner, with "run now" queueing (as on AWS) onto a recorder and the webhook queue a recorder too."""
    o = sign_up_owner(sandbox, "acme fuzz")
    current = bootstrap.container()
    replaced = dataclasses.replace(
        current,
        settings=dataclasses.replace(current.settings, run_now_mode="queue"),
        reminder_queue=o.reminders,
        webhook_queue=RecordingQueue(),
    )
    with bootstrap.installed(replaced):
        yield o
    retire_connections()


@pytest.fixture
def rival(sandbox: Sandbox) -> Owner:
    """Another organisation's owner, whose valid session must change nothing of `owner`'s."""
    return sign_up_owner(sandbox, "acme fuzz corp", with_connection=False)


# -- credentials -------------------------------------------------------------------------------------------------------

SESSIONS = ["valid", "valid", "valid", "missing", "garbage", "rival", "tampered", "empty"]
CSRF_COOKIES = ["valid", "valid", "valid", "missing", "other", "garbage"]
CSRF_FIELDS = ["valid", "valid", "valid", "missing", "garbage", "other_seed", "other_user", "repeat_valid_first",
               "repeat_garbage_first", "empty", "upper"]  # fmt: skip


@dataclass(frozen=True)
class Credentials:
    cookie_header: str | None
    csrf_values: tuple[str, ...]  # the csrf_token field(s), in order


@st.composite
def credentials(draw: st.DrawFn, owner: Owner, rival: Owner, *, signed_in: bool) -> Credentials:
    session_kind = draw(st.sampled_from(SESSIONS))
    cookie_kind = draw(st.sampled_from(CSRF_COOKIES))
    field_kind = draw(st.sampled_from(CSRF_FIELDS))
    garbage = draw(st.one_of(odd_value(), st.text(max_size=80)))
    session = {
        "valid": owner.session,
        "missing": None,
        "garbage": garbage,
        "rival": rival.session,
        "tampered": owner.session[:-3] + ("AAA" if not owner.session.endswith("AAA") else "BBB"),
        "empty": "",
    }[session_kind]
    seed = {"valid": owner.csrf_seed, "missing": None, "other": cookies.new_csrf_seed(), "garbage": garbage}[
        cookie_kind
    ]
    sub = "" if not signed_in else (rival.sub if session_kind == "rival" else owner.sub)
    right = owner.csrf_for(seed or "", sub) if seed else owner.csrf_for(owner.csrf_seed, sub)
    values: tuple[str, ...] = {
        "valid": (right,),
        "missing": (),
        "garbage": (garbage,),
        "other_seed": (owner.csrf_for(cookies.new_csrf_seed(), sub),),
        "other_user": (owner.csrf_for(seed or owner.csrf_seed, rival.sub if sub == owner.sub else owner.sub),),
        "repeat_valid_first": (right, garbage),
        "repeat_garbage_first": (garbage, right),
        "empty": ("",),
        "upper": (right.upper(),),
    }[field_kind]
    jar = []
    if session is not None:
        jar.append(f"{cookies.SESSION_COOKIE}={session}")
    if seed is not None:
        jar.append(f"{cookies.CSRF_COOKIE}={seed}")
    extra = draw(st.sampled_from(["", "lunas_lang=id", "odd", "garbage_first"]))
    if extra == "lunas_lang=id":
        jar.append(extra)
    elif extra == "odd":
        jar.append(f"x={draw(odd_header_value())}")
    header: str | None = "; ".join(jar) if jar else None
    if extra == "garbage_first" and header:
        header = f"{draw(odd_header_value())}; {header}"
    return Credentials(header, values)


# -- form values ------------------------------------------------------------------------------------------------


def _plausible(name: str, owner: Owner) -> st.SearchStrategy[Any]:
    digits = st.integers(10_000, 10**20 - 1).map(lambda n: "8" + str(n)[:19])
    return {
        "stages": st.sampled_from(["-3, 0, 3, 7", "0", "-400", "1,2,3", "5 6 7", "-3,,0", "٣", "3.5"]),
        "timezone": st.sampled_from(["Asia/Jakarta", "Asia/Makassar", "UTC", "Mars/Olympus", "Asia", "Etc/GMT+7"]),
        "window_start": st.sampled_from(["09:00", "08:30", *ODD_TIMES]),
        "window_end": st.sampled_from(["17:00", "16:00", "07:00", *ODD_TIMES]),
        "weekdays": st.sampled_from(["0", "1", "2", "3", "4", "5", "6", "7", "-1", *ODD_DIGITS[:6]]),
        "language": st.sampled_from(["id", "en", "fr", "ID", ""]),
        "country": st.sampled_from(["ID", "id", "AU", "IDN", "XX", "", "ＩＤ", "I D"]),
        "minimum_amounts": st.one_of(
            st.sampled_from(["IDR 50000, USD 10", "IDR 1.2.3", "", "idr 5", "IDR -5", "IDR 1e5", "IDR ٥٠"]),
            st.integers(1, 450_000).map(lambda n: "IDR " + "9" * n),
            st.integers(1, 30_000).map(
                lambda n: ", ".join(f"{chr(65 + i % 26)}{chr(65 + i // 26 % 26)}X 1" for i in range(n))
            ),
        ),
        "phone_number_id": st.one_of(digits, st.just(owner.phone_number_id), st.sampled_from(["١٢٣٤٥٦", "12345²"])),
        "business_account_id": st.one_of(digits, st.sampled_from(["١٢٣٤٥٦", "٠٠٠٠٠"])),
        "access_token": st.one_of(st.just(""), st.just("EAAGfuzz"), huge_text()),
        "phone": st.sampled_from([*CONSENT_PHONES, "0212345678", "+1 202 555 0100", "²²²", "+62 812"]),
        "status": st.sampled_from(["opted_in", "opted_out", "opted_in", "OPTED_IN", "none"]),
        "source": st.sampled_from(["signed_form", "whatsapp_reply", "web_form", "in_person", "x"]),
        "evidence": st.one_of(
            st.just("Signed the reminders form at the counter"), st.text(min_size=10, max_size=1_200), huge_text()
        ),
        "connection_id": st.sampled_from([owner.connection_id, "xero:nope", "quickbooks:", owner.connection_id + "x"]),
        "email": st.one_of(
            st.just(owner.email), st.builds(lambda: new_email("fz")), st.sampled_from(["a@b", "@", "é@é.id"])
        ),
        "password": st.sampled_from([PASSWORD, "", "short", "Sandbox-Pass1 ", "é" * 300]),
        "business_name": st.sampled_from(["Toko Fuzz", "", " ", "acme", "acme-corp"]),
    }.get(name, odd_value())


FIELDS = {
    "/settings/schedule": [
        "stages", "timezone", "window_start", "window_end", "weekdays", "weekdays", "language", "minimum_amounts",
        "country", "stage_0_days", "stage_0_when", "stage_0_on", "stage_1_days", "stage_1_when", "minimum_0_amount",
        "minimum_0_currency", "skip_holidays", "days_off", "action",
    ],
    "/settings/whatsapp": ["phone_number_id", "business_account_id", "access_token"],
    "/customers/consent": ["phone", "status", "source", "evidence"],
    "/settings/payments": [
        "bank_1_name", "bank_1_number", "bank_1_holder", "bank_2_name", "bank_2_number", "bank_2_holder",
        "virtual_account", "e_wallet", "claim_hold_days",
    ],
    "/settings/payments/qris/delete": [],
    "/connections/disconnect": ["connection_id"],
    "/run-now": [],
    "/replies/resolve": ["message_id"],
    "/replies/unpause": ["phone"],
    "/replies/promise": ["message_id", "promise_date"],
    "/signout": [],
    "/signin": ["email", "password"],
    "/signup": ["email", "password", "business_name", "country"],
}  # fmt: skip
SIGNED_OUT_ROUTES = frozenset({"/signin", "/signup"})


@st.composite
def form_fields(draw: st.DrawFn, route: str, owner: Owner) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for name in FIELDS[route]:
        shape = draw(st.sampled_from(["plausible", "plausible", "plausible", "odd", "missing", "repeated"]))
        if shape == "missing":
            continue
        value = draw(_plausible(name, owner) if shape != "odd" else odd_value())
        pairs.append((name, value))
        if shape == "repeated":
            pairs.append((name, draw(odd_value())))
    extra_names = st.sampled_from(["org_id", "organisation", "csrf", "weekdays[]", "x", "ÿ", ""])
    extras = draw(st.lists(st.tuples(extra_names, st.one_of(st.just(owner.org_id), odd_value())), max_size=2))
    return draw(st.permutations(pairs + extras))


@st.composite
def form_requests(draw: st.DrawFn, route: str, owner: Owner, rival: Owner) -> tuple[dict[str, str], bytes]:
    creds = draw(credentials(owner, rival, signed_in=route not in SIGNED_OUT_ROUTES))
    pairs = draw(form_fields(route, owner))
    token_at = draw(st.integers(0, len(pairs)))
    for offset, value in enumerate(creds.csrf_values):
        pairs.insert(token_at + offset, ("csrf_token", value))
    body_kind = draw(st.sampled_from(["form", "form", "form", "form", "latin1", "bytes", "json"]))
    body = {
        "form": lambda: form_body(pairs),
        "latin1": lambda: "&".join(f"{k}={v}" for k, v in pairs).encode("latin-1", "replace"),
        "bytes": lambda: draw(st.binary(max_size=200)),
        "json": lambda: str(dict(pairs)).encode("utf-8", "surrogatepass"),
    }[body_kind]()
    headers = {
        "Content-Type": draw(st.sampled_from([FORM_TYPE, FORM_TYPE, FORM_TYPE + "; charset=utf-8", "text/plain"]))
    }
    if creds.cookie_header is not None:
        headers["Cookie"] = creds.cookie_header
    headers |= draw(
        st.dictionaries(st.sampled_from(["Accept-Language", "Referer", "Origin"]), odd_header_value(), max_size=2)
    )
    return headers, body


def credentials_valid(owner: Owner, headers: dict[str, str], body: bytes, *, signed_in: bool) -> bool:
    """Whether the request carries the owner's session (where the route needs one) and a valid CSRF token.

    The cookie header and the form are read as the app reads them (the first `csrf_token` counts); the token is
    checked independently: HMAC(session secret, CSRF cookie | the owner's Cognito sub).
    """
    from urllib.parse import parse_qs

    jar = cookies.parse_cookies(headers.get("Cookie"))
    if signed_in and jar.get(cookies.SESSION_COOKIE) != owner.session:
        return False
    seed = jar.get(cookies.CSRF_COOKIE)
    offered = (parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).get("csrf_token") or [""])[0]
    return bool(seed) and offered == owner.csrf_for(seed or "", owner.sub if signed_in else "")


# -- what "nothing changed" means ---------------------------------------------------------------------------------


def snapshot(owner: Owner, route: str, body: bytes = b"") -> Any:
    """What the route could change of the organisation (only that: every read is a DynamoDB round trip)."""
    lunas = bootstrap.container()
    stores = lunas.stores
    state: dict[str, Any] = {}
    if route in ("/settings/schedule", "/settings/whatsapp", "GET"):
        state["profile"] = OrganisationRecord.get(org_pk(owner.org_id), "PROFILE").serialize()
    if route in ("/settings/whatsapp",):
        state["routes"] = _phone_routes(body)
    if route in ("/customers/consent", "GET"):
        consents = ConsentRecord.query(org_pk(owner.org_id), ConsentRecord.sk.startswith("CONSENT#"))
        state["consents"] = [(r.sk, r.version) for r in consents]
    if route in ("/settings/payments", "/settings/payments/qris/delete", "GET"):
        state["payment_instructions"] = stores.payment_instructions.get(owner.org_id)
    if route in ("/connections/disconnect", "GET"):
        state["connections"] = [(c.connection_id, c.status.value) for c in stores.connections.for_org(owner.org_id)]
    if route == "/signout":
        membership = stores.memberships.for_user(owner.sub)
        state["signed_out_at"] = membership.signed_out_at if membership else None
    if route == "/signup":
        pool = lunas.settings.cognito_user_pool_id
        state["users"] = lunas.cognito_users.client.describe_user_pool(UserPoolId=pool)["UserPool"].get(
            "EstimatedNumberOfUsers"
        )
    return state


def _phone_routes(body: bytes) -> dict[str, str | None]:
    """Which organisation each WhatsApp phone number id named in the form is routed to."""
    from urllib.parse import parse_qs

    routes = bootstrap.container().stores.routes
    named = {raw.strip() for raw in parse_qs(body.decode("utf-8", "replace")).get("phone_number_id", [])}
    return {value: routes.org_for_phone_number(value) for value in sorted(named) if 0 < len(value) < 100}


def _session_set(reply: Reply) -> bool:
    return any(c.startswith(f"{cookies.SESSION_COOKIE}=") and not c.startswith(f"{cookies.SESSION_COOKIE}=;")
               for c in reply.cookies())  # fmt: skip


def _describe(route: str, headers: dict[str, str], body: bytes) -> str:
    return f"POST {route} headers={ {k: v[:60] for k, v in headers.items()} } body({len(body)})={body[:400]!r}"


FORM_ROUTES = sorted(FIELDS)


@pytest.mark.parametrize("route", FORM_ROUTES)
def test_fuzz_form(request: pytest.FixtureRequest, owner: Owner, rival: Owner, route: str) -> None:
    signed_in = route not in SIGNED_OUT_ROUTES

    @fuzz_settings(request.node.name, 30)
    @given(form_requests(route, owner, rival))
    def prop(drawn: tuple[dict[str, str], bytes]) -> None:
        headers, body = drawn
        valid = credentials_valid(owner, headers, body, signed_in=signed_in)
        if route == "/signout" and valid:  # a valid sign-out ends the session every other input needs
            headers = {**headers, "Cookie": headers["Cookie"].replace(owner.session, owner.session + "x")}
            valid = False
        before = snapshot(owner, route, body)
        owner.reminders.take()
        reply = call("POST", route, headers, body)
        answered(f"POST {route}", reply.status, lambda: _describe(route, headers, body) + f" -> {reply.text[:300]}")
        if valid:
            return
        after = snapshot(owner, route, body)
        assert after == before, f"changed without a valid session and CSRF token: {_describe(route, headers, body)}"
        assert owner.reminders.take() == 0, "a cycle was queued without a valid session and CSRF token"
        assert not _session_set(reply), "signed in without a valid CSRF token"

    with fuzzing(f"POST {route}"):
        prop()


# -- pages, APIs and redirects ---------------------------------------------------------------------------------------

GET_ROUTES = [
    "/", "/signin", "/signup", "/dashboard", "/invoices", "/preview", "/customers", "/settings", "/settings/payments",
    "/api/connections", "/api/invoices", "/api/consents", "/health", "/replies", "/customers/{provider}/{code}",
    "/connect/{provider}", "/connect/{provider}/callback", "/pay/{code}",
]  # fmt: skip
QUERY_NAMES = ["lang", "m", "org_id", "connection_id", "phone", "state", "code", "error", "realmId", "page", "x"]


@st.composite
def page_requests(draw: st.DrawFn, owner: Owner, rival: Owner) -> tuple[str, dict[str, str]]:
    route = draw(st.sampled_from(GET_ROUTES))
    param = draw(st.one_of(st.sampled_from(["xero", "quickbooks", "XERO", "", "..", "é", "x" * 3_000]), any_text(30)))
    path = route.replace("{provider}", param or "x").replace("{code}", param or "x")
    values = st.one_of(
        odd_value(huge=False),
        st.sampled_from(["en", "id", "saved", "connected", "consent", "access_denied", owner.org_id, rival.org_id]),
    )
    query = draw(st.lists(st.tuples(st.sampled_from(QUERY_NAMES), values), max_size=4))
    creds = draw(credentials(owner, rival, signed_in=True))
    headers = {}
    if creds.cookie_header is not None:
        headers["Cookie"] = creds.cookie_header
    headers |= draw(
        st.dictionaries(st.sampled_from(["Accept-Language", "Accept", "Referer"]), odd_header_value(), max_size=2)
    )
    return path_with(path, query), headers


def test_fuzz_pages(request: pytest.FixtureRequest, owner: Owner, rival: Owner) -> None:
    @fuzz_settings(request.node.name, 60)
    @given(page_requests(owner, rival))
    def prop(drawn: tuple[str, dict[str, str]]) -> None:
        path, headers = drawn
        before = snapshot(owner, "GET")
        reply = call("GET", path, headers)
        answered("GET pages", reply.status, lambda: f"GET {path[:500]} headers={headers} -> {reply.text[:300]}")
        assert snapshot(owner, "GET") == before
        assert owner.reminders.take() == 0

    with fuzzing("GET pages"):
        prop()


def test_the_fuzzed_owner_still_works(owner: Owner) -> None:
    """The fixture's credentials are what the fuzz calls valid: a valid form changes the settings."""
    form = [("csrf_token", owner.csrf_for(owner.csrf_seed)), ("stages", "1, 2"), ("timezone", "UTC")]
    form += [("window_start", "08:00"), ("window_end", "18:00"), ("weekdays", "0"), ("language", "en")]
    headers = {
        "Content-Type": FORM_TYPE,
        "Cookie": f"{cookies.SESSION_COOKIE}={owner.session}; {cookies.CSRF_COOKIE}={owner.csrf_seed}",
    }
    reply = call("POST", "/settings/schedule", headers, form_body(form))
    assert (reply.status, reply.headers.get("Location")) == (303, "/settings?m=saved"), reply.text[:300]
    assert bootstrap.container().stores.organisations.settings(owner.org_id).timezone == "UTC"
    assert call("POST", "/run-now", headers, form_body(form[:1])).status == 303
    assert owner.reminders.take() == 1
    assert (
        bootstrap.container().stores.connections.get(owner.org_id, owner.connection_id).status
        is ConnectionStatus.ACTIVE
    )
