"""HTTP plumbing shared by every service: app factory, problems, auth, ops endpoints, CSV.

See `rainmaker_web.app` for how a service wires it up, `rainmaker_web.auth` for the access
rules and `rainmaker_web.blueprint` for the pagination convention.
"""

from rainmaker_web.api import ProblemSchema, RainmakerApi
from rainmaker_web.app import create_base_app
from rainmaker_web.auth import (
    am_scope,
    current_principal,
    ensure_own_am,
    public,
    require_roles,
)
from rainmaker_web.authdb import auth_database_url, migrate_auth
from rainmaker_web.blueprint import Blueprint, PaginationParameters, pagination_links
from rainmaker_web.csv_export import csv_response, neutralise
from rainmaker_web.keystore import ApiKey, KeyStore
from rainmaker_web.metrics import gunicorn_child_exit
from rainmaker_web.problems import ProblemError, problem_response, register_error_map
from rainmaker_web.request_id import RequestIdLogFilter, request_id
from rainmaker_web.roles import Principal, Role

__all__ = [
    "ApiKey",
    "Blueprint",
    "KeyStore",
    "PaginationParameters",
    "Principal",
    "ProblemError",
    "ProblemSchema",
    "RainmakerApi",
    "RequestIdLogFilter",
    "Role",
    "am_scope",
    "auth_database_url",
    "create_base_app",
    "csv_response",
    "current_principal",
    "ensure_own_am",
    "gunicorn_child_exit",
    "migrate_auth",
    "neutralise",
    "pagination_links",
    "problem_response",
    "public",
    "register_error_map",
    "request_id",
    "require_roles",
]
