"""Documents → validated rows, with every problem of every record named.

`convert_collection` turns the documents of one collection into column lists for its table (and
its child table) and a list of `RecordProblem`s: fields parsed by their `Kind`, names matched
whatever their capitalisation, legacy names mapped, unknown fields kept for the `extra` column,
required fields checked, service lines numbered uniquely within their claim and ids unique within
the input. Nothing here touches the database.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from paymentprocess.errors import RecordProblem
from paymentprocess.io.extjson import describe, storable
from paymentprocess.io.fields import FieldError
from paymentprocess.io.spec import Children, Collection, Field, Group, Row

Problems = list[tuple[str, str]]  # (field path, reason) within one record
Progress = Callable[[int], None]


@dataclass
class Converted:
    """The rows of one collection, ready for bulk writing, and where each key came from."""

    collection: Collection
    rows: list[Row] = field(default_factory=list)
    child_rows: list[Row] = field(default_factory=list)
    key_locations: dict[tuple[str, ...], dict[tuple[Any, ...], str]] = field(default_factory=dict)
    source: str = ""

    def columns(self) -> dict[str, list[Any]]:
        return {c: [row.get(c) for row in self.rows] for c in self.collection.columns()}

    def child_columns(self) -> dict[str, list[Any]]:
        children = self.collection.children
        if children is None:
            return {}
        wanted = {f.column for f in children.fields} | {children.parent_column, "extra"}
        names = [c.name for c in children.table.columns if c.name in wanted]
        return {c: [row.get(c) for row in self.child_rows] for c in names}


def convert_collection(
    collection: Collection,
    source: str,
    documents: Iterable[tuple[str, object]],
    progress: Progress | None = None,
) -> tuple[Converted, list[RecordProblem]]:
    """Validate every document; rows of bad records are dropped, their problems returned."""
    out = Converted(collection, source=source)
    out.key_locations = {k.columns: {} for k in collection.keys}
    problems: list[RecordProblem] = []
    names = collection.lookup()
    child_names = _child_lookup(collection.children)
    for count, (location, doc) in enumerate(documents, 1):
        row, lines, found = _convert_document(collection, names, child_names, doc)
        found += _check_keys(collection, out, row, location)
        if found:
            problems.extend(RecordProblem(source, location, f, r) for f, r in found)
        else:
            out.rows.append(row)
            out.child_rows.extend(lines)
        if progress is not None and count % 2000 == 0:
            progress(count)
    return out, problems


def _child_lookup(children: Children | None) -> dict[str, Field | Group | Children]:
    return {} if children is None else {f.name.lower(): f for f in children.fields}


def _convert_document(
    collection: Collection,
    names: dict[str, Field | Group | Children],
    child_names: dict[str, Field | Group | Children],
    doc: object,
) -> tuple[Row, list[Row], Problems]:
    if not isinstance(doc, dict):
        return {}, [], [("(record)", f"must be a JSON object, not {describe(doc)}")]
    row: Row = {}
    lines: list[Row] = []
    extra: dict[str, Any] = {}
    problems: Problems = []
    given: dict[str, tuple[str, object]] = {}
    for key, value in doc.items():
        target = names.get(key.lower()) if isinstance(key, str) else None
        if target is None:
            extra[str(key)] = storable(value)
        elif not _first_time(target.name, key, value, given, problems) or value is None:
            continue
        elif isinstance(target, Field):
            _parse_into(row, target, value, target.name, problems)
        elif isinstance(target, Group):
            _convert_group(target, value, row, extra, problems)
        else:
            lines = _convert_children(target, child_names, value, problems)
    _finish(row, collection.fields, given, problems, "")
    if collection.derive is not None:
        problems.extend(collection.derive(row))
    parent_id = row.get(collection.keys[0].columns[0]) if collection.keys else None
    if collection.children is not None:
        for line in lines:
            line[collection.children.parent_column] = parent_id
    if "extra" in collection.table.c:
        row["extra"] = json.dumps(extra) if extra else None
    return row, lines, problems


def _first_time(
    name: str, key: str, value: object, given: dict[str, tuple[str, object]], problems: Problems
) -> bool:
    """False when the field was already given under another spelling (legacy or capitalised)."""
    if name not in given:
        given[name] = (key, value)
        return True
    first_key, first_value = given[name]
    if first_value != value:
        problems.append((name, f"given twice with different values ({first_key!r} and {key!r})"))
    return False


def _parse_into(row: Row, target: Field, value: object, path: str, problems: Problems) -> None:
    try:
        row[target.column] = target.kind.parse(value)
    except FieldError as exc:
        problems.append((path + exc.path, exc.reason))


def _finish(
    row: Row, fields: tuple[Field, ...], given: dict[str, Any], problems: Problems, prefix: str
) -> None:
    """Defaults for missing fields; 'is required' for required ones that are missing or empty."""
    failed = {p.removeprefix(prefix).split("[", 1)[0] for p, _ in problems}
    for f in fields:
        value = row.get(f.column)
        if value is None or (f.required and value == ""):
            if f.required and f.name not in failed:
                reason = "is required" if f.name not in given or value is None else "is empty"
                problems.append((prefix + f.name, reason))
            elif f.default is not None:
                row[f.column] = f.default


def _convert_group(
    group: Group, value: object, row: Row, extra: dict[str, Any], problems: Problems
) -> None:
    if not isinstance(value, dict):
        problems.append((group.name, f"must be an object, not {describe(value)}"))
        return
    names = {f.name.lower(): f for f in group.fields}
    unknown: dict[str, Any] = {}
    for key, item in value.items():
        target = names.get(str(key).lower())
        if target is None:
            unknown[str(key)] = storable(item)
        elif item is not None:
            _parse_into(row, target, item, f"{group.name}.{target.name}", problems)
    if unknown:
        extra[group.name] = unknown


def _convert_children(
    children: Children,
    names: dict[str, Field | Group | Children],
    value: object,
    problems: Problems,
) -> list[Row]:
    if not isinstance(value, list):
        problems.append((children.name, f"must be a list, not {describe(value)}"))
        return []
    rows: list[Row] = []
    seen: dict[object, int] = {}
    key_column = next(f.column for f in children.fields if f.name == children.key_field)
    for i, item in enumerate(value):
        prefix = f"{children.name}[{i}]."
        if not isinstance(item, dict):
            problems.append((prefix.rstrip("."), f"must be an object, not {describe(item)}"))
            continue
        line, found = _convert_child(children, names, item, prefix)
        problems.extend(found)
        number = line.get(key_column)
        if number is not None and number in seen:
            reason = f"duplicate {children.key_field} {number} in this claim (also {children.name}[{seen[number]}])"
            problems.append((prefix + children.key_field, reason))
        elif number is not None:
            seen[number] = i
        rows.append(line)
    return rows


def _convert_child(
    children: Children,
    names: dict[str, Field | Group | Children],
    item: dict[Any, Any],
    prefix: str,
) -> tuple[Row, Problems]:
    line: Row = {}
    extra: dict[str, Any] = {}
    found: Problems = []
    given: dict[str, tuple[str, object]] = {}
    for key, value in item.items():
        target = names.get(str(key).lower())
        if not isinstance(target, Field):
            extra[str(key)] = storable(value)
        elif _first_time(target.name, str(key), value, given, found) and value is not None:
            _parse_into(line, target, value, prefix + target.name, found)
    found = [(p if p.startswith(prefix) else prefix + p, r) for p, r in found]
    _finish(line, children.fields, given, found, prefix)
    line["extra"] = json.dumps(extra) if extra else None
    return line, found


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
    return " / ".join(repr(v) if isinstance(v, str) else str(v) for v in values)
