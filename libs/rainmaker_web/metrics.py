"""Prometheus metrics: request count and latency by endpoint, method and status.

Under gunicorn set PROMETHEUS_MULTIPROC_DIR (an empty directory per service, before the
master starts) so that every worker's samples are aggregated by MultiProcessCollector, and
use `gunicorn_child_exit` as the `child_exit` hook in gunicorn.conf.py.
"""

import os
import time
from typing import Any

from flask import Flask, Response, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

_EXT_KEY = "rainmaker_web.metrics"
_LABELS = ("service", "endpoint", "method", "status")
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class HttpMetrics:
    """One registry per app, so tests can build many apps in one process."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = CollectorRegistry()
        self.requests = Counter("rainmaker_http_requests", "HTTP requests served.",
                                _LABELS, registry=self.registry)
        self.latency = Histogram("rainmaker_http_request_duration_seconds",
                                 "Time to produce the response (streamed bodies excluded).",
                                 _LABELS, buckets=_BUCKETS, registry=self.registry)

    def exposition(self) -> bytes:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)


def install_metrics(app: Flask, service: str) -> HttpMetrics:
    metrics = HttpMetrics(service)
    app.extensions[_EXT_KEY] = metrics

    @app.before_request
    def _start_timer() -> None:
        g._rainmaker_started = time.perf_counter()

    @app.after_request
    def _observe(response: Response) -> Response:
        started: float = g.get("_rainmaker_started", time.perf_counter())
        # The rule template, not the path: one series per route, not per lead id.
        endpoint = request.url_rule.rule if request.url_rule else "<unmatched>"
        labels = (service, endpoint, request.method, str(response.status_code))
        metrics.requests.labels(*labels).inc()
        metrics.latency.labels(*labels).observe(time.perf_counter() - started)
        return response

    return metrics


def metrics_view() -> Response:
    """Prometheus text exposition (all workers' samples under gunicorn multiprocess mode)."""
    metrics: HttpMetrics = current_app.extensions[_EXT_KEY]
    return Response(metrics.exposition(), mimetype=CONTENT_TYPE_LATEST)


def gunicorn_child_exit(server: Any, worker: Any) -> None:
    """gunicorn.conf.py: `child_exit = gunicorn_child_exit` (drops a dead worker's gauges)."""
    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
