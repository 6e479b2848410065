"""Bulk writers keep the claim counts from the frames they write (storage.bulk_counts): after
`generate`, `load` and `event create` — and after one of them fails and is rolled back — the count
tables equal a GROUP BY over claim_fin_core, and the transaction leaves no flag behind. On
PostgreSQL, intake claims written while a load holds its transaction open are still counted by
the triggers (both databases unless marked)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from sqlalchemy import Engine, text
from tests.golden import builders as b
from tests.integration.test_api_support import claim, line

from paymentprocess.io.load import load_documents
from paymentprocess.service.claims.parse import parse_claim
from paymentprocess.service.claims.submit import submit_claim
from paymentprocess.service.events import create_event
from paymentprocess.synth.cycle import generate_cycle

Rows = list[tuple[Any, ...]]

_KEYS = """
    SELECT 'tin' AS kind, tax_id AS provider, service_begin_date AS day FROM claim_fin_core
     WHERE tax_id IS NOT NULL AND service_begin_date IS NOT NULL
    UNION ALL
    SELECT 'npi', npi, service_begin_date FROM claim_fin_core
     WHERE npi IS NOT NULL AND service_begin_date IS NOT NULL"""
GROUPED_PROVIDERS = f"SELECT kind, provider, count(*) FROM ({_KEYS}) k GROUP BY 1, 2 ORDER BY 1, 2"
GROUPED_DAYS = (
    f"SELECT kind, provider, day, count(*) FROM ({_KEYS}) k GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
)
PROVIDERS = (
    "SELECT kind, provider, claims FROM claim_provider_count WHERE claims <> 0 ORDER BY 1, 2"
)
DAYS = (
    "SELECT kind, provider, service_begin_date, claims FROM claim_day_count "
    "WHERE claims <> 0 ORDER BY 1, 2, 3"
)
INTAKE_NPI, INTAKE_DAY = "1497775530", "2018-03-28"  # what tests.integration's claim() bills


class StopWriteError(Exception):
    """Raised from a progress callback: the bulk write fails after writing (and counting)."""


def _rows(engine: Engine, sql: str) -> Rows:
    with engine.connect() as conn:
        return [
            tuple(str(v) if isinstance(v, dt.date) else v for v in r)
            for r in conn.execute(text(sql))
        ]


def assert_counts_equal_group_by(engine: Engine) -> int:
    """The count tables equal a GROUP BY over claim_fin_core; returns the claims counted."""
    providers = _rows(engine, PROVIDERS)
    assert providers == _rows(engine, GROUPED_PROVIDERS)
    assert _rows(engine, DAYS) == _rows(engine, GROUPED_DAYS)
    assert _rows(engine, "SELECT count(*) FROM claim_count_bulk") == [(0,)]
    return sum(int(n) for kind, _p, n in providers if kind == "npi")


def _documents(prefix: str, claims: int) -> dict[str, list[dict[str, Any]]]:
    """A cycle whose claims spread over three providers and days, with the shapes the counts
    skip: no TIN, no NPI, no service begin date; one claim billed like intake's."""
    docs = b.cycle()
    docs["ClaimFinCore"] = [
        b.claim(
            f"{prefix}{i}",
            b.line("10.00"),
            tax=(b.TIN_A, b.TIN_B, None)[i % 3],
            npi=(b.NPI_A, b.NPI_B, b.NPI_A, None)[i % 4],
            member=None if i % 3 != 2 else "M1",
            ServiceBeginDate=None if i % 7 == 6 else f"2025-04-{1 + i % 5:02d}",
        )
        for i in range(claims)
    ]
    docs["ClaimFinCore"].append(
        b.claim(f"{prefix}X", b.line("10.00"), npi=INTAKE_NPI, ServiceBeginDate=INTAKE_DAY)
    )
    return docs


def _npi_counted(docs: dict[str, list[dict[str, Any]]]) -> int:
    return sum(1 for d in docs["ClaimFinCore"] if d["NPI"] and d["ServiceBeginDate"])


