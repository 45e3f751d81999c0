"""Consent is read again for each message right before it leaves, not only once per batch (services/reminders.py).

The chaos suite (sandbox/chaos.py, seed 43) found a customer's STOP recorded while the first message of a batch was
being sent, and the same batch's later message to that customer sent anyway, 0.8 to 1.8 s after the opt-out was
recorded: the batch's last look had read consent before its first send. These tests pin the fix on the in-memory
stores.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping

import pytest

from chalicelib.domain.models import Consent, ConsentStatus, Reason, TemplateRef
from chalicelib.ports import SentMessage
from tests.builders import CONN, TUESDAY_10_JKT, consent, customer, invoice
from tests.unit.fakes import FakeSender
from tests.unit.rig import ORG, Rig, decision

PHONES = ("+6281230000001", "+6281230000002", "+6281230000003")  # one batch: fewer than SEND_BATCH


@dataclasses.dataclass
class SenderThatHearsBack(FakeSender):
    """Meta, plus something the world does while the first message of the batch is being sent."""

    meanwhile: Callable[[set[str]], None] = lambda sent: None

    def send_template(
        self,
        *,
        to: str,
        template: TemplateRef,
        body_params: Mapping[str, str],
        button_url_suffix: str | None,
        tracker: str,
    ) -> SentMessage:
        sent = super().send_template(
            to=to, template=template, body_params=body_params, button_url_suffix=button_url_suffix, tracker=tracker
        )
        if len(self.templates) == 1:
            self.meanwhile({t.to for t in self.templates})
        return sent


def _rig(meanwhile: Callable[[Rig, set[str]], None]) -> Rig:
    sender = SenderThatHearsBack()
    rig = Rig(sender=sender)
    sender.meanwhile = lambda sent: meanwhile(rig, sent)
    gateway = rig.gateway(CONN)
    gateway.invoices.clear()
    gateway.customer_records.clear()
    for n, phone in enumerate(PHONES):
        gateway.invoices[f"INV-{n}"] = invoice(f"INV-{n}", customer_id=f"C{n}")
        gateway.customer_records[f"C{n}"] = customer(f"C{n}", phone)
        rig.stores.consents.record(consent(ORG, phone))
    return rig


def test_a_stop_recorded_during_the_batchs_first_send_stops_a_later_message_of_the_same_batch() -> None:
    stopped: list[str] = []

    def stop_a_customer_not_yet_sent_to(rig: Rig, sent: set[str]) -> None:
        phone = next(p for p in PHONES if p not in sent)
        at = TUESDAY_10_JKT + dt.timedelta(seconds=5)
        rig.stores.consents.record(consent(ORG, phone, ConsentStatus.OPTED_OUT, at=at))
        stopped.append(phone)

    rig = _rig(stop_a_customer_not_yet_sent_to)
    result = rig.cycle()
    [phone] = stopped
    assert phone not in {t.to for t in rig.sender.templates}
    assert len(rig.sender.templates) == len(PHONES) - 1
    invoice_id = f"INV-{PHONES.index(phone)}"
    assert decision(result, invoice_id).reason is Reason.OPTED_OUT
    # The claim made for it was released: nothing says this phone got its message today.
    today = TUESDAY_10_JKT.date()
    assert rig.stores.ledger.phones_messaged_on(ORG, today, [phone]) == frozenset()


def test_consent_unchanged_during_the_batch_sends_every_message() -> None:
    rig = _rig(lambda rig, sent: None)
    result = rig.cycle()
    assert {t.to for t in rig.sender.templates} == set(PHONES)
    assert {decision(result, f"INV-{n}").reason for n in range(len(PHONES))} == {Reason.SENT}


def test_when_the_consent_read_right_before_sending_fails_the_claim_is_released_and_nothing_is_sent() -> None:
    rig = _rig(lambda rig, sent: None)
    read_all = rig.stores.consents.for_phones

    def unreachable_for_one_phone(org_id: str, phones: Iterable[str]) -> dict[str, Consent]:
        wanted = list(phones)
        if len(wanted) == 1:  # the per-message read (the batch's last look asks for every phone at once)
            raise ConnectionError("DynamoDB did not answer")
        return read_all(org_id, wanted)

    rig.stores.consents.for_phones = unreachable_for_one_phone  # type: ignore[method-assign]
    with pytest.raises(ConnectionError):
        rig.cycle()  # the cycle fails: SQS redelivers it
    assert rig.sender.templates == []
    today = TUESDAY_10_JKT.date()
    assert rig.stores.ledger.phones_messaged_on(ORG, today, PHONES) == frozenset()  # no claim stranded
