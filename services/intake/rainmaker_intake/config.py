"""Intake settings, read once in the composition root."""

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rainmaker_bus import BusSettings
from rainmaker_db import database_url, var_dir
from rainmaker_intake.adapters.reader import Limits
from rainmaker_intake.domain.dedup import DEFAULT, DedupConfig
from rainmaker_intake.service_layer.importer import HELPER_MIN_BYTES
from rainmaker_intake.service_layer.prepare import CHUNK_ROWS


@dataclass(frozen=True)
class Settings:
    database_url: str
    upload_dir: Path
    bus: BusSettings = field(default_factory=BusSettings)
    max_upload_bytes: int = 512 * 1024 * 1024
    limits: Limits = field(default_factory=Limits)
    # Lists this large are read and normalised by a helper process beside the worker.
    import_helper_min_bytes: int = HELPER_MIN_BYTES
    # Rows de-duplicated and committed together (one checkpoint of a resumable import).
    import_chunk_rows: int = CHUNK_ROWS
    # How alike two rows must be to be one person (imports and referrals alike).
    dedup: DedupConfig = DEFAULT

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(
            database_url=database_url("intake"),
            upload_dir=Path(os.environ.get("INTAKE_UPLOAD_DIR", var_dir() / "uploads")),
            bus=BusSettings.from_env(),
            max_upload_bytes=int(os.environ.get("INTAKE_MAX_UPLOAD_BYTES", 512 * 1024 * 1024)),
            limits=Limits(
                max_rows=int(os.environ.get("INTAKE_MAX_ROWS", 1_000_000)),
                max_columns=int(os.environ.get("INTAKE_MAX_COLUMNS", 200)),
                max_field_length=int(os.environ.get("INTAKE_MAX_FIELD_LENGTH", 10_000)),
            ),
            import_helper_min_bytes=int(
                os.environ.get("INTAKE_IMPORT_HELPER_MIN_BYTES", HELPER_MIN_BYTES)
            ),
            import_chunk_rows=max(1, int(os.environ.get("INTAKE_IMPORT_CHUNK_ROWS", CHUNK_ROWS))),
            dedup=dedup_from_env(),
        )


# INTAKE_DEDUP_<NAME> for each threshold of DedupConfig, a number in (0, 1].
_THRESHOLDS = ("name_threshold", "company_threshold", "street_threshold",
               "phone_name_threshold", "colleague_name_threshold")  # fmt: skip


def dedup_from_env() -> DedupConfig:
    given: dict[str, Any] = {}
    for name in _THRESHOLDS:
        var = f"INTAKE_DEDUP_{name.upper()}"
        raw = os.environ.get(var)
        if raw is None or not raw.strip():
            continue
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(f"{var}={raw!r}: not a number") from None
        if not 0 < value <= 1:
            raise ValueError(f"{var}={raw!r}: a threshold is a similarity in (0, 1]")
        given[name] = value
    return replace(DEFAULT, **given)
