"""The building blocks of a collection's description: fields, nested groups, child lists, keys.

A `Collection` says which table a seed collection (`ClaimFinCore`, `PaymentCenter`, ...) is stored
in, which document field goes to which column with which `Kind`, which fields are required, which
column sets must be unique (the first is the id, used to sort exports), which legacy names are
accepted, and what is derived after the fields are parsed. `io.collections` holds the instances;
`Shape` is the fast name → field lookup that `io.records` uses for one kind of JSON object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table

from paymentprocess.io.fields import Kind

Row = dict[str, Any]


@dataclass(frozen=True)
class Field:
    """One document field stored in one column."""

    name: str  # as written in Appendix A
    column: str
    kind: Kind
    required: bool = False
    default: Any = None  # column value when the field is missing or null
    only_when_set: bool = False  # a product addition: exported only when it has a value
    exported: bool = True  # False: accepted on load only (another field shows the same fact)


@dataclass(frozen=True)
class TextForm:
    """A group that may also be given as one text (ClaimFinCore `BillingProviderAddress`).

    The text is kept as given in `column` (and exported back as text); `split` fills the group's
    columns from it. A group given as an object leaves `column` empty and is exported as an object.
    """

    column: str
    split: Callable[[str], dict[str, Any]]


@dataclass(frozen=True)
class Group:
    """A nested object whose fields are columns of the same row (PaymentCenter `Address`)."""

    name: str
    fields: tuple[Field, ...]
    after: str  # exported right after this field
    text: TextForm | None = None


@dataclass(frozen=True)
class Children:
    """A nested list whose items are rows of another table (ClaimFinCore `ServiceLines`)."""

    name: str
    table: Table
    parent_column: str  # the child column that holds the parent's id
    fields: tuple[Field, ...]
    key_field: str | None  # unique within one parent, required; None: items have no key
    # (child column, parent column): an item that gives no value takes its parent's on load, and
    # a value equal to the parent's is left out on export (a line's NPI is its claim's by default)
    inherited: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Key:
    """Columns whose values must be unique, in the file and against the database."""

    columns: tuple[str, ...]
    label: str


@dataclass(frozen=True)
class Collection:
    """One seed collection, its file `<name>.json` and its table."""

    name: str
    table: Table
    fields: tuple[Field, ...]
    keys: tuple[Key, ...] = ()
    order: tuple[str, ...] = ()  # export sort columns (defaults to the first key)
    groups: tuple[Group, ...] = ()
    children: Children | None = None
    aliases: dict[str, str] = field(default_factory=dict)  # legacy name → field name
    derive: Callable[[Row], list[tuple[str, str]]] | None = None  # (field, reason) problems
    derived_columns: tuple[str, ...] = ()  # columns `derive` fills
    # Like `derive`, with the record's child rows (a ledger record and its applications).
    derive_with_children: Callable[[Row, list[Row]], list[tuple[str, str]]] | None = None
    # Fields parsed on load for `derive` and computed by the export query, never stored.
    virtual_columns: tuple[str, ...] = ()
    importable: bool = True
    # MongoDB's `_id` stands for this field when the document has no such field and `_id` is not
    # an ObjectId (the counters pattern `{"_id": "PaymentCenter", "seq": 1010}`)
    mongo_id_field: str | None = None

    @property
    def sort_columns(self) -> tuple[str, ...]:
        return self.order or (self.keys[0].columns if self.keys else ())

    def columns(self) -> list[str]:
        """The table columns a load fills, in table order."""
        filled = {f.column for f in self.fields} | {f.column for g in self.groups for f in g.fields}
        filled |= {g.text.column for g in self.groups if g.text is not None}
        filled |= {*self.derived_columns, "extra"}
        return [c.name for c in self.table.columns if c.name in filled]


Target = Field | Group | Children
UNSEEN: Any = object()  # marks a spelling not looked up yet
CACHE_LIMIT = 10_000


class Shape:
    """How the members of one kind of JSON object map to columns (a claim, a line, an address)."""

    def __init__(
        self,
        fields: tuple[Field, ...],
        groups: tuple[Group, ...] = (),
        children: Children | None = None,
        aliases: dict[str, str] | None = None,
        rounding: Any = None,
    ) -> None:
        by_name = {f.name: f for f in fields}
        self.names: dict[str, Target] = {f.name.lower(): f for f in fields}
        self.names.update({g.name.lower(): g for g in groups})
        if children is not None:
            self.names[children.name.lower()] = children
        self.names.update({a.lower(): by_name[t] for a, t in (aliases or {}).items()})
        self.spellings: dict[object, Target | None] = {}
        self.required = tuple(f for f in fields if f.required)
        self.defaults = tuple(
            (f.column, f.default) for f in fields if f.default is not None and not f.required
        )
        self.rounding = rounding  # io.records.Rounding when money doubles are rounded, else None
        self.parts = {g.name: Shape(g.fields, rounding=rounding) for g in groups}
        if children is not None:
            self.parts[children.name] = Shape(children.fields, rounding=rounding)

    def target(self, key: object) -> Target | None:
        """What a member fills, matched whatever its capitalisation (spellings are cached)."""
        try:
            return self.spellings[key]
        except KeyError:
            found = self.names.get(key.lower()) if isinstance(key, str) else None
            if len(self.spellings) < CACHE_LIMIT:
                self.spellings[key] = found
            return found
