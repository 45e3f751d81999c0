"""Several reminder schedules, one per group of customers (issue 16 item 4), over HTTP as a signed-in owner.

The owner adds named schedules on the settings page (rename, delete, at most five, refusals in plain words), picks
one on a customer's page, sees it in the customers list, and the preview and the run both follow it for that
customer's invoices; deleting a schedule moves its customers back to the default and says so. Another organisation
never sees nor uses them, and they go with the organisation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib import bootstrap
from chalicelib.domain.models import ReminderSettings
from chalicelib.storage.schema import LunasTable, org_pk
from sandbox.run import Sandbox
from tests.test_dashboard import BUDI, SARI, Shop, open_shop
from tests.web_support import retire_connections
from tests.world import TUESDAY_10_JAKARTA, set_clock

pytestmark = pytest.mark.sandbox


@pytest.fixture(autouse=True)
def _retire_connections() -> Iterator[None]:
    yield
    retire_connections()


@pytest.fixture
def shop(sandbox: Sandbox) -> Iterator[Shop]:
    set_clock(TUESDAY_10_JAKARTA)
    yield open_shop(sandbox)  # Budi and Sari, one invoice each, 4 days overdue


def _rows(*days_after: int, off: tuple[int, ...] = ()) -> dict[str, str]:
    form: dict[str, str] = {}
    for i, days in enumerate((*days_after, *off)):
        form |= {f"stage_{i}_days": str(days), f"stage_{i}_when": "after"}
        if days not in off:
            form[f"stage_{i}_on"] = "1"
    return form


def _add(shop: Shop, name: str, *days_after: int) -> str:
    answer = shop.client.post("/settings/schedules", {"name": name, **_rows(*days_after)}, csrf_from="/settings")
    assert answer.status_code == 303, answer.text
    [schedule] = [s for s in _settings(shop).schedules if s.name == " ".join(name.split())]
    return schedule.schedule_id


def _settings(shop: Shop) -> ReminderSettings:
    return bootstrap.container().stores.organisations.settings(shop.org_id)


def _consent(shop: Shop, phone: str) -> None:
    evidence = "Signed the WhatsApp reminders form at the shop counter on 2026-11-01"
    form = {"phone": phone, "status": "opted_in", "source": "signed_form", "evidence": evidence}
    assert shop.client.post("/customers/consent", form, csrf_from="/customers").status_code == 303


def _page_of(shop: Shop, name: str) -> str:
    listing = shop.client.get("/customers", params={"q": name}).text
    [link] = re.findall(r'class="customer-page" href="([^"]+)"', listing)
    return str(link)


def _choose(shop: Shop, link: str, schedule_id: str) -> None:
    answer = shop.client.post(f"{link}/schedule", {"schedule_id": schedule_id}, csrf_from=link)
    assert answer.status_code == 303 and answer.headers["Location"] == f"{link}?m=schedule", answer.text


def _run_now(shop: Shop) -> None:
    assert shop.client.post("/run-now", {}, csrf_from="/preview").status_code == 303


def test_the_owner_adds_renames_and_is_refused_in_plain_words_up_to_five_schedules(shop: Shop) -> None:
    page = shop.client.get("/settings?lang=en").text
    assert "Schedules for groups of customers" in page and 'id="add-schedule"' in page

    added = shop.client.post(
        "/settings/schedules", {"name": " Pelanggan  tetap ", **_rows(7, 14, off=(21,))}, csrf_from="/settings"
    )
    assert added.status_code == 303
    assert "Schedule “Pelanggan tetap” added." in shop.client.follow(added).text
    [gentle] = _settings(shop).schedules
    assert gentle.name == "Pelanggan tetap"
    assert [s.offset_days for s in gentle.stages] == [7, 14] and [s.offset_days for s in gentle.stages_off] == [21]

    unnamed = shop.client.post("/settings/schedules", {"name": "", **_rows(1, 2)}, csrf_from="/settings")
    assert unnamed.status_code == 400 and "Give the schedule a name" in unnamed.text
    assert 'id="sched-new-name"' in unnamed.text and 'aria-invalid="true" aria-describedby="sched-new-name-error"' in (
        unnamed.text
    )
    assert 'value="2"' in unnamed.text  # the rows as typed are kept
    taken = shop.client.post("/settings/schedules", {"name": "pelanggan TETAP", **_rows(1)}, csrf_from="/settings")
    assert taken.status_code == 400 and "Another schedule already has this name" in taken.text
    no_stage = shop.client.post("/settings/schedules", {"name": "Kosong", **_rows(off=(3,))}, csrf_from="/settings")
    assert no_stage.status_code == 400 and 'role="alert"' in no_stage.text

    renamed = shop.client.post(
        f"/settings/schedules/{gentle.schedule_id}", {"name": "Regular customers", **_rows(10)}, csrf_from="/settings"
    )
    assert renamed.status_code == 303
    [regular] = _settings(shop).schedules
    assert (regular.schedule_id, regular.name, [s.offset_days for s in regular.stages]) == (
        gentle.schedule_id,
        "Regular customers",
        [10],
    )

    for n in range(4):
        _add(shop, f"Group {n}", n + 1)
    full = shop.client.get("/settings").text
    assert 'id="schedules-full"' in full and 'id="add-schedule"' not in full
    sixth = shop.client.post("/settings/schedules", {"name": "One too many", **_rows(1)}, csrf_from="/settings")
    assert sixth.status_code == 400 and "You already have the most schedules Lunas keeps" in sixth.text
    assert len(_settings(shop).schedules) == 5

    indonesian = shop.client.get("/settings?lang=id").text
    assert "Jadwal untuk kelompok pelanggan" in indonesian and "Pelanggan yang mengikutinya: 0" in indonesian
    refused = shop.client.post("/settings/schedules", {"name": "Lagi", **_rows(1)}, csrf_from="/settings")
    assert refused.status_code == 400 and "jumlah jadwal terbanyak" in refused.text


def test_the_preview_and_the_run_follow_the_schedule_each_customer_follows(sandbox: Sandbox, shop: Shop) -> None:
    _consent(shop, BUDI)
    _consent(shop, SARI)
    gentle = _add(shop, "Pelanggan tetap", 7, 14)
    budi = _page_of(shop, "Budi")
    assert 'id="schedule-choice"' in shop.client.get(budi).text
    _choose(shop, budi, gentle)

    page = shop.client.get(budi).text
    assert f'<option value="{gentle}" selected>Pelanggan tetap</option>' in page
    listing = shop.client.get("/customers").text
    assert listing.count('class="customer-schedule"') == 1 and "Pelanggan tetap" in listing

    preview = shop.client.get("/preview").text
    assert 'data-number="INV-001" data-reason="not_due"' in preview  # Budi's first gentle reminder is at d+7
    assert f'data-phone="{SARI}"' in preview and f'data-phone="{BUDI}"' not in preview
    _run_now(shop)
    assert [m["wa_id"] for m in sandbox.meta.messages(phone_number_id=shop.phone_number_id)] == ["6281234560102"]

    firm = _add(shop, "Telat bayar", 1, 2, 4)
    _choose(shop, budi, firm)
    preview = shop.client.get("/preview").text
    assert f'data-phone="{BUDI}"' in preview  # d+1, d+2 and d+4 reached: one message, for the latest
    _run_now(shop)
    sent = sandbox.meta.messages(phone_number_id=shop.phone_number_id)
    assert [m["wa_id"] for m in sent] == ["6281234560102", "6281234560101"]
    _run_now(shop)  # a stage already sent is never sent again
    assert len(sandbox.meta.messages(phone_number_id=shop.phone_number_id)) == 2

    deleted = shop.client.post(f"/settings/schedules/{firm}/delete", {}, csrf_from="/settings")
    assert deleted.status_code == 303
    query = parse_qs(urlsplit(deleted.headers["Location"]).query)
    assert query["moved"] == ["1"]
    said = shop.client.follow(deleted).text
    assert "Schedule “Telat bayar” deleted. Customers moved back to the default schedule: 1." in said
    # A link someone crafted with the same words shows none of them: only this server's redirect is signed.
    crafted = shop.client.get("/settings?m=sched_deleted&name=Semua+pelanggan&moved=99").text
    assert "Semua pelanggan" not in crafted and "moved back to the default schedule" not in crafted
    assert f'<option value="{firm}"' not in shop.client.get(budi).text
    assert 'value="default" selected' in shop.client.get(budi).text
    assert _settings(shop).schedule_of == {}


def test_another_organisation_never_sees_nor_uses_these_schedules(sandbox: Sandbox, shop: Shop) -> None:
    gentle = _add(shop, "Pelanggan tetap", 7)
    budi = _page_of(shop, "Budi")
    other = open_shop(sandbox, name="Toko Lain")
    assert "Pelanggan tetap" not in other.client.get("/settings").text
    theirs = _page_of(other, "Budi")
    refused = other.client.post(f"{theirs}/schedule", {"schedule_id": gentle}, csrf_from=theirs)
    assert refused.status_code == 400 and "no longer exists" in refused.text
    assert other.client.post(f"/settings/schedules/{gentle}/delete", {}, csrf_from="/settings").status_code == 400
    assert other.client.post(f"{budi}/schedule", {"schedule_id": "default"}, csrf_from=theirs).status_code == 404
    assert [s.schedule_id for s in _settings(shop).schedules] == [gentle]
    _choose(shop, budi, gentle)
    assert bootstrap.container().stores.organisations.settings(other.org_id).schedule_of == {}


def test_a_customers_schedule_is_in_the_owners_export_and_in_the_organisations_own_partition(shop: Shop) -> None:
    """In its own partition, it is erased with the organisation (the deletion removes all of `ORG#<org>`)."""
    gentle = _add(shop, "Pelanggan tetap", 7)
    _choose(shop, _page_of(shop, "Budi"), gentle)
    kinds = [item.sk for item in LunasTable.query(org_pk(shop.org_id)) if item.sk.startswith("SCHEDULEFOR#")]
    assert len(kinds) == 1
    exported = shop.client.get("/export.json")
    assert exported.status_code == 200
    schedules = {c["name"]: c["reminder_schedule"] for c in exported.json()["customers"]}
    assert schedules == {"Budi Santoso": "Pelanggan tetap", "Sari Dewi": ""}
