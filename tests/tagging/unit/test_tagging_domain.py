"""The pure domain: derived roles, rule matching, collapsing and resolving evidence."""

import pytest

from rainmaker_tagging.domain.model import (
    Evidence,
    InvalidRule,
    LeadInputs,
    Origin,
    Rule,
    RuleField,
    RuleKind,
    SourceTags,
)
from rainmaker_tagging.domain.roles import derive_roles
from rainmaker_tagging.domain.rules import apply_rules, compile_pattern, validate_rule
from rainmaker_tagging.domain.tagset import automatic_evidence, resolve


def roles(title: str | None) -> set[str]:
    return {e.tag for e in derive_roles(title)}


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("CEO", {"role/executive"}),
        ("Chief Executive Officer", {"role/executive"}),
        ("Co-Founder & CTO", {"role/executive", "role/engineering"}),
        ("Chief Financial Officer", {"role/executive", "role/finance"}),
        ("VP Engineering", {"role/leadership", "role/engineering"}),
        ("Head of Sales EMEA", {"role/leadership", "role/sales"}),
        ("Director, Marketing", {"role/leadership", "role/marketing"}),
        ("Managing Director", {"role/executive"}),
        ("Senior Software Engineer", {"role/engineering"}),
        ("Engineering Manager", {"role/management", "role/engineering"}),
        ("full-stack developer", {"role/engineering"}),
        ("IT Manager", {"role/management", "role/it"}),
        ("Head of HR", {"role/leadership", "role/hr"}),
        ("Operations Manager", {"role/management", "role/operations"}),
        ("Receptionist", set()),
        ("", set()),
        (None, set()),
    ],
)
def test_job_titles_derive_one_seniority_and_any_functions(title, expected):
    assert roles(title) == expected


def test_lower_case_it_is_a_word_not_information_technology():
    assert roles("make it happen") == set()


def test_derived_reason_says_the_matched_words():
    (leadership, engineering) = derive_roles("VP  Engineering")
    assert leadership.origin is Origin.DERIVED
    assert leadership.reason == "job title 'VP Engineering' contains 'VP'"
    assert "'Engineering'" in engineering.reason


def rule(
    rule_id=1,
    tag="industry/software",
    field=RuleField.INDUSTRY,
    pattern="software",
    kind=RuleKind.KEYWORD,
    confidence=0.7,
    enabled=True,
) -> Rule:
    return Rule(rule_id, tag, field, pattern, kind, confidence, enabled)


def test_keyword_matches_whole_words_in_any_case():
    pattern = compile_pattern("data platform", RuleKind.KEYWORD)
    assert pattern.search("Our DATA   Platform team")
    assert not pattern.search("bigdata platforms")


def test_regex_rules_are_case_insensitive_and_invalid_ones_are_refused():
    assert compile_pattern(r"saa?s\b", RuleKind.REGEX).search("B2B SaaS")
    with pytest.raises(InvalidRule, match="not a valid regular expression"):
        validate_rule("(unclosed", RuleKind.REGEX, 0.5)
    with pytest.raises(InvalidRule, match="confidence"):
        validate_rule("ok", RuleKind.KEYWORD, 0.0)
    with pytest.raises(InvalidRule, match="blank"):
        validate_rule("   ", RuleKind.KEYWORD, 0.5)


def test_rules_apply_to_their_field_with_origin_rule_or_notes():
    inputs = LeadInputs(
        "l1", job_titles=["Buyer"], industries=["Software"], activity_notes=["wants a CRM demo"]
    )
    found = apply_rules(
        [
            rule(1),
            rule(2, "interest/crm", RuleField.NOTES, "crm"),
            rule(3, "interest/crm", RuleField.ANY, "crm", confidence=0.6),
            rule(4, "industry/retail", RuleField.JOB_TITLE, "buyer", enabled=False),
            rule(5, "industry/retail", RuleField.COMPANY, "buyer"),
        ],
        inputs,
    )
    assert [(e.tag, e.origin, e.confidence) for e in found] == [
        ("industry/software", Origin.RULE, 0.7),
        ("interest/crm", Origin.NOTES, 0.7),
        ("interest/crm", Origin.NOTES, 0.6),
    ]
    assert found[0].reason == (
        "rule #1 (keyword 'software' on industry) matched 'Software' in industry"
    )


def test_automatic_evidence_collapses_per_tag_and_origin():
    inputs = LeadInputs(
        "l1",
        job_titles=["CTO"],
        sources=[
            SourceTags("rented_list", "b", "Bravo list", ("industry/software",)),
            SourceTags("referral", "r1", "Ann Referrer", ("industry/software",)),
        ],
    )
    evidence = automatic_evidence(inputs, [rule(1, confidence=0.7)])
    by_key = {(e.tag, e.origin): e for e in evidence}
    listed = by_key[("industry/software", Origin.LIST)]
    assert listed.confidence == 1.0
    assert listed.reason == "from list Bravo list; from referral Ann Referrer"
    assert ("role/executive", Origin.DERIVED) in by_key
    assert ("role/engineering", Origin.DERIVED) in by_key


def test_resolve_keeps_one_entry_per_tag_manual_first_then_confidence():
    evidence = [
        Evidence("industry/software", 0.7, Origin.RULE, "rule"),
        Evidence("industry/software", 1.0, Origin.LIST, "from list A"),
        Evidence("role/sales", 0.8, Origin.DERIVED, "title"),
        Evidence("role/sales", 0.0, Origin.MANUAL, "rejected by key k"),
        Evidence("interest/crm", 0.5, Origin.NOTES, "notes"),
        Evidence("interest/crm", 1.0, Origin.MANUAL, "set by key k"),
        Evidence("role/it", 0.8, Origin.DERIVED, "title"),
        Evidence("role/it", 0.8, Origin.RULE, "rule"),
    ]
    resolved = {e.tag: e for e in resolve(evidence)}
    assert set(resolved) == {"industry/software", "interest/crm", "role/it"}
    assert resolved["industry/software"].origin is Origin.LIST
    assert resolved["interest/crm"].origin is Origin.MANUAL
    assert resolved["role/it"].origin is Origin.RULE  # tie: rule ranks above derived


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        # "President" inside "Vice President" is not a president: a VP is leadership.
        ("Vice President Sales", {"role/leadership", "role/sales"}),
        ("Senior Vice President, Marketing", {"role/leadership", "role/marketing"}),
        ("Assistant Vice President", {"role/leadership"}),
        # The executive someone assists or reports to is not their own seniority.
        ("Assistant to the CEO", set()),
        ("Executive Assistant to the CFO", {"role/finance"}),
        # A Scrum/process "owner" owns a backlog, not the business.
        ("Product Owner", set()),
        ("Process Owner, Supply Chain", {"role/operations"}),
        # ...while owners of the business still are executives.
        ("Owner", {"role/executive"}),
        ("Business Owner", {"role/executive"}),
        ("Owner & Managing Director", {"role/executive"}),
        ("President", {"role/executive"}),
        ("President and CEO", {"role/executive"}),
    ],
)
def test_seniority_words_inside_other_titles_do_not_count(title, expected):
    assert roles(title) == expected
