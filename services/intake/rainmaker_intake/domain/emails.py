"""Email syntax, lower-cased; no DNS look-ups.

Ordinary ASCII addresses go through one precompiled regex (a strict subset of what
email-validator accepts); anything else (quotes, Unicode, odd characters, one-letter or
special-use top-level domains, "mailto:" or "Name <addr>" forms) goes to email-validator with
check_deliverability=False, which also gives the reason when an address is refused.
"""

import re

from email_validator import EmailNotValidError, validate_email

_FAST = re.compile(
    r"[a-z0-9_+\-]+(?:\.[a-z0-9_+\-]+)*@(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)
_SPECIAL_USE_TLDS = frozenset({"arpa", "invalid", "local", "localhost", "onion", "test"})
_ANGLE = re.compile(r"<([^<>]*)>")


def normalise_email(value: str) -> tuple[str | None, str | None]:
    """(lower-cased address, None) when valid, else (None, the reason)."""
    text = value.strip().lower()
    at = text.find("@")
    if (
        0 < at <= 64
        and len(text) <= 254
        and _FAST.fullmatch(text)
        and "--" not in text[at:]
        and text[text.rfind(".") + 1 :] not in _SPECIAL_USE_TLDS
    ):
        return text, None
    return _slow(value.strip())


def _slow(text: str) -> tuple[str | None, str | None]:
    if text[:7].lower() == "mailto:":
        text = text[7:]
    angled = _ANGLE.search(text)
    if angled:
        text = angled.group(1).strip()
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as error:
        return None, f"invalid email: {error}"
    return result.normalized.lower(), None
