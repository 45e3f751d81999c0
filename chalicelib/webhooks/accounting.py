"""Xero and QuickBooks change events (from the queue): re-read what changed, stop reminders for closed invoices.

Both send thin events (an id and a verb, never the invoice), so each event re-reads the invoice or customer through
the connection's own adapter (`invoices_by_id` batches them). An invoice that is now paid, voided or gone gets a
closure item that the next reminder cycle treats as paid, whatever its own (possibly cached) read says, and the
owner's invoice list shows `paid` at once. An invoice that is open again loses its closure. Customer events re-read
the customer (the cycle reads customers fresh each time, so there is nothing else to refresh). QuickBooks announces
a received payment as a Payment event, not as an event of the invoices it pays: the payment is read (batched) for
the invoices its lines link (`Line[].LinkedTxn[]`, TxnType Invoice), and those are re-read and closed like the rest.

Events come parsed (`adapters/xero_events.py`, `adapters/quickbooks_events.py`), are routed by tenant (Xero
`tenantId`, QuickBooks `realmId`) to every active connection that reads that tenant, and deduplicated on their
`dedupe_key` (Xero's (tenant, resource, time, type), the CloudEvents `id`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from chalicelib.domain import notes
from chalicelib.domain.errors import ReconnectNeeded
from chalicelib.domain.events import ResourceChange
from chalicelib.domain.models import (
    Connection,
    ConnectionStatus,
    Decision,
    Invoice,
    InvoiceStatus,
    Reason,
    source_name,
)
from chalicelib.observability import bind_org, count, logger
from chalicelib.ports import AccountingGateway, Clock, ConnectionRepository, DecisionLog, Holds, Routes, WebhookInbox

SEEN_FOR = dt.timedelta(days=32)  # Xero replays up to 31 days of events after an outage
CLOSED_FOR = dt.timedelta(days=14)  # long enough for every sync path to have seen the change itself


@runtime_checkable
class PaymentReader(Protocol):
    """A gateway that can tell which invoices a payment pays (QuickBooks); Xero has no payment events."""

    def invoices_paid_by(self, payment_ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        """Payment id -> the ids of the invoices it pays; a payment that no longer exists is missing."""
        ...


@dataclass(kw_only=True)
class AccountingWebhookDependencies:
    clock: Clock
    routes: Routes
    seen: WebhookInbox
    connections: ConnectionRepository
    decisions: DecisionLog
    gateway_for: Callable[[Connection], AccountingGateway]
    holds: Holds


@dataclass(slots=True)
class AccountingReport:
    changes: int = 0
    duplicates: int = 0
    unknown_tenants: int = 0
    closed: int = 0
    still_open: int = 0
    customers_read: int = 0
    payments_read: int = 0


class AccountingWebhookProcessor:
    def __init__(self, deps: AccountingWebhookDependencies) -> None:
        self.deps = deps

    def process(self, changes: Sequence[ResourceChange]) -> AccountingReport:
        report = AccountingReport()
        now = self.deps.clock.now()
        seen = self.deps.seen.seen((c.dedupe_key for c in changes), now) if changes else frozenset()
        fresh = [c for c in changes if c.dedupe_key not in seen]
        report.duplicates = len(changes) - len(fresh)
        for (provider, tenant_id), group in _by_tenant(fresh).items():
            connections = self._connections(provider, tenant_id)
            if not connections:
                report.unknown_tenants += 1
                logger.warning("change event for an unknown tenant acknowledged", extra={"provider": provider})
                continue
            for connection in connections:
                self._apply(connection, group, report)
        if fresh:
            self.deps.seen.mark([c.dedupe_key for c in fresh], now, SEEN_FOR)
        report.changes = len(fresh)
        count("WebhookUpdates", len(fresh), provider="accounting")
        logger.info("accounting webhook processed", extra=dataclasses.asdict(report))
        return report

    def _connections(self, provider: str, tenant_id: str) -> list[Connection]:
        routes = self.deps.routes.connections_for_tenant(provider, tenant_id)
        found = []
        for route in routes:
            try:
                found.append(self.deps.connections.get(route.org_id, route.connection_id))
            except Exception:  # a connection removed since: its route is stale
                logger.info("stale tenant route skipped")
        if not routes:  # connections added before routes existed: find them once, then route directly
            found = [c for c in self.deps.connections.active() if c.provider == provider and c.tenant_id == tenant_id]
            for c in found:
                self.deps.routes.add_tenant(provider, tenant_id, c.org_id, c.connection_id, self.deps.clock.now())
        return [c for c in found if c.status is ConnectionStatus.ACTIVE]

    def _apply(self, connection: Connection, changes: Sequence[ResourceChange], report: AccountingReport) -> None:
        bind_org(connection.org_id, connection.connection_id)
        invoice_ids = {c.resource_id for c in changes if c.kind == "invoice"}
        customer_ids = sorted({c.resource_id for c in changes if c.kind == "customer"})
        # A deleted payment cannot be read; the invoices it had paid come back through their own events or sync.
        payment_ids = sorted({c.resource_id for c in changes if c.kind == "payment" and _readable(c.operation)})
        try:
            gateway = self.deps.gateway_for(connection)
            paid_by = self._paid_by(gateway, payment_ids, report) if payment_ids else {}
            if invoice_ids or paid_by:
                self._invoices(connection, gateway, sorted(invoice_ids | set(paid_by)), report, paid_by)
            if customer_ids:
                report.customers_read += len(gateway.customers(customer_ids))
        except ReconnectNeeded:  # retrying cannot help; the connection's own status tells the owner
            logger.warning("connection needs reconnecting; change events not applied")

    @staticmethod
    def _paid_by(gateway: AccountingGateway, payment_ids: Sequence[str], report: AccountingReport) -> dict[str, str]:
        """Invoice id -> the payment (of these) that pays it, read from the payments themselves."""
        # The cycle's gateway reads through the incremental-sync snapshot (services/sync.py); payments are read from
        # the source under it.
        reader = next((g for g in (gateway, getattr(gateway, "inner", None)) if isinstance(g, PaymentReader)), None)
        if reader is None:
            logger.info("payment events for a source that cannot read payments ignored")
            return {}
        paid = reader.invoices_paid_by(payment_ids)
        report.payments_read += len(paid)
        return {invoice_id: payment_id for payment_id, invoices in paid.items() for invoice_id in invoices}

    def _invoices(
        self,
        connection: Connection,
        gateway: AccountingGateway,
        ids: Sequence[str],
        report: AccountingReport,
        paid_by: Mapping[str, str],
    ) -> None:
        now = self.deps.clock.now()
        fresh = {i.invoice_id: i for i in gateway.invoices_by_id(ids)}
        closed: list[Invoice] = []
        for invoice_id in ids:
            invoice = fresh.get(invoice_id)
            status = _closed_status(invoice)
            if status is None:
                self.deps.holds.reopen_invoice(connection.org_id, connection.connection_id, invoice_id)
                report.still_open += 1
                continue
            source = f"{source_name(connection.provider)} webhook"
            self.deps.holds.close_invoice(
                connection.org_id,
                connection.connection_id,
                invoice_id,
                status=status,
                source=source,
                at=now,
                keep_for=CLOSED_FOR,
            )
            report.closed += 1
            if invoice is not None:
                closed.append(invoice)
        if closed:
            self.deps.decisions.save_closed(connection.org_id, _paid_decisions(connection, closed, paid_by), now)


def _closed_status(invoice: Invoice | None) -> str | None:
    """paid / voided / deleted, or None while something is still owed."""
    if invoice is None:
        return "deleted"
    if invoice.status is InvoiceStatus.VOIDED:
        return "voided"
    if invoice.status is InvoiceStatus.PAID or invoice.amount_due.amount <= 0:
        return "paid"
    return None


def _readable(operation: str) -> bool:
    return not operation.startswith("delete")  # CloudEvents `deleted`, legacy `Delete`


def _paid_decisions(connection: Connection, invoices: Iterable[Invoice], paid_by: Mapping[str, str]) -> list[Decision]:
    name = source_name(connection.provider)
    return [
        Decision(
            invoice=i,
            reason=Reason.PAID,
            detail=f"{i.status.value} in {name}{_by(i, paid_by)}; pending reminders cancelled",
            note=notes.note("closed_voided" if i.status is InvoiceStatus.VOIDED else "closed_paid", system=name),
        )
        for i in invoices
    ]


def _by(invoice: Invoice, paid_by: Mapping[str, str]) -> str:
    payment = paid_by.get(invoice.invoice_id)
    return f" (payment {payment})" if payment and invoice.status is InvoiceStatus.PAID else ""


def _by_tenant(changes: Iterable[ResourceChange]) -> dict[tuple[str, str], list[ResourceChange]]:
    groups: dict[tuple[str, str], list[ResourceChange]] = {}
    for change in changes:
        groups.setdefault((change.provider, change.tenant_id), []).append(change)
    return groups
