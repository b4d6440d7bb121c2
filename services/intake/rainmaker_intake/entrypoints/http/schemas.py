"""Request and response bodies of the intake API."""

import json
import re
from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates, validates_schema

from rainmaker_contracts.common import MAX_TAG_LENGTH, NEW_TAG_PATTERN
from rainmaker_contracts.money import to_minor
from rainmaker_intake.domain.contact import FIELDS

# A list's cost, in its currency's units: far above any real list, far below what overflows
# the 64-bit minor-unit column or makes decimal arithmetic slow (1E+999997).
MAX_COST = Decimal(10) ** 12
REGION = validate.Regexp(r"^[A-Z]{2}$", error="an ISO 3166-1 alpha-2 code such as DE or GB")


def sheet_field() -> fields.String:
    """An XLSX upload's worksheet, by name ('' as not given); a CSV upload with it is a 422."""
    return fields.String(
        load_default=None,
        validate=validate.Length(max=255),
        metadata={"description": "XLSX only: the worksheet to read, by name (default: the "
                  "first); an unknown name is a 422 listing the workbook's sheets"},
    )  # fmt: skip


class ListUploadSchema(Schema):
    """The form fields of POST /lists (the file itself is the `file` part)."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    vendor = fields.String(load_default=None, validate=validate.Length(max=300))
    # Kept as written: the currency says how many decimals it may have (checked below), so
    # none are rounded away first.
    cost = fields.Decimal(
        load_default=Decimal(0), validate=validate.Range(min=0, max=MAX_COST), as_string=True
    )
    currency = fields.String(load_default="EUR", validate=validate.Regexp(r"^[A-Z]{3}$"))
    purchased_on = fields.Date(load_default=None)
    licence_expires_on = fields.Date(load_default=None)
    tags = fields.String(
        load_default="", metadata={"description": "comma-separated tags, e.g. industry/software"}
    )
    mapping = fields.String(
        load_default=None,
        metadata={"description": 'JSON {"<header>": "<field>"} overriding header detection'},
    )
    default_region = fields.String(load_default=None, validate=REGION)
    sheet = sheet_field()

    @validates("tags")
    def _tags(self, value: str, **_: Any) -> None:
        parse_tags(value)

    @validates_schema(skip_on_field_errors=True)
    def _cost_fits_currency(self, data: dict[str, Any], **_: Any) -> None:
        try:
            to_minor(data["cost"], data["currency"])
        except (ValueError, ArithmeticError) as exc:
            raise ValidationError(str(exc), field_name="cost") from None

    @validates("mapping")
    def _mapping(self, value: str | None, **_: Any) -> None:
        parse_mapping(value)


class PreviewFormSchema(Schema):
    mapping = fields.String(load_default=None)
    sheet = sheet_field()

    @validates("mapping")
    def _mapping(self, value: str | None, **_: Any) -> None:
        parse_mapping(value)


class ListFileSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class UploadAcceptedSchema(Schema):
    list_id = fields.String()
    import_id = fields.String()
    created = fields.Boolean(metadata={"description": "false: this file was already imported"})


class QualitySchema(Schema):
    rows_new_to_us = fields.Integer()
    rows_already_owned = fields.Integer()
    owned_by_source = fields.Dict(keys=fields.String(), values=fields.Integer())
    existing_customers = fields.Integer()
    duplicates_in_file = fields.Integer()
    invalid_emails = fields.Integer()
    invalid_phones = fields.Integer()
    suppressed = fields.Integer()
    rejected = fields.Integer()
    cost_minor = fields.Integer()
    currency = fields.String()
    cost_per_new_contact_minor = fields.Integer(allow_none=True)


class ImportSchema(Schema):
    import_id = fields.String()
    list_id = fields.String()
    file_name = fields.String(allow_none=True)
    sheet = fields.String(
        allow_none=True,
        metadata={"description": "the XLSX worksheet read (null: CSV, or an import from before "
                  "sheets were recorded, which read the first)"},
    )  # fmt: skip
    status = fields.String(metadata={"description": "queued | running | done | failed"})
    encoding = fields.String(allow_none=True)
    delimiter = fields.String(allow_none=True)
    rows_total = fields.Integer()
    rows_done = fields.Integer()
    accepted = fields.Integer()
    duplicates_in_file = fields.Integer()
    duplicates_existing = fields.Integer()
    suppressed = fields.Integer()
    rejected = fields.Integer()
    error = fields.String(allow_none=True)
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    quality = fields.Nested(QualitySchema)


class ImportBriefSchema(Schema):
    import_id = fields.String()
    status = fields.String()
    rows_total = fields.Integer()
    accepted = fields.Integer()
    created_at = fields.DateTime()


class ListSchema(Schema):
    list_id = fields.String()
    name = fields.String()
    vendor = fields.String(allow_none=True)
    cost_minor = fields.Integer()
    currency = fields.String()
    purchased_on = fields.Date(allow_none=True)
    licence_expires_on = fields.Date(allow_none=True)
    tags = fields.List(fields.String())
    default_region = fields.String(allow_none=True)
    created_at = fields.DateTime()
    imports = fields.List(fields.Nested(ImportBriefSchema))


def parse_tags(raw: str) -> tuple[str, ...]:
    """Comma-separated tags; each must be `<namespace>/<path>`, at most MAX_TAG_LENGTH long
    (the contracts' limit: a longer tag would fail every lead event of the list)."""
    tags = tuple(t.strip() for t in raw.split(",") if t.strip())
    long = [t for t in tags if len(t) > MAX_TAG_LENGTH]
    if long:
        shown = ", ".join(f"{t[:40]}…" for t in long)
        raise ValidationError(f"longer than {MAX_TAG_LENGTH} characters: {shown}")
    bad = [t for t in tags if not re.match(NEW_TAG_PATTERN, t)]
    if bad:
        raise ValidationError(f"not a tag (namespace/path): {', '.join(bad)}")
    return tags


def parse_mapping(raw: str | None) -> dict[str, str] | None:
    if not raw:
        return None
    try:
        mapping = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValidationError(f"not JSON: {exc}") from None
    if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
        raise ValidationError('a JSON object {"<header>": "<field>"}')
    unknown = sorted(v for v in mapping.values() if v not in FIELDS)
    if unknown:
        raise ValidationError(f"unknown fields {unknown}; known: {', '.join(FIELDS)}")
    return {str(k): str(v) for k, v in mapping.items()}
