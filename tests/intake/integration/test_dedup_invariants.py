"""De-duplication invariants under random sequences of operations, on SQLite AND PostgreSQL.

A seeded `random.Random` drives intake through its HTTP API (lists, referrals, unmerges,
erasures, suppressions) with small noisy lists of a fixed pool of 30 people
(`invariant_lists.py`: nicknames, typos, second and role mailboxes, colleagues sharing a
surname and a switchboard). Every row knows whose it is, so after every step we check what
must hold whatever the rules decide:

1. every row of an import is counted once: accepted + duplicates (in file, existing) +
   suppressed + rejected == rows_total; a touch for every accepted or duplicate row, a
   decision for every duplicate, `in_file` exactly when the lead is new in this import or an
   earlier row of it touched the lead (lists run in one chunk or in chunks of 4 rows);
2. no two live contacts share a personal (non-role) e-mail address, and every row with an
   address a contact holds goes to that contact;
3. every touch points at a live contact, every live contact has a touch, every decision's
   touch sits on its survivor (or, undone, on the restored lead), every stored key belongs
   to a live contact and is listed on it, and every live lead was announced (leads.ingested);
4. after an erasure the person's addresses are in no table (unless another live lead holds
   them), and a later row with one of them is counted suppressed; so is a suppressed e-mail
   or domain; nobody else is suppressed;
5. an unmerged row listed again goes to its restored lead, not back to the survivor;
6. the same seed gives the same decisions (row, rule, score, survivor) on both databases;
7. no live contact holds rows of two different people (a wrong merge).

Why: each rule was tested on its own, with hand-made rows; the bugs live where they meet
(an unmerge next to an erasure, a switchboard shared by the people in one event). Both
databases run the same scenario in one test, and their summaries (ids replaced by the rows
behind them) must be equal. Invariants that fail today are listed in KNOWN, each with its
minimal reproduction below (marked xfail): the random runs report them in `Run.known` but do
not assert them. A handful of seeds is committed (~1.5 s each); to hunt with more, set
RAINMAKER_DEDUP_SEEDS, e.g. `RAINMAKER_DEDUP_SEEDS=100-399 pytest -k random_sequences`.
"""

import os
import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from rainmaker_intake.bootstrap import MIGRATIONS
from rainmaker_intake.config import Settings
from rainmaker_intake.domain.dedup_words import ROLE_ACCOUNTS
from rainmaker_intake.entrypoints.http import create_app
from rainmaker_intake.service_layer.importer import run_import
from rainmaker_intake.service_layer.prepare import CHUNK_ROWS
from rainmaker_web import KeyStore
from tests.intake.integration.conftest import Intake, table_rows_containing
from tests.intake.integration.invariant_lists import (
    ORGS,
    PEOPLE,
    REGION,
    Row,
    noisy_list,
    noisy_row,
    to_csv,
)
from tests.intake.integration.novaks import HELENA, ROBERT, erase, novak_csv
from tests.support.databases import migrated

COUNTS = ("accepted", "duplicates_in_file", "duplicates_existing", "suppressed", "rejected")
Ref = tuple[int, int]  # (step, file row number or referral index): one row of the scenario

# Invariants that fail on the current code (see the xfail reproductions at the end): reported
# in `Run.known`, not asserted by the random test.
KNOWN = {
    "chunk boundary",  # a sighting's second address is forgotten at the end of its chunk
}


def fold(text: str | None) -> str:
    return "".join(ch for ch in (text or "").casefold() if ch.isalnum())


def body(response: Any) -> Any:
    """A test response's JSON body (Flask types it optional)."""
    data = response.get_json()
    assert data is not None, response.get_data(as_text=True)
    return data


def is_role(email: str) -> bool:
    return email.partition("@")[0] in ROLE_ACCOUNTS


