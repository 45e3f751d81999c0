"""Start the whole embedded sandbox on 127.0.0.1: local AWS, fake Xero, fake Meta Graph, and Lunas' HTTP routes.

Everything listens on loopback, on ports the OS picks. The URLs are written to `.sandbox/urls.json` (or the path in
`LUNAS_SANDBOX_FILE`) so a second terminal, the consent CLI or a curious developer can find them:

    {"aws": "http://127.0.0.1:…", "xero": "http://127.0.0.1:…", "quickbooks": "…", "meta": "http://127.0.0.1:…",
     "app": "http://127.0.0.1:…", "queue_url": "…", "dead_letter_queue_url": "…", "env": {…}}

`python -m sandbox.run` starts it and waits for Ctrl-C.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.aws import LocalAws, start_local_aws
from sandbox.cognito import create_user_pool
from sandbox.meta import FakeMetaGraph
from sandbox.oauth_pages import register_oauth_pages
from sandbox.quickbooks import FakeQuickBooks
from sandbox.xero import FakeXero

DEFAULT_URLS_FILE = Path(".sandbox/urls.json")
META_APP_SECRET = "sandbox-meta-app-secret"
META_VERIFY_TOKEN = "sandbox-verify-token"


class LocalAppServer:
    """app.py's HTTP routes served by Chalice's own local server, in a thread (like `chalice local`)."""

    def __init__(self) -> None:
        from chalice.config import Config
        from chalice.local import ChaliceRequestHandler, LocalDevServer

        import app as lunas_app

        class _QuietHandler(ChaliceRequestHandler):
            def log_message(self, *args: Any) -> None:  # one stderr line per request drowns the demo's output
                return

        config = Config.create(chalice_app=lunas_app.app, lambda_timeout=300)
        self._server = LocalDevServer(lunas_app.app, config, "127.0.0.1", 0, handler_cls=_QuietHandler)
        self._thread = threading.Thread(target=self._server.server.serve_forever, name="lunas-app", daemon=True)

    def start(self) -> str:
        self._thread.start()
        return self.url

    @property
    def url(self) -> str:
        host, port = self._server.server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self._server.shutdown()


@dataclass
class Sandbox:
    aws: LocalAws
    xero: FakeXero
    meta: FakeMetaGraph
    app_server: LocalAppServer
    urls: dict[str, Any]
    urls_file: Path
    quickbooks: FakeQuickBooks = field(default_factory=FakeQuickBooks)  # start_sandbox() passes a started one
    oauth_pages: Any = None  # sandbox.oauth_pages.OAuthPages: the fakes' consent pages

    @property
    def app_url(self) -> str:
        return self.app_server.url

    def stop(self) -> None:
        self.meta.stop()
        self.xero.stop()
        self.quickbooks.stop()
        self.app_server.stop()
        self.aws.stop()


def start_sandbox(urls_file: Path | None = None) -> Sandbox:
    """Start every local server, point this process's configuration at them, and write the URLs file."""
    aws = start_local_aws()
    xero = FakeXero()
    xero.start()
    quickbooks = FakeQuickBooks()
    quickbooks.start()
    app_server = LocalAppServer()
    app_url = app_server.start()
    meta = FakeMetaGraph(public_url=app_url)
    meta.start()
    env = {
        "XERO_CLIENT_ID": xero.client_id,
        "XERO_CLIENT_SECRET": xero.client_secret,
        "XERO_API_BASE": xero.url,
        "XERO_IDENTITY_BASE": xero.url,
        "INTUIT_CLIENT_ID": quickbooks.client_id,
        "INTUIT_CLIENT_SECRET": quickbooks.client_secret,
        "INTUIT_AUTHORIZE_URL": quickbooks.url + "/connect/oauth2",
        "INTUIT_TOKEN_URL": quickbooks.url + "/oauth2/v1/tokens/bearer",
        "INTUIT_REVOKE_URL": quickbooks.url + "/v2/oauth2/tokens/revoke",
        "QUICKBOOKS_API_BASE": quickbooks.url,
        "GRAPH_BASE_URL": meta.url,
        "META_APP_SECRET": META_APP_SECRET,
        "META_VERIFY_TOKEN": META_VERIFY_TOKEN,
        "LUNAS_PUBLIC_URL": app_url,
        "OAUTHLIB_INSECURE_TRANSPORT": "1",
    }
    oauth_pages, authorize_env = register_oauth_pages(xero, quickbooks)  # consent pages with Allow / Deny
    env |= authorize_env | create_user_pool(aws.endpoint) | {"LUNAS_RUN_NOW_MODE": "inline"}
    os.environ.update(env)
    _forget_cached_configuration()
    urls = {
        "aws": aws.endpoint,
        "xero": xero.url,
        "quickbooks": quickbooks.url,
        "meta": meta.url,
        "app": app_url,
        "queue_url": aws.queue_url,
        "dead_letter_queue_url": aws.dead_letter_queue_url,
        "env": {**env, **{k: os.environ[k] for k in _AWS_ENV}},
    }
    path = urls_file or Path(os.environ.get("LUNAS_SANDBOX_FILE", str(DEFAULT_URLS_FILE)))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(urls, indent=2))
    return Sandbox(
        aws=aws,
        xero=xero,
        meta=meta,
        app_server=app_server,
        urls=urls,
        urls_file=path,
        quickbooks=quickbooks,
        oauth_pages=oauth_pages,
    )


_AWS_ENV = ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_REGION")


def _forget_cached_configuration() -> None:
    from chalicelib import bootstrap
    from chalicelib.config import load_settings

    load_settings.cache_clear()
    bootstrap.stores.cache_clear()
    bootstrap.clock.cache_clear()


def main() -> None:
    sandbox = start_sandbox()
    print(json.dumps(sandbox.urls, indent=2))
    print("Sandbox running on 127.0.0.1. Ctrl-C to stop.")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        sandbox.stop()


if __name__ == "__main__":
    main()
