"""Stored rows → export documents, field for field as they were loaded.

`collection_documents(conn, collection)` reads a collection's table with one bulk query, sorts it
by id in Polars (the same order on SQLite and PostgreSQL whatever the database collation), and
builds one document per row: Appendix A names in Appendix A order, amounts as two-place strings,
dates `YYYY-MM-DD`, nested `Address` / `ServiceLines`, then the unknown fields kept in `extra`.
Claims show their effective status (`storage.claims_view`); ledger records their current
`RemainingAmount` (opening amount minus every application).
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from sqlalchemy import BigInteger, Connection, Select, cast, func, select

from paymentprocess.io.spec import Collection, Field, Group, Row
from paymentprocess.storage.claims_view import effective_claims_select
from paymentprocess.storage.frames import read_frame, table_schema
from paymentprocess.storage.tables import over_and_under_payment as ledger
from paymentprocess.storage.tables import over_and_under_payment_application as applications

Document = dict[str, Any]


def collection_documents(conn: Connection, collection: Collection) -> list[Document]:
    """Every stored record of `collection` as an export document, sorted by id."""
    columns = _columns(collection)
    frame = read_frame(conn, _query(collection, columns), table_schema(collection.table, columns))
    frame = frame.sort(list(collection.sort_columns))
    lines = _child_documents(conn, collection)
    id_column = collection.keys[0].columns[0]
    groups = {g.name for g in collection.groups}
    documents = []
    for row in frame.iter_rows(named=True):
        document = _document(collection.fields, collection.groups, row)
        if collection.children is not None:
            document[collection.children.name] = lines.get(row[id_column], [])
        document.update(_extra(row, skip=groups))
        documents.append(document)
    return documents


def _columns(collection: Collection) -> list[str]:
    wanted = set(collection.columns()) | set(collection.sort_columns)
    return [c.name for c in collection.table.columns if c.name in wanted]


def _query(collection: Collection, columns: list[str]) -> Select[Any]:
    if collection.name == "ClaimFinCore":
        return effective_claims_select(columns)
    if collection.name == "OverAndUnderPayment":
        return _ledger_query(columns)
    return select(*(collection.table.c[c] for c in columns))


def _ledger_query(columns: list[str]) -> Select[Any]:
    """Ledger records with `opening_remaining_amount` replaced by what remains today."""
    applied = (
        select(
            applications.c.over_and_under_payment_id,
            func.sum(applications.c.amount).label("applied"),
        )
        .group_by(applications.c.over_and_under_payment_id)
        .subquery("applied")
    )
    remaining = cast(
        ledger.c.opening_remaining_amount - func.coalesce(applied.c.applied, 0), BigInteger
    ).label("opening_remaining_amount")
    picked = [remaining if c == "opening_remaining_amount" else ledger.c[c] for c in columns]
    joined = ledger.outerjoin(
        applied, applied.c.over_and_under_payment_id == ledger.c.over_and_under_payment_id
    )
    return select(*picked).select_from(joined)


def _child_documents(conn: Connection, collection: Collection) -> dict[Any, list[Document]]:
    children = collection.children
    if children is None:
        return {}
    table = children.table
    wanted = {f.column for f in children.fields} | {children.parent_column, "extra"}
    columns = [c.name for c in table.columns if c.name in wanted]
    key = next(f.column for f in children.fields if f.name == children.key_field)
    query = select(*(table.c[c] for c in columns))
    frame = read_frame(conn, query, table_schema(table, columns))
    by_parent: dict[Any, list[Document]] = defaultdict(list)
    for row in frame.sort([children.parent_column, key]).iter_rows(named=True):
        document = _document(children.fields, (), row)
        document.update(_extra(row))
        by_parent[row[children.parent_column]].append(document)
    return by_parent


def _document(fields: tuple[Field, ...], groups: tuple[Group, ...], row: Row) -> Document:
    document: Document = {}
    after = {g.after: g for g in groups}
    extra = _extra(row) if groups else {}
    for f in fields:
        _put(document, f, row[f.column])
        group = after.get(f.name)
        if group is not None:
            nested: Document = {}
            for sub in group.fields:
                _put(nested, sub, row[sub.column])
            kept = extra.get(group.name)
            nested.update(kept if isinstance(kept, dict) else {})
            has_value = any(v is not None for v in nested.values())
            document[group.name] = nested if has_value else None
    return document


def _put(document: Document, field: Field, value: Any) -> None:
    if value is None:
        if not field.only_when_set:
            document[field.name] = None
        return
    document[field.name] = field.kind.show(value)


def _extra(row: Row, skip: set[str] | None = None) -> Document:
    """The unknown fields kept at load (minus `skip`: those of a nested group)."""
    text = row.get("extra")
    kept = json.loads(text) if text else None
    if not isinstance(kept, dict):
        return {}
    return {k: v for k, v in kept.items() if not skip or k not in skip}
