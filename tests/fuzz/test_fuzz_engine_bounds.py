"""Engine inputs at the money bounds (both databases): runs complete exactly or refuse cleanly.

Cycles are drawn with amounts at and near the 10^15-cent cap, zero, one cent and negative; dates at
the extremes (year 1, year 9999, the payment date ± 1); interest rates from 0 to 100 %; up to 40
lines at the cap in one claim; long void/replacement chains (up to 60 claims); ledger records and
minimum payments at the cap. For each:

- load either stores the documents or refuses them with InputError (nothing written);
- each run either completes — and then equals the per-claim reference implementation (Python
  integers, no overflow) to the cent, including the SPEC §5 invariant per payee and in total — or
  refuses with exit code 1, a message, and the database unchanged. Never an exception, never a
  wrapped-around amount.

`PAYMENT_FUZZ_SCALE` multiplies the number of examples (long runs: `PAYMENT_FUZZ_SCALE=50`).
"""

from __future__ import annotations

import copy
import datetime as dt
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from tests.db_snapshot import everything
from tests.engine_harness import compare
from tests.golden import builders as b
from tests.reliability.harness import wipe

from paymentprocess.errors import InputError
from paymentprocess.io.load import load_documents
from paymentprocess.reference.cycle import compute_cycle
from paymentprocess.service.runs import run_payment_event

SCALE = int(os.environ.get("PAYMENT_FUZZ_SCALE", "1"))
CAP = 10**15 - 1  # the largest amount an input may hold, in cents
AMOUNTS = st.one_of(
    st.sampled_from([0, 1, 99, CAP, CAP - 1, 10**14, -1, -CAP]),
    st.integers(-CAP, CAP),
    st.integers(CAP - 10**6, CAP),
)
DATES = st.one_of(
    st.sampled_from([dt.date(1, 1, 1), dt.date(1900, 1, 1), dt.date(9999, 12, 31)]),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
)


def money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


@st.composite
def bound_cycles(draw: st.DrawFn) -> dict[str, list[dict[str, Any]]]:
    due = draw(DATES)
    docs = b.cycle(due=due.isoformat(), minimum=money(draw(st.sampled_from([0, 1, 500, CAP]))))
    rate = draw(st.sampled_from(["0", "0.000001", "0.04125", "1"]))
    docs["InterestConfig"] = [
        b.interest("Contract", rate, draw(st.integers(0, 10_000)), "0001-01-01", None)
    ]
    docs["PaymentCenter"] = [b.payee(7)]
    claims = []
    for n in range(draw(st.integers(1, 4))):
        lines = [
            b.line(
                money(draw(AMOUNTS)),
                money(draw(st.sampled_from([0, 0, 1, CAP]))),
                number=i + 1,
            )
            for i in range(draw(st.sampled_from([1, 2, 40])))
        ]
        day_before = max(due - dt.timedelta(days=1), dt.date(1, 1, 1)) if due.year > 1 else due
        received = draw(st.one_of(DATES, st.just(due), st.just(day_before)))
        tin, npi = (b.TIN_A, b.NPI_A) if n % 2 == 0 else (b.TIN_B, b.NPI_B)
        claims.append(b.claim(f"C{n}", *lines, received=received.isoformat(), tax=tin, npi=npi))
    if draw(st.booleans()):  # a long chain: paid history, then voids and replacements
        claims.append(b.paid_claim("H", money(draw(AMOUNTS) % CAP)))
        for k in range(draw(st.integers(1, 60))):
            freq = "8" if k % 2 == 0 else "7"
            lines = () if freq == "8" else (b.line(money(draw(AMOUNTS))),)
            day = dt.date(2025, 1, 1) + dt.timedelta(days=k)
            claims.append(
                b.claim(f"R{k:02d}", *lines, parent="H", freq=freq, received=day.isoformat())
            )
    docs["ClaimFinCore"] = claims
    docs["OverAndUnderPayment"] = [
        b.record(3, 7, "OverPayment", money(abs(draw(AMOUNTS))), "2025-01-01"),
        b.record(4, 7, "UnderPayment", money(abs(draw(AMOUNTS))), "2025-01-01"),
    ]
    return docs


def _run_and_check(
    engine: Engine, docs: dict[str, list[dict[str, Any]]], tally: dict[str, int]
) -> None:
    empty = everything(engine)
    problems = None
    try:
        load_documents(engine, copy.deepcopy(docs))
    except InputError as exc:
        problems = exc.problems
    if problems is not None:
        assert problems
        assert everything(engine) == empty
        tally["load refused"] = tally.get("load refused", 0) + 1
        return
    for mode in ("dry-run", "final"):
        before = everything(engine)
        outcome = run_payment_event(engine, "PE-1", mode)  # type: ignore[arg-type]
        if outcome.exit_code == 1:
            assert outcome.message
            assert outcome.run_id is None, outcome.message  # refused, not failed
            assert everything(engine) == before
            tally[f"{mode} refused"] = tally.get(f"{mode} refused", 0) + 1
            return
        reference = compute_cycle(copy.deepcopy(docs), "PE-1", mode)
        compare(engine, outcome, reference, "PE-1", mode)
        tally[f"{mode} exact"] = tally.get(f"{mode} exact", 0) + 1


@pytest.mark.parametrize("db_uri", ["sqlite", "postgresql"], indirect=True)
def test_money_bounds_complete_exactly_or_refuse_cleanly(engine: Engine) -> None:
    tally: dict[str, int] = {}

    @settings(
        max_examples=25 * SCALE,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(docs=bound_cycles())
    def check(docs: dict[str, list[dict[str, Any]]]) -> None:
        wipe(engine)
        _run_and_check(engine, docs, tally)

    check()
    print(f"money bounds: {tally}")
    assert tally.get("final exact", 0) >= 1, tally


@pytest.mark.parametrize("db_uri", ["sqlite", "postgresql"], indirect=True)
def test_interest_that_would_overflow_64_bits_is_refused_not_wrapped(engine: Engine) -> None:
    """Ten lines of 9,999,999,999,999.99 received in year 1, paid in 9999 at 100 %: the interest
    used to wrap around to −108,856,601,231,471.79 (and book an OverPayment); now the run is
    refused and nothing is written."""
    docs = b.cycle(due="9999-12-31")
    docs["InterestConfig"] = [b.interest("Contract", "1", 0, "0001-01-01", None)]
    docs["PaymentCenter"] = [b.payee(7)]
    lines = [b.line("9999999999999.99", number=i) for i in range(1, 11)]
    docs["ClaimFinCore"] = [b.claim("C1", *lines, received="0001-01-01")]
    load_documents(engine, docs)
    before = everything(engine)
    for mode in ("dry-run", "final"):
        outcome = run_payment_event(engine, "PE-1", mode, force=True)  # type: ignore[arg-type]
        assert outcome.exit_code == 1
        assert "too large to be paid exactly" in outcome.message
        assert everything(engine) == before
    # the same claim a year late, at 4 %: exact, equal to the reference
    docs["ClaimFinCore"] = [b.claim("C1", *lines, received="9998-12-31")]
    docs["InterestConfig"] = [b.interest("Contract", "0.04", 0, "0001-01-01", None)]
    wipe(engine)
    load_documents(engine, copy.deepcopy(docs))
    for mode in ("dry-run", "final"):
        outcome = run_payment_event(engine, "PE-1", mode)  # type: ignore[arg-type]
        assert outcome.exit_code == 0, outcome.message
        compare(engine, outcome, compute_cycle(copy.deepcopy(docs), "PE-1", mode), "PE-1", mode)
