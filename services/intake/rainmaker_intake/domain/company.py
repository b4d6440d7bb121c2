"""Company names: the display form (trimmed) and the key used for matching.

The key folds case, accents and punctuation, spells "&"/"+" as "and", drops a leading "The"
(or a leading Russian/Japanese legal form) and trailing legal forms:
"Acme Holdings GmbH & Co. KG" -> "acme holdings", "ACME, Inc." -> "acme",
"Société Générale S.A." -> "societe generale". A name that is only a legal form keeps it
("Company" stays "company"). Keys are cached: lists repeat companies.
"""

import re
import unicodedata
from functools import lru_cache

_LEGAL_FORMS = frozenset(
    """inc incorporated llc llp lp ltd limited plc corp corporation co company cos
    gmbh mbh ggmbh gesmbh ag kg kgaa ohg gbr ug ev se eg
    sa sas sasu sarl eurl sca snc sl slu srl spa sapa scarl
    bv nv vof cv oy oyj ab as asa aps kk ltda sae pty pvt pte bhd sdn tbk zrt kft sro
    and""".split()  # noqa: SIM905
)
# Russian, Ukrainian and Japanese legal forms written before the name.
_LEADING_FORMS = frozenset("ооо зао оао пао ао тов 株式会社 有限会社 合同会社".split())  # noqa: RUF001, SIM905
_JOINED = re.compile("[.'\u2019`\u00b4]")
_SEPARATORS = re.compile(r"[\W_]+")


@lru_cache(maxsize=1 << 17)
def company_key(name: str) -> str | None:
    """The folded matching key of a company name, None when nothing is left."""
    text = name.casefold()
    if not text.isascii():
        text = "".join(
            c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
        )
    text = text.replace("&", " and ").replace("+", " and ")
    words = _SEPARATORS.sub(" ", _JOINED.sub("", text)).split()
    if len(words) > 1 and (words[0] == "the" or words[0] in _LEADING_FORMS):
        del words[0]
    while len(words) > 1:
        if words[-1] in _LEGAL_FORMS:
            words.pop()
        elif len(words) > 2 and words[-2] + words[-1] in _LEGAL_FORMS:
            del words[-2:]
        else:
            break
    return " ".join(words) or None
