"""Pipeline's app factory.

Served by gunicorn: `rainmaker_pipeline.entrypoints.http:create_app()`.
"""

from flask import Flask

from rainmaker_bus.health import check_broker
from rainmaker_db import Database
from rainmaker_pipeline.config import Settings
from rainmaker_pipeline.domain.model import (
    AttributionNotAvailable,
    CannotAssign,
    Conflict,
    DealRequired,
    LeadErased,
    NotFound,
    NotYourLead,
    UnknownAccountManager,
)
from rainmaker_pipeline.domain.stages import IllegalTransition
from rainmaker_pipeline.entrypoints.http import account_managers, leads, reports
from rainmaker_pipeline.entrypoints.http.context import DB_KEY, SETTINGS_KEY
from rainmaker_web import KeyStore, create_base_app, register_error_map

# The ONE table from domain errors to HTTP statuses.
ERRORS: dict[type[Exception], int] = {
    NotFound: 404,
    NotYourLead: 403,
    IllegalTransition: 409,
    Conflict: 409,
    CannotAssign: 409,
    LeadErased: 410,
    UnknownAccountManager: 422,
    DealRequired: 422,
    AttributionNotAvailable: 422,
}


def create_app(settings: Settings | None = None, key_store: KeyStore | None = None) -> Flask:
    settings = settings or Settings.from_env()
    db = Database(settings.database_url)
    bus = settings.bus
    app, api = create_base_app(
        "pipeline",
        title="Rainmaker pipeline",
        version="1",
        readiness_checks={"database": db.ping, "broker": lambda: check_broker(bus)},
        key_store=key_store or KeyStore(),
        config={"MAX_CONTENT_LENGTH": 1024 * 1024},
    )
    app.extensions[DB_KEY] = db
    app.extensions[SETTINGS_KEY] = settings
    register_error_map(app, ERRORS)
    for module in (account_managers, leads, reports):
        api.register_blueprint(module.blp)
    return app
