"""A chunk's domain check skips the public-suffix look-up only where it cannot matter."""

import itertools

import pytest

from rainmaker_intake.adapters import suppression_store
from rainmaker_intake.adapters.suppression_store import _own_domains
from rainmaker_intake.domain.contact import NormalisedContact

HOSTS = [
    "corp.com", "eu.corp.com", "a.b.eu.corp.com", "corp.co.uk", "mail.corp.co.uk", "co.uk",
    "corp.com.", ".corp.com", "xn--bcher-kva.de", "mail.xn--bcher-kva.de", "bücher.de",
    "10.0.0.1", "localhost", "gmail.com", "s3.amazonaws.com", "x.s3.amazonaws.com",
    "shop.blogspot.co.uk", "corp-1.io", "CORP.com",
]  # fmt: skip
SUPPRESSED = [
    "corp.com", "eu.corp.com", "co.uk", "corp.co.uk", "uk", "com", "xn--bcher-kva.de",
    "bücher.de", "10.0.0.1", "0.0.1", "localhost", "amazonaws.com", "s3.amazonaws.com",
    "x.s3.amazonaws.com", "blogspot.co.uk", "shop.blogspot.co.uk", "corp-1.io", "corp.com.",
]  # fmt: skip


def _contact(email: str, website: str | None = None) -> NormalisedContact:
    return NormalisedContact(row_number=2, email=email, first_name="Ann", website_domain=website)


@pytest.mark.parametrize("host", HOSTS)
def test_known_suppressions_meet_a_mailbox_exactly_as_the_full_look_up(host: str) -> None:
    contact = _contact(f"fay@{host}", website="other.org")
    exact = _own_domains(contact, None)
    for size in (1, 2):
        for among in map(set, itertools.combinations(SUPPRESSED, size)):
            assert _own_domains(contact, among) & among == exact & among, (host, among)


def test_the_look_up_is_skipped_when_no_suffix_of_the_host_is_suppressed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(suppression_store, "registrable_domain", lambda h: asked.append(h))
    assert _own_domains(_contact("fay@eu.corp.com", "corp.com"), {"other.com"}) == {"corp.com"}
    assert asked == []
    _own_domains(_contact("fay@eu.corp.com"), {"corp.com"})
    assert asked == ["eu.corp.com"]
