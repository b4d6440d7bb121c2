"""How the CLI finds a service: by convention, `rainmaker_<name>.bootstrap`.

Each bootstrap module provides:
    SERVICE: str                                  the service name
    MIGRATIONS: pathlib.Path                      its Alembic script directory
    database() -> Database                        its Database from the environment
    build_consumer(queue: str) -> Consumer        a Consumer for one of its queues
    cli_groups() -> list[click.Command]           its own subcommands (may be empty)
"""

import importlib
from types import ModuleType

SERVICES = ("intake", "tagging", "pipeline", "matching")


def bootstrap(service: str) -> ModuleType:
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}; one of {', '.join(SERVICES)}")
    return importlib.import_module(f"rainmaker_{service}.bootstrap")
