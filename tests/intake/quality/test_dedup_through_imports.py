"""De-duplication quality through the production import path, on generated lists with known truth.

`test_dedup_quality` scores one in-memory `DedupIndex`. This module proves the issue's bar,
pairwise precision >= 0.99 and recall >= 0.95, holds for what intake actually stores: two
generated lists (6,000 rows, 10% repeats within it; then 3,000 rows in Windows-1252 with ';',
10% repeats within it and 30% people of the first list) are uploaded through the HTTP app
and imported one after the other by `run_import`, as intake's worker runs a job, in chunks of
1,000 rows. So a chunk's rows find earlier chunks' and the first list's contacts only through
the database (`DbCandidates` over `contact_keys` and the stored match profiles), and a
matched stored contact has its blanks filled and is re-keyed (`fill_blanks`) before later
rows look for it. Each row's lead is read back from its touch (list, row number, lead id);
rows the normaliser rejected have no touch and, as in `dedup_eval`, do not count. The truth
is the generator's (`*.truth.csv` beside each list, closed transitively into people).

The paths are shown to be taken (hundreds of matches through the database, within the list
and across lists; dozens of stored contacts re-keyed). Never matching, or fetching no
candidates from the database, fails recall; merging any two rows sharing a blocking key
fails precision. Not shown: that re-keying changes the scores on these lists (a third
sighting that only a filled-in key would find is rare here).

Runs on a SQLite file (no server) and on a fresh PostgreSQL database (marked `integration`),
each migrated by intake's own migrations; about 4 s a database. `pytest -s` prints the
figures.
"""

import io
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from infra.devnodes import create_database, drop_database
from rainmaker_db import Database
from rainmaker_intake.adapters.tables import contacts, decisions, lists, touches
from rainmaker_intake.bootstrap import MIGRATIONS
from rainmaker_intake.config import Settings
from rainmaker_intake.entrypoints.http import create_app
from rainmaker_intake.service_layer.importer import run_import
from rainmaker_intake.testing.dedup_eval import Row, Scores, contacts_of, score, true_people
from rainmaker_intake.testing.listgen import GeneratedList, generate
from rainmaker_web import KeyStore
from tests.support import unique_id
from tests.support.databases import migrated

CHUNK_ROWS = 1000  # small: most matches are made against earlier chunks, in the database
REGION = "US"  # the generator's default region; the upload tells the import
# Fields that make blocking keys (blocking.profile_keys): filling one re-keys the contact.
KEY_FIELDS = frozenset(("email", "phone", "first_name", "last_name", "company",
                        "website_domain", "street", "postcode", "city"))  # fmt: skip
# A duplicate decision: its kind (in_file | existing), its rule, whether its survivor was
# stored by an earlier chunk or list (so matched through the database), and whether the row
# filled a blank key field of the survivor (so the survivor was re-keyed).
Decided = tuple[str, str, bool, bool]


@dataclass(frozen=True)
class Imported:
    """What the two imports left in the database, and how long they took."""

    database: str
    assigned: dict[Row, str]  # (list file name, row number) -> the lead its touch is on
    touches: int  # touches of the two lists: one per accepted row
    decisions: list[Decided]
    seconds: float


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> list[GeneratedList]:
    folder = tmp_path_factory.mktemp("dedup_imports")
    first = generate(folder / "first.csv", 6000, seed=31, dup_rate=0.1)
    second = generate(folder / "second.csv", 3000, seed=32, dup_rate=0.1, encoding="cp1252",
                      delimiter=";", cross_list_from=first.path, cross_rate=0.3)  # fmt: skip
    return [first, second]


@pytest.fixture(scope="module")
def people(generated: list[GeneratedList]) -> dict[Row, int]:
    return true_people([g.path for g in generated])


@pytest.fixture(
    scope="module",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)],
)
def empty_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A fresh, empty database for the module: a SQLite file, or a new PostgreSQL database.
    Module-scoped (the suite's `database_url` is per test, and would mark SQLite too as
    `integration`): the tests read one pair of imports."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'intake.db'}"
        return
    admin: str = request.getfixturevalue("pg_admin_url")
    name = unique_id("test")
    url = create_database(admin, name)
    yield url
    drop_database(admin, name)


