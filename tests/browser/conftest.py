"""A real browser for the console tests: Debian's Chromium (`bin/install-browser`) driven by
Playwright for Python. Playwright's own browser downloads are never used: every launch names
/usr/bin/chromium. Outside CI a missing Chromium skips these tests; under CI=true it fails them.

Screenshots go to `test-artifacts/screenshots/` (or `$PAYMENT_TEST_ARTIFACTS/screenshots/`), named
after the test and the page, so a CI run leaves a picture of every page it visited.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from tests.conftest import IN_CI

ARTIFACTS = Path(os.environ.get("PAYMENT_TEST_ARTIFACTS", "test-artifacts"))


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    path = chromium_path()
    if path is None:
        if IN_CI:
            pytest.fail("chromium is required in CI (bin/install-browser installs it)")
        pytest.skip("chromium is not installed (bin/install-browser)")
    with sync_playwright() as pw:
        launched = pw.chromium.launch(
            executable_path=path, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    opened = context.new_page()
    try:
        yield opened
    finally:
        context.close()


class Shots:
    """Saves numbered screenshots of the pages a test visits; `saved` lists their paths."""

    def __init__(self, test_name: str) -> None:
        self.folder = ARTIFACTS / "screenshots"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.prefix = re.sub(r"[^A-Za-z0-9_.-]+", "-", test_name).strip("-")
        self.saved: list[Path] = []
        for stale in self.folder.glob(f"{self.prefix}-[0-9][0-9]-*.png"):
            stale.unlink()  # an earlier run's pictures of this test

    def take(self, page: Page, what: str, *, full_page: bool = True) -> Path:
        path = self.folder / f"{self.prefix}-{len(self.saved) + 1:02d}-{what}.png"
        page.screenshot(path=str(path), full_page=full_page)
        self.saved.append(path)
        return path


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Shots:
    return Shots(request.node.name)
