"""Structured logs and metrics, with personal data kept out.

Every log line is JSON (Powertools), carries the organisation id once `bind_org` was called, and passes through a
scrubber that masks phone numbers, wamids and tokens even if a careless call site logs them, and leaves request ids,
ARNs, amounts, dates and accounting ids alone (the rules: chalicelib/domain/masking.py).
"""

from __future__ import annotations

import logging

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.logging.types import LogRecord
from aws_lambda_powertools.metrics import MetricUnit

from chalicelib.domain.masking import mask_phone, scrub, scrub_fields

__all__ = ["bind_org", "count", "logger", "mask_phone", "metrics", "scrub"]


class _ScrubbingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: LogRecord) -> str:
        return super().serialize(scrub_fields(dict(log)))


logger = Logger(service="lunas", logger_formatter=_ScrubbingFormatter())
metrics = Metrics(namespace="Lunas", service="lunas")


def bind_org(org_id: str, connection_id: str | None = None) -> None:
    """Put the organisation (and connection) on every following log line of this invocation."""
    logger.append_keys(org_id=org_id, connection_id=connection_id)


def count(name: str, value: int = 1, **dimensions: str) -> None:
    """Record a count metric, e.g. count("RemindersSkipped", reason="no_consent")."""
    if not dimensions:
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
        return
    from aws_lambda_powertools.metrics import single_metric
    from aws_lambda_powertools.metrics.functions import is_metrics_disabled

    if is_metrics_disabled():  # single_metric flushes on its own and does not check this itself
        return

    with single_metric(name=name, unit=MetricUnit.Count, value=value, namespace="Lunas") as metric:
        for key, val in dimensions.items():
            metric.add_dimension(name=key, value=val)


def quiet_noisy_libraries() -> None:
    """Vendor SDKs log request URLs and bodies at DEBUG/INFO; keep them at WARNING."""
    for name in ("botocore", "urllib3", "httpx", "httpcore", "pywa", "xero_python", "pynamodb"):
        logging.getLogger(name).setLevel(logging.WARNING)
