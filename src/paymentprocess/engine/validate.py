"""Stage `validate`: run the rule registry over the run's frames and collect findings.

A rule's finding must carry one of the codes the rule declares (`Rule.codes`); any other is a
programming error and stops the run (TypeError), so the declaration cannot drift from the code.
"""

from __future__ import annotations

from paymentprocess.domain.findings import Finding
from paymentprocess.rules import DEFAULT_RULES
from paymentprocess.rules.base import Rule, RuleContext


def run_rules(
    ctx: RuleContext,
    *,
    results: bool,
    cycle_level: bool = False,
    rules: tuple[Rule, ...] = DEFAULT_RULES,
) -> list[Finding]:
    """Findings of the rules that run on input (`results=False`) or on computed results, either
    the claim-level rules (on a partition's claims) or the `cycle_level` ones."""
    found: list[Finding] = []
    for rule in rules:
        if rule.needs_results == results and rule.cycle_level == cycle_level:
            findings = rule.check(ctx)
            stray = sorted({f.code for f in findings} - set(rule.codes))
            if stray:
                raise TypeError(
                    f"rule {type(rule).__name__} emitted {', '.join(stray)} but declares only "
                    f"{', '.join(rule.codes)} (its `codes`, domain.finding_codes)"
                )
            found.extend(findings)
    return found
