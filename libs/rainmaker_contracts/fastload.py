"""A compiled fast path for loading contract data; marshmallow stays the judge.

Validating a 1,000-lead `leads.ingested` message with marshmallow costs ~55 ms, on every
publish and every consume: the bus's hot spot. `compile_loader(schema)` turns a schema into
plain checks for the field types and validators our contracts use. It is deliberately
conservative: it returns the loaded dict only when every check passes, and None whenever it
is not certain (a wrong type, a coercion marshmallow might accept, a value out of range);
the caller then runs marshmallow, which either loads the data or says exactly what is wrong.
So the fast path can never accept what marshmallow would reject; tests compare both on
valid and mutated data.
"""

import math
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from marshmallow import EXCLUDE, Schema, fields, missing, validate

Loader = Callable[[Any], Any]
_FAIL = object()  # "not certain": fall back to marshmallow
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})\Z")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


class NotCompilable(Exception):
    """The schema uses something the fast path does not model; use marshmallow alone."""


def _check(validator: Any) -> Callable[[Any], bool]:
    if isinstance(validator, validate.OneOf):
        choices = set(validator.choices)
        return lambda v: v in choices
    if isinstance(validator, validate.Range):
        lo, hi = validator.min, validator.max
        lo_in, hi_in = validator.min_inclusive, validator.max_inclusive

        def in_range(v: Any) -> bool:
            above = lo is None or (v >= lo if lo_in else v > lo)
            below = hi is None or (v <= hi if hi_in else v < hi)
            return bool(above and below)

        return in_range
    if isinstance(validator, validate.Length) and validator.equal is None:
        lo, hi = validator.min, validator.max
        return lambda v: (lo is None or len(v) >= lo) and (hi is None or len(v) <= hi)
    if isinstance(validator, validate.Regexp):
        regex = validator.regex
        return lambda v: regex.match(v) is not None
    raise NotCompilable(f"validator {validator!r}")


def _datetime(v: Any) -> Any:
    if type(v) is not str or not _DATETIME.match(v):
        return _FAIL
    try:
        return datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        return _FAIL


def _date(v: Any) -> Any:
    if type(v) is not str or not _DATE.match(v):
        return _FAIL
    try:
        return date.fromisoformat(v)
    except ValueError:
        return _FAIL


def _float(v: Any) -> Any:
    if type(v) not in (int, float) or not math.isfinite(v):
        return _FAIL
    return float(v)


def _typed(kind: type) -> Loader:
    return lambda v: v if type(v) is kind else _FAIL


def _value_loader(field: fields.Field[Any]) -> Loader:
    if isinstance(field, fields.Nested):
        nested = field.nested
        schema = nested() if isinstance(nested, type) else nested
        if not isinstance(schema, Schema) or field.many:
            raise NotCompilable(f"nested {nested!r}")
        return compile_schema(schema)
    if isinstance(field, fields.List):
        inner = _field_loader(field.inner)

        def load_list(v: Any) -> Any:
            if type(v) is not list:
                return _FAIL
            out = [inner(x) for x in v]
            return _FAIL if any(x is _FAIL for x in out) else out

        return load_list
    if isinstance(field, fields.Dict):
        key_ok = field.key_field is None or type(field.key_field) is fields.String
        if not key_ok or (field.key_field and field.key_field.validators):
            raise NotCompilable("dict with validated keys")
        if field.value_field is not None and type(field.value_field) is not fields.Raw:
            raise NotCompilable("dict with typed values")
        return lambda v: dict(v) if type(v) is dict and all(type(k) is str for k in v) else _FAIL
    exact: dict[type, Loader] = {
        fields.String: _typed(str),
        fields.Integer: _typed(int),
        fields.Boolean: _typed(bool),
        fields.Float: _float,
        fields.AwareDateTime: _datetime,
        fields.Date: _date,
    }
    loader = exact.get(type(field))
    if loader is None:
        raise NotCompilable(f"field {type(field).__name__}")
    return loader


def _field_loader(field: fields.Field[Any]) -> Loader:
    base = _value_loader(field)
    checks = [_check(v) for v in field.validators]
    allow_none = field.allow_none
    if not checks:
        return lambda v: None if v is None and allow_none else (_FAIL if v is None else base(v))

    def load(v: Any) -> Any:
        if v is None:
            return None if allow_none else _FAIL
        out = base(v)
        if out is _FAIL or not all(check(out) for check in checks):
            return _FAIL
        return out

    return load


def compile_schema(schema: Schema) -> Loader:
    """A loader for `schema` returning the loaded dict, or the _FAIL sentinel when unsure."""
    if schema._hooks and any(schema._hooks.values()):  # pre/post_load, validates_schema
        raise NotCompilable("schema hooks")
    plan: list[tuple[str, Loader, bool, Any]] = []
    for name, field in schema.load_fields.items():
        if field.data_key not in (None, name) or field.attribute not in (None, name):
            raise NotCompilable(f"renamed field {name}")
        plan.append((name, _field_loader(field), field.required, field.load_default))
    known = {name for name, *_ in plan}
    exclude = schema.unknown == EXCLUDE

    def load(data: Any) -> Any:
        if type(data) is not dict or (not exclude and not known.issuperset(data)):
            return _FAIL
        out: dict[str, Any] = {}
        for name, loader, required, default in plan:
            if name not in data:
                if required:
                    return _FAIL
                if default is not missing:
                    out[name] = default() if callable(default) else default
                continue
            value = loader(data[name])
            if value is _FAIL:
                return _FAIL
            out[name] = value
        return out

    return load


def loader_for(schema: Schema) -> Callable[[Any], dict[str, Any] | None]:
    """`data -> loaded dict`, or None when marshmallow must decide."""
    try:
        compiled = compile_schema(schema)
    except NotCompilable:
        return lambda _data: None

    def load(data: Any) -> dict[str, Any] | None:
        out = compiled(data)
        return None if out is _FAIL else out  # type: ignore[no-any-return]

    return load
