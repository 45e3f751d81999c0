"""Lunas' one composition root: builds the process's `Container` (chalicelib/container.py) and keeps it.

`container()` builds it from the environment's settings on first use and returns the same one for the life of a
warm Lambda container, so importing `app.py` builds nothing and loads no SDK, and a warm Lambda builds its KMS and
SQS clients, WhatsApp senders and sign-in objects once. The sandbox, the CLI and tests replace it explicitly,
`install(build_container(settings, clock=their_clock))` or `with installed(...)`, never by changing environment
variables and clearing caches.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from chalicelib.adapters.kms import KmsCipher
from chalicelib.adapters.sqs import SqsQueue
from chalicelib.clock import Monotonic, SystemClock, monotonic
from chalicelib.config import Settings, settings_from_environment
from chalicelib.container import Container
from chalicelib.ports import Cipher, Clock, Queue
from chalicelib.storage.connections import DynamoConnectionRepository, DynamoLeases
from chalicelib.storage.consent import DynamoConsentRepository, DynamoMarketingPreferences
from chalicelib.storage.digest import DynamoDigestPreferences
from chalicelib.storage.holds import DynamoHolds, DynamoPhoneFlags
from chalicelib.storage.inbox import DynamoOneTimeClaims, DynamoReplies, DynamoWebhookInbox
from chalicelib.storage.invoice_views import DynamoDecisionLog
from chalicelib.storage.ledger import DynamoSendLedger
from chalicelib.storage.oauth_states import DynamoOAuthStates
from chalicelib.storage.organisations import (
    DynamoMemberships,
    DynamoOrganisationRepository,
)
from chalicelib.storage.payment_instructions import DynamoPaymentInstructions
from chalicelib.storage.payment_links import DynamoPaymentLinks
from chalicelib.storage.routes import DynamoBsuids, DynamoRoutes
from chalicelib.storage.snapshots import DynamoSyncSnapshots
from chalicelib.storage.templates import DynamoTemplateRegistry
from chalicelib.storage.usage import DynamoUsageCounter
from chalicelib.storage.whatsapp_alerts import DynamoWhatsAppAlerts


@dataclass(frozen=True)
class Stores:
    """Every DynamoDB store, built once; those that hold tokens encrypt them with the container's cipher."""

    organisations: DynamoOrganisationRepository
    memberships: DynamoMemberships
    connections: DynamoConnectionRepository
    leases: DynamoLeases
    oauth_states: DynamoOAuthStates
    consents: DynamoConsentRepository
    preferences: DynamoMarketingPreferences
    phone_flags: DynamoPhoneFlags
    holds: DynamoHolds
    ledger: DynamoSendLedger
    decisions: DynamoDecisionLog
    payment_links: DynamoPaymentLinks
    payment_instructions: DynamoPaymentInstructions
    snapshots: DynamoSyncSnapshots
    routes: DynamoRoutes
    seen: DynamoWebhookInbox
    replies: DynamoReplies
    claims: DynamoOneTimeClaims
    bsuids: DynamoBsuids
    templates: DynamoTemplateRegistry
    usage: DynamoUsageCounter
    whatsapp_alerts: DynamoWhatsAppAlerts = field(default_factory=DynamoWhatsAppAlerts)
    digests: DynamoDigestPreferences = field(default_factory=DynamoDigestPreferences)  # the owner's daily summary


def build_stores(cipher: Cipher, clock: Clock) -> Stores:
    return Stores(
        organisations=DynamoOrganisationRepository(cipher, clock),
        memberships=DynamoMemberships(),
        connections=DynamoConnectionRepository(cipher, clock),
        leases=DynamoLeases(),
        oauth_states=DynamoOAuthStates(),
        consents=DynamoConsentRepository(),
        preferences=DynamoMarketingPreferences(),
        phone_flags=DynamoPhoneFlags(),
        holds=DynamoHolds(),
        ledger=DynamoSendLedger(),
        decisions=DynamoDecisionLog(),
        payment_links=DynamoPaymentLinks(),
        payment_instructions=DynamoPaymentInstructions(),
        snapshots=DynamoSyncSnapshots(),
        routes=DynamoRoutes(),
        seen=DynamoWebhookInbox(),
        replies=DynamoReplies(),
        claims=DynamoOneTimeClaims(),
        bsuids=DynamoBsuids(),
        templates=DynamoTemplateRegistry(),
        usage=DynamoUsageCounter(),
    )


def build_container(
    settings: Settings,
    *,
    clock: Clock | None = None,
    cipher: Cipher | None = None,
    stores: Stores | None = None,
    reminder_queue: Queue | None = None,
    webhook_queue: Queue | None = None,
    elapsed: Monotonic = monotonic,
) -> Container:
    """A container from `settings`; every keyword replaces one part (the sandbox passes its shared clock).

    No I/O: clients are created, and queue URLs looked up, on first use. Every AWS client comes from one botocore
    session (chalicelib/aws.py): one DynamoDB client for every store (chalicelib/storage/dynamo.py), one SQS
    client for both queues (chalicelib/adapters/sqs.py), and the KMS client of the cipher.
    """
    clock = clock or SystemClock()
    cipher = cipher or KmsCipher(settings.kms_key_id)
    return Container(
        settings=settings,
        clock=clock,
        cipher=cipher,
        stores=stores or build_stores(cipher, clock),
        reminder_queue=reminder_queue or SqsQueue(settings.reminder_queue_name),
        webhook_queue=webhook_queue or SqsQueue(settings.webhook_queue_name),
        elapsed=elapsed,
    )


class _Slot:
    """The installed container (process-wide: the sandbox serves requests and drains queues on other threads)."""

    def __init__(self) -> None:
        self.current: Container | None = None
        self.lock = threading.Lock()


_SLOT = _Slot()


def container() -> Container:
    current = _SLOT.current
    if current is not None:
        return current
    with _SLOT.lock:
        if _SLOT.current is None:
            _SLOT.current = build_container(settings_from_environment())
        return _SLOT.current


def install(replacement: Container | None) -> None:
    """Use `replacement` from now on; None forgets the installed one (the next use builds one from the environment)."""
    with _SLOT.lock:
        _SLOT.current = replacement


@contextmanager
def installed(replacement: Container) -> Iterator[Container]:
    """Use `replacement` inside the block, then whatever was installed before."""
    with _SLOT.lock:
        previous, _SLOT.current = _SLOT.current, replacement
    try:
        yield replacement
    finally:
        install(previous)
