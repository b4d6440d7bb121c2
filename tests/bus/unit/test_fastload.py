"""The compiled fast path never disagrees with marshmallow: on valid samples it returns what
marshmallow loads; on thousands of mutations it either returns marshmallow's result or
declines (None) — it never accepts what marshmallow rejects."""

import copy
import random
from typing import Any

import pytest
from marshmallow import ValidationError

from rainmaker_contracts.envelope import EnvelopeSchema
from rainmaker_contracts.fastload import loader_for
from rainmaker_contracts.registry import EVENT_SCHEMAS, schema_for
from tests.bus.unit.test_contracts import SAMPLES

ODD_VALUES: list[Any] = [
    None, "", "x", "industry/software", "rented_list", "won", 0, -1, 1, 2**40, 0.5, -0.1, 1.5,
    float("nan"), float("inf"), True, False, [], ["industry/software"], ["bad tag"], {}, {"k": 1},
    {"k": "v"}, "2026-01-01", "2026-01-01T00:00:00", "2026-01-01T00:00:00+00:00",
    "2026-01-01T00:00:00Z", "2026-13-01T00:00:00+00:00", "20260101T000000Z", "EUR", "eur",
    "5", "1e3", "x" * 400,
]  # fmt: skip


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path inside nested dicts/lists."""
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += paths(v, (*prefix, i))
    return out


def mutate(data: Any, path: tuple, rng: random.Random) -> Any:
    data = copy.deepcopy(data)
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if isinstance(parent, dict) and rng.random() < 0.2:
        del parent[last]
    else:
        parent[last] = rng.choice(ODD_VALUES)
    if isinstance(data, dict) and rng.random() < 0.1:
        data["unexpected"] = 1
    return data


def agree(schema, data) -> bool:
    fast = loader_for(schema)(data)
    try:
        slow = schema.load(data)
    except ValidationError:
        return fast is None
    return fast is None or fast == slow


@pytest.mark.parametrize("event_type", sorted(EVENT_SCHEMAS))
def test_valid_samples_take_the_fast_path_and_match_marshmallow(event_type):
    schema = schema_for(event_type, 1)
    data = SAMPLES[event_type]
    fast = loader_for(schema)(data)
    assert fast is not None, f"{event_type}: fast path declined a valid sample"
    assert fast == schema.load(data)


@pytest.mark.parametrize("event_type", sorted(EVENT_SCHEMAS))
def test_mutations_never_pass_the_fast_path_when_marshmallow_refuses(event_type):
    schema = schema_for(event_type, 1)
    rng = random.Random(event_type)
    sample = SAMPLES[event_type]
    for path in paths(sample):
        for _ in range(40):
            mutated = mutate(sample, path, rng)
            assert agree(schema, mutated), (event_type, path, mutated)


def test_envelope_mutations_agree():
    schema = EnvelopeSchema()
    envelope = {"id": "m1", "type": "lead.erased", "version": 1,
                "occurred_at": "2026-01-01T00:00:00+00:00", "producer": "intake",
                "correlation_id": None, "data": {"lead_id": "L1"}}  # fmt: skip
    assert loader_for(schema)(envelope) == schema.load(envelope)
    rng = random.Random(7)
    for path in paths(envelope):
        for _ in range(40):
            assert agree(schema, mutate(envelope, path, rng)), path


def test_a_lead_merged_into_itself_is_refused_on_both_paths():
    """A consumer would otherwise mark the lead merged into itself: gone from its view."""
    schema = schema_for("leads.merged", 1)
    merge = SAMPLES["leads.merged"]["merges"][0]
    itself = {"merges": [merge, {**merge, "merged_id": merge["survivor_id"]}]}
    assert loader_for(schema)(itself) is None
    with pytest.raises(ValidationError) as refused:
        schema.load(itself)
    assert refused.value.messages == {
        "merges": {1: {"merged_id": ["must differ from survivor_id"]}}
    }


def test_the_one_known_hook_compiles_and_any_other_hook_does_not():
    from marshmallow import fields, validates_schema

    from rainmaker_contracts.common import DistinctFieldsSchema
    from rainmaker_contracts.fastload import NotCompilable, compile_schema

    class Pair(DistinctFieldsSchema):
        distinct_fields = (("a", "b"),)
        a = fields.String(required=True)
        b = fields.String(required=True)

    class Other(Pair):
        @validates_schema
        def other(self, data, **kwargs):
            pass

    assert loader_for(Pair())({"a": "x", "b": "y"}) == {"a": "x", "b": "y"}
    assert loader_for(Pair())({"a": "x", "b": "x"}) is None
    with pytest.raises(NotCompilable):
        compile_schema(Other())
