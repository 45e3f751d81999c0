"""Bad input from outside gets a 4xx, never a 500, and changes nothing (found by fuzzing; each cause pinned here).

Through the running app over HTTP, as Meta, Xero, Intuit or a browser would reach it.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx
import pytest

from sandbox.run import META_APP_SECRET, Sandbox
from tests.web_support import WebClient

NON_ASCII = "sha256=é" + "0" * 63  # the header as bytes; a naive compare_digest on str raises TypeError


def _meta_post(sandbox: Sandbox, body: bytes, signature: bytes) -> httpx.Response:
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature}
    return httpx.post(f"{sandbox.app_url}/webhooks/whatsapp", content=body, headers=headers, timeout=30)


def test_a_non_ascii_meta_signature_is_refused_with_401(sandbox: Sandbox) -> None:
    answer = _meta_post(sandbox, b'{"object": "whatsapp_business_account"}', NON_ASCII.encode("latin-1"))
    assert answer.status_code == 401


@pytest.mark.parametrize("path", ["/webhooks/xero", "/webhooks/quickbooks"])
def test_a_non_ascii_accounting_signature_is_refused_with_401(sandbox: Sandbox, path: str) -> None:
    headers = {"Content-Type": "application/json", "x-xero-signature": "é", "intuit-signature": "é"}
    encoded = {k: v.encode("latin-1") for k, v in headers.items()}
    answer = httpx.post(f"{sandbox.app_url}{path}", content=b'{"events": []}', headers=encoded, timeout=30)
    assert answer.status_code == 401


def test_a_non_ascii_verify_token_is_forbidden(sandbox: Sandbox) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": "tökén", "hub.challenge": "42"}
    answer = httpx.get(f"{sandbox.app_url}/webhooks/whatsapp", params=query, timeout=30)
    assert answer.status_code == 403


def test_deeply_nested_json_with_a_valid_signature_is_a_400(sandbox: Sandbox) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    signature = "sha256=" + hmac.new(META_APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    answer = _meta_post(sandbox, body, signature.encode())
    assert answer.status_code == 400


def test_a_non_ascii_csrf_token_is_refused_not_a_500(sandbox: Sandbox) -> None:
    client = WebClient(sandbox.app_url)
    answer = client.post("/signup", {"email": "x@example.co.id", "password": "P-ssw0rd!", "csrf_token": "tökén"})
    assert 400 <= answer.status_code < 500, answer.text[:200]


def test_a_well_formed_body_still_goes_through(sandbox: Sandbox) -> None:
    body = json.dumps({"object": "whatsapp_business_account", "entry": []}).encode()
    signature = "sha256=" + hmac.new(META_APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert _meta_post(sandbox, body, signature.encode()).status_code == 200
