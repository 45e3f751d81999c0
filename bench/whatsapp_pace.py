"""Messages per second one WhatsApp number reaches against a fake Meta with 100 ms latency and Meta's 80/s cap.

One reminder cycle of N messages (N opted-in customers, one overdue invoice each) runs through the real send loop
(`services/reminders.py`: re-check, claim, consent re-read, pywa over httpx, record) against `sandbox/meta.py`
configured as Meta behaves: every send answered after `latency` seconds, at most 80 sends a second per number
(else 130429), and Meta's pair limit on. The stores are the in-memory ones of the tests, so the row measures the
pacing and the sends, not DynamoDB on this machine. The rate is counted between the first and the last message Meta
accepted; the 130429 count is every send the fake refused for throughput.

    python -m bench.whatsapp_pace [--messages 800] [--latency 0.1] [--cap 80]
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import subprocess
import sys
from typing import Any

PHONE_NUMBER_ID, WABA_ID, TOKEN = "109000000000001", "209000000000001", "EAAGbench"
CONN = "xero:bench"


_SERVE_META = """
import sys, threading
from sandbox.meta import FakeMetaGraph
meta = FakeMetaGraph(auto_deliver=False, throughput_per_second=int(sys.argv[1]))
print(meta.start(), flush=True)
sys.stdin.read()  # until the bench closes our stdin
meta.stop()
"""


def measure(messages: int = 800, latency: float = 0.1, cap: int = 80) -> dict[str, Any]:
    """Run one cycle of `messages` sends against a fake Meta in its own process (as Meta is: its CPU is not ours)."""
    import httpx

    from chalicelib.clock import monotonic
    from chalicelib.domain.models import Connection
    from chalicelib.observability import logger
    from chalicelib.services.reminders import run_cycle

    server = subprocess.Popen(
        [sys.executable, "-c", _SERVE_META, str(cap)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        admin = httpx.Client(base_url=url, timeout=30)
        admin.post("/_sandbox/meta/settings", json={"latency_seconds": latency, "pair_gap_seconds": 6.0})
        admin.post(
            "/_sandbox/meta/phone_numbers",
            json={"phone_number_id": PHONE_NUMBER_ID, "access_token": TOKEN, "waba_id": WABA_ID, "app_secret": "s"},
        )
        deps, org = _cycle_dependencies(url, messages)
        logger.setLevel(logging.WARNING)  # one INFO line per message would be all this prints
        os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"  # nor should 100-metric EMF flushes
        started = monotonic()
        result = run_cycle(Connection(org_id=org, connection_id=CONN, provider="xero", tenant_id=CONN), deps)
        elapsed = monotonic() - started
        accepted = sorted(m["received_at"] for m in admin.get("/_sandbox/meta/messages").json())
        refusals = admin.get("/_sandbox/meta/refusals").json()
        admin.close()
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(timeout=30)
    span = accepted[-1] - accepted[0] if len(accepted) > 1 else 0.0
    return {
        "messages": messages,
        "sent": len(result.sent),
        "rate": (len(accepted) - 1) / span if span > 0 else 0.0,
        "cycle_seconds": elapsed,
        "throttled": int(refusals.get("130429", 0)),
        "pair_limited": int(refusals.get("131056", 0)),
        "cap": cap,
        "latency": latency,
    }


def _cycle_dependencies(url: str, messages: int) -> tuple[Any, str]:
    """One business with `messages` opted-in customers, one invoice 10 days overdue each (in-memory stores)."""
    from chalicelib.adapters.whatsapp import WhatsAppMessageSender
    from chalicelib.domain.models import ReminderSettings, TemplateRef, WhatsAppAccount
    from chalicelib.services.reminders import CycleDependencies
    from tests.builders import TUESDAY_10_JKT, consent, customer, invoice
    from tests.memory_stores import MemoryStores
    from tests.unit.fakes import FakeGateway, FixedClock

    org = "org-bench"
    stores = MemoryStores()
    phones = [f"+628130{n:07d}" for n in range(messages)]
    for phone in phones:
        stores.consents.record(consent(org, phone))
    templates = frozenset(TemplateRef(t, lang) for t in _template_names() for lang in ("id", "en"))
    account = WhatsAppAccount(
        phone_number_id=PHONE_NUMBER_ID, business_account_id=WABA_ID, access_token=TOKEN,
        messaging_limit_tier="TIER_UNLIMITED",
    )  # fmt: skip
    deps = CycleDependencies(
        clock=FixedClock(TUESDAY_10_JKT),
        settings=ReminderSettings(org_id=org, business_name="Toko Bench"),
        gateway=FakeGateway(
            CONN,
            [invoice(f"INV-{n}", customer_id=f"C{n}") for n in range(messages)],
            [customer(f"C{n}", phone) for n, phone in enumerate(phones)],
        ),
        sender=WhatsAppMessageSender(phone_number_id=PHONE_NUMBER_ID, access_token=TOKEN, graph_base_url=url),
        consents=stores.consents,
        phone_flags=stores.phone_flags,
        holds=stores.holds,
        ledger=stores.ledger,
        decision_log=stores.decisions,
        payment_links=stores.payment_links,
        approved_templates=lambda: templates,
        public_base_url="https://lunas.test",
        recheck_after=dt.timedelta(minutes=1),
        account=account,
        recipients=stores.ledger,
        alerts=stores.whatsapp_alerts,
    )
    return deps, org


def _template_names() -> list[str]:
    from chalicelib.domain.models import TEMPLATE_NAMES

    return list(TEMPLATE_NAMES.values())


def rows(messages: int = 800) -> list[tuple[str, str, str]]:
    got = measure(messages)
    share = got["rate"] / got["cap"]
    return [
        (
            f"WhatsApp pace: {got['messages']:,} messages, {got['latency'] * 1000:.0f} ms latency, {got['cap']}/s cap",
            f"{got['rate']:.1f}/s ({share:.0%} of the cap), {got['throttled']} x 130429, "
            f"{got['sent']:,} sent in {got['cycle_seconds']:.1f} s",
            ">= 90% of the cap, zero 130429",
        )
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.whatsapp_pace", description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=800)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--cap", type=int, default=80)
    args = parser.parse_args(argv)
    print(measure(args.messages, args.latency, args.cap))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
