"""Phone numbers to E.164 with a default region; phonenumbers' metadata, a fast common case.

phonenumbers.parse + is_valid_number costs 25-40 us a number. The fast path handles numbers
made of digits and ordinary separators ("+49 (0)30 1234-567", "(415) 555-2671", "030/123456",
with an extension "x12"/"ext. 12" dropped, as E.164 has none) by the same rules, precompiled
once per region: country code after "+", national prefix stripping, the possible-length test,
and validity as "matches the general pattern and one of the number-type patterns for its
length" (phonenumbers' _number_type_helper != UNKNOWN); the region's international prefix
(00, 011) is read as a "+". Any other shape (letters, a national number that starts with the
country code, national-prefix transform rules, non-geographic codes) and every number the
fast path cannot decide goes through phonenumbers itself; an invalid number gets the reason
phonenumbers' is_possible_number_with_reason would give.
tests/intake/unit/test_normalise_phones.py checks the two agree.
"""

import re
from functools import cache

import phonenumbers
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, NumberParseException, PhoneMetadata

from rainmaker_intake.domain.phone_rules import Region, country_regions, region_rules

_PLAIN = re.compile(r"\+?[0-9 ().\-/]+")
_SHAPE = re.compile(r"(\+?[0-9 ().\-/\u00a0]+?)(?:\s*(?:x|ext\.?)\s*[0-9]{1,7})?", re.IGNORECASE)
_SEPARATORS = str.maketrans("", "", " ().-/\u00a0")
_CODES = {str(code): code for code in COUNTRY_CODE_TO_REGION_CODE}
_MAX_NSN = 17
Result = tuple[str | None, str | None]  # (E.164, None) or (None, why)


def to_e164(value: str, region: str | None) -> Result:
    """('+4930123456', None) when valid, else (None, the reason)."""
    text = value.strip()
    if len(text) <= 64:
        if _PLAIN.fullmatch(text):  # ASCII: bytes.translate is 4x faster than str's
            digits = text.encode().translate(None, b" ().-/").decode()
        else:
            shape = _SHAPE.fullmatch(text)
            digits = shape.group(1).translate(_SEPARATORS) if shape else ""
        fast = _fast(digits, region) if digits else None
        if fast is not None:
            return fast
    return _slow(text, region)


def _fast(digits: str, region: str | None) -> Result | None:
    """The result when this shape is one the fast path knows, else None."""
    if digits.startswith("+"):
        return _international(digits[1:])
    rules = region_rules(region) if region else None
    if rules is None or len(digits) < 3:
        return None
    if digits.startswith(rules.code_str):
        return None
    idd = rules.idd.match(digits) if rules.idd else None
    if idd is not None:
        # The region's international prefix ("0049 30...", "011 44..."): as after a "+",
        # unless a 0 follows it (no country code starts with 0: phonenumbers then reads the
        # whole as a national number). A tenth of a list's numbers are written so.
        rest = digits[idd.end() :]
        return _international(rest) if rest[:1] not in ("0", "") else None
    return _finish(rules, digits)


def _international(digits: str) -> Result | None:
    """A number after its "+" (or international prefix): country code, then the rest."""
    if len(digits) < 3 or digits[0] == "0":
        return None
    for size in (1, 2, 3):
        code = _CODES.get(digits[:size])
        if code is not None:
            main = _main_region(code)
            return _finish(main, digits[size:]) if main else None
    return None


def _finish(rules: Region, number: str) -> Result | None:
    nsn = rules.strip_national_prefix(number)
    if nsn is None or not 2 <= len(nsn) <= _MAX_NSN:
        return None
    regions = country_regions(rules.code)
    if regions is None:
        return None
    if _valid(regions, nsn):
        return f"+{rules.code_str}{nsn}", None
    return None, f"invalid phone: {regions[0][1].invalid_reason(nsn)}"


@cache
def _main_region(code: int) -> Region | None:
    regions = country_regions(code)
    return regions[0][1] if regions else None


def _valid(regions: tuple[tuple[re.Pattern[str] | None, Region], ...], nsn: str) -> bool:
    """phonenumbers' region_code_for_number + is_valid_number_for_region, precompiled."""
    for leading, rules in regions:
        if leading is not None:
            if leading.match(nsn):
                return rules.valid(nsn)
        elif rules.valid(nsn):
            return True
    return False


_PARSE_REASONS = {
    NumberParseException.INVALID_COUNTRY_CODE: "unknown or missing country code",
    NumberParseException.NOT_A_NUMBER: "not a phone number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
    NumberParseException.TOO_SHORT_NSN: "too short",
    NumberParseException.TOO_LONG: "too long",
}
_LENGTH_REASONS = {
    phonenumbers.ValidationResult.TOO_SHORT: "too short",
    phonenumbers.ValidationResult.TOO_LONG: "too long",
    phonenumbers.ValidationResult.INVALID_LENGTH: "wrong number of digits",
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "unknown country code",
}


def _slow(text: str, region: str | None) -> Result:
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as error:
        reason = _PARSE_REASONS.get(error.error_type, "not a phone number")
        if error.error_type == NumberParseException.INVALID_COUNTRY_CODE and not region:
            reason = "no country code (+..) and no default region for the list"
        return None, f"invalid phone: {reason}"
    if phonenumbers.is_valid_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None
    length = phonenumbers.is_possible_number_with_reason(number)
    code = number.country_code or 0
    where = phonenumbers.region_code_for_country_code(code)
    reason = _LENGTH_REASONS.get(length, f"not a valid number in {where} (+{code})")
    return None, f"invalid phone: {reason}"


@cache
def known_region(code: str) -> bool:
    """True when phonenumbers has metadata for this ISO region code ("DE", "US"...)."""
    return PhoneMetadata.metadata_for_region(code, None) is not None
