"""The flask-smorest Api, documenting and emitting errors as RFC 9457 problems."""

import http
from typing import Any

import flask_smorest
import marshmallow as ma
from flask_smorest.utils import prepare_response

from rainmaker_web.problems import PROBLEM_MIMETYPE, install_error_handlers


class ProblemSchema(ma.Schema):
    """Documents the error body (see rainmaker_web.problems); never used to dump."""

    type = ma.fields.String(metadata={"description": "Problem type URI; about:blank by default"})
    title = ma.fields.String(metadata={"description": "Short summary of the status"})
    status = ma.fields.Integer()
    detail = ma.fields.String(metadata={"description": "What went wrong, for this request"})
    instance = ma.fields.String(metadata={"description": "The request path"})
    request_id = ma.fields.String(metadata={"description": "Quote it when reporting a 500"})
    errors = ma.fields.Dict(metadata={"description": "Per location, per field messages"})


class RainmakerApi(flask_smorest.Api):  # type: ignore[misc]  # flask-smorest is untyped
    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        install_error_handlers(self._app)

    def _register_responses(self) -> None:
        # As flask-smorest does, but error bodies are documented as application/problem+json.
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_MIMETYPE)
            self.spec.components.response(status.name, response, lazy=True)
        default = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(default, self.spec, PROBLEM_MIMETYPE)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, default, lazy=True)