@dataclass
class Run:
    """One scenario on one database: what it did (`summary`, compared across databases) and
    what broke (`violations`: hard; `known`: listed in KNOWN)."""

    intake: Intake
    seed: int
    rng: random.Random = field(init=False)
    step: int = 0
    rows: dict[Ref, Row] = field(default_factory=dict)
    labels: dict[str, Ref] = field(default_factory=dict)  # lead_id -> the row that made it
    touch_refs: dict[str, Ref] = field(default_factory=dict)  # touch_id -> its row
    referral_steps: set[int] = field(default_factory=set)
    suppressed_emails: set[str] = field(default_factory=set)
    suppressed_domains: set[str] = field(default_factory=set)
    erased_emails: set[str] = field(default_factory=set)
    erased_phones: set[tuple[str, str]] = field(default_factory=set)  # (E.164, folded last)
    erased_places: set[tuple[str, str]] = field(default_factory=set)  # (postcode, last)
    erased_pids: set[int] = field(default_factory=set)
    summary: list[Any] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    known: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    # --- reporting -----------------------------------------------------------------------

    def fail(self, kind: str, detail: str) -> None:
        line = f"seed {self.seed} step {self.step} [{kind}] {detail}"
        (self.known if kind in KNOWN else self.violations).append(line)

    # --- the scenario --------------------------------------------------------------------

    def play(self, steps: int) -> "Run":
        for self.step in range(1, steps + 1):
            self.one_step()
            self.check_state()
        return self

    def one_step(self) -> None:
        pick = self.rng.random()
        active = self.active_decisions()
        if pick < 0.15 and active:
            self.unmerge(self.rng.choice(active))
        elif pick < 0.25 and self.labels:
            self.erase(self.rng.choice(sorted(self.labels.items(), key=lambda x: x[1]))[0])
        elif pick < 0.35:
            self.suppress()
        elif pick < 0.5:
            self.refer(
                [
                    noisy_row(self.rng, self.rng.choice(PEOPLE))
                    for _ in range(self.rng.randint(1, 4))
                ]
            )
        else:
            self.import_rows(noisy_list(self.rng, self.rng.randint(5, 40)))

    # --- operations ----------------------------------------------------------------------

    def import_rows(self, rows: list[Row]) -> dict[Ref, str | None]:
        """Import `rows` as a new list; check invariant 1 and the routing of its rows."""
        before = self.live_emails()
        # One chunk, as for any small list, or chunks of a few rows: the rows of an earlier
        # chunk are stored contacts for the next one, as in a 20,000-row chunk of a big list.
        chunk_rows = self.rng.choice((CHUNK_ROWS, CHUNK_ROWS, 4))
        r = self.intake.upload(
            to_csv(rows), f"list {self.step}", vendor=f"V{self.step}", default_region=REGION
        )
        assert r.status_code == 202, r.get_data(as_text=True)
        run_import(self.intake.db, r.json["import_id"], chunk_rows=chunk_rows)
        status = self.intake.status(r.json["import_id"])
        assert status["status"] == "done", status
        refs = {row_no: (self.step, row_no) for row_no in range(2, len(rows) + 2)}
        for row_no, row in zip(refs, rows, strict=True):
            self.rows[refs[row_no]] = row
        counts = {k: status[k] for k in COUNTS}
        if sum(counts.values()) != status["rows_total"] or status["rows_total"] != len(rows):
            self.fail(
                "counts", f"{counts} against rows_total {status['rows_total']}, {len(rows)} rows"
            )
        touched = self.query(
            "SELECT touch_id, row_number, lead_id FROM touches WHERE import_id = :i",
            i=status["import_id"],
        )
        decided = {
            r.touch_id: r
            for r in self.query(
                "SELECT * FROM dedup_decisions WHERE import_id = :i", i=status["import_id"]
            )
        }
        target: dict[Ref, str | None] = dict.fromkeys(refs.values())
        outcomes: dict[int, Any] = {}
        new = 0
        for t in touched:
            ref = refs[t.row_number]
            self.touch_refs[t.touch_id] = ref
            target[ref] = t.lead_id
            d = decided.get(t.touch_id)
            if d is None:
                new += 1
                self.labels[t.lead_id] = ref
                outcomes[t.row_number] = ("new",)
        seen: set[str] = set()  # leads an earlier row of this import touched
        for t in sorted(touched, key=lambda t: t.row_number):
            d = decided.get(t.touch_id)
            if d is not None:
                survivor = self.labels.get(d.lead_id)
                outcomes[t.row_number] = (d.kind, d.rule, round(d.score, 4), survivor)
                in_file = d.lead_id in seen or (survivor is not None and survivor[0] == self.step)
                if (d.kind == "in_file") != in_file:
                    self.fail("kind", f"row {t.row_number} is {d.kind}, its lead {survivor}")
            seen.add(t.lead_id)
        dups = counts["duplicates_in_file"] + counts["duplicates_existing"]
        if (new, len(decided)) != (counts["accepted"], dups):
            self.fail("counts", f"{new} new leads and {len(decided)} decisions for {counts}")
        leads = [target[refs[n]] for n in refs]
        self.check_rows(rows, leads, before, counts["rejected"], chunk_rows < len(rows))
        outcome = sorted(outcomes.items())
        self.summary.append(("import", self.step, chunk_rows, counts, outcome))
        return target

    def refer(self, rows: list[Row]) -> dict[Ref, str | None]:
        before = self.live_emails()
        self.referral_steps.add(self.step)
        items = [row.referral(f"r{self.step}x{i}") for i, row in enumerate(rows)]
        r = self.intake.client.post(
            "/referrals",
            json={"leads": items, "default_region": REGION},
            headers=self.intake.headers,
        )
        if not any(row.reachable for row in rows):  # nobody acceptable: refused as a whole
            assert r.status_code == 422, r.get_data(as_text=True)
            self.summary.append(("refer", self.step, r.status_code))
            return dict.fromkeys(((self.step, i) for i in range(len(rows))), None)
        assert r.status_code == 201, r.get_data(as_text=True)
        results = body(r)["results"]
        target: dict[Ref, str | None] = {}
        outcomes = []
        for i, (row, result) in enumerate(zip(rows, results, strict=True)):
            ref = (self.step, i)
            self.rows[ref] = row
            target[ref] = result["lead_id"]
            [touch] = self.query(
                "SELECT touch_id FROM touches WHERE source_id = :s",
                s=f"employee/name:r{self.step}x{i}",
            ) or [None]
            if touch is not None:
                self.touch_refs[touch.touch_id] = ref
            if result["status"] == "new":
                self.labels[result["lead_id"]] = ref
            outcomes.append((result["status"], self.labels.get(result["lead_id"] or "")))
        rejected = sum(x["status"] == "rejected" for x in results)
        self.check_rows(rows, list(target.values()), before, rejected)
        self.summary.append(("refer", self.step, outcomes))
        return target

    def unmerge(self, decision: Any) -> None:
        """Undo `decision`, then list its row again (invariant 5)."""
        ref = self.touch_refs[decision.touch_id]
        survivor = decision.lead_id
        r = self.intake.client.post(
            f"/leads/{survivor}/unmerge",
            json={"decision_id": decision.decision_id},
            headers=self.intake.headers,
        )
        if r.status_code != 201:
            self.fail(
                "unmerge refused",
                f"decision of row {ref} ({decision.rule}) on "
                f"{self.labels[survivor]}: {r.status_code} {r.get_data(as_text=True)}",
            )
            self.summary.append(("unmerge", self.step, ref, r.status_code))
            return
        restored = body(r)["lead_id"]
        self.labels[restored] = ref
        lead = self.intake.lead(restored)
        row = self.rows[ref]
        if (lead["email"], lead["phone"]) != (row.email, row.phone):
            self.fail(
                "restored", f"row {ref} {row.values} restored as {lead['email']}, {lead['phone']}"
            )
        self.step_again(ref, survivor, restored, decision.rule)

    def step_again(self, ref: Ref, survivor: str, restored: str, rule: str) -> None:
        row = self.rows[ref]
        again = self.refer([row]) if ref[0] in self.referral_steps else self.import_rows([row])
        [(_, lead)] = again.items()
        known = {None: "suppressed", restored: "restored", survivor: "survivor"}
        where = known.get(lead, f"other {self.labels.get(lead or '')}")
        if where == "survivor":
            self.fail(
                "back to survivor",
                f"row {ref} {row.values} (unmerged from "
                f"{self.labels[survivor]}, rule {rule}) went back to the survivor",
            )
        self.summary.append(("unmerge", self.step, ref, self.labels[survivor], where))

    def erase(self, lead_id: str) -> None:
        """Erase a lead; check invariant 4 at once (later rows check the rest)."""
        lead = self.intake.lead(lead_id)
        label = self.labels.pop(lead_id)
        emails = {lead["email"]} if lead["email"] else set()
        for t in lead["touches"]:
            raw = (t["original"] or {}).get("email")
            if raw and raw.strip():
                emails.add(raw.strip().lower())
            self.erased_pids.add(self.rows[self.touch_refs[t["touch_id"]]].pid)
        r = self.intake.client.delete(f"/leads/{lead_id}", headers=self.intake.headers)
        assert r.status_code == 204, r.get_data(as_text=True)
        last = fold(lead["last_name"] or lead["first_name"] or lead["company"])
        if lead["phone"]:
            self.erased_phones.add((lead["phone"], last))
        if lead["street"] and lead["postcode"]:
            self.erased_places.add((fold(lead["postcode"]), last))
        self.erased_emails |= emails
        held = self.live_emails()
        left = self.query("SELECT touch_id, original FROM touches")
        originals = " ".join(str(t.original).lower() for t in left)
        phones = {c.phone for c in self.query("SELECT phone FROM contacts")}
        phones |= {self.rows[self.touch_refs[t.touch_id]].phone for t in left}
        for email in sorted(emails):
            if email in held or email in originals or email in self.suppressed_emails:
                continue  # another live lead's address, or in another lead's row
            traces = table_rows_containing(self.intake.db, email)
            if traces:
                self.fail("erasure", f"{email} of erased {label} still in {sorted(traces)}")
        if lead["phone"] and lead["phone"] not in phones:
            traces = table_rows_containing(self.intake.db, lead["phone"])
            if traces:
                self.fail("erasure", f"{lead['phone']} of {label} still in {sorted(traces)}")
        traces = table_rows_containing(self.intake.db, lead_id)
        erased_events = [e for e in self.intake.events() if lead_id in str(e)]
        if set(traces) - {"bus_outbox"} or [e["type"] for e in erased_events] != ["lead.erased"]:
            self.fail(
                "erasure",
                f"erased {label}'s id still in {sorted(traces)}, events "
                f"{[e['type'] for e in erased_events]}",
            )
        self.summary.append(("erase", self.step, label, sorted(emails)))

    def suppress(self) -> None:
        pick = self.rng.random()
        if pick < 0.2 and (self.suppressed_emails or self.suppressed_domains):
            kind, value = self.rng.choice(
                sorted(
                    [("email", e) for e in self.suppressed_emails]
                    + [("domain", d) for d in self.suppressed_domains]
                )
            )
            r = self.intake.client.delete(
                f"/suppressions/{kind}/{value}", headers=self.intake.headers
            )
            assert r.status_code == 204, r.get_data(as_text=True)
            (self.suppressed_emails if kind == "email" else self.suppressed_domains).discard(value)
        else:
            if pick < 0.35:
                kind, value = "domain", self.rng.choice(ORGS).domain
            else:
                kind, value = "email", self.rng.choice(PEOPLE).email
            r = self.intake.client.post(
                "/suppressions",
                json={"items": [{"kind": kind, "value": value.upper()}]},
                headers=self.intake.headers,
            )
            assert r.status_code == 201, r.get_data(as_text=True)
            (self.suppressed_emails if kind == "email" else self.suppressed_domains).add(value)
        self.summary.append(("suppress", self.step, kind, value))

    # --- checks --------------------------------------------------------------------------

    def check_rows(
        self,
        rows: list[Row],
        leads: list[str | None],
        before: dict[str, set[str]],
        rejected: int,
        chunked: bool = False,
    ) -> None:
        """Invariants 2 and 4 for the rows of one import or referral batch."""
        if rejected != sum(not r.reachable for r in rows):
            self.fail(
                "counts",
                f"{rejected} rejected, {sum(not r.reachable for r in rows)} rows unreachable",
            )
        went: dict[str, set[str]] = defaultdict(set)
        for row, lead in zip(rows, leads, strict=True):
            must, may = self.kept_out(row)
            if lead is not None:
                if must or not row.reachable:
                    self.fail("suppression", f"{row.values} got in as {self.labels.get(lead)}")
                if row.email and not row.role:
                    went[row.email].add(lead)
                    holders = before.get(row.email, set())
                    if holders and lead not in holders:
                        self.fail(
                            "email",
                            f"{row.email} went to {self.labels.get(lead)}, not "
                            f"to a lead holding it: {[self.labels[h] for h in holders]}",
                        )
            elif row.reachable and not must:
                if not may:
                    self.fail("suppression", f"{row.values} kept out for no reason")
                elif row.pid not in self.erased_pids:
                    self.fail(
                        "collateral suppression",
                        f"{row.values} (person {row.pid}) kept out by {may}, "
                        f"erased with people {sorted(self.erased_pids)}",
                    )
        for email, where in went.items():
            # Two leads hold it only after an e-mail merge was undone: either will do.
            if len(where) > 1 and not where <= before.get(email, set()):
                kind = "chunk boundary" if chunked else "email"
                self.fail(kind, f"rows with {email} went to {len(where)} leads")

    def kept_out(self, row: Row) -> tuple[bool, str | None]:
        """(must be suppressed, why it may be: an erased person's phone or address with their
        surname, or a role mailbox their rows used)."""
        email = row.email or ""
        must = bool(email) and (
            email in self.suppressed_emails
            or (email in self.erased_emails and not row.role)
            or email.partition("@")[2] in self.suppressed_domains
        )
        last = fold(row.values["Last Name"])
        may = None
        if (row.phone, last) in self.erased_phones:
            may = "its phone with the surname"
        elif email in self.erased_emails:
            may = "a role mailbox"
        elif row.values["Street"] and (fold(row.values["Postcode"]), last) in self.erased_places:
            may = "its address with the surname"
        return must, may

    def check_state(self) -> None:
        """Invariants 2, 3 and 7 on the whole database, after every step."""
        live = {c.lead_id: c for c in self.query("SELECT * FROM contacts")}
        touches = self.query("SELECT touch_id, lead_id FROM touches")
        decisions = self.query("SELECT * FROM dedup_decisions")
        for lead_id in live:
            if lead_id not in self.labels:
                self.fail("touches", f"lead {lead_id} made by no row we know of")
        emails = Counter(c.email for c in live.values() if c.email and not is_role(c.email))
        # An undone e-mail decision leaves the address on both leads: the user said so. One
        # recorded as a fuzzy rule for a row with the survivor's very address is another bug.
        undone = {d.merged_id: d for d in decisions if d.undone_at}
        for email, n in emails.items():
            mine = []
            for i, c in live.items():
                d = undone.get(i)
                survivor = live.get(d.lead_id) if d else None
                if (
                    d is None
                    or c.email != email
                    or (d.rule != "email" and (survivor is None or survivor.email != email))
                ):
                    continue
                mine.append(d)
                if d.rule != "email":
                    self.fail(
                        "weaker rule",
                        f"row {self.touch_refs.get(d.touch_id)} with "
                        f"{email}, merged by {d.rule} {d.score}, undone: two leads hold it",
                    )
            if n - len(mine) > 1:
                holders = sorted(
                    self.labels.get(i) or (0, 0) for i, c in live.items() if c.email == email
                )
                self.fail("email", f"{n} live leads hold {email}: {holders}")
        with_touch = Counter(t.lead_id for t in touches)
        for t in touches:
            if t.lead_id not in live:
                self.fail(
                    "touches",
                    f"touch of row {self.touch_refs.get(t.touch_id)} on a lead that is gone",
                )
        for lead_id in live:
            if not with_touch[lead_id]:
                self.fail("touches", f"lead {self.labels.get(lead_id)} has no touch")
        on = {t.touch_id: t.lead_id for t in touches}
        for d in decisions:
            owner = d.lead_id if d.undone_at is None else d.merged_id
            if d.lead_id not in live or on.get(d.touch_id) != owner:
                self.fail(
                    "touches",
                    f"decision on row {self.touch_refs.get(d.touch_id)} "
                    f"(undone: {d.undone_at is not None}) is not on its lead",
                )
        self.check_keys(live)
        announced = {
            lead["lead_id"]
            for e in self.intake.events("leads.ingested")
            for lead in e["data"]["leads"]
        }
        for lead_id in sorted(set(live) - announced, key=lambda i: self.labels.get(i, (0, 0))):
            self.fail("announced", f"lead {self.labels.get(lead_id)} is in no leads.ingested")
        for lead_id in live:
            pids = {
                self.rows[self.touch_refs[t.touch_id]].pid
                for t in touches
                if t.lead_id == lead_id and t.touch_id in self.touch_refs
            }
            if len(pids) > 1:
                self.fail("wrong merge", f"lead {self.labels.get(lead_id)} holds people {pids}")
        self.summary.append(("state", self.step, self.digest(live, touches, decisions)))

    def check_keys(self, live: dict[str, Any]) -> None:
        from rainmaker_intake.adapters.contact_store import unpack_hashes

        numbers = {c.contact_no: c for c in live.values()}
        held: dict[int, set[int]] = defaultdict(set)
        for k in self.query("SELECT key_hash, contact_no FROM contact_keys"):
            held[k.contact_no].add(k.key_hash)
        for no, hashes in held.items():
            if no not in numbers:
                self.fail("keys", f"{len(hashes)} keys of contact number {no}, who is gone")
            elif not hashes <= set(unpack_hashes(numbers[no].key_hashes)):
                self.fail("keys", f"keys of {self.labels.get(numbers[no].lead_id)} not listed")

    def digest(self, live: dict[str, Any], touches: list[Any], decisions: list[Any]) -> Any:
        """The database's state with ids replaced by the rows behind them."""
        touch_of: dict[str, list[Ref]] = defaultdict(list)
        for t in touches:
            touch_of[t.lead_id].append(self.touch_refs.get(t.touch_id, (0, 0)))
        leads = sorted(
            (
                self.labels.get(i, (0, 0)),
                c.email,
                c.phone,
                c.first_name,
                c.last_name,
                c.company,
                c.city,
                c.street,
                sorted(touch_of[i]),
            )
            for i, c in live.items()
        )
        decided = sorted(
            (
                self.touch_refs.get(d.touch_id, (0, 0)),
                self.labels.get(d.lead_id, (0, 0)),
                d.kind,
                d.rule,
                round(d.score, 4),
                d.undone_at is not None,
            )
            for d in decisions
        )
        return leads, decided

    # --- reading the database -----------------------------------------------------------

    def query(self, sql: str, **params: Any) -> list[Any]:
        with self.intake.db.reader() as session:
            return list(session.execute(text(sql), params))

    def live_emails(self) -> dict[str, set[str]]:
        held: dict[str, set[str]] = defaultdict(set)
        for c in self.query("SELECT lead_id, email FROM contacts WHERE email IS NOT NULL"):
            held[c.email].add(c.lead_id)
        return held

    def active_decisions(self) -> list[Any]:
        rows = self.query("SELECT * FROM dedup_decisions WHERE undone_at IS NULL")
        return sorted(rows, key=lambda d: self.touch_refs[d.touch_id])


