"""The console over HTTP on both databases, as the zero-setup demo (no users: the LOCAL
principal): a generated cycle, a Dry Run started from the page (a background job), every page
rendered with the run's real numbers, the run report (HTML and PDF) equal to the stats document
to the cent, the Final Run, Dry Run against Final Run, the next cycle against this one — and no
page or static asset names another host."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import typer
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from tests.integration.console_support import (
    by_testid,
    console_client,
    csrf_of,
    flat_counts,
    pdf_text,
    post,
    report_cells,
    wait_for_job,
)
from typer.testing import CliRunner

from paymentprocess.cli import cmd_report
from paymentprocess.cli import main as cli_main
from paymentprocess.domain.payee_result import TOTAL_NAMES
from paymentprocess.service.events import create_event
from paymentprocess.service.review.findings import finding_page
from paymentprocess.service.review.payee import payee_detail
from paymentprocess.service.runs import run_payment_event
from paymentprocess.storage import tables as t
from paymentprocess.synth.cycle import generate_cycle

OTHER_HOST = re.compile(r"(?:https?:)?//(?!testserver)[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def _stats(engine: Engine, run_id: int) -> dict[str, Any]:
    st = t.payment_event_stats
    with engine.connect() as conn:
        return dict(conn.execute(select(st.c.document).where(st.c.run_id == run_id)).scalar_one())


def _check_report(client: TestClient, event: str, run_id: int, document: dict[str, Any]) -> None:
    html = client.get(f"/console/events/{event}/runs/{run_id}/report.html")
    assert html.status_code == 200
    assert "attachment" in html.headers["content-disposition"]
    check_report_html(html.text, document)
    pdf = client.get(f"/console/events/{event}/runs/{run_id}/report.pdf")
    assert pdf.status_code == 200
    check_report_pdf(pdf.content, document)


def check_report_html(html: str, document: dict[str, Any]) -> None:
    """The report's totals, counts and findings are the stats document's, to the cent."""
    assert report_cells(html, "data-total") == {n: document["totals"][n] for n in TOTAL_NAMES}
    assert report_cells(html, "data-count") == flat_counts(document)
    found = report_cells(html, "data-finding-count")
    assert found == {f["code"]: str(f["count"]) for f in document["findings"]}
    assert 'data-holds="yes"' in html
    assert not OTHER_HOST.search(html)
    assert "<link" not in html
    assert "<script" not in html  # self-contained, nothing to fetch or run


def check_report_pdf(content: bytes, document: dict[str, Any]) -> None:
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    for name in TOTAL_NAMES:
        label = name.replace("_", " ")
        assert re.search(rf"{label}\s+{re.escape(document['totals'][name])}\b", text), name
    assert re.search(rf"claims\s+{document['counts']['claims']}\b", text)
    for kind, n in document["counts"]["payees"].items():
        assert re.search(rf"payees {kind}\s+{n}\b", text), kind
    for outcome, n in document["counts"]["by_outcome"].items():
        assert re.search(rf"claims {outcome}\s+{n}\b", text), outcome


def _check_cli_report(db_uri: str, run_id: int, document: dict[str, Any], tmp: Path) -> None:
    app = typer.Typer(pretty_exceptions_enable=False)
    app.callback()(cli_main.main)
    cmd_report.register(app)
    for suffix in ("html", "pdf"):
        out = tmp / f"report.{suffix}"
        args = ["--db-uri", db_uri, "report", "-p", "PE-C", "--run", str(run_id), "--out", str(out)]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        assert f"run {run_id} (final, Completed)" in result.output
    check_report_html((tmp / "report.html").read_text(encoding="utf-8"), document)
    check_report_pdf((tmp / "report.pdf").read_bytes(), document)
    bad = CliRunner().invoke(app, ["--db-uri", db_uri, "report", "-p", "PE-C", "--out", "x.txt"])
    assert bad.exit_code != 0


def test_the_console_reviews_a_cycle_from_dry_run_to_final(
    db_uri: str, engine: Engine, tmp_path: Path
) -> None:
    generate_cycle(engine, claims=200, seed=4, event_id="PE-C")
    pages: list[str] = []
    with console_client(db_uri, engine, output_dir=tmp_path / "out") as client:
        listing = client.get("/console")
        pages.append(listing.text)
        assert listing.status_code == 200
        assert 'href="/console/events/PE-C"' in listing.text
        assert "PE-C" in client.get("/console?stage=New").text
        assert 'href="/console/events/PE-C"' not in client.get("/console?stage=Final").text
        assert 'href="/console/events/PE-C"' not in client.get("/console?due_from=2100-01-01").text
        before = client.get("/console/events/PE-C")
        assert by_testid(before.text, "stage-badge") == "New"
        assert 'data-testid="no-run"' in before.text

        started = post(client, "/console/events/PE-C/dry-run", csrf_of(before.text))
        assert started.status_code == 303
        progress = client.get(started.headers["location"])
        assert 'data-testid="job-progress"' in progress.text
        job = wait_for_job(engine, "PE-C", started.headers["location"])
        assert (job["state"], job["exit_code"]) == ("done", 0)
        fragment = client.get(
            f"/console/events/PE-C/jobs/{job['job_id']}", headers={"HX-Request": "true"}
        )
        assert fragment.headers["HX-Redirect"] == f"/console/events/PE-C?done={job['job_id']}"
        assert fragment.text.lstrip().startswith('<div id="job"')
        whole = client.get(f"/console/events/PE-C/jobs/{job['job_id']}")
        assert whole.text.startswith("<!doctype html>")
        assert 'data-state="done"' in whole.text

        dry = _stats(engine, job["run_id"])
        page = client.get(f"/console/events/PE-C?done={job['job_id']}").text
        pages.append(page)
        assert by_testid(page, "stage-badge") == "DryRun"
        for name, value in dry["totals"].items():
            assert by_testid(page, f"total-{name}") == value
        assert by_testid(page, "count-claims") == str(dry["counts"]["claims"])
        for finding in dry["findings"]:
            assert f'data-testid="finding-{finding["code"]}"' in page
        for chart in ("chart-net-pay", "chart-findings", "chart-money-flow"):
            assert f'<svg id="{chart}"' in page
            assert f'data-testid="{chart}-table"' in page
        assert 'data-testid="action-final-run"' in page  # no users: no approval needed
        assert 'data-testid="action-request-final"' not in page

        for finding in dry["findings"]:
            shown = client.get("/console/events/PE-C/findings", params={"code": finding["code"]})
            assert shown.status_code == 200, finding["code"]
            pages.append(shown.text)
            for claim_id in finding["sample_ids"][:10]:
                if claim_id.startswith("C"):
                    assert f'<th scope="row">{claim_id}</th>' in shown.text
        assert client.get("/console/events/PE-C/findings?code=NOPE").status_code == 404
        _page_through_a_finding(engine, dry)

        _walk_payees(client, dry, pages)
        _check_report(client, "PE-C", job["run_id"], dry)

        final = post(client, "/console/events/PE-C/final-run", csrf_of(page))
        final_job = wait_for_job(engine, "PE-C", final.headers["location"])
        assert (final_job["state"], final_job["exit_code"]) == ("done", 0)
        page = client.get("/console/events/PE-C").text
        pages.append(page)
        assert by_testid(page, "stage-badge") == "Final"
        assert 'data-testid="dry-final"' in page
        assert 'data-testid="backups"' in page
        assert 'data-testid="action-dry-run"' not in page
        document = _stats(engine, final_job["run_id"])
        assert by_testid(page, "total-paid") == document["totals"]["paid"]
        _check_report(client, "PE-C", final_job["run_id"], document)
        _check_cli_report(db_uri, final_job["run_id"], document, tmp_path)
        issued = client.post("/payment-events/PE-C/outputs", json={"fhir": False})
        assert issued.status_code == 200
        outputs = client.get("/console/events/PE-C").text
        table = outputs[outputs.index('data-testid="outputs"') :]
        for file in issued.json():
            assert f'<th scope="row">{file["file_name"]}</th>' in table
            assert f'<code class="hash">{file["sha256"]}</code>' in table
        listed = client.get("/console?stage=Final").text
        row = listed[listed.index('href="/console/events/PE-C"') :]
        assert f'<td class="num">{document["totals"]["paid"]}</td>' in row.split("</tr>")[0]

        _next_cycle(client, engine, document, pages)
        for asset in ("console.css", "htmx.min.js", "htmx.LICENSE"):
            static = client.get(f"/console/static/{asset}")
            assert static.status_code == 200
            pages.append(static.text)
    for text in pages:
        assert not OTHER_HOST.search(text), OTHER_HOST.search(text)
        assert not re.search(r"https?://", text)


def _page_through_a_finding(engine: Engine, dry: dict[str, Any]) -> None:
    """Keyset pages of one claim each visit every sample claim of a finding once, in id order."""
    finding = max(dry["findings"], key=lambda f: len([i for i in f["sample_ids"] if i[0] == "C"]))
    claims = sorted(i for i in finding["sample_ids"] if i.startswith("C"))
    assert len(claims) >= 2
    seen: list[str] = []
    after = None
    while True:
        page = finding_page(engine, "PE-C", dry, finding["code"], after=after, limit=1)
        seen += [c["claim_core_id"] for c in page.claims]
        if page.next_after is None:
            break
        after = page.next_after
    assert seen == claims


def _page_through_claims(client: TestClient, ref: str) -> None:
    """A payee's claims in keyset pages of two are its claims of the Dry Run, each once."""
    engine = client.app.state.engine  # type: ignore[attr-defined]
    r = t.claim_ws_result
    with engine.connect() as conn:
        key = conn.execute(
            select(r.c.payee_key).where(r.c.payment_center_id == int(ref)).limit(1)
        ).scalar_one()
        expected = sorted(conn.scalars(select(r.c.claim_core_id).where(r.c.payee_key == key)))
    seen: list[str] = []
    after = None
    while True:
        page = payee_detail(engine, "PE-C", ref, sensitive=True, after=after, limit=2)
        seen += [c["claim_core_id"] for c in page["claims"]]
        if page["claims_after"] is None:
            break
        after = page["claims_after"]
    assert seen == expected
    if len(expected) > 2:
        html = client.get(f"/console/events/PE-C/payees/{ref}?after={expected[1]}").text
        assert f'<th scope="row">{expected[2]}</th>' in html
        assert f'<th scope="row">{expected[1]}</th>' not in html


