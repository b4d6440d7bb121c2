"""Postal addresses: street lines for matching, city/region for display, postcodes.

A street is folded to lower case without punctuation, with common words abbreviated the way
postal services do ("Main Street" and "main st." -> "main st"; "Hauptstraße 5", "Hauptstrasse 5"
and "Hauptstr. 5" -> "hauptstr 5"; "5th Avenue" -> "5th ave"). The German "Str." is read as
Straße ("Berliner Str." -> "berliner str"); the English abbreviation "St." stays "st".
"""

import re
from functools import lru_cache

from rainmaker_intake.domain.names import clean, fix_case

_WORDS = {
    "street": "st", "str": "str", "strasse": "str", "road": "rd", "avenue": "ave", "av": "ave",
    "avenida": "avda", "boulevard": "blvd", "bd": "blvd", "bvd": "blvd", "drive": "dr",
    "lane": "ln", "court": "ct", "place": "pl", "platz": "pl", "square": "sq",
    "highway": "hwy", "parkway": "pkwy", "terrace": "ter", "crescent": "cres",
    "close": "cl", "gardens": "gdns", "suite": "ste", "apartment": "apt", "floor": "fl",
    "building": "bldg", "north": "n", "south": "s", "east": "e", "west": "w",
    "chemin": "ch", "route": "rte", "impasse": "imp", "allee": "allee", "plaza": "pza",
}  # fmt: skip
_NUMBER_MARKS = frozenset({"no", "nr", "number", "num"})
_JOINED = re.compile("['\u2019`\u00b4]")
_SEPARATORS = re.compile(r"[\W_]+")
_ASCII_SEPARATORS = bytes(b if chr(b).isalnum() else 32 for b in range(128)) + bytes(128)


def street_line(value: str) -> str | None:
    """'12 Main Street, Apt. 4' -> '12 main st apt 4'; None when blank."""
    if value.isascii():  # the common case, at bytes speed
        text = value.lower()
        words = text.encode().translate(_ASCII_SEPARATORS, b"'`").decode().split()
    else:
        text = _JOINED.sub("", value.casefold())
        words = _SEPARATORS.sub(" ", text).split()
    if "strasse" not in text and _NUMBER_MARKS.isdisjoint(words):
        return " ".join([_WORDS.get(word, word) for word in words]) or None
    out: list[str] = []
    for i, word in enumerate(words):
        if word in _NUMBER_MARKS and i + 1 < len(words) and words[i + 1][:1].isdigit():
            continue
        short = _WORDS.get(word)
        if short is None and word.endswith("strasse") and len(word) > 7:
            short = word[:-7] + "str"
        out.append(short or word)
    return " ".join(out) or None


@lru_cache(maxsize=1 << 14)
def place(value: str) -> str | None:
    """A city or region for display: spacing cleaned; ALL CAPS fixed unless a short code."""
    text = clean(value)
    if not text:
        return None
    return fix_case(text) if len(text) > 3 else text


def postcode(value: str) -> str | None:
    """Upper case, single spaces: ' sw1a  1aa ' -> 'SW1A 1AA'."""
    return " ".join(value.upper().split()) or None