# --- running a scenario on both databases ------------------------------------------------


@pytest.fixture
def both(
    sqlite_url: str,
    pg_url: str,
    key_store: KeyStore,
    keys: dict[str, dict[str, str]],
    tmp_path: Path,
) -> Iterator[dict[str, Intake]]:
    with migrated(MIGRATIONS, sqlite_url) as lite, migrated(MIGRATIONS, pg_url) as pg:
        yield {
            name: Intake(
                create_app(
                    Settings(database_url=db.url, upload_dir=tmp_path / name), key_store=key_store
                ).test_client(),
                db,
                keys["marketing"],
            )
            for name, db in (("sqlite", lite), ("postgresql", pg))
        }


def first_difference(a: list[Any], b: list[Any]) -> str:
    for x, y in zip(a, b, strict=False):
        if x != y:
            return f"\n  sqlite:     {x}\n  postgresql: {y}"
    return f"lengths {len(a)} and {len(b)}"


def _seeds() -> list[int]:
    """The committed seeds (each plays every kind of step), or RAINMAKER_DEDUP_SEEDS: "a-b"."""
    wanted = os.environ.get("RAINMAKER_DEDUP_SEEDS")
    if not wanted:
        return [6, 10, 18, 21]
    first, _, last = wanted.partition("-")
    return list(range(int(first), int(last or first) + 1))


