"""Writing an event's output files as one set: all of the new set, or the previous set, never a mix.

`write_file_set(out_dir, event_id, files)` puts `files` ({relative path: bytes}) under
`out_dir/<event>/` (O-8 name) together with `MANIFEST.sha256` (`<sha256>  <path>` lines sorted by
path, the `sha256sum -c` format), and nothing else: the directory afterwards holds exactly that set.

How (POSIX gives an atomic `rename(2)` of a file or of a directory onto a name that does not
exist, and of a file onto an existing file, but not of a directory onto a non-empty directory):

1. **Stage.** The set is written into the sibling `out_dir/.<event>.new/`, which no reader
   looks at: every file created under its name (`O_CREAT|O_EXCL`, mode 0600), then one
   durability barrier for all of them (`syncfs(2)` of the stage's file system on Linux, else an
   `fsync` of each file from a thread pool: one fsync per file in turn would cost ~1.5 ms each,
   110 s for the 70,000 835s of a 1M-claim cycle), then the directories are fsynced;
   `MANIFEST.sha256` is written last (temporary name, fsync, rename). A stage without manifest
   is incomplete by definition.
2. **Swap.** No previous set: `rename(.new → <event>)` — atomic. A previous set:
   `rename(<event> → .<event>.old)`, `rename(.new → <event>)`, each followed by an fsync of
   `out_dir`; then `.old` is removed.
3. **Recover.** Every write and verify first runs `recover_file_set`, which finishes or
   undoes what a crash (SIGKILL, power loss after the fsyncs) left: `<event>` and `.new` → the
   swap had not started: drop `.new` (previous set kept); no `<event>` but `.old` → crashed between
   the two renames: move a complete `.new` into place (new set) or else `.old` back (previous
   set); `<event>` and `.old` → the swap was done: drop `.old`.

So after `recover_file_set` the directory always holds the previous complete set or the new
complete set. Between the two renames of step 2 (two system calls) `<event>` is briefly absent;
a reader that is not this module must therefore call `recover_file_set` (or retry) when it finds
no directory. Directories are created with mode 0700, files 0600 (they hold PHI and bank numbers). Writers,
verifiers and recoverers of one event are serialised by an exclusive `flock` on
`out_dir/.<event>.lock` (a concurrent writer would otherwise remove the other's staging
directory). Writing a set equal to the one on disk touches nothing.

Crash points for the kill tests (`PAYMENT_FAULT_AT=kill:<point>`, `engine.faults`):
`WRITE_POINTS`.
"""

from __future__ import annotations

import ctypes
import fcntl
import hashlib
import os
import re
import shutil
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from paymentprocess.errors import PaymentError
from paymentprocess.faults import checkpoint

MANIFEST = "MANIFEST.sha256"
FILE_MODE = 0o600
DIR_MODE = 0o700
WRITE_POINTS = (
    "outputs:after-first-file",
    "outputs:before-manifest",
    "outputs:after-manifest",
    "outputs:after-old-aside",
    "outputs:after-swap",
    "outputs:after-cleanup",
)
_KEPT = re.compile(rb"[A-Za-z0-9._-]")


class OutputFileError(PaymentError):
    """A file set cannot be written (bad relative path, unusable directory)."""


# ----------------------------------------------------------------------------- names (O-8)


def safe_name(text: str) -> str:
    """`text` as one path component: bytes `[A-Za-z0-9._-]` kept, every other UTF-8 byte → `_%02X`.

    A leading `.` is escaped too (`_2E`), so that no name is `.`, `..` or hidden (the staging
    directories of `write_file_set` start with a dot). Empty text is refused.
    """
    if not text:
        raise OutputFileError("a file name component is empty")
    out = []
    for i, b in enumerate(text.encode("utf-8")):
        ch = bytes([b])
        out.append(
            ch.decode() if _KEPT.fullmatch(ch) and not (i == 0 and ch == b".") else f"_{b:02X}"
        )
    return "".join(out)


def event_dir_name(event_id: str) -> str:
    return safe_name(event_id)


def x12_file_name(funding_source_id: str, payment_center_id: int, trn02: str) -> str:
    return f"835/835_{safe_name(funding_source_id)}_{payment_center_id}_{safe_name(trn02)}.x12"


def ach_file_name(funding_source_id: str, effective_date: date, file_id_modifier: str) -> str:
    stamp = effective_date.strftime("%Y%m%d")
    return f"ach/ACH_{safe_name(funding_source_id)}_{stamp}_{safe_name(file_id_modifier)}.ach"


def check_register_file_name(funding_source_id: str) -> str:
    return f"checks/CHECKREG_{safe_name(funding_source_id)}.csv"


