"""Events published by tagging."""

from marshmallow import fields, validate

from rainmaker_contracts.common import LeadTagSchema, WireSchema
from rainmaker_contracts.intake import MAX_LEADS_PER_MESSAGE


class TaggedLeadV1(WireSchema):
    lead_id = fields.String(required=True)
    # The complete current tag set of the lead (not a delta): consumers replace what they hold.
    tags = fields.List(fields.Nested(LeadTagSchema), required=True)
    model_version = fields.String(load_default=None, allow_none=True)


class LeadsTaggedV1(WireSchema):
    leads = fields.List(
        fields.Nested(TaggedLeadV1),
        required=True,
        validate=validate.Length(min=1, max=MAX_LEADS_PER_MESSAGE),
    )
