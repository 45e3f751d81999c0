"""Xero grants end to end: Xero's tokens belong to a user, and Lunas keeps one token set per (organisation, user).

Real pieces: the dashboard over HTTP (sign-up, /connect/xero, the fake Xero's consent page, the callback, disconnect),
the fake Xero's user-level token families (JWT access tokens, rotation with a 30-minute grace, 60 days unused,
`GET /connections?authEventId=`, `DELETE /connections/{id}`, revocation), xero-python for every Xero call Lunas
makes after the code exchange, DynamoDB and KMS on moto, and reminder cycles run by the worker's own function.
The same rules on the in-memory stores: tests/unit/test_xero_grants.py.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from urllib.parse import parse_qs

import jwt
import pytest

from chalicelib import bootstrap
from chalicelib.domain.grants import GrantLink
from chalicelib.domain.models import Connection, ConnectionStatus, OAuthTokens
from chalicelib.storage.schema import ConnectionRecord, GrantRecord, org_pk
from chalicelib.worker import run_connection_cycle
from sandbox.run import Sandbox
from tests.web_support import (
    WebClient,
    connect,
    new_email,
    org_of,
    retire_connections,
    save_whatsapp_number,
)
from tests.world import TUESDAY_10_JAKARTA, phone_parts, set_clock

pytestmark = pytest.mark.sandbox

HOUR = 3600


@pytest.fixture(autouse=True)
def _pinned_clock() -> Iterator[None]:
    set_clock(TUESDAY_10_JAKARTA)
    yield
    set_clock(TUESDAY_10_JAKARTA)
    retire_connections()


def _xero_shop(sandbox: Sandbox, name: str) -> str:
    """A Xero organisation with one overdue invoice (its customer has no consent: the cycle says `no_consent`)."""
    due = TUESDAY_10_JAKARTA.date() - dt.timedelta(days=4)
    number = f"{name[:4].upper()}-{uuid.uuid4().hex[:6]}"
    seeded = sandbox.xero.seed(
        {
            "tenantName": f"{name} {uuid.uuid4().hex[:6]}",
            "contacts": [{"name": "Budi Santoso", "phones": {"MOBILE": phone_parts("+6281234500001")}}],
            "invoices": [
                {
                    "number": number,
                    "contact": "Budi Santoso",
                    "date": (due - dt.timedelta(days=30)).isoformat(),
                    "dueDate": due.isoformat(),
                    "total": "1250000",
                }
            ],
        }
    )
    return str(seeded["tenantId"])


def _owner(sandbox: Sandbox) -> tuple[WebClient, str]:
    """An owner signed up over HTTP with a WhatsApp number Meta confirmed (cycles need one): (client, org id)."""
    client = WebClient(sandbox.app_url)
    email = new_email("grants")
    assert client.sign_up(email).status_code == 303
    save_whatsapp_number(client, sandbox, "+62 21 5555 0000")
    return client, org_of(email)


def _bookkeeper() -> str:
    """A Xero user: the e-mail typed on the fake's consent page (the same one in two flows is the same user)."""
    return f"bookkeeper-{uuid.uuid4().hex[:8]}@example.co.id"


def _connect(client: WebClient, tenants: list[str], user: str) -> str:
    """The whole connect flow, Allow pressed as `user`: where Lunas' callback sends the owner."""
    return str(connect(client, "xero", {"tenant": tenants, "xero_user": user}).headers["Location"])


def _links(org_id: str) -> dict[str, GrantLink]:
    return bootstrap.container().stores.connections.links(org_id)


def _status(org_id: str, connection_id: str) -> ConnectionStatus:
    return bootstrap.container().stores.connections.get(org_id, connection_id).status


def _xero_ids(sandbox: Sandbox, user: str) -> dict[str, str]:
    """tenant id -> Xero's connection id, for the organisations the fake lists for this user now."""
    return {row["tenantId"]: row["id"] for row in sandbox.xero.connections_of(user)}


def _reads_its_invoices(sandbox: Sandbox, org_id: str, tenant: str) -> None:
    """A reminder cycle of the connection reads its invoices from Xero (its one invoice: no consent recorded)."""
    before = len(sandbox.xero.recorded("/api.xro/2.0/Invoices$"))
    assert run_connection_cycle(org_id, f"xero:{tenant}") == "no_consent=1"
    reads = sandbox.xero.recorded("/api.xro/2.0/Invoices$")[before:]
    assert reads and {r["headers"]["xero-tenant-id"] for r in reads} == {tenant}
    assert _status(org_id, f"xero:{tenant}") is ConnectionStatus.ACTIVE


def _refreshes(sandbox: Sandbox) -> int:
    return sum("grant_type=refresh_token" in r["body"] for r in sandbox.xero.recorded("^/connect/token$"))


