"""Load seed collections into the database: all of them or nothing.

`load_directory(engine, DIR)` reads every `DIR/<Collection>.json` present, `load_documents(engine,
{"ClaimFinCore": [...]})` takes documents already in memory; both validate every record first
(`io.records`), then, in one transaction, refuse ids already stored (`io.existing`) and append each
table with one bulk `write_frame`; the claims' counts (storage.bulk_counts) are added from the
claim frame in the same transaction, with the count triggers off for it. Any problem raises
`InputError` listing every bad record, and nothing is written.

A collection's file may have an alternate name (`io.files.ALTERNATE_NAMES`); a `.json` file of no
known name is a problem unless `LoadOptions.skip_unknown`. `LoadOptions.round_money_doubles`
rounds money doubles with more than two decimals half-up to cents (reported in `notes`), and
`LoadOptions.stage_aliases` adds the setting PAYMENT_STAGE_ALIASES to the legacy stage names.
"""

from __future__ import annotations

import dataclasses
import os
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

import psycopg
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from paymentprocess.domain.money import round_half_up_cents, to_decimal
from paymentprocess.domain.stages import STAGES, stage_aliases
from paymentprocess.errors import InputError, NotFoundError, RecordProblem
from paymentprocess.io.collections import BY_NAME, EXPORTED_NAMES, IMPORTABLE
from paymentprocess.io.existing import already_stored
from paymentprocess.io.extjson import read_documents
from paymentprocess.io.fields import choice
from paymentprocess.io.files import (
    ALTERNATE_NAMES,
    collection_files,
    existing_directory,
    read_text,
)
from paymentprocess.io.ledger_state import settle_refunds
from paymentprocess.io.records import Converted, Rounding, convert_collection
from paymentprocess.io.reference_collections import STAGE
from paymentprocess.io.run_documents import STATS_COLLECTION, convert_runs, write_runs
from paymentprocess.io.spec import Collection
from paymentprocess.logs import get_logger
from paymentprocess.storage.bulk_counts import add_claim_counts, bulk_counts
from paymentprocess.storage.database import analyze, unit_of_work
from paymentprocess.storage.frames_write import write_frame
from paymentprocess.storage.tables import claim_fin_core

log = get_logger(__name__)
LoadProgress = Callable[[str, int, int], None]  # (file or step, done, total)
WRITING = "writing"


ANALYZE_ROWS = 10_000  # refresh planner statistics after loads this large


@dataclass(frozen=True)
class LoadOptions:
    """How a load treats legacy data (the `load` command's flags and settings)."""

    round_money_doubles: bool = False  # --round-money-doubles
    skip_unknown: bool = False  # --skip-unknown
    stage_aliases: Mapping[str, str] = field(default_factory=dict)  # PAYMENT_STAGE_ALIASES


def _configured(collection: Collection, options: LoadOptions) -> Collection:
    """`collection` with the site's stage aliases in its Stage field (when there are any)."""
    if not options.stage_aliases or not any(f.kind is STAGE for f in collection.fields):
        return collection
    kind = choice(*STAGES, aliases=stage_aliases(dict(options.stage_aliases)))
    fields = tuple(
        dataclasses.replace(f, kind=kind) if f.kind is STAGE else f for f in collection.fields
    )
    return dataclasses.replace(collection, fields=fields)


def collection_named(name: str) -> Collection | None:
    """The collection of a name or alternate name (`OverAndUnderPayments`), any capitalisation."""
    wanted = name.lower()
    for collection in BY_NAME.values():
        names = (collection.name, *ALTERNATE_NAMES.get(collection.name, ()))
        if wanted in (n.lower() for n in names):
            return collection
    return None


def rounding_notes(batches: Iterable[Converted]) -> list[str]:
    """What `--round-money-doubles` changed: values per file and field, and the total change."""
    notes: list[str] = []
    total = Rounding()
    for batch in batches:
        r = batch.rounding
        if not r.count:
            continue
        fields = ", ".join(f"{name} {n:,}" for name, n in sorted(r.by_field.items()))
        notes.append(
            f"rounded {r.count:,} money value(s) given as doubles in {batch.source}: {fields}"
        )
        total.count += r.count
        total.change += r.change
        total.largest = max(total.largest, r.largest)
    if total.count:
        notes.append(
            f"rounding changed {total.count:,} value(s) by {_money(total.change)} in all "
            f"(exactly {_exact(total.change)}; the largest change of one value {_exact(total.largest)})"
        )
    return notes


def _money(amount: Decimal) -> str:
    """An exact change shown as money: half-up to the cent like every amount."""
    return str(to_decimal(round_half_up_cents(amount)))


def _exact(amount: Decimal) -> str:
    return format(amount.normalize(), "f") if amount else "0"


