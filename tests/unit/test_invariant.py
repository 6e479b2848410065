"""The SPEC §5 invariant check fails loudly, names payees by id only, and passes balanced results."""

from __future__ import annotations

import polars as pl
import pytest

from paymentprocess.engine.invariant import check_invariant
from paymentprocess.errors import InvariantError

COLS = ("claims_net", "interest", "carried_in", "net_pay", "held", "offsets", "new_overpayment")


def _payees(*rows: tuple[int, ...]) -> pl.DataFrame:
    data = [dict(zip(COLS, r, strict=True)) for r in rows]
    return pl.DataFrame(data).with_columns(
        payment_center_id=pl.Series([7, None][: len(rows)], dtype=pl.Int64),
        payee_key=pl.Series(["MEMBER-SECRET-1", "MEMBER-SECRET-2"][: len(rows)]),
    )


def test_balanced_results_pass() -> None:
    # 100 + 5 + 10 = 80 paid + 0 held + 35 offsets − 0;  −40 = 0 + 0 + 0 − 40 (new overpayment)
    check_invariant(_payees((100, 5, 10, 80, 0, 35, 0), (-40, 0, 0, 0, 0, 0, 40)))


def test_a_cent_off_fails_without_naming_the_member() -> None:
    with pytest.raises(InvariantError) as err:
        check_invariant(_payees((100, 5, 10, 80, 0, 34, 0)))
    assert "invariant violated for 1 payee" in str(err.value)
    assert "MEMBER-SECRET" not in str(err.value)


def test_negative_payment_fails_even_when_balanced() -> None:
    with pytest.raises(InvariantError):
        check_invariant(_payees((-10, 0, 0, -10, 0, 0, 0)))
