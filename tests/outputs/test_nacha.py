"""The NACHA renderer and our checker, against hand-written records and achkit 0.2.0.

Regression tests for the public complaints of OUTPUTS.md §8 items 1–5 and 10 are named
`test_complaint_<n>_…`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

import achkit
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum.us import rtn
from tests.outputs.nacha_builders import (
    HEADER,
    ODFI,
    ORIGINATOR,
    PAYER_TIN,
    aba,
    member,
    provider,
    spec,
)

from paymentprocess.domain.identifiers import routing_number_valid
from paymentprocess.outputs.nacha import (
    AchEntry,
    AchFileInput,
    NachaFile,
    render_nacha,
    trn_segment,
)
from paymentprocess.outputs.nacha_check import check_nacha
from paymentprocess.outputs.problems import OutputDataError


def _achkit(content: bytes) -> dict[str, object]:
    return achkit.validate(content.decode("ascii"))


def _records(f: NachaFile) -> list[str]:
    return f.content.decode("ascii").split("\n")[:-1]


def _codes(content: bytes) -> set[str]:
    return {p.code for p in check_nacha(content)}


def _refusal(s: AchFileInput, **kwargs: object) -> OutputDataError:
    with pytest.raises(OutputDataError) as caught:
        render_nacha(s, **kwargs)  # type: ignore[arg-type]
    return caught.value


HAND_SPEC = spec(
    AchEntry(
        payment_id="PE-1:42",
        payment_center_id=42,
        payee_name="Smile Dental, P.C.",
        rdfi_routing="021000021",
        account_number="55554444",
        account_type="C",
        amount_cents=5323,
        kind="provider",
        trn_segment="TRN*1*1001*1987654321",
    ),
    AchEntry(
        payment_id="PE-1:99",
        payment_center_id=99,
        payee_name="Jane Q Public",
        rdfi_routing="026009593",
        account_number="9876543210",
        account_type="C",
        amount_cents=2500,
        kind="member",
    ),
    AchEntry(
        payment_id="PE-1:7",
        payment_center_id=7,
        payee_name="Élan Orthodontics",
        rdfi_routing="011000015",
        account_number="000123456789",
        account_type="S",
        amount_cents=120000,
        kind="provider",
        trn_segment="TRN*1*1002*1987654321*FS2~",  # the 835's segment with its terminator
    ),
)
HAND_RECORDS = [
    # 1 file header: priority 01, ' '+destination, origin, YYMMDD, HHMM, modifier, 094, 10, 1
    "1"
    "01"
    " 091000019"
    "1987654321"
    "260114"
    "1605"
    "B"
    "094"
    "10"
    "1" + "WELLS FARGO".ljust(23) + "ACME HEALTH PLAN".ljust(23) + " " * 8,
    # 5 CCD batch 1: 220, company name 16, discretionary 20, company id, CCD, HCCLAIMPMT
    "5"
    "220"
    "ACME HEALTH PLAN" + " " * 20 + "1987654321"
    "CCD"
    "HCCLAIMPMT" + " " * 6 + "260115" + "   " + "1"
    "12100024"
    "0000001",
    # 6 savings (32) entry of payee 7, RDFI 01100001 check digit 5, trace ODFI + 0000001
    "6"
    "32"
    "01100001"
    "5"
    + "000123456789".ljust(17)
    + "0000120000"
    + "7".ljust(15)
    + "ELAN ORTHODONTICS".ljust(22)
    + "  "
    "1"
    "121000240000001",
    # 7 its addenda: the TRN with TRN04, `\` terminator, sequence 0001, entry sequence
    "705" + "TRN*1*1002*1987654321*FS2\\".ljust(80) + "00010000001",
    "6"
    "22"
    "02100002"
    "1"
    + "55554444".ljust(17)
    + "0000005323"
    + "42".ljust(15)
    + "SMILE DENTAL, P.C.".ljust(22)
    + "  "
    "1"
    "121000240000002",
    "705" + "TRN*1*1001*1987654321\\".ljust(80) + "00010000002",
    # 8 batch control: 4 entries+addenda, hash 01100001+02100002, credit 1253.23
    "822000000400032000030000000000000000001253231987654321" + " " * 25 + "121000240000001",
    # 5 PPD batch 2 for members
    "5"
    "220"
    "ACME HEALTH PLAN" + " " * 20 + "1987654321"
    "PPD"
    "CLAIMREIMB" + " " * 6 + "260115" + "   " + "1"
    "12100024"
    "0000002",
    "6"
    "22"
    "02600959"
    "3" + "9876543210".ljust(17) + "0000002500" + "99".ljust(15) + "JANE Q PUBLIC".ljust(22) + "  "
    "0"
    "121000240000003",
    "822000000100026009590000000000000000000025001987654321" + " " * 25 + "121000240000002",
    # 9 file control: 2 batches, 2 blocks, 5 entries+addenda, hash, debit 0, credit 1278.23
    "9000002000002000000050005800962000000000000000000127823" + " " * 39,
    *["9" * 94] * 9,
]


def test_hand_built_file_equals_hand_written_records_byte_for_byte() -> None:
    f = render_nacha(HAND_SPEC)
    assert all(len(r) == 94 for r in HAND_RECORDS)
    assert f.content == "".join(r + "\n" for r in HAND_RECORDS).encode("ascii")
    assert [(t.payment_id, t.trace_number) for t in f.traces] == [
        ("PE-1:7", "121000240000001"),
        ("PE-1:42", "121000240000002"),
        ("PE-1:99", "121000240000003"),
    ]
    assert f.trace_of("PE-1:42") == "121000240000002"
    assert (f.entry_count, f.addenda_count, f.total_credit_cents) == (3, 2, 127823)
    assert (f.entry_hash, f.record_count, f.block_count) == ("0005800962", 20, 2)
    assert _achkit(f.content) == {"ok": True, "errors": []}
    assert (
        check_nacha(
            f.content,
            expected_credit_cents=127823,
            expected_trn={42: "TRN*1*1001*1987654321", 7: "TRN*1*1002*1987654321*FS2"},
        )
        == []
    )


def test_rendering_is_deterministic_and_crlf_is_a_setting() -> None:
    lf = render_nacha(HAND_SPEC)
    assert render_nacha(replace(HAND_SPEC, entries=HAND_SPEC.entries[::-1])).content == lf.content
    crlf = render_nacha(HAND_SPEC, line_ending="\r\n")
    assert crlf.content == lf.content.replace(b"\n", b"\r\n")
    assert check_nacha(crlf.content) == []
    assert _achkit(crlf.content)["ok"] is True


def _set_field(record: int, start: int, text: str) -> Callable[[list[str]], None]:
    """A mutation: overwrite record `record` (1-based) from 1-based position `start`."""

    def change(records: list[str]) -> None:
        r = records[record - 1]
        records[record - 1] = r[: start - 1] + text + r[start - 1 + len(text) :]

    return change


# (mutation, a code our checker must report, whether achkit 0.2.0 notices it)
MUTATIONS: dict[str, tuple[Callable[[list[str]], None], str, bool]] = {
    "entry amount changed": (_set_field(3, 30, "0000120001"), "BATCH_CREDIT", True),
    "batch count wrong": (_set_field(7, 5, "000005"), "BATCH_COUNT", True),
    "batch hash wrong": (_set_field(7, 11, "0003200004"), "BATCH_HASH", True),
    "file hash wrong": (_set_field(11, 22, "0005800961"), "FILE_HASH", True),
    "file credit wrong": (_set_field(11, 44, "000000127824"), "FILE_CREDIT", True),
    "block count wrong": (_set_field(11, 8, "000001"), "BLOCK_COUNT", True),
    "batch count of file wrong": (_set_field(11, 2, "000003"), "FILE_BATCH_COUNT", True),
    "routing check digit wrong": (_set_field(3, 12, "6"), "ROUTING_CHECK_DIGIT", True),
    "record one byte short": (lambda rs: rs.__setitem__(1, rs[1][:-1]), "RECORD_LENGTH", True),
    "padding record dropped": (lambda rs: rs.pop(), "BLOCKING", True),
    "debit entry code": (_set_field(5, 2, "27"), "TXN_CODE", True),
    "zero-dollar entry (achkit misses it)": (_set_field(9, 30, "0000000000"), "ZERO_AMOUNT", False),
    "trace from the destination": (_set_field(3, 80, "09100001"), "TRACE_ODFI", False),
    "traces out of order": (_set_field(5, 80, "121000240000001"), "TRACE_ORDER", False),
    "addenda entry sequence wrong": (_set_field(4, 88, "0000009"), "ADDENDA_SEQUENCE", False),
    "addenda indicator off with addenda": (_set_field(3, 79, "0"), "ADDENDA_INDICATOR", False),
    "addenda indicator on in PPD": (_set_field(9, 79, "1"), "ADDENDA_INDICATOR", False),
    "SEC code WEB": (_set_field(2, 51, "WEB"), "SEC_CODE", False),
    "description not HCCLAIMPMT": (_set_field(2, 54, "PAYROLL   "), "SEC_CODE", False),
    "addenda TRN terminator stripped": (_set_field(4, 29, " "), "ADDENDA_TRN", False),
    "lower-case / non-ASCII byte": (_set_field(3, 55, "É"), "NON_ASCII", False),
    "batch number skipped": (_set_field(8, 88, "0000003"), "BATCH_NUMBER", False),
    "lower-case name": (_set_field(3, 56, "lan"), "LOWER_CASE", False),
    "effective date a Saturday": (_set_field(2, 70, "260117"), "EFFECTIVE_DATE", False),
    "effective date not a date": (_set_field(8, 70, "261315"), "FIELD_FORMAT", False),
    "filler inside the file": (lambda rs: rs.insert(7, "9" * 94) or rs.pop(), "PADDING", False),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_mutated_file_is_rejected_by_our_checker_and_achkit_where_it_can(name: str) -> None:
    mutate, code, achkit_sees_it = MUTATIONS[name]
    records = list(HAND_RECORDS)
    mutate(records)
    content = "".join(r + "\n" for r in records).encode("utf-8")
    assert code in _codes(content), (name, check_nacha(content))
    if achkit_sees_it:
        assert _achkit(content)["ok"] is False, name
    if code == "ZERO_AMOUNT":  # complaint 10: pinned achkit accepts a $0 `22` once totals match
        fixed = list(records)
        _set_field(10, 33, "000000000000")(fixed)
        _set_field(11, 44, "000000125323")(fixed)
        fixed_content = "".join(r + "\n" for r in fixed).encode("ascii")
        assert _achkit(fixed_content) == {"ok": True, "errors": []}
        assert _codes(fixed_content) == {"ZERO_AMOUNT"}


def test_complaint_1_entry_hash_over_ten_digits_keeps_the_rightmost_ten() -> None:
    routings = [aba(f"3222{k:04d}") for k in range(400)]  # 32,220,000 … 32,220,399
    entries = [provider(k + 1, 100 + k, routing=r) for k, r in enumerate(routings)]
    f = render_nacha(spec(*entries))
    total = sum(int(r[:8]) for r in routings)
    assert len(str(total)) == 11
    assert f.entry_hash == str(total)[-10:]
    records = _records(f)
    batch_control = next(r for r in records if r[0] == "8")
    file_control = next(r for r in records if r[0] == "9" and r != "9" * 94)
    assert batch_control[10:20] == str(total)[-10:]
    assert file_control[21:31] == str(total)[-10:]
    assert _achkit(f.content)["ok"] is True
    assert check_nacha(f.content) == []


@pytest.mark.parametrize(
    ("members", "records", "blocks"),
    [(6, 10, 1), (5, 9, 1), (7, 11, 2)],  # 1 + 1 + members + 1 + 1 records before padding
)
def test_complaint_2_block_count_and_nine_padding(members: int, records: int, blocks: int) -> None:
    f = render_nacha(spec(*[member(k, 1000 + k) for k in range(1, members + 1)]))
    lines = _records(f)
    assert len(lines) == blocks * 10
    assert lines[records - 1][0] == "9"
    assert lines[records - 1] != "9" * 94
    assert lines[records:] == ["9" * 94] * (blocks * 10 - records)
    assert lines[records - 1][7:13] == f"{blocks:06d}"
    assert (f.record_count, f.block_count) == (blocks * 10, blocks)
    assert _achkit(f.content)["ok"] is True
    assert check_nacha(f.content) == []


def test_complaint_3_trace_from_odfi_and_addenda_sequence_from_entry_trace() -> None:
    f = render_nacha(spec(provider(5, 100), provider(3, 200), member(4, 300), provider(9, 400)))
    lines = _records(f)
    entries = [r for r in lines if r[0] == "6"]
    addenda = [r for r in lines if r[0] == "7"]
    traces = [r[79:94] for r in entries]
    assert HEADER.immediate_destination[:8] != ODFI[:8]
    assert all(t.startswith(ODFI[:8]) for t in traces)
    assert traces == sorted(traces)
    assert len(set(traces)) == len(traces)
    assert [r[39:54].strip() for r in entries] == ["3", "5", "9", "4"]  # CCD by id, then PPD
    assert [a[87:94] for a in addenda] == [t[-7:] for t in traces[:3]]
    assert all(a[83:87] == "0001" for a in addenda)
    assert [t.trace_number for t in f.traces] == traces


def test_complaint_4_zero_and_negative_entries_are_refused_naming_the_payee() -> None:
    err = _refusal(spec(provider(1, 500), provider(2, 0), member(3, -5)))
    assert [(p.code, p.payee_id) for p in err.problems] == [
        ("ACH_ZERO_AMOUNT", 2),
        ("ACH_ZERO_AMOUNT", 3),
    ]
    assert err.kind == "ACH"
    assert err.payee_ids == [2, 3]
    assert "700002" not in str(err)  # the account number never appears


def test_complaint_5_addenda_indicator_matches_addenda_and_text_is_ascii() -> None:
    odd = "José\u00a0Müller\u200b Ø&Co\t Straße ﬁrm"
    f = render_nacha(spec(provider(1, 100, name=odd), member(2, 200)))
    lines = _records(f)
    entry, addenda, ppd_entry = lines[2], lines[3], lines[6]
    assert entry[78] == "1"
    assert addenda[0] == "7"
    assert ppd_entry[78] == "0"
    assert lines[7][0] == "8"  # no addenda after the member entry
    assert entry[54:76] == "JOSE MULLER O&CO STRAS"
    assert f.content.isascii()
    assert all(0x20 <= b <= 0x7E or b == 0x0A for b in f.content)


def test_savings_is_32_and_checking_is_22() -> None:
    f = render_nacha(
        spec(provider(1, 100, account_type="S"), provider(2, 100), member(3, 100, account_type="S"))
    )
    entries = [r for r in _records(f) if r[0] == "6"]
    assert [r[1:3] for r in entries] == ["32", "22", "32"]


def test_members_go_in_a_ppd_batch_without_addenda() -> None:
    f = render_nacha(spec(member(8, 100), member(2, 250)))
    lines = _records(f)
    assert [r[0] for r in lines[:6]] == ["1", "5", "6", "6", "8", "9"]
    assert lines[1][50:63] == "PPDCLAIMREIMB"
    assert lines[1][87:94] == "0000001"  # the only batch is batch 1
    assert [r[78] for r in lines[2:4]] == ["0", "0"]
    assert lines[4][4:10] == "000002"
    assert f.addenda_count == 0
    assert check_nacha(f.content) == []


def test_bad_bank_data_is_refused_with_every_problem_and_no_account_number() -> None:
    s = spec(
        provider(1, 100, routing="021000022"),  # check digit wrong
        replace(provider(2, 100), account_number=" - "),
        replace(provider(3, 100), account_type="X"),
        replace(provider(4, 100), trn_segment=None),
        replace(member(5, 100), account_number="1" * 18),
        replace(member(6, 100), payee_name="\u200b"),
        provider(1, 100),
    )
    err = _refusal(s)
    assert [(p.code, p.payee_id, p.field) for p in err.problems] == [
        ("ACH_ROUTING_INVALID", 1, "rdfi_routing"),
        ("ACH_ACCOUNT_MISSING", 2, "account_number"),
        ("ACH_ACCOUNT_TYPE_INVALID", 3, "account_type"),
        ("ACH_TRN_MISSING", 4, "trn_segment"),
        ("ACH_ACCOUNT_MISSING", 5, "account_number"),
        ("ACH_PAYEE_NAME_MISSING", 6, "payee_name"),
        ("ACH_DUPLICATE_PAYEE", 1, "payment_center_id"),
    ]
    text = str(err)
    assert "700001" not in text
    assert "1" * 18 not in text


def test_weekend_and_configured_holiday_effective_dates_are_refused() -> None:
    saturday = _refusal(spec(provider(1, 100), effective_date=date(2026, 1, 17)))
    assert [p.code for p in saturday.problems] == ["ACH_DATE_NOT_BANKING_DAY"]
    assert "Saturday" in str(saturday)
    assert "next banking day 2026-01-19" in str(saturday)
    mlk = date(2026, 1, 19)
    holiday = _refusal(spec(provider(1, 100), effective_date=mlk), holidays={mlk})
    assert [p.code for p in holiday.problems] == ["ACH_DATE_NOT_BANKING_DAY"]
    assert "2026-01-20" in str(holiday)
    assert render_nacha(spec(provider(1, 100), effective_date=mlk)).entry_count == 1


def test_bad_header_values_are_refused() -> None:
    s = replace(
        spec(provider(1, 100)),
        header=replace(HEADER, immediate_destination="091000018", file_id_modifier="a"),
        originator=replace(ORIGINATOR, company_id="12345", odfi_routing="12100024"),
    )
    err = _refusal(s)
    assert {p.field for p in err.problems} == {
        "immediate_destination",
        "file_id_modifier",
        "company_id",
        "odfi_routing",
    }
    assert {p.code for p in err.problems} == {"ACH_HEADER_INVALID"}
    assert _refusal(spec()).codes == {"ACH_NO_ENTRIES"}


def test_checker_cross_checks_credit_total_and_trn_against_the_835() -> None:
    f = render_nacha(HAND_SPEC)
    problems = check_nacha(
        f.content, expected_credit_cents=127822, expected_trn={42: "TRN*1*1009*1987654321"}
    )
    assert [p.code for p in problems] == ["CREDIT_TOTAL", "ADDENDA_TRN_MISMATCH"]


def test_trn_segment_text() -> None:
    assert trn_segment("1001", PAYER_TIN) == "TRN*1*1001*1987654321"
    assert trn_segment("1001", PAYER_TIN, "FS2") == "TRN*1*1001*1987654321*FS2"


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_aba_check_digit_agrees_with_stdnum(routing: str) -> None:
    assert routing_number_valid(routing) == rtn.is_valid(routing)


def test_aba_check_digit_examples() -> None:
    assert routing_number_valid("011000015")
    assert not routing_number_valid("011000016")
    assert not routing_number_valid("01100001")
    assert not routing_number_valid("011-00001")
    assert not routing_number_valid("０１１０００015")  # full-width digits are not digits here


_entries = st.lists(
    st.tuples(
        st.integers(1, 10**6),  # PaymentCenter_ID
        st.integers(1, 10**10 - 1),  # amount
        st.text(alphabet="0123456789", min_size=8, max_size=8),  # RDFI id
        st.sampled_from(["C", "S"]),
        st.sampled_from(["provider", "member"]),
        st.text(max_size=30),
    ),
    min_size=1,
    max_size=40,
    unique_by=lambda e: e[0],
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_entries)
def test_property_random_entry_sets_are_valid_and_add_up(
    raw: list[tuple[int, int, str, str, str, str]],
) -> None:
    entries = []
    for pcid, amount, rdfi, kind_type, kind, name in raw:
        base = provider if kind == "provider" else member
        e = base(pcid, amount, routing=aba(rdfi), account_type=kind_type)
        entries.append(replace(e, payee_name=name + "x"))
    f = render_nacha(spec(*entries))
    assert _achkit(f.content) == {"ok": True, "errors": []}
    assert check_nacha(f.content, expected_credit_cents=sum(e.amount_cents for e in entries)) == []
    assert f.total_credit_cents == sum(e.amount_cents for e in entries)
    assert f.entry_hash == f"{sum(int(e.rdfi_routing[:8]) for e in entries) % 10**10:010d}"
    assert len(f.content) % (95 * 10) == 0
    assert sorted(t.payment_id for t in f.traces) == sorted(e.payment_id for e in entries)


def test_checker_refuses_a_configured_holiday_as_effective_date() -> None:
    mlk = date(2026, 1, 19)
    f = render_nacha(spec(provider(1, 100), effective_date=mlk))
    assert check_nacha(f.content) == []
    assert {p.code for p in check_nacha(f.content, holidays={mlk})} == {"EFFECTIVE_DATE"}
