"""Start the whole embedded sandbox on 127.0.0.1: local AWS, fake Xero, fake Meta Graph, and Lunas' HTTP routes.

Everything listens on loopback, on ports the OS picks. The URLs are written to `.sandbox/urls.json` (or the path in
`LUNAS_SANDBOX_FILE`) so a second terminal, the consent CLI or a curious developer can find them:

    {"aws": "http://127.0.0.1:…", "xero": "http://127.0.0.1:…", "quickbooks": "…", "meta": "http://127.0.0.1:…",
     "app": "http://127.0.0.1:…", "queue_url": "…", "dead_letter_queue_url": "…", "env": {…}}

Lunas and every fake read one clock (`Sandbox.clock`, sandbox/clock.py); from another process it is
`GET|POST <any fake>/_sandbox/clock`.

`python -m sandbox.run` starts it and waits for Ctrl-C.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.aws import DIGEST_FROM, LocalAws, start_local_aws
from sandbox.clock import SandboxClock
from sandbox.cognito import create_user_pool
from sandbox.meta import FakeMetaGraph
from sandbox.oauth_pages import register_oauth_pages
from sandbox.outbox import register_outbox
from sandbox.quickbooks import FakeQuickBooks
from sandbox.xero import FakeXero

DEFAULT_URLS_FILE = Path(".sandbox/urls.json")
META_APP_SECRET = "sandbox-meta-app-secret"
META_VERIFY_TOKEN = "sandbox-verify-token"
META_APP_ID = "1000000000000001"  # the sandbox's Meta app (Embedded Signup: docs/whatsapp-onboarding.md)
META_SIGNUP_CONFIG_ID = "2000000000000002"
XERO_WEBHOOK_KEY = "sandbox-xero-webhook-key"
INTUIT_WEBHOOK_VERIFIER_TOKEN = "sandbox-intuit-verifier-token"


def _one_request_per_thread(app: Any) -> None:
    """Give each server thread its own `app.current_request` and `app.lambda_context`, as Lambda's one request per
    container does.

    Chalice keeps the request being answered on the app object, and its local server answers every request in its own
    thread: a webhook arriving mid-request replaced the request a page was reading its `?lang=` from
    (tests/test_local_server.py). Idempotent: the sandbox may start more than once in a process.
    """
    if getattr(type(app), "one_request_per_thread", False):
        return
    state = threading.local()

    def per_thread(name: str) -> property:
        return property(lambda _: getattr(state, name, None), lambda _, value: setattr(state, name, value))

    members = {
        "one_request_per_thread": True,
        "current_request": per_thread("current_request"),
        "lambda_context": per_thread("lambda_context"),
    }
    app.__class__ = type(f"PerThread{type(app).__name__}", (type(app),), members)


class LocalAppServer:
    """app.py's HTTP routes served by Chalice's own local server, in a thread (like `chalice local`)."""

    def __init__(self) -> None:
        from chalice.config import Config
        from chalice.local import ChaliceRequestHandler, LocalDevServer

        import app as lunas_app

        class _QuietHandler(ChaliceRequestHandler):
            def log_message(self, *args: Any) -> None:  # one stderr line per request drowns the demo's output
                return

        _one_request_per_thread(lunas_app.app)
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
    webhook_poller: Any = None  # sandbox.lambda_runtime.BackgroundPoller: app.process_webhooks on the webhook queue
    clock: SandboxClock = field(default_factory=SandboxClock)  # shared by Lunas and every fake (sandbox/clock.py)

    @property
    def app_url(self) -> str:
        return self.app_server.url

    def drain_webhooks(self, *, flush_fakes: bool = False) -> int:
        """Process every webhook body queued so far (the routes only queue them); returns how many.

        With `flush_fakes`, first make the fakes post what they still hold (Meta's pending statuses and replies,
        Xero's and QuickBooks' pending change events).
        """
        if flush_fakes:
            self.meta.flush()
            for fake in (self.xero, self.quickbooks):
                flush = getattr(fake, "flush_webhooks", None)
                if flush is not None:
                    flush()
        if self.webhook_poller is None:
            return 0
        return sum(o.received for o in self.webhook_poller.drain())

    def stop(self) -> None:
        if self.webhook_poller is not None:
            self.webhook_poller.stop()
        self.meta.stop()
        self.xero.stop()
        self.quickbooks.stop()
        self.app_server.stop()
        self.aws.stop()
        from chalicelib import bootstrap

        bootstrap.install(None)  # the next use builds a container from the environment, on the real clock


def start_sandbox(urls_file: Path | None = None) -> Sandbox:
    """Start every local server, point this process's configuration at them, and write the URLs file."""
    aws = start_local_aws()
    clock = SandboxClock()
    xero = FakeXero(clock=clock)
    xero.start()
    quickbooks = FakeQuickBooks(clock=clock)
    quickbooks.start()
    app_server = LocalAppServer()
    app_url = app_server.start()
    meta = FakeMetaGraph(public_url=app_url, clock=clock)
    meta.start()
    meta.configure_app(app_id=META_APP_ID, app_secret=META_APP_SECRET, webhook_url=f"{app_url}/webhooks/whatsapp")
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
        "META_APP_ID": META_APP_ID,
        "META_SIGNUP_CONFIG_ID": META_SIGNUP_CONFIG_ID,
        "META_SDK_URL": f"{meta.url}/en_US/sdk.js",
        "LUNAS_PUBLIC_URL": app_url,
        "LUNAS_DIGEST_FROM": os.environ.get("LUNAS_DIGEST_FROM", DIGEST_FROM),
        "OAUTHLIB_INSECURE_TRANSPORT": "1",
        "XERO_WEBHOOK_KEY": XERO_WEBHOOK_KEY,
        "INTUIT_WEBHOOK_VERIFIER_TOKEN": INTUIT_WEBHOOK_VERIFIER_TOKEN,
    }
    oauth_pages, authorize_env = register_oauth_pages(xero, quickbooks)  # consent pages with Allow / Deny
    env |= authorize_env | create_user_pool(aws.endpoint) | {"LUNAS_RUN_NOW_MODE": "inline"}
    os.environ.update(env)  # for the SDKs, and the settings of this process and of the CLI (urls.json)
    from chalicelib import bootstrap
    from chalicelib.config import settings_from_environment

    # Lunas and the fakes read one clock: pin or advance it and both follow.
    bootstrap.install(bootstrap.build_container(settings_from_environment(), clock=clock))
    urls = {
        "aws": aws.endpoint,
        "xero": xero.url,
        "quickbooks": quickbooks.url,
        "meta": meta.url,
        "outbox": register_outbox(meta),  # the e-mails SES (moto) accepted: the daily summary
        "app": app_url,
        "queue_url": aws.queue_url,
        "dead_letter_queue_url": aws.dead_letter_queue_url,
        "webhook_queue_url": aws.webhook_queue_url,
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
        webhook_poller=_start_webhook_worker(aws, xero, quickbooks, app_url),
        clock=clock,
    )


def _start_webhook_worker(aws: LocalAws, xero: FakeXero, quickbooks: FakeQuickBooks, app_url: str) -> Any:
    """Point the accounting fakes' webhooks at the app and process the webhook queue in the background."""
    import app as lunas_app
    from sandbox.lambda_runtime import BackgroundPoller, SqsEventSource

    for fake, path, key in (
        (xero, "xero", XERO_WEBHOOK_KEY),
        (quickbooks, "quickbooks", INTUIT_WEBHOOK_VERIFIER_TOKEN),
    ):
        configure = getattr(fake, "configure_webhook", None)
        if configure is not None:
            configure(url=f"{app_url}/webhooks/{path}", key=key)
    source = SqsEventSource(
        queue_url=aws.webhook_queue_url,
        handler=lunas_app.process_webhooks,
        function_name="process_webhooks",
        batch_size=10,
    )
    poller = BackgroundPoller(source, name="lunas-webhooks")
    poller.start()
    return poller


_AWS_ENV = ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_REGION")


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
