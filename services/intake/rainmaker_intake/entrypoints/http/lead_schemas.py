"""Bodies of the lead, referral and suppression endpoints."""

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from rainmaker_contracts.common import new_tag_field
from rainmaker_intake.entrypoints.http.schemas import REGION
from rainmaker_intake.service_layer import referrals

REFERRER_TYPES = ("employee", "analyst", "manager", "customer", "partner", "event")


class TouchSchema(Schema):
    touch_id = fields.String()
    source_type = fields.String()
    source_id = fields.String()
    source_name = fields.String(allow_none=True)
    import_id = fields.String(allow_none=True)
    row_number = fields.Integer(allow_none=True)
    original = fields.Dict(allow_none=True, metadata={"description": "the row as the file had it"})
    notes = fields.String(allow_none=True)
    touched_at = fields.DateTime()


class DecisionSchema(Schema):
    decision_id = fields.Integer()
    import_id = fields.String(allow_none=True)
    row_number = fields.Integer(allow_none=True)
    merged_id = fields.String()
    kind = fields.String(metadata={"description": "in_file | existing"})
    rule = fields.String()
    score = fields.Float()
    filled = fields.Dict(allow_none=True)
    decided_at = fields.DateTime()
    undone_at = fields.DateTime(allow_none=True)


class LeadSchema(Schema):
    lead_id = fields.String()
    email = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    first_name = fields.String(allow_none=True)
    last_name = fields.String(allow_none=True)
    company = fields.String(allow_none=True)
    job_title = fields.String(allow_none=True)
    industry = fields.String(allow_none=True)
    website_domain = fields.String(allow_none=True)
    street = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    postcode = fields.String(allow_none=True)
    country = fields.String(allow_none=True)
    employees = fields.Integer(allow_none=True)
    notes = fields.String(allow_none=True)
    attributes = fields.Dict()
    is_customer = fields.Boolean()
    touches = fields.List(fields.Nested(TouchSchema))
    decisions = fields.List(fields.Nested(DecisionSchema))


class UnmergeSchema(Schema):
    # Bounded to the 64-bit id column: a bigger integer would fail in the database as a 500.
    decision_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**63 - 1))


class UnmergedSchema(Schema):
    lead_id = fields.String(metadata={"description": "the restored contact"})


class ReferrerSchema(Schema):
    """Who referred them: a type and a name or an id (or both); together they name the source."""

    type = fields.String(required=True, validate=validate.OneOf(REFERRER_TYPES))
    id = fields.String(
        load_default=None, validate=validate.Length(min=1, max=referrals.REFERRER_ID_MAX)
    )
    name = fields.String(
        load_default=None, validate=validate.Length(min=1, max=referrals.REFERRER_NAME_MAX)
    )

    @validates_schema
    def _names_a_source(self, data: dict[str, Any], **_: Any) -> None:
        if not (data.get("id") or data.get("name")):
            raise ValidationError("A referrer needs a name or an id.", "name")
        field = referrals.source_too_long(data)
        if field:
            raise ValidationError(
                f"Too long: the referrer's source id must fit {referrals.SOURCE_ID_MAX} "
                f"characters and its label {referrals.SOURCE_NAME_MAX}.",
                field,
            )


class _Text(fields.String):
    """Text, or a JSON number taken as its text (employees: 250, revenue: 1000000)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        return super()._deserialize(value, attr, data, **kwargs)


class ReferralSchema(Schema):
    """One referred person: the fields a list row has (same names and meaning), the referrer's
    notes and the stated interests (tags)."""

    first_name = fields.String(load_default=None)
    last_name = fields.String(load_default=None)
    full_name = fields.String(load_default=None)
    email = fields.String(load_default=None)
    phone = fields.String(load_default=None)
    mobile = fields.String(load_default=None)
    company = fields.String(load_default=None)
    job_title = fields.String(load_default=None)
    industry = fields.String(load_default=None)
    website = fields.String(load_default=None)
    street = fields.String(load_default=None)
    street2 = fields.String(load_default=None)
    city = fields.String(load_default=None)
    region = fields.String(load_default=None)
    postcode = fields.String(load_default=None)
    country = fields.String(load_default=None)
    employees = _Text(load_default=None, metadata={"description": "a number or a range: 11-50"})
    revenue = _Text(load_default=None, metadata={"description": "kept as given"})
    notes = fields.String(load_default=None, validate=validate.Length(max=20_000))
    interests = fields.List(new_tag_field(), load_default=list)
    referrer = fields.Nested(ReferrerSchema, required=True)


class ReferralBatchSchema(Schema):
    leads = fields.List(
        fields.Nested(ReferralSchema), required=True, validate=validate.Length(min=1, max=1000)
    )
    default_region = fields.String(load_default=None, validate=REGION)


class RowErrorSchema(Schema):
    column = fields.String()
    value = fields.String()
    reason = fields.String()


class ReferralResultSchema(Schema):
    index = fields.Integer()
    lead_id = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "new | duplicate | suppressed | rejected"})
    errors = fields.List(fields.Nested(RowErrorSchema))


class ReferralResultsSchema(Schema):
    results = fields.List(fields.Nested(ReferralResultSchema))


class SuppressionSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(("email", "domain")))
    value = fields.String(required=True, validate=validate.Length(min=1, max=320))
    reason = fields.String(load_default=None, validate=validate.Length(max=300))
    created_at = fields.DateTime(dump_only=True)


class SuppressionBatchSchema(Schema):
    items = fields.List(
        fields.Nested(SuppressionSchema), required=True, validate=validate.Length(min=1, max=10_000)
    )


class SuppressionQuerySchema(Schema):
    kind = fields.String(load_default=None, validate=validate.OneOf(("email", "domain")))