def _walk_payees(client: TestClient, dry: dict[str, Any], pages: list[str]) -> None:
    """Every payee once, sorted by net pay ascending, in keyset pages of 25; then the page of the
    first payee (its claims and payments)."""
    seen: list[str] = []
    url = "/console/events/PE-C/payees?sort=net_pay&order=asc"
    while url:
        answer = client.get(url)
        assert answer.status_code == 200
        pages.append(answer.text)
        seen += re.findall(
            r'<th scope="row"><a href="/console/events/PE-C/payees/([^"]+)"', answer.text
        )
        nxt = re.search(r'data-testid="payees-next"', answer.text)
        url = (
            re.search(r'href="([^"]+)" hx-get', answer.text).group(1).replace("&amp;", "&")
            if nxt
            else ""
        )
    assert len(seen) == len(set(seen)) == dry["counts"]["payees"]["total"]
    net = {
        str(p["payment_center_id"]): p["net_pay"] for p in dry["payees"] if p["payment_center_id"]
    }
    shown_old = [net[s] for s in seen if s in net]
    assert [float(v) for v in shown_old] == sorted(float(v) for v in shown_old)
    partial = client.get(
        "/console/events/PE-C/payees?flag=NEW",
        headers={"HX-Request": "true", "HX-Target": "payees"},
    )
    assert partial.text.lstrip().startswith('<div id="payees"')
    assert (
        len(re.findall(r'data-testid="payee-row"', partial.text)) == dry["counts"]["payees"]["new"]
    )
    held = client.get("/console/events/PE-C/payees?held=true").text
    assert len(re.findall(r'data-testid="payee-row"', held)) == dry["counts"]["payees"]["held"]
    first = next(p for p in dry["payees"] if p["payment_center_id"])
    payee = client.get(f"/console/events/PE-C/payees/{first['payment_center_id']}")
    assert payee.status_code == 200
    assert by_testid(payee.text, "payee-net_pay") == first["net_pay"]
    pages.append(payee.text)
    _page_through_claims(client, str(first["payment_center_id"]))
    assert client.get("/console/events/PE-C/payees?cursor=forged").status_code == 400
    assert client.get("/console/events/PE-C/payees?sort=member_id").status_code == 400
    assert client.get("/console/events/PE-C/payees?flag=OLDER").status_code == 400
    assert client.get("/console/events/PE-C/payees/new-0000").status_code == 404


def _next_cycle(
    client: TestClient, engine: Engine, previous: dict[str, Any], pages: list[str]
) -> None:
    with engine.connect() as conn:
        ev = conn.execute(
            select(t.payment_event).where(t.payment_event.c.payment_event_id == "PE-C")
        ).one()
    create_event(
        engine,
        payment_event_id="PE-C2",
        event_type="Provider",
        payment_due_date=ev.payment_due_date + dt.timedelta(days=30),
        business_id=ev.business_id,
        funding_source_id=ev.funding_source_id,
        inclusion_criteria_id=ev.inclusion_criteria_id,
    )
    assert run_payment_event(engine, "PE-C2", "dry-run").exit_code == 0
    page = client.get("/console/events/PE-C2").text
    pages.append(page)
    assert '<svg id="chart-compare"' in page
    table = page[page.index('data-testid="cycle-diff"') :]
    paid_row = re.search(
        r"<th scope=\"row\">paid</th><td class=\"num\">([^<]*)</td><td class=\"num\">([^<]*)</td>",
        table,
    )
    assert paid_row is not None
    assert paid_row.group(2) == previous["totals"]["paid"]
