"""`make bench`: every measurement in one table, side by side in one run (run on purpose, not in CI).

Rows, in order (each module's docstring says how it measures):
- `bench.package`: the Lambda package's size, and `import app` cold against a bare Chalice app;
- `bench.aws_calls`: DynamoDB calls per Meta status, the clients a cold worker builds, its first cycle's CPU and memory;
- `bench.planning`: planning 10,000 invoices against `json.loads` of their pages;
- `bench.vendor_calls`: Xero calls per cycle against the lower bound at several sizes, AWS operations and cost per
  1,000 reminders next to Meta's price;
- `bench.whatsapp_pace`: messages per second one number reaches against a fake Meta with 100 ms latency and an 80/s
  cap, and how many sends Meta refused for throughput (130429).

    python -m bench [--sizes 100 1000 10000] [--only package aws_calls planning vendor_calls whatsapp_pace]
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Sequence
from typing import Any

MODULES = ("package", "aws_calls", "planning", "vendor_calls", "whatsapp_pace")


def collect(only: Sequence[str], sizes: Sequence[int]) -> list[tuple[str, str, str]]:
    table: list[tuple[str, str, str]] = []
    for name in only:
        module = importlib.import_module(f"bench.{name}")
        rows: Callable[..., list[tuple[str, str, str]]] = module.rows
        kwargs: dict[str, Any] = {"sizes": tuple(sizes)} if name == "vendor_calls" else {}
        print(f"  measuring: {name} ...", flush=True)
        table += rows(**kwargs)
    return table


def render(table: Sequence[tuple[str, str, str]]) -> str:
    widths = [max(len(row[i]) for row in (("measure", "value", "target"), *table)) for i in range(3)]
    lines = [
        "  ".join(h.ljust(w) for h, w in zip(("measure", "value", "target"), widths, strict=True)),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in table]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000], help="invoices per business")
    parser.add_argument("--only", nargs="+", choices=MODULES, default=list(MODULES))
    args = parser.parse_args(argv)
    print(render(collect(args.only, args.sizes)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
