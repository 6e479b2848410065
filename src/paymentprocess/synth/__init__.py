"""Deterministic synthetic data: complete payment cycles for `paymentprocess generate`.

`generate_cycle(engine, claims, seed, ...)` writes a cycle ready for a Dry Run (see
docs/generator.md); `build_cycle(make_plan(...))` builds the same frames in memory. Same seed,
same data: every random value is a counter-based hash of (seed, stream, row), computed with Polars.

The names below are loaded on first use (PEP 562), so importing a light submodule such as
`synth.sizes` (the CLI's defaults) does not load Polars: docs/performance.md, "CLI start-up".
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from paymentprocess.synth.cycle import build_cycle, generate_cycle
    from paymentprocess.synth.plan import (
        CyclePlan,
        ErrorMode,
        EventType,
        GenerationRefusedError,
        make_plan,
    )
    from paymentprocess.synth.summary import GenerationSummary

_HOME = {
    "CyclePlan": "plan",
    "ErrorMode": "plan",
    "EventType": "plan",
    "GenerationRefusedError": "plan",
    "make_plan": "plan",
    "GenerationSummary": "summary",
    "build_cycle": "cycle",
    "generate_cycle": "cycle",
}

__all__ = [
    "CyclePlan",
    "ErrorMode",
    "EventType",
    "GenerationRefusedError",
    "GenerationSummary",
    "build_cycle",
    "generate_cycle",
    "make_plan",
]


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
