"""Request and response bodies of the pipeline API. Money is integer minor units + currency."""

from datetime import UTC, date, datetime

from marshmallow import Schema, ValidationError, fields, validate

from rainmaker_contracts.common import (
    ACTIVITY_KINDS,
    DEAL_OUTCOMES,
    SOURCE_TYPES,
    STAGES,
    currency_field,
    new_tag_field,
)
from rainmaker_pipeline.domain.attribution import Attribution, GroupBy

# An amount in minor units: far above any real deal or spend, far below what overflows the
# 64-bit columns (a bigger integer would reach the database and fail there as a 500).
MAX_MINOR = 10**15
MINOR = validate.Range(min=0, max=MAX_MINOR)


def _utc_representable(value: datetime) -> None:
    # 0001-01-01T00:00+05:00 lies before the first UTC instant Python can hold (and
    # 9999-12-31T23:00-05:00 after the last): converting it to UTC for storage would raise.
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValidationError("Not a time that can be stored in UTC.") from None


def _real_day(value: str) -> None:
    # The pattern lets 2026-02-31 through: a day must exist in its month.
    if len(value) == 10:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ValidationError("No such day.") from None


class AccountManagerInSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    email = fields.Email(load_default=None, allow_none=True)
    capacity = fields.Integer(required=True, validate=validate.Range(min=0, max=100_000))
    territory_tags = fields.List(new_tag_field(), load_default=list)
    specialty_tags = fields.List(new_tag_field(), load_default=list)
    active = fields.Boolean(load_default=True)


AM_ID = validate.Regexp(r"^[A-Za-z0-9._:\-]{1,64}$")


class NewAccountManagerSchema(AccountManagerInSchema):
    am_id = fields.String(
        load_default=None,
        validate=AM_ID,
        metadata={"description": "optional; a new id is minted when absent"},
    )


class AccountManagerPathSchema(Schema):
    # PUT creates the AM under the path's id: it must meet the same rule as one in a body.
    am_id = fields.String(required=True, validate=AM_ID)


class AccountManagerSchema(Schema):
    am_id = fields.String()
    name = fields.String()
    email = fields.String(allow_none=True)
    capacity = fields.Integer()
    territory_tags = fields.List(fields.String())
    specialty_tags = fields.List(fields.String())
    active = fields.Boolean()
    open_leads = fields.Integer(metadata={"description": "leads in suspect..opportunity"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class AssignmentSchema(Schema):
    am_id = fields.String(required=True, validate=validate.Length(min=1, max=64))


class StageChangeSchema(Schema):
    to_stage = fields.String(required=True, validate=validate.OneOf(STAGES))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class ActivityInSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(ACTIVITY_KINDS))
    notes = fields.String(load_default="", validate=validate.Length(max=20_000))
    occurred_at = fields.AwareDateTime(
        load_default=None, allow_none=True, validate=_utc_representable
    )


class ActivitySchema(Schema):
    activity_id = fields.String()
    lead_id = fields.String()
    am_id = fields.String(allow_none=True)
    kind = fields.String()
    notes = fields.String()
    occurred_at = fields.DateTime()


class DealInSchema(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(DEAL_OUTCOMES))
    value_minor = fields.Integer(required=True, validate=MINOR)
    currency = currency_field(required=True)
    product = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))
    closed_at = fields.AwareDateTime(
        load_default=None, allow_none=True, validate=_utc_representable
    )


class DealSchema(Schema):
    deal_id = fields.String()
    lead_id = fields.String()
    am_id = fields.String(allow_none=True)
    outcome = fields.String()
    value_minor = fields.Integer()
    currency = fields.String()
    product = fields.String(allow_none=True)
    closed_at = fields.DateTime()


class TagSchema(Schema):
    tag = fields.String()
    confidence = fields.Float()
    origin = fields.String()


class TouchSchema(Schema):
    touch_id = fields.String()
    source_type = fields.String()
    source_id = fields.String()
    source_name = fields.String(allow_none=True)
    touched_at = fields.DateTime()


class StageChangeRecordSchema(Schema):
    from_stage = fields.String(allow_none=True)
    to_stage = fields.String()
    at = fields.DateTime()
    by = fields.String()
    reason = fields.String(allow_none=True)


class LeadSummarySchema(Schema):
    lead_id = fields.String()
    stage = fields.String()
    furthest_stage = fields.String()
    allowed_next_stages = fields.List(fields.String())
    am_id = fields.String(allow_none=True)
    company = fields.String(allow_none=True)
    industry = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    tags = fields.List(fields.Nested(TagSchema))
    merged_into = fields.String(allow_none=True)
    erased = fields.Boolean()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class LeadSchema(LeadSummarySchema):
    touches = fields.List(fields.Nested(TouchSchema))
    stage_history = fields.List(fields.Nested(StageChangeRecordSchema))
    activities = fields.List(fields.Nested(ActivitySchema))
    deals = fields.List(fields.Nested(DealSchema))


class CostInSchema(Schema):
    source_type = fields.String(required=True, validate=validate.OneOf(SOURCE_TYPES))
    source_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    amount_minor = fields.Integer(required=True, validate=MINOR)
    currency = currency_field(required=True)
    period = fields.String(
        load_default=None,
        allow_none=True,
        validate=[
            validate.Regexp(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"),
            _real_day,
        ],
        metadata={"description": "what the spend covers: a year, month or day (2026-11)"},
    )
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class CostSchema(CostInSchema):
    cost_id = fields.String()
    created_at = fields.DateTime()


class SourceReportQuerySchema(Schema):
    attribution = fields.String(
        load_default=Attribution.FIRST_TOUCH.value,
        validate=validate.OneOf([a.value for a in Attribution]),
    )
    group_by = fields.String(
        load_default=GroupBy.TYPE.value, validate=validate.OneOf([g.value for g in GroupBy])
    )
    currency = currency_field(
        load_default=None, metadata={"description": "default: PIPELINE_REPORT_CURRENCY"}
    )


class SourceRowSchema(Schema):
    group = fields.String()
    label = fields.String()
    cost_minor = fields.Integer()
    leads = fields.Integer()
    contacted = fields.Integer(metadata={"description": "reached stage lead or beyond"})
    opportunities = fields.Integer()
    won = fields.Integer()
    revenue_minor = fields.Integer()
    won_deals_other_currency = fields.Integer(
        metadata={"description": "won deals in another currency: in `won`, not in revenue"}
    )
    cost_per_lead_minor = fields.Integer(allow_none=True)
    cost_per_won_minor = fields.Integer(allow_none=True)
    roi = fields.Float(allow_none=True, metadata={"description": "(revenue - cost) / cost"})


class OtherCurrencySchema(Schema):
    costs = fields.Integer()
    deals = fields.Integer()


class SourceReportSchema(Schema):
    attribution = fields.String()
    group_by = fields.String()
    currency = fields.String()
    rows = fields.List(fields.Nested(SourceRowSchema))
    other_currency = fields.Nested(
        OtherCurrencySchema,
        metadata={"description": "costs and won deals left out: not in the report's currency"},
    )
