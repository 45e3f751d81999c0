"""Structured logs and metrics, with personal data kept out.

Every log line is JSON (Powertools), carries the organisation id once `bind_org` was called, and passes through a
scrubber that masks phone numbers, wamids and tokens even if a careless call site logs them, and leaves request ids,
ARNs, amounts, dates and accounting ids alone (the rules: chalicelib/domain/masking.py).

Every Lambda imports this module on a cold start (app.py), so it imports neither Powertools nor the masking rules:
`logger` and `metrics` are built on first use (the first log line, metric or invocation) and are then the same
Powertools `Logger` and `Metrics` for the life of the container. `inject_lambda_context` and `log_metrics` are the
middleware app.py registers; they build them on the first invocation, not at import.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger, Metrics

__all__ = [
    "bind_org",
    "count",
    "inject_lambda_context",
    "log_metrics",
    "logger",
    "mask_phone",
    "metrics",
    "quiet_noisy_libraries",
    "scrub",
]

_T = TypeVar("_T")


class _BuiltOnFirstUse(Generic[_T]):
    """Stands for the object `build()` returns, built (once, thread-safely) the first time an attribute is read."""

    __slots__ = ("_build", "_built", "_lock")

    def __init__(self, build: Callable[[], _T]) -> None:
        self._build = build
        self._built: _T | None = None
        self._lock = threading.Lock()

    def _target(self) -> _T:
        built = self._built
        if built is None:
            with self._lock:
                if self._built is None:
                    self._built = self._build()
                built = self._built
        return built

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target(), name)

    def __repr__(self) -> str:
        state = "built" if self._built is not None else "not built yet"
        return f"<{self._build.__name__}: {state}>"


def _build_logger() -> Logger:
    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
    from aws_lambda_powertools.logging.types import LogRecord

    from chalicelib.domain.masking import scrub_fields

    class _ScrubbingFormatter(LambdaPowertoolsFormatter):
        def serialize(self, log: LogRecord) -> str:
            return super().serialize(scrub_fields(dict(log)))

    return Logger(service="lunas", logger_formatter=_ScrubbingFormatter())


def _build_metrics() -> Metrics:
    from aws_lambda_powertools import Metrics

    return Metrics(namespace="Lunas", service="lunas")


logger = cast("Logger", _BuiltOnFirstUse(_build_logger))
metrics = cast("Metrics", _BuiltOnFirstUse(_build_metrics))


def inject_lambda_context(handler: Callable[..., Any]) -> Callable[..., Any]:
    """`logger.inject_lambda_context`, as Chalice middleware (`ConvertToMiddleware`) calls it on each invocation."""
    return logger.inject_lambda_context(handler)


def log_metrics(handler: Callable[..., Any]) -> Callable[..., Any]:
    """`metrics.log_metrics`: flushes the invocation's metrics (EMF) when the handler returns."""
    return metrics.log_metrics(handler)


def mask_phone(phone: str | None) -> str:
    """A number safe to log (`+62********890`): `chalicelib.domain.masking.mask_phone`, imported on first use."""
    from chalicelib.domain import masking

    return masking.mask_phone(phone)


def scrub(text: str) -> str:
    """Free text with phones, wamids and secrets masked: `chalicelib.domain.masking.scrub`, imported on first use."""
    from chalicelib.domain import masking

    return masking.scrub(text)


def bind_org(org_id: str, connection_id: str | None = None) -> None:
    """Put the organisation (and connection) on every following log line of this invocation."""
    logger.append_keys(org_id=org_id, connection_id=connection_id)


def count(name: str, value: int = 1, **dimensions: str) -> None:
    """Record a count metric, e.g. count("RemindersSkipped", reason="no_consent")."""
    from aws_lambda_powertools.metrics import MetricUnit
    from aws_lambda_powertools.metrics.functions import is_metrics_disabled

    # Powertools prints on its own when 100 metrics pile up (outside an invocation: the sandbox, scripts) and
    # single_metric flushes at once; neither checks POWERTOOLS_METRICS_DISABLED, so it is checked here.
    if is_metrics_disabled():
        return
    if not dimensions:
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
        return
    from aws_lambda_powertools.metrics import single_metric

    with single_metric(name=name, unit=MetricUnit.Count, value=value, namespace="Lunas") as metric:
        for key, val in dimensions.items():
            metric.add_dimension(name=key, value=val)


def quiet_noisy_libraries() -> None:
    """Vendor SDKs log request URLs and bodies at DEBUG/INFO; keep them at WARNING."""
    for name in ("botocore", "urllib3", "httpx", "httpcore", "pywa", "xero_python", "pynamodb"):
        logging.getLogger(name).setLevel(logging.WARNING)
