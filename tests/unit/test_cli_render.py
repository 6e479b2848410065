"""The run summary a person reads: every amount of a big cycle appears whole, at 80 columns and
at 60, no line is wider than the console, the payees come largest claims net first (exact cents),
and the columns are the payee-result columns of engine/columns.py."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from rich.console import Console

from paymentprocess.cli.render import PAYEE_AMOUNTS, TOTALS, render_run
from paymentprocess.domain.columns import PAYEE_RESULT


def _payee(i: int, claims_net: str, **amounts: str) -> dict[str, Any]:
    new = i % 4 == 0
    payee = {c: amounts.get(c, f"{i}.0{i % 10}") for c in PAYEE_RESULT}
    payee["claims_net"] = claims_net
    payee["payment_center_id"] = None if new else 100_000 + i
    if new:
        payee["key"] = f"12345678{i % 10}|1234567893"
    return payee


def _document() -> dict[str, Any]:
    """A cycle of 1M claims worth 9.9 billion dollars: amounts up to 13 digits."""
    payees = [
        _payee(i, f"{9_876_543_210 - i * 1_234_567}.{i:02d}", net_pay=f"{98_765_432 - i}.{i:02d}")
        for i in range(1, 21)
    ]
    payees.append(_payee(21, "0.00", offsets="1234567.89", new_overpayment="7654321.01"))
    payees.append(_payee(22, "-15349024.37", held="4.99"))  # a negative net (voids) sorts by size
    return {
        "payment_event_id": "PE-2025-06",
        "mode": "final",
        "status": "Completed",
        "totals": {
            "claims_net": "9876543210987.65",
            "interest": "15349024.37",
            "carried_in": "47421.13",
            "offsets": "1234567.89",
            "new_overpayment": "7654321.01",
            "held": "86.85",
            "paid": "9876551234567.89",
        },
        "counts": {
            "claims": 1_000_000,
            "by_frequency_code": {"1": 889_000, "7": 60_750, "8": 50_250},
            "by_outcome": {"paid": 989_000, "held": 1_000, "excluded": 10_000},
            "payees": {"total": 22, "old": 17, "new": 5, "paid": 20, "held": 1, "overpaid": 1},
        },
        "payees": payees,
        "findings": [
            {
                "code": "NEGATIVE_PAYABLE",
                "severity": "Warning",
                "count": 20,
                "sample_ids": ["C000003293", "C000007434", "C000007878", "C000009999"],
                "message": "a line's member responsibility exceeds its allowed amount",
            }
        ],
        "timings_ms": {"load": 812, "persist": 1500, "persist.claim_copy": 700},
    }


def _render(width: int, doc: dict[str, Any]) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False)
    render_run(console, doc, "final run of PE-2025-06 completed")
    return buffer.getvalue()


def _expected_amounts(doc: dict[str, Any]) -> set[str]:
    top = sorted(doc["payees"], key=lambda p: -abs(float(p["claims_net"])))[:15]
    return set(doc["totals"].values()) | {p[c] for p in top for c in PAYEE_RESULT}


@pytest.mark.parametrize("width", [80, 60])
def test_every_amount_appears_whole_and_no_line_is_wider_than_the_console(width: int) -> None:
    doc = _document()
    text = _render(width, doc)
    shown = set(re.findall(r"(?<![\d.])-?\d+\.\d\d(?![\d.])", text))
    missing = _expected_amounts(doc) - shown
    assert not missing, f"cut or missing at {width} columns: {sorted(missing)}\n{text}"
    assert re.search(r"\S…", text) is None, text  # the only ellipsis: " …" after sample ids
    assert max(len(line) for line in text.splitlines()) <= width, text
    for name, amount in doc["totals"].items():  # key/value: the name and its amount on one line
        assert re.search(rf"^  {name.replace('_', ' ')} +{re.escape(amount)}$", text, re.M), name


def test_payees_are_ordered_by_exact_claims_net_and_counted() -> None:
    doc = _document()
    text = _render(200, doc)
    first_column = [
        line.split()[0] for line in text.splitlines() if re.match(r"^  (1000\d\d|NEW)", line)
    ]
    # |claims net| of payee i (1..20) is 9876543210 − 1234567·i, falling with i; the smallest,
    # i = 20, is 9851851870 > 15349024.37 (payee 22) > 0 (payee 21): the fifteen shown are
    # payees 1..15 in that order (4, 8 and 12 are new: shown as NEW <key>)
    expected = ["NEW" if i % 4 == 0 else str(100_000 + i) for i in range(1, 16)]
    assert first_column == expected
    assert "Payees (15 of 22, largest claims net first)" in text
    assert "claims 1000000 · by frequency code 1 889000, 7 60750, 8 50250" in text


def test_a_negative_net_sorts_by_its_size_in_cents() -> None:
    doc = _document()
    doc["payees"] = [*doc["payees"][20:], _payee(30, "15349024.36"), _payee(31, "0.10")]
    text = _render(200, doc)
    ids = [line.split()[0] for line in text.splitlines() if re.match(r"^  1000\d\d ", line)]
    # |−15349024.37| > 15349024.36 > 0.10 > 0.00: one cent decides the first two
    assert ids == ["100022", "100030", "100031", "100021"]


def test_the_columns_are_the_payee_result_columns() -> None:
    assert PAYEE_AMOUNTS == PAYEE_RESULT
    assert (*PAYEE_RESULT[:-1], "paid") == TOTALS
    header = "claims net interest carried in offsets new overpayment held net pay"
    text = " ".join(_render(300, _document()).split())
    assert f"payee {header}" in text