STEPS = 18
OPERATIONS = {"import", "refer", "unmerge", "erase", "suppress"}


@pytest.mark.parametrize("seed", _seeds())
def test_random_sequences_keep_the_invariants(both: dict[str, Intake], seed: int) -> None:
    runs = {name: Run(intake, seed).play(STEPS) for name, intake in both.items()}
    for name, run in runs.items():
        assert not run.violations, f"{name}:\n" + "\n".join(run.violations)
    lite, pg = runs["sqlite"].summary, runs["postgresql"].summary
    assert lite == pg, first_difference(lite, pg)
    if "RAINMAKER_DEDUP_SEEDS" not in os.environ:  # the committed seeds keep their coverage
        assert {s[0] for s in lite} >= OPERATIONS | {"state"}


# --- minimal reproductions of what the random runs found (KNOWN) ---------------------------


def _unmerge(intake: Intake, lead_id: str, decision_id: int) -> Any:
    return intake.client.post(
        f"/leads/{lead_id}/unmerge", json={"decision_id": decision_id}, headers=intake.headers
    )


def test_erasing_a_lead_keeps_its_colleagues_announced(intake: Intake) -> None:
    # Both on the switchboard (Robert's direct line not given): one leads.ingested event.
    robert = {**ROBERT, "Phone": HELENA["Phone"]}
    intake.import_list(novak_csv(robert, HELENA), "Novak", vendor="A")
    helena = intake.lead_id_of(HELENA["Email"])
    erase(intake, intake.lead_id_of(ROBERT["Email"]))
    announced = [x["lead_id"] for e in intake.events("leads.ingested") for x in e["data"]["leads"]]
    assert helena in announced


