"""Removing the WhatsApp number (chalicelib/services/whatsapp_removal.py) on the in-memory stores: Meta's webhook
subscription is dropped only when no other organisation uses the WhatsApp Business Account, the token and routes go
even when Meta cannot be reached, and each removal is in the audit log."""

from __future__ import annotations

import datetime as dt

import pytest

from chalicelib.domain.models import ReminderSettings, VerifiedWhatsAppNumber
from chalicelib.services.whatsapp_removal import NoWhatsAppNumber, RemovalDependencies, remove_whatsapp
from tests.builders import TUESDAY_10_JKT, new_org
from tests.memory_stores import MemoryStores


class Clock:
    def now(self) -> dt.datetime:
        return TUESDAY_10_JKT


class Subscriptions:
    """`chalicelib.ports.WhatsAppSubscription` that records what it was asked (and answers as told)."""

    def __init__(self, answer: bool = True) -> None:
        self.answer = answer
        self.dropped: list[tuple[str, str]] = []

    def unsubscribe(self, *, business_account_id: str, access_token: str) -> bool:
        self.dropped.append((business_account_id, access_token))
        return self.answer


def _number(pn: str, waba: str) -> VerifiedWhatsAppNumber:
    return VerifiedWhatsAppNumber(
        phone_number_id=pn, business_account_id=waba, display_phone_number="+62 21 5555 0000", verified_name="Toko"
    )


def _deps(stores: MemoryStores, subscriptions: Subscriptions) -> RemovalDependencies:
    return RemovalDependencies(
        clock=Clock(),
        whatsapp_of=stores.organisations.whatsapp,
        orgs_for_business_account=stores.routes.orgs_for_business_account,
        subscription=subscriptions,
        numbers=stores.organisations,
        audit=stores.audit,
    )


def _shop(stores: MemoryStores, pn: str, waba: str, token: str) -> str:
    org = new_org()
    stores.organisations.save(ReminderSettings(org_id=org, business_name="Toko"))
    stores.organisations.set_whatsapp(org, _number(pn, waba), token=token)
    return org


def test_the_subscription_is_dropped_with_the_organisations_own_token() -> None:
    stores, subscriptions = MemoryStores(), Subscriptions()
    org = _shop(stores, "pn-1", "waba-1", "EAAG-1")
    removal = remove_whatsapp(org, "owner@example.co.id", _deps(stores, subscriptions))
    assert removal.unsubscribed and not removal.shared
    assert subscriptions.dropped == [("waba-1", "EAAG-1")]
    assert stores.organisations.whatsapp(org) is None and stores.routes.org_for_phone_number("pn-1") is None
    [entry] = stores.audit.entries(org)
    assert (entry.kind, entry.who) == ("whatsapp", "owner@example.co.id") and "EAAG" not in entry.what
    with pytest.raises(NoWhatsAppNumber):
        remove_whatsapp(org, "owner@example.co.id", _deps(stores, subscriptions))


def test_an_account_another_organisation_still_uses_keeps_its_subscription() -> None:
    stores, subscriptions = MemoryStores(), Subscriptions()
    org = _shop(stores, "pn-1", "waba-shared", "EAAG-1")
    neighbour = _shop(stores, "pn-2", "waba-shared", "EAAG-2")
    removal = remove_whatsapp(org, "owner@example.co.id", _deps(stores, subscriptions))
    assert removal.shared and subscriptions.dropped == []
    assert stores.routes.orgs_for_business_account("waba-shared") == [neighbour]
    assert stores.organisations.whatsapp(neighbour) is not None


def test_the_number_goes_even_when_meta_does_not_confirm() -> None:
    stores, subscriptions = MemoryStores(), Subscriptions(answer=False)
    org = _shop(stores, "pn-1", "waba-1", "EAAG-1")
    removal = remove_whatsapp(org, "owner@example.co.id", _deps(stores, subscriptions))
    assert not removal.unsubscribed
    assert stores.organisations.whatsapp(org) is None
    assert "not confirmed by Meta" in stores.audit.entries(org)[0].what
