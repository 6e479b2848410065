"""The checks across the files of one issue (OUTPUTS.md V-9, V-10), read back from the bytes.

- V-9: every paid 835's BPR02 = its payment's `payment_register.amount`, and BPR16 = the payment's
  date; every NACHA entry's amount = its payment's amount, and a provider entry's addenda 05 = the
  TRN segment of that payee's 835 (+ `\\`), so the bank's deposit and the remittance reassociate;
  every EFT payment of the event has exactly one entry.
- V-10: Σ BPR02 over the event's 835s = Σ of the register amounts of its provider payments; Σ of
  the NACHA credits = Σ of its EFT payments.

`cross_problems` returns the problems (empty = the set is consistent); `issue_outputs` raises
`CrossOutputError` and writes nothing when there is one. Messages name files, payee ids and
amounts in cents — never bank numbers or member data.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

import polars as pl

from paymentprocess.errors import PaymentError
from paymentprocess.outputs.x12_check_bulk import cents

if TYPE_CHECKING:
    from paymentprocess.outputs.issue import Rendered

PC = "payment_center_id"


class CrossOutputError(PaymentError):
    """The files of one issue disagree with each other or with the register (a bug, never data)."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        shown = "; ".join(self.problems[:10])
        more = f" (+{len(self.problems) - 10} more)" if len(self.problems) > 10 else ""
        super().__init__(f"the payment files disagree (nothing written): {shown}{more}")


def cross_problems(
    rendered: Sequence[Rendered], headers: pl.DataFrame, register: pl.DataFrame
) -> list[str]:
    """V-9 and V-10 over `rendered` (module docstring). `headers`: the remittances (remit_id,
    payment_center_id, payment_id); `register`: the event's payment_register rows."""
    problems: list[str] = []
    x12 = [r for r in rendered if r.kind == "835"]
    remits = _remits_835(x12).join(
        headers.select("remit_id", PC, "payment_id"), on="remit_id", how="left"
    )
    reg = register.select("payment_id", PC, "amount", "method", "payment_date")
    paid = remits.filter(pl.col("bpr02") > 0).join(reg, on="payment_id", how="left")
    for row in paid.filter(
        pl.col("amount").is_null()
        | (pl.col("amount") != pl.col("bpr02"))
        | (pl.col("bpr16") != pl.col("payment_date"))
    ).iter_rows(named=True):
        problems.append(
            f"V-9: {row['path']}: BPR02 {row['bpr02']} / BPR16 {row['bpr16']} ≠ payment "
            f"{row['payment_id']} {row['amount']} on {row['payment_date']} (cents)"
        )
    providers = reg.filter(pl.col(PC).is_in(headers[PC].implode()))
    total_835 = int(remits["bpr02"].sum() or 0)
    total_reg = int(providers["amount"].sum() or 0)
    if x12 and total_835 != total_reg:
        problems.append(f"V-10: Σ BPR02 {total_835} ≠ Σ provider payments {total_reg} (cents)")
    for ach in (r for r in rendered if r.kind == "ACH"):
        problems += _ach_problems(ach, reg, remits)
    return problems


# The header of an 835 (ISA, GS, ST, BPR, TRN) is a few hundred bytes: its BPR and TRN are read
# from this much of each file, and from the whole file only where they are not found in it.
_HEAD_BYTES = 2048


def _remits_835(x12: Sequence[Rendered]) -> pl.DataFrame:
    frame = pl.DataFrame(
        {
            "remit_id": [r.control["remit_id"] for r in x12],
            "path": [r.path for r in x12],
            "content": [r.content[:_HEAD_BYTES].decode("ascii") for r in x12],
        },
        schema={"remit_id": pl.String, "path": pl.String, "content": pl.String},
    )
    # Each right after a segment terminator (and the optional newline): never inside an element.
    # A match found in the head is the first of the whole file (a match that starts earlier
    # would have to run past the head without a `~`, across the one found).
    bpr_text = pl.col("content").str.extract(r"~\r?\n?BPR\*([^~]*)~", 1)
    trn = pl.col("content").str.extract(r"~\r?\n?(TRN\*[^~]*)~", 1)
    found = frame.with_columns(bpr_text.alias("_bpr"), trn.alias("trn"))
    missing = found.filter(pl.col("_bpr").is_null() | pl.col("trn").is_null())["path"]
    if missing.len():
        again = set(missing)
        whole = {r.path: r.content.decode("ascii") for r in x12 if r.path in again}
        found = found.with_columns(
            pl.when(pl.col("path").is_in(missing.implode()))
            .then(pl.col("path").replace_strict(whole, default=None, return_dtype=pl.String))
            .otherwise(pl.col("content"))
            .alias("content")
        ).with_columns(bpr_text.alias("_bpr"), trn.alias("trn"))
    bpr = pl.col("_bpr").str.split("*")
    return found.select(
        "remit_id",
        "path",
        cents(bpr.list.get(1, null_on_oob=True)).alias("bpr02"),
        bpr.list.get(15, null_on_oob=True).str.to_date("%Y%m%d", strict=False).alias("bpr16"),
        "trn",
    )


def _ach_problems(ach: Rendered, reg: pl.DataFrame, remits: pl.DataFrame) -> list[str]:
    problems: list[str] = []
    lines = ach.content.decode("ascii").splitlines()
    by_trace = {trace: item for item, trace in ach.items}
    entries: dict[str, tuple[int, str | None]] = {}
    last: str | None = None
    effective: date | None = None
    for line in lines:
        if line.startswith("5"):
            effective = date(2000 + int(line[69:71]), int(line[71:73]), int(line[73:75]))
        elif line.startswith("6"):
            last = line[79:94]
            entries[last] = (int(line[29:39]), None)
        elif line.startswith("7") and last is not None:
            entries[last] = (entries[last][0], line[3:83].rstrip())
    eft = reg.filter(pl.col("method") == "EFT")
    amounts = dict(zip(eft["payment_id"], eft["amount"], strict=True))
    dates = dict(zip(eft["payment_id"], eft["payment_date"], strict=True))
    payee_of = dict(zip(eft["payment_id"], eft[PC], strict=True))
    trn_of = dict(zip(remits[PC], remits["trn"], strict=True))
    seen: set[str] = set()
    for trace, (amount, addenda) in entries.items():
        payment = by_trace.get(trace)
        if payment is None or payment not in amounts:
            problems.append(f"V-9: {ach.path}: entry {trace} names no EFT payment of the event")
            continue
        seen.add(payment)
        if amount != amounts[payment]:
            problems.append(
                f"V-9: {ach.path}: entry {trace} is {amount}, payment {payment} "
                f"{amounts[payment]} (cents)"
            )
        if effective is not None and dates[payment] is not None and effective != dates[payment]:
            problems.append(f"V-9: {ach.path}: effective date ≠ payment {payment}'s date")
        trn = trn_of.get(payee_of[payment])
        if trn is not None and addenda != trn + "\\":
            problems.append(
                f"V-9: {ach.path}: entry {trace}'s addenda is not the TRN of payee "
                f"{payee_of[payment]}'s 835"
            )
    missing = sorted(set(amounts) - seen)
    if missing:
        problems.append(f"V-9: {ach.path}: EFT payments without an entry: {', '.join(missing)}")
    total = sum(a for a, _ in entries.values())
    if total != int(eft["amount"].sum() or 0):
        problems.append(
            f"V-10: {ach.path}: Σ credits {total} ≠ Σ EFT payments {eft['amount'].sum()} (cents)"
        )
    return problems
