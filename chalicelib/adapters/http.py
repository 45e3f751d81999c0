"""httpx clients that share one TLS context.

httpx builds a new `ssl.SSLContext` for every client and loads the CA bundle into it: about 25 ms of CPU each, and
a reminder cycle builds two (the template catalog and the sender), the onboarding three. One context, built on first
use, serves every client of the process; `ssl.SSLContext` is safe to share between connections and threads.
"""

from __future__ import annotations

import ssl
import threading
from typing import Any

import httpx

_LOCK = threading.Lock()
_CONTEXT: list[ssl.SSLContext] = []


def tls_context() -> ssl.SSLContext:
    """The process's TLS context: httpx's own defaults (certifi's CA bundle), built once."""
    with _LOCK:
        if not _CONTEXT:
            _CONTEXT.append(httpx.create_ssl_context())
        return _CONTEXT[0]


def graph_base(graph_base_url: str, api_version: str) -> str:
    """Meta's Graph API root for one version: "https://graph.facebook.com" and "25.0" -> ".../v25.0"."""
    return f"{graph_base_url.rstrip('/')}/v{float(api_version)}"


def graph_client(
    graph_base_url: str, api_version: str, *, timeout: httpx.Timeout | float, access_token: str = ""
) -> httpx.Client:
    """A client on one version of Meta's Graph API; `access_token`, when given, goes with every request."""
    headers = {"Authorization": f"Bearer {access_token}"} if access_token else None
    return client(base_url=graph_base(graph_base_url, api_version), headers=headers, timeout=timeout)


def client(**kwargs: Any) -> httpx.Client:
    """`httpx.Client(**kwargs)` with the shared TLS context."""
    return httpx.Client(verify=tls_context(), **kwargs)