def test_an_unmerged_row_that_adds_nothing_goes_to_its_restored_lead(intake: Intake) -> None:
    intake.import_list(novak_csv(ROBERT), "A", vendor="A")
    survivor = intake.lead_id_of(ROBERT["Email"])
    row = {**ROBERT, "Email": ""}  # the same phone, name, company and city; no address
    intake.import_list(novak_csv(row), "B", vendor="B")
    [decision] = intake.lead(survivor)["decisions"]
    assert decision["rule"] == "phone+name"
    restored = body(_unmerge(intake, survivor, decision["decision_id"]))["lead_id"]

    again = intake.import_list(novak_csv(row), "C", vendor="C")
    assert again["duplicates_existing"] == 1
    assert len(intake.lead(survivor)["touches"]) == 1  # not back to the survivor
    assert len(intake.lead(restored)["touches"]) == 2


def test_a_row_with_the_survivors_address_is_decided_by_email(intake: Intake) -> None:
    intake.import_list(novak_csv(ROBERT), "A", vendor="A")
    survivor = intake.lead_id_of(ROBERT["Email"])
    # Row 2: his second mailbox (name+company); row 3: his stored address, the same again.
    second = {**ROBERT, "Email": "rnovak@novak-eng.co.uk", "Phone": ""}
    intake.import_list(novak_csv(second, {**ROBERT, "Phone": ""}), "B", vendor="B")
    decisions = intake.lead(survivor)["decisions"]
    # Row 3 is recorded by its address: undoing an e-mail decision says two people share it.
    assert [(d["row_number"], d["rule"]) for d in decisions] == [(2, "name+company"), (3, "email")]