def test_generate_keeps_the_counts(engine: Engine) -> None:
    generate_cycle(engine, 400, 7)
    assert assert_counts_equal_group_by(engine) > 400


def test_load_keeps_the_counts_and_adds_to_counted_claims(engine: Engine) -> None:
    submit_claim(engine, parse_claim(claim(line())))  # counted by the triggers, before the load
    first, second = _documents("A", 40), _documents("B", 12)
    load_documents(engine, first)
    assert assert_counts_equal_group_by(engine) == 1 + _npi_counted(first)
    load_documents(engine, {"ClaimFinCore": second["ClaimFinCore"]})  # onto existing count rows
    counted = 1 + _npi_counted(first) + _npi_counted(second)
    assert assert_counts_equal_group_by(engine) == counted
    submit_claim(engine, parse_claim(claim(line())))  # after it, the triggers count again
    assert assert_counts_equal_group_by(engine) == counted + 1


def test_event_create_assigns_without_changing_the_counts(engine: Engine) -> None:
    generate_cycle(engine, 300, 3)
    before = _rows(engine, DAYS)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE payment_event SET stage = 'Final' WHERE payment_event_id = 'PE-1'")
        )
    funding = _rows(engine, "SELECT funding_source_id FROM funding_source")[0][0]
    made = create_event(
        engine,
        payment_event_id="PE-2",
        event_type="Provider",
        payment_due_date=dt.date(2025, 12, 1),
        business_id=None,
        funding_source_id=funding,
        inclusion_criteria_id=None,
    )
    assert made["claims_assigned"] > 250
    assert _rows(engine, DAYS) == before
    assert_counts_equal_group_by(engine)


def test_a_failed_generate_leaves_the_counts_equal(engine: Engine) -> None:
    def fail_after_counting(description: str, _done: int, _total: int) -> None:
        if description == "writing service_line":
            raise StopWriteError

    with pytest.raises(StopWriteError):
        generate_cycle(engine, 300, 5, progress=fail_after_counting)
    assert assert_counts_equal_group_by(engine) == 0
    generate_cycle(engine, 300, 5)  # and the database takes the same cycle afterwards
    assert assert_counts_equal_group_by(engine) > 300


def test_a_failed_load_leaves_the_counts_equal(engine: Engine) -> None:
    load_documents(engine, _documents("A", 20))
    before = _rows(engine, DAYS)
    total = assert_counts_equal_group_by(engine)

    def fail_when_written(label: str, done: int, count: int) -> None:
        if label == "writing" and done == count:
            raise StopWriteError

    docs = _documents("B", 20)
    with pytest.raises(StopWriteError):
        load_documents(engine, {"ClaimFinCore": docs["ClaimFinCore"]}, progress=fail_when_written)
    assert _rows(engine, DAYS) == before
    assert assert_counts_equal_group_by(engine) == total


@pytest.mark.parametrize("db_uri", ["postgresql"], indirect=True)
def test_intake_during_a_load_is_counted(engine: Engine) -> None:
    """Intake claims submitted while a load's transaction is open (one of them billed like a
    loaded claim, so its count rows are locked by the load until it commits) are counted."""
    loaded = threading.Event()
    submitted: list[str] = []
    errors: list[BaseException] = []

    def hold_open(label: str, done: int, count: int) -> None:
        if label == "writing" and done == count:
            loaded.set()
            time.sleep(1.5)  # intake runs now, against the open transaction

    def intake() -> None:
        try:
            loaded.wait(30)
            for n in range(5):
                body = claim(line(provider_npi=INTAKE_NPI if n % 2 else "1234567893"))
                submitted.append(submit_claim(engine, parse_claim(body)).claim_id)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    worker = threading.Thread(target=intake)
    worker.start()
    docs = _documents("A", 30)
    load_documents(engine, docs, progress=hold_open)
    worker.join(60)
    assert not worker.is_alive()
    assert errors == []
    assert len(submitted) == 5
    assert assert_counts_equal_group_by(engine) == 5 + _npi_counted(docs)
