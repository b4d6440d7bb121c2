"""Request and response bodies of the tagging API."""

from typing import Any

from marshmallow import Schema, fields, validate

from rainmaker_contracts.common import (
    MAX_TAG_LENGTH,
    NEW_TAG_ERROR,
    NEW_TAG_PATTERN,
    TAG_ORIGINS,
    TAG_PATTERN,
)
from rainmaker_tagging.domain.model import NAMESPACES, RuleField, RuleKind
from rainmaker_tagging.domain.rules import MAX_PATTERN_LENGTH

MAX_TAGS_PER_LEAD = 200


def _tag(new: bool = False, **kwargs: Any) -> fields.String:
    """A tag; `new`: one the taxonomy is to hold (NEW_TAG_PATTERN). Other fields name existing
    tags, which may have been added before that pattern."""
    shape = (
        validate.Regexp(NEW_TAG_PATTERN, error=NEW_TAG_ERROR)
        if new
        else validate.Regexp(TAG_PATTERN, error="Not a tag: use <namespace>/<path>.")
    )
    return fields.String(
        validate=[shape, validate.Length(max=MAX_TAG_LENGTH)],
        metadata={"example": "industry/software"},
        **kwargs,
    )


class TaxonomyNodeSchema(Schema):
    tag = _tag(new=True, required=True)
    label = fields.String(required=True, validate=validate.Length(min=1, max=200))
    parent = _tag(load_default=None, allow_none=True)
    namespace = fields.String(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class TaxonomyQuerySchema(Schema):
    namespace = fields.String(load_default=None, validate=validate.OneOf(NAMESPACES))


class RuleSchema(Schema):
    rule_id = fields.Integer(dump_only=True)
    tag = _tag(required=True)
    field = fields.String(required=True, validate=validate.OneOf([f.value for f in RuleField]))
    pattern = fields.String(
        required=True,
        validate=validate.Length(min=1, max=MAX_PATTERN_LENGTH),
        metadata={"description": "a keyword/phrase (word boundaries) or a regex; case-insensitive"},
    )
    kind = fields.String(
        load_default=RuleKind.KEYWORD.value, validate=validate.OneOf([k.value for k in RuleKind])
    )
    confidence = fields.Float(
        load_default=0.8, validate=validate.Range(min=0.0, max=1.0, min_inclusive=False)
    )
    enabled = fields.Boolean(load_default=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class RuleChangeSchema(Schema):
    enabled = fields.Boolean(load_default=None)
    confidence = fields.Float(
        load_default=None, validate=validate.Range(min=0.0, max=1.0, min_inclusive=False)
    )


class RuleQuerySchema(Schema):
    tag = _tag(load_default=None)
    enabled = fields.Boolean(load_default=None)


class LeadTagSchema(Schema):
    tag = fields.String()
    confidence = fields.Float()
    origin = fields.String(metadata={"enum": list(TAG_ORIGINS)})
    reason = fields.String()


class EvidenceSchema(LeadTagSchema):
    model_version = fields.String(allow_none=True)


class LeadTagsSchema(Schema):
    lead_id = fields.String()
    tags = fields.List(
        fields.Nested(LeadTagSchema), metadata={"description": "the set leads.tagged carries"}
    )
    evidence = fields.List(
        fields.Nested(EvidenceSchema),
        metadata={"description": "every origin's evidence; manual confidence 0 = rejected"},
    )
    merged_leads = fields.List(fields.String())
    model_version = fields.String(allow_none=True)


class TagCorrectionSchema(Schema):
    tags = fields.List(
        _tag(),
        required=True,
        validate=validate.Length(max=MAX_TAGS_PER_LEAD),
        metadata={"description": "the lead's manual tags (replaces the previous ones)"},
    )
    rejected = fields.List(
        _tag(),
        load_default=list,
        validate=validate.Length(max=MAX_TAGS_PER_LEAD),
        metadata={"description": "tags a person says do not apply (removed from the set)"},
    )
