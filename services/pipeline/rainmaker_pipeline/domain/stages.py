"""The stage state machine (DESIGN.md section 2).

    suspect -> prospect -> lead -> opportunity -> won | lost
    discarded and nurture: side exits from any open stage (suspect..opportunity)
    nurture -> prospect | lead (it comes back) or discarded (found worthless while parked)
    won, lost and discarded are final.

Won and lost are reached by closing a deal, so the deal's value is never missing from the
reports; `check_transition` allows them from opportunity and the service layer routes them.
"""

from enum import StrEnum


class Stage(StrEnum):
    SUSPECT = "suspect"
    PROSPECT = "prospect"
    LEAD = "lead"
    OPPORTUNITY = "opportunity"
    WON = "won"
    LOST = "lost"
    DISCARDED = "discarded"
    NURTURE = "nurture"


# Open stages count against an account manager's capacity; nurture is parked, not open.
OPEN_STAGES = frozenset({Stage.SUSPECT, Stage.PROSPECT, Stage.LEAD, Stage.OPPORTUNITY})
CLOSING_STAGES = frozenset({Stage.WON, Stage.LOST})
_SIDE_EXITS = (Stage.DISCARDED, Stage.NURTURE)

TRANSITIONS: dict[Stage, tuple[Stage, ...]] = {
    Stage.SUSPECT: (Stage.PROSPECT, *_SIDE_EXITS),
    Stage.PROSPECT: (Stage.LEAD, *_SIDE_EXITS),
    Stage.LEAD: (Stage.OPPORTUNITY, *_SIDE_EXITS),
    Stage.OPPORTUNITY: (Stage.WON, Stage.LOST, *_SIDE_EXITS),
    Stage.NURTURE: (Stage.PROSPECT, Stage.LEAD, Stage.DISCARDED),
    Stage.WON: (),
    Stage.LOST: (),
    Stage.DISCARDED: (),
}

# How far down the funnel a stage is; side exits say nothing about progress (None).
FUNNEL_RANK: dict[Stage, int | None] = {
    Stage.SUSPECT: 0,
    Stage.PROSPECT: 1,
    Stage.LEAD: 2,
    Stage.OPPORTUNITY: 3,
    Stage.WON: 4,
    Stage.LOST: 4,
    Stage.DISCARDED: None,
    Stage.NURTURE: None,
}


class IllegalTransition(Exception):
    """A move the state machine refuses; the message names from, to and what is allowed."""

    def __init__(self, lead_id: str, from_stage: Stage, to_stage: Stage) -> None:
        self.lead_id = lead_id
        self.from_stage = from_stage
        self.to_stage = to_stage
        self.allowed = TRANSITIONS[from_stage]
        allowed = ", ".join(self.allowed) if self.allowed else f"none ({from_stage} is final)"
        super().__init__(
            f"Lead {lead_id} cannot move from {from_stage} to {to_stage}; "
            f"allowed next stages from {from_stage}: {allowed}."
        )


def allowed_next(stage: Stage) -> tuple[Stage, ...]:
    return TRANSITIONS[stage]


def check_transition(lead_id: str, from_stage: Stage, to_stage: Stage) -> None:
    if to_stage not in TRANSITIONS[from_stage]:
        raise IllegalTransition(lead_id, from_stage, to_stage)


def furthest(reached: Stage, new: Stage) -> Stage:
    """The furthest funnel stage a lead has reached once it also reached `new`."""
    new_rank = FUNNEL_RANK[new]
    reached_rank = FUNNEL_RANK[reached]
    if new_rank is None:
        return reached
    if reached_rank is None or new_rank > reached_rank:
        return new
    return reached


def has_reached(reached: Stage, stage: Stage) -> bool:
    """Whether a lead whose furthest stage is `reached` got at least as far as `stage`."""
    reached_rank, rank = FUNNEL_RANK[reached], FUNNEL_RANK[stage]
    return reached_rank is not None and rank is not None and reached_rank >= rank
