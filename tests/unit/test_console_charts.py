"""The console's charts are pure functions of numbers: their numbers are checked here, in cents,
and so are the sealed payee cursors and the report's invariant check."""

from __future__ import annotations

import re

import pytest

from paymentprocess.service.review.chart_numbers import balanced, histogram, waterfall
from paymentprocess.service.review.charts import findings_chart, money_flow_chart, net_pay_chart
from paymentprocess.service.review.cursor import InvalidCursorError, seal, unseal
from paymentprocess.service.review.masking import bank_number, member, payee_ref
from paymentprocess.service.review.report import invariant_check

TOTALS = {
    "claims_net": 15291837,
    "interest": 19102,
    "carried_in": 1869,
    "offsets": 56558,
    "new_overpayment": 390182,
    "held": 1078,
    "paid": 15645354,
}


def test_the_money_flow_steps_sum_to_the_paid_total_to_the_cent() -> None:
    steps = waterfall(TOTALS)
    assert [(s.label, s.amount) for s in steps] == [
        ("claims net", 15291837),
        ("interest", 19102),
        ("carry-in", 1869),
        ("offsets", -56558),
        ("holds", -1078),
        ("new overpayments", 390182),
        ("paid", 15645354),
    ]
    assert [s.end for s in steps[:3]] == [15291837, 15310939, 15312808]
    assert steps[-2].end == steps[-1].amount == 15645354
    assert balanced(steps)
    assert not balanced(waterfall({**TOTALS, "paid": 15645355}))


def test_the_money_flow_table_says_the_same_numbers() -> None:
    chart = money_flow_chart(TOTALS)
    assert chart.rows[-1] == ("paid", "156453.54", "156453.54")
    assert chart.rows[3] == ("offsets", "-565.58", "152562.50")
    assert '<title id="chart-money-flow-title">Money flow of the cycle</title>' in chart.svg
    assert "156453.54" in chart.svg


def test_every_net_pay_falls_in_exactly_one_bin() -> None:
    values = [0, 1, 999, 1000, 1001, 5000, 9999, 10000]
    bins = histogram(values, bins=4)
    assert [(b.low, b.high, b.count) for b in bins] == [
        (0, 2501, 5),
        (2501, 5002, 1),
        (5002, 7503, 0),
        (7503, 10004, 2),
    ]
    assert sum(b.count for b in bins) == len(values)
    assert histogram([], bins=4) == []
    assert [b.count for b in histogram([0, 0, 0], bins=3)] == [3, 0, 0]


def test_the_histogram_chart_has_a_bar_and_a_row_per_bin() -> None:
    chart = net_pay_chart([100, 200, 300, 400, 100000], bins=5)
    assert len(re.findall(r"<rect ", chart.svg)) == 5
    assert [row[2] for row in chart.rows] == ["4", "0", "0", "0", "1"]
    assert chart.rows[0][0] == "0.00"
    assert chart.headers == ("from", "to", "payees")


def test_findings_bars_are_ordered_by_count_and_coloured_by_severity() -> None:
    chart = findings_chart(
        [("INVALID_NPI", "Warning", 3), ("HOLD", "Critical", 7), ("X", "Info", 3)]
    )
    assert chart.rows == [
        ("HOLD", "Critical", "7"),
        ("INVALID_NPI", "Warning", "3"),
        ("X", "Info", "3"),
    ]
    assert chart.svg.index("HOLD") < chart.svg.index("INVALID_NPI")
    assert 'fill="#b3261e"><title>HOLD (Critical): 7</title>' in chart.svg
    assert "<desc" in chart.svg
    assert 'role="img"' in chart.svg


def test_no_chart_names_another_host() -> None:
    charts = [net_pay_chart([1, 2]), findings_chart([]), money_flow_chart(TOTALS)]
    assert not any(re.search(r"https?://", c.svg) for c in charts)


def test_a_sealed_cursor_hides_the_key_and_refuses_tampering() -> None:
    secret = b"s" * 32
    text = seal([1234, "M0443057882"], "PE|net_pay", secret)
    assert "M0443057882" not in text
    assert unseal(text, "PE|net_pay", secret) == [1234, "M0443057882"]
    edited = text[:-3] + ("A" if text[-3] != "A" else "B") + text[-2:]
    with pytest.raises(InvalidCursorError):
        unseal(edited, "PE|net_pay", secret)
    with pytest.raises(InvalidCursorError):
        unseal(text, "PE|held", secret)  # made for another query
    with pytest.raises(InvalidCursorError):
        unseal(text, "PE|net_pay", b"t" * 32)
    with pytest.raises(InvalidCursorError):
        unseal("not a cursor!", "PE|net_pay", secret)


def test_masking_hides_members_and_bank_numbers() -> None:
    assert bank_number("356832576509", sensitive=False) == "••••"
    assert bank_number("356832576509", sensitive=True) == "••••6509"
    assert member("M0443057882", sensitive=False) == "(hidden)"
    assert member("M0443057882", sensitive=True) == "M0443057882"
    assert payee_ref(23, "M0443057882") == "23"
    ref = payee_ref(None, "M0443057882")
    assert ref.startswith("new-")
    assert "M0443057882" not in ref


def _payee(**cents: int) -> dict[str, object]:
    names = (
        "claims_net",
        "interest",
        "carried_in",
        "net_pay",
        "held",
        "offsets",
        "new_overpayment",
    )
    return {"payment_center_id": 7, **{n: f"{cents.get(n, 0) / 100:.2f}" for n in names}}


def test_the_report_checks_the_invariant_over_the_payee_rows() -> None:
    good = {"payees": [_payee(claims_net=1000, interest=5, net_pay=905, offsets=100)]}
    bad = {"payees": [_payee(claims_net=1000, net_pay=1001)]}
    assert invariant_check(good).holds
    assert (invariant_check(good).left_cents, invariant_check(good).right_cents) == (1005, 1005)
    assert not invariant_check(bad).holds
    assert invariant_check(bad).failing == ["7"]
