"""Tagging's app factory (served by gunicorn: `rainmaker_tagging.entrypoints.http:create_app()`)."""

from flask import Flask

from rainmaker_bus.health import check_broker
from rainmaker_db import Database
from rainmaker_tagging.config import Settings
from rainmaker_tagging.domain.model import (
    InvalidCorrection,
    InvalidRule,
    InvalidTaxonomy,
    LeadMerged,
    NotFound,
    TagExists,
    UnknownTag,
)
from rainmaker_tagging.entrypoints.http.views import blp
from rainmaker_web import KeyStore, create_base_app, register_error_map

ERROR_MAP: dict[type[Exception], int] = {
    NotFound: 404,
    TagExists: 409,
    LeadMerged: 409,
    UnknownTag: 422,
    InvalidTaxonomy: 422,
    InvalidRule: 422,
    InvalidCorrection: 422,
}


def create_app(settings: Settings | None = None, key_store: KeyStore | None = None) -> Flask:
    settings = settings or Settings.from_env()
    db = Database(settings.database_url)
    bus = settings.bus
    app, api = create_base_app(
        "tagging",
        title="Rainmaker tagging",
        version="1",
        readiness_checks={"database": db.ping, "broker": lambda: check_broker(bus)},
        key_store=key_store or KeyStore(),
        config={"MAX_CONTENT_LENGTH": 1024 * 1024},
    )
    app.extensions["rainmaker_tagging.db"] = db
    app.extensions["rainmaker_tagging.settings"] = settings
    register_error_map(app, ERROR_MAP)
    api.register_blueprint(blp)
    return app
