"""Reading collection files and the MongoDB Extended JSON wrappers inside them.

`read_documents` splits the text of one `<Collection>.json` file into documents: a JSON array
(located by index) or JSON Lines / concatenated objects as written by `mongoexport`, with or without
`--pretty` (located by the line each object starts on). Numbers are parsed as `Decimal`, never as
float. Malformed JSON is reported with its line and the reader goes on with the next object, so one
load reports every broken record. `ext_wrapper` recognises `{"$numberDecimal": ...}`-style values;
`storable` keeps an unknown value for the `extra` column with its decimals exact, which
`dumps_exact` writes and `loads_exact` reads back digit for digit.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from paymentprocess.errors import RecordProblem

_WS = re.compile(r"[ \t\r\n]*")
_NEXT_OBJECT = re.compile(r"^\{", re.MULTILINE)
_DECODER = json.JSONDecoder(parse_float=Decimal)
EXT_KEYS = frozenset(
    {"$numberDecimal", "$numberLong", "$numberInt", "$numberDouble", "$date", "$oid"}
)


def read_documents(source: str, text: str) -> tuple[list[tuple[str, object]], list[RecordProblem]]:
    """The documents of one file as (location, value) pairs, and the malformed-JSON problems."""
    text = text.removeprefix("\ufeff")
    start = _WS.match(text).end()  # type: ignore[union-attr]  # matches the empty string too
    if text.startswith("[", start):
        return _read_array(source, text)
    return _read_stream(source, text, start)


def _read_array(source: str, text: str) -> tuple[list[tuple[str, object]], list[RecordProblem]]:
    try:
        values = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}"
        reason = f"not valid JSON: {exc.msg} (column {exc.colno}); the file was not read"
        return [], [RecordProblem(source, where, "(file)", reason)]
    except (ValueError, RecursionError) as exc:  # a number too long to read, nesting too deep
        reason = f"not valid JSON: {_unreadable(exc)}; the file was not read"
        return [], [RecordProblem(source, "line 1", "(file)", reason)]
    if not isinstance(values, list):  # e.g. "[1] [2]" cannot happen; kept for type narrowing
        return [], [RecordProblem(source, "line 1", "(file)", "must be a JSON array")]
    return [(f"index {i}", value) for i, value in enumerate(values)], []


def _read_stream(
    source: str, text: str, pos: int
) -> tuple[list[tuple[str, object]], list[RecordProblem]]:
    docs: list[tuple[str, object]] = []
    problems: list[RecordProblem] = []
    line, counted = 1, 0
    while pos < len(text):
        line += text.count("\n", counted, pos)
        counted = pos
        try:
            value, end = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            at = "" if exc.lineno == line else f" at line {exc.lineno}"
            reason = f"not valid JSON: {exc.msg}{at} (column {exc.colno})"
            problems.append(RecordProblem(source, f"line {line}", "(record)", reason))
            pos = _next_object(text, pos)
            continue
        except (ValueError, RecursionError) as exc:
            reason = f"not valid JSON: {_unreadable(exc)}"
            problems.append(RecordProblem(source, f"line {line}", "(record)", reason))
            pos = _next_object(text, pos)
            continue
        docs.append((f"line {line}", value))
        pos = _WS.match(text, end).end()  # type: ignore[union-attr]
    return docs, problems


def _unreadable(exc: ValueError | RecursionError) -> str:
    """Why Python's JSON reader gave up on input that is not malformed as such."""
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return str(exc).split(";", 1)[0]  # "Exceeds the limit (4300 digits) for integer string ..."


def _next_object(text: str, pos: int) -> int:
    """Where reading resumes after a broken object: the next line that starts with `{`."""
    newline = text.find("\n", pos)
    if newline < 0:
        return len(text)
    following = _NEXT_OBJECT.search(text, newline + 1)
    return following.start() if following else len(text)


def ext_wrapper(value: object) -> tuple[str, object] | None:
    """`("$numberLong", "12")` for `{"$numberLong": "12"}`; None for anything else."""
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        if isinstance(key, str) and key.startswith("$"):
            return key, value[key]
    return None


def describe(value: object) -> str:
    """What a JSON value is, in words a user of the file understands."""
    wrapper = ext_wrapper(value)
    if wrapper is not None:
        return f"Extended JSON {wrapper[0]}"
    if isinstance(value, str):
        return f"text {value!r}"
    if isinstance(value, int | Decimal | float) and not isinstance(value, bool):
        return f"a number ({value})"
    for kind, words in _KIND_WORDS:
        if isinstance(value, kind):
            return words
    return type(value).__name__


_KIND_WORDS: tuple[tuple[type, str], ...] = (
    (type(None), "null"),
    (bool, "true/false"),
    (list, "a list"),
    (dict, "an object"),
)


def storable(value: object) -> Any:
    """An unknown field's value as JSON for the `extra` column, its numbers exact.

    Integers stay integers and decimals stay `Decimal` — 12.30 keeps its trailing zero, 0.1 is
    0.1 and not the binary double nearest to it — written into the column's text by
    `dumps_exact` and read back by `loads_exact`, so an exported document gives the same number.
    A non-finite float (only from Python callers) is kept as `{"$numberDouble": "inf"}`.
    """
    if isinstance(value, dict):
        return {str(k): storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable(v) for v in value]
    if isinstance(value, Decimal):
        return value if value.is_finite() else {"$numberDecimal": str(value)}
    if isinstance(value, float) and not math.isfinite(value):
        return {"$numberDouble": repr(value)}
    if value is None or isinstance(value, str | int | float):
        return value
    return str(value)  # dates and other Python values given to load_documents


def decimal_text(value: Decimal) -> str:
    """A finite Decimal as JSON number text with every digit it has: "12.30", "0.1", "-0.0";
    one read from an exponent with no fraction left ("1e2") is written "1E+2", the same number."""
    if not value.is_finite():
        raise ValueError(f"{value} is not a JSON number")
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    plain = exponent < 0 and value.adjusted() >= -20  # not 0.000…(40 zeros)…1: E-notation then
    return format(value, "f") if plain else str(value)


def dumps_exact(value: object, *, ensure_ascii: bool = True) -> str:
    """`json.dumps(value)`, except that a Decimal is written as the JSON number it is, digit
    for digit (`decimal_text`). Documents without a Decimal take the C encoder unchanged."""
    try:
        return json.dumps(value, ensure_ascii=ensure_ascii)
    except TypeError:
        return "".join(_exact_parts(value, ensure_ascii))


def loads_exact(text: str) -> Any:
    """`json.loads` with every number that has a fraction or an exponent read as Decimal."""
    return json.loads(text, parse_float=Decimal)


def _exact_parts(value: object, ensure_ascii: bool) -> Iterator[str]:
    if isinstance(value, Decimal):
        yield decimal_text(value)
    elif isinstance(value, dict):
        yield "{"
        for i, (key, item) in enumerate(value.items()):
            yield ", " if i else ""
            yield json.dumps(key if isinstance(key, str) else str(key), ensure_ascii=ensure_ascii)
            yield ": "
            yield from _exact_parts(item, ensure_ascii)
        yield "}"
    elif isinstance(value, list | tuple):
        yield "["
        for i, item in enumerate(value):
            yield ", " if i else ""
            yield from _exact_parts(item, ensure_ascii)
        yield "]"
    else:
        yield json.dumps(value, ensure_ascii=ensure_ascii)  # raises TypeError as json.dumps does
