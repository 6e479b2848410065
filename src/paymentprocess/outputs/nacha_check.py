"""Our own NACHA validator: parse a rendered file back and list what is wrong, by name.

`check_nacha(content)` returns a list of `NachaProblem` (empty = the file is good). It checks more
than achkit does (OUTPUTS.md §7: achkit accepts a $0 `22` and ignores SEC codes, addenda, traces):

- bytes: printable ASCII only (`NON_ASCII`), no lower-case letter (`LOWER_CASE`), one line ending used throughout and after the last
  record (`LINE_ENDING`), every record 94 bytes (`RECORD_LENGTH`);
- structure: 1, then batches (5, entries 6 each followed by its addenda 7, 8), then 9, then only
  `9…9` padding (`RECORD_ORDER`, `PADDING`); record count a multiple of 10 (`BLOCKING`);
- file header constants (`FILE_HEADER`); service class 220 (`SERVICE_CLASS`); SEC code `CCD` with
  `HCCLAIMPMT` or `PPD` with `CLAIMREIMB` (`SEC_CODE`); batch numbers 1, 2, … and equal in header
  and control (`BATCH_NUMBER`); company id and ODFI equal in header and control (`BATCH_CONTROL`);
  effective entry date a real date (`FIELD_FORMAT`) on a banking day (`EFFECTIVE_DATE`);
- entries: transaction code 22/32 (`TXN_CODE`), amount > 0 (`ZERO_AMOUNT`), RDFI routing passes
  the ABA check (`ROUTING_CHECK_DIGIT`), trace = batch ODFI + sequence (`TRACE_ODFI`), traces
  strictly ascending over the file (`TRACE_ORDER`), numeric fields numeric (`FIELD_FORMAT`);
- addenda: indicator `1` ⇔ exactly one addenda follows, none in PPD (`ADDENDA_INDICATOR`), type
  05, `TRN*1*…\\` text in CCD (`ADDENDA_TRN`), sequence `0001` and entry detail sequence = last 7
  of the entry trace (`ADDENDA_SEQUENCE`);
- totals: batch and file entry/addenda counts, entry hashes (rightmost 10 digits), debits (0),
  credits, batch count, block count (`BATCH_COUNT`, `BATCH_HASH`, `BATCH_DEBIT`, `BATCH_CREDIT`,
  `FILE_BATCH_COUNT`, `FILE_COUNT`, `FILE_HASH`, `FILE_DEBIT`, `FILE_CREDIT`, `BLOCK_COUNT`);
- optional cross-checks with the data: total credit = Σ EFT payments (`CREDIT_TOTAL`), each
  provider's addenda TRN = its 835 TRN (`ADDENDA_TRN_MISMATCH`, V-9).

Messages name record numbers and codes only, never an account number.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from paymentprocess.domain.identifiers import routing_number_valid
from paymentprocess.outputs.nacha import (
    BLOCKING_FACTOR,
    CCD_DESCRIPTION,
    PPD_DESCRIPTION,
    RECORD_LENGTH,
    SERVICE_CLASS_CREDITS,
    banking_day_problem,
)

_SEC = {"CCD": CCD_DESCRIPTION, "PPD": PPD_DESCRIPTION}
_FILLER = "9" * RECORD_LENGTH
_ADDENDA_TRN = re.compile(r"TRN\*1\*[^*~\\]+\*[^*~\\]+(\*[^*~\\]+)?\\ *")


@dataclass(frozen=True)
class NachaProblem:
    code: str
    record: int | None  # 1-based record (line) number; None for the whole file
    message: str

    def __str__(self) -> str:
        where = "file" if self.record is None else f"record {self.record}"
        return f"{self.code}: {where}: {self.message}"


@dataclass
class _Batch:
    record: int
    sec: str
    company_id: str
    odfi: str
    number: str
    count: int = 0
    hash: int = 0
    credit: int = 0
    debit: int = 0
    closed: bool = False


@dataclass
class _State:
    problems: list[NachaProblem] = field(default_factory=list)
    batch: _Batch | None = None
    pending_addenda: tuple[int, str] | None = None  # (entry record, trace) awaiting its 7
    last_trace: int = -1
    batches: int = 0
    count: int = 0
    hash: int = 0
    credit: int = 0
    debit: int = 0
    seen_header: bool = False
    seen_control: bool = False
    trn_by_payee: dict[str, str] = field(default_factory=dict)
    last_payee: str = ""
    holidays: Collection[date] = ()

    def bad(self, code: str, record: int | None, message: str) -> None:
        self.problems.append(NachaProblem(code, record, message))


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _int(st: _State, n: int, text: str, name: str) -> int:
    if not _digits(text):
        st.bad("FIELD_FORMAT", n, f"{name} is not numeric")
        return 0
    return int(text)


def _split_records(content: bytes, st: _State) -> list[str]:
    text = content.decode("ascii", errors="replace")
    if any((b < 0x20 and b not in (0x0A, 0x0D)) or b > 0x7E for b in content):
        st.bad("NON_ASCII", None, "the file holds bytes outside printable ASCII")
    if any(0x61 <= b <= 0x7A for b in content):
        st.bad("LOWER_CASE", None, "the file holds lower-case letters (all text is upper-case)")
    if not text:
        st.bad("RECORD_ORDER", None, "the file is empty")
        return []
    ending = "\r\n" if "\r\n" in text else "\n"
    if not text.endswith(ending):
        st.bad("LINE_ENDING", None, "the last record has no line ending")
    lines = text.split(ending)
    if lines and lines[-1] == "":
        lines.pop()
    if ending == "\n" and any("\r" in line for line in lines):
        st.bad("LINE_ENDING", None, "mixed line endings")
    if ending == "\r\n" and any("\n" in line for line in lines):
        st.bad("LINE_ENDING", None, "mixed line endings")
    for i, line in enumerate(lines, 1):
        if len(line) != RECORD_LENGTH:
            st.bad("RECORD_LENGTH", i, f"record is {len(line)} bytes, not {RECORD_LENGTH}")
    return lines


def _close_addenda(st: _State, n: int) -> None:
    if st.pending_addenda is not None:
        st.bad("ADDENDA_INDICATOR", st.pending_addenda[0], "indicator 1 but no addenda follows")
        st.pending_addenda = None


def _file_header(st: _State, n: int, r: str) -> None:
    if st.seen_header or n != 1:
        st.bad("RECORD_ORDER", n, "file header not first or repeated")
    st.seen_header = True
    if r[1:3] != "01" or r[34:37] != "094" or r[37:39] != "10" or r[39] != "1":
        st.bad("FILE_HEADER", n, "priority 01, record size 094, blocking 10, format 1 expected")
    if not re.fullmatch(r"[A-Z0-9]", r[33]):
        st.bad("FILE_HEADER", n, "file id modifier must be A-Z or 0-9")
    if not _digits(r[23:33]):
        st.bad("FILE_HEADER", n, "creation date/time not numeric")


def _effective_date(st: _State, n: int, text: str) -> None:
    try:
        day = datetime.strptime(text, "%y%m%d").date() if _digits(text) else None
    except ValueError:
        day = None
    if day is None:
        st.bad("FIELD_FORMAT", n, "effective entry date is not a YYMMDD date")
    elif banking_day_problem(day, st.holidays):
        st.bad(
            "EFFECTIVE_DATE", n, f"effective entry date: {banking_day_problem(day, st.holidays)}"
        )


def _batch_header(st: _State, n: int, r: str) -> None:
    _close_addenda(st, n)
    if not st.seen_header or st.seen_control or (st.batch and not st.batch.closed):
        st.bad("RECORD_ORDER", n, "batch header out of place")
    if r[1:4] != SERVICE_CLASS_CREDITS:
        st.bad("SERVICE_CLASS", n, f"service class {r[1:4]!r}, expected 220 (credits only)")
    sec = r[50:53]
    if sec not in _SEC:
        st.bad("SEC_CODE", n, f"SEC code {sec!r}: only CCD and PPD are written")
    elif r[53:63].rstrip() != _SEC[sec]:
        st.bad("SEC_CODE", n, f"{sec} batch description must be {_SEC[sec]}")
    _effective_date(st, n, r[69:75])
    st.batches += 1
    if r[87:94] != str(st.batches).rjust(7, "0"):
        st.bad("BATCH_NUMBER", n, f"batch number {r[87:94]!r}, expected {st.batches}")
    if not _digits(r[79:87]):
        st.bad("FIELD_FORMAT", n, "ODFI id not numeric")
    st.batch = _Batch(n, sec, r[40:50], r[79:87], r[87:94])


def _indicator(st: _State, n: int, indicator: str, sec: str, trace: str) -> None:
    if indicator == "1":
        if sec == "PPD":
            st.bad("ADDENDA_INDICATOR", n, "PPD member entries are written without addenda")
        st.pending_addenda = (n, trace)
    elif indicator == "0":
        if sec == "CCD":
            st.bad("ADDENDA_INDICATOR", n, "a CCD entry must carry its TRN addenda (CCD+)")
    else:
        st.bad("ADDENDA_INDICATOR", n, f"addenda indicator {indicator!r}")


def _entry(st: _State, n: int, r: str) -> None:
    _close_addenda(st, n)
    b = st.batch
    if b is None or b.closed:
        st.bad("RECORD_ORDER", n, "entry outside a batch")
        return
    if r[1:3] not in ("22", "32"):
        st.bad("TXN_CODE", n, f"transaction code {r[1:3]!r}: only 22/32 credits are written")
    routing = r[3:12]
    if not routing_number_valid(routing):
        st.bad("ROUTING_CHECK_DIGIT", n, "RDFI routing fails the ABA check digit")
    amount = _int(st, n, r[29:39], "amount")
    if amount == 0:
        st.bad("ZERO_AMOUNT", n, "zero-dollar credit entry (R19; prenotes are not written)")
    trace = r[79:94]
    if r[79:87] != b.odfi:
        st.bad("TRACE_ODFI", n, "trace number does not start with the batch's ODFI id")
    trace_no = _int(st, n, trace, "trace number")
    if trace_no <= st.last_trace:
        st.bad("TRACE_ORDER", n, "trace numbers must ascend and be unique")
    st.last_trace = max(st.last_trace, trace_no)
    _indicator(st, n, r[78], b.sec, trace)
    b.count += 1
    b.hash += int(routing[:8]) if _digits(routing[:8]) else 0
    if r[1:3] in ("22", "32"):
        b.credit += amount
    else:
        b.debit += amount
    st.trn_by_payee[r[39:54].strip()] = ""


def _addenda(st: _State, n: int, r: str, payee: str) -> None:
    b = st.batch
    if b is None or b.closed or st.pending_addenda is None:
        st.bad("ADDENDA_INDICATOR", n, "addenda without an entry that announces it")
        if b is not None and not b.closed:
            b.count += 1
        return
    _, trace = st.pending_addenda
    st.pending_addenda = None
    b.count += 1
    if r[1:3] != "05":
        st.bad("ADDENDA_TRN", n, f"addenda type {r[1:3]!r}, expected 05")
    info = r[3:83]
    if b.sec == "CCD" and not _ADDENDA_TRN.fullmatch(info):
        st.bad("ADDENDA_TRN", n, "CCD addenda must be the 835 TRN segment ending with \\")
    st.trn_by_payee[payee] = info.rstrip().rstrip("\\")
    if r[83:87] != "0001":
        st.bad("ADDENDA_SEQUENCE", n, "addenda sequence number must be 0001")
    if r[87:94] != trace[-7:]:
        st.bad("ADDENDA_SEQUENCE", n, "entry detail sequence ≠ last 7 digits of the entry trace")


def _batch_control(st: _State, n: int, r: str) -> None:
    _close_addenda(st, n)
    b = st.batch
    if b is None or b.closed:
        st.bad("RECORD_ORDER", n, "batch control without a batch")
        return
    b.closed = True
    if r[1:4] != SERVICE_CLASS_CREDITS:
        st.bad("SERVICE_CLASS", n, "batch control service class ≠ 220")
    if _int(st, n, r[4:10], "entry/addenda count") != b.count:
        st.bad("BATCH_COUNT", n, f"entry/addenda count {r[4:10]}, counted {b.count}")
    if r[10:20] != str(b.hash % 10**10).rjust(10, "0"):
        st.bad("BATCH_HASH", n, f"entry hash {r[10:20]}, computed {b.hash % 10**10:010d}")
    if _int(st, n, r[20:32], "total debit") != b.debit or b.debit:
        st.bad("BATCH_DEBIT", n, "total debit must be 0 and match the entries")
    if _int(st, n, r[32:44], "total credit") != b.credit:
        st.bad("BATCH_CREDIT", n, f"total credit {r[32:44]}, computed {b.credit:012d}")
    if r[44:54] != b.company_id or r[79:87] != b.odfi:
        st.bad("BATCH_CONTROL", n, "company id / ODFI differ from the batch header")
    if r[87:94] != b.number:
        st.bad("BATCH_NUMBER", n, "batch control number ≠ batch header number")
    st.count += b.count
    st.hash += b.hash
    st.credit += b.credit
    st.debit += b.debit


def _file_control(st: _State, n: int, r: str, total_records: int) -> None:
    _close_addenda(st, n)
    if st.seen_control or (st.batch is not None and not st.batch.closed):
        st.bad("RECORD_ORDER", n, "file control out of place")
    st.seen_control = True
    if _int(st, n, r[1:7], "batch count") != st.batches:
        st.bad("FILE_BATCH_COUNT", n, f"batch count {r[1:7]}, counted {st.batches}")
    blocks = -(-total_records // BLOCKING_FACTOR)
    if _int(st, n, r[7:13], "block count") != blocks:
        st.bad("BLOCK_COUNT", n, f"block count {r[7:13]}, expected {blocks}")
    if _int(st, n, r[13:21], "entry/addenda count") != st.count:
        st.bad("FILE_COUNT", n, f"entry/addenda count {r[13:21]}, counted {st.count}")
    if r[21:31] != str(st.hash % 10**10).rjust(10, "0"):
        st.bad("FILE_HASH", n, f"entry hash {r[21:31]}, computed {st.hash % 10**10:010d}")
    if _int(st, n, r[31:43], "total debit") != st.debit or st.debit:
        st.bad("FILE_DEBIT", n, "total debit must be 0 and match the batches")
    if _int(st, n, r[43:55], "total credit") != st.credit:
        st.bad("FILE_CREDIT", n, f"total credit {r[43:55]}, computed {st.credit:012d}")


def _record(st: _State, n: int, r: str, total: int) -> None:
    kind = r[0]
    if kind == "1":
        _file_header(st, n, r)
    elif kind == "5":
        _batch_header(st, n, r)
    elif kind == "6":
        _entry(st, n, r)
        st.last_payee = r[39:54].strip()
    elif kind == "7":
        _addenda(st, n, r, st.last_payee)
    elif kind == "8":
        _batch_control(st, n, r)
    elif kind == "9" and r == _FILLER:
        st.bad("PADDING", n, "9-filled record before the file control")
    elif kind == "9":
        _file_control(st, n, r, total)
    else:
        st.bad("RECORD_ORDER", n, f"unknown record type {kind!r}")


def _cross_checks(
    st: _State, expected_credit_cents: int | None, expected_trn: Mapping[int, str] | None
) -> None:
    if expected_credit_cents is not None and st.credit != expected_credit_cents:
        st.bad(
            "CREDIT_TOTAL",
            None,
            f"total credit {st.credit} ≠ Σ EFT payments {expected_credit_cents}",
        )
    for payee, trn in (expected_trn or {}).items():
        found = st.trn_by_payee.get(str(payee))
        if found is None:
            st.bad("ADDENDA_TRN_MISMATCH", None, f"no entry for payee {payee}")
        elif found != trn.strip().rstrip("~\\").upper():
            st.bad("ADDENDA_TRN_MISMATCH", None, f"payee {payee}: addenda TRN ≠ the 835 TRN")


def check_nacha(
    content: bytes,
    *,
    expected_credit_cents: int | None = None,
    expected_trn: Mapping[int, str] | None = None,
    holidays: Collection[date] = (),
) -> list[NachaProblem]:
    """Every problem of the NACHA file `content` (see the module docstring); [] when valid.

    `expected_credit_cents`: Σ of the event's EFT payments. `expected_trn`: PaymentCenter_ID →
    the TRN segment of its 835 (without terminator), for the provider entries. `holidays`: the
    configured bank holidays (weekends are always refused).
    """
    st = _State(holidays=holidays)
    records = _split_records(content, st)
    if len(records) % BLOCKING_FACTOR:
        st.bad("BLOCKING", None, f"{len(records)} records, not a multiple of {BLOCKING_FACTOR}")
    for n, r in enumerate(records, 1):
        if len(r) != RECORD_LENGTH:
            continue
        if st.seen_control:
            if r != _FILLER:
                st.bad("PADDING", n, "only 9-filled records may follow the file control")
            continue
        _record(st, n, r, len(records))
    if records and not st.seen_control:
        st.bad("RECORD_ORDER", None, "no file control record")
    if records and not st.seen_header:
        st.bad("RECORD_ORDER", None, "no file header record")
    _cross_checks(st, expected_credit_cents, expected_trn)
    return st.problems