def test_one_user_two_flows_share_one_token_set_and_disconnecting_one_keeps_the_other(sandbox: Sandbox) -> None:
    client, org_id = _owner(sandbox)
    first, second = _xero_shop(sandbox, "Toko Satu"), _xero_shop(sandbox, "Toko Dua")
    user = _bookkeeper()
    assert _connect(client, [first], user) == "/dashboard?m=connected"
    assert _connect(client, [second], user) == "/dashboard?m=connected"

    # One grant for the user: its token set stored once; each connection keeps Xero's id for its organisation.
    links = _links(org_id)
    ids = _xero_ids(sandbox, user)
    grant_id = links[f"xero:{first}"].grant_id
    assert links == {
        f"xero:{first}": GrantLink(grant_id=grant_id, provider_connection_id=ids[first]),
        f"xero:{second}": GrantLink(grant_id=grant_id, provider_connection_id=ids[second]),
    }
    assert GrantRecord.get(org_pk(org_id), f"GRANT#{grant_id}").token_ciphertext
    assert all(ConnectionRecord.get(org_pk(org_id), f"CONN#{c}").token_ciphertext is None for c in links)
    stored, _ = bootstrap.container().stores.connections.load_tokens(org_id, f"xero:{first}")
    assert grant_id == "xero:" + jwt.decode(stored.access_token, options={"verify_signature": False})["xero_userid"]

    # Each refreshes in turn, long after the other: two copies would cut each other off after Xero's 30-minute
    # grace; the one shared set never does.
    refreshes = _refreshes(sandbox)
    for tenant in (first, second, first):
        sandbox.xero.advance(HOUR)
        _reads_its_invoices(sandbox, org_id, tenant)
    assert _refreshes(sandbox) == refreshes + 3

    # Disconnecting the first drops it alone at Xero (DELETE /connections/{id}); nothing is revoked.
    sandbox.xero.requests.clear()
    answer = client.post("/connections/disconnect", {"connection_id": f"xero:{first}"}, csrf_from="/dashboard")
    assert answer.headers["Location"] == "/dashboard?m=disconnected"
    assert [(r["method"], r["path"]) for r in sandbox.xero.recorded("(?i)^/connections/")] == [
        ("DELETE", f"/Connections/{ids[first]}")
    ]
    assert sandbox.xero.recorded("^/connect/revocation$") == []
    assert set(_xero_ids(sandbox, user)) == {second}
    assert _status(org_id, f"xero:{first}") is ConnectionStatus.DISCONNECTED

    # The second keeps working, refreshes included.
    sandbox.xero.advance(HOUR)
    _reads_its_invoices(sandbox, org_id, second)
    page = client.get("/dashboard?lang=en").text
    assert f'data-connection="xero:{second}" data-status="active"' in page


def test_reconnect_after_60_days_unused_restores_it_without_losing_the_other(sandbox: Sandbox) -> None:
    client, org_id = _owner(sandbox)
    first, second = _xero_shop(sandbox, "Toko Tiga"), _xero_shop(sandbox, "Toko Empat")
    user = _bookkeeper()
    _connect(client, [first], user)
    _connect(client, [second], user)
    ids = _xero_ids(sandbox, user)

    # Nine weeks without a cycle: the refresh token expired (60 days unused). Both organisations need a reconnect.
    set_clock(TUESDAY_10_JAKARTA + dt.timedelta(weeks=9))
    assert run_connection_cycle(org_id, f"xero:{first}").startswith("reconnect needed")
    assert {_status(org_id, f"xero:{t}") for t in (first, second)} == {ConnectionStatus.RECONNECT_NEEDED}
    page = client.get("/dashboard?lang=en").text
    assert page.count('data-status="reconnect_needed"') == 2 and 'id="reconnect-xero"' in page

    # The owner reconnects the first one: the consent's organisations are found by its authEventId, and the
    # second, still connected at Xero for the same user, reads the new tokens too.
    assert _connect(client, [first], user) == "/dashboard?m=connected"
    stored, _ = bootstrap.container().stores.connections.load_tokens(org_id, f"xero:{first}")
    event = jwt.decode(stored.access_token, options={"verify_signature": False})["authentication_event_id"]
    filtered = [r for r in sandbox.xero.recorded("(?i)^/connections$") if r["query"].get("authEventId")]
    assert filtered[-1]["query"]["authEventId"] == [event]
    assert {_status(org_id, f"xero:{t}") for t in (first, second)} == {ConnectionStatus.ACTIVE}
    assert _xero_ids(sandbox, user) == ids  # nothing was dropped at Xero; the ids did not change
    _reads_its_invoices(sandbox, org_id, second)
    _reads_its_invoices(sandbox, org_id, first)


