"""Logger, Metrics and (when switched on) Tracer, made once and imported everywhere."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, cast

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit

from customer_api.core.errors import InvalidCredentials, TooManyLoginFailures
from customer_api.core.records import PrincipalKind
from customer_api.core.settings import settings

logger = Logger()
metrics = Metrics()

CORRELATION_ID = correlation_paths.API_GATEWAY_HTTP


def count(metric: str) -> None:
    """Add one to a business metric (CustomerCreated, LoginFailed, ...)."""
    metrics.add_metric(name=metric, unit=MetricUnit.Count, value=1)


@contextlib.contextmanager
def login_outcome(kind: PrincipalKind) -> Iterator[None]:
    """Count the login in the block as LoginSucceeded, LoginFailed or LoginThrottled, with a
    `kind` dimension (customer or admin) so that the two kinds of login are told apart."""
    metrics.add_dimension(name="kind", value=kind)
    try:
        yield
    except InvalidCredentials:
        count("LoginFailed")
        raise
    except TooManyLoginFailures:
        count("LoginThrottled")
        raise
    count("LoginSucceeded")


def traced[Handler: Callable[..., Any]](handler: Handler) -> Handler:
    """The handler, recorded in X-Ray when tracing is on. When it is off the X-Ray SDK is not
    even imported: it costs ~600 ms of cold start."""
    if not settings().tracing:
        return handler
    from aws_lambda_powertools import Tracer  # noqa: PLC0415 - see above

    # The response carries tokens: keep it out of the trace's metadata.
    return cast("Handler", Tracer().capture_lambda_handler(handler, capture_response=False))
