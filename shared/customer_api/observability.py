"""Logger and Metrics, made once and imported everywhere (Tracer is not: the X-Ray SDK costs
~600 ms of cold start, so it is for when tracing is switched on)."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit

logger = Logger()
metrics = Metrics()

CORRELATION_ID = correlation_paths.API_GATEWAY_HTTP


def count(metric: str) -> None:
    """Add one to a business metric (CustomerCreated, LoginFailed, ...)."""
    metrics.add_metric(name=metric, unit=MetricUnit.Count, value=1)
