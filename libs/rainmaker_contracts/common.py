"""Field vocabularies shared by several event schemas (DESIGN.md section 2)."""

from typing import Any, ClassVar

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

SOURCE_TYPES = ("rented_list", "referral", "event", "web", "existing_customer", "cold_outreach")
TAG_ORIGINS = ("list", "rule", "derived", "model", "notes", "manual")
TAG_NAMESPACES = ("industry", "interest", "role", "size", "region", "product")
STAGES = ("suspect", "prospect", "lead", "opportunity", "won", "lost", "discarded", "nurture")
ACTIVITY_KINDS = ("call", "meeting", "quote", "contract", "email", "note")
DEAL_OUTCOMES = ("won", "lost")

# A tag is "<namespace>/<path>", e.g. "industry/software" or "interest/crm/analytics".
# Events accept any path of these characters: tags stored before NEW_TAG_PATTERN (a list's
# tags, rules, manual tags) are still sent, and must not sink the messages that carry them.
TAG_PATTERN = r"^(" + "|".join(TAG_NAMESPACES) + r")/[a-z0-9][a-z0-9_\-./]*$"
# A tag given anew (APIs, CLI, taxonomy): each step of its path starts with a letter or digit,
# so no empty step ("a//b", a trailing "/"), no "." or ".." step, and no trailing newline
# (`$` would allow one).
NEW_TAG_PATTERN = r"^(" + "|".join(TAG_NAMESPACES) + r")(/[a-z0-9][a-z0-9_\-.]*)+\Z"
NEW_TAG_ERROR = "Not a tag: use <namespace>/<path>, each step of the path starting with a-z or 0-9."


class WireSchema(Schema):
    """Base for data schemas: unknown fields are dropped so producers may add optional ones."""

    class Meta:
        unknown = EXCLUDE


# The one schema hook the compiled fast path (fastload) models.
DISTINCT_HOOK = "_check_distinct_fields"


class DistinctFieldsSchema(WireSchema):
    """A schema whose `distinct_fields` pairs must hold different values: a lead merged into
    itself would vanish from every consumer's view of it."""

    distinct_fields: ClassVar[tuple[tuple[str, str], ...]] = ()

    @validates_schema
    def _check_distinct_fields(self, data: dict[str, Any], **_kwargs: Any) -> None:
        for first, second in self.distinct_fields:
            if first in data and data.get(first) == data.get(second):
                raise ValidationError(f"must differ from {first}", second)


# Every consumer stores a tag in a 200-character column; PostgreSQL refuses a longer value,
# which would fail a whole 1,000-lead batch there.
MAX_TAG_LENGTH = 200


def tag_field(**kwargs: object) -> fields.String:
    """A tag in an event (TAG_PATTERN)."""
    checks = [validate.Regexp(TAG_PATTERN), validate.Length(max=MAX_TAG_LENGTH)]
    return fields.String(validate=checks, **kwargs)  # type: ignore[arg-type]


def new_tag_field(**kwargs: object) -> fields.String:
    """A tag given anew through an API (NEW_TAG_PATTERN)."""
    shape = validate.Regexp(NEW_TAG_PATTERN, error=NEW_TAG_ERROR)
    return fields.String(validate=[shape, validate.Length(max=MAX_TAG_LENGTH)], **kwargs)  # type: ignore[arg-type]


def currency_field(**kwargs: object) -> fields.String:
    return fields.String(validate=validate.Regexp(r"^[A-Z]{3}$"), **kwargs)  # type: ignore[arg-type]


class SourceSchema(WireSchema):
    type = fields.String(required=True, validate=validate.OneOf(SOURCE_TYPES))
    id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    name = fields.String(load_default=None, allow_none=True)


class LeadTagSchema(WireSchema):
    tag = tag_field(required=True)
    confidence = fields.Float(required=True, validate=validate.Range(min=0.0, max=1.0))
    origin = fields.String(required=True, validate=validate.OneOf(TAG_ORIGINS))
    reason = fields.String(load_default=None, allow_none=True)
