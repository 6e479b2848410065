"""Fuzzing the importer (both databases): whatever the files hold, `load_directory` and
`load_documents` either load or raise InputError whose problems name the file, the line or index
and the field — never another exception, never a partial write.

Files are drawn as valid documents of the seed collections, then mutated: Extended JSON edge cases
(nested `$date`/`$numberLong`, `$numberDecimal` NaN and 1e400, unknown `$` wrappers), huge numbers
(`1e400`, integers of thousands of digits), NaN/Infinity literals, unicode, control characters,
NUL and unpaired surrogates in ids, deep nesting, wrong types, missing and duplicated fields,
renamed fields, records that are not objects; and at file level: a byte-order mark, an empty or
blank file, truncation at any byte, JSON array or JSON Lines, bytes that are not UTF-8.

`PAYMENT_FUZZ_SCALE` multiplies the number of examples (long runs: `PAYMENT_FUZZ_SCALE=50`).
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from tests.golden import builders as b
from tests.reliability.harness import row_counts, wipe

from paymentprocess.errors import InputError
from paymentprocess.io.load import load_directory, load_documents

SCALE = int(os.environ.get("PAYMENT_FUZZ_SCALE", "1"))
BOTH = pytest.mark.parametrize("db_uri", ["sqlite", "postgresql"], indirect=True)
RAW = "@@raw@@"  # a string value "@@raw@@<token>" is written as the bare token (1e400, NaN, ...)
LOCATION = re.compile(r"^(line|index) \d+$|^-$")


def _base_documents() -> dict[str, list[dict[str, Any]]]:
    docs = b.cycle(minimum="5.00")
    docs["InterestConfig"] = [b.interest("Contract", "0.04", 30, "2025-01-01", None)]
    docs["PaymentCenter"] = [b.payee(7), b.member(9, "M-1", Address={"Line1": "1 Main"})]
    docs["ClaimFinCore"] = [
        b.claim("C1", b.line("200.00"), b.line("5.00", number=2)),
        b.paid_claim("H1", "100.00"),
        b.claim("C2", b.line("60.00"), parent="H1", freq="7"),
    ]
    docs["OverAndUnderPayment"] = [b.record(3, 7, "OverPayment", "20.00", "2025-03-01")]
    docs["Refund"] = [b.refund("RF1", "H1", "5.00")]
    return docs


BASE = _base_documents()
COLLECTIONS = sorted(name for name, docs in BASE.items() if docs)

EDGE_VALUES = st.one_of(
    st.sampled_from(
        [
            None,
            True,
            "",
            " ",
            "0",
            "-0.00",
            "1e400",
            "12.345",
            "(5.00)",
            "$1,234.50",
            "2023-02-30",
            "0000-01-01",
            "9999-12-31T23:59:59Z",
            "\u0000",
            "\ud800",
            "\u202e\u200bid",
            "名字\U0001f600",
            "\x1b[31m",
            [],
            {},
            {"$date": {"$numberLong": "-62135596800001"}},
            {"$date": {"$numberLong": "253402300800000"}},
            {"$date": {"$numberLong": "9" * 30}},
            {"$date": "2024-01-02T00:00:00Z"},
            {"$date": {"$date": "2024-01-02"}},
            {"$numberLong": "9" * 40},
            {"$numberLong": "-9223372036854775809"},
            {"$numberLong": {"$numberLong": "1"}},
            {"$numberDecimal": "NaN"},
            {"$numberDecimal": "1e400"},
            {"$numberDecimal": "-Infinity"},
            {"$numberDouble": "1.5"},
            {"$numberInt": "2147483648"},
            {"$oid": "5f1d7a0e9b1e8b3a2c4d5e6f"},
            {"$regex": "x"},
            {"$numberDecimal": "1", "extra": 2},
            f"{RAW}1e400",
            f"{RAW}-1e400",
            f"{RAW}NaN",
            f"{RAW}Infinity",
            f"{RAW}-Infinity",
            f"{RAW}{'9' * 5000}",
            f"{RAW}{'[' * 3000}{']' * 3000}",
            f"{RAW}123456789012345678901234567890",
            f"{RAW}1.000000000000000000001",
            f"{RAW}-0",
        ]
    ),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.text(max_size=12),
    st.lists(st.integers(0, 9), max_size=3),
    st.recursive(
        st.none() | st.integers() | st.text(max_size=4),
        lambda inner: (
            st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=3), inner, max_size=2)
        ),
        max_leaves=6,
    ),
)


def _all_paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            paths += _all_paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            paths += _all_paths(v, (*prefix, i))
    return paths


@st.composite
def mutated_document(draw: st.DrawFn, collection: str) -> Any:
    doc: Any = json.loads(json.dumps(draw(st.sampled_from(BASE[collection]))))
    for _ in range(draw(st.integers(0, 4))):
        paths = [p for p in _all_paths(doc) if p]
        op = draw(st.sampled_from(["set", "set", "delete", "rename", "add", "replace_record"]))
        if op == "replace_record":
            doc = copy.deepcopy(draw(EDGE_VALUES))
            break
        if not paths or not isinstance(doc, dict):
            break
        path = draw(st.sampled_from(paths))
        parent: Any = doc
        for part in path[:-1]:
            parent = parent[part]
        last = path[-1]
        if op == "set":
            parent[last] = copy.deepcopy(draw(EDGE_VALUES))
        elif op == "delete" and isinstance(parent, dict):
            del parent[last]
        elif op == "rename" and isinstance(parent, dict) and isinstance(last, str):
            new = draw(st.sampled_from([last.upper(), last.lower(), f" {last}", last + "_", "_id"]))
            parent[new] = parent.pop(last)
        elif op == "add" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=8))] = copy.deepcopy(draw(EDGE_VALUES))
    return doc


def _raw_json(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=draw_ascii(value), default=str)
    return re.sub(
        rf'"{re.escape(RAW)}((?:[^"\\]|\\.)*)"', lambda m: json.loads(f'"{m.group(1)}"'), text
    )


def draw_ascii(value: Any) -> bool:
    return "\ud800" in json.dumps(
        value, default=str
    )  # a lone surrogate can only be written escaped


@st.composite
def collection_file(draw: st.DrawFn) -> tuple[str, bytes]:
    collection = draw(st.sampled_from(COLLECTIONS))
    docs = [draw(mutated_document(collection)) for _ in range(draw(st.integers(0, 4)))]
    if draw(st.booleans()):
        text = "[\n" + ",\n".join(_raw_json(d) for d in docs) + "\n]"
    else:
        text = "\n".join(_raw_json(d) for d in docs)
    data = text.encode("utf-8", "surrogatepass")
    damage = draw(
        st.sampled_from(["none", "none", "bom", "truncate", "empty", "blank", "bytes", "garbage"])
    )
    if damage == "bom":
        data = b"\xef\xbb\xbf" + data
    elif damage == "truncate" and data:
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif damage == "empty":
        data = b""
    elif damage == "blank":
        data = b" \n\t\r\n"
    elif damage == "bytes":
        data = data + draw(st.sampled_from([b"\xff", b"\xc3", b"\x00", b"\xed\xa0\x80"]))
    elif damage == "garbage":
        data = data + draw(st.sampled_from([b"]", b"}", b",", b" [1]", b"\n{", b"\nnull"]))
    return collection, data


def _check_refusal(exc: InputError, sources: set[str]) -> None:
    assert exc.problems, "an InputError without problems"
    for p in exc.problems:
        assert p.source in sources, p
        assert LOCATION.match(p.location), p
        assert p.field, p
        assert p.reason, p
    assert "nothing was written" in str(exc)


DERIVED = {"claim_provider_count", "claim_day_count"}


@BOTH
def test_load_directory_loads_or_refuses_with_named_problems(engine: Engine) -> None:
    tally = {"loaded": 0, "refused": 0}

    @settings(
        max_examples=120 * SCALE,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(files=st.lists(collection_file(), min_size=1, max_size=3, unique_by=lambda f: f[0]))
    def check(files: list[tuple[str, bytes]]) -> None:
        directory = Path(tempfile.mkdtemp(prefix="pp-fuzz-"))
        try:
            for collection, data in files:
                (directory / f"{collection}.json").write_bytes(data)
            before = row_counts(engine)
            try:
                counts = load_directory(engine, directory)
            except InputError as exc:
                _check_refusal(exc, {f"{c}.json" for c, _ in files})
                assert row_counts(engine) == before, "a refused load wrote rows"
                tally["refused"] += 1
                return
            after = row_counts(engine)
            # the claim list's count tables follow the claims (storage.claim_counts triggers):
            # rows the load reports are the ones it wrote itself
            written = {n: after[n] - before[n] for n in after if n not in DERIVED}
            assert sum(written.values()) == sum(counts.values())
            tally["loaded"] += 1
            wipe(engine)
        finally:
            shutil.rmtree(directory, ignore_errors=True)

    check()
    print(f"load_directory fuzz: {tally}")
    assert tally["loaded"] >= 1, tally
    assert tally["refused"] >= 1, tally


PYTHON_VALUES = st.one_of(
    EDGE_VALUES.filter(lambda v: not (isinstance(v, str) and v.startswith(RAW))),
    st.sampled_from(
        [
            float("nan"),
            float("inf"),
            -0.0,
            1.5,
            1e300,
            Decimal("NaN"),
            Decimal("sNaN"),
            Decimal("Infinity"),
            Decimal("1E+400"),
            b"bytes",
            {1, 2},
            (1, 2),
            object(),
            10**5000,
        ]
    ),
    st.dates(),
    st.datetimes(),
)


@st.composite
def python_documents(draw: st.DrawFn) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for collection in draw(
        st.lists(st.sampled_from([*COLLECTIONS, "Nope"]), min_size=1, max_size=2, unique=True)
    ):
        docs = []
        for original in BASE.get(collection, [{"x": 1}])[:2]:
            doc = json.loads(json.dumps(original))
            for _ in range(draw(st.integers(0, 2))):
                value = draw(PYTHON_VALUES)
                doc[draw(st.sampled_from([*doc.keys(), "Unknown"]))] = (
                    value if type(value) is object else copy.deepcopy(value)
                )
            docs.append(doc)
        out[collection] = docs
    return out


@BOTH
def test_load_documents_loads_or_refuses_python_values(engine: Engine) -> None:
    tally = {"loaded": 0, "refused": 0}

    @settings(
        max_examples=80 * SCALE,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(documents=python_documents())
    def check(documents: dict[str, list[Any]]) -> None:
        before = row_counts(engine)
        try:
            load_documents(engine, documents)
        except InputError as exc:
            _check_refusal(exc, set(documents))
            assert row_counts(engine) == before
            tally["refused"] += 1
            return
        tally["loaded"] += 1
        wipe(engine)

    check()
    print(f"load_documents fuzz: {tally}")
    assert tally["loaded"] >= 1, tally
