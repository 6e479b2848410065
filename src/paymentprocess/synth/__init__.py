"""Deterministic synthetic data: complete payment cycles for `paymentprocess generate`.

`generate_cycle(engine, claims, seed, ...)` writes a cycle ready for a Dry Run (see
docs/generator.md); `build_cycle(make_plan(...))` builds the same frames in memory. Same seed,
same data: every random value is a counter-based hash of (seed, stream, row), computed with Polars.
"""

from paymentprocess.synth.cycle import build_cycle, generate_cycle
from paymentprocess.synth.plan import (
    CyclePlan,
    ErrorMode,
    EventType,
    GenerationRefusedError,
    make_plan,
)
from paymentprocess.synth.summary import GenerationSummary

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
