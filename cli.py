"""`lunas`: the operators' command (run it as `./lunas ...` from the repository; it uses .venv).

Consent. No record, no message: Lunas only reminds a phone number with an `opted_in` consent record, and the record
keeps its evidence and every change. The dashboard and WhatsApp replies record consent too; this is the tool for
imports, paper forms and support.

    ./lunas --sandbox consent record --org ORG --phone "0812 3456 7001" \\
        --evidence "Signed the WhatsApp reminders form, 1 Oct 2026" --source signed_form
    ./lunas --sandbox consent record --org ORG --phone +6281234567001 --opt-out --evidence "Asked by phone"
    ./lunas --sandbox consent show --org ORG --phone +6281234567001

WhatsApp templates (docs/whatsapp-templates.md). Push templates/whatsapp/*.json to the organisation's WhatsApp
Business Account, read Meta's status and category back, and list what Lunas knows:

    ./lunas --sandbox templates push --org ORG
    ./lunas --sandbox templates sync --org ORG
    ./lunas --sandbox templates list --org ORG

A person's request by phone number (docs/privacy.md): what is held about it, a JSON copy, or erasure (the number is
then never messaged again):

    ./lunas --sandbox privacy find --org ORG --phone "0812 3456 7001"
    ./lunas --sandbox privacy export --org ORG --phone +6281234567001 --output person.json
    ./lunas --sandbox privacy erase --org ORG --phone +6281234567001 --yes

`--sandbox` reads the local sandbox's addresses from .sandbox/urls.json (written by `make demo` / `make sandbox`);
without it the tool uses the AWS account and table named by the environment (LUNAS_TABLE, LUNAS_KMS_KEY_ID, ...).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.domain.models import Consent, WhatsAppAccount

DEFAULT_SANDBOX = Path(__file__).resolve().parent / ".sandbox" / "urls.json"


def _use_sandbox(path: str) -> None:
    """Point this process at a running sandbox: its AWS and vendor URLs, and its clock (which may be pinned)."""
    from chalicelib import bootstrap
    from chalicelib.config import settings_from_environment
    from sandbox.clock import RemoteSandboxClock

    urls_file = Path(path)
    if not urls_file.exists():
        sys.exit(f"No sandbox found at {urls_file}: start one with `make demo` or `make sandbox` first.")
    urls = json.loads(urls_file.read_text())
    os.environ.update(urls["env"])
    bootstrap.install(bootstrap.build_container(settings_from_environment(), clock=RemoteSandboxClock(urls["xero"])))


def _normalise(phone: str, org_id: str) -> str:
    from chalicelib import bootstrap
    from chalicelib.domain.phones import normalise_phone
    from chalicelib.storage.organisations import NotFound

    try:
        country = bootstrap.container().stores.organisations.settings(org_id).country
    except NotFound:
        sys.exit(f"Organisation {org_id!r} not found.")
    result = normalise_phone(phone, country)
    if result.e164 is None:
        sys.exit(f"Cannot use {phone!r} for WhatsApp: {result.detail or result.problem}")
    return result.e164


def record(args: argparse.Namespace) -> int:
    from chalicelib import bootstrap
    from chalicelib.domain import consent_rules
    from chalicelib.domain.models import Consent, ConsentStatus

    phone = _normalise(args.phone, args.org)
    status = ConsentStatus.OPTED_OUT if args.opt_out else ConsentStatus.OPTED_IN
    lunas = bootstrap.container()
    now = lunas.clock.now()
    source = "cli" if args.source in consent_rules.CUSTOMER_SOURCES else args.source  # only a webhook speaks for them
    consent = Consent(
        org_id=args.org,
        phone=phone,
        status=status,
        source=source,
        evidence=args.evidence,
        captured_at=now,
        recorded_by=consent_rules.CLI_OPERATOR,
        evidence_at=_evidence_time(args.evidence_date, lunas.stores.organisations.settings(args.org).timezone),
    )
    history = lunas.stores.consents.history(args.org, phone)
    verdict = consent_rules.may_record(history, consent, confirmed=args.customer_asked_again, now=now)
    if verdict.refusal is not None:
        print(_REFUSED[verdict.refusal.value].format(when=_stop_time(verdict.standing_stop)), file=sys.stderr)
        return 1
    lunas.stores.consents.record(consent)
    print(f"Recorded {status.value} for {phone} in {args.org}.")
    return 0


_REFUSED = {
    "evidence_needed": "Not recorded: an opt-in needs evidence (what the customer agreed to, where and when).",
    "customer_stopped": "Not recorded: the customer said STOP themselves on {when}. Add --customer-asked-again only "
    "if they asked you to start again after that, or ask them to reply START.",
    "evidence_not_after_stop": "Not recorded: the customer said STOP themselves on {when}. Give --evidence-date: "
    "when they asked you to start again (after {when}).",
    "evidence_in_future": "Not recorded: --evidence-date is in the future.",
}


def _evidence_time(value: str | None, timezone: str) -> dt.datetime | None:
    """--evidence-date (ISO 8601; without an offset, in the organisation's time zone), in UTC."""
    from zoneinfo import ZoneInfo

    if not value:
        return None
    try:
        at = dt.datetime.fromisoformat(value)
        return (at if at.tzinfo else at.replace(tzinfo=ZoneInfo(timezone))).astimezone(dt.UTC)
    except (ValueError, OverflowError):
        sys.exit(f"--evidence-date {value!r} is not a date and time like 2026-11-30T14:00.")


def _stop_time(stop: Consent | None) -> str:
    return f"{stop.captured_at:%Y-%m-%d %H:%M} UTC" if stop else "an earlier date"


def show(args: argparse.Namespace) -> int:
    from chalicelib import bootstrap

    phone = _normalise(args.phone, args.org)
    history = bootstrap.container().stores.consents.history(args.org, phone)
    if not history:
        print(f"No consent recorded for {phone}: Lunas will not message this number.")
        return 1
    for change in history:
        by = change.recorded_by or "(who: not recorded)"
        when = f"{change.captured_at:%Y-%m-%d %H:%M} UTC"
        print(f"{when}  {change.status.value:<9}  {change.source}: {change.evidence}  [{by}]")
    return 0


# -- templates -----------------------------------------------------------------------------------------------------


def _account(org_id: str) -> WhatsAppAccount:
    from chalicelib import bootstrap
    from chalicelib.storage.organisations import NotFound

    try:
        account = bootstrap.container().stores.organisations.whatsapp(org_id)
    except NotFound:
        sys.exit(f"Organisation {org_id!r} not found.")
    if account is None or not account.business_account_id:
        sys.exit(f"Organisation {org_id!r} has no WhatsApp number yet: connect one on the dashboard's settings page.")
    return account


def _meta_refused(exc: Exception) -> SystemExit:
    return SystemExit(f"Meta refused: {exc}")


def templates_push(args: argparse.Namespace) -> int:
    from chalicelib import bootstrap
    from chalicelib.adapters.whatsapp_templates import TemplateManagementError

    account = _account(args.org)
    try:
        outcomes = bootstrap.container().push_templates(args.org, account)
    except TemplateManagementError as exc:
        raise _meta_refused(exc) from None
    for o in outcomes:
        if o.outcome == "created":
            said = f"created, {o.status} ({o.category or '?'}): Meta reviews it"
        elif o.outcome == "edited":
            said = "changed here: new words sent to Meta, PENDING until Meta approves them"
        elif o.outcome == "exists":
            said = "already exists at Meta with the same words"
        else:
            said = f"REFUSED: {o.detail}"
        print(f"{o.name:<28} {o.language:<3} {said}")
    count = {k: sum(o.outcome == k for o in outcomes) for k in ("created", "edited", "exists", "refused")}
    print(
        f"{count['created']} created, {count['edited']} edited, {count['exists']} already there, "
        f"{count['refused']} refused."
    )
    refused = count["refused"]
    return 1 if refused else 0


def templates_sync(args: argparse.Namespace) -> int:
    from chalicelib import bootstrap
    from chalicelib.adapters.whatsapp_templates import TemplateManagementError

    account = _account(args.org)
    try:
        listed = bootstrap.container().sync_templates(args.org, account)
    except TemplateManagementError as exc:
        raise _meta_refused(exc) from None
    print(
        f"Read {len(listed)} templates from Meta into the registry of WhatsApp Business Account "
        f"{account.business_account_id}; `lunas templates list --org {args.org}` shows them."
    )
    return 0


def templates_list(args: argparse.Namespace) -> int:
    from chalicelib import bootstrap
    from chalicelib.domain.template_lifecycle import OWNER_NAMES
    from chalicelib.services.templates import template_rows

    account = _account(args.org)
    lunas = bootstrap.container()
    ours = [(d.name, d.language) for d in lunas.template_definitions() if d.name in OWNER_NAMES]
    rows = template_rows(lunas.stores.templates.states(account.business_account_id), ours)
    print(f"{'NAME':<28} {'LANG':<5} {'STATUS':<10} {'CATEGORY':<14} {'LAST CHANGE (UTC)':<17}  REASON")
    for row in rows:
        changed = f"{row.changed_at:%Y-%m-%d %H:%M}" if row.changed_at else "-"
        status = row.status or "not pushed"
        print(f"{row.name:<28} {row.language:<5} {status:<10} {row.category or '-':<14} {changed:<17}  {row.reason}")
    return 0


# -- privacy: a person's request by phone number (docs/privacy.md) --------------------------------------------------


def _privacy_call(args: argparse.Namespace, use_case: str) -> object:
    from chalicelib import bootstrap
    from chalicelib.services import privacy
    from chalicelib.storage.organisations import NotFound

    try:
        return getattr(privacy, use_case)(args.org, args.phone, bootstrap.container().privacy)
    except NotFound:
        sys.exit(f"Organisation {args.org!r} not found.")
    except privacy.InvalidPhone as exc:
        sys.exit(f"Cannot use {args.phone!r} as a phone number: {exc.detail}")


def privacy_find(args: argparse.Namespace) -> int:
    from chalicelib.domain.privacy import PersonData

    person = _privacy_call(args, "find_person")
    assert isinstance(person, PersonData)
    print(f"What {args.org} holds about {person.phone}:")
    for kind in person.held:
        print(f"  {kind.kind:<22} {kind.count:>5}  {kind.description}")
    if not person.held:
        print("  nothing")
    if person.blocked:
        print("This number was erased before: Lunas never messages it again.")
    return 0


def privacy_export(args: argparse.Namespace) -> int:
    document = _privacy_call(args, "export_person")
    text = json.dumps(document, ensure_ascii=False, indent=2)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
        print(f"Wrote {args.output}.")
    else:
        print(text)
    return 0


def privacy_erase(args: argparse.Namespace) -> int:
    from chalicelib.domain.privacy import ErasureResult

    if not args.yes:
        print("Erasing deletes everything held about the number and blocks it for good; add --yes to do it.")
        return 2
    result = _privacy_call(args, "erase_person")
    assert isinstance(result, ErasureResult)
    print(f"Erased {result.total} items about {result.masked_phone} in {args.org}; it is never messaged again.")
    for kind, n in sorted(result.removed.items()):
        print(f"  {kind:<22} {n:>5}")
    print("Ask the owner to remove the number from the customer in Xero / QuickBooks too.")
    return 0


def _privacy_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    area = commands.add_parser(
        "privacy",
        help="a person's request by phone number: find, export or erase what is held about it",
        description="A person asks what an organisation holds about their WhatsApp number, for a copy, or to be "
        "erased (UU PDP). Numbers without + are read in the organisation's country. See docs/privacy.md.",
    )
    actions = area.add_subparsers(dest="action", required=True)
    find = actions.add_parser(
        "find",
        help="list what is held about the number, per kind, with counts",
        description="Everything the organisation holds about the number, per item kind (nothing is changed).",
    )
    export = actions.add_parser(
        "export",
        help="print (or --output) everything held about the number as JSON",
        description="The person's data as one JSON document, the same as the dashboard's Download.",
    )
    export.add_argument("--output", help="write the JSON to this file instead of printing it")
    erase = actions.add_parser(
        "erase",
        help="delete everything held about the number and never message it again (needs --yes)",
        description="Delete every item about the number; only a keyed one-way hash of it is kept, so the reminder "
        "policy never messages it again (even when a sync brings the customer back). Needs --yes.",
    )
    erase.add_argument("--yes", action="store_true", help="really erase")
    for sub, run in ((find, privacy_find), (export, privacy_export), (erase, privacy_erase)):
        sub.add_argument("--org", required=True, help="the organisation id")
        sub.add_argument("--phone", required=True, help="any common format; numbers without + use the org's country")
        sub.set_defaults(run=run)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lunas", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sandbox",
        nargs="?",
        const=str(DEFAULT_SANDBOX),
        help="use the local sandbox described by this URLs file (default .sandbox/urls.json of this checkout)",
    )
    parser.add_argument("--verbose", action="store_true", help="also print Lunas' JSON logs")
    commands = parser.add_subparsers(dest="area", required=True)
    consent = commands.add_parser(
        "consent",
        help="record or show WhatsApp consent",
        description="Record a customer's WhatsApp opt-in or opt-out with its evidence, or show a number's history. "
        "Lunas never messages a number without an opt-in record.",
    ).add_subparsers(dest="action", required=True)
    rec = consent.add_parser(
        "record",
        help="record an opt-in (or --opt-out) with its evidence",
        description="Record that a customer agreed to (or refused) WhatsApp reminders, with what they agreed to, "
        "where and when. The latest record wins; every change is kept.",
    )
    rec.add_argument("--org", required=True)
    rec.add_argument("--phone", required=True, help="any common format; numbers without + use the org's country")
    rec.add_argument("--evidence", required=True, help="what the customer agreed to, where and when")
    rec.add_argument("--source", default="cli", help="e.g. signed_form, phone_call, email (default: cli)")
    rec.add_argument("--opt-out", action="store_true", help="record an opt-out instead of an opt-in")
    rec.add_argument(
        "--evidence-date",
        help="when the customer asked (ISO 8601, e.g. 2026-11-30T14:00, in the organisation's time zone); needed to "
        "opt in a customer who said STOP themselves: it must be after their STOP",
    )
    rec.add_argument(
        "--customer-asked-again",
        action="store_true",
        help="the customer asked to start again after they said STOP (required to undo their own STOP)",
    )
    rec.set_defaults(run=record)
    sh = consent.add_parser(
        "show",
        help="show a phone number's consent history",
        description="Every consent change recorded for a phone number, oldest first. Exit status 1 when none.",
    )
    sh.add_argument("--org", required=True)
    sh.add_argument("--phone", required=True)
    sh.set_defaults(run=show)
    _template_commands(commands)
    _privacy_commands(commands)
    return parser


