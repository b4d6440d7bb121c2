"""Who must never enter: suppressed emails and domains, and the hashes of erased people."""

import hashlib
from collections.abc import Sequence

from sqlalchemy.orm import Session

from rainmaker_db.bulk import rows_where_in
from rainmaker_intake.adapters.tables import erasures, suppressions
from rainmaker_intake.domain.contact import NormalisedContact
from rainmaker_intake.domain.web import registrable_domain


def erasure_hashes(contact: NormalisedContact) -> list[str]:
    """What an erased person leaves behind: hashes of their email and phone only."""
    out = []
    if contact.email:
        out.append(hashlib.sha256(f"email:{contact.email}".encode()).hexdigest())
    if contact.phone:
        out.append(hashlib.sha256(f"phone:{contact.phone}".encode()).hexdigest())
    return out


def _domain(email: str | None) -> str | None:
    """The registrable domain of a mailbox: fay@eu.corp.com is covered by corp.com."""
    if not email or "@" not in email:
        return None
    host = email.rsplit("@", 1)[1]
    return registrable_domain(host) or host


def blocked(session: Session, batch: Sequence[NormalisedContact]) -> list[str | None]:
    """Per contact: why it may not enter ('suppressed email', ...) or None."""
    # Each contact's domains and erasure hashes once: both are asked of the whole batch.
    own_domains = [{d for d in (_domain(c.email), c.website_domain) if d} for c in batch]
    own_hashes = [erasure_hashes(c) for c in batch]
    emails = {c.email for c in batch if c.email}
    domains = set().union(*own_domains)
    hashes = set().union(*own_hashes)
    # Straight through the driver (rows_where_in): these lists hold every row of a chunk.
    sup_emails, sup_domains = (
        {v for (v,) in rows_where_in(session, suppressions, ("value",), "value", wanted, kind)}
        for wanted, kind in ((emails, {"kind": "email"}), (domains, {"kind": "domain"}))
    )
    erased = {h for (h,) in rows_where_in(session, erasures, ("hash",), "hash", hashes)}
    reasons: list[str | None] = []
    for c, mine, hashed in zip(batch, own_domains, own_hashes, strict=True):
        if c.email in sup_emails:
            reasons.append("suppressed email")
        elif mine & sup_domains:
            reasons.append("suppressed domain")
        elif erased.intersection(hashed):
            reasons.append("erased person")
        else:
            reasons.append(None)
    return reasons
