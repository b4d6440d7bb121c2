"""Turn a row into a plausible second sighting of the same person.

Each duplicate gets one change to the name (typo, nickname, swapped first/last, case or
spacing) and independent changes to e-mail, company, phone and address. A duplicate keeps
enough to be recognised: when its e-mail is dropped or replaced, its company stays.
"""

import random

from rainmaker_intake.testing.entities import split_suffix
from rainmaker_intake.testing.nicknames import NICKNAMES
from rainmaker_intake.testing.pools import ascii_fold
from rainmaker_intake.testing.rows import COMPANY, EMAIL, FIRST, LAST, PHONE, POSTCODE, STREET
from rainmaker_intake.testing.vocab import FREEMAIL, STREET_ABBREVIATIONS, SUFFIXES

_KEYS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEAR = {
    ch: row[max(0, i - 1) : i] + row[i + 1 : i + 2] for row in _KEYS for i, ch in enumerate(row)
}
_FORMAL = {nick: formal for formal, nicks in NICKNAMES.items() for nick in nicks}
_EXPAND = {short.rstrip("."): long for long, short in STREET_ABBREVIATIONS.items()}


def typo(text: str, rng: random.Random, edits: int = 1) -> str:
    """`edits` keyboard slips (substitution, deletion, doubling, transposition)."""
    chars = list(text)
    for _ in range(edits):
        letters = [i for i, ch in enumerate(chars) if ch.isalpha()]
        if len(letters) < 4:
            break
        i = letters[0] if rng.random() < 0.1 else rng.choice(letters[1:])
        op = rng.randrange(4)
        if op == 0:
            near = _NEAR.get(chars[i].lower(), "e")
            chars[i] = rng.choice(near).upper() if chars[i].isupper() else rng.choice(near)
        elif op == 1:
            del chars[i]
        elif op == 2:
            chars.insert(i, chars[i].lower())
        elif i + 1 < len(chars):
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
    return "".join(chars)


def _latin(text: str) -> bool:
    return bool(text) and all(ch.isascii() or ch in "äöüßéèàçñáíóúëïâêôÄÖÜÉ" for ch in text)


def _name(row: list[str], rng: random.Random) -> None:
    op = rng.choices(("none", "typo", "nick", "swap", "case", "space"), (4, 5, 3, 2, 3, 3))[0]
    first = row[FIRST]
    if op == "nick" and (first in NICKNAMES or first in _FORMAL):
        nicks = NICKNAMES.get(first)
        row[FIRST] = rng.choice(nicks) if nicks else _FORMAL[first]
    elif op in ("typo", "nick") and _latin(row[FIRST] + row[LAST]):
        i = LAST if rng.random() < 0.6 else FIRST
        row[i] = typo(row[i], rng, 2 if len(row[i]) >= 7 and rng.random() < 0.2 else 1)
    elif op == "swap":
        row[FIRST], row[LAST] = row[LAST], row[FIRST]
    elif op == "case":
        row[FIRST], row[LAST] = rng.choice(
            ((row[FIRST].upper(), row[LAST].upper()), (row[FIRST].lower(), row[LAST].lower()),
             (row[FIRST], row[LAST].upper()))
        )  # fmt: skip
    elif op in ("space", "typo", "nick"):
        row[FIRST], row[LAST] = f" {row[FIRST]}", f"{row[LAST]}  "


def _email(row: list[str], rng: random.Random, first: str, last: str) -> str:
    """Same, other case, dropped, or another address at the same company (from the names
    as they were before the row's name noise: a mailbox does not share a typo)."""
    op = rng.choices(("same", "case", "missing", "other"), (9, 3, 4, 4))[0]
    local, _, domain = row[EMAIL].partition("@")
    if op == "case":
        row[EMAIL] = rng.choice((row[EMAIL].upper(), f"{local.title()}@{domain.title()}"))
    elif op == "other" and first and last and domain and domain not in FREEMAIL:
        new = rng.choice(
            (f"{first}{last}", f"{first}.{last}", f"{last}.{first}", f"{first}_{last}")
        )
        row[EMAIL] = f"{new if new != local else last + '.' + first}@{domain}"
    elif op in ("missing", "other"):
        row[EMAIL] = ""
    return op


def _company(row: list[str], rng: random.Random, may_drop: bool) -> None:
    op = rng.choices(("same", "suffix", "case", "typo", "missing"), (7, 7, 3, 2, 2))[0]
    base, form = split_suffix(row[COMPANY])
    if op == "suffix" and form:
        row[COMPANY] = f"{base} {rng.choice([*SUFFIXES[form], ''])}".strip()
    elif op == "suffix" and " and " in base:
        row[COMPANY] = base.replace(" and ", " & ")
    elif op == "case":
        row[COMPANY] = rng.choice((row[COMPANY].upper(), row[COMPANY].lower()))
    elif op == "typo" and _latin(base) and len(base) >= 6:
        row[COMPANY] = f"{typo(base, rng)} {form}".strip()
    elif op == "missing" and may_drop:
        row[COMPANY] = ""


def _phone(row: list[str], rng: random.Random) -> None:
    """Drop the number or write it differently (the digits, hence E.164, stay the same)."""
    op = rng.choices(("same", "format", "missing"), (3, 5, 2))[0]
    text = row[PHONE]
    digits = "".join(ch for ch in text if ch.isdigit())
    if op == "missing":
        row[PHONE] = ""
    elif op == "format" and text.startswith(("+", "00")):
        digits = digits[2:] if text.startswith("00") else digits
        grouped = " ".join(digits[i : i + 3] for i in range(0, len(digits), 3))
        row[PHONE] = rng.choice((f"+{digits}", f"+{grouped}"))
    elif op == "format" and digits:
        sep = rng.choice((" ", ".", "-", ""))
        row[PHONE] = sep.join(digits[i : i + 3] for i in range(0, len(digits), 3))


def _street_abbrev(street: str, rng: random.Random) -> str:
    if rng.random() < 0.2:
        return " ".join(_EXPAND.get(w.rstrip("."), w) for w in street.split(" "))
    dot = "." if rng.random() < 0.5 else ""
    out = " ".join(
        STREET_ABBREVIATIONS[w] + dot if w in STREET_ABBREVIATIONS else w for w in street.split(" ")
    )
    for long in ("straße", "strasse", "Straße", "Strasse"):
        out = out.replace(long, long[:3] + ".")
    return out


def _address(row: list[str], rng: random.Random) -> None:
    op = rng.choices(("same", "abbrev", "case", "typo"), (7, 8, 3, 1))[0]
    if op == "abbrev":
        row[STREET] = _street_abbrev(row[STREET], rng)
        if rng.random() < 0.3:
            row[POSTCODE] = row[POSTCODE].replace(" ", "")
    elif op == "case":
        row[STREET] = row[STREET].upper()
    elif op == "typo" and _latin(row[STREET]):
        row[STREET] = typo(row[STREET], rng)


def duplicate(row: list[str], rng: random.Random) -> list[str]:
    """A noisy copy of `row` (a rendered or read-back row) that is the same person."""
    out = list(row)
    _name(out, rng)
    first, last = ascii_fold(row[FIRST]), ascii_fold(row[LAST])
    email_kept = _email(out, rng, first, last) in ("same", "case") and bool(out[EMAIL])
    _company(out, rng, may_drop=email_kept or bool(out[STREET]))
    _phone(out, rng)
    _address(out, rng)
    return out
