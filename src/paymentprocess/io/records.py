"""Documents → validated rows, with every problem of every record named.

`convert_collection` turns the documents of one collection into column lists for its table (and
its child table) and a list of `RecordProblem`s: fields parsed by their `Kind`, names matched
whatever their capitalisation, legacy names mapped, unknown fields kept for the `extra` column,
required fields checked, service lines numbered uniquely within their claim and ids unique within
the input. A group with a text form (`BillingProviderAddress`) takes an object or a text; MongoDB's
`_id` names the record where the collection says so (counters). With `round_doubles`, money given
as a double with more than two decimals is rounded half-up to cents and counted in the batch's
`Rounding`, instead of being a problem. Nothing here touches the database.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl
from sqlalchemy import Table

from paymentprocess.errors import RecordProblem
from paymentprocess.io.extjson import describe, dumps_exact, storable
from paymentprocess.io.scalars import FieldError, InexactDoubleError, parse_text
from paymentprocess.io.spec import UNSEEN, Children, Collection, Field, Group, Row, Shape
from paymentprocess.storage.frames_schema import table_schema

Problems = list[tuple[str, str]]  # (field path, reason) within one record

# Fields whose values are protected health information (member ids, names, addresses) or bank
# details: a problem names the record and the field, never the value.
SENSITIVE_FIELDS = frozenset(
    {
        "memberid",
        "vendorname",
        "address",
        "billingprovidername",
        "billingprovideraddress",
        "bankaccountnumber",
        "bankroutingnumber",
        "namefirst",
        "namelast",
        "patientfirstname",
        "patientlastname",
        "patientcontrolnumber",
    }
)
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'" + "|" + r'"(?:[^"\\]|\\.)*"')


def withhold_sensitive(field_path: str, reason: str) -> str:
    """`reason` with any quoted value removed when the field is a sensitive one."""
    head = re.split(r"[.\[ ]", field_path, maxsplit=1)[0].lower()
    if head not in SENSITIVE_FIELDS:
        return reason
    return _QUOTED.sub("(value withheld)", reason)


Progress = Callable[[int], None]
_INDEX = re.compile(r"\[\d+\]")


@dataclass
class Rounding:
    """Money doubles rounded to cents in one file: how many per field, and by how much in all."""

    count: int = 0
    change: Decimal = Decimal(0)  # Σ (rounded − exact value), in currency units, exact
    largest: Decimal = Decimal(0)  # the largest |change| of one value
    by_field: dict[str, int] = field(default_factory=dict)  # "ServiceLines[].AllowedAmount": n

    def take(self, field_path: str, double: InexactDoubleError) -> int:
        cents = double.rounded()
        delta = Decimal(cents).scaleb(-2) - double.shortest
        self.count += 1
        self.change += delta
        self.largest = max(self.largest, abs(delta))
        name = _INDEX.sub("[]", field_path)
        self.by_field[name] = self.by_field.get(name, 0) + 1
        return cents


@dataclass
class Converted:
    """The rows of one collection, ready for bulk writing, and where each key came from."""

    collection: Collection
    rows: list[Row] = field(default_factory=list)
    child_rows: list[Row] = field(default_factory=list)
    key_locations: dict[tuple[str, ...], dict[tuple[Any, ...], str]] = field(default_factory=dict)
    source: str = ""
    rounding: Rounding = field(default_factory=Rounding)

    def frame(self) -> pl.DataFrame:
        """The rows as a frame with the table's column types (missing members are null)."""
        return _frame(self.rows, self.collection.table, self.collection.columns())

    def child_frame(self) -> pl.DataFrame:
        children = self.collection.children
        if children is None:
            return pl.DataFrame()
        wanted = {f.column for f in children.fields} | {children.parent_column, "extra"}
        names = [c.name for c in children.table.columns if c.name in wanted]
        return _frame(self.child_rows, children.table, names)


def _frame(rows: list[Row], table: Table, columns: list[str]) -> pl.DataFrame:
    schema = table_schema(table, columns)
    if not rows:
        return pl.DataFrame(schema=schema)
    return pl.from_dicts(rows, schema=schema)


