"""The payee-result fields, written down once: a cycle payee's SPEC §5 amounts.

`FIELDS` is the one list. Everything else is derived from it: the ledger stage's frame columns
and their Polars dtypes (`NAMES`, `SCHEMA`; `domain.columns.PAYEE_RESULT`), the Dry Run table
`payment_event_ws_payee` (storage.tables), the stats document's payee rows and totals
(engine.stats, reference.stats), the QA document's `PaymentResult` (reference.export,
service.qa), the run summary (cli.render) and the test harness.

The order is the table's column order: a new field goes at the END (it is a new last column,
which its Alembic revision adds). Adding a field is one line here plus its rule — compute it in
engine/ledger.py and in the reference (reference/ledger.py; reference/results.py `PayeeAmounts`
is the reference's typed copy, which tests/unit/test_payee_result.py keeps equal to this list).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from paymentprocess.domain.money import format_cents


@dataclass(frozen=True)
class PayeeResultField:
    """One payee-result field.

    `money`: integer cents (Int64 in frames, BIGINT `Money` in tables, "12.34" in documents).
    `total`: its key in the stats document's `totals` (the sum over the cycle's payees), or None
    when it is not totalled. `in_stats`: a column of the stats document's payee rows (and of the
    run summary's payee table); every field is in the QA document's PaymentResult.
    """

    name: str
    total: str | None
    in_stats: bool = True
    money: bool = True

    @property
    def label(self) -> str:
        return label(self.name)

    @property
    def dtype(self) -> type[pl.DataType]:
        return pl.Int64


def label(name: str) -> str:
    """How a person reads a field or total name (the run summary's headers): "claims net"."""
    return name.replace("_", " ")


FIELDS: tuple[PayeeResultField, ...] = (
    PayeeResultField("claims_net", total="claims_net"),
    PayeeResultField("interest", total="interest"),
    PayeeResultField("carried_in", total="carried_in"),
    PayeeResultField("offsets", total="offsets"),
    PayeeResultField("new_overpayment", total="new_overpayment"),
    PayeeResultField("held", total="held"),
    PayeeResultField("net_pay", total="paid"),
    PayeeResultField("refunds_applied", total=None, in_stats=False),
)

NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)
SCHEMA: dict[str, type[pl.DataType]] = {f.name: f.dtype for f in FIELDS}
IN_STATS: tuple[PayeeResultField, ...] = tuple(f for f in FIELDS if f.in_stats)
STATS_NAMES: tuple[str, ...] = tuple(f.name for f in IN_STATS)
# (field, its key in the stats totals), in the totals' order
TOTALS: tuple[tuple[PayeeResultField, str], ...] = tuple(
    (f, f.total) for f in FIELDS if f.total is not None
)
TOTAL_NAMES: tuple[str, ...] = tuple(total for _field, total in TOTALS)


def document_value(field: PayeeResultField, value: int) -> str | int:
    """The field's value in a JSON document: money as exact two-place text, else the integer."""
    return format_cents(value) if field.money else value
