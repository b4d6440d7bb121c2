"""The matching rules: is this pair of folded contacts one person, under which rule?"""

from dataclasses import dataclass, field
from operator import eq, itemgetter

from rainmaker_intake.domain.dedup_words import ROLE_ACCOUNTS
from rainmaker_intake.domain.name_scores import NAME_SCORERS
from rainmaker_intake.domain.similarity import Profile, company_score, street_score

# Rules, strongest first: of two candidates that score the same, the stronger rule wins.
RULE_STRENGTH = {"email": 3, "phone+name": 2, "name+company": 1, "name+address": 0}


@dataclass(frozen=True)
class Decision:
    rule: str  # email | phone+name | name+company | name+address
    score: float  # 0..1; for fuzzy rules the weaker of the name and the company/address
    # What else the pair shares (`evidence`) and how many of its fields are the same, blanks
    # included (`likeness`): set when candidates are ranked; not stored.
    evidence: int = field(default=0, compare=False)
    likeness: int = field(default=0, compare=False)

    @property
    def rank(self) -> tuple[float, int, int, int]:
        """Orders the decisions for one row: score, rule, evidence, then likeness."""
        return self.score, RULE_STRENGTH[self.rule], self.evidence, self.likeness


@dataclass(frozen=True)
class DedupConfig:
    name_threshold: float = 0.85
    company_threshold: float = 0.9
    street_threshold: float = 0.85
    phone_name_threshold: float = 0.85
    # Where the mailboxes disagree (other domains; or one domain, neither fitting the names)
    # the names must all but agree: colleagues share switchboards, streets and surnames.
    colleague_name_threshold: float = 0.95
    scorer: str = "jaro_winkler_capped"  # a key of name_scores.NAME_SCORERS
    max_block: int = 100  # candidates taken from one blocking key (the most recent)


DEFAULT = DedupConfig()


# The identifiers `evidence` weighs: e-mail, phone, company, web domain, postcode, city,
# street, house number (Profile's fields, by position: this runs for every match).
_IDENTIFIERS = itemgetter(0, 2, 6, 7, 8, 9, 10, 11)


def evidence(a: Profile, b: Profile) -> int:
    """Identifiers the pair shares less those it disagrees on (blanks count for neither).

    Decides between candidates a rule scores alike: a row re-imported after its merge was
    undone matches both the survivor and its own restored lead by name and company, and
    belongs to the one that also has its phone and city. Without it the first candidate the
    database returned won, which differed between SQLite and PostgreSQL.
    """
    score = 0
    for mine, theirs in zip(_IDENTIFIERS(a), _IDENTIFIERS(b), strict=True):
        if mine and theirs:
            score += 1 if mine == theirs else -1
    return score


def ranked(a: Profile, b: Profile, config: DedupConfig = DEFAULT) -> Decision | None:
    """`decide`, with what ranks it against the row's other candidates: the evidence, then
    the likeness (fields alike, blanks included). The likeness sends a row that adds nothing
    to a survivor (its merge undone, the row listed again) to its own restored lead, which
    lacks what the row lacks."""
    decision = decide(a, b, config)
    if decision is None:
        return None
    return Decision(decision.rule, decision.score, evidence(a, b), sum(map(eq, a, b)))


def _fits(local: str, first: str, last: str) -> bool:
    """Could this mailbox belong to first/last (john.smith, jsmith, smith.j, john...)?"""
    letters = "".join(ch for ch in local if ch.isalpha())
    if not (letters and first and last):
        return False
    return letters in (first + last, last + first, first[0] + last, last + first[0], first, last)


def _mailboxes_agree(a: Profile, b: Profile, name: float, config: DedupConfig) -> bool:
    """Two mailboxes at one domain. One person when a mailbox was made from the other row's
    name and not its own (a typo in a name: faith.gilbert@ on "Faith Gilbtr") or when the
    names agree (swapped or nicknamed: s.garza@ / garza.stacy@); colleagues when each fits
    its own name and not both fit both (ann.robinson@ / arobinson@ on "Ann" and "Anna"
    Robinson); otherwise the names must all but agree."""
    local_a, local_b = a.email.partition("@")[0], b.email.partition("@")[0]
    a_own, a_other = _fits(local_a, a.first, a.last), _fits(local_a, b.first, b.last)
    b_own, b_other = _fits(local_b, b.first, b.last), _fits(local_b, a.first, a.last)
    if (a_other and not a_own) or (b_other and not b_own) or name == 1.0:
        return True
    if a_own and b_own and not (a_other and b_other):
        return False
    return name >= config.colleague_name_threshold


def decide(a: Profile, b: Profile, config: DedupConfig = DEFAULT) -> Decision | None:
    """The strongest rule under which two profiles are the same person, or None."""
    same_email = bool(a.email) and a.email == b.email
    if same_email and a.email.partition("@")[0] not in ROLE_ACCOUNTS:
        return Decision("email", 1.0)
    name = NAME_SCORERS[config.scorer](a, b)
    if same_email and name >= config.name_threshold:
        return Decision("email", 1.0)  # a shared role mailbox, and the names agree
    if name < min(config.name_threshold, config.phone_name_threshold):
        return None
    phone = bool(a.phone) and a.phone == b.phone and name >= config.phone_name_threshold
    found = [Decision("phone+name", round(name, 4))] if phone else []
    if a.email and b.email and not same_email:
        if a.email.partition("@")[2] != b.email.partition("@")[2]:
            # Different domains: one person only by phone and a near-identical name (a
            # switchboard number is shared by colleagues with similar names).
            strong = found and name >= config.colleague_name_threshold
            return found[0] if strong else None
        if not _mailboxes_agree(a, b, name, config):
            return None  # colleagues share a switchboard, a street and often a surname
    if name >= config.name_threshold:
        company = company_score(a, b)
        if company >= config.company_threshold:
            found.append(Decision("name+company", round(min(name, company), 4)))
        street = street_score(a, b)
        if street >= config.street_threshold:
            found.append(Decision("name+address", round(min(name, street), 4)))
    return max(found, key=lambda d: d.score) if found else None
