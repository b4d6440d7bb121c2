"""Refuse NUL characters in requests: PostgreSQL text cannot hold one, so a NUL in a path,
query, JSON body or form would reach the database and fail there as a 500. No field of any
service has a use for it, so it is refused up front as a 400 problem. So is a JSON body
nested too deeply to parse (RecursionError, which the JSON parsers do not turn into a 400)."""

from typing import Any

from flask import Flask, request

from rainmaker_web.problems import ProblemError

_NUL = "\x00"


def _has_nul(value: Any) -> bool:
    # Iterative: a deeply nested JSON body must not exhaust the stack here.
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _NUL in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _where_nul() -> str | None:
    if _NUL in request.path:
        return "path"
    if _has_nul(request.args.to_dict(flat=False)):
        return "query"
    if request.is_json:
        try:
            body = request.get_json(silent=True)
        except RecursionError:
            raise ProblemError(400, "The JSON body is nested too deeply.") from None
        if _has_nul(body):
            return "JSON body"
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        names = [f.filename or "" for f in request.files.values()]
        if _has_nul([request.form.to_dict(flat=False), names]):
            return "form"
    return None


def install_nul_guard(app: Flask) -> None:
    # Registered after auth: a caller without a key gets its 401 before any body is read.
    @app.before_request
    def _refuse_nul() -> None:
        if request.routing_exception is not None:
            return  # routing answers 404/405 next
        where = _where_nul()
        if where is not None:
            raise ProblemError(
                400, f"The request's {where} holds a NUL character (\\u0000); no field takes one."
            )
