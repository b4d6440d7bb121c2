"""Pipeline's vocabulary and the errors its commands raise (mapped to HTTP in ONE table)."""

from enum import StrEnum


class ActivityKind(StrEnum):
    CALL = "call"
    MEETING = "meeting"
    QUOTE = "quote"
    CONTRACT = "contract"
    EMAIL = "email"
    NOTE = "note"


class DealOutcome(StrEnum):
    WON = "won"
    LOST = "lost"


class NotFound(Exception):
    """A lead or account manager pipeline does not know."""


class NotYourLead(Exception):
    """An account manager acting on a lead that is not assigned to them."""


class LeadErased(Exception):
    """The lead's personal data was erased; it takes no new activities, stages or deals."""


class Conflict(Exception):
    """The request clashes with existing state (e.g. an email another AM already has)."""


class CannotAssign(Exception):
    """The account manager is inactive or at capacity."""


class UnknownAccountManager(ValueError):
    """A request names an account manager that does not exist."""


class DealRequired(ValueError):
    """Won and lost are reached by closing a deal (POST /leads/{lead_id}/deals)."""


class AttributionNotAvailable(ValueError):
    """An attribution model that is named in the contract but not built yet."""
