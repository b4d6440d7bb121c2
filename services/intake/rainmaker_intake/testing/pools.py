"""Pools of names, companies, streets and places, drawn once from Faker per locale.

Rows are then assembled from these pools with a seeded `random.Random`, so a million rows
cost a million cheap choices instead of a million Faker calls.
"""

import random
import re
import unicodedata
from dataclasses import dataclass

from faker import Faker

from rainmaker_intake.testing.phones import PhonePrefix, prefixes

COUNTRY = {
    "en_US": "US", "en_GB": "GB", "de_DE": "DE", "fr_FR": "FR", "es_ES": "ES", "nl_NL": "NL",
    "ja_JP": "JP", "zh_CN": "CN", "ru_RU": "RU", "el_GR": "GR",
}  # fmt: skip
TLD = {
    "US": "com", "GB": "co.uk", "DE": "de", "FR": "fr", "ES": "es", "NL": "nl",
    "JP": "co.jp", "CN": "com.cn", "RU": "ru", "GR": "gr",
}  # fmt: skip
NON_LATIN = frozenset({"ja_JP", "zh_CN", "ru_RU", "el_GR"})
_CYRILLIC = "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya"
_GREEK = "a v g d e z i th i k l m n x o p r s s t y f ch ps o"
_CYR = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя", _CYRILLIC.split(), strict=True))
_GRK = dict(zip("αβγδεζηθικλμνξοπρσςτυφχψω", _GREEK.split(), strict=True))


def ascii_fold(text: str) -> str:
    """Lower-case ASCII letters only: accents dropped, Cyrillic and Greek transliterated."""
    out = []
    for ch in unicodedata.normalize("NFKD", text.lower()):
        if ch.isascii():
            out.append(ch if ch.isalnum() else "")
        else:
            out.append(_CYR.get(ch, _GRK.get(ch, "")).strip("_"))
    return "".join(out)


@dataclass
class LocalePool:
    locale: str
    country: str
    first_names: list[tuple[str, str]]  # (name as written, ASCII form for e-mail addresses)
    last_names: list[tuple[str, str]]
    streets: list[str]
    places: list[tuple[str, str]]  # (city, postcode)
    jobs: list[str]
    phones: list[PhonePrefix]
    faker: Faker


def _names(fake: Faker, draw: str, romanised: str, n: int) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for _ in range(n):
        name = str(getattr(fake, draw)())
        ascii_ = ascii_fold(name)
        if not ascii_ and hasattr(fake, romanised):
            ascii_ = ascii_fold(str(getattr(fake, romanised)()))
        if ascii_:
            seen.setdefault(name, ascii_)
    return list(seen.items())


def build_pool(locale: str, seed: int, size: int = 600) -> LocalePool:
    fake = Faker(locale)
    fake.seed_instance(seed)
    country = COUNTRY[locale]
    return LocalePool(
        locale=locale,
        country=country,
        first_names=_names(fake, "first_name", "first_romanized_name", size),
        last_names=_names(fake, "last_name", "last_romanized_name", 2 * size),
        streets=sorted({fake.street_name() for _ in range(size)}),
        places=[(fake.city(), fake.postcode()) for _ in range(size)],
        jobs=sorted({fake.job() for _ in range(size // 3)}),
        phones=prefixes(country, random.Random(seed)),
        faker=fake,
    )


def encodable(pool: LocalePool, encoding: str) -> LocalePool:
    """Drop pool entries the target encoding cannot write (e.g. cp1252 and 'ł')."""

    def ok(text: str) -> bool:
        try:
            text.encode(encoding)
        except UnicodeEncodeError:
            return False
        return True

    pool.first_names = [n for n in pool.first_names if ok(n[0])]
    pool.last_names = [n for n in pool.last_names if ok(n[0])]
    pool.streets = [s for s in pool.streets if ok(s)]
    pool.places = [p for p in pool.places if ok(p[0] + p[1])]
    pool.jobs = [j for j in pool.jobs if ok(j)]
    return pool


def slug(text: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", ascii_fold_keep_space(text))).strip("-")


def ascii_fold_keep_space(text: str) -> str:
    return " ".join(ascii_fold(word) for word in text.split())
