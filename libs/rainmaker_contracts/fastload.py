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

from rainmaker_contracts.common import DISTINCT_HOOK

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


class _Compiler:
    """Writes one plain Python function per schema: every check inline, no call per field.

    Calling a closure per field was most of the cost of the previous (tree of loaders) form;
    generated code runs about 3x faster and follows exactly the same rules.
    """

    def __init__(self) -> None:
        self.ns: dict[str, Any] = {
            "_FAIL": _FAIL,
            "_MISSING": missing,
            "_datetime": _datetime,
            "_date": _date,
            "_isfinite": math.isfinite,
        }
        self.source: list[str] = []
        self._n = 0

    def name(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}{self._n}"

    def const(self, value: Any) -> str:
        name = self.name("_c")
        self.ns[name] = value
        return name

    def schema(self, schema: Schema) -> str:
        """Emit a function loading `schema`; returns its name."""
        hooks = {kind: [h[0] for h in found] for kind, found in schema._hooks.items() if found}
        distinct: tuple[tuple[str, str], ...] = ()
        if hooks == {"validates_schema": [DISTINCT_HOOK]}:
            distinct = getattr(schema, "distinct_fields", ())
        elif hooks:  # pre/post_load, other validates_schema
            raise NotCompilable("schema hooks")
        fn = self.name("_load")
        body = ["if type(data) is not dict:", "    return _FAIL"]
        if schema.unknown != EXCLUDE:
            known = self.const(frozenset(schema.load_fields))
            body += [f"if not {known}.issuperset(data):", "    return _FAIL"]
        body.append("out = {}")
        for name, field in schema.load_fields.items():
            if field.data_key not in (None, name) or field.attribute not in (None, name):
                raise NotCompilable(f"renamed field {name}")
            body += [f"v = data.get({name!r}, _MISSING)", "if v is _MISSING:"]
            default = field.load_default
            if field.required:
                body.append("    return _FAIL")
            elif default is not missing:
                call = "()" if callable(default) else ""
                body.append(f"    out[{name!r}] = {self.const(default)}{call}")
            else:
                body.append("    pass")
            body.append("else:")
            body += _indent([*self.field(field, "v"), f"out[{name!r}] = v"])
        for first, second in distinct:  # as DistinctFieldsSchema checks them
            body += [
                f"if {first!r} in out and out.get({first!r}) == out.get({second!r}):",
                "    return _FAIL",
            ]
        body.append("return out")
        self.source += [f"def {fn}(data):", *_indent(body), ""]
        return fn

    def field(self, field: fields.Field[Any], var: str) -> list[str]:
        """Statements that check `var` against `field` and leave the loaded value in it."""
        if_none = "pass" if field.allow_none else "return _FAIL"
        checks = [self.check(v, var) for v in field.validators]
        value = self.value(field, var) + [line for c in checks for line in c]
        return [f"if {var} is None:", f"    {if_none}", "else:", *_indent(value)]

    def check(self, validator: Any, var: str) -> list[str]:
        if isinstance(validator, validate.OneOf):
            return [f"if {var} not in {self.const(set(validator.choices))}:", "    return _FAIL"]
        return [f"if not {self.const(_check(validator))}({var}):", "    return _FAIL"]

    def value(self, field: fields.Field[Any], var: str) -> list[str]:
        fail = "    return _FAIL"
        kind = type(field)
        simple = {fields.String: "str", fields.Integer: "int", fields.Boolean: "bool"}
        if kind in simple:
            return [f"if type({var}) is not {simple[kind]}:", fail]
        if kind is fields.Float:
            t = f"type({var})"
            return [
                f"if {t} is not int and {t} is not float or not _isfinite({var}):",
                fail,
                f"{var} = float({var})",
            ]
        if kind in (fields.AwareDateTime, fields.Date):
            parse = "_datetime" if kind is fields.AwareDateTime else "_date"
            return [f"{var} = {parse}({var})", f"if {var} is _FAIL:", fail]
        if isinstance(field, fields.Nested):
            nested = field.nested
            schema = nested() if isinstance(nested, type) else nested
            if not isinstance(schema, Schema) or field.many:
                raise NotCompilable(f"nested {nested!r}")
            return [f"{var} = {self.schema(schema)}({var})", f"if {var} is _FAIL:", fail]
        if isinstance(field, fields.List):
            item, items = self.name("_i"), self.name("_l")
            return [
                f"if type({var}) is not list:",
                fail,
                f"{items} = []",
                f"for {item} in {var}:",
                *_indent([*self.field(field.inner, item), f"{items}.append({item})"]),
                f"{var} = {items}",
            ]
        if isinstance(field, fields.Dict):
            key_ok = field.key_field is None or type(field.key_field) is fields.String
            if not key_ok or (field.key_field and field.key_field.validators):
                raise NotCompilable("dict with validated keys")
            if field.value_field is not None and type(field.value_field) is not fields.Raw:
                raise NotCompilable("dict with typed values")
            key = self.name("_k")
            return [
                f"if type({var}) is not dict:",
                fail,
                f"for {key} in {var}:",
                f"    if type({key}) is not str:",
                "        return _FAIL",
                f"{var} = dict({var})",
            ]
        raise NotCompilable(f"field {kind.__name__}")


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


def compile_schema(schema: Schema) -> Loader:
    """A loader for `schema` returning the loaded dict, or the _FAIL sentinel when unsure."""
    compiler = _Compiler()
    entry = compiler.schema(schema)
    code = compile("\n".join(compiler.source), f"<fastload {type(schema).__name__}>", "exec")
    exec(code, compiler.ns)  # our own generated source, built only from schema definitions
    return compiler.ns[entry]  # type: ignore[no-any-return]


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
