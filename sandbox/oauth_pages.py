"""The fake providers' consent pages: what an owner sees at Xero or Intuit when Lunas asks to connect.

Registered onto the running FakeXero / FakeQuickBooks by `register_oauth_pages()` (called from `start_sandbox()`),
at the providers' own paths, so the dashboard's redirect works exactly as with the real sites:

    GET  <xero>/identity/connect/authorize?response_type=code&client_id&redirect_uri&scope&state
         &code_challenge&code_challenge_method=S256      a page listing the fake's organisations (check any, several
                                                         at once: a bulk connection), the Xero user signed in
                                                         (`xero_user`, an e-mail), Allow and Deny buttons
    POST <xero>/identity/connect/authorize               Allow -> 302 redirect_uri?code&state&scope
                                                         Deny  -> 302 redirect_uri?error=access_denied&state
    GET  <quickbooks>/appcenter/connect/oauth2?client_id&response_type=code&scope&redirect_uri&state
                                                         one company (radio), Allow and Deny
    POST <quickbooks>/appcenter/connect/oauth2           Allow -> 302 redirect_uri?code&state&realmId
                                                         Deny  -> 302 redirect_uri?error=access_denied&state

Codes come from the fakes' own `issue_authorization_code`, so their token endpoints exchange them once, within five
minutes, for the redirect URI they were issued to. At Xero, tokens belong to the signed-in user: the page's
`xero_user` field names that user (prefilled with a new one each time; the same e-mail in two flows is the same
Xero user, whose second consent joins the first one's token family), and a POST without it is a new user.
FakeXero's code grant does not check PKCE; the challenge each code was issued with is kept in
`OAuthPages.xero_challenges` so tests can check the verifier Lunas sends.
"""

from __future__ import annotations

import html
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode

from sandbox.fakehttp import Request, Response

