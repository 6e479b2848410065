"""The collection files of a directory: where they are, reading them, writing them safely.

`load` and `export` only ever touch `DIR/<Collection>.json` for the known collection names. A
name that is a link to somewhere outside DIR is refused; exports are written to a temporary file
in DIR and renamed over the target, so a reader never sees half a file and a link is replaced,
never followed.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from paymentprocess.errors import NotFoundError, RecordProblem

SUFFIX = ".json"


def existing_directory(path: str | os.PathLike[str]) -> Path:
    """`path` as a directory that exists, or a NotFoundError naming it."""
    directory = Path(path)
    if not directory.is_dir():
        raise NotFoundError(f"directory {str(directory)!r} does not exist or is not a directory")
    return directory


def collection_path(directory: Path, name: str) -> Path:
    """`DIR/<name>.json` (the name is one of ours, never user text)."""
    if not name.isidentifier():
        raise ValueError(f"not a collection name: {name!r}")
    return directory / f"{name}{SUFFIX}"


def outside(directory: Path, path: Path) -> bool:
    """True when `path` (a link, say) resolves to a place outside `directory`."""
    return not path.resolve().is_relative_to(directory.resolve())


def read_text(directory: Path, path: Path) -> tuple[str | None, list[RecordProblem]]:
    """The file's UTF-8 text, or the problem that prevents reading it."""
    source = path.name
    try:
        escapes = outside(directory, path)
    except (OSError, RuntimeError):  # a link loop (RuntimeError before Python 3.13)
        reason = "is a link that cannot be resolved (a loop); refused"
        return None, [RecordProblem(source, "line 1", "(file)", reason)]
    if escapes:
        reason = "is a link to a file outside the directory; refused"
        return None, [RecordProblem(source, "line 1", "(file)", reason)]
    try:
        return path.read_bytes().decode("utf-8"), []
    except UnicodeDecodeError as exc:
        reason = f"is not UTF-8 text (byte {exc.start})"
        return None, [RecordProblem(source, "line 1", "(file)", reason)]
    except OSError as exc:
        return None, [RecordProblem(source, "line 1", "(file)", f"cannot be read: {exc.strerror}")]


def other_json_files(directory: Path, known: Iterable[str]) -> list[str]:
    """Names of `*.json` files in DIR that are not collection files (they are not loaded)."""
    names = {f"{n}{SUFFIX}" for n in known}
    return sorted(p.name for p in directory.glob(f"*{SUFFIX}") if p.name not in names)


def write_atomically(path: Path, chunks: Iterable[str]) -> None:
    """Write text to `path` through a temporary file in the same directory, then rename."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            for chunk in chunks:
                out.write(chunk)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
