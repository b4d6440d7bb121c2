"""Tagging settings, read once in the composition root."""

from dataclasses import dataclass, field

from rainmaker_bus import BusSettings
from rainmaker_db import database_url


@dataclass(frozen=True)
class Settings:
    database_url: str
    bus: BusSettings = field(default_factory=BusSettings)

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(database_url=database_url("tagging"), bus=BusSettings.from_env())
