"""A person's request by phone number (docs/privacy.md): the owner finds, downloads and erases what is held about a
number on the dashboard, an operator does the same with `./lunas privacy`, and an erased number is never messaged
again, even after a sync brings the customer back and someone records consent again.

Everything goes through the running app over HTTP (or the CLI's `main`), against the fakes and moto; the last word
is a Scan of the whole table.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest

import cli
from chalicelib import bootstrap
from sandbox.run import Sandbox
from tests.privacy_support import PrivacyShop, every_item, holding, open_shop, remind_and_reply, run_now
from tests.web_support import retire_connections
from tests.world import TUESDAY_10_JAKARTA, set_clock

pytestmark = pytest.mark.sandbox

REPLY = "Sudah saya transfer kemarin ke BCA, KTP saya 3171234567890001"


@pytest.fixture(autouse=True)
def _retire_connections() -> Iterator[None]:
    yield
    retire_connections()


@pytest.fixture
def shop(sandbox: Sandbox) -> PrivacyShop:
    set_clock(TUESDAY_10_JAKARTA)
    return open_shop(sandbox, "Toko Privasi")


def _national(e164: str) -> str:
    """The number as a customer would say it in Indonesia (0812-...)."""
    digits = e164.removeprefix("+62")
    return f"0{digits[:3]}-{digits[3:7]}-{digits[7:]}"


def test_the_owner_finds_downloads_and_erases_a_persons_data(sandbox: Sandbox, shop: PrivacyShop) -> None:
    budi, sari = shop.phones
    sent = remind_and_reply(sandbox, shop, REPLY)
    budi_wamids = [m["wamid"] for m in sent if m["wa_id"] == budi.removeprefix("+")]
    sari_wamids = [m["wamid"] for m in sent if m["wa_id"] == sari.removeprefix("+")]

    found = shop.client.post("/privacy-requests/find", {"phone": _national(budi)}, csrf_from="/privacy-requests")
    assert found.status_code == 200
    assert f'data-phone="{budi}"' in found.text and 'data-blocked="no"' in found.text
    for kind in ("consent", "messages", "replies", "customers", "invoices", "invoice_decisions", "delivery_tracking"):
        assert f'data-kind="{kind}"' in found.text, kind

    download = shop.client.post("/privacy-requests/export", {"phone": budi}, csrf_from="/privacy-requests")
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    document = download.json()
    assert document["phone"] == budi and document["organisation"] == shop.org_id
    assert REPLY in json.dumps(document) and "Signed the WhatsApp reminders form" in json.dumps(document)
    assert [c["name"] for c in document["data"]["customers"]["items"]] == ["Budi Santoso"]
    assert sari not in json.dumps(document) and "Sari Dewi" not in json.dumps(document)

    unconfirmed = shop.client.post("/privacy-requests/erase", {"phone": budi}, csrf_from="/privacy-requests")
    assert unconfirmed.status_code == 400 and "nothing was erased" in unconfirmed.text
    assert holding(every_item(), budi)

    erased = shop.client.post(
        "/privacy-requests/erase", {"phone": budi, "confirm": "erase"}, csrf_from="/privacy-requests"
    )
    assert erased.status_code == 200 and "never messaged again" in erased.text
    assert budi not in erased.text and "Xero or QuickBooks" in erased.text

    # Nothing anywhere in the table holds the number (with or without +), its wamids, or the reply, but the hash.
    items = every_item()
    assert holding(items, budi, budi.removeprefix("+"), *budi_wamids, REPLY) == []
    hashes = [i for i in items if i["pk"]["S"] == f"ORG#{shop.org_id}" and i["sk"]["S"].startswith("OPTOUTHASH#")]
    assert len(hashes) == 1 and budi.removeprefix("+") not in hashes[0]["sk"]["S"]
    # The other customer's data is untouched.
    assert holding(items, sari) and holding(items, *sari_wamids)
    again = shop.client.post("/privacy-requests/find", {"phone": budi}, csrf_from="/privacy-requests")
    assert 'data-items="0"' in again.text and 'data-blocked="yes"' in again.text


def test_an_erased_number_is_never_messaged_again_even_after_a_sync_and_new_consent(
    sandbox: Sandbox, shop: PrivacyShop
) -> None:
    budi, sari = shop.phones
    remind_and_reply(sandbox, shop, "ok")
    erased = shop.client.post(
        "/privacy-requests/erase", {"phone": budi, "confirm": "erase"}, csrf_from="/privacy-requests"
    )
    assert erased.status_code == 200
    # Someone records consent again (an old form found in a drawer): the erasure still wins.
    shop.client.post(
        "/customers/consent",
        {"phone": budi, "status": "opted_in", "source": "signed_form", "evidence": "An old paper form from 2025"},
        csrf_from="/customers",
    )
    # Three days later the next stage is due; the sync brings Budi back from Xero with his number.
    set_clock(TUESDAY_10_JAKARTA + dt.timedelta(days=3))
    before = {m["wamid"] for m in sandbox.meta.messages(phone_number_id=shop.phone_number_id)}
    run_now(shop.client)
    new = [m for m in sandbox.meta.messages(phone_number_id=shop.phone_number_id) if m["wamid"] not in before]
    assert [m["wa_id"] for m in new] == [sari.removeprefix("+")]
    invoices = shop.client.get("/invoices").text
    assert 'data-number="INV-001" data-reason="opted_out"' in invoices
    assert "This customer&#39;s data was erased at their request. Lunas never messages this number again." in invoices
    tagihan = shop.client.get("/invoices?lang=id").text
    erased = "Data pelanggan ini dihapus atas permintaannya. Lunas tidak akan mengirim pesan ke nomor ini lagi."
    assert erased in tagihan


def test_an_operator_finds_exports_and_erases_with_the_cli(
    sandbox: Sandbox, shop: PrivacyShop, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    budi, sari = shop.phones
    sent = remind_and_reply(sandbox, shop, REPLY)
    sari_wamids = [m["wamid"] for m in sent if m["wa_id"] == sari.removeprefix("+")]
    capsys.readouterr()

    assert cli.main(["privacy", "find", "--org", shop.org_id, "--phone", _national(sari)]) == 0
    listed = capsys.readouterr().out
    assert sari in listed and "consent" in listed and "messages" in listed and "customers" in listed

    assert cli.main(["privacy", "export", "--org", shop.org_id, "--phone", sari]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["phone"] == sari and document["data"]["messages"]["count"] == 1

    assert cli.main(["privacy", "erase", "--org", shop.org_id, "--phone", sari]) == 2  # no --yes: nothing happens
    assert holding(every_item(), sari)
    capsys.readouterr()
    assert cli.main(["privacy", "erase", "--org", shop.org_id, "--phone", sari, "--yes"]) == 0
    said = capsys.readouterr().out
    assert "Erased" in said and sari not in said  # the operator's terminal shows the number masked
    # The erasure is logged, with the number masked and the counts, never the number itself.
    logged = [r for r in caplog.records if r.getMessage() == "person erased"]
    assert len(logged) == 1 and logged[0].phone.startswith("+62**") and logged[0].items > 0  # type: ignore[attr-defined]
    assert not [r for r in caplog.records if sari.removeprefix("+") in f"{r.getMessage()} {vars(r)}"]

    assert holding(every_item(), sari, sari.removeprefix("+"), *sari_wamids) == []
    assert holding(every_item(), budi, REPLY)  # the other customer's data, reply included, is untouched
    assert bootstrap.container().erased_phones.erased(shop.org_id, [budi, sari]) == frozenset({sari})

    with pytest.raises(SystemExit, match="Cannot use"):
        cli.main(["privacy", "find", "--org", shop.org_id, "--phone", "not a number"])
