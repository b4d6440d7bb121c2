"""The helper process that reads and normalises a large list beside the import worker.

Real processes: the helper is spawned as in production. It must hand over exactly what the
worker would have prepared itself (same chunks, rows, errors, counts), an import through it
must end exactly as one without it, and it must not outlive a worker killed with -9.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from rainmaker_intake.adapters.reader import open_list
from rainmaker_intake.adapters.tables import contacts, import_errors, imports, touches
from rainmaker_intake.service_layer.prepare import (
    Prepared,
    Trailing,
    prepared,
    prepared_in_helper,
)
from rainmaker_intake.testing.listgen import GeneratedList, generate
from tests.support.imports import import_directly

CHUNK = 5000
ROWS = 2 * CHUNK + 777  # three chunks, the last one partial


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> GeneratedList:
    path = tmp_path_factory.mktemp("helper") / "list.csv"
    return generate(path, ROWS, seed=5, bad_rate=0.03, dup_rate=0.1, formula_rate=0.01)


def test_the_helper_hands_over_what_the_worker_would_prepare(messy: GeneratedList) -> None:
    listfile = open_list(messy.path)
    tags, region = ("industry/software",), messy.default_region
    inline = list(prepared(listfile, 0, tags, region, CHUNK))
    helped = list(prepared_in_helper(listfile, 0, tags, region, CHUNK, first_rows=None))
    assert [type(i) for i in helped] == [Prepared, Prepared, Prepared, Trailing]
    assert helped == inline
    chunks = [i for i in helped if isinstance(i, Prepared)]
    assert sum(c.counts["rejected"] for c in chunks) == len(messy.bad_rows) > 0
    # Resuming after a checkpoint: only rows past it, in both.
    after = chunks[0].last_row
    resumed = list(prepared_in_helper(listfile, after, tags, region, CHUNK, first_rows=None))
    assert resumed == list(prepared(listfile, after, tags, region, CHUNK)) == inline[1:]


def test_the_helper_starts_with_a_small_chunk(messy: GeneratedList) -> None:
    """The worker waits for the helper's first chunk: it is `first_rows` rows (of a run, so
    also after a checkpoint), the next ones double up to whole chunks, and the rows are the
    same."""
    listfile = open_list(messy.path)
    tags, region = ("industry/software",), messy.default_region
    helped = list(prepared_in_helper(listfile, 0, tags, region, CHUNK, first_rows=700))
    chunks = [i for i in helped if isinstance(i, Prepared)]
    assert [c.rows for c in chunks] == [700, 1400, 2800, CHUNK, ROWS - 4900 - CHUNK]
    assert helped == list(prepared(listfile, 0, tags, region, CHUNK, first_rows=700))
    whole = [i for i in prepared(listfile, 0, tags, region, CHUNK) if isinstance(i, Prepared)]
    rows = [s.contact.row_number for c in chunks for s in c.sightings]
    assert rows == [s.contact.row_number for c in whole for s in c.sightings]
    after = chunks[1].last_row
    resumed = prepared_in_helper(listfile, after, tags, region, CHUNK, first_rows=700)
    assert next(c.rows for c in resumed if isinstance(c, Prepared)) == 700


def _import(path: Path, work: Path, helper_min_bytes: int) -> dict[str, object]:
    db = import_directly(path, work, helper_min_bytes=helper_min_bytes, chunk_rows=CHUNK)
    with db.reader() as s:
        job = s.execute(select(imports)).one()._mapping
        out: dict[str, object] = {
            k: job[k]
            for k in ("status", "rows_done", "accepted", "duplicates_in_file", "rejected")
        }
        out["contacts"] = s.scalar(select(func.count()).select_from(contacts))
        out["touches"] = s.scalar(select(func.count()).select_from(touches))
        out["errors"] = sorted(
            (r.row_number, r.column_name, r.reason) for r in s.execute(select(import_errors))
        )
        out["emails"] = sorted(e or "" for e in s.scalars(select(contacts.c.email)))
    db.dispose()
    return out


def test_an_import_through_the_helper_ends_as_one_without(
    messy: GeneratedList, tmp_path: Path
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    helped = _import(messy.path, tmp_path / "a", helper_min_bytes=0)
    alone = _import(messy.path, tmp_path / "b", helper_min_bytes=1 << 40)
    assert helped["status"] == "done" and helped["rows_done"] == ROWS
    assert helped == alone


WORKER = textwrap.dedent(
    """
    import multiprocessing, sys
    from rainmaker_intake.adapters.reader import open_list
    from rainmaker_intake.service_layer.prepare import prepared_in_helper

    if __name__ == "__main__":
        items = prepared_in_helper(open_list(sys.argv[1]), 0, (), "GB")
        next(items)  # the helper is running and a chunk ahead
        print(multiprocessing.active_children()[0].pid, flush=True)
        sys.stdin.read()  # wait here, holding the helper, until killed
    """
)


def test_the_helper_stops_when_its_worker_is_killed(messy: GeneratedList, tmp_path: Path) -> None:
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    worker = subprocess.Popen(
        [sys.executable, str(script), str(messy.path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout is not None
    helper = int(worker.stdout.readline())
    assert _alive(helper)
    worker.send_signal(signal.SIGKILL)  # the worker alone, not its process group
    worker.wait(10)
    deadline = time.monotonic() + 15
    while _alive(helper) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(helper), "the helper outlived its worker"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its new parent) counts as gone.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
