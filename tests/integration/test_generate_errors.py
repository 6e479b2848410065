"""Deliberate data errors of `generate`, counted with plain SQL on SQLite and PostgreSQL.

Each SPEC §7 kind has one query counting the claims (refunds, sequences) that carry it. The
default mode must carry exactly the Warning/Info kinds it reports and no Critical kind;
`--with-critical-errors` adds every Critical kind; `--clean` carries none.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, Engine, text

from paymentprocess.synth import generate_cycle
from paymentprocess.synth.identifiers import npi_is_valid

EVENT = "PE-1"
CURRENT = "FROM claim_fin_core c WHERE c.payment_event_id = :e"
MONEY = ("billed_amount", "allowed_amount", "deductible_amount", "coinsurance_amount",
         "copay_amount", "other_adjustment_amount")  # fmt: skip
_ANY_NEGATIVE_LINE = " OR ".join(f"l.{m} < 0" for m in MONEY)
_ANY_NEGATIVE_HEADER = " OR ".join(f"c.{m} < 0" for m in MONEY)
_PAYABLE = ("l.allowed_amount - l.deductible_amount - l.coinsurance_amount - l.copay_amount"
            " - l.other_adjustment_amount")  # fmt: skip
_PAYEE_OF_CLAIM = "p.payee_key = COALESCE(c.member_id, c.tax_id || '|' || c.npi)"

SQL = {
    "FREQUENCY_CODE": f"SELECT count(*) {CURRENT} AND c.frequency_code NOT IN ('1', '7', '8')",
    "MISSING_PAYEE_ID:Provider": f"SELECT count(*) {CURRENT} AND (c.tax_id IS NULL OR c.npi IS NULL)",
    "MISSING_PAYEE_ID:DMR": f"SELECT count(*) {CURRENT} AND c.member_id IS NULL",
    "DUPLICATE_CLAIM": f"""SELECT count(*) {CURRENT} AND c.frequency_code = '1' AND EXISTS (
        SELECT 1 FROM claim_fin_core h
        WHERE h.parent_claim_core_id = c.parent_claim_core_id AND h.status = 'Paid')""",
    "INVALID_BENEFIT_PLAN": f"""SELECT count(*) {CURRENT}
        AND c.benefit_plan_id NOT IN (SELECT benefit_plan_id FROM benefit_plan)""",
    "SEQUENCE_MISMATCH": """SELECT
        (SELECT count(*) FROM sequence_numbers WHERE name = 'PaymentCenter'
           AND value < (SELECT max(payment_center_id) FROM payment_center))
      + (SELECT count(*) FROM sequence_numbers WHERE name = 'OverAndUnderPayment'
           AND value < (SELECT max(over_and_under_payment_id) FROM over_and_under_payment))
      + (SELECT count(*) FROM sequence_numbers WHERE name = 'CheckNumber:FS-1'
           AND value < (SELECT max(CAST(check_number AS BIGINT)) FROM payment_register))""",
    "NEGATIVE_AMOUNT": f"""SELECT count(*) {CURRENT} AND (({_ANY_NEGATIVE_HEADER}) OR EXISTS (
        SELECT 1 FROM service_line l WHERE l.claim_core_id = c.claim_core_id
        AND ({_ANY_NEGATIVE_LINE})))""",
    "NEGATIVE_PAYABLE": f"""SELECT count(*) {CURRENT} AND EXISTS (SELECT 1 FROM service_line l
        WHERE l.claim_core_id = c.claim_core_id AND {_PAYABLE} < 0)""",
    "MISSING_PARENT_PAID": f"""SELECT count(*) {CURRENT} AND c.frequency_code IN ('7', '8')
        AND NOT EXISTS (SELECT 1 FROM claim_fin_core h
            WHERE h.parent_claim_core_id = c.parent_claim_core_id AND h.status = 'Paid')
        AND NOT EXISTS (SELECT 1 FROM claim_fin_core o
            WHERE o.parent_claim_core_id = c.parent_claim_core_id AND o.frequency_code = '1'
            AND o.payment_event_id = :e AND o.received_date < c.received_date)""",
    "INVALID_VOID_LINK": f"""SELECT count(*) {CURRENT} AND c.frequency_code = '7'
        AND c.void_claim_core_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM claim_fin_core v
            WHERE v.claim_core_id = c.void_claim_core_id AND v.frequency_code = '8'
            AND v.parent_claim_core_id = c.parent_claim_core_id)""",
    "INVALID_TIN": f"SELECT count(*) {CURRENT} AND length(c.tax_id) <> 9",
    "UNKNOWN_SERVICE_CODE": f"""SELECT count(*) {CURRENT} AND EXISTS (SELECT 1 FROM service_line l
        WHERE l.claim_core_id = c.claim_core_id
        AND l.procedure_code NOT IN (SELECT service_code FROM service_code))""",
    "PROCESS_EXCEPTION": f"""SELECT count(*) {CURRENT} AND EXISTS (SELECT 1 FROM process_code_ex x
        WHERE x.holds_payment AND CAST(c.process_codes AS TEXT) LIKE '%"' || x.process_code || '"%')""",
    "REFUND_UNAPPLIED": f"""SELECT count(*) FROM refund r
        JOIN claim_fin_core c ON c.claim_core_id = r.original_claim_core_id
        JOIN payment_center p ON {_PAYEE_OF_CLAIM}
        WHERE r.amount > (SELECT COALESCE(sum(o.opening_remaining_amount), 0)
            FROM over_and_under_payment o WHERE o.payment_center_id = p.payment_center_id
            AND o.type = 'OverPayment')""",
}
CRITICAL = ("FREQUENCY_CODE", "MISSING_PAYEE_ID", "DUPLICATE_CLAIM", "INVALID_BENEFIT_PLAN",
            "SEQUENCE_MISMATCH")  # fmt: skip
WARNING = ("NEGATIVE_AMOUNT", "NEGATIVE_PAYABLE", "MISSING_PARENT_PAID", "INVALID_VOID_LINK",
           "INVALID_NPI", "INVALID_TIN", "UNKNOWN_SERVICE_CODE", "PROCESS_EXCEPTION",
           "REFUND_UNAPPLIED")  # fmt: skip


def count_error(conn: Connection, code: str, event_type: str = "Provider") -> int:
    """How many records of the generated cycle carry the SPEC §7 error `code`."""
    if code == "INVALID_NPI":
        npis = conn.execute(text(f"SELECT c.npi {CURRENT} AND c.npi IS NOT NULL"), {"e": EVENT})
        return sum(not npi_is_valid(n) for (n,) in npis)
    query = SQL.get(f"{code}:{event_type}", SQL.get(code))
    assert query is not None, code
    return int(conn.execute(text(query), {"e": EVENT}).scalar_one())


def error_counts(engine: Engine, event_type: str = "Provider") -> dict[str, int]:
    with engine.connect() as conn:
        return {code: count_error(conn, code, event_type) for code in (*CRITICAL, *WARNING)}


@pytest.mark.parametrize("event_type", ["Provider", "DMR"])
def test_default_mode_has_every_warning_kind_and_no_critical_kind(
    engine: Engine, event_type: str
) -> None:
    summary = generate_cycle(engine, 2000, 3, event_type=event_type)  # type: ignore[arg-type]
    counts = error_counts(engine, event_type)
    assert {code: counts[code] for code in CRITICAL} == dict.fromkeys(CRITICAL, 0)
    assert {code: counts[code] for code in WARNING} == summary.data_errors
    assert all(summary.data_errors[code] >= 1 for code in WARNING)


def test_critical_mode_adds_every_critical_kind(engine: Engine) -> None:
    summary = generate_cycle(engine, 2000, 4, errors="critical")
    counts = error_counts(engine)
    assert all(counts[code] >= 1 for code in (*CRITICAL, *WARNING)), counts
    assert counts == summary.data_errors


def test_clean_mode_has_no_error_of_any_kind(engine: Engine) -> None:
    summary = generate_cycle(engine, 2000, 5, errors="clean")
    assert summary.data_errors == {}
    assert error_counts(engine) == dict.fromkeys((*CRITICAL, *WARNING), 0)


def test_error_share_is_about_half_a_percent(engine: Engine) -> None:
    summary = generate_cycle(engine, 20_000, 6)
    claim_errors = sum(n for code, n in summary.data_errors.items() if code != "REFUND_UNAPPLIED")
    assert 0.004 <= claim_errors / summary.claims <= 0.006
