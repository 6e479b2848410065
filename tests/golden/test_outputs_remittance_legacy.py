"""The remittances of the legacy cycles of tests/golden/test_legacy_cycles.py, by hand.

PE-1 (see that module's docstring for the money):
- 1001: void C1 reverses H1 (−186.00), original C2 430.00; refund RF2 (40.00) acknowledged as
  72 −40.00 and recovered with R702's offset as WO OP702 +100.00; R703's offset WO OP703 +184.00.
  244.00 − (−40.00 + 100.00 + 184.00) = 0.00: a zero-pay 835 (BPR*H, NON).
- 1002: C3 reverses H2 (−300.00) and pays 225.00, C4 pays 480.00 with 2.04 interest (L6 −2.04);
  R700's offset WO OP700 +150.00. 405.00 − (−2.04 + 150.00) = 257.04, check 7001.
- 1003: C5 reverses H3 (−120.00) and pays 150.00; R701's 10.00 released as E3 UP701 −10.00.
  30.00 − (−10.00) = 40.00, check 7002.
PE-2: 1001 C7 200.00, R703's last 116.00 recovered (WO OP703 +116.00) → 84.00; 1002's void C8
reverses C4 (paid by PE-1: −480.00) → a new OverPayment forwarded as FB −480.00 under the 835's
own TRN02, BPR*H.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from tests.golden.test_legacy_cycles import _pay, legacy_documents

from paymentprocess.io.load import load_documents
from paymentprocess.outputs.gather import read_remit_inputs
from paymentprocess.outputs.remittance import Remittances, build_remittances


def _remits(engine: Engine, event: str) -> Remittances:
    with engine.connect() as conn:
        return build_remittances(read_remit_inputs(conn, event))


def _by_payee(remits: Remittances) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for h in remits.headers.iter_rows(named=True):
        pc = h["payment_center_id"]
        items = remits.items.filter(remits.items["payment_center_id"] == pc)
        plb = remits.plb.filter(remits.plb["payment_center_id"] == pc)
        out[pc] = {
            "bpr": (h["bpr04"], h["net_pay"], h["trn02"]),
            "items": sorted(items.select("kind", "claim_core_id", "clp04").rows()),
            "plb": plb.select("code", "reference", "amount").rows(),
        }
    return out


def test_legacy_cycles_remit_what_was_paid(engine: Engine) -> None:
    load_documents(engine, legacy_documents(), notes=[])
    _pay(engine, "PE-1")
    assert _by_payee(_remits(engine, "PE-1")) == {
        1001: {
            "bpr": ("NON", 0, None),
            "items": [("claim", "C2", 43000), ("reversal", "H1", -18600)],
            "plb": [("72", "RF2", -4000), ("WO", "OP702", 10000), ("WO", "OP703", 18400)],
        },
        1002: {
            "bpr": ("CHK", 25704, "7001"),
            "items": [("claim", "C3", 22500), ("claim", "C4", 48000), ("reversal", "H2", -30000)],
            "plb": [("L6", None, -204), ("WO", "OP700", 15000)],
        },
        1003: {
            "bpr": ("CHK", 4000, "7002"),
            "items": [("claim", "C5", 15000), ("reversal", "H3", -12000)],
            "plb": [("E3", "UP701", -1000)],
        },
    }
    _pay(engine, "PE-2")
    assert _by_payee(_remits(engine, "PE-2")) == {
        1001: {
            "bpr": ("ACH", 8400, "7003"),
            "items": [("claim", "C7", 20000)],
            "plb": [("WO", "OP703", 11600)],
        },
        1002: {
            "bpr": ("NON", 0, None),
            "items": [("reversal", "C4", -48000)],
            "plb": [("FB", None, -48000)],
        },
    }
    # PE-1's remittances read again after PE-2 ran are unchanged (applications before PE-1's
    # first one only): regenerating PE-1's files gives the same bytes.
    assert _by_payee(_remits(engine, "PE-1"))[1001]["plb"] == [
        ("72", "RF2", -4000),
        ("WO", "OP702", 10000),
        ("WO", "OP703", 18400),
    ]
