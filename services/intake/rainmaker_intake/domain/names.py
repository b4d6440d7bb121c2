"""Person names: spacing, ALL-CAPS/all-lower case fixing, and splitting a full name.

Split rule for "only a full name": honorifics in front (Dr., Mrs, Herr, Mme...) and suffixes at
the end (Jr, III, PhD...) are dropped; "Last, First" is swapped; the surname starts at the
first particle (van, von, de, da, di, del, der, le, la, bin...) after the first word, else it is
the last word ("Mary Ann Smith" -> Mary Ann / Smith). CJK names written with a space are
family-name first ("王 小明" -> first 小明, last 王). A single word is a first name.
"""

import re
from functools import lru_cache

_PARTICLES = frozenset(
    """van von der den de del della di da das do dos du des la le lo ten ter zu af al bin ibn
    ben st""".split()  # noqa: SIM905
)
_HONORIFICS = frozenset(
    """mr mrs ms miss mx dr prof professor sir dame lord lady rev herr frau fr hr mme mlle m
    monsieur madame sr sra srta don doña dott ing dipl mag""".split()  # noqa: SIM905
)
_SUFFIXES = frozenset("jr sr ii iii iv phd md mba esq dds cpa msc bsc".split())  # noqa: SIM905
_MC = re.compile(r"\bMc([a-z])")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def clean(value: str) -> str:
    """Trimmed, inner whitespace (incl. tabs and newlines) collapsed to single spaces."""
    return " ".join(value.split())


def fix_case(value: str) -> str:
    """Title-case a name that is ALL CAPS or all lower; mixed case is kept as given."""
    if not (value.isupper() or value.islower()):
        return value
    words = value.title().split(" ")
    for i in range(len(words) - 1):
        if words[i].casefold() in _PARTICLES and i > 0:
            words[i] = words[i].lower()
    titled = " ".join(words)
    return _MC.sub(lambda m: "Mc" + m.group(1).upper(), titled) if "Mc" in titled else titled


@lru_cache(maxsize=1 << 16)  # first and last names repeat a lot in any list
def name_part(value: str) -> str | None:
    """A first or last name as given: cleaned and case-fixed, None when blank."""
    text = clean(value)
    return fix_case(text) if text else None


def _key(word: str) -> str:
    return word.strip(".,").casefold()


def _trim(words: list[str]) -> list[str]:
    """Honorifics dropped from the front, suffixes from the end (one word always stays)."""
    while len(words) > 1 and _key(words[0]) in _HONORIFICS:
        words.pop(0)
    while len(words) > 1 and _key(words[-1]) in _SUFFIXES:
        words.pop()
    return words


def split_full_name(value: str) -> tuple[str | None, str | None]:
    """(first, last) from a full name; see the module docstring for the rules."""
    text = fix_case(clean(value))
    if "," in text:
        head, _, tail = text.partition(",")
        tail_words = tail.replace(",", " ").split()
        if tail_words and not all(_key(w) in _SUFFIXES for w in tail_words):
            return " ".join(_trim(tail_words)), (head.strip() or None)
        text = head
    words = _trim(text.split())
    if not words:
        return None, None
    if len(words) == 1:
        return words[0], None
    if _CJK.match(words[0]):
        return " ".join(words[1:]), words[0]
    cut = len(words) - 1
    for i in range(1, len(words) - 1):
        if words[i].casefold() in _PARTICLES:
            cut = i
            break
    return " ".join(words[:cut]), " ".join(words[cut:])


def person_name(
    first: str | None, last: str | None, full: str | None
) -> tuple[str | None, str | None]:
    """First and last name from whichever of first/last/full name a row has."""
    first_name = name_part(first) if first else None
    last_name = name_part(last) if last else None
    if full and (first_name is None or last_name is None):
        split_first, split_last = split_full_name(full)
        if first_name is None and last_name is None:
            return split_first, split_last
        if last_name is None and split_first and _same_start(split_first, first_name):
            last_name = split_last
        elif first_name is None and split_last and split_last.split()[-1] == last_name:
            first_name = split_first
    return first_name, last_name


def _same_start(a: str, b: str | None) -> bool:
    return b is not None and a.split()[0] == b.split()[0]
