"""What Lunas wires together, built once per warm Lambda container by chalicelib/bootstrap.py.

A warm container serves many events. What costs a client, a connection pool or a network round trip is built here
once and shared: the KMS client (inside `cipher`), each queue's URL (one SQS client for all, and one DynamoDB client
for every store, per process: one botocore session), one WhatsApp sender (a pooled
HTTP client) per number and token, Meta's template list (a few minutes), the WhatsApp number check (one pooled
client), the sign-in and connect-flow objects.
What belongs to one connection (its accounting gateway, its cycle's dependencies) is made by methods here.

Vendor SDKs (xero-python, python-quickbooks, pywa, PyJWT) are imported by the methods that need them, so the
fan-out and the webhook intake never load them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from chalicelib.clock import Monotonic, monotonic
from chalicelib.domain.errors import LunasError
from chalicelib.domain.models import (
    CompanyProfile,
    Connection,
    ConnectionStatus,
    OAuthTokens,
    ReminderSettings,
    TemplateRef,
    WhatsAppAccount,
)
from chalicelib.domain.records import PaymentClaim, PaymentPage
from chalicelib.ports import (
    AccessTokenProvider,
    AccountingGateway,
    AuditLog,
    Cipher,
    Clock,
    ErasedPhones,
    IncrementalSource,
    Queue,
    TokenRefresher,
    WhatsAppAccountCheck,
)
from chalicelib.services.reminders import CycleDependencies
from chalicelib.services.sync import IncrementalGateway
from chalicelib.services.tokens import token_provider

if TYPE_CHECKING:
    from decimal import Decimal

    from chalicelib.adapters.whatsapp import WhatsAppMessageSender
    from chalicelib.auth.cognito import CognitoUsers
    from chalicelib.auth.service import Authenticator
    from chalicelib.bootstrap import Stores
    from chalicelib.config import Settings
    from chalicelib.domain.template_lifecycle import ListedTemplate, PushOutcome, TemplateDefinition
    from chalicelib.ports import TemplateManagement
    from chalicelib.services.connections import ConnectFlows
    from chalicelib.services.export import ExportDependencies
    from chalicelib.services.payments import PaymentView
    from chalicelib.services.privacy import DeletionDependencies, PrivacyDependencies
    from chalicelib.services.whatsapp_onboarding import OnboardingDependencies
    from chalicelib.services.whatsapp_removal import RemovalDependencies
    from chalicelib.webhooks.accounting import AccountingWebhookDependencies
    from chalicelib.webhooks.whatsapp import WhatsAppWebhookDependencies

TEMPLATE_CACHE_SECONDS = 300.0  # Meta's template list; template events correct it at once (domain/templates.py)
SENDERS_KEPT = 32  # WhatsApp senders (one HTTP pool each); the least recently used one is dropped


class UnsupportedProvider(LunasError):
    """A connection names an accounting provider this build cannot read."""


class WhatsAppNotConfigured(LunasError):
    """The organisation has not set up its WhatsApp number yet."""


@dataclass(frozen=True, eq=False)
class Container:
    """One per process (`bootstrap.container()`); parts are replaced through `bootstrap.build_container`'s keywords."""

    settings: Settings
    clock: Clock  # business time: the real time, or the sandbox's shared clock
    cipher: Cipher  # KMS envelope encryption of the stored tokens: one KMS client
    stores: Stores
    reminder_queue: Queue  # one message per connection cycle (fan-out, "run now")
    webhook_queue: Queue  # the webhook bodies, queued by the HTTP routes for process_webhooks
    elapsed: Monotonic = monotonic  # ages of the caches below
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _senders: OrderedDict[tuple[str, str], WhatsAppMessageSender] = field(
        default_factory=OrderedDict, init=False, repr=False
    )
    _templates: dict[str, tuple[float, frozenset[TemplateRef]]] = field(default_factory=dict, init=False, repr=False)

    def with_settings(self, **changes: Any) -> Container:
        """A new container from these settings changed, on the same clock (a test's "as on AWS" variant)."""
        from chalicelib.bootstrap import build_container

        return build_container(dataclasses.replace(self.settings, **changes), clock=self.clock, elapsed=self.elapsed)

    # -- WhatsApp ---------------------------------------------------------------------------------------------------

    def message_sender(self, account: WhatsAppAccount) -> WhatsAppMessageSender:
        """The number's sender (a pooled HTTP client), kept while the container lives; a new token makes a new one."""
        key = (account.phone_number_id, account.access_token)
        with self._lock:
            sender = self._senders.get(key)
            if sender is None:
                from chalicelib.adapters.whatsapp import WhatsAppMessageSender

                sender = WhatsAppMessageSender(
                    phone_number_id=account.phone_number_id,
                    access_token=account.access_token,
                    api_version=self.settings.graph_api_version,
                    graph_base_url=self.settings.graph_base_url,
                )
                self._senders[key] = sender
                if len(self._senders) > SENDERS_KEPT:
                    self._senders.popitem(last=False)  # not closed here: a cycle may still hold it (GC closes it)
            self._senders.move_to_end(key)
            return sender

    @cached_property
    def whatsapp_account_check(self) -> WhatsAppAccountCheck:
        """Asks Meta whether a token manages a WhatsApp number (the dashboard, before a number is stored): one pooled
        HTTP client, the token goes with each request."""
        from chalicelib.adapters.whatsapp_accounts import WhatsAppAccountCheck as GraphAccountCheck

        return GraphAccountCheck(
            graph_base_url=self.settings.graph_base_url, api_version=self.settings.graph_api_version
        )

    @cached_property
    def whatsapp_onboarding(self) -> OnboardingDependencies:
        """What connecting a number through Embedded Signup needs (services/whatsapp_onboarding.py)."""
        from chalicelib.adapters.meta_signup import GraphSignup
        from chalicelib.services.whatsapp_onboarding import OnboardingDependencies

        signup = GraphSignup(
            graph_base_url=self.settings.graph_base_url,
            api_version=self.settings.graph_api_version,
            app_id=self.settings.meta_app_id,
            app_secret=self.settings.meta_app_secret,
        )
        return OnboardingDependencies(
            signup=signup,
            account_check=self.whatsapp_account_check,
            numbers=self.stores.organisations,
            pin_secret=self.settings.meta_app_secret or self.settings.session_secret,
            push_templates=self.push_templates,  # a fresh number gets our templates (services/templates.py)
        )

    def text_sender(self, org_id: str) -> WhatsAppMessageSender | None:
        """The organisation's own number, for replies inside the 24-hour window (None: no number set up)."""
        account = self.stores.organisations.whatsapp(org_id)
        return self.message_sender(account) if account else None

    def approved_templates(self, account: WhatsAppAccount) -> frozenset[TemplateRef]:
        """The business's approved UTILITY templates: Meta's list (cached a few minutes), corrected at once by the
        template events Meta posted since (chalicelib/domain/templates.py)."""
        from chalicelib.domain.templates import apply_registry

        states = self.stores.templates.states(account.business_account_id)
        return apply_registry(self._listed_templates(account), states, self.clock.now())[0]

    def template_notes(self, account: WhatsAppAccount) -> dict[TemplateRef, str]:
        """Why Meta's events made a template unusable, for the owner ("PAUSED (FIRST_PAUSE)")."""
        from chalicelib.domain.templates import apply_registry

        states = self.stores.templates.states(account.business_account_id)
        return apply_registry(frozenset(), states, self.clock.now())[1]

    def _listed_templates(self, account: WhatsAppAccount) -> frozenset[TemplateRef]:
        cached = self._templates.get(account.business_account_id)
        if cached and self.elapsed() - cached[0] < TEMPLATE_CACHE_SECONDS:
            return cached[1]
        from chalicelib.adapters.whatsapp import WhatsAppTemplateCatalog

        catalog = WhatsAppTemplateCatalog(
            waba_id=account.business_account_id,
            access_token=account.access_token,
            api_version=self.settings.graph_api_version,
            graph_base_url=self.settings.graph_base_url,
        )
        try:
            approved = catalog.approved_templates()
        finally:
            catalog.close()
        self._templates[account.business_account_id] = (self.elapsed(), approved)
        return approved

    # -- template lifecycle and costs (services/templates.py, domain/pricing.py) ----------------------------------

    def template_manager(self, account: WhatsAppAccount) -> TemplateManagement:
        """Meta's template API for the account's WhatsApp Business Account (close it after use)."""
        from chalicelib.adapters.whatsapp_templates import WhatsAppTemplateManager

        return WhatsAppTemplateManager(
            waba_id=account.business_account_id,
            access_token=account.access_token,
            graph_base_url=self.settings.graph_base_url,
            api_version=self.settings.graph_api_version,
        )

    def template_definitions(self) -> list[TemplateDefinition]:
        """templates/whatsapp/*.json, the pay button pointing at this deployment's public URL."""
        from pathlib import Path

        from chalicelib.adapters.whatsapp_templates import TEMPLATES_DIR, load_definitions

        directory = Path(self.settings.templates_dir) if self.settings.templates_dir else TEMPLATES_DIR
        return load_definitions(directory, self.settings.public_base_url)

    def push_templates(self, org_id: str, account: WhatsAppAccount) -> list[PushOutcome]:
        """Push every template to the account (a `TemplatePush`: called right after a number is onboarded)."""
        from chalicelib.services.templates import push_templates

        manager = self.template_manager(account)
        try:
            return push_templates(
                org_id,
                account,
                definitions=self.template_definitions(),
                manager=manager,
                registry=self.stores.templates,
                clock=self.clock,
            )
        finally:
            manager.close()
            self._templates.pop(account.business_account_id, None)

    def sync_templates(self, org_id: str, account: WhatsAppAccount) -> list[ListedTemplate]:
        """Store Meta's current status and category of the account's templates in the registry."""
        from chalicelib.services.templates import sync_templates

        manager = self.template_manager(account)
        try:
            return sync_templates(org_id, account, manager=manager, registry=self.stores.templates, clock=self.clock)
        finally:
            manager.close()
            self._templates.pop(account.business_account_id, None)

    @cached_property
    def usd_rates(self) -> dict[str, Decimal]:
        """USD -> the owner's currency, for the cost estimate (LUNAS_USD_RATES over domain/pricing.py's defaults)."""
        from chalicelib.domain.pricing import parse_usd_rates

        return parse_usd_rates(self.settings.usd_rates)

    # -- accounting -------------------------------------------------------------------------------------------------

    def accounting_gateway(
        self, connection: Connection, settings: ReminderSettings, *, audit: AuditLog | None = None
    ) -> AccountingGateway:
        """The connection's accounting adapter, reading through an incremental-sync snapshot (services/sync.py);
        a cycle's reads go in the audit log (`audit`)."""
        return IncrementalGateway(
            self._accounting_source(connection, settings),
            org_id=connection.org_id,
            store=self.stores.snapshots,
            clock=self.clock,
            full_sweep_every=dt.timedelta(days=self.settings.full_sweep_days),
            audit=audit,
        )

    def payment_page(self, code: str) -> PaymentPage | None:
        """A reminder's pay link opened by the customer; unknown payment pages are looked up now (services/payments)."""
        from chalicelib.services.payments import open_payment_page

        return open_payment_page(
            code, links=self.stores.payment_links, now=self.clock.now(), look_up=self._payment_pages
        )

    def payment_view(self, code: str, page: PaymentPage) -> PaymentView:
        """What the customer's pay page shows: the invoices, the business's payment instructions, their claim."""
        from chalicelib.services.payments import payment_view

        settings = self.stores.organisations.settings(page.org_id)
        return payment_view(
            code,
            page,
            business_name=settings.business_name,
            timezone=settings.timezone,
            instructions=self.stores.payment_instructions,
            links=self.stores.payment_links,
        )

    def claim_payment(self, code: str) -> PaymentClaim | None:
        """The customer pressed "I have paid" on a pay link (None: no such code, or it expired)."""
        from chalicelib.services.payments import claim_paid

        s = self.stores
        return claim_paid(
            code,
            links=s.payment_links,
            holds=s.holds,
            instructions=s.payment_instructions,
            now=self.clock.now(),
            timezone_of=lambda org_id: s.organisations.settings(org_id).timezone,
        )

    def _payment_pages(self, org_id: str, connection_id: str, invoice_ids: Sequence[str]) -> dict[str, str | None]:
        connection = self.stores.connections.get(org_id, connection_id)
        if connection.status is not ConnectionStatus.ACTIVE:
            return {}
        source = self._accounting_source(connection, self.stores.organisations.settings(org_id))
        return {invoice_id: source.payment_link(invoice_id) for invoice_id in invoice_ids}

    def send_daily_digests(self) -> list[str]:
        """The hourly schedule's work: the owners whose local time is 08:00 get yesterday's summary by e-mail, once
        (services/digest.py). Organisations with an active connection are the ones with something to summarise."""
        from chalicelib.adapters.ses import SesMailSender
        from chalicelib.services.digest import DigestDependencies, send_daily_digests
        from chalicelib.web.digest_mail import compose

        s = self.stores
        deps = DigestDependencies(
            preferences=s.digests,
            claims=s.claims,
            mail=SesMailSender(),
            sender=self.settings.digest_from,
            timezone_of=lambda org_id: s.organisations.settings(org_id).timezone,
            compose=compose,
        )
        return send_daily_digests((c.org_id for c in s.connections.active()), self.clock.now(), deps)

    def check_own_reminders(self, connection: Connection, *, force: bool = False) -> bool | None:
        """Whether the accounting system also sends its own reminders (duplicate chasing), asked at most daily
        (`force`: at connect); stored on the connection for the home page. QuickBooks cannot say: None."""
        from chalicelib.ports import OwnRemindersReader
        from chalicelib.services.own_reminders import refresh_own_reminders

        def reader() -> OwnRemindersReader | None:
            if connection.provider != "xero":
                return None
            source = self._accounting_source(connection, self.stores.organisations.settings(connection.org_id))
            return source if isinstance(source, OwnRemindersReader) else None

        return refresh_own_reminders(
            connection, reader, connections=self.stores.connections, now=self.clock.now(), force=force
        )

    def _accounting_source(self, connection: Connection, settings: ReminderSettings) -> IncrementalSource:
        config = self.settings
        if connection.provider == "xero":
            from chalicelib.adapters.xero import XeroAccountingGateway
            from chalicelib.services.grants import xero_grant_of

            xero = self._xero_refresher()
            return XeroAccountingGateway(
                connection_id=connection.connection_id,
                tenant_id=connection.tenant_id,
                country=connection.phone_country(settings.country),
                access_token=self._connection_tokens(connection, xero, grant_of=xero_grant_of),
                api_base=config.xero_api_base,
                sleep=time.sleep,
            )
        if connection.provider == "quickbooks":
            from chalicelib.adapters.quickbooks import QuickBooksAccountingGateway
            from chalicelib.adapters.quickbooks_oauth import QuickBooksTokenRefresher

            intuit = QuickBooksTokenRefresher(
                client_id=config.intuit_client_id,
                client_secret=config.intuit_client_secret,
                token_url=config.intuit_token_url,
                revoke_url=config.intuit_revoke_url,
                authorize_url=config.intuit_authorize_url,
                now=self.clock.now,
            )
            return QuickBooksAccountingGateway(
                connection_id=connection.connection_id,
                realm_id=connection.tenant_id,
                country=connection.phone_country(settings.country),
                access_token=self._connection_tokens(connection, intuit),
                api_base=config.quickbooks_api_base,
                sleep=time.sleep,
            )
        raise UnsupportedProvider(f"no adapter for {connection.provider}")

    def company_profile(self, *, provider: str, tenant_id: str, access_token: str) -> CompanyProfile:
        """Where a just-connected company is (the connect flow's `CompanyProfileReader`): Xero's Organisation, or
        QuickBooks' CompanyInfo and Preferences, read once with the new access token. A throttle is not waited out
        (the owner is waiting for the page): it fails, and the organisation's country applies."""

        def token(*, force_refresh: bool = False) -> str:
            return access_token

        config = self.settings
        if provider == "xero":
            from chalicelib.adapters.xero import XeroAccountingGateway

            xero = XeroAccountingGateway(
                connection_id=f"xero:{tenant_id}",
                tenant_id=tenant_id,
                country="",
                access_token=token,
                api_base=config.xero_api_base,
                sleep=time.sleep,
                max_rate_waits=0,
                timeout_seconds=10,
            )
            return xero.organisation_profile()
        if provider == "quickbooks":
            from chalicelib.adapters.quickbooks import QuickBooksAccountingGateway

            quickbooks = QuickBooksAccountingGateway(
                connection_id=f"quickbooks:{tenant_id}",
                realm_id=tenant_id,
                country="",
                access_token=token,
                api_base=config.quickbooks_api_base,
                sleep=time.sleep,
                max_rate_waits=0,
                timeout_seconds=10,
            )
            return quickbooks.company_profile()
        raise UnsupportedProvider(f"no adapter for {provider}")

    def _connection_tokens(
        self, connection: Connection, refresher: TokenRefresher, *, grant_of: Callable[[OAuthTokens], str] | None = None
    ) -> AccessTokenProvider:
        """The token set the connection reads (its Xero grant's, or its own), refreshed once for all its readers;
        `grant_of` names the grant a Xero token set belongs to (a copy from before grants moves into it)."""
        return token_provider(
            org_id=connection.org_id,
            connection_id=connection.connection_id,
            repository=self.stores.connections,
            refresher=refresher,
            clock=self.clock,
            leases=self.stores.leases,
            grant_of=grant_of,
        )

    def _xero_refresher(self) -> TokenRefresher:
        from chalicelib.adapters.xero_oauth import XeroTokenRefresher

        config = self.settings
        return XeroTokenRefresher(
            client_id=config.xero_client_id,
            client_secret=config.xero_client_secret,
            identity_base=config.xero_identity_base,
            now=self.clock.now,
        )

    def _xero_tokens(self, connection: Connection) -> AccessTokenProvider:
        """A Xero connection's token provider (the connect flows disconnect with it)."""
        from chalicelib.services.grants import xero_grant_of

        return self._connection_tokens(connection, self._xero_refresher(), grant_of=xero_grant_of)

    # -- what each entry point runs ---------------------------------------------------------------------------------

    def cycle_dependencies(self, connection: Connection) -> CycleDependencies:
        """One connection's reminder cycle (the SQS worker, the dashboard's preview and "run now")."""
        from chalicelib.services.thanks import hook as thanks_hook
        from chalicelib.storage.thanks import DynamoThanks

        s = self.stores
        settings = s.organisations.settings(connection.org_id)
        account = s.organisations.whatsapp(connection.org_id)
        if account is None:
            raise WhatsAppNotConfigured(f"organisation {connection.org_id} has no WhatsApp number")
        gateway = self.accounting_gateway(connection, settings, audit=self.audit)
        return CycleDependencies(
            clock=self.clock,
            settings=settings,
            gateway=gateway,
            sender=self.message_sender(account),
            consents=s.consents,
            phone_flags=s.phone_flags,
            holds=s.holds,
            ledger=s.ledger,
            decision_log=s.decisions,
            payment_links=s.payment_links,
            approved_templates=lambda: self.approved_templates(account),
            template_notes=lambda: self.template_notes(account),
            public_base_url=self.settings.public_base_url,
            recheck_after=dt.timedelta(seconds=self.settings.recheck_after_seconds),
            account=account,  # messaging-limit tier and quality (docs/whatsapp-sending.md)
            recipients=s.ledger,
            alerts=s.whatsapp_alerts,
            erased=self.erased_phones,
            after_cycle=thanks_hook(DynamoThanks()),  # thank-yous for paid invoices, when switched on
        )

    @cached_property
    def whatsapp_webhooks(self) -> WhatsAppWebhookDependencies:
        """What Meta's statuses, replies and template events need (the webhook worker)."""
        from chalicelib.webhooks.whatsapp import WhatsAppWebhookDependencies

        s = self.stores
        return WhatsAppWebhookDependencies(
            clock=self.clock,
            routes=s.routes,
            seen=s.seen,
            ledger=s.ledger,
            phone_flags=s.phone_flags,
            consents=s.consents,
            replies=s.replies,
            claims=s.claims,
            bsuids=s.bsuids,
            preferences=s.preferences,
            settings_for=s.organisations.settings,
            sender_for=self.text_sender,
            holds=s.holds,
            templates=s.templates,
            reply_pause=dt.timedelta(days=self.settings.reply_pause_days),
            usage=s.usage,
            numbers=s.organisations,
            claim_hold_days=lambda org_id: s.payment_instructions.get(org_id).claim_hold_days,
        )

    @cached_property
    def accounting_webhooks(self) -> AccountingWebhookDependencies:
        """What Xero's and QuickBooks' change events need (the webhook worker)."""
        from chalicelib.webhooks.accounting import AccountingWebhookDependencies

        s = self.stores
        return AccountingWebhookDependencies(
            clock=self.clock,
            routes=s.routes,
            seen=s.seen,
            connections=s.connections,
            decisions=s.decisions,
            gateway_for=lambda connection: self.accounting_gateway(
                connection, s.organisations.settings(connection.org_id)
            ),
            holds=s.holds,
        )

    # -- privacy: a person's request by phone number, deleting the organisation (docs/privacy.md) ------------------

    @cached_property
    def audit(self) -> AuditLog:
        """The organisation's audit log (docs/privacy.md), entries kept `audit_retention_days`."""
        from chalicelib.storage.audit import DynamoAuditLog

        return DynamoAuditLog(dt.timedelta(days=self.settings.audit_retention_days))

    @cached_property
    def export(self) -> ExportDependencies:
        """The owner's download of the organisation's data (JSON, or a zip of CSVs)."""
        from chalicelib.services.export import ExportDependencies
        from chalicelib.storage.export import DynamoOrganisationExport

        return ExportDependencies(clock=self.clock, data=DynamoOrganisationExport(), audit=self.audit)

    @cached_property
    def whatsapp_removal(self) -> RemovalDependencies:
        """Removing the WhatsApp number: Meta's webhook subscription (unless shared), then the token and routes."""
        from chalicelib.adapters.meta_subscriptions import GraphSubscriptions
        from chalicelib.services.whatsapp_removal import RemovalDependencies

        s = self.stores
        return RemovalDependencies(
            clock=self.clock,
            whatsapp_of=s.organisations.whatsapp,
            orgs_for_business_account=s.routes.orgs_for_business_account,
            subscription=GraphSubscriptions(
                graph_base_url=self.settings.graph_base_url, api_version=self.settings.graph_api_version
            ),
            numbers=s.organisations,
            audit=self.audit,
        )

    @cached_property
    def erased_phones(self) -> ErasedPhones:
        """Erased numbers as keyed hashes, keyed with the deployment's erasure key (docs/privacy.md)."""
        from chalicelib.domain.privacy import erasure_key
        from chalicelib.storage.privacy import DynamoOptOutHashes

        return DynamoOptOutHashes(erasure_key(self.settings.erasure_key or self.settings.session_secret))

    @cached_property
    def privacy(self) -> PrivacyDependencies:
        from chalicelib.services.privacy import PrivacyDependencies
        from chalicelib.storage.privacy import DynamoPersonalData

        organisations = self.stores.organisations
        return PrivacyDependencies(
            clock=self.clock,
            data=DynamoPersonalData(),
            erased=self.erased_phones,
            country_of=lambda org_id: organisations.settings(org_id).country,
            audit=self.audit,
        )

    @cached_property
    def organisation_deletion(self) -> DeletionDependencies:
        """Revoke every provider access, delete every item, then the members' sign-in accounts."""
        from chalicelib.adapters.meta_subscriptions import GraphSubscriptions
        from chalicelib.services.privacy import DeletionDependencies
        from chalicelib.storage.organisations import NotFound
        from chalicelib.storage.privacy import DynamoOrganisationData

        s = self.stores

        def business_name_of(org_id: str) -> str | None:
            try:
                return s.organisations.settings(org_id).business_name
            except NotFound:
                return None

        def disconnect(org_id: str, connection_id: str) -> bool:
            return self.connect_flows.disconnect(org_id=org_id, connection_id=connection_id).revoked_at_provider

        return DeletionDependencies(
            data=DynamoOrganisationData(),
            connections=s.connections,
            disconnect=disconnect,
            business_name_of=business_name_of,
            whatsapp_of=s.organisations.whatsapp,
            subscription=GraphSubscriptions(
                graph_base_url=self.settings.graph_base_url, api_version=self.settings.graph_api_version
            ),
            orgs_for_business_account=s.routes.orgs_for_business_account,
            users=self.cognito_users,
            audit=self.audit,
            clock=self.clock,
        )

    @cached_property
    def cognito_users(self) -> CognitoUsers:
        from chalicelib.auth.cognito import CognitoUsers

        return CognitoUsers(user_pool_id=self.settings.cognito_user_pool_id, client_id=self.settings.cognito_client_id)

    @cached_property
    def authenticator(self) -> Authenticator:
        """Sign-up, sign-in and the session's principal (the dashboard). The JWKS keys are cached per URL."""
        from chalicelib.auth.service import Authenticator
        from chalicelib.auth.tokens import IdTokenVerifier

        config = self.settings
        return Authenticator(
            users=self.cognito_users,
            verifier=IdTokenVerifier(
                jwks_url=config.cognito_jwks_url, issuer=config.cognito_issuer, audience=config.cognito_client_id
            ),
            memberships=self.stores.memberships,
            save_organisation=self.stores.organisations.save,
            clock=self.clock,
        )

    @cached_property
    def connect_flows(self) -> ConnectFlows:
        """Connecting and disconnecting Xero and QuickBooks in the browser (one pooled HTTP session; Xero's identity
        service through xero-python)."""
        from chalicelib.adapters.xero_oauth import XeroIdentity
        from chalicelib.services.connections import ConnectFlows, providers_from_settings

        config = self.settings
        return ConnectFlows(
            providers=providers_from_settings(config),
            states=self.stores.oauth_states,
            connections=self.stores.connections,
            clock=self.clock,
            public_base_url=config.public_base_url,
            profiles=self.company_profile,
            snapshots=self.stores.snapshots,
            snapshot_retention=self.stores.snapshots,
            xero=XeroIdentity(
                client_id=config.xero_client_id,
                client_secret=config.xero_client_secret,
                api_base=config.xero_api_base,
                identity_base=config.xero_identity_base,
            ),
            leases=self.stores.leases,
            routes=self.stores.routes,
            access_tokens=self._xero_tokens,
        )
