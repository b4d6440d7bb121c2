"""Request and response bodies of the intake API."""

from marshmallow import Schema, fields, validate

from rainmaker_contracts.common import TAG_PATTERN


class ListUploadSchema(Schema):
    """The form fields of POST /lists (the file itself is the `file` part)."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    vendor = fields.String(load_default=None, validate=validate.Length(max=300))
    cost = fields.Decimal(load_default=0, places=2, validate=validate.Range(min=0), as_string=True)
    currency = fields.String(load_default="EUR", validate=validate.Regexp(r"^[A-Z]{3}$"))
    purchased_on = fields.Date(load_default=None)
    licence_expires_on = fields.Date(load_default=None)
    tags = fields.String(
        load_default="", metadata={"description": "comma-separated tags, e.g. industry/software"}
    )


class ListFileSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class UploadAcceptedSchema(Schema):
    list_id = fields.String()
    import_id = fields.String()


class ImportSchema(Schema):
    import_id = fields.String()
    list_id = fields.String()
    status = fields.String()
    rows_total = fields.Integer()
    rows_done = fields.Integer()
    accepted = fields.Integer()
    duplicates_in_file = fields.Integer()
    duplicates_existing = fields.Integer()
    suppressed = fields.Integer()
    rejected = fields.Integer()
    error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)


class TouchSchema(Schema):
    touch_id = fields.String()
    source_type = fields.String()
    source_id = fields.String()
    import_id = fields.String(allow_none=True)
    row_number = fields.Integer(allow_none=True)
    touched_at = fields.DateTime()


class LeadSchema(Schema):
    lead_id = fields.String()
    email = fields.String(allow_none=True)
    first_name = fields.String(allow_none=True)
    last_name = fields.String(allow_none=True)
    company = fields.String(allow_none=True)
    job_title = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    attributes = fields.Dict()
    touches = fields.List(fields.Nested(TouchSchema))


def parse_tags(raw: str) -> tuple[str, ...]:
    """Comma-separated tags; each must be `<namespace>/<path>`."""
    import re

    tags = tuple(t.strip() for t in raw.split(",") if t.strip())
    bad = [t for t in tags if not re.match(TAG_PATTERN, t)]
    if bad:
        raise ValueError(f"not a tag (namespace/path): {', '.join(bad)}")
    return tags
