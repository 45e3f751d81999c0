"""Shared fixtures: one embedded sandbox (moto server + fake Xero + fake Meta + the app over HTTP) per test session.

Tests isolate themselves by creating their own organisation, Xero tenant and WhatsApp number (see tests/world.py),
never by resetting shared state.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Safe defaults before anything builds an AWS client: a test can never reach a real account.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "ap-southeast-3")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "LunasTest")


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from sandbox.run import start_sandbox

    started = start_sandbox(Path(tmp_path_factory.mktemp("sandbox")) / "urls.json")
    yield started
    started.stop()
