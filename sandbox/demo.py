"""`make demo`: the main job end to end on the embedded sandbox.

Starts local AWS and the fake Xero and Meta, seeds a demo organisation, runs one reminder cycle through the real
path (EventBridge schedule handler -> SQS -> worker Lambda handler), lets Meta's status webhooks come back, and
prints what was decided for every invoice and what each customer received.

    python -m sandbox.demo            interactive: keeps serving; press Enter to run another cycle, Ctrl-C to stop
    python -m sandbox.demo --once     one cycle, print, exit 0 (for scripts and CI)
    python -m sandbox.demo --invoices 10000 [--once]
                                      a big company instead (sandbox/demo_big.py): 10,000 open invoices for
                                      2,000 customers in Xero and QuickBooks; prints counts per reason, requests,
                                      seconds per step and peak memory
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import textwrap
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.clock import monotonic
from sandbox import demo_data
from sandbox.clock import SandboxClock

_JAKARTA = ZoneInfo("Asia/Jakarta")
_SOURCES = {"xero": "Xero", "quickbooks": "QuickBooks"}


def demo_now(real_now: dt.datetime) -> dt.datetime:
    """The real time if it is inside the default window (Mon-Fri 09:00-17:00 Jakarta), else the next 10:00 there."""
    local = real_now.astimezone(_JAKARTA)
    if local.weekday() < 5 and 9 <= local.hour < 17:
        return real_now
    day = local.date() + dt.timedelta(days=0 if local.hour < 9 else 1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(10, 0), _JAKARTA).astimezone(dt.UTC)


def _quiet() -> None:
    """The report is the demo's output; Lunas' JSON logs and EMF metrics are available with --verbose."""
    from chalicelib.observability import logger

    logger.setLevel("WARNING")
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
    warnings.filterwarnings("ignore", message="No application metrics to publish")


def _step(message: str) -> None:
    print(f"  • {message}", flush=True)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    now = demo_now(SandboxClock().now())  # the machine's time, moved into the send window if it is outside
    if not args.verbose:
        _quiet()
    if args.invoices:
        return big_company(now, args.invoices, once=args.once)
    print(f"\nLunas demo — {now.astimezone(_JAKARTA):%A %d %B %Y, %H:%M} in Asia/Jakarta\n", flush=True)
    from sandbox.run import start_sandbox

    _step("starting local AWS (moto), fake Xero, fake QuickBooks, fake Meta Graph and the Lunas app on 127.0.0.1")
    sandbox = start_sandbox()
    sandbox.clock.pin(now)  # Lunas and the fakes run on from here together
    _always_recheck()
    try:
        _step(f"URLs of everything started: {Path('.sandbox/urls.json').resolve()}")
        connection = demo_data.seed_demo(sandbox, now.astimezone(_JAKARTA).date())
        _step(f"seeded '{demo_data.BUSINESS_NAME}' with {len(demo_data.INVOICES)} invoices in Xero")
        _seed_quickbooks(sandbox, now)
        demo_data.save_payment_instructions()
        branch = demo_data.seed_australian_branch(sandbox, now.astimezone(_JAKARTA).date())
        _step(
            f"connected Xero organisation '{branch.tenant_name}' (Sydney: its customers' numbers, typed without +61, "
            "are read as Australian from Xero's Organisation.CountryCode)"
        )
        run_cycle(sandbox, now)
        print_report(sandbox, connection.org_id)
        show_pay_page(sandbox)
        _print_dashboard(sandbox, connection.org_id)
        if args.once:
            return 0
        return _interactive(sandbox, now)
    finally:
        sandbox.stop()


def _always_recheck() -> None:
    """Re-read invoices right before every send (the demo pays one between the cycle's read and the send)."""
    from chalicelib import bootstrap

    bootstrap.install(bootstrap.container().with_settings(recheck_after_seconds=0.0))


def _seed_quickbooks(sandbox: Any, now: dt.datetime) -> None:
    """The same business group keeps a second company in QuickBooks Online; one customer buys from both."""
    from sandbox import demo_quickbooks

    demo_quickbooks.seed_quickbooks_company(sandbox, demo_data.ORG_ID, now.astimezone(_JAKARTA).date())
    for phone in demo_quickbooks.CONSENTED_PHONES:
        demo_data.record_consent(phone, "The customer")
    _step(
        f"connected QuickBooks company '{demo_quickbooks.COMPANY_NAME}' with {len(demo_quickbooks.INVOICES)} "
        "invoices (Budi Santoso buys from both companies)"
    )


def run_cycle(sandbox: Any, now: dt.datetime) -> None:
    """Schedule handler -> SQS -> worker handler, exactly as on AWS; then Meta's status webhooks come back."""
    import app
    from sandbox.lambda_runtime import SqsEventSource, invoke_schedule

    fanned = invoke_schedule(app.fan_out_reminders, now)
    _step(f"hourly schedule fired: {fanned['enqueued']} connection(s) queued on SQS")
    source = SqsEventSource(
        queue_url=sandbox.aws.queue_url, handler=app.run_reminder_cycles, function_name="run_reminder_cycles"
    )
    started = monotonic()
    outcomes = source.drain()
    handled = sum(o.received for o in outcomes)
    _step(f"worker ran {handled} cycle(s) in {monotonic() - started:.1f} s")
    sandbox.meta.flush()  # whatever the background thread has not delivered yet
    deliveries = sandbox.meta.deliveries()["deliveries"]
    accepted = sum(1 for d in deliveries if d["http_status"] == 200)
    _step(f"Meta posted {len(deliveries)} signed status webhooks to the app so far; it queued {accepted}")
    processed = sandbox.drain_webhooks()  # the webhook worker (SQS -> process_webhooks), as on AWS
    _step(f"webhook worker (SQS -> process_webhooks) caught up; {processed} bodies were still waiting for it")


def print_report(sandbox: Any, org_id: str) -> None:
    from chalicelib import bootstrap
    from chalicelib.domain.models import Reason
    from chalicelib.domain.reasons import explain
    from chalicelib.domain.wording import format_money

    stores = bootstrap.container().stores
    delivery = _delivery_by_invoice(stores, org_id)
    views = sorted(stores.decisions.for_org(org_id), key=lambda v: (v.customer_name, v.number))
    print("\nEvery open invoice, what Lunas decided, and why:\n")
    rows = [("Source", "Invoice", "Customer", "Due", "Amount", "Stage", "Decision", "Why / delivery")]
    for v in views:
        key = (v.connection_id, v.invoice_id)
        why = delivery.get(key, "") if v.reason is Reason.SENT else explain(v.reason, v.detail)
        amount = format_money(v.amount_due, "en")
        source = _SOURCES.get(v.connection_id.split(":", 1)[0], "?")
        due = v.due_date.isoformat()
        rows.append((source, v.number, v.customer_name, due, amount, v.stage or "-", v.reason.value, why))
    _print_table(rows)
    _print_messages(sandbox, stores, org_id)


def _delivery_by_invoice(stores: Any, org_id: str) -> dict[tuple[str, str], str]:
    """(connection, invoice) -> what Meta's status webhooks said about the message that carried it."""
    result = {}
    for entry in stores.ledger.entries(org_id):
        status = entry.delivery or "accepted by Meta"
        if entry.delivery == "failed":
            status = f"failed: (#{entry.error_code}) {entry.error_title}" if entry.error_code else "failed"
        result[(entry.connection_id, entry.invoice_id)] = status
    return result


def _print_table(rows: Sequence[Sequence[str]]) -> None:
    widths = [min(max(len(r[i]) for r in rows), 32) for i in range(len(rows[0]))]
    widths[-1] = max(len(r[-1]) for r in rows)  # the explanation is the point: never cut it
    for index, row in enumerate(rows):
        print("  " + "  ".join(cell[: widths[i]].ljust(widths[i]) for i, cell in enumerate(row)))
        if index == 0:
            print("  " + "  ".join("-" * min(w, 40) for w in widths))


def _print_messages(sandbox: Any, stores: Any, org_id: str) -> None:
    delivery = {m.wamid: m.delivery for m in stores.ledger.messages(org_id) if m.wamid}
    messages = sandbox.meta.messages(phone_number_id=demo_data.PHONE_NUMBER_ID)
    print(f"\nWhatsApp messages Meta accepted ({len(messages)}), as the customer sees them:\n")
    for m in messages:
        status = delivery.get(m["wamid"]) or "accepted"
        print(f"  ── to {_masked(m['to'])} · template {m['template']} ({m['language']}) · status: {status}")
        for line in m["rendered_text"].splitlines():
            print(textwrap.indent(textwrap.fill(line, 96) if line else "", "     "))
        print()


def show_pay_page(sandbox: Any) -> None:
    """A QuickBooks invoice has no pay link (no QuickBooks Payments in Indonesia): the customer taps the button, reads
    Lunas' payment page, pays by transfer and presses "I have paid"; the owner is told and the reminders hold."""
    import httpx

    from chalicelib import bootstrap
    from sandbox.demo_quickbooks import CONSENTED_PHONES

    customer = CONSENTED_PHONES[1]  # PT Karya Mandiri: a statement of two QuickBooks invoices
    sent = [m for m in sandbox.meta.messages(phone_number_id=demo_data.PHONE_NUMBER_ID) if m["to"] == customer]
    if not sent or not sent[0]["button_url_suffix"]:
        return
    url = f"{sandbox.app_url}/pay/{sent[0]['button_url_suffix']}"
    print(f"The customer ({_masked(customer)}) taps the pay button: {url}\n")
    print(textwrap.indent(_page_text(httpx.get(url).text), "     "))
    httpx.post(f"{url}/paid", data={"paid": "yes"})  # the page's form; it answers 303 back to the page
    pressed = httpx.get(url)
    print('\n  ...pays by bank transfer and presses "Saya sudah membayar" (I have paid):\n')
    thanks = [textwrap.fill(p, 96) for p in _paragraphs(pressed.text) if p.startswith("Terima kasih")]
    print(textwrap.indent("\n".join(thanks), "     "))
    from chalicelib.web.render import note_words

    notes = bootstrap.container().stores.holds.pause_notes(demo_data.ORG_ID, sandbox.clock.now())
    detail, why = next(iter(notes.values()), ("", None))
    said = textwrap.fill(note_words(why, detail, "id", "Asia/Jakarta"), 96)
    print("\n  The owner's dashboard lists the claim; the next cycles hold those invoices. The owner reads:\n")
    print(textwrap.indent(said, "     ") + "\n")


def _page_text(html: str) -> str:
    """A page's visible text, one paragraph per line, as a customer reads it."""
    return "\n".join(textwrap.fill(paragraph, 96) for paragraph in _paragraphs(html))


def _paragraphs(html: str) -> list[str]:
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.lines: list[str] = [""]
            self.skip = 0

        def handle_starttag(self, tag: str, attrs: Any) -> None:
            self.skip += tag in ("style", "script", "title")
            if tag in ("p", "h1", "h2", "li", "div", "button", "br", "tr"):
                self.lines.append("")

        def handle_endtag(self, tag: str) -> None:
            self.skip -= tag in ("style", "script", "title")

        def handle_data(self, data: str) -> None:
            if not self.skip and data.strip():
                self.lines[-1] = f"{self.lines[-1]} {data.strip()}".strip()

    parser = Text()
    parser.feed(html)
    return [line for line in parser.lines if line]


def _masked(phone: str) -> str:
    from chalicelib.observability import mask_phone

    return mask_phone(phone)


def _print_dashboard(sandbox: Any, org_id: str) -> None:
    from sandbox.demo_signin import create_demo_owner

    email, password = create_demo_owner(org_id)
    print("The owner's dashboard (consent, settings, invoice timelines, preview, run now):")
    print(f"  {sandbox.app_url}/   sign in as {email} / {password}\n")


def _interactive(sandbox: Any, now: dt.datetime) -> int:
    print("The sandbox keeps running. Useful URLs:")
    print(f"  app:        {sandbox.app_url}   (e.g. {sandbox.app_url}/health)")
    print(f"  fake Xero:  {sandbox.xero.url}/_sandbox/xero/...   fake Meta: {sandbox.meta.url}/_sandbox/meta/messages")
    print("Press Enter to run another cycle (nothing is sent twice), or Ctrl-C to stop.")
    try:
        while sys.stdin.readline():
            run_cycle(sandbox, sandbox.clock.now())
            print_report(sandbox, demo_data.ORG_ID)
    except KeyboardInterrupt:
        pass
    return 0


def big_company(now: dt.datetime, invoices: int, *, once: bool) -> int:
    """The big company (sandbox/demo_big.py): seed, one cycle, the webhooks, counts and measurements."""
    from sandbox import demo_big
    from sandbox.run import start_sandbox

    today = now.astimezone(_JAKARTA).date()
    print(f"\nLunas demo, big company — {now.astimezone(_JAKARTA):%A %d %B %Y, %H:%M} in Asia/Jakarta\n", flush=True)
    meter = demo_big.Meter()
    _step("starting local AWS (moto), fake Xero, fake QuickBooks, fake Meta Graph and the Lunas app on 127.0.0.1")
    sandbox = start_sandbox()
    sandbox.clock.pin(now)
    meter.lap("start the sandbox")
    try:
        company = demo_big.seed_big_company(sandbox, today, invoices)
        seconds = meter.lap(f"seed {invoices:,} invoices, {company.consents:,} consents")
        _step(
            f"seeded '{demo_big.BUSINESS_NAME}' in {seconds:.1f} s: {company.xero_invoices:,} invoices for "
            f"{len(company.xero):,} customers in Xero, {company.quickbooks_invoices:,} for "
            f"{len(company.quickbooks):,} in QuickBooks; {company.consents:,} numbers opted in"
        )
        sandbox.meta.configure(auto_deliver=False)  # statuses wait, then come batched, as Meta sends under load
        _big_cycle(sandbox, now, meter)
        demo_big.print_big_report(sandbox, company)
        meter.lap("report (read every decision back)")
        meter.report()
        if once:
            return 0
        print("Press Enter to run another cycle (nothing is sent twice), or Ctrl-C to stop.")
        try:
            while sys.stdin.readline():
                _big_cycle(sandbox, sandbox.clock.now(), meter)
                demo_big.print_big_report(sandbox, company)
                meter.lap("report (read every decision back)")
                meter.report()
        except KeyboardInterrupt:
            pass
        return 0
    finally:
        sandbox.stop()


def _big_cycle(sandbox: Any, now: dt.datetime, meter: Any) -> None:
    import app
    from sandbox.lambda_runtime import SqsEventSource, invoke_schedule

    fanned = invoke_schedule(app.fan_out_reminders, now)
    source = SqsEventSource(
        queue_url=sandbox.aws.queue_url, handler=app.run_reminder_cycles, function_name="run_reminder_cycles"
    )
    handled = sum(o.received for o in source.drain())
    seconds = meter.lap("reminder cycle (schedule -> SQS -> worker)")
    _step(
        f"hourly schedule queued {fanned['enqueued']} connection(s); "
        f"the worker ran {handled} cycle(s) in {seconds:.1f} s"
    )
    posts = sandbox.meta.flush_batched()
    bodies = sandbox.drain_webhooks()
    seconds = meter.lap("status webhooks (Meta -> app -> SQS -> worker)")
    _step(
        f"Meta posted its statuses in {len(posts)} batched webhook(s); the webhook worker processed "
        f"{bodies:,} queued bodies in {seconds:.1f} s"
    )


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--once", action="store_true", help="run one cycle, print the report and exit 0")
    parser.add_argument("--verbose", action="store_true", help="also print Lunas' JSON logs and metrics")
    parser.add_argument(
        "--invoices",
        type=int,
        default=0,
        metavar="N",
        help="run a big company with N open invoices instead of the small story (e.g. 10000)",
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
