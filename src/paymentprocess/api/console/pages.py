"""The console's pages (GET): events, one event, a finding's claims and payees, the payees
table, one payee, a run job's progress, and the run reports. Each asks `allowed(viewer, READ)`
first (the service layer's check) and masks identities unless the principal has READ_SENSITIVE.
No URL carries PHI: payees are named by `payee_ref`, pages by sealed cursors or claim ids."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from paymentprocess.api.console.render import page
from paymentprocess.api.console.session import CONSOLE, ConsoleError, Viewer, ViewerDep, allowed
from paymentprocess.domain.roles import Action
from paymentprocess.errors import NotFoundError
from paymentprocess.service import approvals, audit, run_jobs
from paymentprocess.service.review import compare, findings, payees, report
from paymentprocess.service.review import payee as payee_view
from paymentprocess.service.review.cursor import InvalidCursorError
from paymentprocess.service.review.events import STAGES, event_overview, list_events
from paymentprocess.service.review.pictures import run_charts
from paymentprocess.storage.database import unit_of_work

router = APIRouter(prefix=CONSOLE, include_in_schema=False)


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ConsoleError(400, f"{text!r} is not a date (YYYY-MM-DD)") from None


@router.get("", response_class=HTMLResponse)
def events_page(
    request: Request,
    viewer: ViewerDep,
    stage: str | None = None,
    due_from: str | None = None,
    due_to: str | None = None,
) -> Response:
    allowed(viewer, Action.READ)
    if stage and stage not in STAGES:
        raise ConsoleError(400, f"stage must be one of {', '.join(STAGES)}")
    rows = list_events(
        request.app.state.engine,
        stage=stage or None,
        due_from=_date(due_from),
        due_to=_date(due_to),
    )
    filters = {"stage": stage or "", "due_from": due_from or "", "due_to": due_to or ""}
    return page(request, viewer, "events.html.j2", events=rows, stages=STAGES, filters=filters)


def _overview(request: Request, event_id: str) -> Any:
    try:
        return event_overview(request.app.state.engine, event_id)
    except NotFoundError as exc:
        raise ConsoleError(404, str(exc)) from None


def payee_query(
    sort: str = "net_pay", order: str = "desc", flag: str | None = None, held: bool = False
) -> payees.PayeeQuery:
    try:
        return payees.PayeeQuery(sort, order != "asc", flag or None, held)
    except ValueError as exc:
        raise ConsoleError(400, str(exc)) from None


def _payee_page(
    request: Request, viewer: Viewer, event_id: str, query: payees.PayeeQuery, cursor: str | None
) -> payees.PayeePage:
    try:
        return payees.payees_page(
            request.app.state.engine,
            event_id,
            query,
            cursor=cursor,
            secret=request.app.state.console_secret,
            sensitive=viewer.sensitive,
        )
    except InvalidCursorError as exc:
        raise ConsoleError(400, str(exc)) from None


@router.get("/events/{event_id}", response_class=HTMLResponse)
def event_page(
    request: Request,
    viewer: ViewerDep,
    event_id: str,
    job: Annotated[str | None, Query(max_length=64)] = None,
    done: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    allowed(viewer, Action.READ)
    engine = request.app.state.engine
    overview = _overview(request, event_id)
    previous = compare.previous_cycle(engine, event_id)
    latest = overview.latest
    finished_job = None
    if done:
        try:
            finished_job = run_jobs.read_job(engine, event_id, done)
        except NotFoundError:
            finished_job = None
    return page(
        request,
        viewer,
        "event.html.j2",
        o=overview,
        latest=latest,
        groups=findings.grouped(latest),
        charts=run_charts(latest, event_id, previous),
        previous=previous,
        cycle_diff=compare.cycle_vs_previous(latest, previous[1]) if previous else None,
        dry_final=compare.dry_vs_final(overview.dry_run, overview.final_run)
        if overview.dry_run and overview.final_run
        else None,
        invariant=report.invariant_check(latest) if latest else None,
        approval=approvals.approval_state(engine, event_id),
        approval_required=approvals.approval_required(engine),
        trail=audit.entries(engine, event_id=event_id, limit=50),
        payees=_payee_page(request, viewer, event_id, payees.PayeeQuery(limit=10), None),
        query=payees.PayeeQuery(),
        job=job,
        finished_job=finished_job,
    )


@router.get("/events/{event_id}/findings", response_class=HTMLResponse)
def findings_page(
    request: Request,
    viewer: ViewerDep,
    event_id: str,
    code: Annotated[str, Query(max_length=64)],
    after: Annotated[str | None, Query(max_length=128)] = None,
) -> Response:
    allowed(viewer, Action.READ)
    overview = _overview(request, event_id)
    found = findings.finding_page(
        request.app.state.engine, event_id, overview.latest, code, after=after
    )
    if found.finding is None:
        raise ConsoleError(404, f"the latest run of {event_id} has no finding {code!r}")
    template = "findings_rows.html.j2" if request.headers.get("hx-request") else "findings.html.j2"
    return page(request, viewer, template, o=overview, event_id=event_id, f=found, code=code)


@router.get("/events/{event_id}/payees", response_class=HTMLResponse)
def payees_page(
    request: Request,
    viewer: ViewerDep,
    event_id: str,
    sort: str = "net_pay",
    order: str = "desc",
    flag: str | None = None,
    held: bool = False,
    cursor: Annotated[str | None, Query(max_length=1024)] = None,
) -> Response:
    allowed(viewer, Action.READ)
    overview = _overview(request, event_id)
    query = payee_query(sort, order, flag, held)
    found = _payee_page(request, viewer, event_id, query, cursor)
    partial = request.headers.get("hx-request") and request.headers.get("hx-target") == "payees"
    template = "payees_table.html.j2" if partial else "payees.html.j2"
    return page(
        request,
        viewer,
        template,
        o=overview,
        event_id=event_id,
        payees=found,
        query=query,
        sorts=payees.SORTS,
    )


@router.get("/events/{event_id}/payees/{payee}", response_class=HTMLResponse)
def payee_page(
    request: Request,
    viewer: ViewerDep,
    event_id: str,
    payee: str,
    after: Annotated[str | None, Query(max_length=128)] = None,
) -> Response:
    allowed(viewer, Action.READ)
    overview = _overview(request, event_id)
    try:
        detail = payee_view.payee_detail(
            request.app.state.engine, event_id, payee, sensitive=viewer.sensitive, after=after
        )
    except NotFoundError as exc:
        raise ConsoleError(404, str(exc)) from None
    return page(request, viewer, "payee.html.j2", o=overview, event_id=event_id, p=detail)


@router.get("/events/{event_id}/jobs/{job_id}", response_class=HTMLResponse)
def job_fragment(request: Request, viewer: ViewerDep, event_id: str, job_id: str) -> Response:
    allowed(viewer, Action.READ)
    try:
        job = run_jobs.read_job(request.app.state.engine, event_id, job_id)
    except NotFoundError as exc:
        raise ConsoleError(404, str(exc)) from None
    htmx = bool(request.headers.get("hx-request"))
    template = "job.html.j2" if htmx else "job_page.html.j2"  # a whole page without htmx
    response = page(request, viewer, template, event_id=event_id, job=job)
    if job["state"] in ("done", "failed") and htmx:
        response.headers["HX-Redirect"] = f"/console/events/{event_id}?done={job_id}"
    return response


def _report(request: Request, viewer: Viewer, event_id: str, run_id: int, kind: str) -> Any:
    allowed(viewer, Action.READ)
    engine = request.app.state.engine
    try:
        built = report.build_report(engine, event_id, run_id)
    except NotFoundError as exc:
        raise ConsoleError(404, str(exc)) from None
    with unit_of_work(engine) as uow:
        audit.record(
            uow.conn,
            viewer.principal,
            "download_report",
            event_id=event_id,
            run_id=run_id,
            detail={"format": kind, "totals": {k: v for k, _n, v in built.totals}},
        )
        uow.commit()
    return built


@router.get("/events/{event_id}/runs/{run_id}/report.html")
def report_html(request: Request, viewer: ViewerDep, event_id: str, run_id: int) -> Response:
    built = _report(request, viewer, event_id, run_id, "html")
    name = f"{built.file_stem}.html"
    return Response(
        report.render_html(built),
        media_type="text/html; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/events/{event_id}/runs/{run_id}/report.pdf")
def report_pdf(request: Request, viewer: ViewerDep, event_id: str, run_id: int) -> Response:
    built = _report(request, viewer, event_id, run_id, "pdf")
    return Response(
        report.render_pdf(built),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{built.file_stem}.pdf"'},
    )
