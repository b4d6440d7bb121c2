"""`/healthz` (process up), `/readyz` (dependencies reachable) and `/metrics`, all keyless.

A readiness check is a callable that returns when its dependency works and raises when it
does not; it must bound its own time (connect timeouts), since probes call it often.
"""

import logging
from collections.abc import Callable, Mapping
from typing import Any

from flask import Response

from rainmaker_web.auth import public
from rainmaker_web.blueprint import Blueprint
from rainmaker_web.metrics import metrics_view
from rainmaker_web.problems import problem_response

log = logging.getLogger(__name__)


def _reason(exc: Exception) -> str:
    first_line = (str(exc).splitlines() or [""])[0][:200]
    return f"{type(exc).__name__}: {first_line}" if first_line else type(exc).__name__


def health_blueprint(checks: Mapping[str, Callable[[], None]]) -> Blueprint:
    blp = Blueprint("health", __name__, description="Liveness, readiness and metrics.")

    @blp.route("/healthz")
    @public
    def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @blp.route("/readyz")
    @public
    @blp.doc(responses={503: "SERVICE_UNAVAILABLE"})
    def readyz() -> Response | dict[str, Any]:
        """Every readiness check passes (503 problem naming the failed ones otherwise)."""
        results: dict[str, str] = {}
        for name, check in checks.items():
            try:
                check()
                results[name] = "ok"
            except Exception as exc:  # a failing dependency is an answer, not an error
                log.warning("readiness check %s failed", name, exc_info=True)
                results[name] = _reason(exc)
        failed = sorted(name for name, result in results.items() if result != "ok")
        if failed:
            return problem_response(503, f"Not ready: {', '.join(failed)}.", checks=results)
        return {"status": "ok", "checks": results}

    blp.add_url_rule("/metrics", "metrics", public(metrics_view))
    return blp
