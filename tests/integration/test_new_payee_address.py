"""A payee a Final Run creates takes its Address from its claim's BillingProviderAddress in parts,
in the engine and in the per-claim reference alike (tests/engine_harness.py compares the new
payees' VendorName and Line1, Line2, City, State, Zip), on both databases."""

from __future__ import annotations

from sqlalchemy import Engine, select
from tests.engine_harness import run_both
from tests.golden import builders as b

from paymentprocess.storage import tables as t


def test_new_payees_take_the_parts_of_their_claims_addresses(engine: Engine) -> None:
    docs = b.cycle()
    docs["ClaimFinCore"] = [
        b.claim("C1", b.line("10.00"), tax=b.TIN_A, npi=b.NPI_A,
                BillingProviderAddress={"Line1": "88 Harbor Rd", "Line2": "Unit 4", "City":
                                        "Evanston", "State": "IL", "Zip": "60202", "Dock": "B"}),
        b.claim("C2", b.line("20.00"), tax=b.TIN_B, npi=b.NPI_B,
                BillingProviderAddress="12 Elm St, Skokie, IL 60077-1234"),
        b.claim("C0", b.line("5.00"), tax=b.TIN_B, npi=b.NPI_B,  # the smallest id: its address
                BillingProviderAddress="7 Oak Ave, Suite 2, Niles, IL 60714"),
        b.claim("C3", b.line("30.00"), tax=b.TIN_C, npi=b.NPI_C,
                BillingProviderAddress="somewhere near the lake"),
    ]  # fmt: skip
    _, final = run_both(engine, docs, "PE-1")
    assert final.document["status"] == "Completed"
    pc = t.payment_center
    with engine.connect() as conn:
        rows = conn.execute(
            select(pc.c.payee_key, pc.c.address_line1, pc.c.address_line2, pc.c.address_city,
                   pc.c.address_state, pc.c.address_zip).order_by(pc.c.payee_key)
        ).all()  # fmt: skip
    assert [tuple(r) for r in rows] == [
        (b.KEY_A, "88 Harbor Rd", "Unit 4", "Evanston", "IL", "60202"),
        (b.KEY_B, "7 Oak Ave", "Suite 2", "Niles", "IL", "60714"),
        (b.KEY_C, "somewhere near the lake", None, None, None, None),
    ]