XERO_AUTHORIZE_PATH = "/identity/connect/authorize"
INTUIT_AUTHORIZE_PATH = "/appcenter/connect/oauth2"

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:30rem;margin:2rem auto;padding:0 1rem}}
label{{display:block;padding:.5rem;border:1px solid #ddd;border-radius:.4rem;margin:.4rem 0}}
button{{padding:.6rem 1.2rem;margin:.6rem .4rem 0 0;font-size:1rem;border-radius:.4rem}}
.brand{{font-weight:700;color:{colour}}}</style></head>
<body><p class="brand">{brand} (sandbox)</p><h1>{title}</h1>{body}</body></html>"""


def _html(status: int, brand: str, colour: str, title: str, body: str) -> Response:
    page = _PAGE.format(title=html.escape(title), brand=brand, colour=colour, body=body)
    return Response(status=status, body=page, headers={"Content-Type": "text/html; charset=utf-8"})


def _hidden(values: dict[str, str]) -> str:
    return "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in values.items())


def _form(request: Request) -> dict[str, list[str]]:
    return parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True)


def _redirect(redirect_uri: str, params: dict[str, str]) -> Response:
    joiner = "&" if "?" in redirect_uri else "?"
    return Response(status=302, body="", headers={"Location": f"{redirect_uri}{joiner}{urlencode(params)}"})


_PASSED_ON = ("client_id", "redirect_uri", "state", "scope", "response_type", "code_challenge", "code_challenge_method")


@dataclass
class OAuthPages:
    xero: Any
    quickbooks: Any | None = None
    xero_challenges: dict[str, str] = field(default_factory=dict)  # code -> code_challenge it was issued with

    def register(self) -> None:
        self.xero.route("GET", rf"^{XERO_AUTHORIZE_PATH}$", self._xero_page)
        self.xero.route("POST", rf"^{XERO_AUTHORIZE_PATH}$", self._xero_decision)
        if self.quickbooks is not None:
            self.quickbooks.route("GET", rf"^{INTUIT_AUTHORIZE_PATH}$", self._intuit_page)
            self.quickbooks.route("POST", rf"^{INTUIT_AUTHORIZE_PATH}$", self._intuit_decision)

    # -- Xero --------------------------------------------------------------------------------------------------

    def _xero_tenants(self) -> list[tuple[str, str]]:
        # FakeXero has no public listing of its tenants; read its table under its lock.
        with self.xero._state:
            return sorted(((t.tenant_id, t.name) for t in self.xero._tenants.values()), key=lambda t: t[1])

    def _bad_request(self, request: Request, client_id: str, brand: str, colour: str) -> Response | None:
        if request.arg("response_type", "code") != "code" or not request.arg("redirect_uri"):
            return _html(400, brand, colour, "Invalid request", "<p>response_type=code and redirect_uri needed.</p>")
        if request.arg("client_id") != client_id:
            return _html(400, brand, colour, "Unknown app", "<p>invalid_client</p>")
        if not request.arg("state"):
            return _html(400, brand, colour, "Invalid request", "<p>state is required.</p>")
        return None

    def _xero_page(self, request: Request) -> Response:
        refused = self._bad_request(request, self.xero.client_id, "Xero", "#13b5ea")
        if refused is not None:
            return refused
        passed = {k: request.arg(k) or "" for k in _PASSED_ON}
        boxes = "".join(
            f'<label><input type="checkbox" name="tenant" value="{html.escape(tid)}"> {html.escape(name)}</label>'
            for tid, name in self._xero_tenants()
        )
        user = f"xero-user-{uuid.uuid4().hex[:10]}@example.com"
        body = (
            "<p>Lunas wants to read your invoices and contacts "
            f"({html.escape(passed['scope'])}). Choose the organisations to connect:</p>"
            f'<form method="post" action="{XERO_AUTHORIZE_PATH}">{_hidden(passed)}{boxes}'
            f'<label>Signed in to Xero as <input type="email" name="xero_user" value="{user}"></label>'
            '<button type="submit" name="decision" value="allow" id="allow">Allow access</button>'
            '<button type="submit" name="decision" value="deny" id="deny">Deny</button></form>'
        )
        return _html(200, "Xero", "#13b5ea", "Connect to Lunas", body)

    def _xero_decision(self, request: Request) -> Response:
        form = _form(request)
        one = {k: (form.get(k) or [""])[0] for k in _PASSED_ON}
        if one["client_id"] != self.xero.client_id or not one["redirect_uri"]:
            return _html(400, "Xero", "#13b5ea", "Unknown app", "<p>invalid_client</p>")
        if (form.get("decision") or [""])[0] != "allow":
            return _redirect(one["redirect_uri"], {"error": "access_denied", "state": one["state"]})
        tenants = form.get("tenant") or []
        if not tenants:
            return _html(400, "Xero", "#13b5ea", "Choose an organisation", "<p>Go back and choose at least one.</p>")
        user = (form.get("xero_user") or [""])[0].strip() or None
        scope = {"scope": one["scope"]} if one["scope"] else {}  # what the app asked for; else the fake's default
        code = self.xero.issue_authorization_code(tenants, one["redirect_uri"], user=user, **scope)
        self.xero_challenges[code] = one["code_challenge"]
        return _redirect(one["redirect_uri"], {"code": code, "state": one["state"], "scope": one["scope"]})

    # -- Intuit ------------------------------------------------------------------------------------------------

    def _intuit_companies(self) -> list[tuple[str, str]]:
        assert self.quickbooks is not None
        with self.quickbooks._state:  # FakeQuickBooks has no public listing of its companies either
            return sorted(((c.realm_id, c.name) for c in self.quickbooks._companies.values()), key=lambda c: c[1])

    def _intuit_page(self, request: Request) -> Response:
        assert self.quickbooks is not None
        refused = self._bad_request(request, self.quickbooks.client_id, "Intuit QuickBooks", "#2ca01c")
        if refused is not None:
            return refused
        passed = {k: request.arg(k) or "" for k in _PASSED_ON}
        radios = "".join(
            f'<label><input type="radio" name="realmId" value="{html.escape(rid)}"> {html.escape(name)}</label>'
            for rid, name in self._intuit_companies()
        )
        body = (
            "<p>Lunas wants to connect to your QuickBooks company. Choose one:</p>"
            f'<form method="post" action="{INTUIT_AUTHORIZE_PATH}">{_hidden(passed)}{radios}'
            '<button type="submit" name="decision" value="allow" id="allow">Connect</button>'
            '<button type="submit" name="decision" value="deny" id="deny">Cancel</button></form>'
        )
        return _html(200, "Intuit QuickBooks", "#2ca01c", "Connect Lunas to QuickBooks", body)

    def _intuit_decision(self, request: Request) -> Response:
        assert self.quickbooks is not None
        form = _form(request)
        one = {k: (form.get(k) or [""])[0] for k in _PASSED_ON}
        if one["client_id"] != self.quickbooks.client_id or not one["redirect_uri"]:
            return _html(400, "Intuit QuickBooks", "#2ca01c", "Unknown app", "<p>invalid_client</p>")
        if (form.get("decision") or [""])[0] != "allow":
            return _redirect(one["redirect_uri"], {"error": "access_denied", "state": one["state"]})
        realm = (form.get("realmId") or [""])[0]
        if not realm:
            return _html(400, "Intuit QuickBooks", "#2ca01c", "Choose a company", "<p>Go back and choose one.</p>")
        code = self.quickbooks.issue_authorization_code(realm, one["redirect_uri"])
        return _redirect(one["redirect_uri"], {"code": code, "state": one["state"], "realmId": realm})


def register_oauth_pages(xero: Any, quickbooks: Any | None = None) -> tuple[OAuthPages, dict[str, str]]:
    """Add the consent pages to the running fakes; returns them and the authorize-URL settings that point there."""
    pages = OAuthPages(xero=xero, quickbooks=quickbooks)
    pages.register()
    env = {"XERO_AUTHORIZE_URL": xero.url + XERO_AUTHORIZE_PATH}
    if quickbooks is not None:
        env["INTUIT_AUTHORIZE_URL"] = quickbooks.url + INTUIT_AUTHORIZE_PATH
    return pages, env
