"""phonenumbers' per-region metadata, compiled once for the E.164 fast path (see phones.py).

Each rule mirrors one step of phonenumbers.phonenumberutil: national prefix stripping
(_maybe_strip_national_prefix_carrier_code, without transform rules), the length test that
decides whether the stripped number is kept (_test_number_length), and validity
(_number_type_helper(...) != UNKNOWN, via _region_code_for_number_from_list).
"""

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata

_TYPES = (
    "premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan",
    "voicemail", "fixed_line", "mobile",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Region:
    name: str
    code: int
    code_str: str
    idd: re.Pattern[str] | None
    national_prefix: re.Pattern[str] | None
    has_transform: bool
    general: re.Pattern[str]
    lengths: frozenset[int]
    max_length: int
    local_only: frozenset[int]
    by_length: dict[int, re.Pattern[str]]

    def valid(self, nsn: str) -> bool:
        """General pattern and a number-type pattern of this length (one combined regex)."""
        pattern = self.by_length.get(len(nsn))
        return pattern is not None and pattern.fullmatch(nsn) is not None

    def strip_national_prefix(self, number: str) -> str | None:
        """The national significant number as phonenumbers.parse keeps it; None: ask it."""
        match = self.national_prefix.match(number) if self.national_prefix else None
        if match is None:
            return number
        if self.has_transform and match.groups() and match.groups()[-1] is not None:
            return None
        rest = number[match.end() :]
        if not self.general.fullmatch(rest) and self.general.fullmatch(number):
            return number  # (checking the stripped form first saves a regex in the usual case)
        size = len(rest)
        keep_stripped = size not in self.local_only and (
            size in self.lengths or size > self.max_length
        )
        return rest if keep_stripped else number

    def invalid_reason(self, nsn: str) -> str:
        """Why a number of this country code is invalid (is_possible_number_with_reason)."""
        size = len(nsn)
        if size not in self.local_only and size not in self.lengths:
            if size < min(self.lengths):
                return "too short"
            return "too long" if size > self.max_length else "wrong number of digits"
        return f"not a valid number in {self.name} (+{self.code})"


def _compile(pattern: str | None) -> re.Pattern[str] | None:
    return re.compile(pattern) if pattern else None


def _build(meta: Any) -> Region | None:
    general = meta.general_desc
    if general is None or not general.national_number_pattern or not general.possible_length:
        return None
    by_length: dict[int, re.Pattern[str]] = {}
    for size in general.possible_length:
        patterns = [
            f"(?:{desc.national_number_pattern})"
            for desc in (getattr(meta, name) for name in _TYPES)
            if desc is not None
            and desc.national_number_pattern
            and (not desc.possible_length or size in desc.possible_length)
        ]
        if patterns:  # fullmatch of (?=general\Z)(?:typed) = both fullmatch
            general_first = f"(?=(?:{general.national_number_pattern})\\Z)"
            by_length[size] = re.compile(general_first + "(?:" + "|".join(patterns) + ")")
    return Region(
        name=meta.id,
        code=meta.country_code,
        code_str=str(meta.country_code),
        idd=_compile(meta.international_prefix),
        national_prefix=_compile(meta.national_prefix_for_parsing),
        has_transform=bool(meta.national_prefix_transform_rule),
        general=re.compile(general.national_number_pattern),
        lengths=frozenset(general.possible_length),
        max_length=max(general.possible_length),
        local_only=frozenset(general.possible_length_local_only or ()),
        by_length=by_length,
    )


@cache
def region_rules(region: str) -> Region | None:
    meta = PhoneMetadata.metadata_for_region(region.upper(), None)
    return _build(meta) if meta is not None else None


@cache
def country_regions(code: int) -> tuple[tuple[re.Pattern[str] | None, Region], ...] | None:
    """(leading digits, rules) per region sharing a country code, phonenumbers' order."""
    found = []
    for region in COUNTRY_CODE_TO_REGION_CODE.get(code, ()):
        meta = PhoneMetadata.metadata_for_region(region, None)
        rules = _build(meta) if meta is not None else None
        if meta is None or rules is None:
            return None  # non-geographic or incomplete metadata: phonenumbers decides
        found.append((_compile(meta.leading_digits), rules))
    return tuple(found) or None