def test_a_file_counts_its_duplicates_alike_whatever_its_chunks(intake: Intake) -> None:
    intake.import_list(novak_csv(ROBERT), "A", vendor="A")
    # Row 2 meets him by his second mailbox, row 3 by his phone; neither row meets the other.
    rows = novak_csv(
        {**ROBERT, "Email": "rnovak@novak-eng.co.uk", "Phone": "", "Company": ""},
        {**ROBERT, "Email": "", "Company": "", "City": ""},
    )
    counts = []
    for name, chunk_rows in (("one chunk", 20_000), ("a chunk a row", 1)):
        r = intake.upload(rows, name, vendor=name)
        run_import(intake.db, r.json["import_id"], chunk_rows=chunk_rows)
        status = intake.status(r.json["import_id"])
        counts.append((status["duplicates_in_file"], status["duplicates_existing"]))
    assert counts == [(1, 1), (1, 1)]


@pytest.mark.parametrize("shared", ["surname and switchboard", "role mailbox"])
def test_an_erasure_keeps_out_no_colleague(intake: Intake, shared: str) -> None:
    if shared == "role mailbox":
        erased = {**ROBERT, "Email": "info@novak-eng.co.uk"}
        colleague = {
            **HELENA,
            "Last Name": "Achebe",
            "Email": "info@novak-eng.co.uk",
            "Phone": "+44 20 7946 0503",
        }
    else:
        erased = {**ROBERT, "Phone": HELENA["Phone"]}
        colleague = HELENA
    intake.import_list(novak_csv(erased), "A", vendor="A")
    erase(intake, intake.lead_id_of(erased["Email"]))
    later = intake.import_list(novak_csv(colleague), "B", vendor="B")
    assert (later["accepted"], later["suppressed"]) == (1, 0)


