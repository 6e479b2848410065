"""The NACHA ACH file of one payment event and funding source (OUTPUTS.md §4): pure rendering.

Input: an `AchFileInput` — the file header values (`AchFileHeader`: the ODFI-given immediate
destination/origin and names, the stored creation minute and file-id modifier, O-4), the
originator (`AchOriginator`: company name and id, ODFI routing), the effective entry date (=
`payment_register.payment_date`) and the entries (`AchEntry`, one per EFT payment). Output:
`render_nacha(...)` → `NachaFile` with the bytes and each entry's trace number (for
`output_item.trace_number`).

Layout (94-byte records, `\\n` after every record, CRLF as a setting):
1 file header · batch 1 = CCD `220` `HCCLAIMPMT` of the provider entries, each followed by one
addenda `705` carrying the 835's TRN segment `TRN*1*<TRN02>*1<payer TIN>[*<TRN04>]\\` (CCD+,
HIPAA healthcare EFT) · batch 2 = PPD `220` `CLAIMREIMB` of the member entries, no addenda · 8
batch controls · 9 file control · `9…9` records up to a multiple of 10. A batch without entries is
not written; batch numbers count from 1 over the batches written. Entries go in
`PaymentCenter_ID` order within their batch; the trace number is the ODFI's 8 digits + a 7-digit
sequence running 1, 2, … over the file in record order (so traces ascend and are unique). Entry
hash = Σ of the 8-digit RDFI ids, rightmost 10 digits. Text is upper-case printable ASCII
(`ascii_text`).

Refused (`OutputDataError` kind `ACH`, every problem listed, each naming the PaymentCenter_ID,
never a bank number): an amount ≤ 0 (`ACH_ZERO_AMOUNT`: a `22`/`32` at $0 is an R19 error; a zero
remittance is 835-only) or above 10 digits, a routing that is not 9 digits passing the ABA check
(`ACH_ROUTING_INVALID`), a missing or over-long account (`ACH_ACCOUNT_MISSING`), an account type
other than `C`/`S` (`ACH_ACCOUNT_TYPE_INVALID`), a provider entry without TRN segment
(`ACH_TRN_MISSING`), two entries of one payee (`ACH_DUPLICATE_PAYEE`), an effective date on a
Saturday or Sunday or in the configured holiday list (`ACH_DATE_NOT_BANKING_DAY`), bad header
values (`ACH_HEADER_INVALID`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from paymentprocess.domain.identifiers import routing_number_valid
from paymentprocess.outputs.ascii_text import ascii_text
from paymentprocess.outputs.problems import OutputDataError, OutputProblem

RECORD_LENGTH = 94
BLOCKING_FACTOR = 10
SERVICE_CLASS_CREDITS = "220"
CCD_DESCRIPTION = "HCCLAIMPMT"  # Company Entry Description of a HIPAA healthcare EFT
PPD_DESCRIPTION = "CLAIMREIMB"  # member reimbursement (design, unverified)
TXN_CODES = {"C": "22", "S": "32"}  # automated deposit to checking / savings
MAX_ENTRY_CENTS = 10**10 - 1  # record 6 positions 30–39
ADDENDA_INFO_LENGTH = 80
LineEnding = Literal["\n", "\r\n"]
_MODIFIER = re.compile(r"[A-Z0-9]")
_TRN = re.compile(r"TRN\*1\*[^*~\\]+\*[^*~\\]+(\*[^*~\\]+)?")


@dataclass(frozen=True)
class AchFileHeader:
    """Record 1 values. The immediate destination/origin are what the ODFI tells you to put there.

    `immediate_destination`: the ODFI's (or its processor's) routing number, 9 digits (written
    with a leading space), or exactly 10 characters as the bank gave them. `immediate_origin`:
    10 characters (often `1` + EIN) or 9 digits (written with a leading space). `created_at`:
    the stored creation time (UTC; seconds are ignored). `file_id_modifier`: `A`–`Z`, `0`–`9`,
    allocated once per file (sequence `AchFileId:<FS>:<YYMMDD>`).
    """

    immediate_destination: str
    immediate_destination_name: str
    immediate_origin: str
    immediate_origin_name: str
    created_at: datetime
    file_id_modifier: str


@dataclass(frozen=True)
class AchOriginator:
    """The company that sends the money: batch header/control values of `funding_source`.

    `company_name` (≤ 16): the health plan name as the provider knows it; `company_id` (10):
    `ach_company_id`, usually `1` + the payer's EIN; `odfi_routing`: the funding account's
    routing number, 9 digits (the first 8 head every trace number).
    """

    company_name: str
    company_id: str
    odfi_routing: str


@dataclass(frozen=True)
class AchEntry:
    """One EFT payment = one entry detail record (and, for a provider, one addenda record).

    Built from `payment_register` (payment_id, amount) joined with `payment_center` (id, name,
    bank fields) and, for providers, the TRN segment of the payee's 835 (without its `~`; a
    trailing `~` or `\\` is tolerated and replaced by `\\`).
    """

    payment_id: str  # payment_register.payment_id, "<PaymentEvent_ID>:<PaymentCenter_ID>"
    payment_center_id: int
    payee_name: str  # vendor_name, or the member's name; cut to 22 characters
    rdfi_routing: str  # 9 digits, ABA check digit included
    account_number: str  # ≤ 17 characters
    account_type: str  # "C" checking → 22, "S" savings → 32
    amount_cents: int  # > 0
    kind: Literal["provider", "member"]
    trn_segment: str | None = None  # "TRN*1*1001*1987654321"; required for providers


@dataclass(frozen=True)
class AchFileInput:
    header: AchFileHeader
    originator: AchOriginator
    effective_date: date  # payment_register.payment_date: a banking day
    entries: tuple[AchEntry, ...]


@dataclass(frozen=True)
class EntryTrace:
    payment_id: str
    payment_center_id: int
    trace_number: str  # 15 digits: ODFI 8 + sequence 7


@dataclass(frozen=True)
class NachaFile:
    content: bytes
    traces: tuple[EntryTrace, ...]  # in record order
    entry_count: int
    addenda_count: int
    total_credit_cents: int
    entry_hash: str  # 10 digits, as in the file control
    record_count: int  # with the 9-filled padding records
    block_count: int

    def trace_of(self, payment_id: str) -> str:
        for t in self.traces:
            if t.payment_id == payment_id:
                return t.trace_number
        raise KeyError(payment_id)


def trn_segment(trn02: str, payer_tin: str, trn04: str | None = None) -> str:
    """The 835 reassociation trace `TRN*1*<TRN02>*1<payer TIN>[*<TRN04>]`, without terminator."""
    text = f"TRN*1*{trn02}*1{payer_tin}"
    return f"{text}*{trn04}" if trn04 else text


def banking_day_problem(day: date, holidays: Collection[date] = ()) -> str | None:
    """Why `day` is not a banking day (weekend, configured holiday), or None."""
    if day.weekday() >= 5:
        return f"{day.isoformat()} is a {day.strftime('%A')}"
    if day in holidays:
        return f"{day.isoformat()} is a configured bank holiday"
    return None


def next_banking_day(day: date, holidays: Collection[date] = ()) -> date:
    """`day` itself if it is a banking day, else the next one (a suggestion for messages)."""
    while banking_day_problem(day, holidays):
        day += timedelta(days=1)
    return day


# ----------------------------------------------------------------------------- fields


def _alpha(value: str, length: int) -> str:
    return ascii_text(value, length, upper=True).ljust(length)


def _num(value: int, length: int) -> str:
    text = str(value)
    assert value >= 0, value
    assert len(text) <= length, (value, length)
    return text.rjust(length, "0")


def _routing10(value: str) -> str | None:
    """A record-1 routing field: 9 digits → ' ' + digits; 10 characters of digits/spaces as is."""
    if len(value) == 9 and value.isascii() and value.isdigit():
        return " " + value
    if len(value) == 10 and value.isascii() and all(c.isdigit() or c == " " for c in value):
        return value
    return None


def _account(value: str) -> str:
    return "".join(c for c in value.upper() if c.isascii() and c.isalnum())


def _addenda_info(segment: str) -> str:
    seg = segment.strip().rstrip("~\\").strip()
    return ascii_text(seg, upper=True) + "\\"


# ----------------------------------------------------------------------------- checks


def _header_problems(spec: AchFileInput) -> list[OutputProblem]:
    h, o = spec.header, spec.originator
    out: list[OutputProblem] = []

    def bad(name: str, reason: str) -> None:
        out.append(OutputProblem("ACH_HEADER_INVALID", None, name, reason))

    dest = _routing10(h.immediate_destination)
    if dest is None:
        bad("immediate_destination", "must be 9 digits or 10 digits/spaces")
    elif len(h.immediate_destination) == 9 and not routing_number_valid(h.immediate_destination):
        bad("immediate_destination", "fails the ABA check digit")
    if _routing10(h.immediate_origin) is None:
        bad("immediate_origin", "must be 10 characters (digits/spaces) or 9 digits")
    if not _MODIFIER.fullmatch(h.file_id_modifier or ""):
        bad("file_id_modifier", "must be one of A–Z, 0–9")
    if h.created_at.tzinfo is not None and h.created_at.utcoffset() != timedelta(0):
        bad("created_at", "must be UTC")
    if not ascii_text(o.company_name):
        bad("company_name", "is empty")
    if len(o.company_id) != 10 or not o.company_id.isascii() or not o.company_id.isalnum():
        bad("company_id", "must be 10 letters/digits (usually 1 + EIN)")
    if not routing_number_valid(o.odfi_routing):
        bad("odfi_routing", "must be 9 digits passing the ABA check digit")
    return out


def _amount_problem(amount: object) -> tuple[str, str] | None:
    if not isinstance(amount, int) or isinstance(amount, bool):
        return "ACH_AMOUNT_INVALID", "must be integer cents"
    if amount <= 0:
        return "ACH_ZERO_AMOUNT", "a credit entry must be above $0.00"
    if amount > MAX_ENTRY_CENTS:
        return "ACH_AMOUNT_INVALID", "exceeds the 10-digit entry amount"
    return None


def _bank_problems(e: AchEntry) -> list[tuple[str, str, str]]:
    out = []
    if not routing_number_valid(e.rdfi_routing or ""):
        out.append(("ACH_ROUTING_INVALID", "rdfi_routing", "is not 9 digits passing the ABA check"))
    account = _account(e.account_number or "")
    if not account:
        out.append(("ACH_ACCOUNT_MISSING", "account_number", "is missing"))
    elif len(account) > 17:
        out.append(("ACH_ACCOUNT_MISSING", "account_number", "is longer than 17 characters"))
    if e.account_type not in TXN_CODES:
        out.append(
            ("ACH_ACCOUNT_TYPE_INVALID", "account_type", "must be C (checking) or S (savings)")
        )
    return out


def _payee_problems(e: AchEntry) -> list[tuple[str, str, str]]:
    out = []
    if e.payment_center_id < 0 or len(str(e.payment_center_id)) > 15:
        out.append(("ACH_HEADER_INVALID", "payment_center_id", "must fit 15 digits"))
    if e.kind not in ("provider", "member"):
        out.append(("ACH_HEADER_INVALID", "kind", "must be provider or member"))
    if not ascii_text(e.payee_name):
        out.append(("ACH_PAYEE_NAME_MISSING", "payee_name", "is empty"))
    if e.kind == "provider":
        seg = (e.trn_segment or "").strip().rstrip("~\\").strip()
        if not seg:
            out.append(("ACH_TRN_MISSING", "trn_segment", "a provider entry needs the 835 TRN"))
        elif not _TRN.fullmatch(seg) or len(seg) + 1 > ADDENDA_INFO_LENGTH:
            out.append(("ACH_TRN_MISSING", "trn_segment", "is not TRN*1*<TRN02>*<TRN03>[*<TRN04>]"))
    return out


def _entry_problems(entries: Iterable[AchEntry]) -> list[OutputProblem]:
    out: list[OutputProblem] = []
    seen: set[int] = set()
    for e in entries:
        found = _payee_problems(e) + _bank_problems(e)
        amount = _amount_problem(e.amount_cents)
        if amount:
            found.append((amount[0], "amount_cents", amount[1]))
        if e.payment_center_id in seen:
            found.append(
                ("ACH_DUPLICATE_PAYEE", "payment_center_id", "has two entries in one file")
            )
        seen.add(e.payment_center_id)
        out += [OutputProblem(code, e.payment_center_id, name, why) for code, name, why in found]
    return out


# ----------------------------------------------------------------------------- records


def _file_header(h: AchFileHeader) -> str:
    created = h.created_at
    return (
        "1"
        + "01"
        + (_routing10(h.immediate_destination) or "")
        + (_routing10(h.immediate_origin) or "")
        + created.strftime("%y%m%d")
        + created.strftime("%H%M")
        + h.file_id_modifier
        + "094"
        + "10"
        + "1"
        + _alpha(h.immediate_destination_name, 23)
        + _alpha(h.immediate_origin_name, 23)
        + " " * 8
    )


def _batch_header(o: AchOriginator, sec: str, description: str, effective: date, n: int) -> str:
    return (
        "5"
        + SERVICE_CLASS_CREDITS
        + _alpha(o.company_name, 16)
        + " " * 20  # company discretionary data
        + o.company_id.upper()
        + sec
        + description.ljust(10)
        + " " * 6  # company descriptive date
        + effective.strftime("%y%m%d")
        + " " * 3  # settlement date: inserted by the ACH operator
        + "1"  # originator status code: a depository financial institution
        + o.odfi_routing[:8]
        + _num(n, 7)
    )


def _entry(e: AchEntry, trace: str, has_addenda: bool) -> str:
    return (
        "6"
        + TXN_CODES[e.account_type]
        + e.rdfi_routing[:8]
        + e.rdfi_routing[8]
        + _account(e.account_number).ljust(17)
        + _num(e.amount_cents, 10)
        + str(e.payment_center_id).ljust(15)
        + _alpha(e.payee_name, 22)
        + "  "  # discretionary data
        + ("1" if has_addenda else "0")
        + trace
    )


def _addenda(e: AchEntry, trace: str) -> str:
    info = _addenda_info(e.trn_segment or "")
    return "7" + "05" + info.ljust(ADDENDA_INFO_LENGTH) + "0001" + trace[-7:]


def _batch_control(o: AchOriginator, count: int, entry_hash: int, credit: int, n: int) -> str:
    return (
        "8"
        + SERVICE_CLASS_CREDITS
        + _num(count, 6)
        + _num(entry_hash % 10**10, 10)
        + _num(0, 12)
        + _num(credit, 12)
        + o.company_id.upper()
        + " " * 19  # message authentication code
        + " " * 6  # reserved
        + o.odfi_routing[:8]
        + _num(n, 7)
    )


def _file_control(batches: int, blocks: int, count: int, entry_hash: int, credit: int) -> str:
    return (
        "9"
        + _num(batches, 6)
        + _num(blocks, 6)
        + _num(count, 8)
        + _num(entry_hash % 10**10, 10)
        + _num(0, 12)
        + _num(credit, 12)
        + " " * 39
    )


def render_nacha(
    spec: AchFileInput,
    *,
    line_ending: LineEnding = "\n",
    holidays: Collection[date] = (),
) -> NachaFile:
    """The NACHA file of `spec` (module docstring), or `OutputDataError` listing every problem."""
    if line_ending not in ("\n", "\r\n"):
        raise ValueError("line_ending must be LF or CRLF")
    problems = _header_problems(spec) + _entry_problems(spec.entries)
    not_banking = banking_day_problem(spec.effective_date, holidays)
    if not_banking:
        problems.append(
            OutputProblem(
                "ACH_DATE_NOT_BANKING_DAY",
                None,
                "effective_date",
                f"{not_banking}; next banking day {next_banking_day(spec.effective_date, holidays)}",
            )
        )
    if not spec.entries:
        problems.append(OutputProblem("ACH_NO_ENTRIES", None, "entries", "no EFT payment"))
    if problems:
        raise OutputDataError("ACH", problems)

    o = spec.originator
    groups = (
        ("CCD", CCD_DESCRIPTION, True, [e for e in spec.entries if e.kind == "provider"]),
        ("PPD", PPD_DESCRIPTION, False, [e for e in spec.entries if e.kind == "member"]),
    )
    records = [_file_header(spec.header)]
    traces: list[EntryTrace] = []
    sequence = 0
    batch_number = 0
    file_hash = file_credit = file_count = addenda_count = 0
    for sec, description, with_addenda, entries in groups:
        if not entries:
            continue
        batch_number += 1
        records.append(_batch_header(o, sec, description, spec.effective_date, batch_number))
        batch_hash = batch_credit = batch_count = 0
        for e in sorted(entries, key=lambda e: e.payment_center_id):
            sequence += 1
            trace = o.odfi_routing[:8] + _num(sequence, 7)
            records.append(_entry(e, trace, with_addenda))
            batch_count += 1
            if with_addenda:
                records.append(_addenda(e, trace))
                batch_count += 1
                addenda_count += 1
            batch_hash += int(e.rdfi_routing[:8])
            batch_credit += e.amount_cents
            traces.append(EntryTrace(e.payment_id, e.payment_center_id, trace))
        if batch_credit >= 10**12:
            raise OutputDataError(
                "ACH",
                [OutputProblem("ACH_AMOUNT_INVALID", None, "entries", "batch total too large")],
            )
        records.append(_batch_control(o, batch_count, batch_hash, batch_credit, batch_number))
        file_hash += batch_hash % 10**10
        file_credit += batch_credit
        file_count += batch_count
    records_with_control = len(records) + 1
    blocks = -(-records_with_control // BLOCKING_FACTOR)
    records.append(_file_control(batch_number, blocks, file_count, file_hash, file_credit))
    records.extend(["9" * RECORD_LENGTH] * (blocks * BLOCKING_FACTOR - len(records)))
    for rec in records:
        assert len(rec) == RECORD_LENGTH, rec[:1]
        assert rec.isascii(), rec[:1]
    content = "".join(rec + line_ending for rec in records).encode("ascii")
    return NachaFile(
        content=content,
        traces=tuple(traces),
        entry_count=len(traces),
        addenda_count=addenda_count,
        total_credit_cents=file_credit,
        entry_hash=_num(file_hash % 10**10, 10),
        record_count=len(records),
        block_count=blocks,
    )
