"""Wire contracts: the event envelope and one marshmallow schema per event type and version.

No logic lives here beyond validation; each service translates contracts into its own model.
"""

from rainmaker_contracts.envelope import (
    ContractError,
    Envelope,
    make_envelope,
    parse_envelope,
    validate_data,
)
from rainmaker_contracts.registry import EVENT_TYPES, schema_for

__all__ = [
    "EVENT_TYPES",
    "ContractError",
    "Envelope",
    "make_envelope",
    "parse_envelope",
    "schema_for",
    "validate_data",
]
