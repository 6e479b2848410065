"""The run report: one self-contained HTML file (styles and SVG inline, nothing fetched) and a
PDF of the same numbers, for sign-off and audit.

It holds the run's totals and counts exactly as its PaymentEventStats document has them (the
same strings: the report never recomputes an amount), its findings, the charts, the approval
state and audit trail of the event (service.approvals, service.audit), the SPEC §5 invariant
checked again over the document's payee rows, and the claims fingerprint of the event's last Dry
Run. HTML cells carry `data-total` / `data-count` attributes so a test (or an auditor's script)
can read the numbers back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import Engine, select

from paymentprocess import __version__
from paymentprocess.domain.money import format_cents, parse_cents
from paymentprocess.domain.payee_result import TOTAL_NAMES, label
from paymentprocess.errors import NotFoundError
from paymentprocess.service import approvals, audit
from paymentprocess.service.review.charts import Chart
from paymentprocess.service.review.compare import previous_cycle
from paymentprocess.service.review.events import latest_run_id, run_document
from paymentprocess.service.review.findings import SeverityGroup, grouped
from paymentprocess.service.review.pictures import run_charts
from paymentprocess.storage import tables as t
from paymentprocess.storage.database import unit_of_work, utcnow


@dataclass(frozen=True)
class InvariantCheck:
    holds: bool
    payees: int
    failing: list[str]
    left_cents: int  # Σ claims_net + interest + carried_in
    right_cents: int  # Σ net_pay + held + offsets − new_overpayment


def invariant_check(document: dict[str, Any]) -> InvariantCheck:
    """SPEC §5 over the document's payee rows: claims_net + interest + carried_in = net_pay +
    held + offsets − new_overpayment, per payee and in total."""
    failing, left_sum, right_sum = [], 0, 0
    for p in document.get("payees", []):
        v = {
            k: parse_cents(p[k])
            for k in (
                "claims_net",
                "interest",
                "carried_in",
                "net_pay",
                "held",
                "offsets",
                "new_overpayment",
            )
        }
        left = v["claims_net"] + v["interest"] + v["carried_in"]
        right = v["net_pay"] + v["held"] + v["offsets"] - v["new_overpayment"]
        left_sum, right_sum = left_sum + left, right_sum + right
        if left != right:
            failing.append(str(p.get("payment_center_id") or p.get("key")))
    return InvariantCheck(
        not failing and left_sum == right_sum,
        len(document.get("payees", [])),
        failing[:20],
        left_sum,
        right_sum,
    )


@dataclass
class Report:
    event: dict[str, Any]
    run: dict[str, Any]
    totals: list[tuple[str, str, str]]  # (key, label, amount text as in the stats document)
    counts: list[tuple[str, str, int]]  # (key, label, count)
    findings: list[SeverityGroup]
    charts: list[Chart]
    invariant: InvariantCheck
    fingerprint: str | None
    approval: approvals.ApprovalState | None
    trail: list[audit.AuditEntry]
    generated_at: Any
    version: str = __version__
    timings: list[tuple[str, int]] = field(default_factory=list)

    @property
    def file_stem(self) -> str:
        event = re.sub(r"[^A-Za-z0-9._-]", "_", str(self.event["payment_event_id"]))
        return f"run-report-{event}-{self.run['run_id']}"


def count_rows(document: dict[str, Any]) -> list[tuple[str, str, int]]:
    """Every count of the document, flattened: claims, claims by outcome and frequency code,
    payees by kind (keys like `by_outcome.paid`, `payees.total`)."""
    counts = document.get("counts", {})
    rows: list[tuple[str, str, int]] = [("claims", "claims", int(counts.get("claims", 0)))]
    for outcome, n in counts.get("by_outcome", {}).items():
        rows.append((f"by_outcome.{outcome}", f"claims {outcome}", int(n)))
    for code, n in counts.get("by_frequency_code", {}).items():
        rows.append(
            (f"by_frequency_code.{code}", f"claims of frequency code {code or '(none)'}", int(n))
        )
    for kind, n in counts.get("payees", {}).items():
        rows.append((f"payees.{kind}", f"payees {kind}", int(n)))
    return rows


def build_report(engine: Engine, event_id: str, run_id: int | None = None) -> Report:
    """The report of run `run_id` (default: the event's latest run)."""
    run_id = latest_run_id(engine, event_id) if run_id is None else run_id
    document = run_document(engine, event_id, run_id)
    ev = t.payment_event
    with unit_of_work(engine, write=False) as uow:
        event = (
            uow.conn.execute(select(ev).where(ev.c.payment_event_id == event_id)).mappings().first()
        )
    if event is None:
        raise NotFoundError(f"payment event {event_id!r} does not exist")
    totals_doc = document.get("totals", {})
    totals = [(n, label(n), str(totals_doc[n])) for n in TOTAL_NAMES if n in totals_doc]
    run = {
        k: document.get(k)
        for k in ("run_id", "mode", "status", "started_at", "finished_at", "started_by", "error")
    }
    return Report(
        event={k: v for k, v in event.items() if k != "extra"},
        run=run,
        totals=totals,
        counts=count_rows(document),
        findings=grouped(document),
        charts=run_charts(document, event_id, previous_cycle(engine, event_id)),
        invariant=invariant_check(document),
        fingerprint=event["claims_fingerprint"],
        approval=approvals.approval_state(engine, event_id),
        trail=list(reversed(audit.entries(engine, event_id=event_id))),
        generated_at=utcnow(),
        timings=[(k, int(v)) for k, v in document.get("timings_ms", {}).items()],
    )


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("paymentprocess.service.review", "templates"),
        autoescape=select_autoescape(("html", "j2")),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cents"] = format_cents
    return env


def render_html(report: Report) -> str:
    return _environment().get_template("report.html.j2").render(r=report)


def render_pdf(report: Report) -> bytes:
    from paymentprocess.service.review.report_pdf import pdf_bytes

    return pdf_bytes(report)
