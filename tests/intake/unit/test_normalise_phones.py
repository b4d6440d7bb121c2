"""Phone numbers to E.164, and the fast path agreeing with phonenumbers on every input."""

import random

import phonenumbers
import pytest
from faker import Faker

from rainmaker_intake.domain.phones import to_e164

REGIONS = {"de_DE": "DE", "en_US": "US", "en_GB": "GB", "fr_FR": "FR", "es_ES": "ES",
           "it_IT": "IT", "nl_NL": "NL", "pt_BR": "BR", "es_MX": "MX", "en_AU": "AU",
           "ja_JP": "JP", "ru_RU": "RU", "en_CA": "CA", "de_CH": "CH", "es_AR": "AR"}  # fmt: skip


def reference(text: str, region: str | None) -> str | None:
    """What phonenumbers itself says: E.164 when valid, else None."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@pytest.mark.parametrize(
    ("raw", "region", "e164"),
    [
        ("030 1234567", "DE", "+49301234567"),
        ("+49 (0)30 123 45 67", "DE", "+49301234567"),
        ("030/1234567", "DE", "+49301234567"),
        ("0151 23456789", "DE", "+4915123456789"),
        ("(415) 555-2671", "US", "+14155552671"),
        ("415.555.2671 x123", "US", "+14155552671"),
        ("1-415-555-2671", "US", "+14155552671"),
        ("011 44 20 7946 0958", "US", "+442079460958"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("+44 (0)20 7946 0958", None, "+442079460958"),
        ("01 23 45 67 89", "FR", "+33123456789"),
        ("0049 30 1234567", "FR", "+49301234567"),
        ("0049 375 02770", "DE", "+4937502770"),
        ("001 231-392-1457", "GB", "+12313921457"),
        ("+7 495 123-45-67", None, "+74951234567"),
        ("+86 10 6552 9988", None, "+861065529988"),
        ("\u00a0+49\u00a030\u00a01234567 ", None, "+49301234567"),
    ],
)
def test_numbers_become_e164(raw: str, region: str | None, e164: str) -> None:
    assert to_e164(raw, region) == (e164, None)


def test_fast_path_and_phonenumbers_agree_on_realistic_and_mangled_numbers() -> None:
    """Value AND reason: the fast path must be indistinguishable from phonenumbers alone."""
    from rainmaker_intake.domain.phones import _slow  # the phonenumbers-only path

    rnd = random.Random(20240501)
    samples: list[tuple[str, str | None]] = []
    for locale, region in REGIONS.items():
        fake = Faker(locale)
        fake.seed_instance(7)
        for _ in range(150):
            number = fake.phone_number()
            mangled = "".join(
                str(rnd.randint(0, 9)) if c.isdigit() and rnd.random() < 0.2 else c for c in number
            )
            other = rnd.choice([*REGIONS.values(), None])
            samples += [(number, region), (number, other), (mangled, region), (number[:6], region)]
    for _ in range(2000):
        prefix = rnd.choice(
            ["", "+", "0", "00", "+49 ", "+1 ", "+44 (0)", "(0", "1-", "+7", "+39 0",
             # international prefixes, read as a "+" where they are the region's
             "0049 ", "0044 (0)", "001-", "011 ", "011 44 ", "000", "0033 0", "00 7 "]
        )
        digits = "".join(str(rnd.randint(0, 9)) for _ in range(rnd.randint(1, 18)))
        samples.append((prefix + digits, rnd.choice([*REGIONS.values(), None])))

    disagreements = [
        (text, region, to_e164(text, region), _slow(text.strip(), region))
        for text, region in samples
        if to_e164(text, region) != _slow(text.strip(), region)
    ]

    assert disagreements == []
    valid = sum(1 for text, region in samples if to_e164(text, region)[0] is not None)
    assert valid > len(samples) // 4  # the sample exercises valid numbers, not only junk
    assert all(to_e164(t, r)[0] == reference(t, r) for t, r in samples[:2000])