def test_a_referral_merged_by_its_national_phone_can_be_unmerged(intake: Intake) -> None:
    intake.import_list(novak_csv(ROBERT), "A", vendor="A")
    survivor = intake.lead_id_of(ROBERT["Email"])
    referral = {
        "first_name": "Robert",
        "last_name": "Novak",
        "company": "Novak Engineering",
        "phone": "020 7946 0501",
        "referrer": {"type": "employee", "name": "Sam"},
    }
    r = intake.client.post(
        "/referrals", json={"leads": [referral], "default_region": "GB"}, headers=intake.headers
    )
    assert body(r)["results"][0]["status"] == "duplicate"
    [decision] = intake.lead(survivor)["decisions"]
    r = _unmerge(intake, survivor, decision["decision_id"])
    assert r.status_code == 201, r.get_data(as_text=True)
    assert intake.lead(body(r)["lead_id"])["phone"] == "+442079460501"


@pytest.mark.xfail(
    strict=True,
    reason="the sightings an earlier row added to a lead (its second "
    "mailbox) are kept for one chunk only (`ingest`'s chunk_index): past a chunk "
    "boundary the same address goes to another lead",
)
def test_rows_with_one_address_go_to_one_lead_across_chunks(intake: Intake) -> None:
    second = {**ROBERT, "Email": "rnovak@novak-eng.co.uk"}
    switchboard = {"First Name": "Robert", "Last Name": "Novak", "Phone": HELENA["Phone"]}
    # Rows 2-3: Robert by both mailboxes. Row 4: only his name and the switchboard, a lead of
    # its own (no rule joins it). Row 5: his second mailbox again, from the switchboard.
    rows = novak_csv(ROBERT, second, switchboard, {**second, "Phone": HELENA["Phone"]})
    r = intake.upload(rows, "Novak", vendor="A")
    run_import(intake.db, r.json["import_id"], chunk_rows=2)  # rows 2-3, then rows 4-5
    with intake.db.reader() as session:
        rows_of = session.execute(text("SELECT row_number, lead_id FROM touches")).all()
    lead_of: dict[int, str] = {n: lead for n, lead in rows_of}
    assert lead_of[5] == lead_of[3]  # as in one chunk: row 3's address, by the e-mail rule
