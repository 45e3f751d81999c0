"""Command-line tools for operators: record and inspect customers' WhatsApp consent.

No record, no message: Lunas only reminds a phone number with an `opted_in` consent record, and the record keeps
its evidence and every change. The dashboard and WhatsApp replies record consent too; this is the tool for imports,
paper forms and support.

    python cli.py --sandbox consent record --org ORG --phone "0812 3456 7001" \\
        --evidence "Signed the WhatsApp reminders form, 1 Oct 2026" --source signed_form
    python cli.py --sandbox consent record --org ORG --phone +6281234567001 --opt-out --evidence "Asked by phone"
    python cli.py --sandbox consent show --org ORG --phone +6281234567001

`--sandbox` reads the local sandbox's addresses from .sandbox/urls.json (written by `make demo` / `make sandbox`);
without it the tool uses the AWS account and table named by the environment (LUNAS_TABLE, LUNAS_KMS_KEY_ID, ...).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--sandbox",
        nargs="?",
        const=".sandbox/urls.json",
        help="use the local sandbox described by this URLs file (default .sandbox/urls.json)",
    )
    commands = parser.add_subparsers(dest="area", required=True)
    consent = commands.add_parser("consent", help="record or show WhatsApp consent").add_subparsers(
        dest="action", required=True
    )
    rec = consent.add_parser("record", help="record an opt-in (or --opt-out) with its evidence")
    rec.add_argument("--org", required=True)
    rec.add_argument("--phone", required=True, help="any common format; numbers without + use the org's country")
    rec.add_argument("--evidence", required=True, help="what the customer agreed to, where and when")
    rec.add_argument("--source", default="cli", help="e.g. signed_form, phone_call, email (default: cli)")
    rec.add_argument("--opt-out", action="store_true", help="record an opt-out instead of an opt-in")
    rec.set_defaults(run=record)
    sh = consent.add_parser("show", help="show a phone number's consent history")
    sh.add_argument("--org", required=True)
    sh.add_argument("--phone", required=True)
    sh.set_defaults(run=show)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.sandbox:
        _use_sandbox(args.sandbox)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
