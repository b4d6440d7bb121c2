"""Events published by pipeline."""

from marshmallow import fields, validate

from rainmaker_contracts.common import (
    ACTIVITY_KINDS,
    DEAL_OUTCOMES,
    STAGES,
    WireSchema,
    currency_field,
    tag_field,
)


class AccountManagerUpsertedV1(WireSchema):
    am_id = fields.String(required=True)
    name = fields.String(required=True)
    email = fields.String(load_default=None, allow_none=True)
    capacity = fields.Integer(required=True, validate=validate.Range(min=0))
    territory_tags = fields.List(tag_field(), load_default=list)
    specialty_tags = fields.List(tag_field(), load_default=list)
    active = fields.Boolean(load_default=True)


class LeadStageChangedV1(WireSchema):
    lead_id = fields.String(required=True)
    from_stage = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(STAGES))
    to_stage = fields.String(required=True, validate=validate.OneOf(STAGES))
    am_id = fields.String(load_default=None, allow_none=True)
    changed_at = fields.AwareDateTime(required=True)
    reason = fields.String(load_default=None, allow_none=True)


class ActivityLoggedV1(WireSchema):
    activity_id = fields.String(required=True)
    lead_id = fields.String(required=True)
    am_id = fields.String(load_default=None, allow_none=True)
    kind = fields.String(required=True, validate=validate.OneOf(ACTIVITY_KINDS))
    notes = fields.String(load_default="")
    occurred_at = fields.AwareDateTime(required=True)


class DealClosedV1(WireSchema):
    deal_id = fields.String(required=True)
    lead_id = fields.String(required=True)
    am_id = fields.String(load_default=None, allow_none=True)
    outcome = fields.String(required=True, validate=validate.OneOf(DEAL_OUTCOMES))
    value_minor = fields.Integer(required=True, validate=validate.Range(min=0))
    currency = currency_field(required=True)
    product = fields.String(load_default=None, allow_none=True)
    closed_at = fields.AwareDateTime(required=True)
