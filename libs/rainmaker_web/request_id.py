"""Request ids: taken from `X-Request-ID` or minted, echoed back, and used as correlation_id."""

import logging
import re
import uuid

from flask import Flask, Response, g, has_request_context, request

HEADER = "X-Request-ID"
# Callers' ids end up in logs and in published events: accept only short, plain tokens.
_VALID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def request_id() -> str:
    """The current request's id (for correlation_id on commands and events)."""
    if not has_request_context():
        raise RuntimeError("request_id() needs a request context")
    rid: str | None = g.get("_rainmaker_request_id")
    if rid is None:
        incoming = request.headers.get(HEADER, "")
        rid = incoming if _VALID.match(incoming) else uuid.uuid4().hex
        g._rainmaker_request_id = rid
    return rid


def install_request_id(app: Flask) -> None:
    # Registered first, so every later hook, handler and log line sees the id.
    @app.before_request
    def _take_or_mint() -> None:
        request_id()  # a before_request hook must return None, or Flask ends the request

    @app.after_request
    def _echo(response: Response) -> Response:
        response.headers[HEADER] = request_id()
        return response


class RequestIdLogFilter(logging.Filter):
    """Adds `record.request_id` ("-" outside requests) for log formats such as gunicorn's."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id() if has_request_context() else "-"
        return True
