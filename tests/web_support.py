"""An HTTP client that behaves like a browser towards the dashboard: cookies, CSRF tokens from forms, redirects."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import requests

PASSWORD = "Sandbox-Pass1"
SIGNED_UP: list[str] = []  # accounts created by the current test; see retire_connections()
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def new_email(tag: str = "owner") -> str:
    return f"{tag}-{uuid.uuid4().hex[:10]}@example.co.id"


@dataclass
class WebClient:
    base: str
    session: requests.Session = field(default_factory=requests.Session)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("allow_redirects", False)
        return self.session.get(self._url(path), timeout=30, **kwargs)

    def csrf(self, page: str) -> str:
        match = _CSRF.search(self.get(page).text)
        assert match, f"no form with a CSRF token on {page}"
        return match.group(1)

    def post(self, path: str, data: dict[str, Any], *, csrf_from: str | None = None) -> requests.Response:
        form = dict(data)
        if csrf_from is not None:
            form["csrf_token"] = self.csrf(csrf_from)
        return self.session.post(self._url(path), data=form, allow_redirects=False, timeout=60)

    def follow(self, response: requests.Response) -> requests.Response:
        """Follow one redirect (another server's URL stays as is)."""
        location = response.headers["Location"]
        return self.session.get(self._url(location), allow_redirects=False, timeout=30)

    def sign_up(self, email: str, business: str = "Toko Sumber Rejeki", password: str = PASSWORD) -> requests.Response:
        data = {"email": email, "password": password, "business_name": business}
        answer = self.post("/signup", data, csrf_from="/signup")
        if answer.status_code == 303:
            SIGNED_UP.append(email)
        return answer

    def sign_in(self, email: str, password: str = PASSWORD) -> requests.Response:
        return self.post("/signin", {"email": email, "password": password}, csrf_from="/signin")

    def _url(self, path: str) -> str:
        return path if path.startswith("http") else self.base + path


def org_of(email: str) -> str:
    """The organisation an account belongs to (read like the app does: Cognito sub -> membership)."""
    import boto3

    from chalicelib import bootstrap

    lunas = bootstrap.container()
    pool = lunas.settings.cognito_user_pool_id
    attrs = boto3.client("cognito-idp").admin_get_user(UserPoolId=pool, Username=email)
    sub = next(a["Value"] for a in attrs["UserAttributes"] if a["Name"] == "sub")
    membership = lunas.stores.memberships.for_user(sub)
    assert membership is not None
    return membership.org_id


_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def consent_form(page_html: str) -> dict[str, str]:
    """The hidden fields of a fake provider's consent form (html-unescaped)."""
    import html

    return {name: html.unescape(value) for name, value in _HIDDEN.findall(page_html)}


def authorize(client: WebClient, provider: str) -> tuple[str, dict[str, str]]:
    """Start a connect flow; returns the consent page URL (at the fake) and its hidden form fields."""
    start = client.get(f"/connect/{provider}")
    assert start.status_code == 303, start.text
    page_url = start.headers["Location"]
    page = client.session.get(page_url, timeout=30)
    assert page.status_code == 200, page.text
    return page_url, consent_form(page.text)


def decide(
    client: WebClient, page_url: str, fields: dict[str, str], decision: str, choice: dict[str, Any]
) -> requests.Response:
    """Press Allow or Deny on the consent page; returns the fake's redirect (to Lunas' callback)."""
    action = page_url.split("?", 1)[0]
    answer = client.session.post(action, data={**fields, **choice, "decision": decision}, allow_redirects=False)
    assert answer.status_code == 302, answer.text
    return answer


def connect(client: WebClient, provider: str, choice: dict[str, Any]) -> requests.Response:
    """The whole flow, Allow pressed: returns Lunas' answer to the callback."""
    page_url, fields = authorize(client, provider)
    return client.follow(decide(client, page_url, fields, "allow", choice))


def retire_connections() -> None:
    """Disconnect every connection of the accounts this test created, so later tests' fan-outs never pick them up
    (they have no WhatsApp number: their cycles would fail and fill the dead-letter queue)."""
    from chalicelib import bootstrap
    from chalicelib.domain.models import ConnectionStatus

    connections = bootstrap.container().stores.connections
    while SIGNED_UP:
        org = org_of(SIGNED_UP.pop())
        for connection in connections.for_org(org):
            if connection.status is not ConnectionStatus.DISCONNECTED:
                connections.set_status(org, connection.connection_id, ConnectionStatus.DISCONNECTED)


def seed_overdue_customers(
    sandbox: Any, tenant_name: str, customers: list[tuple[str, str, str, str]], *, overdue_days: int
) -> dict[str, Any]:
    """A Xero organisation where each (name, phone, invoice number, total IDR) customer has one overdue invoice."""
    import datetime as dt

    from tests.world import TUESDAY_10_JAKARTA, phone_parts

    def day(offset: int) -> str:
        return (TUESDAY_10_JAKARTA.date() + dt.timedelta(days=offset)).isoformat()

    return dict(
        sandbox.xero.seed(
            {
                "tenantName": tenant_name,
                "contacts": [
                    {"name": name, "phones": {"MOBILE": phone_parts(phone)}} for name, phone, _, _ in customers
                ],
                "invoices": [
                    {
                        "number": number,
                        "contact": name,
                        "status": "AUTHORISED",
                        "date": day(-overdue_days - 30),
                        "dueDate": day(-overdue_days),
                        "currency": "IDR",
                        "total": total,
                    }
                    for name, _, number, total in customers
                ],
            }
        )
    )


def register_whatsapp_number(sandbox: Any, token: str, display_phone_number: str) -> tuple[str, str]:
    """A business number on the fake Meta, posting its webhooks to the app; returns (phone_number_id, waba_id)."""
    from sandbox.run import META_APP_SECRET

    phone_number_id, waba_id = str(uuid.uuid4().int % 10**15), str(uuid.uuid4().int % 10**15)
    sandbox.meta.register_phone_number(
        phone_number_id,
        access_token=token,
        waba_id=waba_id,
        display_phone_number=display_phone_number,
        app_secret=META_APP_SECRET,
        webhook_url=f"{sandbox.app_url}/webhooks/whatsapp",
    )
    return phone_number_id, waba_id


@dataclass(frozen=True)
class SavedNumber:
    phone_number_id: str
    waba_id: str
    token: str


def save_whatsapp_number(client: Any, sandbox: Any, display_phone_number: str) -> SavedNumber:
    """A new number on the fake Meta, saved by the signed-in owner on the settings page (the manual entry, checked
    against Meta)."""
    token = f"EAAG{uuid.uuid4().hex}"
    phone_number_id, waba_id = register_whatsapp_number(sandbox, token, display_phone_number)
    saved = client.post(
        "/settings/whatsapp",
        {"phone_number_id": phone_number_id, "business_account_id": waba_id, "access_token": token},
        csrf_from="/settings",
    )
    assert saved.headers["Location"] == "/settings?m=saved", saved.status_code
    return SavedNumber(phone_number_id, waba_id, token)
