"""The stage state machine, as pure domain rules."""

import pytest

from rainmaker_pipeline.domain.stages import (
    OPEN_STAGES,
    TRANSITIONS,
    IllegalTransition,
    Stage,
    allowed_next,
    check_transition,
    furthest,
    has_reached,
)

S = Stage
LEGAL = [
    (S.SUSPECT, S.PROSPECT),
    (S.PROSPECT, S.LEAD),
    (S.LEAD, S.OPPORTUNITY),
    (S.OPPORTUNITY, S.WON),
    (S.OPPORTUNITY, S.LOST),
    (S.NURTURE, S.PROSPECT),
    (S.NURTURE, S.LEAD),
    (S.NURTURE, S.DISCARDED),
] + [(stage, exit_) for stage in OPEN_STAGES for exit_ in (S.DISCARDED, S.NURTURE)]

ILLEGAL = [
    (S.SUSPECT, S.LEAD),  # no skipping
    (S.SUSPECT, S.WON),
    (S.PROSPECT, S.SUSPECT),  # no going back
    (S.LEAD, S.LOST),  # only an opportunity closes
    (S.NURTURE, S.OPPORTUNITY),
    (S.NURTURE, S.NURTURE),
    (S.WON, S.LOST),
    (S.LOST, S.NURTURE),
    (S.DISCARDED, S.PROSPECT),
    (S.LEAD, S.LEAD),
]


@pytest.mark.parametrize(("from_stage", "to_stage"), LEGAL)
def test_legal_transitions_pass(from_stage, to_stage):
    check_transition("l1", from_stage, to_stage)


@pytest.mark.parametrize(("from_stage", "to_stage"), ILLEGAL)
def test_illegal_transitions_are_refused(from_stage, to_stage):
    with pytest.raises(IllegalTransition) as err:
        check_transition("l1", from_stage, to_stage)
    assert err.value.from_stage is from_stage and err.value.to_stage is to_stage
    assert err.value.allowed == allowed_next(from_stage)


def test_the_error_names_from_to_and_the_allowed_next_stages():
    with pytest.raises(IllegalTransition) as err:
        check_transition("lead-7", S.SUSPECT, S.OPPORTUNITY)
    message = str(err.value)
    assert "lead-7" in message
    assert "from suspect to opportunity" in message
    assert "prospect, discarded, nurture" in message


def test_final_stages_allow_nothing_and_say_so():
    for final in (S.WON, S.LOST, S.DISCARDED):
        assert TRANSITIONS[final] == ()
    with pytest.raises(IllegalTransition, match="none \\(won is final\\)"):
        check_transition("l1", S.WON, S.LEAD)


def test_every_stage_has_a_rule():
    assert set(TRANSITIONS) == set(Stage)


def test_furthest_moves_forward_only_and_ignores_side_exits():
    assert furthest(S.SUSPECT, S.PROSPECT) is S.PROSPECT
    assert furthest(S.OPPORTUNITY, S.NURTURE) is S.OPPORTUNITY
    assert furthest(S.LEAD, S.DISCARDED) is S.LEAD
    assert furthest(S.LEAD, S.PROSPECT) is S.LEAD  # back from nurture to prospect
    assert furthest(S.OPPORTUNITY, S.WON) is S.WON


def test_has_reached():
    assert has_reached(S.OPPORTUNITY, S.LEAD)
    assert has_reached(S.LOST, S.OPPORTUNITY)
    assert not has_reached(S.PROSPECT, S.LEAD)
    assert not has_reached(S.LEAD, S.NURTURE)
