"""The atomic file-set writer: names, modes, manifest, verify, and real SIGKILLs at each point."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from paymentprocess.outputs.files import (
    MANIFEST,
    WRITE_POINTS,
    FileMismatch,
    OutputFileError,
    ach_file_name,
    check_register_file_name,
    event_dir_name,
    fhir_file_name,
    positive_pay_file_name,
    recover_file_set,
    safe_name,
    verify_file_set,
    write_file_set,
    x12_file_name,
)

EVENT = "PE 1/ü"
EVENT_DIR = "PE_201_2F_C3_BC"
SET_A = {
    "835/835_FS1_7_1001.x12": b"ISA*00*...~\n",
    "ach/ACH_FS1_20260115_A.ach": b"1" * 94 + b"\n",
    "checks/CHECKREG_FS1.csv": b"payment_event_id\n",
}
SET_B = {
    "835/835_FS1_7_1002.x12": b"ISA*00*new~\n",
    "ach/ACH_FS1_20260115_B.ach": b"2" * 94 + b"\n",
    "fhir/PaymentReconciliation.ndjson": b"{}\n",
}


def _tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` (hidden staging directories included, the lock file not)."""
    if not root.exists():
        return {}
    return {
        f.relative_to(root).as_posix(): f.read_bytes()
        for f in sorted(root.rglob("*"))
        if f.is_file() and not f.name.endswith(".lock")
    }


def _entries(out: Path) -> list[str]:
    """The names in `out` besides the lock file."""
    return sorted(p.name for p in out.iterdir() if not p.name.endswith(".lock"))


def _with_manifest(files: dict[str, bytes]) -> dict[str, bytes]:
    lines = "".join(f"{hashlib.sha256(files[p]).hexdigest()}  {p}\n" for p in sorted(files))
    return {**files, MANIFEST: lines.encode()}


def _event_tree(out: Path) -> dict[str, bytes]:
    return _tree(out / EVENT_DIR)


def test_names_follow_o8() -> None:
    assert event_dir_name(EVENT) == EVENT_DIR
    assert safe_name("PE-1.a_b") == "PE-1.a_b"
    assert safe_name("..") == "_2E."
    assert safe_name(".hidden") == "_2Ehidden"
    with pytest.raises(OutputFileError):
        safe_name("")
    assert x12_file_name("FS 1", 42, "1001") == "835/835_FS_201_42_1001.x12"
    assert ach_file_name("FS1", date(2026, 1, 15), "A") == "ach/ACH_FS1_20260115_A.ach"
    assert check_register_file_name("FS1") == "checks/CHECKREG_FS1.csv"
    assert positive_pay_file_name("FS1") == "checks/POSPAY_FS1.csv"
    assert fhir_file_name() == "fhir/PaymentReconciliation.ndjson"


def test_write_sets_modes_and_a_sha256sum_manifest(tmp_path: Path) -> None:
    final = write_file_set(tmp_path, EVENT, SET_A)
    assert final == tmp_path / EVENT_DIR
    assert _tree(tmp_path) == {f"{EVENT_DIR}/{p}": b for p, b in _with_manifest(SET_A).items()}
    for f in final.rglob("*"):
        mode = stat.S_IMODE(f.stat().st_mode)
        assert mode == (0o700 if f.is_dir() else 0o600), f
    assert stat.S_IMODE(final.stat().st_mode) == 0o700
    if shutil.which("sha256sum"):
        done = subprocess.run(
            ["sha256sum", "--check", "--strict", MANIFEST],
            check=False,
            cwd=final,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.count(": OK") == 3
    assert verify_file_set(tmp_path, EVENT, SET_A) == []
    digests = {p: hashlib.sha256(b).hexdigest() for p, b in SET_A.items()}
    assert verify_file_set(tmp_path, EVENT, digests) == []


def test_rewriting_is_idempotent_and_a_new_set_replaces_the_old_one(tmp_path: Path) -> None:
    final = write_file_set(tmp_path, EVENT, SET_A)
    first = _tree(tmp_path)
    inode = final.stat().st_ino
    write_file_set(tmp_path, EVENT, SET_A)
    assert _tree(tmp_path) == first
    assert final.stat().st_ino == inode  # an equal set on disk is left alone
    assert stat.S_IMODE((tmp_path / f".{EVENT_DIR}.lock").stat().st_mode) == 0o600
    os.chmod(final / "ach/ACH_FS1_20260115_A.ach", 0o640)
    write_file_set(tmp_path, EVENT, SET_A)  # a wrong mode is repaired by rewriting the set
    assert verify_file_set(tmp_path, EVENT, SET_A) == []
    write_file_set(tmp_path, EVENT, SET_B)
    assert _tree(tmp_path) == {f"{EVENT_DIR}/{p}": b for p, b in _with_manifest(SET_B).items()}


def test_verify_detects_a_changed_byte_missing_extra_and_mode(tmp_path: Path) -> None:
    final = write_file_set(tmp_path, EVENT, SET_A)
    ach = final / "ach/ACH_FS1_20260115_A.ach"
    data = bytearray(ach.read_bytes())
    data[10] ^= 0x01
    ach.write_bytes(bytes(data))
    (final / "835/835_FS1_7_1001.x12").unlink()
    (final / "checks/stray.csv").write_bytes(b"x")
    os.chmod(final / "checks/CHECKREG_FS1.csv", 0o644)
    assert verify_file_set(tmp_path, EVENT, SET_A) == [
        FileMismatch("835/835_FS1_7_1001.x12", "missing"),
        FileMismatch("ach/ACH_FS1_20260115_A.ach", "differs"),
        FileMismatch("checks/CHECKREG_FS1.csv", "mode"),
        FileMismatch("checks/stray.csv", "unexpected"),
    ]
    assert [str(m) for m in verify_file_set(tmp_path, "other", {"a.txt": b""})] == [
        "a.txt: missing",
        "MANIFEST.sha256: missing",
    ]


def test_unsafe_relative_paths_are_refused(tmp_path: Path) -> None:
    for bad in ("/etc/x", "../x", "a/../b", ".hidden", MANIFEST, "a\\b", "a//b"):
        with pytest.raises(OutputFileError):
            write_file_set(tmp_path, EVENT, {bad: b"x"})
    assert not (tmp_path / EVENT_DIR).exists()


_CHILD = """
import json, sys
from pathlib import Path
from paymentprocess.outputs.files import write_file_set
files = {k: v.encode() for k, v in json.loads(Path(sys.argv[3]).read_text()).items()}
write_file_set(Path(sys.argv[1]), sys.argv[2], files)
"""


def _write_in_child(out: Path, files: dict[str, bytes], point: str | None) -> int:
    env = {k: v for k, v in os.environ.items() if k != "PAYMENT_FAULT_AT"}
    if point:
        env["PAYMENT_FAULT_AT"] = f"kill:{point}"
    payload = out.parent / f"{out.name}-payload.json"
    payload.write_text(json.dumps({k: v.decode() for k, v in files.items()}))
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(out), EVENT, str(payload)],
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode in (0, -9), done.stderr
    return done.returncode


