"""Export every collection to `DIR/<Collection>.json`, so that a load gives the same data back.

`export_directory(engine, DIR, fmt)` reads every collection (and the PaymentEventStats documents,
one per run) in one read-only snapshot (REPEATABLE READ on PostgreSQL, one read transaction on
SQLite) and writes each file as a JSON array with one document per line, or as JSON Lines
(`fmt="jsonl"`). Files are replaced atomically; nothing outside DIR is touched.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from sqlalchemy import Connection, Engine

from paymentprocess.errors import SettingsError
from paymentprocess.io.collections import COLLECTIONS, EXPORTED_NAMES, STATS_COLLECTION
from paymentprocess.io.documents import Document, collection_documents
from paymentprocess.io.extjson import dumps_exact
from paymentprocess.io.files import collection_path, write_atomically
from paymentprocess.io.run_documents import run_documents
from paymentprocess.storage.database import is_sqlite

FORMATS = ("json", "jsonl")
ExportProgress = Callable[[str, int, int], None]  # (collection, done, total)


def export_directory(
    engine: Engine,
    path: str | os.PathLike[str],
    fmt: str = "json",
    progress: ExportProgress | None = None,
) -> dict[str, int]:
    """Write every collection file into `path` (created if missing); returns documents per file."""
    if fmt not in FORMATS:
        raise SettingsError(f"export format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    directory = Path(path)
    if directory.exists() and not directory.is_dir():
        raise SettingsError(f"{str(directory)!r} exists and is not a directory")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a parent that is a file, no permission, ...
        raise SettingsError(f"cannot create {str(directory)!r}: {exc.strerror}") from None
    counts: dict[str, int] = {}
    with _snapshot(engine) as conn:
        for done, name in enumerate(EXPORTED_NAMES):
            if progress is not None:
                progress(name, done, len(EXPORTED_NAMES))
            documents = export_documents(conn, name)
            target = collection_path(directory, name)
            try:
                write_atomically(target, encode(documents, fmt))
            except OSError as exc:  # the name is a directory, the disk is full, ...
                raise SettingsError(f"cannot write {str(target)!r}: {exc.strerror}") from None
            counts[name] = len(documents)
    if progress is not None:
        progress("all collections", len(EXPORTED_NAMES), len(EXPORTED_NAMES))
    return counts


def export_documents(conn: Connection, name: str) -> list[Document]:
    """The documents of one exported collection, sorted by id (stats: by run)."""
    if name == STATS_COLLECTION:
        return run_documents(conn)
    collection = next(c for c in COLLECTIONS if c.name == name)
    return collection_documents(conn, collection)


def encode(documents: Iterable[Document], fmt: str) -> Iterator[str]:
    """JSON text of the documents: an array with one document per line, or JSON Lines."""
    if fmt == "jsonl":
        for document in documents:
            yield _dumps(document) + "\n"
        return
    separator = "[\n"
    for document in documents:
        yield separator + _dumps(document)
        separator = ",\n"
    yield "[]\n" if separator == "[\n" else "\n]\n"


def _dumps(document: Document) -> str:
    return dumps_exact(document, ensure_ascii=False)  # kept unknown decimals digit for digit


@contextlib.contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """One read-only transaction that sees a single state of the database."""
    with engine.connect() as conn:
        if is_sqlite(conn):
            conn.execution_options(write=False)
        else:
            conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin():
            yield conn
