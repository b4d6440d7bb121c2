"""Events published by intake (and its own import-job command)."""

from marshmallow import fields, validate

from rainmaker_contracts.common import (
    DistinctFieldsSchema,
    SourceSchema,
    WireSchema,
    currency_field,
    tag_field,
)

MAX_LEADS_PER_MESSAGE = 1000


class ImportRequestedV1(WireSchema):
    """Intake's own work item: run import `import_id` of list `list_id`."""

    import_id = fields.String(required=True)
    list_id = fields.String(required=True)


class ListImportedV1(WireSchema):
    list_id = fields.String(required=True)
    import_id = fields.String(required=True)
    name = fields.String(required=True)
    vendor = fields.String(load_default=None, allow_none=True)
    cost_minor = fields.Integer(required=True, validate=validate.Range(min=0))
    currency = currency_field(required=True)
    purchased_on = fields.Date(load_default=None, allow_none=True)
    licence_expires_on = fields.Date(load_default=None, allow_none=True)
    tags = fields.List(tag_field(), load_default=list)
    rows_total = fields.Integer(required=True)
    accepted = fields.Integer(required=True)
    duplicates_in_file = fields.Integer(required=True)
    duplicates_existing = fields.Integer(required=True)
    suppressed = fields.Integer(required=True)
    rejected = fields.Integer(required=True)


class IngestedLeadV1(WireSchema):
    lead_id = fields.String(required=True)
    source = fields.Nested(SourceSchema, required=True)
    touched_at = fields.AwareDateTime(required=True)
    email = fields.String(load_default=None, allow_none=True)
    phone = fields.String(load_default=None, allow_none=True)
    first_name = fields.String(load_default=None, allow_none=True)
    last_name = fields.String(load_default=None, allow_none=True)
    company = fields.String(load_default=None, allow_none=True)
    job_title = fields.String(load_default=None, allow_none=True)
    industry = fields.String(load_default=None, allow_none=True)
    website_domain = fields.String(load_default=None, allow_none=True)
    city = fields.String(load_default=None, allow_none=True)
    region = fields.String(load_default=None, allow_none=True)
    country = fields.String(load_default=None, allow_none=True)
    postcode = fields.String(load_default=None, allow_none=True)
    employees = fields.Integer(load_default=None, allow_none=True)
    notes = fields.String(load_default=None, allow_none=True)
    attributes = fields.Dict(keys=fields.String(), values=fields.Raw(), load_default=dict)
    # Tags the source itself asserts (a list's metadata, a referrer's stated interests).
    tags = fields.List(tag_field(), load_default=list)


class LeadsIngestedV1(WireSchema):
    import_id = fields.String(load_default=None, allow_none=True)
    leads = fields.List(
        fields.Nested(IngestedLeadV1),
        required=True,
        validate=validate.Length(min=1, max=MAX_LEADS_PER_MESSAGE),
    )


class TouchV1(WireSchema):
    """A known lead seen again: through which source, and what that sighting said of them."""

    touch_id = fields.String(required=True)
    lead_id = fields.String(required=True)
    source = fields.Nested(SourceSchema, required=True)
    touched_at = fields.AwareDateTime(required=True)
    # Optional (v1 consumers drop unknown fields): what the source asserts (a list's tags, a
    # referrer's interests), the referrer's notes, and the lead's fields this sighting filled
    # in (they were blank; IngestedLeadV1's names and types).
    tags = fields.List(tag_field(), load_default=list)
    notes = fields.String(load_default=None, allow_none=True)
    filled = fields.Dict(keys=fields.String(), values=fields.Raw(), load_default=dict)


class LeadsTouchedV1(WireSchema):
    touches = fields.List(
        fields.Nested(TouchV1),
        required=True,
        validate=validate.Length(min=1, max=MAX_LEADS_PER_MESSAGE),
    )


class MergeV1(DistinctFieldsSchema):
    distinct_fields = (("survivor_id", "merged_id"),)

    merge_id = fields.String(required=True)
    survivor_id = fields.String(required=True)
    merged_id = fields.String(required=True)
    rule = fields.String(required=True)
    score = fields.Float(required=True)
    undone = fields.Boolean(load_default=False)


class LeadsMergedV1(WireSchema):
    merges = fields.List(
        fields.Nested(MergeV1),
        required=True,
        validate=validate.Length(min=1, max=MAX_LEADS_PER_MESSAGE),
    )


class LeadErasedV1(WireSchema):
    lead_id = fields.String(required=True)
