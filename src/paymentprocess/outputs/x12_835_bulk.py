"""The 835s of an event rendered all at once with Polars string expressions (the product path).

`render_835s_bulk` gives, byte for byte, what the per-remittance renderer gives
(`remit_835.render_835s`: model → `x12_835.render_835`), without a Python step per claim, line or
segment:

1. Every service line of every claim item becomes one text: SVC, DTM*472, its CAS segments (the
   §3.3 mapping with the NEGATIVE_PAYABLE cap, as expressions), REF*6R and AMT*B6, with its segment
   count. A reversal's amounts are negated, same codes.
2. Lines join into their claim item (CLP, NM1*QC, DTM*050, AMT*I, then the lines), items into
   their remittance in O-7 order; the remittance's header (ST, BPR, TRN, 1000A, 1000B, LX) and its
   PLB segments (§3.5 order, six pairs a segment) are rendered per remittance row; SE01 counts.
3. The envelope (ISA/GS … GE/IEA) closes each interchange.

Remittances of shapes this path does not render — a claim item without lines (claim-level CAS),
a reversal whose history paid something else than its lines, an other-adjustment code that merges
with one of ours, data that the model would refuse (missing bank fields, an empty TRN02, a receiver
id too long, more than four modifiers) — are handed to the per-remittance renderer, which renders
them or names the payee's problem exactly as it always has. Every rendered file is then checked:
the bulk ones by `x12_check_bulk` (the V-rules over all files at once), the others by
`x12_check.assert_valid`.
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl
from sqlalchemy import Connection

from paymentprocess.logs import get_logger
from paymentprocess.outputs import plb as plb_rules
from paymentprocess.outputs import x12_835 as x12
from paymentprocess.outputs import x12_exprs as e
from paymentprocess.outputs import x12_text as t
from paymentprocess.outputs.details import EventDetails
from paymentprocess.outputs.issue import Controls, Rendered
from paymentprocess.outputs.problems import OutputDataError, OutputProblem
from paymentprocess.outputs.remit_835 import (
    DEFAULT_RECEIVER_QUALIFIER,
    claim_frames,
    claim_frames_of,
    funding_bank,
    payer_model,
    render_remittances,
    rendered_835,
)
from paymentprocess.outputs.remit_model import (
    Envelope,
    Payee,
    Payment,
    Remittance,
    X12Settings,
)
from paymentprocess.outputs.remittance import Remittances
from paymentprocess.outputs.x12_check_bulk import assert_valid_bulk

log = get_logger(__name__)

PC = "payment_center_id"
# Item lines rendered and checked at a time (bounds the memory of the text frames and the
# checker's segments: at 1M claims 200,000 peaked at 2.19 GB, 100,000 at 1.97 GB, for about the
# same CPU time).
CHUNK_LINES = 100_000
ITEM = ["rid", "item_seq"]
# (group, reason) pairs the line CAS emits by itself; a configured other code equal to one of
# them would merge with it (cas.normalized) — those remittances go the per-remittance way.
_OWN_PAIRS = {("CO", "45"), ("CO", "94"), ("PR", "1"), ("PR", "2"), ("PR", "3")}


def render_835s_bulk(
    conn: Connection,
    details: EventDetails,
    remits: Remittances,
    controls: Controls,
    settings: X12Settings | None = None,
    *,
    frames: tuple[pl.DataFrame, pl.DataFrame] | None = None,
) -> list[Rendered]:
    """One checked 835 per remittance (as `remit_835.render_835s`), or OutputDataError.

    `frames`: the event's item claims and lines as `gather.read_remit_inputs` read them
    (`RemitInputs.item_claims`, `item_lines`); without them they are read here."""
    if remits.headers.height == 0:
        return []
    settings = settings or X12Settings()
    if frames is None:
        claims, lines = claim_frames(conn, details.event_id, remits)
    else:
        claims, lines = claim_frames_of(remits, *frames)
    del frames
    payer, _ = payer_model(details)
    constants = _constants(details, controls, settings) if payer is not None else None
    headers = remits.headers.with_row_index("rid").join(
        details.payees, on=PC, how="left", suffix="_payee"
    )
    out: dict[int, Rendered] = {}
    if constants is None:
        slow_ids = headers["rid"]
    else:
        slow_ids, claims, lines = _render_bulk(
            details, remits, headers, claims, lines, controls, constants, out
        )
    log.info("x12_835_render", bulk=len(out), per_remittance=slow_ids.len())
    problems: list[OutputProblem] = []
    if slow_ids.len():
        slow = headers.filter(pl.col("rid").is_in(slow_ids.implode()))
        pcs = slow[PC].implode()
        subset = Remittances(
            slow.select(remits.headers.columns),
            remits.items.filter(pl.col(PC).is_in(pcs)),
            remits.plb.filter(pl.col(PC).is_in(pcs)),
        )
        named = subset.items["claim_core_id"].drop_nulls().implode()
        rendered, problems = render_remittances(
            details,
            subset,
            claims.filter(pl.col("claim_core_id").is_in(named)),
            lines.filter(pl.col("claim_core_id").is_in(named)),
            controls,
            settings,
        )
        rid_of = dict(zip(slow["remit_id"], slow["rid"], strict=True))
        for r in rendered:
            out[rid_of[r.control["remit_id"]]] = r
    if problems:
        raise OutputDataError("835", problems)
    return [out[rid] for rid in sorted(out)]


def _render_bulk(
    details: EventDetails,
    remits: Remittances,
    headers: pl.DataFrame,
    claims: pl.DataFrame,
    lines: pl.DataFrame,
    controls: Controls,
    c: _Constants,
    out: dict[int, Rendered],
) -> tuple[pl.Series, pl.DataFrame, pl.DataFrame]:
    """Render and check, chunk by chunk, every remittance the bulk path renders (into `out`, by
    rid); returns the rids of the others (`_slow_remits`) with the claims and lines they name.
    Each chunk takes only its own items, lines, claims, PLB entries and control numbers (the
    rows of its claims and lines are found once for all chunks, `_chunks`): what is held at a
    time is the cycle's frames as read plus one chunk's frames and text."""
    settings = c.settings
    isa13 = _isa13_frame(controls)
    chunks = _chunks(headers, remits.items, claims, lines)
    slow: list[pl.Series] = []
    slow_claims: list[pl.DataFrame] = [claims.clear()]
    slow_lines: list[pl.DataFrame] = [lines.clear()]
    while chunks:
        chunk, chunk_items, claim_rows, line_rows = chunks.pop(0)
        chunk_claims, chunk_lines = claims[claim_rows], lines[line_rows]
        del claim_rows, line_rows
        items = _item_lines(chunk_items, chunk, chunk_claims, chunk_lines, settings)
        slow_ids = _slow_remits(chunk, items, controls, c, settings)
        slow.append(slow_ids)
        if slow_ids.len():
            slow_pcs = chunk.filter(pl.col("rid").is_in(slow_ids.implode()))[PC].implode()
            named = chunk_items.filter(pl.col(PC).is_in(slow_pcs)).select("claim_core_id")
            slow_claims.append(chunk_claims.join(named, on="claim_core_id", how="semi"))
            slow_lines.append(chunk_lines.join(named, on="claim_core_id", how="semi"))
            chunk = chunk.filter(~pl.col("rid").is_in(slow_ids.implode()))
            items = items.filter(~pl.col("rid").is_in(slow_ids.implode()))
        del chunk_lines
        if chunk.height == 0:
            continue
        texts = _render(
            chunk,
            items,
            chunk_claims,
            remits.plb.join(chunk.select(PC), on=PC, how="semi"),
            isa13.join(chunk.select("remit_id"), on="remit_id", how="semi"),
            c,
            settings,
        )
        del items, chunk_claims
        texts = texts.join(chunk.select("rid", "remit_id"), on="rid")
        assert_valid_bulk(texts, settings)
        content_of = dict(zip(texts["rid"], texts["content"], strict=True))
        del texts
        for h in chunk.iter_rows(named=True):
            text = content_of.pop(h["rid"])
            out[h["rid"]] = rendered_835(details, h, controls, text.encode("ascii"))
    ids = pl.concat(slow) if slow else headers["rid"].clear()
    # a claim two slow remittances name is in both their chunks' parts: once each here
    return (
        ids,
        pl.concat(slow_claims).unique("claim_core_id", maintain_order=True),
        pl.concat(slow_lines)
        .unique(["claim_core_id", "line_number"], maintain_order=True)
        .sort("claim_core_id", "line_number"),
    )


def _chunks(
    headers: pl.DataFrame, items: pl.DataFrame, claims: pl.DataFrame, lines: pl.DataFrame
) -> list[tuple[pl.DataFrame, pl.DataFrame, pl.Series, pl.Series]]:
    """The remittances in rid order with their claim items (`Remittances.items` rows) and the
    row numbers, in `claims` and in `lines`, of the claims those items name and of their lines,
    in chunks of about CHUNK_LINES item lines (an item without lines counts one), so that a
    chunk's frames, text and checker's segment frame stay small whatever the cycle's size.
    The rows of every chunk are found by one join of the claim ids (a claim named in two chunks
    is in both), rather than each chunk searching the whole cycle's lines again; only the row
    numbers are split, the frames are taken a chunk at a time."""
    per_claim = lines.group_by("claim_core_id").len("_lines")
    sizes = (
        items.join(per_claim, on="claim_core_id", how="left")
        .group_by(PC)
        .agg(pl.col("_lines").fill_null(1).clip(lower_bound=1).sum().alias("len"))
    )
    chunked = (
        headers.join(sizes, on=PC, how="left")
        .sort("rid")
        .with_columns(((pl.col("len").fill_null(0) + 1).cum_sum() // CHUNK_LINES).alias("_chunk"))
    )
    items = items.join(chunked.select(PC, "_chunk"), on=PC, how="inner", maintain_order="left")
    named = items.select("claim_core_id", "_chunk").drop_nulls("claim_core_id").unique()

    def rows(frame: pl.DataFrame) -> dict[Any, pl.Series]:
        """chunk → the row numbers of `frame` whose claim the chunk names, in frame order."""
        found = (
            frame.select("claim_core_id")
            .with_row_index("_row")
            .join(named, on="claim_core_id", how="inner")
            .select("_row", "_chunk")
        )
        return {
            key[0]: part["_row"].sort()
            for key, part in found.partition_by("_chunk", as_dict=True).items()
        }

    by_chunk = {key[0]: frame for key, frame in items.partition_by("_chunk", as_dict=True).items()}
    claim_rows, line_rows = rows(claims), rows(lines)
    empty = items.clear()
    none = pl.Series("_row", [], dtype=pl.UInt32)
    return [
        (
            frame.drop("len", "_chunk"),
            by_chunk.get(key[0], empty).drop("_chunk"),
            claim_rows.pop(key[0], none),
            line_rows.pop(key[0], none),
        )
        for key, frame in chunked.partition_by("_chunk", as_dict=True, maintain_order=True).items()
    ]


# --- what is the same in every 835 of the event ---------------------------------------------


class _Constants:
    """Segments and values every 835 of the event shares (rendered by x12_835's own helpers)."""

    def __init__(self, details: EventDetails, controls: Controls, settings: X12Settings) -> None:
        payer = payer_model(details)[0]
        assert payer is not None
        self.payer = payer
        funding = funding_bank(details)
        # A remittance without items shows what x12_835 writes before 1000B, with the payee's
        # and payment's values as placeholders we never use.
        probe = Remittance(
            remit_id="probe",
            payer=payer,
            funding=funding,
            payee=Payee(payment_center_id="0", vendor_name="", npi="", tin=""),
            payment=Payment(
                method="NON", amount_cents=0, payment_date=details.payment_date, trn02="X"
            ),
            envelope=Envelope(
                isa13=1, created_at=controls.created_at, receiver_qualifier="ZZ", receiver_id="X"
            ),
        )
        segs = x12.transaction_segments(probe, settings)
        n1_pe = next(i for i, s in enumerate(segs) if s[:2] == ["N1", "PE"])
        start = next(i for i, s in enumerate(segs) if s[:2] == ["N1", "PR"])
        self.payer_segments = [t.ELEMENT.join(s) for s in segs[start:n1_pe]]
        self.dtm405 = [t.ELEMENT.join(s) for s in segs[3:start] if s[0] == "DTM"]
        self.end = t.TERMINATOR + settings.segment_newline
        self.date16 = t.x12_date(details.payment_date)
        self.period = t.x12_date(plb_rules.fiscal_period_end(details.payment_date))
        self.tin = payer.tin
        self.trn04 = t.clean_text(funding.trn04_code, 50)
        self.bpr_funding = t.ELEMENT.join(
            [
                "CCP",
                "01",
                x12._digits(funding.routing),
                "DA",
                t.clean_text(funding.account, 35),
                "1" + payer.tin,
                t.clean_text(funding.trn04_code, 9),
                "01",
            ]
        )
        self.funding_ok = bool(funding.routing and funding.account)
        env = controls.created_at
        # The probe's ISA, cut around its receiver (ISA07/08) and control number (ISA13).
        isa = x12._isa(probe).split(t.ELEMENT)
        self.isa_head = t.ELEMENT.join(isa[:7])
        self.isa_time = t.ELEMENT.join(isa[9:13])
        self.isa_tail = t.ELEMENT.join(isa[14:])
        self.gs_sender = t.clean_text(payer.gs_sender_code, 15)
        self.gs_time = t.ELEMENT.join([t.x12_date(env.date()), t.x12_time(env)])
        other = settings.other_group_reason
        self.other = other
        self.settings = settings
        self.other_merges = other is not None and (
            other in _OWN_PAIRS or (other[0] == "PR" and other[1].isdigit() and int(other[1]) < 4)
        )


def _constants(
    details: EventDetails, controls: Controls, settings: X12Settings
) -> _Constants | None:
    try:
        return _Constants(details, controls, settings)
    except ValueError:  # X12ValueError, RemitModelError
        return None  # the per-remittance renderer names the problem (or raises it) as before


# --- lines and items ------------------------------------------------------------------------


def _item_lines(
    remit_items: pl.DataFrame,
    headers: pl.DataFrame,
    claims: pl.DataFrame,
    lines: pl.DataFrame,
    settings: X12Settings,
) -> pl.DataFrame:
    """One row per (item, line) with the capped member amounts; items without lines keep one
    row with null line fields."""
    # Only what the lines and the checks need of each claim: the claim's text fields are joined
    # per chunk (_item_texts), so they are never repeated on every line of a 1M-claim cycle.
    thin = claims.select(
        "claim_core_id", "claim_filing_indicator", "received_date", "service_begin_date"
    ).with_columns(pl.lit(True).alias("_found"))
    items = remit_items.join(headers.select("rid", PC), on=PC, how="left").join(
        thin, on="claim_core_id", how="left"
    )
    money = [c for c in lines.columns if c.endswith("_amount")]
    lines = lines.rename({m: f"{m}_line" for m in money})
    joined = _with_modifiers(items.join(lines, on="claim_core_id", how="left"))
    e0 = pl.col("payable") - (
        pl.col("allowed_amount_line")
        - pl.col("deductible_amount_line")
        - pl.col("coinsurance_amount_line")
        - pl.col("copay_amount_line")
        - pl.col("other_adjustment_amount_line")
    )
    frame = joined.with_columns(_excess=e0)
    for name in ("other_adjustment", "copay", "coinsurance", "deductible"):
        amount = pl.col(f"{name}_amount_line")
        cut = pl.min_horizontal(
            pl.max_horizontal(amount, pl.lit(0)), pl.max_horizontal(pl.col("_excess"), pl.lit(0))
        )
        frame = frame.with_columns(cut.alias("_cut")).with_columns(
            (amount - pl.col("_cut")).alias(f"cas_{name}"),
            (pl.col("_excess") - pl.col("_cut")).alias("_excess"),
        )
    sign = pl.when(pl.col("kind") == "reversal").then(-1).otherwise(1)
    return frame.with_columns(
        sign.alias("sign"),
        (pl.col("billed_amount_line") - pl.col("allowed_amount_line")).alias("cas_contractual"),
    ).sort("rid", "item_seq", "line_number", nulls_last=True)


def _slow_remits(
    headers: pl.DataFrame,
    items: pl.DataFrame,
    controls: Controls,
    c: _Constants,
    settings: X12Settings,
) -> pl.Series:
    """The remittances the per-remittance renderer must render (module docstring)."""
    isa = pl.Series("remit_id", list(controls.isa13), dtype=pl.String)
    receiver = _receiver(headers)
    eft = pl.col("bpr04") == "ACH"
    bank_missing = (
        pl.col("bank_routing_number").fill_null("").eq("")
        | pl.col("bank_account_number").fill_null("").eq("")
        | pl.col("bank_account_type").fill_null("").eq("")
    )
    bad_header = headers.with_columns(
        q=e.clean(receiver["q"], 10_000),
        r=e.clean(receiver["r"], 10_000),
        trn=e.clean(headers["trn02"], t.MAX_TRN02),
    ).filter(
        ~pl.col("remit_id").is_in(isa.implode())
        | ~pl.col("bpr04").is_in(["ACH", "CHK", "NON"])
        | (eft & (bank_missing | pl.lit(not c.funding_ok)))
        | (pl.col("q").str.len_chars() > 2)
        | (pl.col("r").str.len_chars() > 15)
        | (pl.col("trn") == "")
    )["rid"]
    line_sum = (
        pl.col("billed_amount_line")
        - pl.col("cas_contractual")
        - pl.col("cas_deductible")
        - pl.col("cas_coinsurance")
        - pl.col("cas_copay")
        - pl.col("cas_other_adjustment")
    )
    other_unmapped = pl.col("cas_other_adjustment") != 0
    if c.other is not None and not c.other_merges:
        other_unmapped = pl.lit(False)
    money_null = pl.any_horizontal(
        pl.col(f"{m}_line").is_null()
        for m in (
            "billed_amount",
            "allowed_amount",
            "deductible_amount",
            "coinsurance_amount",
            "copay_amount",
            "other_adjustment_amount",
        )
    )
    per_item = items.group_by(ITEM).agg(
        (pl.col("claim_core_id").first().is_null() | pl.col("_found").first().is_null()).alias(
            "no_claim"
        ),
        pl.col("claim_filing_indicator")
        .first()
        .fill_null("")
        .str.strip_chars()
        .eq("")
        .alias("no_filing"),
        (pl.col("line_number").is_null() | money_null).any().alias("no_lines"),
        (line_sum != pl.col("payable")).any().alias("unbalanced"),
        other_unmapped.any().alias("unmapped"),
        pl.col("payable").sum().alias("paid"),
        pl.col("clp04").first(),
        pl.col("kind").first(),
        pl.col("interest").first(),
        pl.col("received_date").first().is_null().alias("no_received"),
        (pl.col("mod_count") > 4).any().alias("many_modifiers"),
    )
    needs_received = (
        (pl.col("kind") == "claim")
        & (pl.col("interest") > 0)
        & pl.lit(settings.emit_dtm050_with_interest)
    )
    bad_items = per_item.filter(
        pl.col("no_claim")
        | pl.col("no_filing")
        | ~pl.col("kind").is_in(["claim", "reversal"])
        | ((pl.col("kind") == "claim") & (pl.col("interest") < 0))
        | pl.col("no_lines")
        | pl.col("unbalanced")
        | pl.col("unmapped")
        | pl.col("many_modifiers")
        | (needs_received & pl.col("no_received"))
        | ((pl.col("kind") == "reversal") & (pl.col("paid") != -pl.col("clp04")))
        | ((pl.col("kind") == "claim") & (pl.col("paid") != pl.col("clp04")))
    )["rid"]
    return pl.concat([bad_header, bad_items]).unique()


def _receiver(headers: pl.DataFrame) -> pl.DataFrame:
    """ISA07/ISA08 of each remittance: the payee's ERA receiver, else ZZ + its NPI."""
    return headers.select(
        q=pl.col("era_receiver_qualifier")
        .replace("", None)
        .fill_null(pl.lit(DEFAULT_RECEIVER_QUALIFIER)),
        r=pl.col("era_receiver_id").replace("", None).fill_null(pl.col("npi").fill_null("")),
    )


# --- rendering --------------------------------------------------------------------------------


def _opt(condition: pl.Expr, text: pl.Expr, end: str) -> tuple[pl.Expr, pl.Expr]:
    """An optional segment: its text with the terminator (or ''), and 1 or 0 for SE01."""
    return (
        pl.when(condition).then(pl.concat_str(text, pl.lit(end))).otherwise(pl.lit("")),
        pl.when(condition).then(1).otherwise(0),
    )


def _with_clean(frame: pl.DataFrame, specs: dict[str, tuple[str, int]]) -> pl.DataFrame:
    return frame.with_columns(
        e.clean(frame[src], size).alias(name) for name, (src, size) in specs.items()
    )


def _isa13_frame(controls: Controls) -> pl.DataFrame:
    """remit_id, isa13 of every remittance the issue numbered."""
    return pl.DataFrame(
        {"remit_id": list(controls.isa13), "isa13": list(controls.isa13.values())},
        schema={"remit_id": pl.String, "isa13": pl.Int64},
    )


def _render(
    headers: pl.DataFrame,
    items: pl.DataFrame,
    claims: pl.DataFrame,
    plb_entries: pl.DataFrame,
    isa_numbers: pl.DataFrame,
    c: _Constants,
    settings: X12Settings,
) -> pl.DataFrame:
    """rid, content (the whole interchange text) of every remittance of `headers` (`claims`,
    `plb_entries` and `isa_numbers` may be limited to those the remittances name)."""
    end = c.end
    lines = _line_texts(items, c, settings)
    item_text = _item_texts(items, lines, claims, c, settings)
    plb = _plb_texts(headers, plb_entries, c)
    with_items = headers.with_columns(
        pl.col("rid").is_in(items["rid"].implode()).alias("_has_items")
    )
    head = _header_texts(with_items, isa_numbers, c, settings)
    body = (
        head.join(item_text, on="rid", how="left")
        .join(plb, on="rid", how="left")
        .with_columns(
            pl.col("items").fill_null(""),
            pl.col("plb").fill_null(""),
            pl.col("item_count").fill_null(0),
            pl.col("plb_count").fill_null(0),
        )
    )
    count = pl.col("head_count") + pl.col("item_count") + pl.col("plb_count") + 1
    isa13 = pl.col("isa13")
    content = pl.concat_str(
        pl.col("isa"),
        pl.lit(end),
        pl.col("gs"),
        pl.lit(end),
        pl.col("head"),
        pl.col("items"),
        pl.col("plb"),
        pl.lit("SE*"),
        count.cast(pl.String),
        pl.lit("*0001" + end),
        pl.lit("GE*1*"),
        isa13.cast(pl.String),
        pl.lit(end),
        pl.lit("IEA*1*"),
        isa13.cast(pl.String).str.zfill(9),
        pl.lit(end),
    )
    return body.sort("rid").select("rid", content.alias("content"))


def _line_texts(items: pl.DataFrame, c: _Constants, settings: X12Settings) -> pl.DataFrame:
    """ITEM, text, count: every line's SVC loop text, joined per item in line order."""
    end = c.end
    frame = items.filter(pl.col("line_number").is_not_null())
    frame = _with_svc01(_with_clean(frame, {"lic": ("line_item_control_number", t.MAX_REF02)}))
    s = pl.col("sign")
    units = pl.col("units").fill_null(1)
    units_text = (
        pl.when(units != 1).then(units.cast(pl.String)).otherwise(pl.lit(""))
        if settings.svc05_only_when_not_one
        else units.cast(pl.String)
    )
    svc = e.seg(
        pl.lit("SVC"),
        pl.col("svc01"),
        e.amount(s * pl.col("billed_amount_line")),
        e.amount(s * pl.col("payable")),
        pl.lit(""),
        units_text,
    )
    day = pl.coalesce("service_date", "service_begin_date")
    dtm, dtm_n = _opt(day.is_not_null(), pl.concat_str(pl.lit("DTM*472*"), e.date8(day)), end)
    # Each CAS group's pairs joined once into a column ('' when it has none): its segment and
    # its count read that column instead of building the pairs twice.
    groups = _line_cas(c)
    frame = frame.with_columns(pairs.alias(f"_cas{i}") for i, (_, pairs) in enumerate(groups))
    cas_parts = [
        _opt(pl.col(f"_cas{i}") != "", pl.concat_str(pl.lit(head), pl.col(f"_cas{i}")), end)
        for i, (head, _) in enumerate(groups)
    ]
    ref, ref_n = _opt(pl.col("lic") != "", pl.concat_str(pl.lit("REF*6R*"), pl.col("lic")), end)
    b6, b6_n = _opt(
        pl.lit(settings.emit_amt_b6),
        pl.concat_str(pl.lit("AMT*B6*"), e.amount(s * pl.col("allowed_amount_line"))),
        end,
    )
    text = pl.concat_str(svc, pl.lit(end), dtm, *(p[0] for p in cas_parts), ref, b6)
    n = 1 + dtm_n + sum((p[1] for p in cas_parts), pl.lit(0)) + ref_n + b6_n
    pr = s * (pl.col("cas_deductible") + pl.col("cas_coinsurance") + pl.col("cas_copay"))
    if c.other is not None and c.other[0] == "PR":
        pr = pr + s * pl.col("cas_other_adjustment")
    return (
        frame.select(
            *ITEM,
            text.alias("text"),
            n.alias("n"),
            pr.alias("pr"),
            (s * pl.col("billed_amount_line")).alias("charge"),
            (s * pl.col("payable")).alias("paid"),
        )
        .group_by(ITEM, maintain_order=True)
        .agg(
            pl.col("text").str.join(""),
            pl.col("n").sum(),
            pl.col("pr").sum(),
            pl.col("charge").sum(),
            pl.col("paid").sum(),
        )
    )


def _with_modifiers(frame: pl.DataFrame) -> pl.DataFrame:
    """`mod_count`: how many codes each line's `modifiers` JSON text holds (read once per
    distinct text)."""
    raw = pl.col("modifiers").fill_null("")
    distinct = frame.select(raw.alias("modifiers")).unique()["modifiers"].to_list()
    table = pl.DataFrame(
        {
            "_mods_raw": distinct,
            "mod_count": [len(json.loads(text)) if text else 0 for text in distinct],
        },
        schema={"_mods_raw": pl.String, "mod_count": pl.Int64},
    )
    return (
        frame.with_columns(raw.alias("_mods_raw"))
        .join(table, on="_mods_raw", how="left")
        .drop("_mods_raw")
    )


def _with_svc01(frame: pl.DataFrame) -> pl.DataFrame:
    """`svc01`: SVC01 (`AD:D2740:25`) by x12_835's own rule, once per distinct (procedure code,
    modifiers) pair of the frame; the frame keeps its row order."""
    keys = [
        pl.col("procedure_code").fill_null("").alias("_code"),
        pl.col("modifiers").fill_null("").alias("_mods"),
    ]
    frame = frame.with_columns(keys)
    pairs = frame.select("_code", "_mods").unique()
    texts = [
        x12.procedure_text(code, tuple(json.loads(mods)) if mods else ())
        for code, mods in pairs.iter_rows()
    ]
    table = pairs.with_columns(pl.Series("svc01", texts, dtype=pl.String))
    return frame.join(table, on=["_code", "_mods"], how="left", maintain_order="left").drop(
        "_code", "_mods"
    )


def _line_cas(c: _Constants) -> list[tuple[str, pl.Expr]]:
    """(`CAS*<group>*`, its pairs joined: '' when the line has none) of the line's CAS groups, in
    group order CO, PR, OA, PI."""
    s = pl.col("sign")
    contractual = pl.col("cas_contractual")
    other = pl.col("cas_other_adjustment")

    def pair(reason: pl.Expr | str, amount: pl.Expr) -> pl.Expr:
        code = pl.lit(reason) if isinstance(reason, str) else reason
        return pl.when(amount != 0).then(pl.concat_str(code, pl.lit("*"), e.amount(s * amount)))

    co_reason = pl.when(contractual >= 0).then(pl.lit("45")).otherwise(pl.lit("94"))
    groups: dict[str, list[pl.Expr]] = {
        "CO": [pair(co_reason, contractual)],
        "PR": [
            pair("1", pl.col("cas_deductible")),
            pair("2", pl.col("cas_coinsurance")),
            pair("3", pl.col("cas_copay")),
        ],
    }
    if c.other is not None:
        group, reason = c.other
        mine = pair(reason, other)
        if group == "CO" and reason.isdigit():
            first = pl.when(contractual >= 0).then(int(reason) < 45).otherwise(int(reason) < 94)
            groups["CO"] = [
                pl.when(first).then(mine).otherwise(groups["CO"][0]),
                pl.when(first).then(groups["CO"][0]).otherwise(mine),
            ]
        else:
            groups.setdefault(group, []).append(mine)
    out = []
    for group in ("CO", "PR", "OA", "PI"):
        pairs = groups.get(group)
        if not pairs:
            continue
        out.append((f"CAS*{group}*", pl.concat_str(pairs, separator="**", ignore_nulls=True)))
    return out


def _item_texts(
    items: pl.DataFrame,
    lines: pl.DataFrame,
    claims: pl.DataFrame,
    c: _Constants,
    settings: X12Settings,
) -> pl.DataFrame:
    """rid, items (text of every CLP loop in order), item_count (segments)."""
    end = c.end
    text_fields = [
        "patient_control_number",
        "claim_reference",
        "frequency_code",
        "member_id",
        "patient_last_name",
        "patient_first_name",
    ]
    first = items.group_by(ITEM, maintain_order=True).agg(
        pl.col(
            "kind", "claim_core_id", "claim_filing_indicator", "interest", "received_date"
        ).first()
    )
    first = first.join(claims.select("claim_core_id", *text_fields), on="claim_core_id", how="left")
    pcn_source = pl.coalesce(
        pl.col("patient_control_number").replace("", None),
        pl.col("claim_reference").replace("", None),
        pl.col("claim_core_id"),
    )
    frame = first.with_columns(pcn_source.alias("_pcn"))
    frame = _with_clean(
        frame,
        {
            "pcn": ("_pcn", t.MAX_CLP01),
            "pcn_id": ("claim_core_id", t.MAX_CLP01),
            "cid": ("claim_core_id", t.MAX_CLP07),
            "filing": ("claim_filing_indicator", 2),
            "freq": ("frequency_code", 1),
            "last": ("patient_last_name", t.MAX_NM103),
            "first": ("patient_first_name", t.MAX_NM104),
            "member": ("member_id", 80),
        },
    ).join(lines, on=ITEM, how="left")
    reversal = pl.col("kind") == "reversal"
    pr = pl.col("pr")
    clp = e.joined(
        pl.lit("CLP"),
        pl.when(pl.col("pcn") != "").then(pl.col("pcn")).otherwise(pl.col("pcn_id")),
        pl.when(reversal).then(pl.lit("22")).otherwise(pl.lit("1")),
        e.amount(pl.col("charge")),
        e.amount(pl.col("paid")),
        pl.when(pr != 0).then(e.amount(pr)).otherwise(pl.lit("")),
        pl.col("filing"),
        pl.col("cid"),
        pl.lit(""),
        pl.when(pl.col("frequency_code").fill_null("") == "")
        .then(pl.lit("1"))
        .otherwise(pl.col("freq")),
    )
    member = pl.col("member") != ""
    nm1 = e.seg(
        pl.lit("NM1"),
        pl.lit("QC"),
        pl.lit("1"),
        pl.col("last"),
        pl.col("first"),
        pl.lit(""),
        pl.lit(""),
        pl.lit(""),
        pl.when(member).then(pl.lit("MI")).otherwise(pl.lit("")),
        pl.col("member"),
    )
    interest = ~reversal & (pl.col("interest") > 0)
    dtm, dtm_n = _opt(
        interest & pl.lit(settings.emit_dtm050_with_interest),
        pl.concat_str(pl.lit("DTM*050*"), e.date8(pl.col("received_date"))),
        end,
    )
    amt, amt_n = _opt(interest, pl.concat_str(pl.lit("AMT*I*"), e.amount(pl.col("interest"))), end)
    text = pl.concat_str(clp, pl.lit(end), nm1, pl.lit(end), dtm, amt, pl.col("text"))
    n = 2 + dtm_n + amt_n + pl.col("n")
    return (
        frame.select("rid", "item_seq", text.alias("t"), n.alias("n"))
        .sort("rid", "item_seq")
        .group_by("rid", maintain_order=True)
        .agg(pl.col("t").str.join("").alias("items"), pl.col("n").sum().alias("item_count"))
    )


def _plb_texts(headers: pl.DataFrame, plb_entries: pl.DataFrame, c: _Constants) -> pl.DataFrame:
    """rid, plb (its PLB segments' text), plb_count."""
    end = c.end
    entries = plb_entries.join(headers.select("rid", PC, "trn02", "npi"), on=PC, how="inner")
    if entries.height == 0:
        return pl.DataFrame(schema={"rid": pl.UInt32, "plb": pl.String, "plb_count": pl.Int64})
    code, amount = pl.col("code"), pl.col("amount")
    row = (
        pl.when(code == "L6")
        .then(1)
        .when(code == "E3")
        .then(pl.when(amount < 0).then(2).otherwise(7))
        .when(code == "72")
        .then(3)
        .when(code == "FB")
        .then(pl.when(amount > 0).then(4).otherwise(6))
        .when(code == "WO")
        .then(5)
        .otherwise(8)
    )
    reference = (
        pl.when(code == "L6")
        .then(pl.lit(None, pl.String))
        .otherwise(pl.coalesce("reference", "trn02"))
    )
    entries = entries.with_columns(row.alias("_row"), reference.alias("_ref"))
    entries = _with_clean(
        entries, {"_code": ("code", 2), "_refc": ("_ref", t.MAX_PLB_REF), "_npi": ("npi", 50)}
    )
    entries = entries.sort("rid", "_row", "code", pl.col("_ref").fill_null(""), "amount")
    entries = entries.with_columns(
        (pl.int_range(pl.len()).over("rid") // plb_rules.MAX_PAIRS).alias("_chunk")
    )
    pair = pl.concat_str(
        pl.when(pl.col("_refc") != "")
        .then(pl.concat_str(pl.col("_code"), pl.lit(t.COMPONENT), pl.col("_refc")))
        .otherwise(pl.col("_code")),
        pl.lit("*"),
        e.amount(amount),
    )
    segments = (
        entries.with_columns(pair.alias("_pair"))
        .group_by("rid", "_chunk", maintain_order=True)
        .agg(pl.col("_pair").str.join("*"), pl.col("_npi").first())
        .with_columns(
            pl.concat_str(
                pl.lit("PLB*"),
                pl.col("_npi"),
                pl.lit(f"*{c.period}*"),
                pl.col("_pair"),
                pl.lit(end),
            ).alias("_seg")
        )
    )
    return segments.group_by("rid", maintain_order=True).agg(
        pl.col("_seg").str.join("").alias("plb"), pl.len().cast(pl.Int64).alias("plb_count")
    )


def _header_texts(
    headers: pl.DataFrame, isa_numbers: pl.DataFrame, c: _Constants, settings: X12Settings
) -> pl.DataFrame:
    """rid, isa, gs, head (ST … LX), head_count, isa13."""
    end = c.end
    frame = headers.join(isa_numbers, on="remit_id", how="left", maintain_order="left")
    receiver = _receiver(frame)  # of the joined frame itself: the columns go back by position
    frame = frame.with_columns(receiver["q"].alias("_q"), receiver["r"].alias("_r"))
    frame = _with_clean(
        frame,
        {
            "q": ("_q", 10_000),
            "r": ("_r", 10_000),
            "gsr": ("_r", 15),
            "trn": ("trn02", t.MAX_TRN02),
            "vendor": ("vendor_name", t.MAX_N102),
            "a1": ("address_line1", t.MAX_N301),
            "a2": ("address_line2", t.MAX_N301),
            "city": ("address_city", t.MAX_N401),
            "state": ("address_state", 2),
            "account": ("bank_account_number", 35),
        },
    )
    isa13 = pl.col("isa13").cast(pl.String)
    isa_text = pl.concat_str(
        pl.lit(c.isa_head + "*"),
        pl.col("q").str.pad_end(2),
        pl.lit("*"),
        pl.col("r").str.pad_end(15),
        pl.lit(f"*{c.isa_time}*"),
        isa13.str.zfill(9),
        pl.lit("*" + c.isa_tail),
    )
    gs = pl.concat_str(
        pl.lit(f"GS*HP*{c.gs_sender}*"),
        pl.col("gsr"),
        pl.lit(f"*{c.gs_time}*"),
        isa13,
        pl.lit("*X*" + x12.IMPLEMENTATION),
    )
    method = pl.col("bpr04")
    amount = e.amount(pl.col("net_pay"))
    empty11 = "*" * 12
    bpr = (
        pl.when(method == "NON")
        .then(pl.concat_str(pl.lit("BPR*H*"), amount, pl.lit(f"*C*NON{empty11}{c.date16}")))
        .when(method == "CHK")
        .then(pl.concat_str(pl.lit("BPR*I*"), amount, pl.lit(f"*C*CHK{empty11}{c.date16}")))
        .otherwise(
            pl.concat_str(
                pl.lit("BPR*I*"),
                amount,
                pl.lit(f"*C*ACH*{c.bpr_funding}*"),
                e.digits(pl.col("bank_routing_number")),
                pl.lit("*"),
                pl.when(pl.col("bank_account_type") == "S")
                .then(pl.lit("SG"))
                .otherwise(pl.lit("DA")),
                pl.lit("*"),
                pl.col("account"),
                pl.lit(f"*{c.date16}"),
            )
        )
    )
    trn = e.seg(pl.lit("TRN"), pl.lit("1"), pl.col("trn"), pl.lit("1" + c.tin), pl.lit(c.trn04))
    fixed = ["ST*835*0001"]
    n1_pe = pl.concat_str(
        pl.lit("N1*PE*"), pl.col("vendor"), pl.lit("*XX*"), e.digits(pl.col("npi"))
    )
    has_address = pl.col("address_line1").fill_null("") != ""
    n3, n3_n = _opt(has_address, e.seg(pl.lit("N3"), pl.col("a1"), pl.col("a2")), end)
    n4, n4_n = _opt(
        has_address,
        e.seg(pl.lit("N4"), pl.col("city"), pl.col("state"), e.digits(pl.col("address_zip"))),
        end,
    )
    tj, tj_n = _opt(
        pl.lit(settings.emit_ref_tj) & (pl.col("tax_id").fill_null("") != ""),
        pl.concat_str(pl.lit("REF*TJ*"), e.digits(pl.col("tax_id"))),
        end,
    )
    head = pl.concat_str(
        pl.lit("".join(s + end for s in fixed)),
        bpr,
        pl.lit(end),
        trn,
        pl.lit(end),
        pl.lit("".join(s + end for s in c.dtm405 + c.payer_segments)),
        n1_pe,
        pl.lit(end),
        n3,
        n4,
        tj,
        pl.when(pl.col("_has_items")).then(pl.lit("LX*1" + end)).otherwise(pl.lit("")),
    )
    count = (
        len(fixed)
        + 2
        + len(c.dtm405)
        + len(c.payer_segments)
        + 1
        + n3_n
        + n4_n
        + tj_n
        + pl.when(pl.col("_has_items")).then(1).otherwise(0)
    )
    return frame.select(
        "rid",
        "isa13",
        isa_text.alias("isa"),
        gs.alias("gs"),
        head.alias("head"),
        count.alias("head_count"),
    )
