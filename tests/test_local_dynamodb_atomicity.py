"""The sandbox's local DynamoDB gives the guarantee production relies on: a conditional claim has exactly one winner.

moto's threaded server alone does not (two winners in 2 of 60 four-thread races), which made every "two workers at
once" test unable to prove anything. sandbox/aws.py serialises DynamoDB requests; these races show it holds.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid

from chalicelib.storage.ledger import DynamoSendLedger
from sandbox.run import Sandbox
from tests.meta_support import make_message

RACES = 40  # without the serialisation, about one race in thirty had two winners (and moto answered 500s)
THREADS = 8
WHEN = dt.datetime(2026, 11, 24, 3, tzinfo=dt.UTC)


def _race(ledger: DynamoSendLedger, org_id: str) -> int:
    """THREADS workers claim the same phone-day and reminder at once; returns how many won."""
    message = make_message()
    barrier = threading.Barrier(THREADS)
    winners: list[str] = []
    errors: list[BaseException] = []

    def claim() -> None:
        try:
            barrier.wait(timeout=10)
            key = ledger.claim(org_id, message, message.send_date, WHEN)
            if key is not None:
                winners.append(key)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=claim) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    return len(winners)


def _race_alone(ledger: DynamoSendLedger) -> int:
    message = make_message()
    claimed = ledger.claim(f"org-warm-{uuid.uuid4().hex[:8]}", message, message.send_date, WHEN)
    return int(claimed is not None)


def test_many_threads_claiming_one_reminder_have_exactly_one_winner_every_time(sandbox: Sandbox) -> None:
    ledger = DynamoSendLedger()
    # Build the SDK client before the threads do: botocore's client creation is not thread-safe (the worker never
    # races itself; this test would otherwise fail on the SDK, not on the table).
    assert _race_alone(ledger) == 1
    outcomes = [_race(ledger, f"org-race-{uuid.uuid4().hex[:8]}") for _ in range(RACES)]
    assert outcomes == [1] * RACES
