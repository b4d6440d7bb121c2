"""Read and normalise a list into chunks ready to ingest, in this process or in a helper one.

Reading, parsing and normalising a row (phone numbers, names, addresses) and folding it for
matching (its profile and blocking-key hashes) need no database, so for a large file a helper
process does them while the worker de-duplicates and writes the previous chunk: the two cores
both work. Chunks come back in file order through a bounded queue (memory stays a few
chunks), so the worker's checkpoint logic is the same either way. The helper exits when the
worker dies (a watchdog thread watches its parent), and an error in it is raised in the
worker, which fails the attempt as any error would (the bus retries it, resuming after the
checkpoint).
"""

import io
import logging
import multiprocessing
import os
import pickle
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any

from rainmaker_bus.collector import between_batches
from rainmaker_db import json_text
from rainmaker_intake.adapters.reader import ListFile
from rainmaker_intake.domain.contact import NormalisedContact, RawRow, RowError
from rainmaker_intake.domain.dedup import Keyed
from rainmaker_intake.domain.normalise import normalise
from rainmaker_intake.service_layer.ingest import Sighting
from rainmaker_intake.service_layer.lead_events import own_fields

log = logging.getLogger(__name__)
# Rows de-duplicated and committed together. Each commit writes every page the chunk dirtied
# in the (random) blocking-key index, about all of them once the table is large, so fewer,
# larger chunks write far less: 1M rows end to end took 161 s in chunks of 20,000 against
# 180 s in chunks of 5,000. 40,000 since session 14, once the helper no longer set the pace:
# 61.0 s against 63.4 s (the worker's commits and checkpoint waits halve; the helper peaks at
# ~720 MiB instead of ~580 MiB). A chunk holds SQLite's write lock for ~2-5 s.
CHUNK_ROWS = 40_000
# The helper's first chunk of a run: the worker waits for it (the helper's start and a whole
# chunk of 20,000 rows took ~1.9 s; its first 2,000 rows come ~0.1 s after its start). Each
# next chunk is twice as large, up to `chunk_rows`: early on the worker stores a chunk in
# about half the time the helper takes to prepare one, so it never waits for a whole one.
FIRST_CHUNK_ROWS = 2_000
# Rows the helper may read ahead of the worker, in whole chunks: bounds its lead and memory
# (4 chunks of 20,000 took the helper to 655 MiB).
READ_AHEAD_ROWS = 40_000
COUNTERS = (
    "accepted",
    "duplicates_in_file",
    "duplicates_existing",
    "suppressed",
    "existing_customers",
    "rejected",
    "invalid_emails",
    "invalid_phones",
)


@dataclass
class Prepared:
    """One chunk of a file: its valid rows as sightings, its row errors, and its counts."""

    sightings: list[Sighting]
    errors: list[RowError]
    counts: dict[str, int]
    rows: int  # rows this chunk accounts for (data rows and rows the reader refused)
    last_row: int  # the checkpoint once this chunk is stored

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # Sent from the helper as columns of plain tuples and strings: object by object,
        # unpickling took the worker 7.5 us a row (23 us while the collector ran), as
        # columns 4.0 us (the objects are made again from plain values).
        s = self.sightings
        columns = (
            [_CONTACT_VALUES(x.contact) for x in s],
            [x.original for x in s],
            [x.notes for x in s],
            [x.tags for x in s],
            [x.keyed.packed if x.keyed else None for x in s],
            [x.keyed.hashes if x.keyed else None for x in s],
            [x.wire for x in s],
        )
        return _prepared, (columns, self.errors, self.counts, self.rows, self.last_row)


_CONTACT_FIELDS = tuple(f.name for f in fields(NormalisedContact))
_CONTACT_VALUES = attrgetter(*_CONTACT_FIELDS)


def _prepared(columns: tuple[list[Any], ...], *rest: Any) -> Prepared:
    contacts, originals, notes, tags, packed, hashes, wires = columns
    sightings = [
        Sighting(
            NormalisedContact(*values),
            original,
            note,
            tag,
            Keyed(pk, hs) if pk is not None else None,
            wire,
        )
        for values, original, note, tag, pk, hs, wire in zip(
            contacts, originals, notes, tags, packed, hashes, wires, strict=True
        )
    ]
    return Prepared(sightings, *rest)


@dataclass
class Trailing:
    """Errors reported after the last chunk (rows past max_rows, an unreadable last line)."""

    errors: list[RowError] = field(default_factory=list)


Item = Prepared | Trailing


