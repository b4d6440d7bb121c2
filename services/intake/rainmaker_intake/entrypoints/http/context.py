"""What views need from the app: the database and settings built in create_app."""

from flask import current_app

from rainmaker_db import Database
from rainmaker_intake.config import Settings


def db() -> Database:
    database: Database = current_app.extensions["rainmaker_intake.db"]
    return database


def settings() -> Settings:
    config: Settings = current_app.extensions["rainmaker_intake.settings"]
    return config
