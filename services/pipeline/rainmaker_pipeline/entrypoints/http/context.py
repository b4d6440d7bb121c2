"""What views take from the app and the caller: the database, settings and the actor."""

from flask import current_app

from rainmaker_db import Database
from rainmaker_pipeline.config import Settings
from rainmaker_pipeline.service_layer.commands import Actor
from rainmaker_web import am_scope, current_principal

DB_KEY = "rainmaker_pipeline.db"
SETTINGS_KEY = "rainmaker_pipeline.settings"


def db() -> Database:
    database: Database = current_app.extensions[DB_KEY]
    return database


def settings() -> Settings:
    value: Settings = current_app.extensions[SETTINGS_KEY]
    return value


def actor() -> Actor:
    """The caller as the service layer sees it: an AM is scoped to their own leads."""
    principal = current_principal()
    who = principal.am_id if principal.am_id else principal.key_id
    return Actor(by=f"{principal.role.value}:{who}", am_id=am_scope(principal))
