"""Each setting of the README's table does what its help says, seen from outside the program:
`--batch-size` / PAYMENT_BATCH_SIZE set the rows per bulk write call, `--config-path` /
PAYMENT_CONFIG_PATH supply settings, PAYMENT_MAX_WORKERS is the number of `serve` worker
processes; `run --workers` and PAYMENT_SEQ_CHUNK_SIZE, which nothing uses, say so on stderr;
`--resume` changes nothing (both databases where a database is involved)."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
from sqlalchemy import Engine
from tests.golden import builders as b
from tests.integration.test_api_serve import _free_port

from paymentprocess.io.load import load_documents


def _cli(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PAYMENT_")}
    return subprocess.run(
        [sys.executable, "-m", "paymentprocess", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=cwd,
        env={**clean, **env},
    )


def _docs() -> dict[str, list[dict[str, Any]]]:
    d = b.cycle(minimum="5.00")
    d["PaymentCenter"] = [b.payee(7)]
    d["ClaimFinCore"] = [
        b.claim(f"C{i}", b.line("10.00"), tax=tax, npi=npi)
        for i, (tax, npi) in enumerate(
            [(b.TIN_A, b.NPI_A)] * 3 + [(b.TIN_B, b.NPI_B)] * 2 + [(b.TIN_C, b.NPI_C)] * 2
        )
    ]
    return d


def _bulk_writes(stderr: str) -> dict[str, tuple[int, int]]:
    """{table: (rows, batches)} from the run's `bulk_write` debug log lines (JSON on stderr)."""
    found = {}
    for line in stderr.splitlines():
        if line.startswith("{") and '"bulk_write"' in line:
            event = json.loads(line)
            found[event["table"]] = (event["rows"], event["batches"])
    return found


def test_batch_size_sets_the_rows_per_write_call(
    engine: Engine, db_uri: str, tmp_path: Path
) -> None:
    load_documents(engine, _docs())
    run = ("--db-uri", db_uri, "--log-level", "DEBUG", "run", "-m", "dry-run", "-p", "PE-1")
    by_option = _cli(*run, "--batch-size", "2", "--json", cwd=tmp_path)
    assert by_option.returncode == 0, by_option.stderr
    writes = _bulk_writes(by_option.stderr)
    # 7 claims, 3 payees: the copy of the claims, their estimates and the payee results
    assert writes["claim_ws_result"] == (7, 4)  # ceil(7 / 2)
    assert writes["payment_event_ws_payee"] == (3, 2)  # ceil(3 / 2)
    assert all(batches == math.ceil(rows / 2) for rows, batches in writes.values()), writes
    by_env = _cli(*run, "--json", cwd=tmp_path, PAYMENT_BATCH_SIZE="3")
    assert by_env.returncode == 0, by_env.stderr
    writes = _bulk_writes(by_env.stderr)
    assert writes["claim_ws_result"] == (7, 3)  # ceil(7 / 3)
    assert all(batches == math.ceil(rows / 3) for rows, batches in writes.values()), writes
    default = _cli(*run, "--json", cwd=tmp_path)
    assert set(_bulk_writes(default.stderr).values()) <= {(7, 1), (3, 1), (1, 1)}
    # the batches change nothing in the result
    for done in (by_option, by_env):
        assert json.loads(done.stdout)["totals"] == json.loads(default.stdout)["totals"]
    assert json.loads(default.stdout)["totals"]["paid"] == "70.00"


def _partition_reads(stderr: str) -> list[tuple[int, int, int]]:
    """(partition, partitions, claims) of each `partition_read` debug log line."""
    return [
        (event["partition"], event["partitions"], event["claims"])
        for event in (json.loads(line) for line in stderr.splitlines() if line.startswith("{"))
        if event.get("event") == "partition_read"
    ]


def test_partitions_read_the_cycle_in_parts_with_the_same_results(
    engine: Engine, db_uri: str, tmp_path: Path
) -> None:
    load_documents(engine, _docs())
    run = ("--db-uri", db_uri, "--log-level", "DEBUG", "run", "-m", "dry-run", "-p", "PE-1")
    whole = _cli(*run, "--json", cwd=tmp_path)
    assert whole.returncode == 0, whole.stderr
    assert _partition_reads(whole.stderr) == []  # one partition: the cycle is read whole
    by_option = _cli(*run, "--partitions", "3", "--json", cwd=tmp_path)
    assert by_option.returncode == 0, by_option.stderr
    reads = _partition_reads(by_option.stderr)
    assert [(k, n) for k, n, _ in reads] == [(0, 3), (1, 3), (2, 3)]
    assert sum(claims for *_, claims in reads) == 7  # each claim read once
    by_env = _cli(*run, "--json", cwd=tmp_path, PAYMENT_PARTITIONS="2")
    assert [(k, n) for k, n, _ in _partition_reads(by_env.stderr)] == [(0, 2), (1, 2)]
    for done in (by_option, by_env):
        split, full = json.loads(done.stdout), json.loads(whole.stdout)
        for part in ("totals", "counts", "payees", "findings"):
            assert split[part] == full[part], part
    # unset: as few as the budget allows (7 claims at ~2.4 KB each do not fit in 10 KB)
    by_budget = _cli(*run, "--json", cwd=tmp_path, PAYMENT_MEMORY_BUDGET="10KB")
    assert by_budget.returncode == 0, by_budget.stderr
    assert [(k, n) for k, n, _ in _partition_reads(by_budget.stderr)] == [(0, 2), (1, 2)]
    assert json.loads(by_budget.stdout)["totals"] == json.loads(whole.stdout)["totals"]
    bad = _cli(*run, cwd=tmp_path, PAYMENT_MEMORY_BUDGET="lots")
    assert bad.returncode == 1  # a bad setting, named with what a size looks like
    assert "PAYMENT_MEMORY_BUDGET" in bad.stderr
    assert "4GB" in bad.stderr
    refused = _cli(*run, "--partitions", "0", cwd=tmp_path)
    assert refused.returncode == 2
    assert "--partitions" in refused.stderr


