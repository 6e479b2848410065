"""Why a renderer refuses its input: one typed error carrying every problem found.

A renderer checks all its items first and raises `OutputDataError` listing each bad one (O-5:
the kind is not generated and the findings name the payees). A problem names the payee by its
`PaymentCenter_ID` and the field by name — never the value of a bank number, a member id or a
name, so the message can go to a log or a terminal as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from paymentprocess.errors import PaymentError

EXAMPLES = 20  # problems spelt out in the message; the rest are counted


@dataclass(frozen=True)
class OutputProblem:
    """One reason an item cannot be rendered: a code, the payee (None for file-level), a field."""

    code: str  # e.g. ACH_ZERO_AMOUNT, ACH_ROUTING_INVALID, OUTPUT_DATA_MISSING
    payee_id: int | None  # PaymentCenter_ID; None when the problem is about the whole file
    field: str  # the input field at fault, e.g. "rdfi_routing", "address_line1"
    reason: str  # words only, never the offending value when it is a bank number or PHI

    def __str__(self) -> str:
        who = "file" if self.payee_id is None else f"payee {self.payee_id}"
        return f"{self.code}: {who}: {self.field}: {self.reason}"


class OutputDataError(PaymentError):
    """The input of an output kind is incomplete or invalid; nothing of that kind is rendered."""

    def __init__(self, kind: str, problems: list[OutputProblem]) -> None:
        self.kind = kind
        self.problems = tuple(problems)
        lines = [f"{kind}: {len(problems)} problem(s); nothing of this kind was rendered"]
        lines += [f"  - {p}" for p in problems[:EXAMPLES]]
        if len(problems) > EXAMPLES:
            lines.append(f"  … and {len(problems) - EXAMPLES} more")
        super().__init__("\n".join(lines))

    @property
    def codes(self) -> set[str]:
        return {p.code for p in self.problems}

    @property
    def payee_ids(self) -> list[int]:
        """The payees named by the problems, sorted, each once (the findings' sample ids)."""
        return sorted({p.payee_id for p in self.problems if p.payee_id is not None})
