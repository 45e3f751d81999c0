"""The only place in Lunas that reads the machine's clocks.

Two kinds of time, never mixed:
- **Business time** (`Clock.now()`): what day it is in Jakarta, whether the send window is open, when a token or a
  pause expires. Always read through an injected `Clock`; in production that is `SystemClock`, in the sandbox it is
  the sandbox's own clock, shared with the vendor fakes (`sandbox/clock.py`), so a pinned or advanced date moves
  Lunas and every fake together.
- **Elapsed time** (`Monotonic`): how long ago something happened in this process (freshness of the pre-send
  re-read, a wait's deadline, a cache's age). Measured on `time.monotonic`, which no change of date can move.

`make lint` bans every other wall-clock read (`datetime.now`, `time.time`, `date.today`, `time.monotonic`...) outside
this module and `sandbox/clock.py` (ruff's banned-api rule, configured in pyproject.toml).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

Monotonic = Callable[[], float]
"""Seconds on a clock that only moves forward; only differences between two readings mean anything."""


class SystemClock:
    """The real time, UTC."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


def monotonic() -> float:
    """This process's elapsed-time clock (the default `Monotonic`)."""
    return time.monotonic()
