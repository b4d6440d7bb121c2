"""Editable rules: a keyword or a regex on one field (or any) of a lead proposes a tag."""

import re
from collections.abc import Iterable
from functools import lru_cache

from rainmaker_tagging.domain.model import (
    Evidence,
    InvalidRule,
    LeadInputs,
    Origin,
    Rule,
    RuleField,
    RuleKind,
)

MAX_PATTERN_LENGTH = 300
MAX_QUOTE = 80  # how much matched text a reason quotes


@lru_cache(maxsize=1024)
def compile_pattern(pattern: str, kind: RuleKind) -> re.Pattern[str]:
    """The compiled matcher of a rule; InvalidRule when it cannot be one."""
    if not pattern.strip():
        raise InvalidRule("pattern must not be blank", "pattern")
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise InvalidRule(f"pattern is longer than {MAX_PATTERN_LENGTH} characters", "pattern")
    if kind is RuleKind.KEYWORD:
        words = r"\s+".join(re.escape(w) for w in pattern.split())
        return re.compile(rf"(?<!\w){words}(?!\w)", re.IGNORECASE)
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise InvalidRule(f"pattern is not a valid regular expression: {exc}", "pattern") from None


def validate_rule(pattern: str, kind: RuleKind, confidence: float) -> None:
    compile_pattern(pattern, kind)
    if not 0.0 < confidence <= 1.0:
        raise InvalidRule("confidence must be in (0, 1]", "confidence")


def first_match(rule: Rule, text: str) -> str | None:
    found = compile_pattern(rule.pattern, rule.kind).search(text)
    if found is None or not found.group(0).strip():
        return None
    return found.group(0)


def _texts(inputs: LeadInputs) -> dict[RuleField, list[str]]:
    return {
        RuleField.JOB_TITLE: inputs.job_titles,
        RuleField.COMPANY: inputs.companies,
        RuleField.INDUSTRY: inputs.industries,
        RuleField.NOTES: [*inputs.lead_notes, *inputs.activity_notes],
    }


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_QUOTE else text[: MAX_QUOTE - 1] + "…"


def apply_rules(rules: Iterable[Rule], inputs: LeadInputs) -> list[Evidence]:
    """Evidence from every enabled rule that matches: origin `notes` for text found in notes,
    `rule` for the other fields. A rule on `any` looks at every field."""
    texts = _texts(inputs)
    found: list[Evidence] = []
    for rule in rules:
        if not rule.enabled:
            continue
        fields = [f for f in texts if rule.field in (f, RuleField.ANY)]
        for name in fields:
            origin = Origin.NOTES if name is RuleField.NOTES else Origin.RULE
            for text in texts[name]:
                matched = first_match(rule, text)
                if matched is None:
                    continue
                reason = (
                    f"rule #{rule.rule_id} ({rule.kind.value} {rule.pattern!r} on "
                    f"{rule.field.value}) matched {_quote(matched)!r} in {name.value}"
                )
                found.append(Evidence(rule.tag, rule.confidence, origin, reason))
                break
    return found