def positive_pay_file_name(funding_source_id: str) -> str:
    return f"checks/POSPAY_{safe_name(funding_source_id)}.csv"


def fhir_file_name() -> str:
    return "fhir/PaymentReconciliation.ndjson"


# ----------------------------------------------------------------------------- manifest


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def manifest_bytes(files: Mapping[str, bytes], digests: Mapping[str, str] | None = None) -> bytes:
    """`<sha256>  <path>\\n` per file, sorted by path (what `sha256sum -c MANIFEST.sha256` reads);
    `digests`: the files' SHA-256 (hex) already computed, by path."""
    if digests is None:
        digests = {p: sha256_hex(content) for p, content in files.items()}
    return "".join(f"{digests[p]}  {p}\n" for p in sorted(files)).encode("utf-8")


def parse_manifest(content: bytes) -> dict[str, str]:
    out = {}
    for line in content.decode("utf-8").splitlines():
        digest, _, path = line.partition("  ")
        out[path] = digest
    return out


def _check_paths(files: Mapping[str, object]) -> None:
    # Split on "/" (no Path objects for tens of thousands of names): an empty part is a leading,
    # trailing or doubled "/", a part starting with "." is ".", ".." or a hidden name — so a name
    # passes exactly when it is its own normalized relative POSIX form with plain parts.
    for rel in files:
        if (
            "\\" in rel
            or rel == MANIFEST
            or any(not p or p.startswith(".") for p in rel.split("/"))
        ):
            raise OutputFileError(f"not a plain relative output path: {rel!r}")


# ----------------------------------------------------------------------------- writing


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_file(path: Path, content: bytes) -> None:
    """`content` to `path` via a temporary sibling, fsync, rename; mode 0600."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def _create_file(path: str | Path, content: bytes) -> None:
    """`content` as the new file `path` (mode 0600), not yet durable (see `_sync_files`)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _fsync_path(path: str | Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_files(stage: Path, paths: Sequence[str | Path]) -> None:
    """Make every file of `paths` (all under `stage`) durable: one `syncfs` where the C library
    has it, else an fsync of each file, several at a time (fsync releases the GIL)."""
    libc = _libc()
    syncfs = getattr(libc, "syncfs", None) if libc is not None else None
    if syncfs is not None:
        fd = os.open(stage, os.O_RDONLY | os.O_DIRECTORY)
        try:
            if syncfs(fd) == 0:
                return
        finally:
            os.close(fd)
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(_fsync_path, paths))


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:  # pragma: no cover - platforms without a loadable C library
        return None


def _paths(out_dir: Path, event_id: str) -> tuple[Path, Path, Path]:
    name = event_dir_name(event_id)
    return out_dir / name, out_dir / f".{name}.new", out_dir / f".{name}.old"


@contextmanager
def _locked(out_dir: Path, event_id: str) -> Iterator[None]:
    """An exclusive `flock` on `out_dir/.<event>.lock` (kept: removing a lock file is racy)."""
    path = out_dir / f".{event_dir_name(event_id)}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _complete(stage: Path) -> bool:
    """A staged set is complete when its manifest exists and every listed file matches it."""
    manifest = stage / MANIFEST
    if not manifest.is_file():
        return False
    for rel, digest in parse_manifest(manifest.read_bytes()).items():
        f = stage / rel
        if not f.is_file() or sha256_hex(f.read_bytes()) != digest:
            return False
    return True


def recover_file_set(out_dir: Path, event_id: str) -> str:
    """Finish or undo an interrupted `write_file_set`; returns what was done (for tests/logs)."""
    out = Path(out_dir)
    if not out.is_dir():
        return "nothing"
    with _locked(out, event_id):
        return _recover(out, event_id)


def _recover(out_dir: Path, event_id: str) -> str:
    final, new, old = _paths(out_dir, event_id)
    done = "nothing"
    if final.exists():
        if new.exists():
            shutil.rmtree(new)
            done = "dropped an unfinished new set"
        if old.exists():
            shutil.rmtree(old)
            done = "dropped the replaced set"
    elif old.exists():
        if new.exists() and _complete(new):
            os.rename(new, final)
            shutil.rmtree(old)
            done = "completed the swap to the new set"
        else:
            if new.exists():
                shutil.rmtree(new)
            os.rename(old, final)
            done = "restored the previous set"
    elif new.exists():
        if _complete(new):
            os.rename(new, final)
            done = "completed the first write"
        else:
            shutil.rmtree(new)
            done = "dropped an unfinished new set"
    if done != "nothing":
        _fsync_dir(out_dir)
    return done


