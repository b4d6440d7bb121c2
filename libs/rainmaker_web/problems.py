"""RFC 9457 problem details: every 4xx/5xx a service sends is `application/problem+json`.

Body: `type`, `title`, `status`, `detail`, `instance` (the request path), plus `request_id`
and, for validation failures, `errors` keyed by location then field, e.g.
`{"errors": {"json": {"email": ["Not a valid email."]}}}`.

Views and service layers raise `ProblemError`. Domain exceptions are translated by ONE table
per service, `register_error_map(app, {LeadNotFound: 404, IllegalTransition: 409})`
(STYLE.md item 3). Anything else is a 500 whose body says nothing about the exception; the
traceback goes to the log with the request id.
"""

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, current_app, json, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from rainmaker_web.request_id import request_id

PROBLEM_MIMETYPE = "application/problem+json"
_ERROR_MAP_KEY = "rainmaker_web.error_map"
log = logging.getLogger(__name__)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class ProblemError(Exception):
    """Raise to answer with a problem; `detail` and `errors` are shown to the client."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        title: str | None = None,
        errors: Mapping[str, Any] | None = None,
        type: str = "about:blank",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail or title or _phrase(status))
        self.status = status
        self.title = title or _phrase(status)
        self.detail = detail
        self.errors = errors
        self.type = type
        self.headers = dict(headers or {})


def problem_response(
    status: int,
    detail: str | None = None,
    *,
    title: str | None = None,
    errors: Mapping[str, Any] | None = None,
    type: str = "about:blank",
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> Response:
    """Build the problem response (needs a request context)."""
    body: dict[str, Any] = {"type": type, "title": title or _phrase(status), "status": status}
    if detail:
        body["detail"] = detail
    body["instance"] = request.path
    body["request_id"] = request_id()
    if errors:
        body["errors"] = errors
    body.update(extensions)
    response = current_app.response_class(
        json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE
    )
    response.headers.update(headers or {})
    return response


def _from_problem(exc: ProblemError) -> Response:
    return problem_response(
        exc.status, exc.detail, title=exc.title, errors=exc.errors, type=exc.type,
        headers=exc.headers,
    )


def _from_http_exception(exc: HTTPException) -> Response | HTTPException:
    if exc.code is None or exc.code < 400 or exc.response is not None:
        return exc  # redirects and ready-made responses pass through untouched
    # webargs/flask-smorest `abort` puts message, errors (or messages) and headers in `data`.
    data: Mapping[str, Any] = getattr(exc, "data", None) or {}
    headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
    headers.update(data.get("headers") or {})
    errors = data.get("errors") or data.get("messages")
    default_detail = "Invalid input: see `errors`." if errors else exc.description
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    size = request.content_length
    # werkzeug's text does not say what the limit is (its 413s for too many or too large form
    # parts keep their own text)
    if exc.code == 413 and limit and size is not None and size > limit:
        default_detail = f"The upload is larger than this service takes: {_size(limit)}."
    return problem_response(
        exc.code, data.get("message") or default_detail, errors=errors, headers=headers
    )


def _size(n: int) -> str:
    """'32 MiB (33,554,432 bytes)', '4,096 bytes'."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale and n % scale == 0:
            return f"{n // scale} {unit} ({n:,} bytes)"
    return f"{n:,} bytes"


def _from_validation_error(exc: ValidationError) -> Response:
    # A schema load that escaped the view (e.g. in a service layer) is still bad input.
    messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
    return problem_response(422, "The request failed validation.", errors=messages)


def _unhandled(exc: Exception) -> Response:
    log.exception("unhandled error on %s %s (request_id=%s)", request.method, request.path,
                  request_id())
    return problem_response(
        500, "An unexpected error occurred; quote the request_id when reporting it."
    )


def install_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, _from_http_exception)
    app.register_error_handler(ProblemError, _from_problem)
    app.register_error_handler(ValidationError, _from_validation_error)
    app.register_error_handler(Exception, _unhandled)


def register_error_map(app: Flask, table: Mapping[type[Exception], int]) -> None:
    """Map domain exception classes (and their subclasses) to statuses; call once per app.

    The exception's message becomes `detail`: domain exceptions are written for clients.
    """
    if _ERROR_MAP_KEY in app.extensions:
        raise RuntimeError("register_error_map already called: keep ONE table per service")
    for exc_class, status in table.items():
        if not 400 <= status <= 599:
            raise ValueError(f"{exc_class.__name__}: {status} is not an error status")
        app.register_error_handler(exc_class, _domain_handler(status))
    app.extensions[_ERROR_MAP_KEY] = dict(table)


def _domain_handler(status: int) -> Any:
    def handle(exc: Exception) -> Response:
        if status >= 500:
            log.error("%s mapped to %d (request_id=%s): %s", type(exc).__name__, status,
                      request_id(), exc)
        return problem_response(status, str(exc) or None)

    return handle
