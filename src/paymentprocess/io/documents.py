"""Stored rows → export documents, field for field as they were loaded.

`collection_documents(conn, collection)` reads a collection's table with one bulk query, sorts it
by id in Polars (the same order on SQLite and PostgreSQL whatever the database collation), formats
every amount and date column at once, and builds one document per row: Appendix A names in
Appendix A order, nested `Address` / `ServiceLines`, then the unknown fields kept in `extra`.
Claims show their effective status (`storage.claims_view`); ledger records their current
`RemainingAmount` (opening amount minus every application) and their `Applications`; refunds
their `AppliedAmount` (applied before this system plus every application) and `Status`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import polars as pl
from sqlalchemy import BigInteger, Connection, Select, case, cast, func, select

from paymentprocess.io.extjson import loads_exact
from paymentprocess.io.fields import MONEY, TEXT
from paymentprocess.io.spec import Collection, Field, Group
from paymentprocess.storage.claims_view import effective_claims_select
from paymentprocess.storage.frames_read import read_frame
from paymentprocess.storage.frames_schema import table_schema
from paymentprocess.storage.tables import over_and_under_payment as ledger
from paymentprocess.storage.tables import over_and_under_payment_application as applications
from paymentprocess.storage.tables import refund as refunds

Document = dict[str, Any]
_EXTRA = "\x00extra"
_PARENT = "\x00parent"
_AS_TEXT = "\x00text"  # a group's text form, when it was given as text


def collection_documents(conn: Connection, collection: Collection) -> list[Document]:
    """Every stored record of `collection` as an export document, sorted by id."""
    columns = _columns(collection)
    frame = read_frame(conn, _query(collection, columns), _schema(collection, columns))
    frame = frame.sort(list(collection.sort_columns))
    children = collection.children
    lines = _child_documents(conn, collection) if children is not None else {}
    id_name = next(f.name for f in collection.fields if f.column == collection.keys[0].columns[0])
    inherited = _inherited_names(collection)
    documents = []
    for document, kept in _Layout(collection.fields, collection.groups).documents(frame):
        if children is not None:
            items = lines.get(document[id_name], [])
            for child, parent in inherited:  # the parent's value is left out (it is the default)
                for item in items:
                    if child in item and item[child] == document.get(parent):
                        del item[child]
            document[children.name] = items
        document.update(kept)
        documents.append(document)
    return documents


def _inherited_names(collection: Collection) -> list[tuple[str, str]]:
    """(child field name, parent field name) of the children's inherited columns."""
    if collection.children is None:
        return []
    child = {f.column: f.name for f in collection.children.fields}
    parent = {f.column: f.name for f in collection.fields}
    return [(child[c], parent[p]) for c, p in collection.children.inherited]


def _columns(collection: Collection) -> list[str]:
    wanted = set(collection.columns()) | set(collection.sort_columns)
    return [c.name for c in collection.table.columns if c.name in wanted]


def _schema(collection: Collection, columns: list[str]) -> dict[str, pl.DataType]:
    schema: dict[str, pl.DataType] = dict(table_schema(collection.table, columns))
    kinds = {f.column: f.kind for f in collection.fields}
    for name in collection.virtual_columns:
        schema[name] = pl.Int64() if kinds[name] is MONEY else pl.String()
    return schema


def _query(collection: Collection, columns: list[str]) -> Select[Any]:
    if collection.name == "ClaimFinCore":
        return effective_claims_select(columns)
    if collection.name == "OverAndUnderPayment":
        return _ledger_query(columns)
    if collection.name == "Refund":
        return _refund_query(columns)
    return select(*(collection.table.c[c] for c in columns))


def _refund_query(columns: list[str]) -> Select[Any]:
    """Refunds with `AppliedAmount` = everything applied so far and the `Status` that follows."""
    applied = (
        select(applications.c.refund_id, func.sum(applications.c.amount).label("applied"))
        .where(applications.c.refund_id.is_not(None))
        .group_by(applications.c.refund_id)
        .subquery("applied")
    )
    total = cast(refunds.c.opening_applied_amount + func.coalesce(applied.c.applied, 0), BigInteger)
    status = case((refunds.c.amount - total > 0, "Open"), else_="Applied").label("refund_status")
    picked = [total.label(c) if c == "opening_applied_amount" else refunds.c[c] for c in columns]
    joined = refunds.outerjoin(applied, applied.c.refund_id == refunds.c.refund_id)
    return select(*picked, status).select_from(joined)


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
    last = _last_cycle_applied()
    this_cycle = cast(
        func.coalesce(last.c.amount, ledger.c.total_amount - ledger.c.opening_remaining_amount),
        BigInteger,
    ).label("applied_this_cycle")
    ou_id = ledger.c.over_and_under_payment_id
    joined = ledger.outerjoin(applied, applied.c.over_and_under_payment_id == ou_id).outerjoin(
        last, last.c.over_and_under_payment_id == ou_id
    )
    return select(*picked, this_cycle).select_from(joined)


