"""Sizes the generators are built around, importable without Polars (the CLI's defaults)."""

from __future__ import annotations

NOMINAL_CLAIMS = 3_000_000  # the query set's nominal size; its tiers scale below it
