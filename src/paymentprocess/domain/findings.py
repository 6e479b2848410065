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
    return Finding(code, severity, distinct.len(), message, samples)


def findings_from_ids(code: str, severity: Severity, ids: pl.Series, message: str) -> list[Finding]:
    """`finding_from_ids` as a list: empty when there are no ids (what a rule returns)."""
    found = finding_from_ids(code, severity, ids, message)
    return [] if found is None else [found]


def has_critical(findings: list[Finding]) -> bool:
    return any(f.severity == "Critical" for f in findings)
