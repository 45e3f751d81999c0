"""Xero API calls of one reminder cycle, against the lower bound, at several sizes (the sandbox, real SDKs).

A business with N open invoices for N/5 customers (five invoices each, all at a reminder stage today, every customer
opted in) runs one cycle through the real worker against the fake Xero. The lower bound is what any cycle must ask
Xero for: the open invoices in pages of 1,000 (`pageSize`'s maximum), the contacts of their customers in batches of
50 ids (about 52 GUIDs fit in Xero's URL), and a re-read of every invoice about to be reminded, 50 ids a call, right
before sending (the promise "never about a paid invoice"). Payment pages cost nothing here: they are looked up when
a customer opens a pay link (services/payments.py).

    python -m bench.vendor_calls [--sizes 100 1000]
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import dataclasses
import datetime as dt
import math
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

INVOICES_PER_CUSTOMER = 5
PAGE, ID_BATCH = 1000, 50
API = "^/api.xro/2.0/"


def lower_bound(invoices: int, customers: int, reminded: int) -> int:
    return math.ceil(invoices / PAGE) + math.ceil(customers / ID_BATCH) + math.ceil(reminded / ID_BATCH)


def _spec(size: int, today: dt.date) -> dict[str, Any]:
    customers = max(size // INVOICES_PER_CUSTOMER, 1)
    contacts = [
        {
            "name": f"Customer {c:05d}",
            "phones": {"MOBILE": {"countryCode": "62", "areaCode": "812", "number": f"{7_000_000 + c:07d}"}},
        }
        for c in range(customers)
    ]
    due = today - dt.timedelta(days=3)  # the d+3 stage is due today for every invoice
    invoices = [
        {
            "number": f"INV-{i:06d}",
            "contact": f"Customer {i % customers:05d}",
            "status": "AUTHORISED",
            "date": (due - dt.timedelta(days=30)).isoformat(),
            "dueDate": due.isoformat(),
            "currency": "IDR",
            "total": "1250000",
        }
        for i in range(size)
    ]
    return {"tenantName": f"Bench {size}", "country": "ID", "contacts": contacts, "invoices": invoices}


def measure(sandbox: Any, size: int) -> dict[str, int]:
    """Seed a business of `size` invoices, run one cycle, and count what it asked Xero for."""
    from chalicelib import bootstrap
    from chalicelib.domain.models import Consent, ConsentStatus
    from chalicelib.worker import run_connection_cycle
    from sandbox import demo_data
    from sandbox.connect import connect_whatsapp, connect_xero

    lunas = bootstrap.container()
    today = sandbox.clock.now().astimezone(dt.timezone(dt.timedelta(hours=7))).date()
    spec = _spec(size, today)
    tenant = sandbox.xero.seed(spec)
    org_id = f"bench-{size}-{uuid.uuid4().hex[:6]}"
    phone_number_id, waba_id = f"pn{uuid.uuid4().hex[:8]}", f"waba{uuid.uuid4().hex[:8]}"
    lunas.stores.organisations.save(dataclasses.replace(demo_data.settings(), org_id=org_id))
    connect_whatsapp(
        sandbox,
        org_id,
        phone_number_id=phone_number_id,
        waba_id=waba_id,
        display_phone_number="+62 21 5098 7654",
        verified_name="Bench",
    )
    connection = connect_xero(sandbox, org_id, tenant)
    for contact in spec["contacts"]:
        mobile = contact["phones"]["MOBILE"]
        lunas.stores.consents.record(
            Consent(
                org_id=org_id,
                phone=f"+{mobile['countryCode']}{mobile['areaCode']}{mobile['number']}",
                status=ConsentStatus.OPTED_IN,
                source="signed_form",
                evidence="bench: ticked the WhatsApp box on the order form",
                captured_at=sandbox.clock.now() - dt.timedelta(days=30),
            )
        )
    before = len(sandbox.xero.recorded(API))
    with aws_operations() as operations:
        summary = run_connection_cycle(org_id, connection.connection_id)
        sandbox.meta.flush()  # Meta's status webhooks for these messages: part of what a reminder costs
        sandbox.drain_webhooks()
    calls = len(sandbox.xero.recorded(API)) - before
    reminded = sum(int(part.split("=")[1]) for part in summary.split(", ") if part.startswith("sent="))
    customers = len(spec["contacts"])
    messages = len([m for m in sandbox.meta.messages(phone_number_id=phone_number_id) if m["type"] == "template"])
    return {
        "invoices": size,
        "customers": customers,
        "reminded": reminded,
        "messages": messages,
        "calls": calls,
        "bound": lower_bound(size, customers, reminded),
        **{f"aws:{k}": v for k, v in operations.items()},
    }


@contextlib.contextmanager
def aws_operations() -> Iterator[collections.Counter[str]]:
    """Count every AWS API call made in this process inside the block, as "<service>.<operation>"."""
    from botocore.client import BaseClient

    counted: collections.Counter[str] = collections.Counter()
    client_class: Any = BaseClient  # botocore builds `_make_api_call` dynamically: not in its stubs
    original = client_class._make_api_call

    def counting(self: Any, operation_name: str, api_params: Any) -> Any:
        counted[f"{self.meta.service_model.service_name}.{operation_name}"] += 1
        return original(self, operation_name, api_params)

    client_class._make_api_call = counting
    try:
        yield counted
    finally:
        client_class._make_api_call = original


# US$ list prices (us-east-1, on demand), per operation: DynamoDB https://aws.amazon.com/dynamodb/pricing/on-demand/
# ($0.625 per million write request units, $0.125 per million read units; a transaction costs two units per item,
# counted here as one per call: a lower estimate), KMS https://aws.amazon.com/kms/pricing/ ($0.03 per 10,000
# requests), SQS https://aws.amazon.com/sqs/pricing/ ($0.40 per million). Meta's utility template price for
# Indonesia, US$0.0200 per delivered message: https://developers.facebook.com/docs/whatsapp/pricing (rate card).
_WRITES = ("Put", "Update", "Delete", "TransactWrite", "BatchWrite")
PRICE_PER_CALL = {"kms": 0.03 / 10_000, "sqs": 0.40 / 1e6}
META_UTILITY_ID_USD = 0.0200


def aws_cost(operations: dict[str, int]) -> float:
    cost = 0.0
    for key, n in operations.items():
        service, operation = key.split(".", 1)
        if service == "dynamodb":
            cost += n * (0.625e-6 if operation.startswith(_WRITES) else 0.125e-6)
        else:
            cost += n * PRICE_PER_CALL.get(service, 0.0)
    return cost


def rows(sizes: Sequence[int] = (100, 1000)) -> list[tuple[str, str, str]]:
    from sandbox.demo import demo_now
    from sandbox.run import start_sandbox

    _quiet()
    with tempfile.TemporaryDirectory(prefix="lunas-bench-") as scratch:
        sandbox = start_sandbox(Path(scratch) / "urls.json")
        try:
            sandbox.clock.pin(demo_now(sandbox.clock.now()))
            results = [measure(sandbox, size) for size in sizes]
        finally:
            sandbox.stop()
    table = [
        (
            f"Xero calls per cycle, {r['invoices']:,} invoices ({r['reminded']:,} reminded)",
            f"{r['calls']} ({r['calls'] / r['bound']:.2f}x of {r['bound']})",
            "<= 1.05x the lower bound",
        )
        for r in results
    ]
    biggest = results[-1]
    ops = {k.removeprefix("aws:"): v for k, v in biggest.items() if k.startswith("aws:")}
    per_1000 = 1000 / max(biggest["messages"], 1)
    by_service = collections.Counter({k.split(".")[0]: 0 for k in ops})
    for key, n in ops.items():
        by_service[key.split(".")[0]] += n
    table.append(
        (
            "AWS operations per 1,000 reminders (cycle + status webhooks)",
            ", ".join(f"{s} {n * per_1000:,.0f}" for s, n in sorted(by_service.items())),
            "few per reminder",
        )
    )
    cost = aws_cost(ops) * per_1000
    table.append(
        (
            "AWS cost per 1,000 reminders (DynamoDB, KMS, SQS; no Lambda time)",
            f"${cost:.3f} = {cost / (META_UTILITY_ID_USD * 1000):.2%} of Meta's ${META_UTILITY_ID_USD * 1000:.0f}",
            "a small fraction of Meta's price",
        )
    )
    return table


def _quiet() -> None:
    """The table is the output: Lunas' logs and metrics stay out of it."""
    import logging
    import os

    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
    logging.disable(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.vendor_calls", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    args = parser.parse_args(argv)
    for measure_, value, target in rows(args.sizes):
        print(f"{measure_:<60} {value:>24}   {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
