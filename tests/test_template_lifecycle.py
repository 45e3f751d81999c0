"""The template lifecycle and the owner's costs, end to end against the fake Meta, the app and moto.

`./lunas templates push/sync/list` runs as an operator would (a subprocess with the project's venv, or `cli.main`
in this process); Meta's review comes through `/_sandbox/meta/templates/review` and its signed webhook; the costs
come from status webhooks through the real webhook entry point and worker.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import cli
from chalicelib import bootstrap
from chalicelib.adapters.whatsapp_templates import WhatsAppTemplateManager, load_definitions
from chalicelib.domain.models import TemplateRef
from chalicelib.domain.template_lifecycle import TemplateDefinition
from chalicelib.services.templates import push_templates, sync_templates
from sandbox.run import META_APP_SECRET, Sandbox
from tests.world import TUESDAY_10_JAKARTA, World, set_clock

ROOT = Path(__file__).resolve().parent.parent
BUDI = "+6281234567001"
OURS = {(d.name, d.language) for d in load_definitions()}


@pytest.fixture
def fresh(world: World, sandbox: Sandbox) -> Iterator[World]:
    """An organisation whose WhatsApp Business Account has no template yet (as after Embedded Signup)."""
    sandbox.meta.new_business_account(world.waba_id)
    world.create()
    yield world
    sandbox.meta.reset()
    sandbox.meta.configure(auto_deliver=True)


def _states(world: World) -> dict[tuple[str, str], Any]:
    return {(s.name, s.language): s for s in bootstrap.container().stores.templates.states(world.waba_id)}


def _lunas(sandbox: Sandbox, *args: str) -> subprocess.CompletedProcess[str]:
    """`./lunas --sandbox <urls> ...` from the repository root, as the README says."""
    env = dict(os.environ)
    return subprocess.run(
        [str(ROOT / "lunas"), "--sandbox", str(sandbox.urls_file), *args],
        capture_output=True, text=True, env=env, cwd=ROOT, check=False, timeout=120,
    )  # fmt: skip


def _review(sandbox: Sandbox, world: World, name: str, language: str, status: str, **extra: str) -> None:
    body = {"waba_id": world.waba_id, "name": name, "language": language, "status": status, **extra}
    answer = httpx.post(f"{sandbox.meta.url}/_sandbox/meta/templates/review", json=body, timeout=10)
    assert answer.status_code == 200, answer.text


def test_push_creates_every_template_pending_and_a_second_push_reports_them_as_there(
    fresh: World, sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    pushed = _lunas(sandbox, "templates", "push", "--org", fresh.org_id)
    assert pushed.returncode == 0, pushed.stderr
    assert pushed.stdout.count("created, PENDING (UTILITY)") == len(OURS) == 10  # 4 reminders and the thank-you
    assert '"level":"INFO"' not in pushed.stdout  # the operator reads the command's lines, not JSON logs
    at_meta = {(t["name"], t["language"]): t for t in sandbox.meta.templates_of(fresh.waba_id)}
    assert set(at_meta) == OURS and {t["status"] for t in at_meta.values()} == {"PENDING"}
    # The pay button points at this deployment's host, never the placeholder.
    button = at_meta[("lunas_invoice_overdue", "id")]["components"][2]["buttons"][0]
    assert button["url"] == f"{sandbox.app_url}/pay/{{{{1}}}}"
    states = _states(fresh)
    assert {k: (s.status, s.category) for k, s in states.items()} == dict.fromkeys(OURS, ("PENDING", "UTILITY"))

    assert cli.main(["templates", "push", "--org", fresh.org_id]) == 0
    out = capsys.readouterr().out
    assert out.count("already exists at Meta with the same words") == len(OURS)
    assert f"0 created, 0 edited, {len(OURS)} already there, 0 refused." in out


def _push(world: World, definitions: list[TemplateDefinition]) -> dict[tuple[str, str], str]:
    """Push these definitions the way the command does (same manager, registry and clock); outcome per template."""
    lunas = bootstrap.container()
    account = lunas.stores.organisations.whatsapp(world.org_id)
    assert account is not None
    manager = lunas.template_manager(account)
    try:
        outcomes = push_templates(
            world.org_id,
            account,
            definitions=definitions,
            manager=manager,
            registry=lunas.stores.templates,
            clock=lunas.clock,
        )
    finally:
        manager.close()
    return {(o.name, o.language): o.outcome for o in outcomes}


def _reworded(definition: TemplateDefinition, old: str, new: str) -> TemplateDefinition:
    body = json.loads(json.dumps(definition.body))
    [text] = [c for c in body["components"] if c["type"] == "BODY"]
    assert old in text["text"]
    text["text"] = text["text"].replace(old, new)
    return TemplateDefinition(body)


def test_a_template_whose_words_changed_here_is_edited_at_meta_and_waits_for_approval_again(
    fresh: World, sandbox: Sandbox
) -> None:
    """templates/whatsapp changes (a new parameter, clearer words): `push` sends the edit, and Lunas does not use
    the template until Meta approves the new words; Meta allows an approved template one edit a day."""
    set_clock(TUESDAY_10_JAKARTA)
    definitions = load_definitions(public_base_url=sandbox.app_url)
    statement = next(d for d in definitions if (d.name, d.language) == ("lunas_invoice_statement", "en"))
    assert _push(fresh, definitions) == dict.fromkeys(OURS, "created")
    _review(sandbox, fresh, "lunas_invoice_statement", "en", "APPROVED")
    sandbox.drain_webhooks(flush_fakes=True)
    assert set(_push(fresh, definitions).values()) == {"exists"}  # same words: nothing is sent for review

    changed = _reworded(statement, "awaiting payment", "still waiting to be paid")
    assert _push(fresh, [changed]) == {("lunas_invoice_statement", "en"): "edited"}
    at_meta = {(t["name"], t["language"]): t for t in sandbox.meta.templates_of(fresh.waba_id)}
    edited = at_meta[("lunas_invoice_statement", "en")]
    assert edited["status"] == "PENDING" and "still waiting to be paid" in json.dumps(edited["components"])
    assert _states(fresh)[("lunas_invoice_statement", "en")].status == "PENDING"  # not sent until approved again

    _review(sandbox, fresh, "lunas_invoice_statement", "en", "APPROVED")
    again = _reworded(statement, "awaiting payment", "open")
    assert _push(fresh, [again]) == {("lunas_invoice_statement", "en"): "refused"}  # the same day: Meta says no
    set_clock(TUESDAY_10_JAKARTA + dt.timedelta(days=1, hours=1))
    assert _push(fresh, [again]) == {("lunas_invoice_statement", "en"): "edited"}


def test_a_pending_template_is_not_sent_and_approval_through_the_sandbox_fires_the_webhook(
    fresh: World, sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["templates", "push", "--org", fresh.org_id]) == 0
    _review(sandbox, fresh, "lunas_invoice_overdue", "id", "APPROVED")
    sandbox.meta.flush()
    delivered = [
        d
        for d in sandbox.meta.deliveries()["deliveries"]
        if d["status"] == "message_template_status_update" and json.loads(d["body"])["entry"][0]["id"] == fresh.waba_id
    ]
    [event] = [json.loads(d["body"]) for d in delivered]
    [change] = event["entry"][0]["changes"]
    assert change["field"] == "message_template_status_update"
    assert change["value"] == {
        "event": "APPROVED",
        "message_template_id": change["value"]["message_template_id"],
        "message_template_name": "lunas_invoice_overdue",
        "message_template_language": "id",
        "reason": "NONE",
        "message_template_category": "UTILITY",
    }
    [record] = delivered
    expected = "sha256=" + hmac.new(META_APP_SECRET.encode(), record["body"].encode(), hashlib.sha256).hexdigest()
    assert record["signature"] == expected and record["http_status"] == 200
    sandbox.drain_webhooks()
    states = _states(fresh)
    assert states[("lunas_invoice_overdue", "id")].status == "APPROVED"
    assert states[("lunas_invoice_overdue", "en")].status == "PENDING"
    lunas = bootstrap.container()
    usable = lunas.approved_templates(lunas.stores.organisations.whatsapp(fresh.org_id))  # type: ignore[arg-type]
    assert TemplateRef("lunas_invoice_overdue", "id") in usable
    assert TemplateRef("lunas_invoice_overdue", "en") not in usable

    capsys.readouterr()
    assert cli.main(["templates", "list", "--org", fresh.org_id]) == 0
    lines = {tuple(line.split()[:4]) for line in capsys.readouterr().out.splitlines()[1:]}
    assert ("lunas_invoice_overdue", "id", "APPROVED", "UTILITY") in lines
    assert ("lunas_invoice_pre_due", "en", "PENDING", "UTILITY") in lines


def test_a_rejected_template_shows_its_reason_in_the_registry_the_list_and_to_the_owner(
    fresh: World, sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["templates", "push", "--org", fresh.org_id]) == 0
    _review(sandbox, fresh, "lunas_invoice_pre_due", "en", "REJECTED", reason="INVALID_FORMAT")
    sandbox.drain_webhooks(flush_fakes=True)
    state = _states(fresh)[("lunas_invoice_pre_due", "en")]
    assert (state.status, state.status_reason) == ("REJECTED", "INVALID_FORMAT")
    capsys.readouterr()
    assert cli.main(["templates", "list", "--org", fresh.org_id]) == 0
    [line] = [x for x in capsys.readouterr().out.splitlines() if x.startswith("lunas_invoice_pre_due") and " en " in x]
    assert "REJECTED" in line and line.rstrip().endswith("INVALID_FORMAT")

    from chalicelib.web import dashboard
    from chalicelib.web.render import render

    html = render(
        "overview.html",
        lang="en",
        data=dashboard.overview(fresh.org_id),
        templates=dashboard.template_statuses(fresh.org_id),
        costs=dashboard.costs(fresh.org_id),
    )
    assert "Reminder before the due date" in html and "lunas_invoice_pre_due</strong>" not in html
    assert "Rejected by Meta" in html and "INVALID_FORMAT" in html and "Waiting for Meta&#39;s review" in html
    html_id = render(
        "overview.html",
        lang="id",
        data=dashboard.overview(fresh.org_id),
        templates=dashboard.template_statuses(fresh.org_id),
        costs=dashboard.costs(fresh.org_id),
    )
    assert "Pengingat sebelum jatuh tempo" in html_id and "Ditolak oleh Meta" in html_id


def test_sync_pages_through_metas_list_and_a_later_sync_wins_over_an_older_event(
    fresh: World, sandbox: Sandbox
) -> None:
    assert cli.main(["templates", "push", "--org", fresh.org_id]) == 0
    sandbox.meta.configure(auto_deliver=False)  # Meta reviews, its webhooks never arrive: only a sync can tell
    for name, language in sorted(OURS)[:5]:
        sandbox.meta.review_template(fresh.waba_id, name, language, "APPROVED")
    sandbox.meta.review_template(fresh.waba_id, "lunas_invoice_statement", "id", "REJECTED", reason="PROMOTIONAL")
    lunas = bootstrap.container()
    account = lunas.stores.organisations.whatsapp(fresh.org_id)
    assert account is not None
    sandbox.meta.requests.clear()
    manager = WhatsAppTemplateManager(
        waba_id=fresh.waba_id,
        access_token=account.access_token,
        graph_base_url=sandbox.meta.url,
        api_version=lunas.settings.graph_api_version,
        page_size=3,
    )
    try:
        listed = sync_templates(
            fresh.org_id, account, manager=manager, registry=lunas.stores.templates, clock=lunas.clock
        )
    finally:
        manager.close()
    assert len(listed) == 10
    pages = sandbox.meta.recorded(r"/message_templates$")
    assert len(pages) == 4 and [bool(p["query"].get("after")) for p in pages] == [False, True, True, True]
    states = _states(fresh)
    assert sum(s.status == "APPROVED" for s in states.values()) == 5
    rejected = states[("lunas_invoice_statement", "id")]
    assert (rejected.status, rejected.status_reason) == ("REJECTED", "PROMOTIONAL")

    # The CLI's sync (all pages at once) says the same.
    assert cli.main(["templates", "sync", "--org", fresh.org_id]) == 0
    assert sum(s.status == "APPROVED" for s in _states(fresh).values()) == 5


def test_templates_commands_explain_a_missing_number_and_every_command_has_help(world: World) -> None:
    world.create()
    for args in (["--help"], ["templates", "--help"], ["templates", "push", "--help"], ["consent", "show", "--help"]):
        with pytest.raises(SystemExit) as done:
            cli.main(args)
        assert done.value.code == 0
    with pytest.raises(SystemExit) as missing:
        cli.main(["templates", "list", "--org", "org-that-does-not-exist"])
    assert "org-that-does-not-exist" in str(missing.value.code)


# -- the fake's create-template rules (Meta's documented answers) -------------------------------------------------


def test_the_fake_refuses_bad_template_bodies_and_duplicates_as_meta_does(fresh: World, sandbox: Sandbox) -> None:
    account = bootstrap.container().stores.organisations.whatsapp(fresh.org_id)
    assert account is not None
    url = f"{sandbox.meta.url}/v25.0/{fresh.waba_id}/message_templates"
    headers = {"Authorization": f"Bearer {account.access_token}"}
    good = load_definitions(public_base_url=sandbox.app_url)[0].body
    created = httpx.post(url, json=good, headers=headers, timeout=10)
    assert created.status_code == 200
    assert created.json() == {"id": created.json()["id"], "status": "PENDING", "category": "UTILITY"}
    again = httpx.post(url, json=good, headers=headers, timeout=10).json()["error"]
    assert (again["code"], again["error_subcode"]) == (100, 2388024)
    bad_bodies = [
        {**good, "name": "Lunas Invoice"},
        {**good, "language": "xx"},
        {**good, "category": "PROMOTION"},
        {k: v for k, v in good.items() if k != "components"},
        {**good, "name": "x_new", "components": [{"type": "BODY", "text": "{{customer_name}} pay now"}]},
    ]
    for body in bad_bodies:
        refused = httpx.post(url, json=body, headers=headers, timeout=10)
        assert refused.status_code == 400 and refused.json()["error"]["code"] == 100, body
    wrong_token = httpx.post(url, json=good, headers={"Authorization": "Bearer nope"}, timeout=10)
    assert wrong_token.status_code == 401 and wrong_token.json()["error"]["code"] == 190


# -- costs: delivered messages per pricing category, from the status webhooks --------------------------------------


def _post_statuses(sandbox: Sandbox, world: World, statuses: list[dict[str, Any]]) -> None:
    metadata = {"display_phone_number": "622155550000", "phone_number_id": world.phone_number_id}
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": world.waba_id,
                "changes": [
                    {
                        "field": "messages",
                        "value": {"messaging_product": "whatsapp", "metadata": metadata, "statuses": statuses},
                    }
                ],
            }
        ],
    }
    body = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(META_APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    answer = httpx.post(
        f"{sandbox.app_url}/webhooks/whatsapp",
        content=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
        timeout=30,
    )
    assert answer.status_code == 200
    sandbox.drain_webhooks()


def _status(wamid: str, status: str, at: dt.datetime, pricing: dict[str, Any] | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": wamid,
        "status": status,
        "timestamp": str(int(at.timestamp())),
        "recipient_id": "6281234567001",
    }
    if pricing:
        item["pricing"] = pricing
    return item


UTILITY = {"billable": True, "pricing_model": "PMP", "type": "regular", "category": "utility"}
SERVICE = {"billable": False, "pricing_model": "PMP", "type": "free_customer_service", "category": "service"}


def _usage(world: World, month: str) -> dict[tuple[str, bool], int]:
    usage = bootstrap.container().stores.usage.month(world.org_id, month)
    return {(c.category, c.paid): c.count for c in usage.counts}


def test_delivered_messages_are_counted_once_whatever_the_order_or_repetition(world: World, sandbox: Sandbox) -> None:
    world.create()
    at = TUESDAY_10_JAKARTA
    _post_statuses(sandbox, world, [_status("wamid.A", "read", at), _status("wamid.A", "delivered", at, UTILITY)])
    _post_statuses(sandbox, world, [_status("wamid.A", "delivered", at, UTILITY)])  # Meta redelivers
    _post_statuses(sandbox, world, [_status("wamid.A", "read", at + dt.timedelta(minutes=1))])
    # read first, without pricing (Meta sends it on one of delivered / read): counted once, priced when it comes
    _post_statuses(sandbox, world, [_status("wamid.B", "read", at)])
    assert _usage(world, "2026-11") == {("utility", True): 1, ("unknown", True): 1}
    _post_statuses(sandbox, world, [_status("wamid.B", "delivered", at, UTILITY)])
    _post_statuses(
        sandbox, world, [_status("wamid.C", "sent", at, SERVICE), _status("wamid.C", "delivered", at, SERVICE)]
    )
    _post_statuses(sandbox, world, [_status("wamid.D", "sent", at, UTILITY)])  # never delivered: not counted
    _post_statuses(sandbox, world, [_status("wamid.E", "failed", at)])
    assert _usage(world, "2026-11") == {("utility", True): 2, ("service", False): 1}


def test_the_month_is_the_organisations_month_in_jakarta(world: World, sandbox: Sandbox) -> None:
    world.create()
    last_minute_of_november = dt.datetime(2026, 11, 30, 16, 59, tzinfo=dt.UTC)  # 23:59 in Jakarta
    first_minute_of_december = dt.datetime(2026, 11, 30, 17, 0, tzinfo=dt.UTC)  # 1 December 00:00 in Jakarta
    _post_statuses(
        sandbox,
        world,
        [
            _status("wamid.N", "delivered", last_minute_of_november, UTILITY),
            _status("wamid.M", "delivered", first_minute_of_december, UTILITY),
        ],
    )
    assert _usage(world, "2026-11") == {("utility", True): 1}
    assert _usage(world, "2026-12") == {("utility", True): 1}


def test_a_sent_reminder_is_counted_from_the_fakes_own_statuses_and_shown_with_an_estimate(
    world: World, sandbox: Sandbox
) -> None:
    world.customer("Budi Santoso", BUDI)
    world.invoice("INV-001", "Budi Santoso", due_in_days=-4)
    world.create()
    world.consent(BUDI)
    world.run_cycle()
    sandbox.drain_webhooks(flush_fakes=True)
    assert _usage(world, "2026-11") == {("utility", True): 1}

    from chalicelib.web import dashboard
    from chalicelib.web.render import render

    costs = dashboard.costs(world.org_id)
    assert (costs.month, costs.delivered, costs.currency) == ("2026-11", 1, "IDR")
    assert costs.estimate == 413  # USD 0.0250 x 16,500, rounded to whole rupiah
    html = render(
        "overview.html",
        lang="en",
        data=dashboard.overview(world.org_id),
        templates=dashboard.template_statuses(world.org_id),
        costs=costs,
    )
    assert "Messages delivered this month: 1\n    (reminders 1), about IDR 413." in html
    html_id = render(
        "overview.html",
        lang="id",
        data=dashboard.overview(world.org_id),
        templates=dashboard.template_statuses(world.org_id),
        costs=costs,
    )
    assert "Pesan terkirim bulan ini: 1\n    (pengingat 1), sekitar Rp 413." in html_id


def test_a_big_body_is_counted_in_a_few_transactions_and_only_once(world: World, sandbox: Sandbox) -> None:
    world.create()
    at = TUESDAY_10_JAKARTA
    statuses = [_status(f"wamid.big{i}", "delivered", at, UTILITY) for i in range(120)]
    _post_statuses(sandbox, world, statuses)
    _post_statuses(sandbox, world, [_status(f"wamid.big{i}", "read", at) for i in range(0, 120, 7)])
    _post_statuses(sandbox, world, [*statuses[:3], _status("wamid.big-new", "read", at, SERVICE)])  # redelivered
    assert _usage(world, "2026-11") == {("utility", True): 120, ("service", False): 1}
