"""What would stop the payment outputs (OUTPUTS.md §1), found before money is committed.

Both look at the payees paid this cycle (`net_pay > 0`) and name them by PaymentCenter_ID (a
payee the Final Run creates by its stats key), never by member id or bank number:
- EFT_BANK_INVALID: an EFT payee whose routing number fails the ABA 3-7-1 check, or whose
  account number or account type (C/S) is missing — the NACHA entry cannot be written. Critical
  in the Final Run, a Warning in the Dry Run whose message says the Final Run will block.
- REMIT_DATA_MISSING (Provider events, Warning): the event's funding source names no payer
  with a legal name, TIN, whole address and EDI contact number (every paid payee is listed), or
  the payee has no name or NPI (N1*PE), or is paid by check without a whole address. Members
  paid by check without an address are PAYEE_ADDRESS_MISSING's.
See docs/semantics.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from paymentprocess.domain import columns as col
from paymentprocess.domain.finding_codes import FindingCode
from paymentprocess.domain.findings import Finding
from paymentprocess.domain.new_payees import new_payee_details
from paymentprocess.domain.payee_keys import stats_key
from paymentprocess.rules.base import RuleContext, findings_of

_MAILING = ("address_line1", "address_city", "address_state", "address_zip")
_FLAGS = ("mailing_ready", "eft_ready", "remit_ready")


def _paid(ctx: RuleContext) -> pl.DataFrame | None:
    """The payees paid this cycle: payee_key, payment_center_id, payment_method, is_new and the
    readiness flags of existing payees (null for new ones)."""
    results, cycle = ctx.payee_results, ctx.cycle_payees
    if results is None or cycle is None:
        return None
    flags = ctx.data.payees.select(col.PAYEE_KEY, *_FLAGS)
    return (
        results.filter(pl.col("net_pay") > 0)
        .select(col.PAYEE_KEY)
        .join(
            cycle.select(col.PAYEE_KEY, "payment_center_id", "payment_method", "is_new"),
            on=col.PAYEE_KEY,
        )
        .join(flags, on=col.PAYEE_KEY, how="left")
    )


def _shown(ctx: RuleContext, payees: pl.DataFrame) -> pl.Series:
    """PaymentCenter_IDs, or stats keys of new payees (a provider's is its TaxID|NPI)."""
    if ctx.cfg.event_type != "DMR":
        shown = pl.coalesce(pl.col("payment_center_id").cast(pl.String), pl.col(col.PAYEE_KEY))
        return payees.select(shown.alias("id"))["id"]
    return pl.Series(
        [
            str(pc_id) if pc_id is not None else stats_key(key, ctx.cfg.event_type)
            for key, pc_id in payees.select(col.PAYEE_KEY, "payment_center_id").iter_rows()
        ],
        dtype=pl.String,
    )


def _filled(name: str) -> pl.Expr:
    return pl.col(name).is_not_null() & (pl.col(name).str.strip_chars() != "")


@dataclass(frozen=True)
class EftBankInvalid:
    codes: tuple[FindingCode, ...] = (FindingCode.EFT_BANK_INVALID,)
    needs_results: bool = True
    cycle_level: bool = True

    def check(self, ctx: RuleContext) -> list[Finding]:
        paid = _paid(ctx)
        if paid is None:
            return []
        bad = paid.filter(
            (pl.col("payment_method") == "EFT") & (pl.col("eft_ready").fill_null(1) != 1)
        )
        message = "EFT payee's routing number fails the ABA check, or its account number or type is missing"
        if ctx.cfg.mode == "dry-run":
            message += "; the Final Run will block until it is fixed"
        return findings_of(ctx, FindingCode.EFT_BANK_INVALID, _shown(ctx, bad), message)


@dataclass(frozen=True)
class RemitDataMissing:
    codes: tuple[FindingCode, ...] = (FindingCode.REMIT_DATA_MISSING,)
    needs_results: bool = True
    cycle_level: bool = True

    def check(self, ctx: RuleContext) -> list[Finding]:
        paid = _paid(ctx)
        if paid is None or ctx.cfg.event_type == "DMR":
            return []
        if not ctx.data.payer_ready:
            missing = paid
        else:
            assert ctx.cycle_payees is not None
            new = new_payee_details(ctx.claims, ctx.cycle_payees, ctx.cfg).select(
                col.PAYEE_KEY,
                pl.all_horizontal(_filled(c) for c in ("vendor_name", "npi", *_MAILING)).alias(
                    "new_ready"
                ),
            )
            existing_ready = (pl.col("remit_ready") == 1) & (
                (pl.col("payment_method") != "CHECK") | (pl.col("mailing_ready") == 1)
            )
            missing = paid.join(new, on=col.PAYEE_KEY, how="left").filter(
                ~pl.when(pl.col("is_new"))
                .then(pl.col("new_ready").fill_null(False))
                .otherwise(existing_ready.fill_null(False))
            )
        message = (
            "remittance data missing: the funding source's payer (legal name, TIN, address, "
            "EDI contact), or the payee's name, NPI or check address"
        )
        return findings_of(ctx, FindingCode.REMIT_DATA_MISSING, _shown(ctx, missing), message)