def _template_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    area = commands.add_parser(
        "templates",
        help="push, sync and list the WhatsApp message templates of an organisation",
        description="Lunas' WhatsApp templates (templates/whatsapp/*.json) in an organisation's WhatsApp Business "
        "Account: push them for Meta's review, read their status back, list them. See docs/whatsapp-templates.md.",
    )
    actions = area.add_subparsers(dest="action", required=True)
    push = actions.add_parser(
        "push",
        help="create every template (one per language) in the organisation's WhatsApp Business Account",
        description="POST each templates/whatsapp/*.json to Meta (POST /{waba-id}/message_templates). A new "
        "template starts PENDING while Meta reviews it; one that already exists is reported and left as it is. "
        "Exit status 1 if Meta refused any.",
    )
    sync = actions.add_parser(
        "sync",
        help="read every template's status and category from Meta into Lunas' registry",
        description="GET /{waba-id}/message_templates, all pages, and store each template's status (APPROVED, "
        "PENDING, REJECTED with its reason, PAUSED, DISABLED) and category. Meta's later events still win.",
    )
    lst = actions.add_parser(
        "list",
        help="print the registry: name, language, status, category, last change, reason",
        description="What Lunas knows about the organisation's templates (from pushes, syncs and Meta's events), "
        "without asking Meta. Run `sync` first for Meta's current answer.",
    )
    for sub, run in ((push, templates_push), (sync, templates_sync), (lst, templates_list)):
        sub.add_argument("--org", required=True, help="the organisation id (its WhatsApp number must be connected)")
        sub.set_defaults(run=run)


AREAS = ("consent", "templates", "privacy")


def _with_sandbox_default(argv: list[str]) -> list[str]:
    """`--sandbox consent ...`: the flag's file is optional, so an area name right after it is not the file."""
    if "--sandbox" in argv:
        at = argv.index("--sandbox")
        if at + 1 >= len(argv) or argv[at + 1] in AREAS or argv[at + 1].startswith("-"):
            argv = [*argv[: at + 1], str(DEFAULT_SANDBOX), *argv[at + 1 :]]
    return argv


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(_with_sandbox_default(list(sys.argv[1:] if argv is None else argv)))
    if args.sandbox:
        _use_sandbox(args.sandbox)
    return int(args.run(args))


if __name__ == "__main__":
    # Lunas' JSON logs are for CloudWatch; on a terminal the command's own lines say what happened (--verbose: both).
    from chalicelib.observability import logger

    logger.setLevel(logging.INFO if "--verbose" in sys.argv else logging.WARNING)
    sys.exit(main())
