"""The intake fields for the payment outputs reach the 835 (issue 13): claims posted to
`POST /claims` with a patient control number, the patient's name, line item control numbers and
modifiers, assigned to an event (`POST /payment-events`), paid by a Final Run and issued
(`POST /payment-events/{id}/outputs`) show CLP01, NM1*QC, REF*6R and SVC01's modifiers."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select
from tests.golden.test_legacy_cycles import _pay
from tests.integration.test_api_support import api_client, claim, line

from paymentprocess.storage import tables as t
from paymentprocess.synth.cycle import generate_cycle


def test_an_intake_claims_fields_appear_in_its_835(
    db_uri: str, engine: Engine, tmp_path: Path
) -> None:
    generate_cycle(engine, claims=200, seed=4, event_id="PE-G")
    pc, ev = t.payment_center, t.payment_event
    with engine.connect() as conn:
        payee_key = (
            conn.execute(
                select(pc.c.payee_key)
                .where(pc.c.payment_center_type == "Provider", pc.c.payee_key.like("%|%"))
                .order_by(pc.c.payment_center_id)
            )
            .scalars()
            .first()
        )
        funding = conn.execute(
            select(ev.c.funding_source_id).where(ev.c.payment_event_id == "PE-G")
        ).scalar_one()
        plan = (
            conn.execute(
                select(t.benefit_plan.c.benefit_plan_id).order_by(t.benefit_plan.c.benefit_plan_id)
            )
            .scalars()
            .first()
        )
    assert payee_key is not None
    tin, npi = payee_key.split("|")
    lines = [
        line(
            plan_group=plan,
            provider_npi=npi,
            service_date="2024-09-03",
            submitted_procedure="D2740",
            provider_fees="900.00",
            allowed_fees="700.00",
            member_coinsurance="0.00",
            line_item_control_number="LI-0001",
            modifiers="25:59",
        ),
        line(
            plan_group=plan,
            provider_npi=npi,
            service_date="2024-09-03",
            submitted_procedure="D0120",
        ),
    ]
    body = claim(
        *lines,
        provider_tin=tin,
        claim_reference="REF-835-1",
        patient_control_number="ACCT-55012",
        patient_first_name="Mary",
        patient_last_name="O'Brien",
    )
    event = {
        "payment_event_id": "PE-I",
        "event_type": "Provider",
        "payment_due_date": "2024-10-15",
        "funding_source_id": funding,
    }
    with api_client(db_uri, engine=engine, output_dir=tmp_path) as client:
        posted = client.post("/claims", json=body)
        assert posted.status_code == 201, posted.text
        created = client.post("/payment-events", json=event)
        assert created.status_code == 201, created.text
        assert created.json()["claims_assigned"] == 1
        _pay(engine, "PE-I")
        issued = client.post("/payment-events/PE-I/outputs", json={"fhir": False})
    assert issued.status_code == 200, issued.text
    texts = [
        (tmp_path / "PE-I" / f["file_name"]).read_text()
        for f in issued.json()
        if f["kind"] == "835"
    ]
    segments = [seg.strip() for text in texts for seg in text.split("~") if seg.strip()]
    starts = [n for n, seg in enumerate(segments) if seg.startswith("CLP*ACCT-55012*")]
    assert len(starts) == 1, [seg for seg in segments if seg.startswith("CLP*")]
    # the claim's loop: from its CLP to the next CLP or the end of the transaction
    after = segments[starts[0] + 1 :]
    end = next(n for n, seg in enumerate(after) if seg.startswith(("CLP*", "SE*", "PLB*", "LX*")))
    loop = after[:end]
    assert "NM1*QC*1*O'Brien*Mary****MI*3730189502" in loop, loop
    svc = [seg.split("*")[1] for seg in loop if seg.startswith("SVC*")]
    assert [s.split(":")[1:] for s in svc] == [["D2740", "25", "59"], ["D0120"]], svc
    assert [seg for seg in loop if seg.startswith("REF*6R*")] == ["REF*6R*LI-0001"]
