"""What a customer reaches through a reminder's pay button (`/pay/<code>`).

Payment pages not known when the reminder went out (Xero's online invoice costs one call per invoice) are looked up
here, once, when the customer opens the link, and kept on the link. A lookup that fails (a 429, a revoked
connection) is not kept: the page lists the invoice without a link and the next visit tries again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence

from chalicelib.domain.errors import LunasError
from chalicelib.domain.records import PaymentPage
from chalicelib.ports import PaymentLinks

log = logging.getLogger(__name__)

# (org_id, connection_id, invoice ids) -> invoice id -> the payment page's url, None when it has none
LookUp = Callable[[str, str, Sequence[str]], Mapping[str, str | None]]


def open_payment_page(code: str, *, links: PaymentLinks, now: dt.datetime, look_up: LookUp) -> PaymentPage | None:
    page = links.resolve(code, now)
    if page is None:
        return None
    unknown: dict[str, list[str]] = {}
    for target in page.targets:
        if not target.looked_up and target.connection_id and target.invoice_id:
            unknown.setdefault(target.connection_id, []).append(target.invoice_id)
    found: dict[str, str | None] = {}
    for connection_id, invoice_ids in unknown.items():
        try:
            found |= look_up(page.org_id, connection_id, invoice_ids)
        except LunasError as exc:
            log.warning("payment page lookup failed", extra={"error": type(exc).__name__})
    if not found:
        return page
    links.remember(code, found)
    targets = tuple(
        dataclasses.replace(t, url=found[t.invoice_id], looked_up=True) if t.invoice_id in found else t
        for t in page.targets
    )
    return dataclasses.replace(page, targets=targets)