def test_bulk_consent_of_three_organisations_in_one_flow(sandbox: Sandbox) -> None:
    client, org_id = _owner(sandbox)
    tenants = [_xero_shop(sandbox, name) for name in ("Toko Lima", "Toko Enam", "Toko Tujuh")]
    user = _bookkeeper()
    sandbox.xero.requests.clear()
    assert _connect(client, tenants, user) == "/dashboard?m=connected"

    links = _links(org_id)
    ids = _xero_ids(sandbox, user)
    assert {c: link.provider_connection_id for c, link in links.items()} == {f"xero:{t}": ids[t] for t in tenants}
    assert len({link.grant_id for link in links.values()}) == 1
    [listing] = [r for r in sandbox.xero.recorded("(?i)^/connections$") if r["query"].get("authEventId")]
    stored, _ = bootstrap.container().stores.connections.load_tokens(org_id, f"xero:{tenants[0]}")
    claims = jwt.decode(stored.access_token, options={"verify_signature": False})
    assert listing["query"]["authEventId"] == [claims["authentication_event_id"]]
    sandbox.xero.advance(HOUR)
    for tenant in tenants:
        _reads_its_invoices(sandbox, org_id, tenant)


def test_a_second_lunas_organisation_connecting_a_held_xero_organisation_is_warned(sandbox: Sandbox) -> None:
    shared = _xero_shop(sandbox, "Toko Bersama")
    first_client, first_org = _owner(sandbox)
    second_client, second_org = _owner(sandbox)
    assert _connect(first_client, [shared], _bookkeeper()) == "/dashboard?m=connected"

    warned = _connect(second_client, [shared], _bookkeeper())
    assert warned == "/dashboard?m=connected_shared"
    english = second_client.get(warned + "&lang=en").text
    assert "another Lunas account has connected the same company too" in english
    assert 'class="note warn" role="status"' in english
    indonesian = second_client.get(warned + "&lang=id").text
    assert "akun Lunas lain juga sudah menghubungkan perusahaan yang sama" in indonesian
    assert _status(second_org, f"xero:{shared}") is ConnectionStatus.ACTIVE  # connected all the same

    # Once the first organisation disconnected it, connecting it again warns no more.
    first_client.post("/connections/disconnect", {"connection_id": f"xero:{shared}"}, csrf_from="/dashboard")
    assert _status(first_org, f"xero:{shared}") is ConnectionStatus.DISCONNECTED
    assert _connect(second_client, [shared], _bookkeeper()) == "/dashboard?m=connected"


def test_connections_stored_before_grants_keep_working_and_move_into_their_users_grant(sandbox: Sandbox) -> None:
    """The migration: items with a token set each (copies of one consent's) and no Xero connection id."""
    client, org_id = _owner(sandbox)
    first, second = _xero_shop(sandbox, "Toko Lama"), _xero_shop(sandbox, "Toko Tua")
    user = _bookkeeper()
    issued = sandbox.xero.issue_tokens([first, second], user=user)
    copy = OAuthTokens(
        access_token=issued["access_token"],
        refresh_token=issued["refresh_token"],
        expires_at=sandbox.clock.now() + dt.timedelta(seconds=int(issued["expires_in"])),
    )
    stores = bootstrap.container().stores
    for tenant in (first, second):  # what the connect flow stored before grants existed
        stores.connections.add(
            Connection(org_id=org_id, connection_id=f"xero:{tenant}", provider="xero", tenant_id=tenant), copy
        )
    assert _links(org_id) == {f"xero:{first}": GrantLink(), f"xero:{second}": GrantLink()}
    _reads_its_invoices(sandbox, org_id, first)  # read as a grant of one

    sandbox.xero.advance(HOUR)  # the first refresh moves the set into the user's grant, for both copies
    _reads_its_invoices(sandbox, org_id, first)
    links = _links(org_id)
    grant_id = links[f"xero:{first}"].grant_id
    assert grant_id and links[f"xero:{second}"].grant_id == grant_id
    assert all(ConnectionRecord.get(org_pk(org_id), f"CONN#{c}").token_ciphertext is None for c in links)

    # Disconnecting one looks Xero's connection id up (GET /connections) and drops only that organisation.
    sandbox.xero.requests.clear()
    client.post("/connections/disconnect", {"connection_id": f"xero:{first}"}, csrf_from="/dashboard")
    assert [r["method"] for r in sandbox.xero.recorded("(?i)^/connections")] == ["GET", "DELETE"]
    assert set(_xero_ids(sandbox, user)) == {second} and sandbox.xero.recorded("^/connect/revocation$") == []
    sandbox.xero.advance(HOUR)
    _reads_its_invoices(sandbox, org_id, second)


def test_the_fakes_consent_page_names_the_signed_in_xero_user(sandbox: Sandbox) -> None:
    client, _ = _owner(sandbox)
    start = client.get("/connect/xero")
    page = client.session.get(start.headers["Location"], timeout=30).text
    assert 'name="xero_user"' in page and "Signed in to Xero as" in page
    assert parse_qs(start.headers["Location"].split("?", 1)[1])["scope"][0].startswith("offline_access")
