"""The one place that wires real adapters to the services.

Everything is built lazily on first use and cached for the life of a warm Lambda container, so importing `app.py`
does no I/O and pulls in no vendor SDK: xero-python and pywa are imported only by the functions that need them.
Tests build their own pieces (or call these with the sandbox's environment).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from functools import cache, lru_cache

from chalicelib.adapters.kms import KmsCipher
from chalicelib.clock import SystemClock, monotonic
from chalicelib.config import Settings, load_settings
from chalicelib.domain.errors import LunasError
from chalicelib.domain.models import Connection, Invoice, ReminderSettings, TemplateRef, WhatsAppAccount
from chalicelib.ports import AccessTokenProvider, AccountingGateway, Clock, MessageSender, TokenRefresher
from chalicelib.services.reminders import CycleDependencies
from chalicelib.services.sync import IncrementalGateway, IncrementalSource
from chalicelib.services.tokens import token_provider
from chalicelib.storage.connections import DynamoConnectionRepository
from chalicelib.storage.consent import DynamoConsentRepository
from chalicelib.storage.holds import DynamoPauses, DynamoPhoneFlags
from chalicelib.storage.invoice_views import DynamoInvoiceViews
from chalicelib.storage.ledger import DynamoSendLedger
from chalicelib.storage.organisations import DynamoOrganisationRepository
from chalicelib.storage.payment_links import DynamoPaymentLinks
from chalicelib.storage.snapshots import DynamoSyncSnapshots

_TEMPLATE_CACHE_SECONDS = 300.0


@dataclass(frozen=True)
class Stores:
    organisations: DynamoOrganisationRepository
    connections: DynamoConnectionRepository
    consents: DynamoConsentRepository
    phone_flags: DynamoPhoneFlags
    pauses: DynamoPauses
    ledger: DynamoSendLedger
    decisions: DynamoInvoiceViews
    payment_links: DynamoPaymentLinks


@cache
def stores() -> Stores:
    cipher = KmsCipher(load_settings().kms_key_id)
    return Stores(
        organisations=DynamoOrganisationRepository(cipher, clock()),
        connections=DynamoConnectionRepository(cipher, clock()),
        consents=DynamoConsentRepository(),
        phone_flags=DynamoPhoneFlags(),
        pauses=DynamoPauses(),
        ledger=DynamoSendLedger(),
        decisions=DynamoInvoiceViews(),
        payment_links=DynamoPaymentLinks(),
    )


class _InstalledClock:
    """The one clock every part of Lunas is handed; it reads whichever clock `use_clock` installed last, so a part
    built before the sandbox installed its clock still reads the sandbox's time."""

    def __init__(self) -> None:
        self.source: Clock = SystemClock()

    def now(self) -> dt.datetime:
        return self.source.now()


_CLOCK = _InstalledClock()


def clock() -> Clock:
    """Lunas' business clock: the real time, unless `use_clock` installed another (the sandbox's shared clock)."""
    return _CLOCK


def use_clock(replacement: Clock | None) -> None:
    """Read business time from `replacement` from now on (None: the real time again).

    The embedded sandbox installs its clock here so that Lunas and the vendor fakes agree on what time it is.
    """
    _CLOCK.source = replacement or SystemClock()


class UnsupportedProvider(LunasError):
    """A connection names an accounting provider this build cannot read."""


def accounting_gateway(connection: Connection, settings: ReminderSettings) -> AccountingGateway:
    """The connection's accounting adapter, reading through an incremental-sync snapshot (services/sync.py)."""
    readers = {"xero": _xero_gateway, "quickbooks": _quickbooks_gateway}
    build = readers.get(connection.provider)
    if build is None:
        raise UnsupportedProvider(f"no adapter for {connection.provider}")
    config = load_settings()
    return IncrementalGateway(
        build(connection, settings, config),
        org_id=connection.org_id,
        store=DynamoSyncSnapshots(),
        clock=clock(),
        full_sweep_every=dt.timedelta(days=config.full_sweep_days),
    )


def _connection_tokens(connection: Connection, refresher: TokenRefresher) -> AccessTokenProvider:
    return token_provider(
        org_id=connection.org_id,
        connection_id=connection.connection_id,
        repository=stores().connections,
        refresher=refresher,
        clock=clock(),
    )


def _xero_gateway(connection: Connection, settings: ReminderSettings, config: Settings) -> IncrementalSource:
    from chalicelib.adapters.xero import XeroAccountingGateway, XeroTokenRefresher

    refresher = XeroTokenRefresher(
        client_id=config.xero_client_id,
        client_secret=config.xero_client_secret,
        identity_base=config.xero_identity_base,
        now=clock().now,
    )
    return XeroAccountingGateway(
        connection_id=connection.connection_id,
        tenant_id=connection.tenant_id,
        country=settings.country,
        access_token=_connection_tokens(connection, refresher),
        api_base=config.xero_api_base,
        sleep=time.sleep,
    )


