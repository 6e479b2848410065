"""Helpers of the console tests: a client on https://testserver (so Secure cookies travel), the
CSRF token of a page, waiting for a run job, logging in, reading the report's numbers back."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from paymentprocess.api.app import create_app
from paymentprocess.config import Settings
from paymentprocess.service.run_jobs import read_job


@contextmanager
def console_client(db_uri: str, engine: Engine, **settings: Any) -> Iterator[TestClient]:
    app = create_app(Settings(db_uri=db_uri, **settings), engine=engine)
    with TestClient(app, base_url="https://testserver") as client:
        yield client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None, "the page has no form with a CSRF token"
    return found.group(1)


def post(client: TestClient, path: str, token: str, **fields: str) -> Any:
    return client.post(path, data={"csrf_token": token, **fields}, follow_redirects=False)


def wait_for_job(engine: Engine, event_id: str, location: str) -> dict[str, Any]:
    job_id = location.split("job=")[1]
    for _ in range(300):
        job = read_job(engine, event_id, job_id)
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


def login(client: TestClient, name: str, key: str) -> Any:
    form = client.get("/console/login")
    return client.post(
        "/console/login",
        data={"csrf_token": csrf_of(form.text), "name": name, "key": key},
        follow_redirects=False,
    )


def by_testid(html: str, name: str) -> str:
    """The text of the element with data-testid=`name`."""
    found = re.search(rf'data-testid="{re.escape(name)}"[^>]*>([^<]*)<', html)
    assert found is not None, f"no element {name}"
    return found.group(1).strip()


class _Cells(HTMLParser):
    def __init__(self, attr: str) -> None:
        super().__init__()
        self.attr, self.key, self.cells = attr, None, {}  # type: ignore[var-annotated]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.key = dict(attrs).get(self.attr)  # type: ignore[assignment]

    def handle_data(self, data: str) -> None:
        if self.key is not None and data.strip():
            self.cells[self.key] = data.strip()
            self.key = None


def report_cells(html: str, attr: str) -> dict[str, str]:
    """{data-<attr> value: cell text} of the report, e.g. attr="data-total"."""
    parser = _Cells(attr)
    parser.feed(html)
    return dict(parser.cells)


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def flat_counts(document: dict[str, Any]) -> dict[str, str]:
    counts = document["counts"]
    flat = {"claims": str(counts["claims"])}
    for group in ("by_outcome", "by_frequency_code", "payees"):
        flat.update({f"{group}.{k}": str(v) for k, v in counts[group].items()})
    return flat
