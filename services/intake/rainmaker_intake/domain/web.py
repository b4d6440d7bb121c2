"""Web domains: a website or host to its registrable domain, offline; free-mail providers.

tldextract runs on the public suffix snapshot bundled with the package: no suffix list is
fetched and no cache is written (suffix_list_urls=(), cache_dir=None). The extractor is built
on first use, never at import. Results are cached: a list repeats its companies' domains.
"""

from functools import cache, lru_cache

import tldextract

# Free-mail providers: an address there says nothing about the employer.
FREE_MAIL_DOMAINS = frozenset(
    """gmail.com googlemail.com yahoo.com ymail.com rocketmail.com hotmail.com outlook.com
    live.com msn.com aol.com icloud.com me.com mac.com mail.com email.com gmx.de gmx.net gmx.at
    gmx.ch gmx.com web.de t-online.de freenet.de posteo.de arcor.de online.de mailbox.org
    protonmail.com proton.me pm.me tutanota.com fastmail.com hey.com zoho.com yandex.ru
    yandex.com mail.ru bk.ru inbox.ru list.ru rambler.ru orange.fr free.fr laposte.net sfr.fr
    wanadoo.fr bbox.fr libero.it virgilio.it tiscali.it alice.it seznam.cz wp.pl o2.pl
    interia.pl onet.pl bluewin.ch hispeed.ch btinternet.com sky.com virginmedia.com
    comcast.net verizon.net att.net sbcglobal.net cox.net qq.com 163.com 126.com sina.com
    naver.com daum.net hanmail.net rediffmail.com""".split()  # noqa: SIM905
)
# Providers with one mailbox brand under many country suffixes (yahoo.co.uk, hotmail.fr...).
FREE_MAIL_BRANDS = frozenset("yahoo hotmail outlook live gmx aol yandex icloud".split())  # noqa: SIM905


@cache
def _extractor() -> tldextract.TLDExtract:
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@lru_cache(maxsize=1 << 17)  # e-mail hosts repeat across a list; the suffix lookup does not
def registrable_domain(host: str) -> str | None:
    """'www.shop.example.co.uk' -> 'example.co.uk'; None for IPs, 'localhost', bare words."""
    parts = _extractor().extract_str(host.strip(".").lower())
    return parts.top_domain_under_public_suffix or None


@lru_cache(maxsize=1 << 17)
def domain_label(domain: str) -> str:
    """A registrable domain without its public suffix: 'acme-group.co.uk' -> 'acme-group'."""
    return _extractor().extract_str(domain).domain or domain


# One company, one website: values repeat, but as typed (www., http://, case) a 1M-row list
# held 216k of them, which a cache of 65k missed 437k times.
@lru_cache(maxsize=1 << 18)
def website_domain(value: str) -> str | None:
    """The registrable domain of a URL or host as people type it into a 'Website' column."""
    text = value.strip().lower()
    if "://" in text:
        text = text.split("://", 1)[1]
    elif text.startswith("mailto:"):
        text = text[7:]
    for stop in "/?#":
        text = text.split(stop, 1)[0]
    host = text.rsplit("@", 1)[-1].split(":", 1)[0]
    if not host or " " in host:
        return None
    return registrable_domain(host)


def is_free_mail(domain: str) -> bool:
    """True for a registrable domain of a free-mail provider (gmail.com, yahoo.co.uk...)."""
    return domain in FREE_MAIL_DOMAINS or domain.split(".", 1)[0] in FREE_MAIL_BRANDS


def employer_domain(email: str) -> str | None:
    """The registrable domain of a (valid, lower-case) address unless it is free mail."""
    domain = registrable_domain(email.rsplit("@", 1)[1])
    return None if domain is None or is_free_mail(domain) else domain
