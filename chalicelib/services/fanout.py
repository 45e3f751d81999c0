"""The hourly fan-out: one queue message per active connection whose organisation may send now.

Fanning out keeps one slow or rate-limited accounting system from holding up everyone else, and lets Lambda scale
the workers. Organisations outside their send window are not enqueued at all: reading their invoices would only
spend their accounting API budget (Xero's Starter tier allows 1,000 calls a day).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from chalicelib.domain import schedule
from chalicelib.domain.models import Connection, ReminderSettings
from chalicelib.observability import count, logger
from chalicelib.ports import Clock, ConnectionRepository, Queue


@dataclass(slots=True)
class FanOutResult:
    enqueued: list[Connection] = field(default_factory=list)
    outside_window: list[Connection] = field(default_factory=list)


def cycle_message(connection: Connection, scheduled_at: str) -> str:
    return json.dumps(
        {"org_id": connection.org_id, "connection_id": connection.connection_id, "scheduled_at": scheduled_at}
    )


def fan_out(
    *,
    connections: ConnectionRepository,
    settings_for: Callable[[str], ReminderSettings],
    queue: Queue,
    clock: Clock,
) -> FanOutResult:
    now = clock.now()
    result = FanOutResult()
    window_open: dict[str, bool] = {}
    for connection in connections.active():
        if connection.org_id not in window_open:
            window_open[connection.org_id] = schedule.in_send_window(now, settings_for(connection.org_id))
        target = result.enqueued if window_open[connection.org_id] else result.outside_window
        target.append(connection)
    queue.send([cycle_message(c, now.isoformat()) for c in result.enqueued])
    count("CyclesEnqueued", len(result.enqueued))
    logger.info(
        "fan-out finished", extra={"enqueued": len(result.enqueued), "outside_window": len(result.outside_window)}
    )
    return result
