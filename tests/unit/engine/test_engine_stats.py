"""Stage `stats` on hand-written frames: the PaymentEventStats document's totals, counts and
payee list (amounts as exact decimal text; member payees without an id shown by pseudonym)."""

from __future__ import annotations

import polars as pl
from tests.unit.engine.test_engine_stages import _cfg

from paymentprocess.domain.claim_counts import count_claims
from paymentprocess.domain.columns import PAYEE_RESULT
from paymentprocess.domain.payee_keys import stats_key
from paymentprocess.engine import stats


def _payees() -> pl.DataFrame:
    rows = [  # key, id, new, claims_net, interest, carried_in, offsets, new_op, held, net_pay
        ("MEMBER-7", None, True, 1_234_567_890_12, 1, 0, 0, 0, 0, 1_234_567_890_13),
        ("MEMBER-3", 30, False, 450, 0, 0, 0, 0, 450, 0),
        ("MEMBER-5", 5, False, -4_000, 0, 0, 0, 4_000, 0, 0),
    ]
    return pl.DataFrame(
        rows, schema=["payee_key", "payment_center_id", "is_new", *PAYEE_RESULT], orient="row"
    )


def test_totals_counts_and_payees() -> None:
    claims = pl.DataFrame(
        {"frequency_code": ["1", "7", "1", None], "outcome": ["paid", "paid", "held", "excluded"]}
    )
    counts = count_claims(claims)
    doc = stats.build_document(_cfg(event_type="DMR"), "Completed", counts, _payees(), [], {})
    # claims net 1234567890.12 + 4.50 − 40.00 = 1234567854.62; paid 1234567890.13 (net + 1 cent)
    assert doc["totals"] == {
        "claims_net": "1234567854.62", "interest": "0.01", "carried_in": "0.00",
        "offsets": "0.00", "new_overpayment": "40.00", "held": "4.50", "paid": "1234567890.13",
    }  # fmt: skip
    assert doc["counts"] == {
        "claims": 4,
        "by_frequency_code": {"": 1, "1": 2, "7": 1},
        "by_outcome": {"paid": 2, "held": 1, "excluded": 1},
        "payees": {"total": 3, "old": 2, "new": 1, "paid": 1, "held": 1, "overpaid": 1},
    }
    # by PaymentCenter_ID, the new payee last, shown by its pseudonym (never the member id)
    assert [p["payment_center_id"] for p in doc["payees"]] == [5, 30, None]
    assert doc["payees"][2]["key"] == stats_key("MEMBER-7", "DMR")
    assert "MEMBER-7" not in str(doc)
    assert doc["payees"][0]["new_overpayment"] == "40.00"
    assert doc["payees"][0]["claims_net"] == "-40.00"


def test_a_run_stopped_before_computing_has_zero_totals_and_no_payees() -> None:
    doc = stats.build_document(_cfg(), "Blocked", None, None, [], {"load": 3})
    assert set(doc["totals"].values()) == {"0.00"}
    assert (doc["payees"], doc["counts"]["claims"], doc["timings_ms"]) == ([], 0, {"load": 3})