@pytest.fixture(scope="module")
def imported(
    empty_database_url: str,
    generated: list[GeneratedList],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Imported]:
    work = tmp_path_factory.mktemp("intake")
    store = KeyStore(f"sqlite:///{work / 'auth.db'}")
    store.migrate()
    headers = {"Authorization": f"Bearer {store.create('marketing')}"}
    with migrated(MIGRATIONS, empty_database_url) as db:
        settings = Settings(database_url=db.url, upload_dir=work / "uploads")
        client = create_app(settings, key_store=store).test_client()
        started = time.perf_counter()
        for g in generated:  # the second list after the first: its repeats are "existing"
            import_id = _upload(client, headers, g.path)
            run_import(db, import_id, chunk_rows=CHUNK_ROWS)  # the worker's part of the job
            status = client.get(f"/imports/{import_id}", headers=headers).get_json()
            assert status["status"] == "done", status
        seconds = time.perf_counter() - started
        yield Imported(db.engine.dialect.name, *_read_back(db), seconds)
    store.close()


def _upload(client: FlaskClient, headers: dict[str, str], path: Path) -> str:
    """POST /lists as marketing does (the tests' `Intake.upload`); returns the import's id."""
    form: dict[str, Any] = {"name": path.name, "vendor": "ListCo", "cost": "100.00"}
    form |= {"currency": "EUR", "default_region": REGION}
    form["file"] = (io.BytesIO(path.read_bytes()), "list.csv")
    r = client.post("/lists", data=form, headers=headers, content_type="multipart/form-data")
    assert r.status_code == 202, r.get_data(as_text=True)
    body: dict[str, Any] = r.get_json()
    return str(body["import_id"])


def _read_back(db: Database) -> tuple[dict[Row, str], int, list[Decided]]:
    """Each touched row's lead, the number of touches, and each duplicate decision. A chunk's
    contacts and decisions carry that chunk's one timestamp: a survivor created at another
    time than the decision was stored by an earlier chunk (or the earlier list)."""
    with db.reader() as session:
        rows = session.execute(
            select(lists.c.name, touches.c.row_number, touches.c.lead_id).join(
                lists, lists.c.list_id == touches.c.source_id
            )
        )
        found = [((name, row_number), lead_id) for name, row_number, lead_id in rows]
        made = session.execute(
            select(
                decisions.c.kind,
                decisions.c.rule,
                contacts.c.created_at != decisions.c.decided_at,
                decisions.c.filled,  # JSON: a dict of what it filled, or None
            ).join(contacts, contacts.c.lead_id == decisions.c.lead_id)
        )
        decided = [
            (k, r, bool(earlier), bool(KEY_FIELDS & set(f or ()))) for k, r, earlier, f in made
        ]
    return dict(found), len(found), decided


@pytest.fixture(scope="module")
def scores(imported: Imported, people: dict[Row, int]) -> Scores:
    rules = Counter(rule for _, rule, _, _ in imported.decisions)
    found = score(imported.assigned, people, rules)
    paths = Counter(
        f"{kind}{'<-db' if earlier else ''}{'+rekeyed' if rekeyed else ''}"
        for kind, _, earlier, rekeyed in imported.decisions
    )
    print(
        f"\n[{imported.database}] {len(imported.assigned)} rows imported in"
        f" {imported.seconds:.1f} s (chunks of {CHUNK_ROWS}):"
        f" precision {found.precision:.4f}, recall {found.recall:.4f}"
        f" ({found.correct_pairs} correct of {found.predicted_pairs} predicted,"
        f" {found.true_pairs} true pairs); rules {found.rules}; matches {dict(paths)}"
    )
    return found


def test_every_accepted_row_has_exactly_its_touch(
    imported: Imported, generated: list[GeneratedList]
) -> None:
    """The rows scored are those the normaliser accepts: none lost, none extra."""
    accepted = {(g.path.name, c.row_number) for g in generated for c in contacts_of(g.path)}
    assert set(imported.assigned) == accepted
    assert imported.touches == len(accepted)
    assert len(accepted) >= 5000


def test_matches_go_through_the_database_across_chunks_and_lists(imported: Imported) -> None:
    """The paths the in-memory evaluation skips are taken, and often: a repeat matched to a
    row of an earlier chunk of its list, a row of the second list matched to a contact of the
    first, and stored contacts whose blank key fields a later row filled (`fill_blanks`
    re-keys them)."""
    kinds = Counter((kind, earlier) for kind, _, earlier, _ in imported.decisions)
    assert kinds[("in_file", True)] >= 400
    assert kinds[("existing", True)] >= 500
    assert kinds[("existing", False)] == 0  # every existing contact came from the database
    rekeyed = sum(earlier and rekeyed for _, _, earlier, rekeyed in imported.decisions)
    assert rekeyed >= 30


def test_pairwise_precision_and_recall_through_imports(scores: Scores) -> None:
    assert scores.true_pairs >= 1000
    assert scores.precision >= 0.99, scores
    assert scores.recall >= 0.95, scores
