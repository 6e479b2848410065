"""Finding codes are written down once (domain.finding_codes.FindingCode): every rule declares
the codes it emits, the registry declares each code exactly once and in the listing order, and a
rule that emits a code it did not declare stops the run."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import pytest
from tests.unit.engine.test_engine_stages import _cfg

from paymentprocess.domain.cycle import CycleData
from paymentprocess.domain.finding_codes import FINDING_ORDER, FindingCode
from paymentprocess.domain.findings import Finding
from paymentprocess.engine.validate import run_rules
from paymentprocess.reference.validation import finding
from paymentprocess.rules import DEFAULT_RULES
from paymentprocess.rules.base import RuleContext
from paymentprocess.rules.identifiers import InvalidNpiTin

VALID_NPI = "1234567893"  # the CMS example: Luhn over 80840 + NPI holds


def _ctx(claims: pl.DataFrame, mode: str = "final") -> RuleContext:
    empty = pl.DataFrame()
    data = CycleData(claims, empty, empty, empty, empty, empty, empty, 0, 0, 0)
    return RuleContext(cfg=_cfg(mode), data=data, claims=claims, lines=empty)


def test_the_registry_declares_every_code_once_in_the_listing_order() -> None:
    declared = [code for rule in DEFAULT_RULES for code in rule.codes]
    assert declared == list(FINDING_ORDER) == list(FindingCode)
    assert len(FINDING_ORDER) == 25
    assert FindingCode.INVALID_TIN == "INVALID_TIN"  # a member is the code's text


def test_invalid_npi_tin_declares_both_codes_it_emits() -> None:
    claims = pl.DataFrame(
        {"claim_core_id": ["C1", "C2", "C3"], "npi": ["1234567890", VALID_NPI, VALID_NPI],
         "tax_id": ["123456789", "12345", "123456789"]}
    )  # fmt: skip
    found = InvalidNpiTin().check(_ctx(claims))
    assert [(f.code, f.count, f.sample_ids) for f in found] == [
        ("INVALID_NPI", 1, ["C1"]),
        ("INVALID_TIN", 1, ["C2"]),
    ]
    assert {f.code for f in found} == set(InvalidNpiTin().codes)
    assert run_rules(_ctx(claims), results=False, rules=(InvalidNpiTin(),)) == found


@dataclass(frozen=True)
class _Rogue:
    codes: tuple[FindingCode, ...] = (FindingCode.NEGATIVE_AMOUNT,)
    needs_results: bool = False
    cycle_level: bool = False

    def check(self, ctx: RuleContext) -> list[Finding]:
        return [
            Finding("NEGATIVE_AMOUNT", "Warning", 1, "m"),
            Finding("INVALID_TIN", "Info", 1, "m"),
        ]


def test_a_rule_emitting_a_code_it_does_not_declare_stops_the_run() -> None:
    with pytest.raises(
        TypeError, match="_Rogue emitted INVALID_TIN but declares only NEGATIVE_AMOUNT"
    ):
        run_rules(_ctx(pl.DataFrame({"claim_core_id": ["C1"]})), results=False, rules=(_Rogue(),))


def test_severity_follows_the_mode_where_the_table_says_so() -> None:
    assert FindingCode.EFT_BANK_INVALID.severity_in("final") == "Critical"
    assert FindingCode.EFT_BANK_INVALID.severity_in("dry-run") == "Warning"
    assert FindingCode.SEQUENCE_MISMATCH.severity_in("dry-run") == "Critical"
    # the reference takes severity and summary from the same table
    ref = finding(FindingCode.PAYEE_ADDRESS_MISSING, ["2", "1", "2"], "dry-run")
    assert (ref.severity, ref.count, ref.sample_ids) == ("Warning", 2, ("1", "2"))
    assert ref.message == FindingCode.PAYEE_ADDRESS_MISSING.summary
