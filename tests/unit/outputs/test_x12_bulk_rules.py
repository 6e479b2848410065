"""The bulk text rules against their scalar twins, and the bulk checker against the per-file one.

- `x12_exprs.amount` / `clean` give what `x12_text.x12_amount` / `clean_text` give, on every value
  Hypothesis finds (signs, round amounts, unicode, delimiters, control characters, long text);
- `x12_check_bulk.cents` parses back exactly what `parse_x12_amount` accepts, and refuses the rest;
- the bulk checker passes the §3.8 worked example and fails a tampered copy with the same rule the
  per-file checker names.
"""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.outputs.remit_builders import SETTINGS, render, worked_example

from paymentprocess.outputs import x12_check, x12_check_bulk, x12_exprs
from paymentprocess.outputs import x12_text as t

CENTS = st.integers(min_value=-(10**13), max_value=10**13)
TEXT = st.one_of(
    st.none(),
    st.text(max_size=80),
    st.text(alphabet=st.sampled_from("AB z*:~^ \t\n-é.\x00\x7fÅ"), max_size=30),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(CENTS, min_size=1, max_size=40))
def test_amount_is_x12_amount(values: list[int]) -> None:
    frame = pl.DataFrame({"c": values}, schema={"c": pl.Int64})
    got = frame.select(x12_exprs.amount(pl.col("c")).alias("c"))["c"].to_list()
    assert got == [t.x12_amount(v) for v in values]


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=30), st.sampled_from([1, 2, 15, 35, 60]))
def test_clean_is_clean_text(values: list[str | None], size: int) -> None:
    got = x12_exprs.clean(pl.Series("v", values, dtype=pl.String), size).to_list()
    assert got == [t.clean_text(v, size) for v in values]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            CENTS.map(t.x12_amount),
            st.from_regex(r"-?[0-9]{0,4}(\.[0-9]{0,3})?", fullmatch=True),
            st.text(max_size=6),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_cents_parses_what_parse_x12_amount_accepts(texts: list[str]) -> None:
    got = (
        pl.DataFrame({"a": texts})
        .select(x12_check_bulk.cents(pl.col("a")).alias("a"))["a"]
        .to_list()
    )
    for text, value in zip(texts, got, strict=True):
        try:
            expected: int | None = t.parse_x12_amount(text)
        except t.X12ValueError:
            expected = None
        if text != text.strip():  # the scalar parser strips; an element never has spaces
            continue
        assert value == expected, text


def _frame(*contents: bytes) -> pl.DataFrame:
    return pl.DataFrame(
        {"rid": list(range(len(contents))), "content": [c.decode("ascii") for c in contents]},
        schema={"rid": pl.UInt32, "content": pl.String},
    )


def test_worked_example_passes_both_checkers() -> None:
    data = render(worked_example())
    assert x12_check.validate(data, SETTINGS) == []
    assert x12_check_bulk.problems_bulk(_frame(data), SETTINGS).height == 0


@pytest.mark.parametrize(
    ("old", "new", "rule"),
    [
        ("CLP*", "CLP*X", "V-2"),  # CLP01 changes nothing; see the amount cases below
        ("\nSE*", "\nSE*9", "V-11"),
        ("BPR*I*", "BPR*I*1", "V-3"),
        ("*45*", "*777*", "V-12"),
        ("NM1*QC*1*", "NM1*QC*1*X*Y*****", "V-13"),
    ],
)
def test_a_tampered_file_fails_the_same_rule_in_both(old: str, new: str, rule: str) -> None:
    data = render(worked_example()).decode("ascii")
    assert old in data
    if rule == "V-2":
        # CLP03 +1 cent: the claim no longer balances.
        head, _, tail = data.partition("CLP*")
        fields = tail.split("*")
        fields[2] = t.x12_amount(t.parse_x12_amount(fields[2]) + 1)
        tampered = head + "CLP*" + "*".join(fields)
    else:
        tampered = data.replace(old, new, 1)
    per_file = {p.rule for p in x12_check.validate(tampered, SETTINGS)}
    bulk = set(
        x12_check_bulk.problems_bulk(_frame(tampered.encode("ascii")), SETTINGS)["rule"].to_list()
    )
    assert rule in per_file
    assert rule in bulk


def test_assert_valid_bulk_names_the_remittance() -> None:
    good = render(worked_example())
    bad = good.replace(b"BPR*I*", b"BPR*I*1", 1)
    frame = _frame(good, bad).with_columns(pl.Series("remit_id", ["E:1", "E:2"]))
    with pytest.raises(x12_check.Remit835Error) as caught:
        x12_check_bulk.assert_valid_bulk(frame, SETTINGS)
    assert caught.value.name == "E:2"
    assert "V-3" in str(caught.value)