def convert_collection(
    collection: Collection,
    source: str,
    documents: Iterable[tuple[str, object]],
    progress: Progress | None = None,
    *,
    round_doubles: bool = False,
) -> tuple[Converted, list[RecordProblem]]:
    """Validate every document; rows of bad records are dropped, their problems returned."""
    out = Converted(collection, source=source)
    out.key_locations = {k.columns: {} for k in collection.keys}
    problems: list[RecordProblem] = []
    rounding = Rounding() if round_doubles else None
    shape = Shape(
        collection.fields, collection.groups, collection.children, collection.aliases, rounding
    )
    for count, (location, doc) in enumerate(documents, 1):
        row, lines, found = _convert_document(collection, shape, doc)
        found += _check_keys(collection, out, row, location)
        if found:
            problems.extend(
                RecordProblem(source, location, f, withhold_sensitive(f, r)) for f, r in found
            )
        else:
            out.rows.append(row)
            out.child_rows.extend(lines)
        if progress is not None and count % 5000 == 0:
            progress(count)
    if rounding is not None:
        out.rounding = rounding
    return out, problems


def _convert_document(
    collection: Collection, shape: Shape, doc: object
) -> tuple[Row, list[Row], Problems]:
    try:
        return _convert_fields(collection, shape, doc)
    except ValueError as exc:  # e.g. a Python int of over 4300 digits given to load_documents
        return {}, [], [("(record)", f"cannot be read: {str(exc).split(';', 1)[0]}")]


def _convert_fields(
    collection: Collection, shape: Shape, doc: object
) -> tuple[Row, list[Row], Problems]:
    if not isinstance(doc, dict):
        return {}, [], [("(record)", f"must be a JSON object, not {describe(doc)}")]
    row: Row = {}
    extra: dict[str, Any] = {}
    problems: Problems = []
    if collection.mongo_id_field is not None:
        doc = _mongo_id(doc, collection.mongo_id_field, shape)
    lines = _fill(shape, doc, row, extra, problems, "")
    if collection.derive is not None:
        problems.extend(collection.derive(row))
    if collection.derive_with_children is not None and not problems:
        problems.extend(collection.derive_with_children(row, lines))
    if collection.children is not None:
        parent_id = row.get(collection.keys[0].columns[0])
        inherited = collection.children.inherited
        for line in lines:
            line[collection.children.parent_column] = parent_id
            for child, parent in inherited:
                if line.get(child) is None:
                    line[child] = row.get(parent)
    if "extra" in collection.table.c:
        row["extra"] = dumps_exact(extra) if extra else None
    return row, lines, problems


def _fill(
    shape: Shape,
    obj: dict[Any, Any],
    row: Row,
    extra: dict[str, Any],
    problems: Problems,
    prefix: str,
) -> list[Row]:
    """Parse every member of `obj` into `row` (unknown ones into `extra`); returns child rows."""
    given: set[str] = set()
    lines: list[Row] = []
    spellings = shape.spellings
    for key, value in obj.items():
        target = spellings.get(key, UNSEEN)
        if target is UNSEEN:
            target = shape.target(key)
        if target is None:
            extra[str(key)] = storable(value)
            continue
        name = target.name
        if name in given:
            _given_twice(shape, obj, key, value, problems, prefix)
            continue
        given.add(name)
        if value is None:
            continue
        if type(target) is Field:
            try:
                row[target.column] = target.kind.parse(value)
            except InexactDoubleError as exc:
                _inexact_double(shape, target, exc, row, problems, prefix)
            except FieldError as exc:
                problems.append((prefix + name + exc.path, exc.reason))
        elif type(target) is Group:
            _convert_group(target, shape.parts[name], value, row, extra, problems)
        elif type(target) is Children:
            lines = _convert_children(target, shape.parts[name], value, problems)
    _finish(shape, row, given, problems, prefix)
    return lines


def _inexact_double(
    shape: Shape,
    target: Field,
    exc: InexactDoubleError,
    row: Row,
    problems: Problems,
    prefix: str,
) -> None:
    """A money double with more than two decimals: a problem, or rounded when the load says so."""
    if shape.rounding is None:
        problems.append((prefix + target.name, exc.reason))
        return
    try:
        row[target.column] = shape.rounding.take(prefix + target.name, exc)
    except FieldError as too_large:
        problems.append((prefix + target.name, too_large.reason))