def prepare_chunk(
    chunk: list[RawRow], read_errors: list[RowError], tags: tuple[str, ...], region: str | None
) -> Prepared:
    sightings: list[Sighting] = []
    errors = list(read_errors)
    counts = dict.fromkeys(COUNTERS, 0)
    for raw in chunk:
        contact, row_errors = normalise(raw, default_region=region)
        errors.extend(row_errors)
        counts["invalid_emails"] += any(e.column == "email" for e in row_errors)
        counts["invalid_phones"] += any(e.column in ("phone", "mobile") for e in row_errors)
        if contact is None:
            counts["rejected"] += 1
            continue
        original = {**raw.values, **raw.attributes}
        sightings.append(
            Sighting(contact, json_text(original) if original else None, tags=tags,
                     keyed=Keyed.of(contact), wire=own_fields(contact, None))
        )  # fmt: skip
    # Rows the reader refused (column "*"); a row whose over-long cell it blanked came through.
    refused = {e.row_number for e in read_errors if e.column == "*"}
    counts["rejected"] += len(refused)
    last_row = max(chunk[-1].row_number, max((e.row_number for e in errors), default=0))
    return Prepared(sightings, errors, counts, len(chunk) + len(refused), last_row)


def prepared(
    listfile: ListFile,
    after: int,
    tags: tuple[str, ...],
    region: str | None,
    chunk_rows: int = CHUNK_ROWS,
    first_rows: int | None = None,
) -> Iterator[Item]:
    """The file's chunks of `chunk_rows` after row `after` (rows up to it were stored before a
    restart, and their errors reported), then its trailing errors. `first_rows`: a smaller
    first chunk, for a caller that waits for it; chunks then double up to `chunk_rows`."""
    errors: list[RowError] = []
    chunk: list[RawRow] = []
    size = min(first_rows or chunk_rows, chunk_rows)
    for row in listfile.rows(on_error=errors.append):
        if row.row_number <= after:
            continue
        chunk.append(row)
        if len(chunk) >= size:
            yield prepare_chunk(chunk, _after(errors, after), tags, region)
            chunk, errors, size = [], [], min(2 * size, chunk_rows)
    if chunk:
        yield prepare_chunk(chunk, _after(errors, after), tags, region)
        errors = []
    yield Trailing(_after(errors, after))


def _after(errors: list[RowError], after: int) -> list[RowError]:
    return [e for e in errors if e.row_number > after]


def prepared_in_helper(
    listfile: ListFile,
    after: int,
    tags: tuple[str, ...],
    region: str | None,
    chunk_rows: int = CHUNK_ROWS,
    first_rows: int | None = FIRST_CHUNK_ROWS,
) -> Iterator[Item]:
    """`prepared(...)`, computed by a helper process up to READ_AHEAD_ROWS ahead of the caller
    (which waits for the first chunk: `first_rows`)."""
    ctx = multiprocessing.get_context("spawn")  # no fork: the worker runs an AMQP I/O thread
    ahead = max(1, READ_AHEAD_ROWS // chunk_rows)
    items: multiprocessing.Queue[bytes | BaseException | None] = ctx.Queue(ahead)
    helper = ctx.Process(
        target=_helper_main,
        args=(items, os.getpid(), listfile, after, tags, region, chunk_rows, first_rows),
        name="intake-prepare",
        daemon=True,
    )
    helper.start()
    try:
        while True:
            try:
                item = items.get(timeout=5)
            except queue.Empty:
                if not helper.is_alive():
                    why = f"the prepare helper died (exit code {helper.exitcode})"
                    raise RuntimeError(why) from None
                continue
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            # Handed over without a reference left in this frame: the caller collects garbage
            # after storing the chunk, and a live chunk would be walked for nothing.
            box: list[Item] = [pickle.loads(item)]
            del item
            yield box.pop()
    finally:
        if helper.is_alive():
            helper.terminate()
        helper.join(10)
        items.close()


def _helper_main(
    items: "multiprocessing.Queue[bytes | BaseException | None]",
    parent: int,
    listfile: ListFile,
    after: int,
    tags: tuple[str, ...],
    region: str | None,
    chunk_rows: int,
    first_rows: int | None,
) -> None:
    # A watchdog, not checks between puts: once the worker is gone the helper may be blocked
    # anywhere, e.g. in the queue's feeder thread flushing into a pipe nobody reads.
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()
    try:
        with between_batches() as collect:
            for item in prepared(listfile, after, tags, region, chunk_rows, first_rows):
                items.put(_pickled(item))
                collect()
    except Exception as exc:  # raised again in the worker, where the job fails visibly
        log.exception("prepare helper failed")
        items.put(RuntimeError(f"reading the list failed: {type(exc).__name__}: {exc}"))
        return
    items.put(None)


def _pickled(item: Item) -> bytes:
    """A chunk pickled without the memo (`Pickler.fast`): a chunk is a tree of plain values
    (no cycles; a value shared by rows is written once a row), and the memo was a quarter of
    pickling it (0.37-0.43 s against 0.27-0.30 s per 100,000 rows). The attribute is marked
    deprecated in the docs since Python 2 but is still how the C pickler turns the memo off."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    pickler.dump(item)
    return out.getvalue()


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)
