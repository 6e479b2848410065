"""The payee-result fields are written down once (domain.payee_result) and everything that lists
them follows: the Dry Run table, the reference's typed copy, the stats documents of the engine and
of the reference, the QA PaymentResult and the run summary."""

from __future__ import annotations

import dataclasses

from sqlalchemy import BigInteger
from tests.unit.engine.test_engine_stages import _cfg

from paymentprocess.cli import render
from paymentprocess.domain import payee_result
from paymentprocess.domain.columns import PAYEE_RESULT
from paymentprocess.engine.stats import build_document
from paymentprocess.reference.results import PayeeAmounts, PayeeResult, Totals
from paymentprocess.storage import tables as t


def test_the_fields_are_the_spec_s_in_the_table_s_order() -> None:
    assert payee_result.NAMES == (
        "claims_net", "interest", "carried_in", "offsets", "new_overpayment", "held", "net_pay",
        "refunds_applied",
    )  # fmt: skip
    assert payee_result.TOTAL_NAMES == (
        "claims_net", "interest", "carried_in", "offsets", "new_overpayment", "held", "paid",
    )  # fmt: skip
    assert PAYEE_RESULT == payee_result.STATS_NAMES == payee_result.NAMES[:-1]
    assert payee_result.FIELDS[0].label == "claims net"


def test_the_dry_run_table_has_one_not_null_bigint_column_per_field_in_order() -> None:
    columns = list(t.payment_event_ws_payee.columns)
    keys = ["payment_event_id", "payee_key", "payment_center_id"]
    assert [c.name for c in columns] == [*keys, *payee_result.NAMES]
    for c in columns[len(keys) :]:
        assert isinstance(c.type, BigInteger)
        assert c.nullable is False


def test_the_reference_s_typed_copy_has_every_field_in_order() -> None:
    amounts = [f.name for f in dataclasses.fields(PayeeAmounts)]
    assert amounts == list(payee_result.NAMES)
    # PayeeResult and Totals add no amount of their own
    assert {f.name for f in dataclasses.fields(PayeeResult)} - set(amounts) == {
        "payee_key", "stats_key", "payment_center_id", "is_new",
    }  # fmt: skip
    assert [f.name for f in dataclasses.fields(Totals)] == amounts
    assert Totals(net_pay=7).paid == 7


def test_a_stats_document_without_payees_totals_every_totalled_field() -> None:
    doc = build_document(_cfg(), "Failed", None, None, [], {})
    assert doc["totals"] == dict.fromkeys(payee_result.TOTAL_NAMES, "0.00")
    assert doc["payees"] == []


def test_the_run_summary_shows_the_stats_fields_and_totals() -> None:
    assert render.PAYEE_AMOUNTS == payee_result.STATS_NAMES
    assert render.TOTALS == payee_result.TOTAL_NAMES
