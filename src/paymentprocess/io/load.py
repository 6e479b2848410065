"""Load seed collections into the database: all of them or nothing.

`load_directory(engine, DIR)` reads every `DIR/<Collection>.json` present, `load_documents(engine,
{"ClaimFinCore": [...]})` takes documents already in memory; both validate every record first
(`io.records`), then, in one transaction, refuse ids already stored (`io.existing`) and append each
table with one bulk `write_frame`. Any problem raises `InputError` listing every bad record, and
nothing is written.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable, Mapping

import psycopg
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from paymentprocess.errors import InputError, NotFoundError, RecordProblem
from paymentprocess.io.collections import BY_NAME, IMPORTABLE
from paymentprocess.io.existing import already_stored
from paymentprocess.io.extjson import read_documents
from paymentprocess.io.files import collection_path, existing_directory, read_text
from paymentprocess.io.records import Converted, convert_collection
from paymentprocess.storage.database import analyze, unit_of_work
from paymentprocess.storage.frames import write_frame

LoadProgress = Callable[[str, int, int], None]  # (file or step, done, total)
WRITING = "writing"


ANALYZE_ROWS = 10_000  # refresh planner statistics after loads this large


def load_directory(
    engine: Engine, path: str | os.PathLike[str], progress: LoadProgress | None = None
) -> dict[str, int]:
    """Load every collection file of `path`; returns rows loaded per collection."""
    directory = existing_directory(path)
    files = [(c, collection_path(directory, c.name)) for c in IMPORTABLE]
    files = [(c, p) for c, p in files if p.exists() or p.is_symlink()]
    if not files:
        names = ", ".join(f"{c.name}.json" for c in IMPORTABLE)
        raise NotFoundError(f"no collection file in {str(directory)!r} (expected any of {names})")
    converted: list[Converted] = []
    problems: list[RecordProblem] = []
    for collection, file in files:
        text, unreadable = read_text(directory, file)
        docs, malformed = read_documents(file.name, text or "")
        tick = _ticker(progress, file.name, len(docs))
        batch, bad = convert_collection(collection, file.name, docs, tick)
        tick(len(docs))
        converted.append(batch)
        problems += unreadable + sorted(malformed + bad, key=_position)
    return _store(engine, converted, problems, progress)


def load_documents(
    engine: Engine,
    documents: Mapping[str, Iterable[object]],
    progress: LoadProgress | None = None,
) -> dict[str, int]:
    """Load in-memory documents per collection name, validated exactly like files."""
    converted: list[Converted] = []
    problems: list[RecordProblem] = []
    for name, docs in documents.items():
        collection = BY_NAME.get(name)
        if collection is None or not collection.importable:
            known = ", ".join(c.name for c in IMPORTABLE)
            reason = f"is not a collection that can be loaded (one of {known})"
            problems.append(RecordProblem(name, "-", "(collection)", reason))
            continue
        located = [(f"index {i}", doc) for i, doc in enumerate(docs)]
        batch, bad = convert_collection(collection, name, located)
        converted.append(batch)
        problems += bad
    return _store(engine, converted, problems, progress)


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
) -> dict[str, int]:
    if problems:
        raise InputError(problems)
    tick = _ticker(progress, WRITING, len(converted))
    with unit_of_work(engine) as uow:
        problems = already_stored(uow.conn, converted)
        if problems:
            raise InputError(problems)
        counts: dict[str, int] = {}
        big: list[str] = []
        for done, batch in enumerate(converted, 1):
            written = _write_batch(uow.conn, batch)
            counts.update(written)
            if sum(written.values()) >= ANALYZE_ROWS:
                big.append(batch.collection.table.name)
                if batch.collection.children is not None:
                    big.append(batch.collection.children.table.name)
            tick(done)
        analyze(uow.conn, big)
        uow.commit()
    return counts


def _write_batch(conn: Connection, batch: Converted) -> dict[str, int]:
    collection = batch.collection
    try:
        counts = {collection.name: write_frame(conn, collection.table, batch.frame())}
        if collection.children is not None:
            lines = write_frame(conn, collection.children.table, batch.child_frame())
            counts[f"{collection.name}.{collection.children.name}"] = lines
    except (IntegrityError, psycopg.IntegrityError, sqlite3.IntegrityError) as exc:
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        reason = f"a row was stored by someone else while loading ({detail}); nothing was written"
        raise InputError([RecordProblem(batch.source, "-", "(collection)", reason)]) from None
    return counts
