"""Fixtures for rainmaker_web: a tiny app built with create_base_app.

Fake-versus-real policy: nothing is faked. The auth database is a real SQLite file in
tmp_path, migrated by the package's own Alembic migrations; requests go through Flask's test
client, so every hook (request id, metrics, auth, problem handlers) runs as in production.
The only injected stand-in is the KeyStore's clock, to test TTL expiry without sleeping.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from flask import Flask, Response, request
from flask.testing import FlaskClient
from flask.views import MethodView
from marshmallow import Schema, fields

from rainmaker_web import (
    Blueprint,
    KeyStore,
    PaginationParameters,
    ProblemError,
    Role,
    create_base_app,
    csv_response,
    current_principal,
    ensure_own_am,
    public,
    register_error_map,
    require_roles,
)


class LeadNotFound(Exception):
    pass


class IllegalTransition(Exception):
    pass


class ContactSchema(Schema):
    email = fields.Email(required=True)
    name = fields.String()


@dataclass
class Clock:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Readiness:
    """A dependency the test can break: checks raise while `broken` holds a message."""

    broken: str | None = None
    calls: list[str] = field(default_factory=list)

    def check(self) -> None:
        self.calls.append("db")
        if self.broken:
            raise ConnectionError(self.broken)


def build_blueprint() -> Blueprint:
    blp = Blueprint("things", __name__, url_prefix="/")

    @blp.route("/contacts", methods=["POST"])
    @require_roles(Role.MARKETING)
    @blp.arguments(ContactSchema)
    @blp.response(201, ContactSchema)
    def create_contact(data: dict[str, str]) -> dict[str, str]:
        return data

    @blp.route("/contacts")
    @require_roles("marketing", "manager")
    @blp.response(200, ContactSchema(many=True))
    @blp.paginate()
    def list_contacts(pagination_parameters: PaginationParameters) -> list[dict[str, str]]:
        pagination_parameters.item_count = 120
        return [{"email": "a@example.com"}]

    @blp.route("/ams/<am_id>/prospects", methods=["GET", "POST"])
    @require_roles("account_manager", "manager")
    def prospects(am_id: str) -> dict[str, str]:
        ensure_own_am(current_principal(), am_id, write=request.method == "POST")
        return {"am_id": am_id, "caller": current_principal().key_id}

    @blp.route("/admin-only")
    def forgot_decorator() -> dict[str, bool]:
        return {"ok": True}

    @blp.route("/open")
    @public
    def open_view() -> dict[str, bool]:
        return {"open": True}

    @blp.route("/boom")
    @require_roles("marketing")
    def boom() -> None:
        raise RuntimeError("db password is hunter2")

    @blp.route("/problem")
    @require_roles("marketing")
    def problem() -> None:
        raise ProblemError(409, "Lead is already claimed.", errors={"lead_id": ["held"]})

    @blp.route("/leads/<lead_id>")
    @require_roles("marketing")
    def lead(lead_id: str) -> None:
        raise LeadNotFound(f"no lead {lead_id}")

    @blp.route("/transition")
    @require_roles("marketing")
    def transition() -> None:
        raise IllegalTransition("won leads cannot go back to suspect")

    @blp.route("/export")
    @require_roles("marketing")
    def export() -> Response:
        rows: list[list[object]] = [
            ["=1+1", 5, None], ["-2", -3, "@SUM(A1)"], ["\tx", "plain", "+x"],
        ]
        return csv_response(iter(rows), ["name", "n", "=note"], "leads export.csv")

    @blp.route("/widgets/<widget_id>")
    class Widget(MethodView):
        @require_roles("marketing", "manager")
        def get(self, widget_id: str) -> dict[str, str]:
            return {"id": widget_id}

        @require_roles("marketing", "manager", write=False)
        def post(self, widget_id: str) -> dict[str, str]:
            return {"searched": widget_id}

        def delete(self, widget_id: str) -> dict[str, str]:
            return {"deleted": widget_id}

    return blp


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def auth_url(tmp_path) -> str:  # type: ignore[no-untyped-def]
    return f"sqlite:///{tmp_path / 'auth.db'}"


@pytest.fixture
def key_store(auth_url: str, clock: Clock) -> Iterator[KeyStore]:
    store = KeyStore(auth_url, ttl_seconds=30.0, clock=clock)
    store.migrate()
    yield store
    store.close()


@pytest.fixture
def readiness() -> Readiness:
    return Readiness()


@pytest.fixture
def app(key_store: KeyStore, readiness: Readiness) -> Flask:
    app, api = create_base_app(
        "webtest", title="Web test", version="1.0",
        readiness_checks={"db": readiness.check}, key_store=key_store,
        config={"MAX_CONTENT_LENGTH": 1024},
    )
    register_error_map(app, {LeadNotFound: 404, IllegalTransition: 409})
    api.register_blueprint(build_blueprint())
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def bearer(key_store: KeyStore) -> Callable[..., dict[str, str]]:
    """bearer("manager") or bearer("account_manager", am_id="am-1") -> request headers."""

    def make(role: str, am_id: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {key_store.create(role, am_id=am_id)}"}

    return make
