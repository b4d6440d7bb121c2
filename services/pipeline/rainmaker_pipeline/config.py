"""Pipeline settings, read once in the composition root."""

import os
import re
from dataclasses import dataclass, field

from rainmaker_bus import BusSettings
from rainmaker_db import database_url


@dataclass(frozen=True)
class Settings:
    database_url: str
    bus: BusSettings = field(default_factory=BusSettings)
    # Reports sum money in one currency; this one unless the request names another.
    report_currency: str = "EUR"

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Z]{3}", self.report_currency):
            raise ValueError(f"report currency {self.report_currency!r} is not an ISO code")

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(
            database_url=database_url("pipeline"),
            bus=BusSettings.from_env(),
            report_currency=os.environ.get("PIPELINE_REPORT_CURRENCY", "EUR"),
        )
