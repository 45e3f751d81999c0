"""Sending at Meta's pace: a per-number token bucket that slows down when Meta says so, and the pair-limit guard.

Both read elapsed time from the injected `Monotonic` and wait through an injected `sleep`, so tests neither sleep nor
depend on the machine's speed. Threads share one `SendPace` per number: each reserves the next free slot under a
lock and sleeps outside it (the slots are spaced 1/rate apart, so no burst can exceed the rate).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from chalicelib.clock import Monotonic
from chalicelib.domain.pace import PAIR_GAP_SECONDS

Sleep = Callable[[float], None]
real_sleep: Sleep = time.sleep
_MAX_WAITS = 8  # a clock that does not move (a test's) must not keep a send waiting forever


class SendPace:
    """A token bucket of one message every 1/rate seconds, with AIMD on Meta's throughput errors.

    `slow_down` (Meta answered 130429) halves the rate; each accepted send adds back 1% of the ceiling, so after a
    slow-down the rate climbs back to the ceiling within about a hundred sends.
    """

    def __init__(self, rate: float, *, elapsed: Monotonic, sleep: Sleep, floor: float = 1.0) -> None:
        self.ceiling = max(rate, floor)
        self.rate = self.ceiling
        self.floor = floor
        self.slowdowns = 0
        self._elapsed = elapsed
        self._sleep = sleep
        self._next: float | None = None
        self._started: deque[float] = deque()  # when the sends of the last second really started
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Wait for this send's slot; returns the seconds waited.

        Slots are 1/rate apart; on top of that no more than `rate` sends start in any second, counted on the times
        they really started (a thread that wakes late after a pause must not bunch up with the next ones and exceed
        Meta's per-second cap). A clock that does not move while waiting (a test's) cannot loop: after a few waits
        the send goes.
        """
        waited, slot_taken = 0.0, False
        for _ in range(_MAX_WAITS):
            with self._lock:
                now = self._elapsed()
                while self._started and now - self._started[0] >= 1.0:
                    self._started.popleft()
                wait = 0.0
                if not slot_taken:  # reserve the next slot; the next thread reserves the one after
                    start = now if self._next is None else max(now, self._next)
                    self._next = start + 1.0 / self.rate
                    slot_taken, wait = True, start - now
                if wait <= 0:
                    if len(self._started) < max(1, int(self.rate)):
                        self._started.append(now)
                        return waited
                    wait = self._started[0] + 1.0 - now
            self._sleep(wait)
            waited += wait
        with self._lock:
            self._started.append(self._elapsed())
        return waited

    def slow_down(self) -> None:
        with self._lock:
            self.rate = max(self.floor, self.rate / 2)
            self.slowdowns += 1

    def accepted(self) -> None:
        with self._lock:
            self.rate = min(self.ceiling, self.rate + self.ceiling / 100)


class PairGuard:
    """Never two messages to the same customer within Meta's pair limit (about 6 s, error 131056)."""

    def __init__(self, *, elapsed: Monotonic, sleep: Sleep, gap: float = PAIR_GAP_SECONDS) -> None:
        self._elapsed = elapsed
        self._sleep = sleep
        self._gap = gap
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, phone: str) -> float:
        """Wait until `phone` may get a message; returns the seconds waited."""
        with self._lock:
            last = self._last.get(phone)
        wait = 0.0 if last is None else last + self._gap - self._elapsed()
        if wait > 0:
            self._sleep(wait)
        return max(wait, 0.0)

    def sent(self, phone: str) -> None:
        """A message to `phone` reached Meta (or Meta said the pair limit was hit): the gap starts now."""
        with self._lock:
            self._last[phone] = self._elapsed()
