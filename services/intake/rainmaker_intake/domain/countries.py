"""Country names and codes to ISO 3166-1 alpha-2.

Names come from the locale table that phonenumbers ships (every country in English, German,
French, Spanish, Italian, Dutch and Portuguese), plus alpha-2 and common alpha-3 codes and
everyday aliases (UK, USA, Holland...). Matching ignores case, accents and punctuation. The
table is built on first use (the locale module takes ~0.4 s to import), never at import.
"""

import unicodedata
from functools import cache, lru_cache

_LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pt")
_ALPHA3 = """USA US GBR GB DEU DE FRA FR ESP ES ITA IT NLD NL BEL BE AUT AT CHE CH LUX LU DNK DK
SWE SE NOR NO FIN FI ISL IS IRL IE PRT PT POL PL CZE CZ SVK SK HUN HU ROU RO BGR BG GRC GR HRV HR
SVN SI SRB RS EST EE LVA LV LTU LT UKR UA RUS RU TUR TR ISR IL ARE AE SAU SA IND IN CHN CN JPN JP
KOR KR SGP SG HKG HK TWN TW AUS AU NZL NZ CAN CA MEX MX BRA BR ARG AR CHL CL COL CO PER PE ZAF ZA
EGY EG NGA NG KEN KE MAR MA"""
_ALIASES = {
    "uk": "GB", "great britain": "GB", "britain": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "northern ireland": "GB", "u k": "GB", "us": "US", "u s": "US",
    "u s a": "US", "america": "US", "united states of america": "US", "holland": "NL",
    "the netherlands": "NL", "czechia": "CZ", "south korea": "KR", "korea": "KR",
    "republic of korea": "KR", "russian federation": "RU", "brd": "DE", "deutschland": "DE",
    "vereinigte staaten": "US", "grossbritannien": "GB", "tschechien": "CZ", "korea south": "KR",
    "uae": "AE", "emirates": "AE", "ivory coast": "CI", "vatican": "VA", "turkiye": "TR",
}  # fmt: skip


def fold(text: str) -> str:
    """Case, accents and punctuation folded: "Österreich" -> "osterreich", "U.S.A." -> "u s a"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(kept.split())


@cache
def _table() -> dict[str, str]:
    from phonenumbers.geodata.locale import LOCALE_DATA

    table: dict[str, str] = {}
    for code, names in LOCALE_DATA.items():
        if len(code) != 2 or not code.isalpha():
            continue
        table[code.casefold()] = code
        for lang in _LANGUAGES:
            name = names.get(lang, "")
            if name.startswith("*"):
                name = names.get(name[1:], "")
            if name:
                table.setdefault(fold(name), code)
    words = _ALPHA3.split()
    table.update({a3.casefold(): a2 for a3, a2 in zip(words[::2], words[1::2], strict=True)})
    table.update(_ALIASES)
    return table


@lru_cache(maxsize=4096)
def country_code(value: str) -> str | None:
    """ISO alpha-2 for a country name or code people write, None when not recognised."""
    return _table().get(fold(value))
