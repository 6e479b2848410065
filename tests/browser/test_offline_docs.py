"""The browser harness itself, on a page that exists without the console: the API's offline
Swagger UI renders its operations in Chromium while every request stays on the server's host."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Page, Request
from tests.browser.conftest import Shots
from tests.reliability.intake_support import serving


def test_swagger_ui_renders_offline(page: Page, shots: Shots, tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'docs.db'}"
    hosts: set[str] = set()

    def note(request: Request) -> None:
        hosts.add(urlsplit(request.url).netloc)

    page.on("request", note)
    with serving(uri, tmp_path) as (base, _proc):
        page.goto(f"{base}/docs")
        page.wait_for_selector(".opblock-summary-path", timeout=30_000)
        paths = page.locator(".opblock-summary-path").all_text_contents()
        shots.take(page, "swagger-ui")
    assert "/claims" in [p.strip() for p in paths]
    assert hosts == {urlsplit(base).netloc}, hosts