# the new set is in place once the old one was moved aside (the staged set is complete then)
NEW_AFTER = {"outputs:after-old-aside", "outputs:after-swap", "outputs:after-cleanup"}


@pytest.mark.parametrize("point", WRITE_POINTS)
def test_sigkill_at_each_point_leaves_the_previous_or_the_new_complete_set(
    tmp_path: Path, point: str
) -> None:
    previous = _with_manifest(SET_A)
    new = _with_manifest(SET_B)
    write_file_set(tmp_path, EVENT, SET_A)
    assert _write_in_child(tmp_path, SET_B, point) == -9
    raw = _event_tree(tmp_path)
    assert raw in (previous, new, {}), point  # {} only between the two renames
    if raw == {}:
        assert point == "outputs:after-old-aside"
    recover_file_set(tmp_path, EVENT)
    after = _event_tree(tmp_path)
    assert after == (new if point in NEW_AFTER else previous), point
    assert _entries(tmp_path) == [EVENT_DIR]  # no staging left
    assert _write_in_child(tmp_path, SET_B, None) == 0
    assert _event_tree(tmp_path) == new
    assert verify_file_set(tmp_path, EVENT, SET_B) == []


@pytest.mark.parametrize("point", WRITE_POINTS)
def test_sigkill_during_a_first_write_leaves_nothing_or_the_complete_set(
    tmp_path: Path, point: str
) -> None:
    killed = _write_in_child(tmp_path, SET_A, point)
    if point == "outputs:after-old-aside":  # no previous set: this point is never reached
        assert killed == 0
    else:
        assert killed == -9
    recover_file_set(tmp_path, EVENT)
    after = _event_tree(tmp_path)
    staged_complete = point not in {"outputs:after-first-file", "outputs:before-manifest"}
    assert after == (_with_manifest(SET_A) if staged_complete else {}), point
    assert _entries(tmp_path) == ([EVENT_DIR] if staged_complete else [])


def test_sigkill_at_random_moments_leaves_the_previous_or_the_new_complete_set(
    tmp_path: Path,
) -> None:
    """Kills that land anywhere (inside a write, between fsyncs), not only at the named points."""
    rng = random.Random(20260115)
    big_a = {f"835/835_FS1_{k}_{k}.x12": bytes([65 + k % 26]) * 20_000 for k in range(150)}
    big_b = {f"835/835_FS1_{k}_{k + 1}.x12": bytes([97 + k % 26]) * 20_000 for k in range(150)}
    previous, new = _with_manifest(big_a), _with_manifest(big_b)
    payload = tmp_path.parent / f"{tmp_path.name}-payload.json"
    payload.write_text(json.dumps({k: v.decode() for k, v in big_b.items()}))
    outcomes = []
    for _ in range(4):
        shutil.rmtree(tmp_path / EVENT_DIR, ignore_errors=True)
        write_file_set(tmp_path, EVENT, big_a)
        child = subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(tmp_path), EVENT, str(payload)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.2, 1.2))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        recover_file_set(tmp_path, EVENT)
        after = _event_tree(tmp_path)
        assert after in (previous, new)
        outcomes.append("new" if after == new else "previous")
        assert _entries(tmp_path) == [EVENT_DIR]
    print(f"random kills: {outcomes}")
