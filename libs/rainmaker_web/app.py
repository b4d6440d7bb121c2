"""`create_base_app`: the Flask app and flask-smorest Api every service starts from.

    def create_app(settings: Settings) -> Flask:
        db = Database(settings.database_url)
        app, api = create_base_app(
            "pipeline", title="Pipeline", version="1",
            readiness_checks={"db": db.ping, "broker": bus.ping},
            key_store=KeyStore(), config={"MAX_CONTENT_LENGTH": 8 << 20},
        )
        register_error_map(app, {LeadNotFound: 404, IllegalTransition: 409})
        api.register_blueprint(leads_blueprint(bootstrap(db)))
        return app

Nothing here connects anywhere: the KeyStore opens its first connection on the first request.
"""

from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask

from rainmaker_web.api import RainmakerApi
from rainmaker_web.auth import SECURITY_SCHEME, install_auth
from rainmaker_web.health import health_blueprint
from rainmaker_web.keystore import KeyStore
from rainmaker_web.metrics import install_metrics
from rainmaker_web.nul_guard import install_nul_guard
from rainmaker_web.request_id import install_request_id

DEFAULT_CONFIG: dict[str, Any] = {
    "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,  # list uploads are the largest bodies
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    "OPENAPI_SWAGGER_UI_URL": "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/",
    "OPENAPI_SWAGGER_UI_CONFIG": {"persistAuthorization": True},
}


def create_base_app(
    service: str,
    *,
    title: str,
    version: str,
    readiness_checks: Mapping[str, Callable[[], None]],
    key_store: KeyStore,
    config: Mapping[str, Any] | None = None,
) -> tuple[Flask, RainmakerApi]:
    """Build the app with problems, request ids, metrics, keyless ops endpoints and auth.

    The service registers its Blueprints on the returned api. The auth database is added
    to the readiness checks as "auth": no request can be served without it.
    """
    # The import name locates the service package (templates); static files are not served.
    app = Flask(f"rainmaker_{service}", static_folder=None)
    app.config.update(DEFAULT_CONFIG)
    app.config.update(API_TITLE=title, API_VERSION=version)
    app.config.update(config or {})
    # Hook order matters: request id first (everything logs it), then the timer, then auth,
    # then the NUL guard.
    install_request_id(app)
    install_metrics(app, service)
    api = RainmakerApi(app, spec_kwargs={"security": [{SECURITY_SCHEME: []}]})
    api.spec.components.security_scheme(
        SECURITY_SCHEME, {"type": "http", "scheme": "bearer", "bearerFormat": "rk_<id>_<secret>"}
    )
    # Only the OpenAPI document and docs page exist so far: they are public.
    install_auth(app, key_store, public_endpoints=set(app.view_functions))
    install_nul_guard(app)
    api.register_blueprint(health_blueprint({"auth": key_store.check, **readiness_checks}))
    app.extensions["rainmaker_web.key_store"] = key_store
    return app, api
