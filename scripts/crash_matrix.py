"""Run the crash matrix of tests/reliability and summarise it per database.

    uv run python scripts/crash_matrix.py                 # every kill point, both databases
    uv run python scripts/crash_matrix.py --ci --seed 3   # the CI sample of seed 3
    uv run python scripts/crash_matrix.py --random-kills 20 --workers 2

Runs `pytest tests/reliability -k crash` with PAYMENT_CRASH_FULL=1 (unless --ci), then prints
a Markdown table: Final Run checkpoint kills survived of tried, random-timing kills (and where
they landed), load kills and intake crashes, per database. The exit code is pytest's.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _kind(name: str) -> str:
    if "test_restore_killed" in name:
        return "restore kills"
    if "test_crash_at_a_checkpoint" in name:
        return "dry-run checkpoints" if "-dry-run-" in name else "Final Run checkpoints"
    if "random_moments" in name:
        return "Final Run random kills"
    if "load" in name:
        return "load kills"
    if "intake" in name:
        return "intake crash"
    return "other"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ci", action="store_true", help="the rotating CI sample, not every point")
    parser.add_argument("--seed", type=int, help="PAYMENT_CRASH_SEED (default: today's day number)")
    parser.add_argument("--random-kills", type=int, help="random-timing kills per database")
    parser.add_argument("--workers", type=int, default=2, help="pytest-xdist workers (default 2)")
    args = parser.parse_args(argv)

    env = dict(os.environ)
    if not args.ci:
        env["PAYMENT_CRASH_FULL"] = "1"
    if args.seed is not None:
        env["PAYMENT_CRASH_SEED"] = str(args.seed)
    if args.random_kills is not None:
        env["PAYMENT_CRASH_RANDOM_KILLS"] = str(args.random_kills)
    with tempfile.TemporaryDirectory(prefix="crash-matrix-") as tmp:
        report = Path(tmp) / "junit.xml"
        command = [
            sys.executable, "-m", "pytest", "tests/reliability", "-k", "crash", "-q",
            "-p", "no:cacheprovider", "-n", str(args.workers), f"--junitxml={report}",
            "-o", "junit_logging=system-out",
        ]  # fmt: skip
        code = subprocess.run(command, cwd=ROOT, env=env, check=False).returncode  # noqa: S603
        if not report.exists():
            return code
        tried: dict[tuple[str, str], int] = defaultdict(int)
        survived: dict[tuple[str, str], int] = defaultdict(int)
        notes: dict[tuple[str, str], list[str]] = defaultdict(list)
        for case in ET.parse(report).getroot().iter("testcase"):  # noqa: S314 - pytest's own file
            name = case.get("name", "")
            database = "postgresql" if "postgresql" in name else "sqlite"
            key = (_kind(name), database)
            failed = any(case.find(tag) is not None for tag in ("failure", "error"))
            out = case.findtext("system-out") or ""
            found = re.findall(r"(?:random kills landed|killed:|intake crash:).*", out)
            notes[key] += found
            # a test of several kills prints where they landed: count the kills, not the test
            landed = [ast.literal_eval(m) for f in found for m in re.findall(r"\{[^}]*\}", f)]
            kills = sum(sum(d.values()) for d in landed) or 1
            tried[key] += kills
            survived[key] += 0 if failed else kills
    print("\n| what | database | survived / tried | notes |\n| --- | --- | --- | --- |")
    for key in sorted(tried):
        note = "; ".join(notes[key])[:300]
        print(f"| {key[0]} | {key[1]} | {survived[key]} / {tried[key]} | {note} |")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
