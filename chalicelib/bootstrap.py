"""Lunas' one composition root: the `Container` (chalicelib/container.py) of this process.

`container()` builds it from the environment's settings on first use and returns the same one for the life of a
warm Lambda container, so importing `app.py` builds nothing and loads no SDK. The sandbox, the CLI and tests
replace it explicitly, `install(build_container(settings, clock=their_clock))` or `with installed(...)`, rather
than by changing environment variables and clearing caches.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from chalicelib.config import settings_from_environment
from chalicelib.container import Container, build_container


class _Slot:
    """The installed container (process-wide: the sandbox serves requests and drains queues on other threads)."""

    def __init__(self) -> None:
        self.current: Container | None = None
        self.lock = threading.Lock()


_SLOT = _Slot()


def container() -> Container:
    current = _SLOT.current
    if current is not None:
        return current
    with _SLOT.lock:
        if _SLOT.current is None:
            _SLOT.current = build_container(settings_from_environment())
        return _SLOT.current


def install(replacement: Container | None) -> None:
    """Use `replacement` from now on; None forgets the installed one (the next use builds one from the environment)."""
    with _SLOT.lock:
        _SLOT.current = replacement


@contextmanager
def installed(replacement: Container) -> Iterator[Container]:
    """Use `replacement` inside the block, then whatever was installed before."""
    with _SLOT.lock:
        previous, _SLOT.current = _SLOT.current, replacement
    try:
        yield replacement
    finally:
        install(previous)
