"""The claim list's exact totals and pages against plain SQL, on claims written straight into
claim_fin_core (as `load` and `generate` write them): NULL end dates, NULL begin dates, spans
across the range edges, one claim spanning years, end dates before begin dates (imported data),
claims without a TIN. The totals come from trigger-kept counts and bounded index ranges
(storage.claim_counts, service.claims.listing); here they must equal a COUNT over the overlap
predicate for every range, and walking the pages forward and back must give the ORDER BY.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, delete, func, insert, select, text, update

from paymentprocess.service.claims.listing import list_claims
from paymentprocess.service.claims.listing_filter import ClaimFilter
from paymentprocess.service.claims.read import get_claim_document
from paymentprocess.storage.claim_counts import TRIGGERS
from paymentprocess.storage.database import ensure_schema
from paymentprocess.storage.tables import (
    claim_day_count,
    claim_fin_core,
    claim_provider_count,
    claim_result,
    service_line,
)

TIN, NPI, OTHER_NPI = "123456789", "1497775530", "1234567893"
BASE = date(2020, 1, 1)
c = claim_fin_core.c


def _claim(i: int, begin: date | None, end: date | None, **over: Any) -> dict[str, Any]:
    row = {
        "claim_core_id": f"Q{i:06d}",
        "status": "Unpaid",
        "tax_id": TIN,
        "npi": NPI,
        "service_begin_date": begin,
        "service_end_date": end,
        "billed_amount": 1000 + i,
        "allowed_amount": 500,
        "coinsurance_amount": 25,
        "copay_amount": 0,
    }
    return {**row, **over}


def _seed(engine: Engine) -> list[dict[str, Any]]:
    """~300 claims of one TIN over two NPIs, with every awkward shape of service period."""
    rng = random.Random(5)
    rows = []
    for i in range(260):
        begin = BASE + timedelta(days=rng.randrange(0, 120))
        span = rng.choice([0, 0, 0, 1, 2, 5, 13])
        end: date | None = begin + timedelta(days=span)
        if i % 17 == 0:
            end = None  # NULL end: the period is the begin date
        rows.append(_claim(i, begin, end, npi=NPI if i % 3 else OTHER_NPI))
    rows += [
        _claim(900, BASE - timedelta(days=700), BASE + timedelta(days=60)),  # spans two years
        _claim(901, BASE + timedelta(days=50), BASE + timedelta(days=40)),  # end before begin
        _claim(902, BASE + timedelta(days=90), BASE + timedelta(days=10)),  # end before begin
        _claim(903, None, BASE),  # no begin date: not listed, not counted
        _claim(904, None, None, tax_id=None),
        _claim(905, BASE + timedelta(days=3), None, tax_id=None),  # NPI only
        # equal keys up to the id, around a range edge
        *(_claim(910 + k, BASE + timedelta(days=30), BASE + timedelta(days=31)) for k in range(6)),
    ]
    with engine.begin() as conn:
        conn.execute(insert(claim_fin_core), rows)
        conn.execute(
            insert(service_line),
            [
                {"claim_core_id": r["claim_core_id"], "line_number": 1,
                 "service_date": r["service_begin_date"], "procedure_code": "D0120",
                 "billed_amount": r["billed_amount"], "allowed_amount": 500,
                 "deductible_amount": 0, "coinsurance_amount": 25, "copay_amount": 0,
                 "other_adjustment_amount": 0}
                for r in rows[::2]
            ],
        )  # fmt: skip
    return rows


def _sql_ids(engine: Engine, flt: ClaimFilter) -> list[str]:
    """The matching claim ids by the plain overlap predicate, in (begin, id) order."""
    conds = [c.service_begin_date.is_not(None)]
    conds.append(c.tax_id == flt.provider_tin if flt.provider_tin else c.npi == flt.provider_npi)
    if flt.service_date_end is not None:
        conds.append(c.service_begin_date <= flt.service_date_end)
    if flt.service_date_start is not None:
        conds.append(
            func.coalesce(c.service_end_date, c.service_begin_date) >= flt.service_date_start
        )
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).where(*conds)).scalar_one()
        ids = list(
            conn.execute(
                select(c.claim_core_id)
                .where(*conds)
                .order_by(c.service_begin_date, c.claim_core_id)
            ).scalars()
        )
    assert count == len(ids)
    return ids


def _walk(engine: Engine, flt: ClaimFilter, limit: int) -> tuple[int, list[str], list[str]]:
    """Every page forward, then back from the last; the totals of all pages must agree."""
    page = list_claims(engine, flt, limit=limit)
    total, forward = page["total"], [[d["claim_id"] for d in page["claims"]]]
    assert page["prev_cursor"] is None
    while page["next_cursor"]:
        page = list_claims(engine, flt, limit=limit, cursor=page["next_cursor"])
        assert page["total"] == total
        forward.append([d["claim_id"] for d in page["claims"]])
    backward = []
    while page["prev_cursor"]:
        page = list_claims(engine, flt, limit=limit, cursor=page["prev_cursor"])
        assert page["total"] == total
        assert len(page["claims"]) == limit
        backward.append([d["claim_id"] for d in page["claims"]])
    back = [i for p in reversed(backward) for i in p] + forward[-1]
    return total, [i for p in forward for i in p], back


def _ranges() -> list[tuple[date | None, date | None]]:
    def d(days: int) -> date:
        return BASE + timedelta(days=days)

    return [
        (None, None),
        (d(30), d(30)),  # one day, where six claims share a begin date
        (d(31), d(45)),
        (d(-800), d(-650)),  # only the two-year claim reaches back here
        (d(45), d(55)),  # claim 901 begins inside and ends before the start
        (d(200), None),  # after everything
        (None, d(10)),
        (d(60), None),  # the long claim's last day
        (d(61), d(61)),
        (date(1900, 1, 1), date(9999, 12, 31)),
        (date.min, None),
        (None, date.max),
        *_random_ranges(12),
    ]


def _random_ranges(n: int) -> list[tuple[date | None, date | None]]:
    rng = random.Random(11)
    out: list[tuple[date | None, date | None]] = []
    for _ in range(n):
        a, b = sorted(BASE + timedelta(days=rng.randrange(-10, 135)) for _ in range(2))
        out.append((a, b))
    return out


def _filters() -> list[ClaimFilter]:
    out = []
    for start, end in _ranges():
        out.append(ClaimFilter(provider_tin=TIN, service_date_start=start, service_date_end=end))
        out.append(ClaimFilter(provider_npi=NPI, service_date_start=start, service_date_end=end))
        # no negative spans and no long one: the statements without the subtraction
        out.append(
            ClaimFilter(provider_npi=OTHER_NPI, service_date_start=start, service_date_end=end)
        )
    return out


def _counts_match_group_by(engine: Engine) -> None:
    with engine.connect() as conn:
        kept = set(
            conn.execute(select(claim_provider_count).where(claim_provider_count.c.claims != 0))
        )
        kept_days = set(conn.execute(select(claim_day_count).where(claim_day_count.c.claims != 0)))
        listed = c.service_begin_date.is_not(None)
        real, real_days = set(), set()
        for kind, col in (("tin", c.tax_id), ("npi", c.npi)):
            where = (listed, col.is_not(None))
            real |= {(kind, p, n) for p, n in conn.execute(
                select(col, func.count()).where(*where).group_by(col))}  # fmt: skip
            real_days |= {(kind, p, day, n) for p, day, n in conn.execute(
                select(col, c.service_begin_date, func.count()).where(*where)
                .group_by(col, c.service_begin_date))}  # fmt: skip
    assert kept == real
    assert kept_days == real_days


def test_totals_and_pages_equal_plain_sql_for_every_range(engine: Engine) -> None:
    _seed(engine)
    _counts_match_group_by(engine)
    for flt in _filters():
        expected = _sql_ids(engine, flt)
        for limit in (7, 500):
            total, forward, back = _walk(engine, flt, limit)
            assert total == len(expected), flt
            assert forward == expected, (flt, limit)
            assert back == expected, (flt, limit)


def test_counts_follow_inserts_updates_and_deletes(engine: Engine) -> None:
    _seed(engine)
    with engine.begin() as conn:
        conn.execute(update(claim_fin_core).where(c.claim_core_id == "Q000001").values(npi="9"))
        conn.execute(  # a begin date appears, another one disappears
            update(claim_fin_core)
            .where(c.claim_core_id.in_(["Q000903", "Q000002"]))
            .values(service_begin_date=func.coalesce(c.service_end_date, BASE), tax_id=TIN)
        )
        conn.execute(update(claim_fin_core).where(c.claim_core_id == "Q000003").values(
            service_begin_date=None))  # fmt: skip
        conn.execute(delete(claim_fin_core).where(c.claim_core_id.in_(["Q000004", "Q000900"])))
        conn.execute(update(claim_fin_core).values(status="Unpaid"))  # touches no key
    _counts_match_group_by(engine)
    for flt in _filters()[:18]:
        assert list_claims(engine, flt, limit=500)["total"] == len(_sql_ids(engine, flt)), flt
    with engine.begin() as conn:
        conn.execute(delete(claim_fin_core))
    _counts_match_group_by(engine)
    assert list_claims(engine, ClaimFilter(provider_tin=TIN), limit=5)["total"] == 0


def test_a_claim_written_between_pages_is_in_the_next_total(engine: Engine) -> None:
    _seed(engine)
    flt = ClaimFilter(
        provider_npi=NPI,
        service_date_start=BASE + timedelta(days=20),
        service_date_end=BASE + timedelta(days=40),
    )
    first = list_claims(engine, flt, limit=5)
    assert first["total"] == len(_sql_ids(engine, flt))
    with engine.begin() as conn:  # one behind the cursor (long span), one ahead of it
        conn.execute(insert(claim_fin_core), [
            _claim(950, BASE - timedelta(days=3000), BASE + timedelta(days=25)),
            _claim(951, BASE + timedelta(days=39), None),
        ])  # fmt: skip
    second = list_claims(engine, flt, limit=5, cursor=first["next_cursor"])
    expected = _sql_ids(engine, flt)
    assert second["total"] == first["total"] + 2 == len(expected)
    assert expected[0] == "Q000950"  # begins before the page: the walk forward does not show it
    _total, forward, _back = _walk(engine, flt, 5)
    assert forward == expected  # a fresh walk does, first


def test_only_the_claim_paid_by_a_final_run_reads_paid(engine: Engine) -> None:
    _seed(engine)
    with engine.begin() as conn:
        conn.execute(insert(claim_result), [
            {"payment_event_id": "E1", "claim_core_id": "Q000010", "outcome": "paid",
             "payable": 1, "net": 1, "interest": 0},
            {"payment_event_id": "E1", "claim_core_id": "Q000011", "outcome": "held",
             "payable": 1, "net": 1, "interest": 0},
        ])  # fmt: skip
    page = list_claims(engine, ClaimFilter(provider_tin=TIN), limit=500)
    paid = {d["claim_id"] for d in page["claims"] if d["status"] == "Paid"}
    assert paid == {"Q000010"}
    assert get_claim_document(engine, "Q000010")["status"] == "Paid"
    assert get_claim_document(engine, "Q000011")["status"] == "Unpaid"


def test_documents_from_rows_with_and_without_lines(engine: Engine) -> None:
    _seed(engine)
    with_line, without = (
        get_claim_document(engine, "Q000000"),
        get_claim_document(engine, "Q000001"),
    )
    assert with_line["lines"][0]["provider_fees"] == "10.00"
    assert with_line["net_fee"] == "5.25"  # 10.00 + 0.25 + 0 - 5.00
    assert (without["lines"], without["net_fee"], without["provider_fees"]) == ([], "0.00", "10.01")
    assert with_line["service_end_date"] is None  # stored NULL: shown as null


def test_an_older_database_gets_its_counts_and_triggers(db_uri: str, engine: Engine) -> None:
    _seed(engine)
    with engine.begin() as conn:
        for name in TRIGGERS:
            if engine.dialect.name == "sqlite":
                conn.execute(text(f"DROP TRIGGER {name}"))
            else:
                conn.execute(text(f"DROP TRIGGER {name} ON claim_fin_core"))
        conn.execute(delete(claim_provider_count))
        conn.execute(delete(claim_day_count))
        conn.execute(text("DROP INDEX ix_claim_fin_core_npi_service_span"))
    ensure_schema(engine)
    _counts_match_group_by(engine)
    with engine.begin() as conn:
        conn.execute(insert(claim_fin_core), [_claim(960, BASE, None)])
    _counts_match_group_by(engine)
    flt = ClaimFilter(provider_npi=NPI, service_date_start=BASE + timedelta(days=1))
    assert list_claims(engine, flt)["total"] == len(_sql_ids(engine, flt))


@pytest.mark.parametrize("kind", ["next", "prev"])
def test_a_cursor_of_another_range_is_refused(engine: Engine, kind: str) -> None:
    from paymentprocess.service.claims.cursor import InvalidCursorError

    _seed(engine)
    flt = ClaimFilter(provider_tin=TIN, service_date_start=BASE)
    page = list_claims(engine, flt, limit=3)
    page = list_claims(engine, flt, limit=3, cursor=page["next_cursor"])
    other = ClaimFilter(provider_tin=TIN, service_date_start=BASE + timedelta(days=1))
    with pytest.raises(InvalidCursorError, match="another query"):
        list_claims(engine, other, limit=3, cursor=page[f"{kind}_cursor"])
