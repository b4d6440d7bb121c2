"""Request and response bodies of the matching API."""

from marshmallow import Schema, fields, validate
from webargs.fields import DelimitedList

from rainmaker_contracts.common import SOURCE_TYPES, tag_field
from rainmaker_matching.domain.commands import DEFAULT_LIMIT, MAX_FILTER_TAGS, MAX_LIMIT

# A blank filter matched nothing and said nothing.
_NOT_BLANK = validate.Regexp(r"\s*\S", error="must not be blank")


class ProspectQuerySchema(Schema):
    """Unknown parameters are refused (see the view): a misspelt filter (`tag=`, `industy=`)
    would otherwise return the whole list as if it had been filtered."""

    limit = fields.Integer(
        load_default=DEFAULT_LIMIT, validate=validate.Range(min=1, max=MAX_LIMIT)
    )
    tags = DelimitedList(
        tag_field(),
        load_default=list,
        validate=validate.Length(max=MAX_FILTER_TAGS, error="at most {max} tags"),  # an EXISTS each
        metadata={"description": "comma-separated; the prospect must carry every one"},
    )
    industry = fields.String(
        load_default=None,
        validate=[validate.Length(min=1, max=200), _NOT_BLANK],
        metadata={"description": "industry field or industry/<slug> tag, e.g. software"},
    )
    region = fields.String(
        load_default=None,
        validate=[validate.Length(min=1, max=200), _NOT_BLANK],
        metadata={"description": "region or country field, or region/<slug> tag, e.g. emea"},
    )
    source = fields.String(
        load_default=None,
        validate=validate.OneOf(SOURCE_TYPES),
        metadata={"description": "source type"},
    )
    source_id = fields.String(
        load_default=None,
        validate=[validate.Length(min=1, max=200), _NOT_BLANK],
        metadata={"description": "one list, referrer or event"},
    )


class TagSchema(Schema):
    tag = fields.String()
    confidence = fields.Float()
    origin = fields.String()


class SourceSchema(Schema):
    type = fields.String(allow_none=True)
    id = fields.String(allow_none=True)


class ProspectSchema(Schema):
    lead_id = fields.String()
    score = fields.Float(metadata={"description": "share of the AM's profile matched, 0..1"})
    reasons = fields.List(fields.String(), metadata={"description": "why, best first"})
    tags = fields.List(fields.Nested(TagSchema))
    company = fields.String(allow_none=True)
    industry = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    source = fields.Nested(SourceSchema)
    stage = fields.String()


class ProspectListSchema(Schema):
    am_id = fields.String()
    active = fields.Boolean()
    capacity = fields.Integer()
    open_claims = fields.Integer()
    capacity_reached = fields.Boolean(
        metadata={"description": "true: the AM holds as many open leads as their capacity"}
    )
    profile_basis = fields.String(
        metadata={"description": "won_deals, specialty_and_territory (cold start) or empty"}
    )
    won_deals = fields.Integer()
    items = fields.List(fields.Nested(ProspectSchema))


class ClaimRequestSchema(Schema):
    lead_id = fields.String(required=True, validate=validate.Length(min=1, max=36))


class ClaimSchema(Schema):
    claim_id = fields.String()
    lead_id = fields.String()
    am_id = fields.String()
    claimed_at = fields.DateTime()


class HeldClaimSchema(ClaimSchema):
    status = fields.String(allow_none=True, metadata={"description": "the prospect's status"})
    stage = fields.String(allow_none=True)
    company = fields.String(allow_none=True)
    open = fields.Boolean(metadata={"description": "counts against the AM's capacity"})
