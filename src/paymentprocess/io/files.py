"""The collection files of a directory: where they are, reading them, writing them safely.

`export` writes `DIR/<Collection>.json` for the known collection names. `load` finds each
collection's file under its own name or one of its alternate spellings (`ALTERNATE_NAMES`: the
seeds' `OverAndUnderPayments`, plurals such as `PaymentCenters`), whatever the capitalisation
(`collection_files`); two files for one collection, or a `.json` file of no known name, are
problems the load reports. A name that is a link to somewhere outside DIR is refused; exports are written to a temporary file
in DIR and renamed over the target, so a reader never sees half a file and a link is replaced,
never followed.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from paymentprocess.errors import NotFoundError, RecordProblem

SUFFIX = ".json"

# Other names a collection's file is known by (matched whatever the capitalisation, like the
# collection's own name): the seeds' spellings and plurals.
ALTERNATE_NAMES: dict[str, tuple[str, ...]] = {
    "PaymentEvent": ("PaymentEvents",),
    "Business": ("Businesses",),
    "InterestConfig": ("InterestConfigs",),
    "FundingSource": ("FundingSources",),
    "InclusionCriteria": ("InclusionCriterias",),
    "BenefitPlan": ("BenefitPlans",),
    "PaymentCenter": ("PaymentCenters",),
    "ClaimFinCore": ("ClaimFinCores",),
    "OverAndUnderPayment": ("OverAndUnderPayments",),
    "Refund": ("Refunds",),
    "SequenceNumbers": ("SequenceNumber",),
    "ServiceCode": ("ServiceCodes",),
    "ProcessCodeEx": ("ProcessCodeExs", "ProcessCodeExes"),
    "PaymentRegister": ("PaymentRegisters",),
    "PaymentEventStats": ("PaymentEventStat",),
}
# Seed collections that are working copies a Dry Run rebuilds: known names, never loaded.
WORKING_SETS = ("ClaimWSCore", "PaymentCenterWS", "PaymentEventWS", "OverAndUnderPayment_STG")


@dataclass
class DirectoryFiles:
    """The `.json` files of a load directory, sorted out by name."""

    paths: dict[str, Path] = field(default_factory=dict)  # collection name → its file
    not_loaded: list[str] = field(default_factory=list)  # known names that a load does not read
    unknown: list[str] = field(default_factory=list)  # file names of no known collection
    problems: list[RecordProblem] = field(default_factory=list)  # two files for one collection


def file_names(name: str) -> tuple[str, ...]:
    """Every name (without `.json`) the file of collection `name` may have."""
    return (name, *ALTERNATE_NAMES.get(name, ()))


def collection_files(directory: Path, names: Iterable[str]) -> DirectoryFiles:
    """Find the file of each collection in `names` (own or alternate name, any capitalisation)."""
    wanted = {alias.lower(): name for name in names for alias in file_names(name)}
    ignored = {n.lower() for w in WORKING_SETS for n in (w, f"{w}s")}
    found = DirectoryFiles()
    claimed: dict[str, list[Path]] = {}
    for path in sorted(directory.iterdir(), key=lambda p: p.name):
        stem, suffix = path.name[: -len(SUFFIX)], path.name[-len(SUFFIX) :]
        if suffix.lower() != SUFFIX or path.name.startswith("."):
            continue
        name = wanted.get(stem.lower())
        if name is not None:  # even a directory: reading it reports that it cannot be read
            claimed.setdefault(name, []).append(path)
        elif path.is_dir():
            continue
        elif stem.lower() in ignored:
            found.not_loaded.append(path.name)
        else:
            found.unknown.append(path.name)
    for name, paths in claimed.items():
        found.paths[name] = paths[0]
        if len(paths) > 1:
            both = " and ".join(p.name for p in paths)
            reason = f"{both} are both files of {name}; keep one of them"
            found.problems.append(RecordProblem(paths[1].name, "-", "(file)", reason))
    return found


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
