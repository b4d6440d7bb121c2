"""Valid phone numbers per region, drawn fast: real prefixes from `phonenumbers`, random tails.

Building the pool calls `phonenumbers` a few thousand times; drawing a number afterwards is a
string substitution, so a million rows cost no parsing. Every written format parses back to
the same E.164 number (national formats only with the list's default region).
"""

import random
from dataclasses import dataclass

import phonenumbers as pn

TAIL = 4  # random digits appended to a validated prefix
_TRIES = 4000


@dataclass(frozen=True)
class PhonePrefix:
    """A validated number minus its last TAIL digits, with its formats as %-templates."""

    region: str
    e164: str
    international: str
    national: str


@dataclass(frozen=True)
class Phone:
    prefix: PhonePrefix
    tail: str

    @property
    def e164(self) -> str:
        return self.prefix.e164 % tuple(self.tail)

    def render(self, style: str) -> str:
        """One of `e164`, `international`, `national`, `00`, `digits` (national, no spaces)."""
        p = self.prefix
        if style == "e164":
            return self.e164
        if style == "00":
            return "00" + (p.international % tuple(self.tail))[1:]
        if style == "digits":
            return "".join(ch for ch in p.national % tuple(self.tail) if ch.isdigit())
        if style == "national":
            return p.national % tuple(self.tail)
        return p.international % tuple(self.tail)


def _template(formatted: str) -> str:
    """Turn the last TAIL digits of a formatted number into %s slots."""
    chars = list(formatted.replace("%", "%%"))
    left = TAIL
    for i in range(len(chars) - 1, -1, -1):
        if left and chars[i].isdigit():
            chars[i] = "%s"
            left -= 1
    return "".join(chars)


def _any_tail_valid(code: int, head: str, rng: random.Random) -> bool:
    """Valid with its own tail and with a few random ones (some plans constrain the tail)."""
    tails = [f"{rng.randrange(10**TAIL):0{TAIL}d}" for _ in range(4)]
    return all(pn.is_valid_number(pn.parse(f"+{code}{head}{t}")) for t in tails)


def prefixes(region: str, rng: random.Random, count: int = 300) -> list[PhonePrefix]:
    """Up to `count` distinct valid prefixes for fixed lines and mobiles of `region`."""
    out: dict[str, PhonePrefix] = {}
    kinds = (pn.PhoneNumberType.FIXED_LINE, pn.PhoneNumberType.MOBILE)
    examples = [pn.example_number_for_type(region, kind) for kind in kinds]
    for _ in range(_TRIES):
        if len(out) >= count:
            break
        example = rng.choice([e for e in examples if e is not None])
        nsn = pn.national_significant_number(example)
        digits = nsn[:1] + "".join(rng.choice("0123456789") for _ in nsn[1:])
        number = pn.parse("+" + str(example.country_code) + digits)
        if digits[:-TAIL] in out or not pn.is_valid_number(number):
            continue
        if not _any_tail_valid(number.country_code or 0, digits[:-TAIL], rng):
            continue
        fmt = pn.PhoneNumberFormat
        out[digits[:-TAIL]] = PhonePrefix(
            region=region,
            e164=_template(pn.format_number(number, fmt.E164)),
            international=_template(pn.format_number(number, fmt.INTERNATIONAL)),
            national=_template(pn.format_number(number, fmt.NATIONAL)),
        )
    return list(out.values())


def draw(pool: list[PhonePrefix], rng: random.Random) -> Phone:
    return Phone(rng.choice(pool), f"{rng.randrange(10**TAIL):04d}")