def _last_cycle_applied() -> Any:
    """Per record: what the last event that applied it (its newest application) took from it."""
    a = applications
    newest = (
        select(a.c.over_and_under_payment_id, func.max(a.c.application_id).label("newest"))
        .group_by(a.c.over_and_under_payment_id)
        .subquery("newest")
    )
    b = applications.alias("b")
    event = (
        select(newest.c.over_and_under_payment_id, b.c.payment_event_id)
        .join(b, b.c.application_id == newest.c.newest)
        .subquery("last_event")
    )
    c = applications.alias("c")
    return (
        select(c.c.over_and_under_payment_id, func.sum(c.c.amount).label("amount"))
        .join(
            event,
            (event.c.over_and_under_payment_id == c.c.over_and_under_payment_id)
            & (event.c.payment_event_id == c.c.payment_event_id),
        )
        .group_by(c.c.over_and_under_payment_id)
        .subquery("last_cycle")
    )


def _child_documents(conn: Connection, collection: Collection) -> dict[Any, list[Document]]:
    children = collection.children
    assert children is not None
    table = children.table
    # Items without a key keep the order they were stored in (their auto-numbered id).
    key = next(
        (f.column for f in children.fields if f.name == children.key_field),
        table.primary_key.columns.values()[0].name,
    )
    wanted = {f.column for f in children.fields} | {children.parent_column, "extra", key}
    columns = [c.name for c in table.columns if c.name in wanted]
    frame = read_frame(conn, select(*(table.c[c] for c in columns)), table_schema(table, columns))
    by_parent: dict[Any, list[Document]] = defaultdict(list)
    layout = _Layout(children.fields, parent=children.parent_column)
    for document, kept in layout.documents(frame.sort([children.parent_column, key])):
        parent = document.pop(_PARENT)
        document.update(kept)
        by_parent[parent].append(document)
    return by_parent


class _Layout:
    """How rows of one table become documents: names in order and what is left to convert."""

    def __init__(
        self, fields: tuple[Field, ...], groups: tuple[Group, ...] = (), parent: str = ""
    ) -> None:
        nested = [(f"{g.name}.{f.name}", f) for g in groups for f in g.fields if f.exported]
        nested += [  # a group given as text (BillingProviderAddress) is exported as that text
            (f"{g.name}.{_AS_TEXT}", Field(_AS_TEXT, g.text.column, TEXT))
            for g in groups
            if g.text is not None
        ]
        named = [(f.name, f) for f in fields if f.exported] + nested
        self.groups = groups
        self.names = [name for name, _ in named] + [_EXTRA] + ([_PARENT] if parent else [])
        self.exprs = [
            f.kind.show_expr(pl.col(f.column)) if f.kind.show_expr else pl.col(f.column)
            for _, f in named
        ]
        self.exprs += [pl.col("extra")] + ([pl.col(parent)] if parent else [])
        self.optional = [name for name, f in named if f.only_when_set]
        self.shows = [
            (name, f.kind.show)
            for name, f in named
            if f.kind.show_expr is None and not f.kind.shown_as_stored
        ]

    def documents(self, frame: pl.DataFrame) -> Iterator[tuple[Document, Document]]:
        """(document, unknown fields kept at load) per row; amounts and dates come as text."""
        if "extra" not in frame.columns:
            frame = frame.with_columns(extra=pl.lit(None, pl.String))
        names = self.names
        shown = frame.select(e.alias(f"c{i}") for i, e in enumerate(self.exprs))
        for values in shown.iter_rows():
            document = dict(zip(names, values, strict=True))
            text = document.pop(_EXTRA)
            for name, show in self.shows:
                if document[name] is not None:
                    document[name] = show(document[name])
            for name in self.optional:
                if document[name] is None:
                    del document[name]
            kept = loads_exact(text) if text else {}
            if self.groups:
                document = self._nest(document, kept)
            yield document, kept

    def _nest(self, flat: Document, kept: Document) -> Document:
        """Put each group's fields (and its kept unknown members) in place after `group.after`."""
        document: Document = {}
        for name, value in flat.items():
            if "." not in name:
                document[name] = value
            for group in self.groups:
                if group.after == name:
                    as_text = flat.get(f"{group.name}.{_AS_TEXT}")
                    if as_text is not None:  # given as text: exported as that text
                        document[group.name] = as_text
                        continue
                    members = {f.name: flat[f"{group.name}.{f.name}"] for f in group.fields}
                    unknown = kept.pop(group.name, None)
                    members.update(unknown if isinstance(unknown, dict) else {})
                    has_value = any(v is not None for v in members.values())
                    document[group.name] = members if has_value else None
        return document
