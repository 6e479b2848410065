"""The maker-checker flow in a real browser (Chromium through Playwright), against a real
`paymentprocess serve` on SQLite and on PostgreSQL.

An admin adds an operator and an approver (CLI); the operator loads a generated cycle (CLI, with
the operator's key), logs in to the console, starts the Dry Run and watches its progress, sees the
findings and the charts, and requests the Final Run — and cannot approve it (no button; a forged
POST is refused). The approver logs in, approves and starts the Final Run; the page shows Final,
and the run report downloads (HTML and PDF) with the totals of the Final Run's stats document.
Every page visited is saved as a screenshot (tests/browser/conftest.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect
from sqlalchemy import select
from tests.browser.conftest import Shots
from tests.integration.test_console_pages import check_report_html, check_report_pdf
from tests.reliability.harness import run_cli
from tests.reliability.intake_support import serving

from paymentprocess.storage import tables as t
from paymentprocess.storage.database import create_engine_for

EVENT = "PE-B"


def _key(db_uri: str, cwd: Path, *args: str) -> str:
    done = run_cli(db_uri, *args, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def _latest(db_uri: str, mode: str) -> tuple[int, dict[str, Any]]:
    engine = create_engine_for(db_uri)
    st = t.payment_event_stats
    try:
        with engine.connect() as conn:
            run_id, document = conn.execute(
                select(st.c.run_id, st.c.document)
                .where(st.c.payment_event_id == EVENT, st.c.mode == mode)
                .order_by(st.c.run_id.desc())
                .limit(1)
            ).one()
    finally:
        engine.dispose()
    return run_id, dict(document)


def _log_in(page: Page, base: str, name: str, key: str) -> None:
    page.goto(f"{base}/console")
    expect(page.get_by_test_id("login-form")).to_be_visible()
    page.get_by_label("User name").fill(name)
    page.get_by_label("Key", exact=True).fill(key)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("user-name")).to_contain_text(name)


def _wait_for_job(page: Page) -> None:
    """The job page polls (htmx) until the run ends, then returns to the event's page."""
    expect(page.get_by_test_id("job-result")).to_be_visible(timeout=120_000)


def _check_keyboard_and_narrow_window(page: Page, shots: Shots) -> None:
    """The first Tab reaches the skip link, which moves focus to the content; on a 420-pixel
    window the page does not scroll sideways (wide tables scroll inside their own box)."""
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.set_viewport_size({"width": 420, "height": 900})
    try:
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page scrolls {overflow} px sideways at 420 px"
        shots.take(page, "narrow-window")
    finally:
        page.set_viewport_size({"width": 1280, "height": 800})


def _visit_findings_and_payees(page: Page, shots: Shots, dry: dict[str, Any]) -> None:
    """A finding's drill-down, the payees table sorted by net pay, one payee's page; then back."""
    event_page = page.url
    finding = max(dry["findings"], key=lambda f: f["count"])
    page.get_by_test_id(f"finding-{finding['code']}").get_by_role("link").click()
    expect(page.get_by_test_id("finding-summary")).to_contain_text(str(finding["count"]))
    shots.take(page, "finding-drill-down")
    page.goto(event_page)
    page.get_by_test_id("all-payees").click()
    expect(page.get_by_test_id("payees-table")).to_be_visible()
    shots.take(page, "payees")
    page.get_by_test_id("payee-row").first.get_by_role("link").first.click()
    expect(page.get_by_test_id("payee-claims")).to_be_visible()
    shots.take(page, "payee")
    page.goto(event_page)


def test_an_operator_requests_and_an_approver_approves_the_final_run(
    db_uri: str, page: Page, shots: Shots, tmp_path: Path
) -> None:
    admin = _key(db_uri, tmp_path, "users", "add", "ada", "--role", "admin")
    operator = _key(db_uri, tmp_path, "--key", admin, "users", "add", "otto", "--role", "operator")
    approver = _key(db_uri, tmp_path, "--key", admin, "users", "add", "anna", "--role", "approver")
    loaded = run_cli(
        db_uri, "--key", operator, "generate", "--claims", "300", "--seed", "11", "-p", EVENT,
        cwd=tmp_path,
    )  # fmt: skip
    assert loaded.returncode == 0, loaded.stderr

    with serving(db_uri, tmp_path) as (base, _proc):
        page.goto(f"{base}/console")
        expect(page).to_have_url(f"{base}/console/login")
        shots.take(page, "login")
        _log_in(page, base, "otto", operator)
        shots.take(page, "events")
        page.locator(f'a[href="/console/events/{EVENT}"]').first.click()
        expect(page.get_by_test_id("stage-badge")).to_have_text("New")

        page.get_by_test_id("action-dry-run").click()
        expect(page.get_by_test_id("job-progress")).to_be_visible()
        shots.take(page, "dry-run-progress", full_page=False)
        _wait_for_job(page)
        expect(page.get_by_test_id("stage-badge")).to_have_text("DryRun")
        for chart in ("chart-net-pay", "chart-findings", "chart-money-flow"):
            expect(page.get_by_test_id(chart)).to_be_visible()
        expect(page.get_by_test_id("findings")).to_be_visible()
        _, dry = _latest(db_uri, "dry-run")
        for name, value in dry["totals"].items():
            expect(page.get_by_test_id(f"total-{name}")).to_have_text(value)
        shots.take(page, "dry-run-findings-and-charts")
        _check_keyboard_and_narrow_window(page, shots)
        _visit_findings_and_payees(page, shots, dry)

        page.get_by_test_id("action-request-final").click()
        expect(page.get_by_test_id("approval-state")).to_have_attribute("data-status", "requested")
        expect(page.get_by_test_id("action-approve")).to_have_count(0)
        expect(page.get_by_test_id("action-final-run")).to_have_count(0)
        csrf = page.locator('input[name="csrf_token"]').first.get_attribute("value")
        forged = page.request.post(
            f"{base}/console/events/{EVENT}/approve", form={"csrf_token": csrf or ""}
        )
        assert forged.status == 403, forged.text()
        shots.take(page, "final-requested")
        page.get_by_test_id("logout").click()

        _log_in(page, base, "anna", approver)
        page.goto(f"{base}/console/events/{EVENT}")
        page.get_by_test_id("action-approve").click()
        expect(page.get_by_test_id("approval-state")).to_have_attribute("data-status", "approved")
        shots.take(page, "approved")
        page.get_by_test_id("action-final-run").click()
        _wait_for_job(page)
        expect(page.get_by_test_id("stage-badge")).to_have_text("Final")
        expect(page.get_by_test_id("audit-trail")).to_contain_text("approve")
        shots.take(page, "final")

        run_id, final = _latest(db_uri, "final")
        with page.expect_download() as html_download:
            page.get_by_test_id("action-report-html").click()
        html_path = tmp_path / "report.html"
        html_download.value.save_as(html_path)
        with page.expect_download() as pdf_download:
            page.get_by_test_id("action-report-pdf").click()
        pdf_path = tmp_path / "report.pdf"
        pdf_download.value.save_as(pdf_path)
        page.goto(html_path.as_uri())
        shots.take(page, "run-report")

    assert final["status"] == "Completed"
    assert f"/runs/{run_id}/" in (html_download.value.url or "")
    check_report_html(html_path.read_text(encoding="utf-8"), final)
    check_report_pdf(pdf_path.read_bytes(), final)
