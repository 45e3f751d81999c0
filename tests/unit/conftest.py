"""The fast unit tier: services on the in-memory stores (tests/memory_stores.py) and the fakes in tests/unit/fakes.py.

No test here may open a socket or start a server: every test runs with sockets blocked (pytest-socket), so one that
reached for the network (an SDK client, the sandbox) fails at once instead of quietly getting slow.
`make unit-fast` runs this folder alone (`.venv/bin/pytest -q --disable-socket tests/unit`).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import pytest_socket


@pytest.fixture(autouse=True)
def _no_sockets() -> Iterator[None]:
    pytest_socket.disable_socket(allow_unix_socket=False)
    try:
        yield
    finally:
        pytest_socket.enable_socket()
