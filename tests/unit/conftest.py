"""The fast unit tier: services on the in-memory stores (tests/memory_stores.py) and the fakes in tests/unit/fakes.py.

No test here may open a socket or start a server: every test runs with sockets blocked (pytest-socket), so one that
reached for the network (an SDK client, the sandbox) fails at once instead of quietly getting slow.
`make unit-fast` runs this folder alone (`.venv/bin/pytest -q --disable-socket tests/unit`).

In a whole-suite run these tests go first, before anything starts the in-process sandbox: blocking sockets is
process-wide, and the sandbox's server threads (moto, the app, the queue poller) must never meet the block.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import pytest_socket

_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: not item.path.resolve().is_relative_to(_HERE))  # stable: the unit tier first


@pytest.fixture(autouse=True)
def _no_sockets() -> Iterator[None]:
    pytest_socket.disable_socket(allow_unix_socket=False)
    try:
        yield
    finally:
        pytest_socket.enable_socket()
