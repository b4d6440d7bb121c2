"""Company size as people write it: "1,200", "1.200", "50-200", "500+", "10k", "ca. 300".

A range gives its LOWER bound ("50-200" -> 50, "51 to 200" -> 51): vendors bucket sizes
(1-10, 11-50, 51-200, 201-500...), and the lower bound keeps a contact inside the vendor's own
bucket, where a midpoint (125) would not. Thousands separators (",", ".", "'", spaces) are read
as such when followed by groups of exactly three digits; "k"/"m" multiply.
"""

import re
from functools import lru_cache

_NUMBER = re.compile(r"(\d{1,3}(?:[,.' \u00a0\u202f]\d{3})+|\d+(?:[.,]\d+)?)\s*([km])?\b", re.I)
_MULTIPLIERS = {"k": 1_000, "m": 1_000_000}


@lru_cache(maxsize=4096)  # a list uses a handful of size bands
def employee_count(value: str) -> int | None:
    """The (lower-bound) head count, None when the text holds no number."""
    if value.isdigit():
        return int(value)
    match = _NUMBER.search(value)
    if match is None:
        return None
    digits, unit = match.groups()
    if re.fullmatch(r"\d{1,3}(?:[,.' \u00a0\u202f]\d{3})+", digits):
        number = float(re.sub(r"\D", "", digits))
    else:
        number = float(digits.replace(",", "."))
    if unit:
        number *= _MULTIPLIERS[unit.lower()]
    return int(number)
