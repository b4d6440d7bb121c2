"""Amounts on the wire and in tables are integers in the currency's minor unit (ISO 4217):
cents for EUR, yen for JPY (no minor unit), fils for KWD (a thousandth)."""

from decimal import Decimal

ZERO_DECIMAL = frozenset({"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF",
                          "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"})  # fmt: skip
THREE_DECIMAL = frozenset({"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"})


def minor_digits(currency: str) -> int:
    """Decimal places of the currency's minor unit: 0, 3, or the usual 2."""
    return 0 if currency in ZERO_DECIMAL else 3 if currency in THREE_DECIMAL else 2


def to_minor(amount: Decimal, currency: str) -> int:
    """`amount` in minor units; ValueError if it is finer than they are (trailing zeros are
    not: 120000.00 JPY is 120000 yen)."""
    digits = minor_digits(currency)
    minor = amount.scaleb(digits)
    if minor != minor.to_integral_value():
        raise ValueError(f"{currency} has {digits or 'no'} decimal places; this amount has more.")
    return int(minor)


def from_minor(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-minor_digits(currency))


def format_money(minor: int, currency: str, extra_digits: int = 0) -> str:
    """'1,200.00 EUR', '120,000 JPY' (with `extra_digits` more places for small unit costs)."""
    digits = minor_digits(currency) + extra_digits
    return f"{from_minor(minor, currency):,.{digits}f} {currency}"
