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

`--sandbox` reads the local sandbox's addresses from .sandbox/urls.json (written by `make demo` / `make sandbox`);
without it the tool uses the AWS account and table named by the environment (LUNAS_TABLE, LUNAS_KMS_KEY_ID, ...).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.domain.models import WhatsAppAccount

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
    from chalicelib.domain.models import Consent, ConsentStatus

    phone = _normalise(args.phone, args.org)
    status = ConsentStatus.OPTED_OUT if args.opt_out else ConsentStatus.OPTED_IN
    lunas = bootstrap.container()
    lunas.stores.consents.record(
        Consent(
            org_id=args.org,
            phone=phone,
            status=status,
            source=args.source,
            evidence=args.evidence,
            captured_at=lunas.clock.now(),
        )
    )
    print(f"Recorded {status.value} for {phone} in {args.org}.")
    return 0


def show(args: argparse.Namespace) -> int:
    from chalicelib import bootstrap

    phone = _normalise(args.phone, args.org)
    history = bootstrap.container().stores.consents.history(args.org, phone)
    if not history:
        print(f"No consent recorded for {phone}: Lunas will not message this number.")
        return 1
    for change in history:
        print(f"{change.captured_at:%Y-%m-%d %H:%M} UTC  {change.status.value:<9}  {change.source}: {change.evidence}")
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
        elif o.outcome == "exists":
            said = "already exists at Meta (not changed)"
        else:
            said = f"REFUSED: {o.detail}"
        print(f"{o.name:<28} {o.language:<3} {said}")
    refused = sum(o.outcome == "refused" for o in outcomes)
    created = sum(o.outcome == "created" for o in outcomes)
    print(f"{created} created, {len(outcomes) - created - refused} already there, {refused} refused.")
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


AREAS = ("consent", "templates")


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
