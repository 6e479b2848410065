"""`/payment-events/{id}/outputs` over HTTP, on both databases: issue a paid generated cycle's
files (PAYMENT_OTHER_ADJUSTMENT_CAS read from the service's settings, as the CLI reads it), list
them, download one and compare it with the file on disk, and the answers to what cannot be done
(not Final, unknown file, a file changed on disk, data changed after issue)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import Engine, update
from tests.golden.test_legacy_cycles import _pay
from tests.integration.test_api_support import api_client

from paymentprocess.storage import tables as t
from paymentprocess.synth.cycle import generate_cycle


def test_outputs_issue_list_download_and_refuse(
    db_uri: str, engine: Engine, tmp_path: Path
) -> None:
    generate_cycle(engine, claims=300, seed=4, event_id="PE-H")
    settings = {"output_dir": tmp_path, "other_adjustment_cas": "OA:23"}
    with api_client(db_uri, engine=engine, **settings) as client:
        early = client.post("/payment-events/PE-H/outputs")
        _pay(engine, "PE-H")
        issued = client.post("/payment-events/PE-H/outputs", json={"fhir": False})
        listed = client.get("/payment-events/PE-H/outputs")
        files = issued.json()
        one = next(f for f in files if f["kind"] == "835")
        download = client.get(f"/payment-events/PE-H/outputs/{one['output_file_id']}")
        unknown = client.get("/payment-events/PE-H/outputs/999999")
        on_disk = tmp_path / "PE-H" / one["file_name"]
        on_disk.write_bytes(on_disk.read_bytes() + b"x")
        changed = client.get(f"/payment-events/PE-H/outputs/{one['output_file_id']}")
        again = client.post("/payment-events/PE-H/outputs")  # rewrites the issued bytes
        restored = client.get(f"/payment-events/PE-H/outputs/{one['output_file_id']}")
        with engine.begin() as conn:
            conn.execute(update(t.payment_center).values(vendor_name="Renamed"))
        drift = client.post("/payment-events/PE-H/outputs")
    assert early.status_code == 409
    assert "Final" in early.json()["detail"][0]["message"]
    assert issued.status_code == 200
    assert {f["kind"] for f in files} >= {"835", "ACH"}
    assert listed.json() == files
    assert download.status_code == 200
    assert download.content == restored.content
    assert hashlib.sha256(download.content).hexdigest() == one["sha256"]
    assert download.content.startswith(b"ISA*00*")
    assert unknown.status_code == 404
    assert changed.status_code == 409
    assert again.status_code == 200
    assert again.json() == files
    assert drift.status_code == 409
    assert "OUTPUT_DRIFT" in drift.json()["detail"][0]["message"]