def _given_twice(
    shape: Shape, obj: dict[Any, Any], key: object, value: object, problems: Problems, prefix: str
) -> None:
    """A field under a second spelling (legacy or capitalised): fine only with the same value."""
    target = shape.target(key)
    assert target is not None
    first_key = next(k for k in obj if shape.target(k) is target)
    if obj[first_key] != value:
        reason = f"given twice with different values ({first_key!r} and {key!r})"
        problems.append((prefix + target.name, reason))


def _finish(shape: Shape, row: Row, given: set[str], problems: Problems, prefix: str) -> None:
    """Defaults for missing fields; 'is required' for required ones that are missing or empty."""
    for column, default in shape.defaults:
        if row.get(column) is None:
            row[column] = default
    missing = [f for f in shape.required if row.get(f.column) in (None, "")]
    if not missing:
        return
    failed = {p[len(prefix) :].split("[", 1)[0] for p, _ in problems if p.startswith(prefix)}
    for f in missing:
        if f.name not in failed:
            empty = f.name in given and row.get(f.column) == ""
            problems.append((prefix + f.name, "is empty" if empty else "is required"))


def _mongo_id(doc: dict[Any, Any], name: str, shape: Shape) -> dict[Any, Any]:
    """`{"_id": "PaymentCenter", "seq": 7}` → `{"Name": "PaymentCenter", "seq": 7}`.

    Only when the document has no `name` field and `_id` is not an ObjectId (`{"$oid": ...}`),
    which is then an unknown field like any other `_id`.
    """
    if "_id" not in doc or any(shape.target(k) is shape.names[name.lower()] for k in doc):
        return doc
    value = doc["_id"]
    if isinstance(value, dict) and "$oid" in value:
        return doc
    return {(name if k == "_id" else k): v for k, v in doc.items()}


def _convert_group(
    group: Group, shape: Shape, value: object, row: Row, extra: dict[str, Any], problems: Problems
) -> None:
    if isinstance(value, str) and group.text is not None:
        try:
            text = parse_text(value)
        except FieldError as exc:
            problems.append((group.name, exc.reason))
            return
        row[group.text.column] = text
        row.update(group.text.split(text))
        return
    if not isinstance(value, dict):
        wanted = "an object or text" if group.text is not None else "an object"
        problems.append((group.name, f"must be {wanted}, not {describe(value)}"))
        return
    unknown: dict[str, Any] = {}
    _fill(shape, value, row, unknown, problems, f"{group.name}.")
    if unknown:
        extra[group.name] = unknown


def _convert_children(
    children: Children, shape: Shape, value: object, problems: Problems
) -> list[Row]:
    if not isinstance(value, list):
        problems.append((children.name, f"must be a list, not {describe(value)}"))
        return []
    rows: list[Row] = []
    seen: dict[object, int] = {}
    key_column = next((f.column for f in children.fields if f.name == children.key_field), None)
    for i, item in enumerate(value):
        prefix = f"{children.name}[{i}]."
        if not isinstance(item, dict):
            problems.append((prefix.rstrip("."), f"must be an object, not {describe(item)}"))
            continue
        line: Row = {}
        extra: dict[str, Any] = {}
        _fill(shape, item, line, extra, problems, prefix)
        line["extra"] = dumps_exact(extra) if extra else None
        number = line.get(key_column) if key_column is not None else None
        if number is not None and number in seen:
            reason = f"duplicate {children.key_field} {number} in this claim"
            problems.append(
                (
                    f"{prefix}{children.key_field}",
                    f"{reason} (also {children.name}[{seen[number]}])",
                )
            )
        elif number is not None:
            seen[number] = i
        rows.append(line)
    return rows


def _check_keys(collection: Collection, out: Converted, row: Row, location: str) -> Problems:
    found: Problems = []
    for key in collection.keys:
        values = tuple(row.get(c) for c in key.columns)
        if any(v is None for v in values):
            continue
        seen = out.key_locations[key.columns]
        if values in seen:
            found.append((key.label, f"duplicate {show_key(values)} (also at {seen[values]})"))
        else:
            seen[values] = location
    return found


def show_key(values: tuple[Any, ...]) -> str:
    if len(values) == 2 and values[0] == "Member":  # a member payee's key is its member id (PHI)
        return "'Member' / (member id withheld)"
    return " / ".join(repr(v) if isinstance(v, str) else str(v) for v in values)
