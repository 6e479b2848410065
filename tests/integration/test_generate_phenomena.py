"""Every phenomenon a generated cycle promises is in the tables (SQL on SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from sqlalchemy import Connection, Engine, text

from paymentprocess.synth import GenerationSummary, generate_cycle
from paymentprocess.synth.identifiers import npi_is_valid

CLAIMS = 2000
CUR = "FROM claim_fin_core c WHERE c.payment_event_id = 'PE-1'"
PAYABLE = ("l.allowed_amount - l.deductible_amount - l.coinsurance_amount - l.copay_amount"
           " - l.other_adjustment_amount")  # fmt: skip
CHAIN_PAID = """(SELECT sum(h.paid_amount) FROM claim_fin_core h
    WHERE h.parent_claim_core_id = c.parent_claim_core_id AND h.status = 'Paid')"""
CLAIM_PAYABLE = f"""(SELECT sum(CASE WHEN {PAYABLE} > 0 THEN {PAYABLE} ELSE 0 END)
    FROM service_line l WHERE l.claim_core_id = c.claim_core_id)"""

PHENOMENA = {
    "originals with 1 to 6 lines": f"""SELECT count(*) {CUR} AND c.frequency_code = '1' AND
        (SELECT count(*) FROM service_line l WHERE l.claim_core_id = c.claim_core_id) BETWEEN 1 AND 6""",
    "voids of paid claims": f"SELECT count(*) {CUR} AND c.frequency_code = '8' AND {CHAIN_PAID} > 0",
    "replacements linked to the void of their chain": f"""SELECT count(*) {CUR}
        AND c.frequency_code = '7' AND EXISTS (SELECT 1 FROM claim_fin_core v
        WHERE v.claim_core_id = c.void_claim_core_id AND v.frequency_code = '8'
        AND v.parent_claim_core_id = c.parent_claim_core_id)""",
    "replacements paying less than was paid": f"""SELECT count(*) {CUR}
        AND c.frequency_code = '7' AND {CLAIM_PAYABLE} < {CHAIN_PAID}""",
    "void and original of one chain in this cycle": f"""SELECT count(*) {CUR}
        AND c.frequency_code = '8' AND c.parent_claim_core_id IN (
        SELECT o.claim_core_id FROM claim_fin_core o WHERE o.payment_event_id = 'PE-1'
        AND o.frequency_code = '1' AND o.received_date < c.received_date)""",
    "claims outside the inclusion criteria": f"""SELECT count(*) {CUR}
        AND c.benefit_plan_id IN ('BP-009', 'BP-010')""",
    "claims of new payees": f"""SELECT count(*) {CUR} AND NOT EXISTS (SELECT 1 FROM payment_center p
        WHERE p.payee_key = COALESCE(c.member_id, c.tax_id || '|' || c.npi))""",
    "header totals NULL": f"SELECT count(*) {CUR} AND c.allowed_amount IS NULL",
    "header totals differing from the lines": f"""SELECT count(*) {CUR} AND c.allowed_amount <>
        (SELECT sum(l.allowed_amount) FROM service_line l WHERE l.claim_core_id = c.claim_core_id)""",
    "paid history": """SELECT count(*) FROM claim_fin_core WHERE status = 'Paid'
        AND paid_amount IS NOT NULL AND paid_payment_event_id = payment_event_id""",
    "prior Final events": "SELECT count(*) FROM payment_event WHERE stage = 'Final'",
    "open prior OverPayments": """SELECT count(*) FROM over_and_under_payment
        WHERE type = 'OverPayment' AND opening_remaining_amount > 0""",
    "open prior UnderPayments": """SELECT count(*) FROM over_and_under_payment
        WHERE type = 'UnderPayment' AND opening_remaining_amount > 0""",
    "partially applied records": """SELECT count(*) FROM over_and_under_payment
        WHERE opening_remaining_amount > 0 AND opening_remaining_amount < total_amount""",
    "refunds on paid claims of payees with open overpayments": """SELECT count(*) FROM refund r
        JOIN claim_fin_core c ON c.claim_core_id = r.original_claim_core_id AND c.status = 'Paid'
        JOIN payment_center p ON p.payee_key = COALESCE(c.member_id, c.tax_id || '|' || c.npi)
        WHERE EXISTS (SELECT 1 FROM over_and_under_payment o WHERE o.type = 'OverPayment'
        AND o.payment_center_id = p.payment_center_id AND o.opening_remaining_amount > 0)""",
    "businesses with CustomInterestDays": """SELECT count(*) FROM business
        WHERE custom_interest_days IS NOT NULL""",
    "a ProcessCodeEx code that holds payment": "SELECT count(*) FROM process_code_ex WHERE holds_payment",
    "EFT payees": "SELECT count(*) FROM payment_center WHERE payment_method = 'EFT'",
    "CHECK payees": "SELECT count(*) FROM payment_center WHERE payment_method = 'CHECK'",
}


def _scalar(conn: Connection, sql: str, **params: object) -> int:
    return int(conn.execute(text(sql), params).scalar_one())


@pytest.fixture
def cycle(engine: Engine) -> GenerationSummary:
    return generate_cycle(engine, CLAIMS, 21)


@pytest.mark.parametrize("name", list(PHENOMENA))
def test_phenomenon_is_present(engine: Engine, cycle: GenerationSummary, name: str) -> None:
    with engine.connect() as conn:
        assert _scalar(conn, PHENOMENA[name]) > 0


def test_the_event_holds_n_claims_all_received(engine: Engine, cycle: GenerationSummary) -> None:
    with engine.connect() as conn:
        assert _scalar(conn, f"SELECT count(*) {CUR}") == CLAIMS
        assert _scalar(conn, f"SELECT count(*) {CUR} AND c.status = 'Unpaid'") == CLAIMS
        assert _scalar(conn, "SELECT count(*) FROM claim_fin_core WHERE received_date IS NULL") == 0
        stage = conn.execute(
            text("SELECT stage FROM payment_event WHERE payment_event_id = 'PE-1'")
        )
        assert stage.scalar_one() == "New"
    assert cycle.rows["claim_fin_core"] == CLAIMS + cycle.phenomena["paid_history_claims"]


def test_amounts_are_sane_outside_the_deliberate_errors(
    engine: Engine, cycle: GenerationSummary
) -> None:
    with engine.connect() as conn:
        bad = _scalar(
            conn,
            f"""SELECT count(*) FROM service_line l
            WHERE l.allowed_amount > l.billed_amount OR l.billed_amount < 0 OR {PAYABLE} < 0
               OR l.other_adjustment_amount < 0""",
        )
        lines = _scalar(conn, "SELECT count(*) FROM service_line")
    errors = cycle.data_errors
    assert bad == errors["NEGATIVE_AMOUNT"] + errors["NEGATIVE_PAYABLE"]
    assert lines > 2 * cycle.rows["claim_fin_core"]


def test_late_claims_and_interest_rates(engine: Engine, cycle: GenerationSummary) -> None:
    due = cycle.payment_due_date
    with engine.connect() as conn:
        late = _scalar(conn, f"SELECT count(*) {CUR} AND c.received_date < :cut",
                       cut=due - dt.timedelta(days=59))  # fmt: skip
        rows = conn.execute(text("SELECT contract_type, annual_rate_ppm, effective_from, "
                                 "effective_to FROM interest_config")).all()  # fmt: skip
    assert late == cycle.phenomena["late_claims"] > 0
    for contract_type in ("CMS", "Contract"):
        mine = sorted((_date(f), _date(t), r) for ct, r, f, t in rows if ct == contract_type)
        assert sum(f <= due <= t for f, t, _ in mine) == 1
        assert mine[0][0] <= due - dt.timedelta(days=3 * 365 - 366)
        assert all(b[0] == a[1] + dt.timedelta(days=1) for a, b in itertools.pairwise(mine))
        assert len({r for _, _, r in mine}) > 1


def _date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def test_payees_have_valid_keys(engine: Engine, cycle: GenerationSummary) -> None:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT payee_key, tax_id, npi, contract_type FROM payment_center")
        )
        payees = rows.all()
        inclusion = conn.execute(
            text("SELECT benefit_plan_ids FROM inclusion_criteria")
        ).scalar_one()
    assert all(key == f"{tin}|{npi}" for key, tin, npi, _ in payees)
    assert all(npi_is_valid(npi) and len(tin) == 9 and tin.isdigit() for _, tin, npi, _ in payees)
    assert {ct for *_, ct in payees} == {"CMS", "Contract"}
    plans = json.loads(inclusion) if isinstance(inclusion, str) else inclusion
    assert len(plans) == 8


def test_small_payees_are_under_the_minimum(engine: Engine, cycle: GenerationSummary) -> None:
    with engine.connect() as conn:
        small = _scalar(
            conn,
            f"""SELECT count(*) FROM (SELECT c.tax_id, c.npi {CUR}
            GROUP BY c.tax_id, c.npi HAVING sum({CLAIM_PAYABLE}) BETWEEN 1 AND 499) s""",
        )
    assert small >= cycle.phenomena["payees_under_minimum"]


def test_dmr_cycle_pays_members(engine: Engine) -> None:
    generate_cycle(engine, CLAIMS, 22, event_type="DMR")
    with engine.connect() as conn:
        assert _scalar(conn, "SELECT count(*) FROM payment_center WHERE payment_center_type <> 'Member'"
                       " OR payee_key <> member_id OR member_id IS NULL") == 0  # fmt: skip
        assert _scalar(conn, f"SELECT count(*) {CUR} AND c.member_id IS NULL") == 0
        assert (
            _scalar(conn, "SELECT count(*) FROM interest_config WHERE contract_type = 'Member'") > 0
        )
        assert (
            _scalar(conn, "SELECT count(*) FROM payment_event WHERE payment_event_type <> 'DMR'")
            == 0
        )
