"""The unit tier's own rule: nothing here reaches the network."""

from __future__ import annotations

import socket

import pytest
import pytest_socket


def test_sockets_are_blocked_in_the_unit_tier() -> None:
    with pytest.raises(pytest_socket.SocketBlockedError):
        socket.create_connection(("127.0.0.1", 9), timeout=0.1)
