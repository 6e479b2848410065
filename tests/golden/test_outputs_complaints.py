"""OUTPUTS.md §8 complaints 6–9 at pipeline level: a generated cycle paid and issued through
`issue_outputs` (the bulk 835 path), then re-issued, on both databases. Each assertion is one
public complaint about real 835s; each shape it needs is counted so the test cannot pass empty.

6. ISA fixed width and dates; ISA13 never reused (not even by a re-issue).
7. CARC codes only from our reference list (CO 45/94, PR 1/2/3, the configured other code).
8. PLB only at the provider level (after the last claim loop), CAS inside claim loops; every 835
   carries TRN, N1*PR and REF*TJ; no DTM*405 without a production date.
9. AMT*I ⇔ L6 with the opposite sign, no zero PLB amount, BPR02 = 0 ⇔ BPR01 H and BPR04 NON,
   TRN02 never repeated (zero-pay 835s NP + ISA13), an FB brought in names an earlier TRN02.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from tests.golden.test_legacy_cycles import _pay

from paymentprocess.outputs.issue import issue_outputs, reissue_outputs
from paymentprocess.outputs.remit_model import X12Settings
from paymentprocess.outputs.x12_text import parse_x12_amount
from paymentprocess.synth.cycle import generate_cycle

OA23 = X12Settings(other_adjustment_cas="OA:23")
NOW = datetime(2026, 2, 2, 8, 30)


def _segments(content: bytes) -> list[list[str]]:
    return [s.strip("\n").split("*") for s in content.decode("ascii").split("~") if s.strip()]


def test_generated_835s_answer_the_public_complaints(engine: Engine, tmp_path: Path) -> None:
    generate_cycle(engine, claims=1500, seed=3, event_id="PE-C")
    _pay(engine, "PE-C")
    first = issue_outputs(engine, "PE-C", tmp_path / "a", now=NOW, x12=OA23)
    again = reissue_outputs(engine, "PE-C", tmp_path / "b", reason="test", now=NOW, x12=OA23)
    seen = {"interest": 0, "zero": 0, "fb_in": 0, "plb": 0, "tj": 0}
    isa13s: list[str] = []
    trn02s: list[str] = []
    for report in (first, again):
        for f in (f for f in report.files if f.kind == "835"):
            text = f.content.decode("ascii")
            segs = _segments(f.content)
            tags = [s[0] for s in segs]
            # 6: ISA is 106 characters with its terminator, ISA09 YYMMDD, ISA10 HHMM
            isa = text[:106]
            assert len(isa.split("*")) == 17, f.path
            assert isa.endswith("~"), f.path
            assert re.fullmatch(r"\d{6}", segs[0][9]), f.path
            assert re.fullmatch(r"\d{4}", segs[0][10]), f.path
            isa13s.append(segs[0][13])
            # 7: reason codes from our list only
            for s in segs:
                if s[0] == "CAS":
                    assert s[1] in {"CO", "PR", "OA"}, (f.path, s)
                    assert set(s[2::3]) - {""} <= {"1", "2", "3", "16", "45", "94", "23"}, s
            # 8: PLB only after the last claim loop; TRN, N1*PR (and REF*TJ when a TIN) present
            if "PLB" in tags:
                seen["plb"] += 1
                last_claim_seg = max(
                    (i for i, t in enumerate(tags) if t in {"CLP", "SVC", "CAS", "AMT", "DTM"}),
                    default=0,
                )
                assert min(i for i, t in enumerate(tags) if t == "PLB") > last_claim_seg
            assert tags.count("TRN") == 1
            assert segs[tags.index("N1")][:2] == ["N1", "PR"]
            seen["tj"] += sum(1 for s in segs if s[:2] == ["REF", "TJ"])
            assert not any(s[:2] == ["DTM", "405"] for s in segs)
            # 9: AMT*I ⇔ L6, no zero PLB amount, BPR rules, TRN02 never repeated
            interest = sum(parse_x12_amount(s[2]) for s in segs if s[:2] == ["AMT", "I"])
            pairs = [
                (code.split(":")[0], code.split(":")[1] if ":" in code else "", amount)
                for s in segs
                if s[0] == "PLB"
                for code, amount in zip(s[3::2], s[4::2], strict=True)
            ]
            l6 = sum(parse_x12_amount(a) for c, _, a in pairs if c == "L6")
            assert l6 == -interest, f.path
            assert all(parse_x12_amount(a) != 0 for _, _, a in pairs)
            seen["interest"] += interest > 0
            bpr = segs[tags.index("BPR")]
            paid = parse_x12_amount(bpr[2])
            assert (paid == 0) == (bpr[1] == "H") == (bpr[4] == "NON"), f.path
            trn02 = segs[tags.index("TRN")][2]
            if paid == 0:
                seen["zero"] += 1
                assert trn02 == "NP" + segs[0][13].lstrip("0"), f.path
            trn02s.append(trn02)
            for code, ref, amount in pairs:
                if code == "FB" and parse_x12_amount(amount) > 0:
                    seen["fb_in"] += 1
                    assert ref, f.path  # names the remittance that forwarded it
    assert len(isa13s) == len(set(isa13s))  # the re-issue took new ISA13s
    per_issue = len(trn02s) // 2
    assert len(set(trn02s[:per_issue])) == per_issue  # within one issue, never repeated
    assert seen["interest"] > 0, seen
    assert seen["zero"] > 0, seen
    assert seen["plb"] > 0, seen
    assert seen["tj"] > 0, seen