def load_directory(
    engine: Engine,
    path: str | os.PathLike[str],
    progress: LoadProgress | None = None,
    notes: list[str] | None = None,
    *,
    options: LoadOptions | None = None,
) -> dict[str, int]:
    """Load every collection file of `path`; returns rows loaded per collection.

    `notes`, when given, receives what the user should know about a load that succeeded (for
    example refunds taken as open because they carried no state, values rounded, files skipped)."""
    options = options or LoadOptions()
    directory = existing_directory(path)
    found = collection_files(directory, EXPORTED_NAMES)
    problems: list[RecordProblem] = list(found.problems)
    said: list[str] = []
    if found.unknown and not options.skip_unknown:
        problems += [RecordProblem(name, "-", "(file)", _UNKNOWN_FILE) for name in found.unknown]
    elif found.unknown:
        said.append(f"not loaded (unknown files, --skip-unknown): {', '.join(found.unknown)}")
    importable = {c.name for c in IMPORTABLE}
    skipped = found.not_loaded + [
        p.name for n, p in found.paths.items() if n not in importable and n != STATS_COLLECTION
    ]
    if skipped:
        said.append(f"not loaded (results of runs or working copies): {', '.join(sorted(skipped))}")
    files = [(c, found.paths[c.name]) for c in IMPORTABLE if c.name in found.paths]
    stats_file = found.paths.get(STATS_COLLECTION)
    if not files and stats_file is None and not problems:
        names = ", ".join(f"{c.name}.json" for c in IMPORTABLE)
        raise NotFoundError(f"no collection file in {str(directory)!r} (expected any of {names})")
    converted: list[Converted] = []
    runs: list[dict[str, object]] = []
    if stats_file is not None:
        text, unreadable = read_text(directory, stats_file)
        docs, malformed = read_documents(stats_file.name, text or "")
        runs, bad = convert_runs(stats_file.name, docs)
        problems += unreadable + sorted(malformed + bad, key=_position)
    for collection, file in files:
        text, unreadable = read_text(directory, file)
        docs, malformed = read_documents(file.name, text or "")
        tick = _ticker(progress, file.name, len(docs))
        batch, bad = convert_collection(
            _configured(collection, options),
            file.name,
            docs,
            tick,
            round_doubles=options.round_money_doubles,
        )
        tick(len(docs))
        converted.append(batch)
        problems += unreadable + sorted(malformed + bad, key=_position)
    counts = _store(engine, converted, problems, progress, notes, runs)
    if notes is not None:
        notes.extend(said + rounding_notes(converted))
    return counts


_UNKNOWN_FILE = (
    "is not a collection file (no collection of that name or of its alternate names); "
    "remove it, or load with --skip-unknown"
)


def load_documents(
    engine: Engine,
    documents: Mapping[str, Iterable[object]],
    progress: LoadProgress | None = None,
    notes: list[str] | None = None,
    *,
    options: LoadOptions | None = None,
) -> dict[str, int]:
    """Load in-memory documents per collection name, validated exactly like files.

    A name may be an alternate one (`OverAndUnderPayments`), in any capitalisation."""
    options = options or LoadOptions()
    converted: list[Converted] = []
    problems: list[RecordProblem] = []
    runs: list[dict[str, object]] = []
    for name, docs in documents.items():
        if name == STATS_COLLECTION:
            stats, bad = convert_runs(name, [(f"index {i}", d) for i, d in enumerate(docs)])
            runs += stats
            problems += bad
            continue
        collection = collection_named(name)
        if collection is None or not collection.importable:
            known = ", ".join(c.name for c in IMPORTABLE)
            reason = f"is not a collection that can be loaded (one of {known})"
            problems.append(RecordProblem(name, "-", "(collection)", reason))
            continue
        located = [(f"index {i}", doc) for i, doc in enumerate(docs)]
        batch, bad = convert_collection(
            _configured(collection, options),
            name,
            located,
            round_doubles=options.round_money_doubles,
        )
        converted.append(batch)
        problems += bad
    counts = _store(engine, converted, problems, progress, notes, runs)
    if notes is not None:
        notes.extend(rounding_notes(converted))
    return counts


def _position(problem: RecordProblem) -> int:
    """The line or index number of a problem, to list a file's problems in file order."""
    number = problem.location.rpartition(" ")[2]
    return int(number) if number.isdigit() else -1


def _ticker(progress: LoadProgress | None, label: str, total: int) -> Callable[[int], None]:
    def tick(done: int) -> None:
        if progress is not None:
            progress(label, done, total)

    tick(0)
    return tick


def _store(
    engine: Engine,
    converted: list[Converted],
    problems: list[RecordProblem],
    progress: LoadProgress | None,
    notes: list[str] | None = None,
    runs: list[dict[str, object]] | None = None,
) -> dict[str, int]:
    settled, said = settle_refunds(converted)
    problems = problems + settled
    if problems:
        raise InputError(problems)
    if notes is not None:
        notes.extend(said)
    for note in said:
        log.warning("load_note", note=note)
    tick = _ticker(progress, WRITING, len(converted))
    with unit_of_work(engine) as uow:
        problems = already_stored(uow.conn, converted)
        if problems:
            raise InputError(problems)
        counts: dict[str, int] = {}
        big: list[str] = []
        with bulk_counts(uow.conn):  # the claims' counts come from their frame, not the triggers
            for done, batch in enumerate(converted, 1):
                written = _write_batch(uow.conn, batch)
                counts.update(written)
                if sum(written.values()) >= ANALYZE_ROWS:
                    big.append(batch.collection.table.name)
                    if batch.collection.children is not None:
                        big.append(batch.collection.children.table.name)
                tick(done)
        if runs:
            counts[STATS_COLLECTION] = write_runs(uow.conn, runs)
        analyze(uow.conn, big)
        uow.commit()
    return counts


def _write_batch(conn: Connection, batch: Converted) -> dict[str, int]:
    collection = batch.collection
    try:
        frame = batch.frame()
        counts = {collection.name: write_frame(conn, collection.table, frame)}
        if collection.table is claim_fin_core:
            add_claim_counts(conn, frame)
        if collection.children is not None:
            lines = write_frame(conn, collection.children.table, batch.child_frame())
            counts[f"{collection.name}.{collection.children.name}"] = lines
    except (IntegrityError, psycopg.IntegrityError, sqlite3.IntegrityError) as exc:
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        reason = f"a row was stored by someone else while loading ({detail}); nothing was written"
        raise InputError([RecordProblem(batch.source, "-", "(collection)", reason)]) from None
    return counts
