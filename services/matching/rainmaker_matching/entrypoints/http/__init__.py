"""Matching's app factory; gunicorn serves `rainmaker_matching.entrypoints.http:create_app()`."""

from flask import Flask

from rainmaker_bus import BusSettings
from rainmaker_bus.health import check_broker
from rainmaker_db import Database
from rainmaker_matching.config import Settings
from rainmaker_matching.domain.model import ClaimRefused, NotFound
from rainmaker_matching.entrypoints.http.views import blp
from rainmaker_web import KeyStore, create_base_app, register_error_map


def create_app(settings: Settings | None = None, key_store: KeyStore | None = None) -> Flask:
    settings = settings or Settings.from_env()
    db = Database(settings.database_url)
    bus: BusSettings = settings.bus
    app, api = create_base_app(
        "matching",
        title="Rainmaker matching",
        version="1",
        readiness_checks={"database": db.ping, "broker": lambda: check_broker(bus)},
        key_store=key_store or KeyStore(),
    )
    app.extensions["rainmaker_matching.db"] = db
    register_error_map(app, {NotFound: 404, ClaimRefused: 409})
    api.register_blueprint(blp)
    return app
