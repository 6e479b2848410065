"""The check register and the Positive Pay issue file of one event and funding source (§5).

Input: `CheckItem`s, one per check payment (`payment_register` rows with method CHECK joined with
`payment_center`), plus the funding account number for Positive Pay. Both renderers sort by check
number (numeric) and refuse (`OutputDataError`, every problem listed, each naming the payee's
PaymentCenter_ID) a missing payee name or address line 1 / city / state / ZIP
(`OUTPUT_DATA_MISSING`, O-5), an amount ≤ 0 (`CHECK_AMOUNT_INVALID`), a check number that is not
digits or repeats (`CHECK_NUMBER_INVALID`).

**Check register** (`render_check_register`): internal CSV, UTF-8, header row, LF, RFC 4180 with
minimal quoting (a field is quoted only when it holds a comma, a quote or a line break; quotes
doubled), columns `REGISTER_COLUMNS`, amount `1234.56`, dates ISO, status `ISSUED`. Text is kept
as given (Unicode, NFC not forced), white space (tab, line break, NBSP) made one space,
control and format characters (zero-width space) dropped.

**Positive Pay** (`render_positive_pay(items, account, profile)`): one issue row per check in a
bank layout chosen by name from `PROFILES`:

- `generic-csv-v1` (default): no header; `I,<account>,<check>,<amount 1234.56>,<YYYYMMDD>,<payee>`
  with the payee upper-case ASCII ≤ 40 characters, commas removed.
- `chase-csv`: no header; `I,<account>,<check>,<MMDDYY>,<amount 1234.56>,<payee ≤ 40>` (Chase
  Business Online upload: `I` issue / `C` cancel).
- `fixed-100`: 100-character records: account 1–12 zero-filled, void indicator 13 (`2` = void,
  blank = issue), 14–15 blank, serial 16–25 zero-filled, amount 26–37 zero-filled with two implied
  decimals, issue date 38–45 `YYYYMMDD`, 46 blank, payee 47–100 (54, upper-case ASCII).

Every profile can read its own rows back (`PositivePayProfile.totals`) so that
`check_positive_pay(register, positive_pay, profile)` proves Σ amounts and the count equal the
register's.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from paymentprocess.domain.money import format_cents, parse_cents
from paymentprocess.outputs.ascii_text import ascii_text
from paymentprocess.outputs.problems import OutputDataError, OutputProblem

REGISTER_COLUMNS = (
    "payment_event_id",
    "payment_id",
    "funding_source_id",
    "check_number",
    "issue_date",
    "amount",
    "payee_id",
    "payee_type",
    "payee_name",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "zip",
    "trn02",
    "status",
)
_SPACES = re.compile(r" {2,}")


@dataclass(frozen=True)
class CheckItem:
    """One paper check: a `payment_register` row (method CHECK) with its payee's name and address.

    `payee_name` is `vendor_name` for a provider and "first last" for a member (the gatherer
    builds it); `trn02` is the TRN02 of the payee's 835 (= the check number for a check).
    """

    payment_event_id: str
    payment_id: str
    funding_source_id: str
    check_number: str
    issue_date: date  # payment_register.payment_date
    amount_cents: int
    payee_id: int  # PaymentCenter_ID
    payee_type: Literal["Provider", "Member"]
    payee_name: str | None
    address_line1: str | None
    address_line2: str | None
    city: str | None
    state: str | None
    zip: str | None
    trn02: str
    status: str = "ISSUED"


def _clean(text: str | None) -> str:
    """Register text: Unicode kept; any white space → one space; control/format chars dropped."""
    kept = (
        " " if c.isspace() else c
        for c in text or ""
        if c.isspace() or unicodedata.category(c) not in ("Cc", "Cf")
    )
    return _SPACES.sub(" ", "".join(kept)).strip()


def _problems(items: Sequence[CheckItem]) -> list[OutputProblem]:
    out: list[OutputProblem] = []
    seen: set[int] = set()
    for it in items:
        for name in ("payee_name", "address_line1", "city", "state", "zip"):
            if not _clean(getattr(it, name)):
                out.append(OutputProblem("OUTPUT_DATA_MISSING", it.payee_id, name, "is missing"))
        if isinstance(it.amount_cents, bool) or not isinstance(it.amount_cents, int):
            out.append(
                OutputProblem(
                    "CHECK_AMOUNT_INVALID", it.payee_id, "amount_cents", "not integer cents"
                )
            )
        elif it.amount_cents <= 0:
            out.append(
                OutputProblem(
                    "CHECK_AMOUNT_INVALID",
                    it.payee_id,
                    "amount_cents",
                    "a check must be above $0.00",
                )
            )
        number = it.check_number or ""
        if not (number.isascii() and number.isdigit()) or len(number.lstrip("0") or "0") > 10:
            out.append(
                OutputProblem(
                    "CHECK_NUMBER_INVALID", it.payee_id, "check_number", "must be up to 10 digits"
                )
            )
        elif int(number) in seen:
            out.append(
                OutputProblem(
                    "CHECK_NUMBER_INVALID", it.payee_id, "check_number", "is used by two checks"
                )
            )
        else:
            seen.add(int(number))
    return out


def _sorted(items: Iterable[CheckItem], kind: str) -> list[CheckItem]:
    items = list(items)
    problems = _problems(items)
    if problems:
        raise OutputDataError(kind, problems)
    return sorted(items, key=lambda it: int(it.check_number))


def _csv(rows: Iterable[Sequence[str]]) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def render_check_register(items: Iterable[CheckItem]) -> bytes:
    """The check register CSV of `items` (module docstring)."""
    rows: list[Sequence[str]] = [REGISTER_COLUMNS]
    for it in _sorted(items, "CHECK_REGISTER"):
        rows.append(
            (
                it.payment_event_id,
                it.payment_id,
                it.funding_source_id,
                it.check_number,
                it.issue_date.isoformat(),
                format_cents(it.amount_cents),
                str(it.payee_id),
                it.payee_type,
                _clean(it.payee_name),
                _clean(it.address_line1),
                _clean(it.address_line2),
                _clean(it.city),
                _clean(it.state),
                _clean(it.zip),
                it.trn02,
                it.status,
            )
        )
    return _csv(rows)


@dataclass(frozen=True)
class Totals:
    count: int
    amount_cents: int


def register_totals(register: bytes) -> Totals:
    """Count and Σ amount of a check register rendered by `render_check_register`."""
    reader = csv.DictReader(io.StringIO(register.decode("utf-8"), newline=""))
    count = total = 0
    for row in reader:
        count += 1
        total += parse_cents(row["amount"], what="register amount")
    return Totals(count, total)


# ----------------------------------------------------------------------------- Positive Pay


@dataclass(frozen=True)
class PositivePayProfile:
    """A bank layout of the Positive Pay issue file: how a row is written and read back."""

    name: str
    description: str
    row: Callable[[CheckItem, str], str]  # (check, account number) → one line, no terminator
    totals: Callable[[bytes], Totals]  # read a rendered file back: count and Σ amount
    line_ending: str = "\n"


def _payee(it: CheckItem, length: int) -> str:
    return ascii_text(it.payee_name, length, upper=True, remove=',"')


def _account_digits(account: str) -> str:
    return "".join(c for c in account if c.isascii() and c.isdigit())


def _generic_row(it: CheckItem, account: str) -> str:
    return ",".join(
        (
            "I",
            _account_digits(account),
            it.check_number,
            format_cents(it.amount_cents),
            it.issue_date.strftime("%Y%m%d"),
            _payee(it, 40),
        )
    )


def _chase_row(it: CheckItem, account: str) -> str:
    return ",".join(
        (
            "I",
            _account_digits(account),
            it.check_number,
            it.issue_date.strftime("%m%d%y"),
            format_cents(it.amount_cents),
            _payee(it, 40),
        )
    )


def _fixed100_row(it: CheckItem, account: str) -> str:
    row = (
        _account_digits(account).rjust(12, "0")
        + " "  # void indicator: "2" = void, blank = issue
        + "  "
        + it.check_number.rjust(10, "0")
        + str(it.amount_cents).rjust(12, "0")
        + it.issue_date.strftime("%Y%m%d")
        + " "
        + _payee(it, 54).ljust(54)
    )
    assert len(row) == 100
    return row


def _csv_totals(amount_column: int) -> Callable[[bytes], Totals]:
    def totals(content: bytes) -> Totals:
        count = total = 0
        for line in content.decode("ascii").splitlines():
            fields = line.split(",")
            if fields[0] != "I":
                continue
            count += 1
            total += parse_cents(fields[amount_column], what="positive pay amount")
        return Totals(count, total)

    return totals


def _fixed100_totals(content: bytes) -> Totals:
    count = total = 0
    for line in content.decode("ascii").splitlines():
        if len(line) != 100 or line[12] != " ":
            continue
        count += 1
        total += int(line[25:37])
    return Totals(count, total)


PROFILES: dict[str, PositivePayProfile] = {
    p.name: p
    for p in (
        PositivePayProfile(
            "generic-csv-v1",
            "CSV, no header: I,account,check,amount,YYYYMMDD,payee(40)",
            _generic_row,
            _csv_totals(3),
        ),
        PositivePayProfile(
            "chase-csv",
            "Chase Business Online CSV, no header: I,account,check,MMDDYY,amount,payee(40)",
            _chase_row,
            _csv_totals(4),
        ),
        PositivePayProfile(
            "fixed-100",
            "fixed width 100: account 12, void 1, serial 10, amount 12 (implied cents), YYYYMMDD, payee 54",
            _fixed100_row,
            _fixed100_totals,
        ),
    )
}
DEFAULT_PROFILE = "generic-csv-v1"


def positive_pay_profile(name: str | None) -> PositivePayProfile:
    """The profile called `name` (None → the default), or ValueError listing the known ones."""
    key = name or DEFAULT_PROFILE
    try:
        return PROFILES[key]
    except KeyError:
        raise ValueError(
            f"unknown Positive Pay profile {key!r}; known: {', '.join(sorted(PROFILES))}"
        ) from None


def render_positive_pay(
    items: Iterable[CheckItem], account_number: str, profile: str | None = None
) -> bytes:
    """The Positive Pay issue file of `items` drawn on `account_number` in `profile`'s layout."""
    prof = positive_pay_profile(profile)
    checks = _sorted(items, "POSITIVE_PAY")
    if not _account_digits(account_number):
        raise OutputDataError(
            "POSITIVE_PAY",
            [
                OutputProblem(
                    "OUTPUT_DATA_MISSING", None, "account_number", "funding account is missing"
                )
            ],
        )
    rows = [prof.row(it, account_number) for it in checks]
    return "".join(r + prof.line_ending for r in rows).encode("ascii")


def check_positive_pay(
    register: bytes, positive_pay: bytes, profile: str | None = None
) -> list[str]:
    """Problems if the Positive Pay file's count or Σ amounts differ from the register's; [] if equal."""
    reg = register_totals(register)
    pos = positive_pay_profile(profile).totals(positive_pay)
    out = []
    if reg.count != pos.count:
        out.append(f"POSITIVE_PAY_COUNT: {pos.count} issue rows, register has {reg.count} checks")
    if reg.amount_cents != pos.amount_cents:
        out.append(
            f"POSITIVE_PAY_TOTAL: Σ {format_cents(pos.amount_cents)}, register Σ {format_cents(reg.amount_cents)}"
        )
    return out
