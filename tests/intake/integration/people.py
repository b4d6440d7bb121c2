"""Small, clean lists of distinct people for the tests that are about what happens to them
(re-uploads, overlaps, erasure, suppression, unmerge), not about the mess of the file."""

import csv
import io
from collections.abc import Iterable, Mapping

HEADERS = ("First Name", "Last Name", "Email", "Company", "Job Title", "Phone", "City")
FIRSTS = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "John", "Radia",
          "Niklaus", "Margaret", "Dennis", "Katherine", "Ken", "Hedy", "Tim")  # fmt: skip
LASTS = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Backus",
         "Perlman", "Wirth", "Hamilton", "Ritchie", "Johnson", "Thompson", "Lamarr",
         "Berners")  # fmt: skip


def person(i: int, **overrides: str) -> dict[str, str]:
    """Person `i` (0 <= i < 256): a distinct name, company, mailbox domain and phone."""
    first, last = FIRSTS[i % len(FIRSTS)], LASTS[(i // len(FIRSTS) + i) % len(LASTS)]
    row = {
        "First Name": first,
        "Last Name": last,
        "Email": f"{first}.{last}{i}@company{i}.com".lower(),
        "Company": f"Company {i} Ltd",
        "Job Title": "Engineer",
        "Phone": f"+44 20 7946 {i:04d}",
        "City": "London",
    }
    row.update(overrides)
    return row


def to_csv(rows: Iterable[Mapping[str, str]], headers: Iterable[str] = HEADERS) -> bytes:
    out = io.StringIO(newline="")
    names = list(headers)
    writer = csv.DictWriter(out, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({h: row.get(h, "") for h in names})
    return out.getvalue().encode()
