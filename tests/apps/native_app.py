"""A plain WSGI app with a native histogram, served by gunicorn (multiprocess mode) in the e2e tests:
GET /observe?seed=S&n=N observes `latencies(S, N)` in whichever worker answers."""

from __future__ import annotations

import random
from urllib.parse import parse_qs

from app_instrumentation import WSGIMetricsMiddleware, histogram

LATENCY = histogram("job_latency_seconds", "Job latency.", native_bucket_factor=1.1)


def latencies(seed: int, n: int) -> list[float]:
    rng = random.Random(seed)
    return [rng.lognormvariate(-3, 1) for _ in range(n)]


def observe(environ, start_response):
    path = environ.get("PATH_INFO", "")
    if path == "/healthz":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"OK\n"]
    if path != "/observe":
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found\n"]
    query = parse_qs(environ.get("QUERY_STRING", ""))
    for value in latencies(int(query["seed"][0]), int(query["n"][0])):
        LATENCY.observe(value)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"observed\n"]


app = WSGIMetricsMiddleware(observe, routes=["/observe"])
