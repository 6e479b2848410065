"""A payment event's stage (`New` → `DryRun` → `Final`) and the stage names of the old system.

The legacy MongoDB collections wrote the stage in many ways. `LEGACY_STAGE_ALIASES` is the
documented table (docs/import-format.md), matched whatever the capitalisation; a site adds its own
names with the setting `PAYMENT_STAGE_ALIASES` (`Approved=DryRun,Done=Final`), read by
`parse_stage_aliases`. A setting may give a built-in alias another stage (the site knows what its
old system meant), never rename one of the three stages themselves.
"""

from __future__ import annotations

STAGES = ("New", "DryRun", "Final")
LEGACY_STAGE_ALIASES: dict[str, str] = {
    "Created": "New",
    "Open": "New",
    "PreRun": "DryRun",
    "Estimate": "DryRun",
    "Estimated": "DryRun",
    "Dry Run": "DryRun",
    "Dry-Run": "DryRun",
    "Completed": "Final",
    "Closed": "Final",
    "Paid": "Final",
    "Finalized": "Final",
}


def parse_stage_aliases(text: str) -> dict[str, str]:
    """`Approved=DryRun, Done=final` → {"Approved": "DryRun", "Done": "Final"}; ValueError if bad."""
    aliases: dict[str, str] = {}
    seen: dict[str, str] = {}
    canonical = {s.lower(): s for s in STAGES}
    for entry in (e.strip() for e in text.split(",")):
        if not entry:
            continue
        name, sep, target = (part.strip() for part in entry.partition("="))
        if not sep or not name or not target:
            raise ValueError(f"entry {entry!r} must look like Name=Stage (e.g. Approved=DryRun)")
        stage = canonical.get(target.lower())
        if stage is None:
            raise ValueError(f"entry {entry!r}: the stage must be one of {', '.join(STAGES)}")
        if name.lower() in canonical:
            raise ValueError(f"entry {entry!r}: {name!r} is a stage itself and cannot be renamed")
        if seen.get(name.lower(), stage) != stage:
            raise ValueError(f"entry {entry!r}: {name!r} is given twice with different stages")
        seen[name.lower()] = stage
        aliases[name] = stage
    return aliases


def stage_aliases(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The built-in table with the setting's entries on top (an entry replaces a built-in one)."""
    table = dict(LEGACY_STAGE_ALIASES)
    lowered = {k.lower(): k for k in table}
    for name, stage in (extra or {}).items():
        table.pop(lowered.get(name.lower(), name), None)
        table[name] = stage
    return table
