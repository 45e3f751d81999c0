"""The duplicate-chasing check: is the accounting system also sending its own payment reminders?

If Xero's invoice reminders are on for the same organisation, customers are chased twice (an e-mail from Xero and a
WhatsApp from Lunas). Lunas cannot switch them off for the owner, so it asks Xero when a company is connected and
then at most once a day during a sync, stores the answer on the connection, and the home page's "needs attention"
list tells the owner where to switch them off (docs/dashboard.md "Notifications").
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from chalicelib.domain.models import Connection
from chalicelib.ports import ConnectionRepository, OwnRemindersReader

log = logging.getLogger(__name__)

# About one call a day per connection (Xero's daily allowance is small); 23 hours, so hourly syncs that drift by
# a few minutes still ask once a day rather than every 25 hours.
CHECK_EVERY = dt.timedelta(hours=23)


def check_due(connection: Connection, now: dt.datetime) -> bool:
    """Never asked, or asked about a day ago."""
    checked = connection.own_reminders_checked_at
    return checked is None or now - checked >= CHECK_EVERY


def refresh_own_reminders(
    connection: Connection,
    reader: Callable[[], OwnRemindersReader | None],
    *,
    connections: ConnectionRepository,
    now: dt.datetime,
    force: bool = False,
) -> bool | None:
    """Ask the accounting system (when due, or `force` at connect) and store the answer; the stored one otherwise.

    `reader` builds the vendor's reader only when it is needed; None: the vendor cannot say (QuickBooks).
    """
    if not force and not check_due(connection, now):
        return connection.own_reminders
    source = reader()
    if source is None:
        return None
    answer = source.own_reminders_enabled()
    enabled = answer if answer is not None else connection.own_reminders  # a failed read keeps what was known
    connections.set_own_reminders(connection.org_id, connection.connection_id, enabled, now)
    log.info("%s: own reminders %s", connection.connection_id, {True: "on", False: "off", None: "unknown"}[enabled])
    return enabled