def _quickbooks_gateway(connection: Connection, settings: ReminderSettings, config: Settings) -> IncrementalSource:
    from chalicelib.adapters.quickbooks import QuickBooksAccountingGateway, QuickBooksTokenRefresher

    refresher = QuickBooksTokenRefresher(
        client_id=config.intuit_client_id,
        client_secret=config.intuit_client_secret,
        token_url=config.intuit_token_url,
        revoke_url=config.intuit_revoke_url,
        authorize_url=config.intuit_authorize_url,
        now=clock().now,
    )
    return QuickBooksAccountingGateway(
        connection_id=connection.connection_id,
        realm_id=connection.tenant_id,
        country=settings.country,
        access_token=_connection_tokens(connection, refresher),
        api_base=config.quickbooks_api_base,
        sleep=time.sleep,
    )


def message_sender(account: WhatsAppAccount, config: Settings) -> MessageSender:
    return _sender(account.phone_number_id, account.access_token, config.graph_api_version, config.graph_base_url)


@lru_cache(maxsize=32)
def _sender(phone_number_id: str, access_token: str, api_version: str, graph_base_url: str) -> MessageSender:
    """One sender (and so one pooled HTTP client) per WhatsApp number for the life of a warm container; a new
    access token makes a new entry, and the least recently used one falls out (its client is closed by GC)."""
    from chalicelib.adapters.whatsapp import WhatsAppMessageSender

    return WhatsAppMessageSender(
        phone_number_id=phone_number_id,
        access_token=access_token,
        api_version=api_version,
        graph_base_url=graph_base_url,
    )


_template_cache: dict[str, tuple[float, frozenset[TemplateRef]]] = {}


def approved_templates(account: WhatsAppAccount, config: Settings) -> frozenset[TemplateRef]:
    """The business's approved UTILITY templates: Meta's list (cached a few minutes), corrected at once by the
    template events Meta posted since (chalicelib/domain/templates.py)."""
    from chalicelib.domain.templates import apply_registry
    from chalicelib.storage.templates import registry_states

    usable, _ = apply_registry(
        _listed_templates(account, config), registry_states(account.business_account_id), clock().now()
    )
    return usable


def template_notes(account: WhatsAppAccount) -> dict[TemplateRef, str]:
    """Why Meta's events made a template unusable, for the owner ("PAUSED (FIRST_PAUSE)")."""
    from chalicelib.domain.templates import apply_registry
    from chalicelib.storage.templates import registry_states

    return apply_registry(frozenset(), registry_states(account.business_account_id), clock().now())[1]


def _listed_templates(account: WhatsAppAccount, config: Settings) -> frozenset[TemplateRef]:
    cached = _template_cache.get(account.business_account_id)
    if cached and monotonic() - cached[0] < _TEMPLATE_CACHE_SECONDS:
        return cached[1]
    from chalicelib.adapters.whatsapp import WhatsAppTemplateCatalog

    catalog = WhatsAppTemplateCatalog(
        waba_id=account.business_account_id,
        access_token=account.access_token,
        api_version=config.graph_api_version,
        graph_base_url=config.graph_base_url,
    )
    approved = catalog.approved_templates()
    _template_cache[account.business_account_id] = (monotonic(), approved)
    return approved


class WhatsAppNotConfigured(LunasError):
    """The organisation has not set up its WhatsApp number yet."""


def cycle_dependencies(connection: Connection) -> CycleDependencies:
    config = load_settings()
    s = stores()
    settings = s.organisations.settings(connection.org_id)
    account = s.organisations.whatsapp(connection.org_id)
    if account is None:
        raise WhatsAppNotConfigured(f"organisation {connection.org_id} has no WhatsApp number")
    gateway = accounting_gateway(connection, settings)
    return CycleDependencies(
        clock=clock(),
        settings=settings,
        gateway=gateway,
        sender=message_sender(account, config),
        consents=s.consents,
        phone_flags=s.phone_flags,
        pauses=s.pauses,
        ledger=s.ledger,
        decision_log=s.decisions,
        payment_links=s.payment_links,
        approved_templates=lambda: approved_templates(account, config),
        template_notes=lambda: template_notes(account),
        payment_link_for=lambda invoice: _payment_link(gateway, invoice),
        public_base_url=config.public_base_url,
        recheck_after=dt.timedelta(seconds=config.recheck_after_seconds),
    )


def _payment_link(gateway: AccountingGateway, invoice: Invoice) -> str | None:
    if invoice.payment_link:
        return invoice.payment_link
    lookup = getattr(gateway, "payment_link", None)  # Xero costs a call per invoice, so it is fetched only now
    return lookup(invoice.invoice_id) if lookup else None
