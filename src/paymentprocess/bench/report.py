"""Benchmark reports: rich tables on the console, `bench-report.md` and `bench-report.json`.

A `BenchReport` collects what one benchmark measured: its figure tables, the goals it checks
(target, measured value, holds or not), notes saying how a figure was obtained (scaled, sampled,
on a subset), the machine, the load average at start and end, the versions and the data size.
`write_reports(report, out_dir)` merges it into `bench-report.json` under the benchmark's name
(so `bench run`, `bench query` and `bench intake` written to one directory make one report) and
renders the whole JSON as Markdown in `bench-report.md`. Nothing else is written.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from paymentprocess.bench.machine import load_average, machine_info

JSON_NAME = "bench-report.json"
MD_NAME = "bench-report.md"
Cell = str | int | float | None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class FigureTable:
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)

    def add(self, *cells: Cell) -> None:
        self.rows.append(list(cells))


@dataclass
class Goal:
    goal: str
    target: str
    measured: str
    holds: bool | None  # None: not measured in this run


@dataclass
class BenchReport:
    name: str
    data: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    tables: list[FigureTable] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # preformatted blocks (query plans)
    raw: dict[str, Any] = field(default_factory=dict)
    machine: dict[str, Any] = field(default_factory=machine_info)
    started_at: str = field(default_factory=_now)
    finished_at: str = ""
    load_start: list[float] = field(default_factory=load_average)
    load_end: list[float] = field(default_factory=list)

    def table(self, title: str, *columns: str) -> FigureTable:
        table = FigureTable(title, list(columns))
        self.tables.append(table)
        return table

    def goal(self, goal: str, target: str, measured: str, holds: bool | None) -> None:
        self.goals.append(Goal(goal, target, measured, holds))

    def finish(self) -> None:
        self.finished_at = _now()
        self.load_end = load_average()


def _cell(value: Cell) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return value


def _holds(holds: bool | None) -> str:
    return {True: "yes", False: "NO", None: "not measured"}[holds]


def print_report(report: BenchReport, console: Console) -> None:
    console.print(
        f"[bold]bench {report.name}[/bold] — load average {report.load_start} → "
        f"{report.load_end}; {report.machine['logical_cores']} cores, "
        f"{report.machine['memory_gb']} GB, {report.machine['cpu_model']}"
    )
    for fig in report.tables:
        table = Table(title=fig.title, title_justify="left")
        for n, column in enumerate(fig.columns):
            table.add_column(column, justify="left" if n == 0 else "right", overflow="fold")
        for row in fig.rows:
            table.add_row(*(_cell(c) for c in row))
        console.print(table)
    if report.goals:
        table = Table(title="Goals", title_justify="left")
        for column in ("goal", "target", "measured", "holds"):
            table.add_column(column, overflow="fold")
        for g in report.goals:
            style = {True: "green", False: "red", None: "yellow"}[g.holds]
            table.add_row(g.goal, g.target, g.measured, f"[{style}]{_holds(g.holds)}[/{style}]")
        console.print(table)
    for title, text in report.texts.items():
        console.print(f"[bold]{title}[/bold]")
        console.print(text, highlight=False, markup=False, soft_wrap=True)
    for note in report.notes:
        console.print(f"• {note}", highlight=False)


def write_reports(report: BenchReport, out_dir: Path) -> tuple[Path, Path]:
    """Merge `report` into DIR/bench-report.json and re-render DIR/bench-report.md."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / JSON_NAME, out_dir / MD_NAME
    merged: dict[str, Any] = {"benchmarks": {}}
    if json_path.exists():
        try:
            loaded = json.loads(json_path.read_text(encoding="utf-8"))
            if isinstance(loaded, dict) and isinstance(loaded.get("benchmarks"), dict):
                merged = loaded
        except (OSError, ValueError):
            pass
    merged["benchmarks"][report.name] = asdict(report)
    merged["updated_at"] = _now()
    _atomic_write(json_path, json.dumps(merged, indent=2, default=str) + "\n")
    _atomic_write(md_path, render_markdown(merged))
    return json_path, md_path


def _atomic_write(path: Path, content: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(content, encoding="utf-8")
    tmp.replace(path)


def _md_table(columns: list[str], rows: list[list[Cell]]) -> list[str]:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return [*lines, ""]


def render_markdown(merged: dict[str, Any]) -> str:
    out = ["# paymentprocess benchmark report", "", f"Updated {merged.get('updated_at')}.", ""]
    for name, rep in merged["benchmarks"].items():
        m = rep["machine"]
        out += [
            f"## bench {name}",
            "",
            f"- run: {rep['started_at']} → {rep['finished_at']}",
            f"- load average (1/5/15 min): {rep['load_start']} at start, {rep['load_end']} at end",
            f"- machine: {m['cpu_model']}, {m['logical_cores']} logical / "
            f"{m['physical_cores']} physical cores, {m['memory_gb']} GB, {m['platform']}",
            "- versions: " + ", ".join(f"{k} {v}" for k, v in rep["versions"].items()),
            "- data: " + ", ".join(f"{k} {_cell(v)}" for k, v in rep["data"].items()),
            "",
        ]
        for fig in rep["tables"]:
            out += [f"### {fig['title']}", "", *_md_table(fig["columns"], fig["rows"])]
        if rep["goals"]:
            rows: list[list[Cell]] = [
                [g["goal"], g["target"], g["measured"], _holds(g["holds"])] for g in rep["goals"]
            ]
            out += ["### Goals", "", *_md_table(["goal", "target", "measured", "holds"], rows)]
        for title, text in rep.get("texts", {}).items():
            out += [f"### {title}", "", "```", text, "```", ""]
        if rep["notes"]:
            out += ["### Notes", "", *(f"- {n}" for n in rep["notes"]), ""]
    return "\n".join(out)
