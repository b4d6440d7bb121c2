"""Who appears in a generated list: new people, repeats of them, repeats of another list's."""

import random
from collections.abc import Mapping

from rainmaker_intake.testing.entities import Company, Person, make_company, make_person
from rainmaker_intake.testing.noise import duplicate
from rainmaker_intake.testing.pools import LocalePool, build_pool, encodable
from rainmaker_intake.testing.rows import bad_row, render

NEW, DUP, CROSS, BAD = range(4)  # kinds of row


class People:
    """Who appears in the list: new people, repeats of them, repeats of another list's."""

    def __init__(self, rows: int, rng: random.Random, locales: Mapping[str, float],
                 encoding: str, seed: int, region: str) -> None:  # fmt: skip
        self.rng, self.region = rng, region
        self.pools = [
            encodable(build_pool(loc, seed + i), encoding) for i, loc in enumerate(locales)
        ]
        self.weights = list(locales.values())
        self.notes = [self.pools[0].faker.sentence() for _ in range(300)]
        self.taken: set[str] = set()
        self.companies: list[Company] = [
            make_company(self._pool(), rng, self.taken) for _ in range(max(20, rows // 20))
        ]
        self.sources: list[Person | list[str]] = []  # entity -> person, or another list's row
        self.from_other: dict[int, int] = {}  # other list's row -> entity

    def _pool(self) -> LocalePool:
        return self.rng.choices(self.pools, self.weights)[0]

    def _render(self, person: Person) -> list[str]:
        return render(person, self.rng, self.notes)

    def row(self, kind: int, other: tuple[int, list[str]] | None) -> tuple[list[str], int, str]:
        """(cells, entity or -1, reason when the row must be rejected)."""
        if other is not None:
            entity = self.from_other.setdefault(other[0], len(self.sources))
            if entity == len(self.sources):
                self.sources.append(other[1])
            return duplicate(other[1], self.rng), entity, ""
        if kind == DUP and self.sources:
            entity = self.rng.randrange(len(self.sources))
            source = self.sources[entity]
            base = self._render(source) if isinstance(source, Person) else source
            return duplicate(base, self.rng), entity, ""
        company = self.companies[int(len(self.companies) * self.rng.random() ** 2)]  # big ones
        pool = company.pool if self.rng.random() < 0.8 else self._pool()
        person = make_person(company, pool, self.rng, self.taken)
        if kind == BAD:
            cells, reason = bad_row(self._render(person), self.rng)
            return cells, -1, reason
        self.sources.append(person)
        return self._render(person), len(self.sources) - 1, ""
