"""Intake's app factory (served by gunicorn: `rainmaker_intake.entrypoints.http:create_app()`)."""

from flask import Flask

from rainmaker_bus.health import check_broker
from rainmaker_db import Database
from rainmaker_intake.config import Settings
from rainmaker_intake.domain.model import InvalidUpload, NotFound
from rainmaker_intake.entrypoints.http import leads, lists
from rainmaker_intake.service_layer.suppressions import InvalidSuppression
from rainmaker_intake.service_layer.unmerge import NothingToUnmerge
from rainmaker_web import KeyStore, create_base_app, register_error_map

# Domain failures -> HTTP statuses, in one place.
ERRORS: dict[type[Exception], int] = {
    NotFound: 404,
    InvalidUpload: 422,
    InvalidSuppression: 422,
    NothingToUnmerge: 409,
}


def create_app(settings: Settings | None = None, key_store: KeyStore | None = None) -> Flask:
    settings = settings or Settings.from_env()
    db = Database(settings.database_url)
    app, api = create_base_app(
        "intake",
        title="Rainmaker intake",
        version="1",
        readiness_checks={"database": db.ping, "broker": lambda: check_broker(settings.bus)},
        key_store=key_store or KeyStore(),
        config={"MAX_CONTENT_LENGTH": settings.max_upload_bytes},
    )
    app.extensions["rainmaker_intake.db"] = db
    app.extensions["rainmaker_intake.settings"] = settings
    register_error_map(app, ERRORS)
    api.register_blueprint(lists.blp)
    api.register_blueprint(leads.blp)
    return app
