"""Findings: bad data as values (code, severity, count, up to 20 sample ids, message)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

Severity = Literal["Critical", "Warning", "Info"]
MAX_SAMPLES = 20


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    count: int
    message: str
    sample_ids: list[str] = field(default_factory=list)
    # every distinct id the finding counts (sorted), so the findings of a cycle's partitions
    # merge exactly (`merge_findings`); never in the document
    ids: pl.Series | None = field(default=None, compare=False, repr=False)

    def to_document(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "count": self.count,
            "sample_ids": self.sample_ids,
            "message": self.message,
        }


def finding_from_ids(code: str, severity: Severity, ids: pl.Series, message: str) -> Finding | None:
    """A finding over the distinct ids in `ids` (None when there are none)."""
    distinct = ids.drop_nulls().unique().sort()
    if distinct.len() == 0:
        return None
    samples = [str(v) for v in distinct.head(MAX_SAMPLES).to_list()]
    return Finding(code, severity, distinct.len(), message, samples, distinct)


def findings_from_ids(code: str, severity: Severity, ids: pl.Series, message: str) -> list[Finding]:
    """`finding_from_ids` as a list: empty when there are no ids (what a rule returns)."""
    found = finding_from_ids(code, severity, ids, message)
    return [] if found is None else [found]


def merge_findings(parts: list[list[Finding]]) -> list[Finding]:
    """The findings of a whole cycle from those of its partitions, in first-seen code order: a
    code's ids are the union of the partitions' (count and samples as if computed at once). A
    finding without ids (a count, not a list of records) must come from one partition only."""
    if len(parts) == 1:
        return list(parts[0])
    by_code: dict[str, list[Finding]] = {}
    for findings in parts:
        for f in findings:
            by_code.setdefault(f.code, []).append(f)
    merged: list[Finding] = []
    for code, group in by_code.items():
        first = group[0]
        if len(group) == 1:
            merged.append(first)
            continue
        if any(f.ids is None for f in group):
            raise ValueError(f"finding {code} has no ids and cannot be merged across partitions")
        ids = pl.concat([f.ids for f in group if f.ids is not None])
        found = finding_from_ids(code, first.severity, ids, first.message)
        assert found is not None
        merged.append(found)
    return merged


def has_critical(findings: list[Finding]) -> bool:
    return any(f.severity == "Critical" for f in findings)
