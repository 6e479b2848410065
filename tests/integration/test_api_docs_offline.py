"""`/docs` and `/redoc` load every asset from the service itself, never from another host.

Each page's HTML is parsed for every URL it references (script `src`, link `href`, img `src`,
and the URLs its inline script hands Swagger UI / ReDoc: the OpenAPI document, the OAuth2
redirect page); each is fetched from the same service and must answer 200 with a body, and none
may name a host. Once through a TestClient, once from a real `paymentprocess serve` over TCP. The
assets come from the installed `fastapi-offline` distribution (`importlib.resources`).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from html.parser import HTMLParser
from importlib import metadata
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
from tests.integration.test_api_support import api_client

from paymentprocess.api.docs_pages import ASSETS, STATIC_URL, assets_directory

Fetch = Callable[[str], httpx.Response]


class _References(HTMLParser):
    """Every src/href/spec-url of the page, and quoted URLs its inline scripts give."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href", "spec-url") and value:
                self.urls.append(value)
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            # url: '/openapi.json', spec-url="…", Redoc.init('/openapi.json', …)
            self.urls += re.findall(r"""['"]((?:https?:)?/[^'"\s]*)['"]""", data)


def _references(html: str) -> list[str]:
    parser = _References()
    parser.feed(html)
    return parser.urls


def _check_page(fetch: Fetch, page: str, expected_assets: set[str]) -> set[str]:
    """The page's references, each fetched from the service (200, not empty, same host)."""
    resp = fetch(page)
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("text/html")
    html = resp.text
    # No absolute URL anywhere in the page (a CDN, Google Fonts, the validator badge).
    assert not re.findall(r"(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}", html), html
    urls = _references(html)
    assert urls, html
    for url in urls:
        parts = urlsplit(url)
        assert (parts.scheme, parts.netloc) == ("", ""), f"{page} references {url}"
        assert parts.path.startswith("/"), url
        got = fetch(urljoin(page, url))
        assert got.status_code == 200, f"{url}: {got.status_code}"
        assert len(got.content) > 0, url
    assets = {urlsplit(u).path for u in urls if u.startswith(STATIC_URL)}
    assert assets == {f"{STATIC_URL}/{name}" for name in expected_assets}
    return set(urls)


SWAGGER_ASSETS = {"swagger-ui-bundle.js", "swagger-ui.css", "favicon.png"}
REDOC_ASSETS = {"redoc.standalone.js", "favicon.png"}


def test_docs_and_redoc_assets_come_from_the_service(tmp_path: Path) -> None:
    with api_client(f"sqlite:///{tmp_path / 'docs.db'}") as client:
        swagger = _check_page(client.get, "/docs", SWAGGER_ASSETS)
        redoc = _check_page(client.get, "/redoc", REDOC_ASSETS)
        bundle = client.get(f"{STATIC_URL}/swagger-ui-bundle.js")
        css = client.get(f"{STATIC_URL}/swagger-ui.css")
        standalone = client.get(f"{STATIC_URL}/redoc.standalone.js")
        openapi = client.get("/openapi.json").json()
    assert "/openapi.json" in swagger
    assert "/openapi.json" in redoc
    assert "/docs/oauth2-redirect" in swagger  # origin + path, in the inline script
    assert "javascript" in bundle.headers["content-type"]
    assert css.headers["content-type"].startswith("text/css")
    assert len(bundle.content) > 500_000
    assert len(standalone.content) > 500_000
    assert b"SwaggerUIBundle" in bundle.content
    assert b"Redoc" in standalone.content
    # the pages are not operations of the API
    assert not {"/docs", "/redoc"} & set(openapi["paths"])


def test_the_assets_are_installed_with_the_package() -> None:
    """The files are in an installed distribution (not fetched at run time): importlib.resources
    finds each in `fastapi_offline`, its wheel's RECORD lists them, and paymentprocess requires
    that distribution (so `pip install` of its wheel brings them)."""
    directory = assets_directory()
    for name in ASSETS:
        assert (directory / name).is_file(), name
        assert (directory / name).stat().st_size > 1000, name
    recorded = {str(f) for f in metadata.files("fastapi-offline") or ()}
    assert {f"fastapi_offline/static/{name}" for name in ASSETS} <= recorded
    requires = metadata.requires("paymentprocess") or []
    assert any(re.match(r"fastapi[-_]offline\b", r) for r in requires), requires


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_served_app_serves_its_docs_offline(tmp_path: Path) -> None:
    port = _free_port()
    uri = f"sqlite:///{tmp_path / 'served.db'}"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "paymentprocess",
            "--db-uri",
            uri,
            "--log-level",
            "WARNING",
            "serve",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        env={**os.environ, "PAYMENT_API_KEYS": ""},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.3)
        with httpx.Client(base_url=base, timeout=10) as client:
            _check_page(client.get, "/docs", SWAGGER_ASSETS)
            _check_page(client.get, "/redoc", REDOC_ASSETS)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
