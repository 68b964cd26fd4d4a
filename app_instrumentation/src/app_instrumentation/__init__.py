"""Custom metrics for Python apps, on prometheus-client.

    from app_instrumentation import counted, timed, in_progress, arg, result, exception_type
    from app_instrumentation import counter, histogram, gauge, timer
    from app_instrumentation import WSGIMetricsMiddleware, ASGIMetricsMiddleware, start_http_server
"""

from app_instrumentation.decorators import counted, in_progress, timed, timer
from app_instrumentation.labels import arg, exception_type, result
from app_instrumentation.metrics import (
    DEFAULT_BUCKETS,
    OVERFLOW_VALUE,
    Instrument,
    MetricShapeError,
    counter,
    exponential_buckets,
    gauge,
    histogram,
    linear_buckets,
)
from app_instrumentation.middleware import ASGIMetricsMiddleware, WSGIMetricsMiddleware, instrument_flask
from app_instrumentation.serve import metrics_response, start_http_server

__all__ = [
    "DEFAULT_BUCKETS",
    "OVERFLOW_VALUE",
    "ASGIMetricsMiddleware",
    "Instrument",
    "MetricShapeError",
    "WSGIMetricsMiddleware",
    "arg",
    "counted",
    "counter",
    "exception_type",
    "exponential_buckets",
    "gauge",
    "histogram",
    "in_progress",
    "instrument_flask",
    "linear_buckets",
    "metrics_response",
    "result",
    "start_http_server",
    "timed",
    "timer",
]
