"""The source ROI table: leads and outcomes credited to a row, costs, and the ratios."""

from dataclasses import dataclass, field
from fractions import Fraction

from rainmaker_pipeline.domain.stages import Stage, has_reached


@dataclass(frozen=True)
class LeadOutcome:
    """What became of one lead: how far it got, and what its won deals brought in."""

    furthest_stage: Stage
    won: bool
    revenue_minor: int = 0
    won_deals_other_currency: int = 0  # won, but in another currency than the report's


@dataclass
class SourceRow:
    group: str
    label: str
    cost_minor: int = 0
    leads: int = 0
    contacted: int = 0
    opportunities: int = 0
    won: int = 0
    revenue_minor: int = 0
    # Won deals whose revenue this report's currency left out: a row that won only in another
    # currency shows revenue 0 and ROI -1, and says why here.
    won_deals_other_currency: int = 0

    def add_lead(self, outcome: LeadOutcome) -> None:
        self.leads += 1
        self.contacted += has_reached(outcome.furthest_stage, Stage.LEAD)
        self.opportunities += has_reached(outcome.furthest_stage, Stage.OPPORTUNITY)
        self.won += outcome.won
        self.revenue_minor += outcome.revenue_minor
        self.won_deals_other_currency += outcome.won_deals_other_currency

    @property
    def cost_per_lead_minor(self) -> int | None:
        return _per(self.cost_minor, self.leads)

    @property
    def cost_per_won_minor(self) -> int | None:
        return _per(self.cost_minor, self.won)

    @property
    def roi(self) -> float | None:
        """(revenue - cost) / cost; None when nothing was spent (no ratio to speak of)."""
        if not self.cost_minor:
            return None
        return round((self.revenue_minor - self.cost_minor) / self.cost_minor, 4)


def _per(amount_minor: int, count: int) -> int | None:
    """amount / count in whole minor units (half to even), exact: a float quotient drifts
    once sums pass 2**53 minor units."""
    return round(Fraction(amount_minor, count)) if count else None


@dataclass
class RoiTable:
    rows: dict[str, SourceRow] = field(default_factory=dict)

    def row(self, group: str, label: str) -> SourceRow:
        if group not in self.rows:
            self.rows[group] = SourceRow(group=group, label=label)
        return self.rows[group]

    def add_cost(self, group: str, label: str, amount_minor: int) -> None:
        self.row(group, label).cost_minor += amount_minor

    def add_lead(self, group: str, label: str, outcome: LeadOutcome) -> None:
        self.row(group, label).add_lead(outcome)

    def sorted_rows(self) -> list[SourceRow]:
        """Highest revenue first, then most leads, then by label: the report's reading order."""
        return sorted(self.rows.values(), key=lambda r: (-r.revenue_minor, -r.leads, r.label))
