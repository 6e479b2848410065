"""Who gets a remittance after a Final Run, its claim items and its PLB entries (OUTPUTS.md §2, §3.5).

Pure Polars over frames read from a Final Run's stored rows (outputs.gather): no database, no wall
clock. Every provider payee of the event gets one remittance, except the pure re-hold (R-1). Per
remittance:

- claim items (R-2): for each paid claim k, in (ReceivedDate, ClaimCore_ID) order, a reversal of the
  chain's effective claim before k when k is a 7 or 8 (and that claim is not a void), then k itself
  when k is a 1 or 7. The effective claim before k is the previous paid claim of its chain in this
  event, else the chain's latest Paid claim of history. A reversal's CLP04 is minus what the chain
  had paid (`payable − net` of k), so the items' CLP04 add up to the payee's claims_net.
- PLB entries (§3.5, rows 1–7): interest L6, released holds E3, refunds 72, forward balances FB
  (balances an earlier 835 of ours forwarded), legacy recoveries WO (every other overpayment),
  the new forward balance FB and a new hold E3. `reference=None` stands for "this remittance's own
  TRN02", which for a zero payment is allocated with the file (`NP` + ISA13).

The money identity (R-3) holds by construction and is checked: BPR02 = net_pay = Σ CLP04 − Σ PLB.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from paymentprocess.errors import PaymentError

PC = "payment_center_id"
OU = "over_and_under_payment_id"

# PLB rows in emission order (§3.5 "Order: rows 1, 2, 3, 4, 5, 6, 7; ties by reference").
ROW_INTEREST, ROW_RELEASE, ROW_REFUND, ROW_FB_BEFORE, ROW_LEGACY, ROW_FB_AFTER, ROW_HOLD = range(
    1, 8
)


class RemittanceIdentityError(PaymentError):
    """A remittance whose amounts do not satisfy BPR02 = Σ CLP04 − Σ PLB (a bug, never data)."""


@dataclass(frozen=True)
class RemitInputs:
    """The stored rows of one Final Run that its remittances are made of.

    - `results`: claim_result rows of the event with outcome `paid`: claim_core_id, payment_center_id,
      payable, net, interest.
    - `claims`: claim_core_id, parent_claim_core_id, frequency_code, received_date for every claim of
      `results` and every claim `history` names.
    - `history`: chain_id, claim_core_id, payable — the chain's latest Paid claim outside this event
      and what its own lines pay.
    - `payees`: payment_center_id, payment_center_type of every payee the event touched.
    - `register`: the event's payment_register rows: payment_center_id, payment_id, amount, method,
      check_number, payment_date.
    - `records`: over_and_under_payment rows the event applied or created: over_and_under_payment_id,
      payment_center_id, payment_event_id, type, total_amount, remaining_before (before this event),
      claim_chain_id, fcn (CLP07 of the chain's latest paid claim, or None).
    - `applications`: the event's applications: over_and_under_payment_id, kind, amount, refund_id.
    - `prior`: earlier remittances of these payees: payment_center_id, payment_event_id, trn02,
      forwarded (it had a row-6 FB entry), withheld (it had a row-7 E3 entry), seq (issue order).
    - `item_claims`, `item_lines` (optional; not used here): the claims the items can name with
      the 835's columns and their plan's filing indicator, and their lines with the engine's
      `payable` in (claim, line_number) order — read with the rest so that the 835 renderer
      (outputs.remit_835.claim_frames_of) does not read them again.
    """

    event_id: str
    results: pl.DataFrame
    claims: pl.DataFrame
    history: pl.DataFrame
    payees: pl.DataFrame
    register: pl.DataFrame
    records: pl.DataFrame
    applications: pl.DataFrame
    prior: pl.DataFrame
    item_claims: pl.DataFrame | None = None
    item_lines: pl.DataFrame | None = None


@dataclass(frozen=True)
class Remittances:
    """`headers`: one row per remittance; `items`: claim items in order; `plb`: PLB entries in order."""

    headers: pl.DataFrame
    items: pl.DataFrame
    plb: pl.DataFrame


def build_remittances(inputs: RemitInputs) -> Remittances:
    """The event's provider remittances (R-1), their claim items (R-2) and PLB entries (§3.5)."""
    headers = _headers(inputs)
    items = _claim_items(inputs, headers)
    plb = _plb_entries(inputs, headers)
    _check_identity(headers, items, plb)
    return Remittances(headers, items, plb)


# --- who -----------------------------------------------------------------------------------


def _per_payee(frame: pl.DataFrame, name: str, value: pl.Expr) -> pl.DataFrame:
    return frame.group_by(PC).agg(value.sum().alias(name))


def _headers(inputs: RemitInputs) -> pl.DataFrame:
    res, apps, recs = inputs.results, inputs.applications, inputs.records
    apps = apps.join(recs.select(OU, PC), on=OU, how="left")
    new = recs.filter(pl.col("payment_event_id") == inputs.event_id)
    amounts = [
        _per_payee(res, "claims_net", pl.col("net")),
        _per_payee(res, "interest", pl.col("interest")),
        _per_payee(res, "paid_claims", pl.lit(1)),
        *(
            _per_payee(apps.filter(pl.col("kind") == kind), name, pl.col("amount"))
            for kind, name in (
                ("carry_in", "carried_in"),
                ("offset", "offsets"),
                ("refund", "refunds"),
            )
        ),
        *(
            _per_payee(new.filter(pl.col("type") == kind), name, pl.col("total_amount"))
            for kind, name in (("OverPayment", "new_overpayment"), ("UnderPayment", "held"))
        ),
    ]
    frame = inputs.payees.filter(pl.col("payment_center_type") == "Provider").select(PC)
    for part in amounts:
        frame = frame.join(part, on=PC, how="left")
    register = inputs.register.select(
        PC,
        "payment_id",
        pl.col("amount").alias("net_pay"),
        pl.col("method"),
        "check_number",
        "payment_date",
    )
    names = ["claims_net", "interest", "paid_claims", "carried_in", "offsets", "refunds"]
    names += ["new_overpayment", "held"]
    frame = (
        frame.join(register, on=PC, how="left")
        .with_columns(pl.col(*names, "net_pay").fill_null(0).cast(pl.Int64))
        .filter(
            (pl.col("paid_claims") > 0)
            | (pl.col("refunds") > 0)
            | (pl.col("offsets") > 0)
            | (pl.col("new_overpayment") > 0)
            | (pl.col("net_pay") > 0)
        )
    )
    bpr04 = (
        pl.when(pl.col("net_pay") == 0)
        .then(pl.lit("NON"))
        .when(pl.col("method") == "EFT")
        .then(pl.lit("ACH"))
        .otherwise(pl.lit("CHK"))
    )
    return frame.with_columns(
        pl.concat_str(pl.lit(inputs.event_id + ":"), pl.col(PC).cast(pl.String)).alias("remit_id"),
        bpr04.alias("bpr04"),
        # TRN02: the check number or EFT reference; a zero payment's is allocated with its file.
        pl.when(pl.col("net_pay") > 0).then(pl.col("check_number")).alias("trn02"),
    ).sort(PC)


# --- claim items ---------------------------------------------------------------------------


def _claim_items(inputs: RemitInputs, headers: pl.DataFrame) -> pl.DataFrame:
    claims = inputs.claims.select(
        "claim_core_id",
        pl.coalesce("parent_claim_core_id", "claim_core_id").alias("chain_id"),
        "frequency_code",
        "received_date",
    )
    paid = (
        inputs.results.select("claim_core_id", PC, "payable", "net", "interest")
        .join(claims, on="claim_core_id", how="left")
        .join(headers.select(PC), on=PC, how="semi")
        .sort("chain_id", "received_date", "claim_core_id")
    )
    same_chain = pl.col("chain_id") == pl.col("chain_id").shift(1)
    history = inputs.history.select(
        "chain_id",
        pl.col("claim_core_id").alias("history_claim"),
        pl.col("payable").alias("history_payable"),
    )
    paid = paid.join(history, on="chain_id", how="left").with_columns(
        pl.when(same_chain)
        .then(pl.col("claim_core_id").shift(1))
        .otherwise(pl.col("history_claim"))
        .alias("before_claim"),
        (~same_chain.fill_null(False)).alias("from_history"),
    )
    freq_before = claims.select(
        pl.col("claim_core_id").alias("before_claim"),
        pl.col("frequency_code").alias("before_frequency"),
    )
    paid = paid.join(freq_before, on="before_claim", how="left")
    # what the chain had paid before k: net = effective after − effective before
    effective_before = (
        pl.when(pl.col("frequency_code") == "8")
        .then(-pl.col("net"))
        .otherwise(pl.col("payable") - pl.col("net"))
    )
    paid = paid.with_columns(effective_before.alias("effective_before"))
    renderable = pl.col("before_claim").is_not_null() & (
        pl.col("before_frequency").fill_null("8") != "8"
    )
    reversing = pl.col("frequency_code").is_in(["7", "8"]) & (
        renderable | (pl.col("effective_before") != 0)
    )
    # The claim reversed cannot be rendered line by line so that it nets what the chain had paid
    # (none known, a void, or imported history whose lines pay something else): claim-level only.
    claim_level = ~renderable | (
        pl.col("from_history") & (pl.col("history_payable") != pl.col("effective_before"))
    )
    reversals = paid.filter(reversing).select(
        PC,
        "received_date",
        pl.col("claim_core_id").alias("for_claim"),
        pl.lit(0).alias("part"),
        pl.lit("reversal").alias("kind"),
        pl.col("before_claim").alias("claim_core_id"),
        pl.col("chain_id"),
        (-pl.col("effective_before")).alias("clp04"),
        pl.lit(0, pl.Int64).alias("interest"),
        # the claim reversed is not one whose own lines add up to what the chain paid, or none
        # is known (imported history): the reversal is claim-level only (§3.3).
        claim_level.fill_null(True).alias("claim_level"),
    )
    corrections = paid.filter(pl.col("frequency_code").is_in(["1", "7"])).select(
        PC,
        "received_date",
        pl.col("claim_core_id").alias("for_claim"),
        pl.lit(1).alias("part"),
        pl.lit("claim").alias("kind"),
        "claim_core_id",
        "chain_id",
        pl.col("payable").alias("clp04"),
        pl.col("interest").cast(pl.Int64),
        pl.lit(False).alias("claim_level"),
    )
    items = pl.concat([reversals, corrections]).sort(PC, "received_date", "for_claim", "part")
    return items.with_columns(pl.int_range(1, pl.len() + 1).over(PC).alias("item_seq")).select(
        PC,
        "item_seq",
        "kind",
        "claim_core_id",
        "for_claim",
        "chain_id",
        "clp04",
        "interest",
        "claim_level",
    )


# --- §3.5: PLB entries --------------------------------------------------------------------------


def _plb_entries(inputs: RemitInputs, headers: pl.DataFrame) -> pl.DataFrame:
    recs = inputs.records
    prior = inputs.prior
    forwarded_events = prior.filter(pl.col("forwarded")).select(PC, "payment_event_id")
    forwarded = forwarded_events.unique().with_columns(pl.lit(True).alias("fb_type"))
    recs = recs.join(forwarded, on=[PC, "payment_event_id"], how="left").with_columns(
        pl.col("fb_type").fill_null(False)
    )
    apps = inputs.applications.join(
        recs.select(OU, PC, "type", "fb_type", "claim_chain_id", "fcn"), on=OU, how="inner"
    )
    latest_fb = _latest_reference(prior, "forwarded", "fb_reference")
    latest_hold = _latest_reference(prior, "withheld", "hold_reference")

    def entry(
        frame: pl.DataFrame, row: int, code: str, reference: pl.Expr, amount: pl.Expr
    ) -> pl.DataFrame:
        return frame.select(
            PC,
            pl.lit(row).alias("row"),
            pl.lit(code).alias("code"),
            reference.cast(pl.String).alias("reference"),
            amount.cast(pl.Int64).alias("amount"),
        )

    h = headers
    parts = [
        entry(
            h.filter(pl.col("interest") > 0), ROW_INTEREST, "L6", pl.lit(None), -pl.col("interest")
        )
    ]
    # 2. held money released
    releases = (
        apps.filter(pl.col("kind") == "carry_in")
        .group_by(PC)
        .agg(pl.col("amount").sum(), pl.col(OU).min().alias("first_id"))
        .join(latest_hold, on=PC, how="left")
        .join(h.select(PC), on=PC, how="semi")
    )
    hold_ref = pl.coalesce(
        "hold_reference", pl.concat_str(pl.lit("UP"), pl.col("first_id").cast(pl.String))
    )
    parts.append(entry(releases, ROW_RELEASE, "E3", hold_ref, -pl.col("amount")))
    # 3. refunds
    refunds = (
        apps.filter(pl.col("kind") == "refund")
        .group_by(PC, "refund_id")
        .agg(pl.col("amount").sum())
        .join(h.select(PC), on=PC, how="semi")
    )
    parts.append(entry(refunds, ROW_REFUND, "72", pl.col("refund_id"), -pl.col("amount")))
    # 4 and 6. the forward balance: add the whole prior FB back, forward what remains
    fb_recs = recs.filter(
        pl.col("fb_type")
        & (pl.col("type") == "OverPayment")
        & (pl.col("payment_event_id") != inputs.event_id)
    )
    f_before = fb_recs.group_by(PC).agg(pl.col("remaining_before").sum().alias("f_before"))
    fb_touch = (
        apps.filter(pl.col("fb_type") & pl.col("kind").is_in(["offset", "refund"]))
        .group_by(PC)
        .agg(pl.col("amount").sum().alias("fb_taken"))
    )
    forward = (
        h.select(PC, "new_overpayment")
        .join(f_before, on=PC, how="left")
        .join(fb_touch, on=PC, how="left")
        .join(latest_fb, on=PC, how="left")
        .with_columns(pl.col("f_before", "fb_taken").fill_null(0))
        .filter((pl.col("fb_taken") > 0) | (pl.col("new_overpayment") > 0))
        .with_columns(
            (pl.col("f_before") - pl.col("fb_taken") + pl.col("new_overpayment")).alias("f_after")
        )
    )
    parts.append(
        entry(
            forward.filter(pl.col("f_before") > 0),
            ROW_FB_BEFORE,
            "FB",
            pl.col("fb_reference"),
            pl.col("f_before"),
        )
    )
    # 5. legacy overpayments recovered (offset) or refunded
    legacy = (
        apps.filter(~pl.col("fb_type") & pl.col("kind").is_in(["offset", "refund"]))
        .group_by(PC, OU, "fcn")
        .agg(pl.col("amount").sum())
        .join(h.select(PC), on=PC, how="semi")
    )
    fcn = pl.coalesce("fcn", pl.concat_str(pl.lit("OP"), pl.col(OU).cast(pl.String)))
    parts.append(entry(legacy, ROW_LEGACY, "WO", fcn, pl.col("amount")))
    parts.append(
        entry(
            forward.filter(pl.col("f_after") > 0),
            ROW_FB_AFTER,
            "FB",
            pl.lit(None),
            -pl.col("f_after"),
        )
    )
    # 7. a new hold below the minimum payment
    parts.append(entry(h.filter(pl.col("held") > 0), ROW_HOLD, "E3", pl.lit(None), pl.col("held")))
    plb = pl.concat(parts).filter(pl.col("amount") != 0)
    return plb.sort(PC, "row", "reference", nulls_last=True).with_columns(
        pl.int_range(1, pl.len() + 1).over(PC).alias("seq")
    )


def _latest_reference(prior: pl.DataFrame, flag: str, name: str) -> pl.DataFrame:
    """Per payee, the TRN02 of its latest earlier remittance that has `flag` set."""
    return (
        prior.filter(pl.col(flag))
        .sort(PC, "seq")
        .group_by(PC, maintain_order=True)
        .agg(pl.col("trn02").last().alias(name))
    )


# --- R-3 ----------------------------------------------------------------------------------------


def _check_identity(headers: pl.DataFrame, items: pl.DataFrame, plb: pl.DataFrame) -> None:
    clp = items.group_by(PC).agg(pl.col("clp04").sum().alias("clp"))
    plbs = plb.group_by(PC).agg(pl.col("amount").sum().alias("plb"))
    check = (
        headers.select(PC, "net_pay", "claims_net")
        .join(clp, on=PC, how="left")
        .join(plbs, on=PC, how="left")
        .with_columns(pl.col("clp", "plb").fill_null(0))
        .filter(
            (pl.col("net_pay") != pl.col("clp") - pl.col("plb"))
            | (pl.col("clp") != pl.col("claims_net"))
        )
    )
    if check.height:
        first = check.row(0, named=True)
        raise RemittanceIdentityError(
            f"remittance of payee {first[PC]}: BPR02 {first['net_pay']} != "
            f"Σ CLP04 {first['clp']} − Σ PLB {first['plb']} (claims_net {first['claims_net']}); "
            f"{check.height} payee(s) fail the money identity (OUTPUTS.md R-3)"
        )
