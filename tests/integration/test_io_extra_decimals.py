"""Unknown fields keep their decimals exactly through load → database → export, on SQLite and
PostgreSQL: `{"$numberDecimal": "12.30"}` comes back as that wrapper, a relaxed 0.1 as 0.1 (not
the binary double nearest to it), 12.30 with its trailing zero, a 21-digit decimal whole — in
kept top-level fields and inside nested objects and lists; loading the export into a second
database and exporting again gives the same text."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from paymentprocess.io.export import export_directory
from paymentprocess.io.load import load_directory
from paymentprocess.storage.database import create_engine_for

DOCUMENT = (
    '{"BenefitPlan_ID": "BP1", "Name": "Gold", '
    '"Cap": {"$numberDecimal": "12.30"}, "Factor": 0.1, "Ratio": 12.30, '
    '"Tier": {"level": 2, "steps": [0.10, 2.500, -0.0], "exact": 0.123456789012345678901}}'
)


def test_unknown_decimals_come_back_digit_for_digit(
    engine: Engine, copy_db_uri: str, tmp_path: Path
) -> None:
    source = tmp_path / "in"
    source.mkdir()
    (source / "BenefitPlan.json").write_text(DOCUMENT + "\n", encoding="utf-8")
    assert load_directory(engine, source)["BenefitPlan"] == 1
    export_directory(engine, tmp_path / "out", fmt="jsonl")
    exported = (tmp_path / "out" / "BenefitPlan.json").read_text(encoding="utf-8")
    line = exported.splitlines()[0]
    for part in (
        '"Cap": {"$numberDecimal": "12.30"}',
        '"Factor": 0.1',
        '"Ratio": 12.30',
        '"Tier": {"level": 2, "steps": [0.10, 2.500, -0.0], "exact": 0.123456789012345678901}',
    ):
        assert part in line, (part, line)
    copy = create_engine_for(copy_db_uri)
    try:
        load_directory(copy, tmp_path / "out")
        export_directory(copy, tmp_path / "again", fmt="jsonl")
    finally:
        copy.dispose()
    assert (tmp_path / "again" / "BenefitPlan.json").read_text(encoding="utf-8") == exported
