"""Stage `validate`: run the rule registry over the run's frames and collect findings."""

from __future__ import annotations

from paymentprocess.domain.findings import Finding
from paymentprocess.rules import DEFAULT_RULES
from paymentprocess.rules.base import Rule, RuleContext


def run_rules(
    ctx: RuleContext, *, results: bool, rules: tuple[Rule, ...] = DEFAULT_RULES
) -> list[Finding]:
    """Findings of the rules that run on input (`results=False`) or on computed results."""
    found: list[Finding] = []
    for rule in rules:
        if rule.needs_results == results:
            found.extend(rule.check(ctx))
    return found
