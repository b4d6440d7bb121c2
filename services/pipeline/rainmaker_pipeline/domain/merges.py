"""Chains of merges: a lead merged into one that was itself merged later."""

from collections.abc import Callable


def chain_end(lead_id: str, merged_into: Callable[[str], str | None]) -> str:
    """The lead at the end of `lead_id`'s chain of merges (itself when not merged), following
    `merged_into`; a cycle stops where it would close."""
    seen = {lead_id}
    while (nxt := merged_into(lead_id)) is not None and nxt not in seen:
        seen.add(nxt)
        lead_id = nxt
    return lead_id
