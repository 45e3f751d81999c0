"""An erased number is never messaged again (docs/privacy.md): the policy refuses it whatever its consent says, and
the hash that stands for it is keyed, per organisation, and says nothing of the number."""

from __future__ import annotations

import dataclasses

from chalicelib.domain.models import Reason
from chalicelib.domain.policy import plan_cycle
from chalicelib.domain.privacy import ERASED_DETAIL, erasure_hash, erasure_key
from tests.test_policy import PHONE_1, standard


def test_an_erased_number_is_refused_even_with_consent_and_nothing_is_sent() -> None:
    facts = standard().facts()
    assert plan_cycle(facts).messages  # opted in and due: it would be sent
    plan = plan_cycle(dataclasses.replace(facts, erased_phones=frozenset({PHONE_1})))
    assert plan.messages == ()
    assert [(d.reason, d.detail) for d in plan.decisions] == [(Reason.OPTED_OUT, ERASED_DETAIL)]


def test_the_hash_is_keyed_per_organisation_and_hides_the_number() -> None:
    key = erasure_key("session-secret")
    digest = erasure_hash(key, "org-1", PHONE_1)
    assert digest == erasure_hash(erasure_key("session-secret"), "org-1", PHONE_1)  # stable: it is looked up
    assert digest != erasure_hash(key, "org-2", PHONE_1)
    assert digest != erasure_hash(erasure_key("another-secret"), "org-1", PHONE_1)
    assert PHONE_1.removeprefix("+") not in digest and len(digest) == 64
