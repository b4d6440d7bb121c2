"""The generator's promise to the importer: exactly the rows it marks bad are rejected.

Runs generated lists through the real reader and normaliser (no stand-ins).
"""

from pathlib import Path
from typing import Any

import pytest

from rainmaker_intake.adapters.reader import open_list
from rainmaker_intake.domain.normalise import normalise
from rainmaker_intake.testing.listgen import generate


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"encoding": "cp1252", "delimiter": ";", "blank_rate": 0.01},
        {"encoding": "utf-8-sig", "delimiter": "\t", "default_region": "DE"},
    ],
)
def test_bad_rows_are_rejected_and_only_they(tmp_path: Path, options: dict[str, Any]) -> None:
    g = generate(tmp_path / "list.csv", 2000, seed=8, bad_rate=0.05, **options)
    listing = open_list(g.path)
    assert (listing.encoding, listing.delimiter) == (g.encoding, g.delimiter)
    accepted: set[int] = set()
    rejected: set[int] = set()
    field_errors = []
    for row in listing.rows():
        contact, errors = normalise(row, default_region=g.default_region)
        (accepted if contact else rejected).add(row.row_number)
        if contact:
            field_errors += errors
    assert rejected == set(g.bad_rows)
    assert len(accepted) == g.rows - len(g.bad_rows)
    assert field_errors == []  # good rows are clean: valid phones, e-mails, websites
