"""Reading collection files: arrays, JSON Lines, pretty mongoexport output, broken JSON."""

from __future__ import annotations

from decimal import Decimal

import pytest

from paymentprocess.io.extjson import dumps_exact, loads_exact, read_documents, storable


def test_array_documents_are_located_by_index_and_numbers_are_decimals() -> None:
    docs, problems = read_documents("X.json", '\ufeff  [{"a": 1.10}, {"b": 2}]')
    assert problems == []
    assert docs == [("index 0", {"a": Decimal("1.10")}), ("index 1", {"b": 2})]
    assert isinstance(docs[0][1]["a"], Decimal)  # type: ignore[index]


def test_json_lines_are_located_by_line_and_blank_lines_are_skipped() -> None:
    text = '{"a": 1}\n\n{"a": 2}\r\n{"a": 3}'
    docs, problems = read_documents("X.json", text)
    assert problems == []
    assert [loc for loc, _ in docs] == ["line 1", "line 3", "line 4"]


def test_pretty_concatenated_objects_start_where_their_brace_is() -> None:
    text = '{\n  "a": 1,\n  "lines": [\n    {"n": 1}\n  ]\n}\n{\n  "a": 2\n}\n'
    docs, problems = read_documents("X.json", text)
    assert problems == []
    assert docs == [("line 1", {"a": 1, "lines": [{"n": 1}]}), ("line 7", {"a": 2})]


def test_broken_lines_are_reported_and_reading_resumes_at_the_next_object() -> None:
    text = '{"a": 1}\n{"a": \n{"a": 3}\nnot json\n{"a": 5}\n'
    docs, problems = read_documents("X.json", text)
    assert [loc for loc, _ in docs] == ["line 1", "line 3", "line 5"]
    assert [str(p) for p in problems] == [
        "X.json line 2: (record): not valid JSON: Expecting ',' delimiter at line 4 (column 1)",
        "X.json line 4: (record): not valid JSON: Expecting value (column 1)",
    ]


def test_a_broken_array_is_reported_with_its_line() -> None:
    docs, problems = read_documents("X.json", '[\n{"a": 1},\n{"a": 2\n]')
    assert docs == []
    assert [str(p) for p in problems] == [
        "X.json line 4: (file): not valid JSON: Expecting ',' delimiter (column 1); "
        "the file was not read"
    ]


def test_empty_file_has_no_documents() -> None:
    assert read_documents("X.json", "  \n") == ([], [])


def test_kept_values_stay_exact() -> None:
    kept = storable({"n": Decimal("1.50"), "i": 3, "x": [Decimal("0.1")]})
    assert kept == {"n": Decimal("1.50"), "i": 3, "x": [Decimal("0.1")]}
    assert type(kept["n"]) is Decimal  # never the binary double nearest to it
    assert dumps_exact(kept) == '{"n": 1.50, "i": 3, "x": [0.1]}'
    assert storable(Decimal("0.123456789012345678901")) == Decimal("0.123456789012345678901")
    assert storable({"$oid": "65a1"}) == {"$oid": "65a1"}
    assert storable(float("nan")) == {"$numberDouble": "nan"}


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 12.30}',
        '{"a": 0.1}',
        '{"a": -0.0, "b": [0.10, 2.500, 7], "c": {"d": 0.123456789012345678901}}',
        '{"a": {"$numberDecimal": "12.30"}, "b": "té", "c": null, "d": true}',
        '{"a": 100.0, "b": 1.5}',
    ],
)
def test_exact_json_gives_back_the_same_text(text: str) -> None:
    assert dumps_exact(loads_exact(text), ensure_ascii=False) == text


def test_exact_json_writes_an_exponent_as_the_same_number() -> None:
    assert dumps_exact(loads_exact('{"a": 1e2, "b": 2.5E-3, "c": 1e-30}')) == (
        '{"a": 1E+2, "b": 0.0025, "c": 1E-30}'
    )
    with pytest.raises(TypeError):
        dumps_exact({"a": Decimal("1.5"), "b": object()})