def test_config_path_file_supplies_settings_below_the_environment(
    engine: Engine, db_uri: str, tmp_path: Path
) -> None:
    load_documents(engine, _docs())
    config = tmp_path / "payments.toml"
    config.write_text(f'db_uri = "{db_uri}"\nbatch_size = 4\nlog_level = "debug"\n')
    by_option = _cli(
        "run", "-m", "dry-run", "-p", "PE-1", "--config-path", str(config), "--json", cwd=tmp_path
    )
    assert by_option.returncode == 0, by_option.stderr
    assert json.loads(by_option.stdout)["counts"]["claims"] == 7  # the file's database
    assert _bulk_writes(by_option.stderr)["claim_ws_result"] == (7, 2)  # the file's batch size
    by_env = _cli(
        "run", "-m", "dry-run", "-p", "PE-1", "--json",
        cwd=tmp_path, PAYMENT_CONFIG_PATH=str(config), PAYMENT_BATCH_SIZE="7",
    )  # fmt: skip
    assert by_env.returncode == 0, by_env.stderr
    assert _bulk_writes(by_env.stderr)["claim_ws_result"] == (7, 1)  # the environment wins


def test_a_bad_config_file_stops_the_run_naming_file_and_key(tmp_path: Path) -> None:
    config = tmp_path / "payments.toml"
    config.write_text("batch_size = -3\n")
    done = _cli(
        "run", "-m", "dry-run", "-p", "PE-1", "--config-path", str(config), cwd=tmp_path,
        COLUMNS="1000",  # one line: where a narrower terminal wraps depends on the temp path
    )  # fmt: skip
    assert done.returncode == 1
    assert f"{config}: key 'batch_size': Input should be greater than or equal to 1" in (
        done.stderr
    )
    assert done.stdout == ""
    assert not (tmp_path / "paymentprocess.db").exists()  # stopped before opening a database


def test_unused_options_say_so_on_stderr_and_resume_changes_nothing(
    engine: Engine, db_uri: str, tmp_path: Path
) -> None:
    load_documents(engine, _docs())
    run = ("--db-uri", db_uri, "run", "-m", "dry-run", "-p", "PE-1", "--json")
    plain = _cli(*run, cwd=tmp_path)
    warned = _cli(*run, "--workers", "4", "--resume", cwd=tmp_path, PAYMENT_SEQ_CHUNK_SIZE="5000")
    assert (plain.returncode, warned.returncode) == (0, 0), warned.stderr
    text = " ".join(warned.stderr.split())
    assert "warning: --workers 4 is ignored: a run is one process of vectorized Polars" in text
    assert "warning: PAYMENT_SEQ_CHUNK_SIZE is not used: a run takes exactly the sequence" in text
    assert "warning" not in plain.stderr
    first, second = json.loads(plain.stdout), json.loads(warned.stdout)
    assert (first["totals"], first["counts"]) == (second["totals"], second["counts"])
    helped = _cli("run", "--help", cwd=tmp_path, COLUMNS="200")
    assert "--workers" not in helped.stdout  # hidden: it means nothing for a run
    assert "changes nothing" in helped.stdout  # --resume says what it does


@pytest.mark.slow
def test_max_workers_is_the_number_of_serve_worker_processes(tmp_path: Path) -> None:
    port = _free_port()
    db = f"sqlite:///{tmp_path / 'serve.db'}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "paymentprocess", "--db-uri", db, "--log-level", "WARNING",
         "serve", "--port", str(port)],
        env={**os.environ, "PAYMENT_MAX_WORKERS": "3", "PAYMENT_API_KEYS": ""},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )  # fmt: skip
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if client.get("/health").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
                assert time.monotonic() < deadline, "the server did not answer"
                time.sleep(0.2)
        # uvicorn starts every worker process before any of them serves a request
        workers = [  # uvicorn's workers: spawned processes (not multiprocessing's resource tracker)
            p for p in psutil.Process(proc.pid).children() if "spawn_main" in " ".join(p.cmdline())
        ]
        assert len(workers) == 3
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
