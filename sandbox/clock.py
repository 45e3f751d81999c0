"""The sandbox's one clock: Lunas (its container's `clock`) and every vendor fake read the same instant.

Real Xero, QuickBooks and Meta stamp their answers with their own (correct) time. In the sandbox that time is ours to
set: a test pins "Tuesday 10:00 in Jakarta" and the fake Meta's webhook `timestamp`s, the 24-hour service window,
Xero's `UpdatedDateUTC` and every token's expiry follow, because they all read this object.

Two ways to set it:
- `pin(at)`: the clock reads `at` and then keeps running from there (the default, so rate windows, Retry-After
  waits and delivery delays behave as in real life);
- `pin(at, frozen=True)`: it stays at `at` until `advance()` or the next `pin()`.
`advance(seconds)` moves it either way; `release()` returns to the machine's time.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable


class SandboxClock:
    """A settable clock (see the module docstring). Satisfies `chalicelib.ports.Clock`."""

    def __init__(self, wall: Callable[[], float] = time.time) -> None:
        self._wall = wall
        self._lock = threading.Lock()
        self._offset = 0.0  # running: wall + offset
        self._frozen_at: float | None = None

    def timestamp(self) -> float:
        """Unix seconds now, on this clock."""
        with self._lock:
            return self._frozen_at if self._frozen_at is not None else self._wall() + self._offset

    def now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.timestamp(), dt.UTC)

    def pin(self, at: dt.datetime, *, frozen: bool = False) -> None:
        if at.tzinfo is None:
            raise ValueError("pin() needs a timezone-aware instant")
        target = at.timestamp()
        with self._lock:
            if frozen:
                self._frozen_at = target
            else:
                self._frozen_at = None
                self._offset = target - self._wall()

    def advance(self, seconds: float) -> None:
        """Move the clock by `seconds` (negative goes back: a fake's clock may be behind ours, as in real life)."""
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at += seconds
            else:
                self._offset += seconds

    def release(self) -> None:
        """Back to the machine's own time."""
        with self._lock:
            self._frozen_at = None
            self._offset = 0.0

    def describe(self) -> dict[str, object]:
        """What `/_sandbox/clock` answers."""
        return {"now": self.now().isoformat(), "timestamp": self.timestamp(), "frozen": self._frozen_at is not None}


class RemoteSandboxClock:
    """A running sandbox's clock, read over its `/_sandbox/clock` admin route (for the CLI in another process)."""

    def __init__(self, fake_url: str) -> None:
        self._url = fake_url.rstrip("/") + "/_sandbox/clock"

    def now(self) -> dt.datetime:
        import httpx

        answer = httpx.get(self._url, timeout=5.0).raise_for_status().json()
        return dt.datetime.fromisoformat(str(answer["now"]))