def write_file_set(
    out_dir: Path,
    event_id: str,
    files: Mapping[str, bytes],
    digests: Mapping[str, str] | None = None,
) -> Path:
    """Write `files` plus `MANIFEST.sha256` as the whole content of `out_dir/<event>/` (module doc).

    Returns the event directory. Idempotent: when the directory already holds exactly this set
    (bytes, manifest, modes) nothing is touched. Writers of one event are serialised by a lock
    file `out_dir/.<event>.lock`. `digests`: every file's SHA-256 (hex) by path, when the caller
    has computed them already (else they are computed here).
    """
    _check_paths(files)
    out = Path(out_dir)
    out.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    with _locked(out, event_id):
        _recover(out, event_id)
        final = _paths(out, event_id)[0]
        if final.is_dir() and not _mismatches(final, digests if digests is not None else files):
            return final
        _stage_and_swap(out, event_id, files, digests)
    return final


def _stage_and_swap(
    out: Path, event_id: str, files: Mapping[str, bytes], digests: Mapping[str, str] | None = None
) -> None:
    final, new, old = _paths(out, event_id)
    new.mkdir(mode=DIR_MODE)
    # Plain strings, not Path objects, for the (tens of thousands of) files: `_check_paths` has
    # made sure every name is a plain relative POSIX path.
    base = str(new)
    made = {""}  # directories created, relative to `new`
    written: list[str] = []
    for i, rel in enumerate(sorted(files)):
        parent = rel.rpartition("/")[0]
        if parent not in made:
            parts = parent.split("/")
            for depth in range(1, len(parts) + 1):
                d = "/".join(parts[:depth])
                if d not in made:
                    os.mkdir(os.path.join(base, d), DIR_MODE)
                    made.add(d)
        target = os.path.join(base, rel)
        _create_file(target, files[rel])
        written.append(target)
        if i == 0:
            checkpoint("outputs:after-first-file")
    _sync_files(new, written)
    for made_dir in sorted(made, key=lambda d: d.count("/") + bool(d), reverse=True):
        _fsync_dir(new / made_dir if made_dir else new)
    checkpoint("outputs:before-manifest")
    _write_file(new / MANIFEST, manifest_bytes(files, digests))
    _fsync_dir(new)
    checkpoint("outputs:after-manifest")
    if final.exists():
        os.rename(final, old)
        _fsync_dir(out)
        checkpoint("outputs:after-old-aside")
    os.rename(new, final)
    _fsync_dir(out)
    checkpoint("outputs:after-swap")
    if old.exists():
        shutil.rmtree(old)
        _fsync_dir(out)
    checkpoint("outputs:after-cleanup")


# ----------------------------------------------------------------------------- verifying


@dataclass(frozen=True)
class FileMismatch:
    path: str
    reason: str  # "missing", "differs", "unexpected", "mode"

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def _expected_digest(value: bytes | str) -> str:
    return sha256_hex(value) if isinstance(value, bytes) else value.lower()


def verify_file_set(
    out_dir: Path, event_id: str, expected: Mapping[str, bytes | str]
) -> list[FileMismatch]:
    """Compare `out_dir/<event>/` with `expected` ({path: bytes or sha256 hex}); [] = identical.

    Reports each missing file, each file whose bytes differ, each file not in `expected`
    (`MANIFEST.sha256` excepted, which must list exactly `expected`), and each file whose mode is
    not 0600. Reads only, after `recover_file_set` has finished or undone an interrupted write.
    """
    _check_paths(expected)
    out = Path(out_dir)
    if not out.is_dir():
        return _mismatches(out / event_dir_name(event_id), expected)
    with _locked(out, event_id):
        _recover(out, event_id)
        return _mismatches(_paths(out, event_id)[0], expected)


def _mismatches(final: Path, expected: Mapping[str, bytes | str]) -> list[FileMismatch]:
    want = {p: _expected_digest(v) for p, v in expected.items()}
    problems: list[FileMismatch] = []
    found: set[str] = set()
    if final.is_dir():
        for f in sorted(final.rglob("*")):
            if f.is_file():
                found.add(f.relative_to(final).as_posix())
    for rel in sorted(want):
        f = final / rel
        if rel not in found:
            problems.append(FileMismatch(rel, "missing"))
            continue
        if sha256_hex(f.read_bytes()) != want[rel]:
            problems.append(FileMismatch(rel, "differs"))
        if f.stat().st_mode & 0o777 != FILE_MODE:
            problems.append(FileMismatch(rel, "mode"))
    for rel in sorted(found - set(want) - {MANIFEST}):
        problems.append(FileMismatch(rel, "unexpected"))
    manifest = final / MANIFEST
    if MANIFEST not in found:
        problems.append(FileMismatch(MANIFEST, "missing"))
    elif parse_manifest(manifest.read_bytes()) != want:
        problems.append(FileMismatch(MANIFEST, "differs"))
    return problems
