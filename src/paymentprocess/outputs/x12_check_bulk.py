"""Our validator's rules over every rendered 835 of an event at once (Polars over the text).

Like `x12_check` it reads only the text — never the frames it came from: each interchange is split
into segments and elements, every segment is attributed to its claim and service line, amounts are
parsed back to cents, and the rules are group-bys:

- V-1 line balance: SVC02 − ΣCAS(line) = SVC03;
- V-2 claim balance: CLP03 − ΣCAS(claim and its lines) = CLP04, and CLP04 = ΣSVC03 with lines;
- V-3 BPR02 = ΣCLP04 − ΣPLB;
- V-4 CLP05 = Σ PR amounts of the claim and its lines;
- V-5 AMT*I is never 0 and never on a reversal; ΣPLB L6 = −ΣAMT*I; no PLB amount is 0;
- V-6 BPR02 ≥ 0; 0 exactly with BPR01 H / BPR04 NON; otherwise I and ACH or CHK;
- V-7 TRN present, TRN03 = BPR10 on ACH;
- V-8 CLP02 is 1 or 22;
- V-11 ISA is 106 characters, the envelope is ISA GS ST … SE GE IEA with one ST, SE01 counts the
  transaction's segments, SE02 = ST02, GE02 = GS06 = ISA13 without zeros, IEA02 = ISA13;
- V-12 CAS groups CO/PR/OA/PI with at most six pairs and known reason codes; known PLB codes;
- V-13 CLP01, CLP02, CLP06, CLP07 present; NM108 with NM109.

The chain rules of V-8 (a claim reversed twice, a void's lone reversal) need the model and are the
per-file checker's (`x12_check.check`); the tests run it on every file the bulk path writes.
`assert_valid_bulk` raises `Remit835Error` for the first file that fails, naming every rule.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from paymentprocess.outputs import plb as plb_rules
from paymentprocess.outputs import x12_text as t
from paymentprocess.outputs.cas import GROUP_ORDER, OWN_CARCS
from paymentprocess.outputs.remit_model import X12Settings
from paymentprocess.outputs.x12_check import ISA_LENGTH, Problem, Remit835Error

# (frame, condition, rule, message): record the rows of `frame` where `condition` holds.
Add = Callable[[pl.DataFrame, pl.Expr, str, pl.Expr | str], None]

_AMOUNT = r"^-?(\d+(\.\d{0,2}0*)?|\.\d{1,2}0*)$"  # ≤ 2 decimals but zeros


def _el(index: int) -> pl.Expr:
    return pl.col("el").list.get(index, null_on_oob=True).fill_null("")


def cents(text: pl.Expr) -> pl.Expr:
    """An X12 `R` amount as integer cents, exactly as `parse_x12_amount` reads it (digits after
    the second decimal only when they are zeros); null for text that is not one."""
    valid = text.str.contains(_AMOUNT)  # past two decimals only zeros, which to_decimal drops
    safe = pl.when(valid).then(text).otherwise(pl.lit("0"))
    value = (safe.str.to_decimal(scale=2) * 100).cast(pl.Int64)
    return pl.when(valid).then(value).otherwise(pl.lit(None, pl.Int64))


def segments(texts: pl.DataFrame) -> pl.DataFrame:
    """rid, tag, el (elements) of every segment of every interchange, in order."""
    return _split(segment_texts(texts)).select("rid", "el", "tag")


def segment_texts(texts: pl.DataFrame) -> pl.DataFrame:
    """rid, seg (the segment's text without its terminator), tag of every segment of every
    interchange, in order. Only the segments a rule reads are split into elements (`_split`)."""
    frame = texts.select("rid", pl.col("content").str.split(t.TERMINATOR).alias("seg")).explode(
        "seg"
    )
    frame = frame.with_columns(pl.col("seg").str.strip_chars("\r\n")).filter(pl.col("seg") != "")
    seg = pl.col("seg")
    # the text before the first separator, or the whole segment (as split(…)[0] gives it)
    return frame.with_columns(seg.str.slice(0, seg.str.find(t.ELEMENT, literal=True)).alias("tag"))


def _split(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with `el`, the elements of its `seg`, instead of `seg`."""
    return frame.with_columns(pl.col("seg").str.split(t.ELEMENT).alias("el")).drop("seg")


# The segments the money and code rules read element by element.
_SPLIT_TAGS = ("CAS", "SVC", "CLP", "BPR", "TRN", "PLB", "NM1")


def problems_bulk(texts: pl.DataFrame, settings: X12Settings | None = None) -> pl.DataFrame:
    """rid, rule, message of every failed rule (empty frame = every file passes)."""
    settings = settings or X12Settings()
    s = segment_texts(texts)
    tag = pl.col("tag")
    # Claims numbered across all files (with rid, a unique key), lines within their claim:
    # running counts over the ordered segments, no window per file.
    clp = tag == "CLP"
    s = s.with_columns(clp.cum_sum().alias("claim"), (tag == "SVC").cum_sum().alias("_svc"))
    s = s.with_columns(
        (pl.col("_svc") - pl.when(clp).then(pl.col("_svc")).forward_fill().fill_null(0)).alias(
            "line"
        )
    ).drop("_svc")
    found: list[pl.DataFrame] = []

    def rule(frame: pl.DataFrame, condition: pl.Expr, name: str, message: pl.Expr | str) -> None:
        text = pl.lit(message) if isinstance(message, str) else message
        hit = frame.filter(condition.fill_null(True))
        if hit.height:
            found.append(
                hit.select("rid", pl.lit(name).alias("rule"), text.cast(pl.String).alias("message"))
            )

    _envelope(s, texts, rule)
    parts = {name: _split(s.filter(tag == name)) for name in _SPLIT_TAGS}
    seg = pl.col("seg")
    # AMT*I (AMT01 = I) only: the other AMT segments are never split
    parts["AMT*I"] = _split(
        s.filter((tag == "AMT") & ((seg == "AMT*I") | seg.str.starts_with("AMT*I*")))
    )
    del s
    _money(parts, rule)
    _codes(parts, settings, rule)
    if not found:
        return pl.DataFrame(schema={"rid": pl.UInt32, "rule": pl.String, "message": pl.String})
    return pl.concat([f.with_columns(pl.col("rid").cast(pl.UInt32)) for f in found])


def assert_valid_bulk(texts: pl.DataFrame, settings: X12Settings | None = None) -> None:
    """Raise `Remit835Error` for the first interchange that fails a rule (module docstring)."""
    problems = problems_bulk(texts, settings)
    if problems.height == 0:
        return
    first: int = problems["rid"].sort()[0]
    mine = problems.filter(pl.col("rid") == first)
    name = f"#{first}"
    if "remit_id" in texts.columns:
        name = str(texts.filter(pl.col("rid") == first)["remit_id"][0])
    raise Remit835Error(
        name, [Problem(r, m) for r, m in zip(mine["rule"], mine["message"], strict=True)]
    )


def _envelope(s: pl.DataFrame, texts: pl.DataFrame, rule: Add) -> None:
    add = rule  # (frame, condition, name, message)
    isa = texts.select(
        "rid",
        pl.col("content").str.slice(0, ISA_LENGTH).alias("isa"),
    ).with_columns(
        pl.col("isa").str.slice(0, 3).alias("head"),
        pl.col("isa").str.slice(ISA_LENGTH - 1, 1).alias("term"),
        pl.col("isa").str.count_matches(r"\*", literal=False).alias("seps"),
        pl.col("isa").str.slice(90, 9).alias("isa13"),
    )
    add(
        isa,
        (pl.col("head") != "ISA") | (pl.col("term") != t.TERMINATOR) | (pl.col("seps") != 16),
        "V-11",
        "ISA is not 106 bytes with 16 element separators",
    )
    tags = (
        s.group_by("rid")
        .agg(
            pl.col("tag").first().alias("t1"),
            pl.col("tag").get(1).alias("t2"),
            pl.col("tag").get(2).alias("t3"),
            pl.col("tag").get(-3).alias("se"),
            pl.col("tag").get(-2).alias("ge"),
            pl.col("tag").get(-1).alias("iea"),
            (pl.col("tag") == "ST").sum().alias("sts"),
            (pl.col("tag") == "GS").sum().alias("gss"),
            pl.len().alias("n"),
            pl.col("seg").get(1).alias("_s2"),
            pl.col("seg").get(2).alias("_s3"),
            pl.col("seg").get(-3).alias("_se"),
            pl.col("seg").get(-2).alias("_ge"),
            pl.col("seg").get(-1).alias("_iea"),
        )
        .join(isa.select("rid", "isa13"), on="rid")
    )

    def element(segment: str, index: int) -> pl.Expr:
        return pl.col(segment).str.split(t.ELEMENT).list.get(index, null_on_oob=True)

    tags = tags.with_columns(
        element("_s2", 6).alias("gs06"),
        element("_s3", 2).alias("st02"),
        element("_se", 1).alias("se01"),
        element("_se", 2).alias("se02"),
        element("_ge", 2).alias("ge02"),
        element("_iea", 2).alias("iea02"),
    )
    add(
        tags,
        (pl.col("t1") != "ISA")
        | (pl.col("t2") != "GS")
        | (pl.col("t3") != "ST")
        | (pl.col("se") != "SE")
        | (pl.col("ge") != "GE")
        | (pl.col("iea") != "IEA")
        | (pl.col("sts") != 1)
        | (pl.col("gss") != 1),
        "V-11",
        "envelope must be ISA, GS, ST … SE, GE, IEA (one transaction)",
    )
    add(
        tags,
        pl.col("se01") != (pl.col("n") - 4).cast(pl.String),
        "V-11",
        pl.format("SE01 is {}, the transaction has {} segments", "se01", pl.col("n") - 4),
    )
    add(tags, pl.col("se02") != pl.col("st02"), "V-11", "SE02 must equal ST02")
    add(
        tags,
        (pl.col("ge02") != pl.col("gs06"))
        | (pl.col("iea02") != pl.col("isa13"))
        | (pl.col("gs06") != pl.col("isa13").str.strip_chars_start("0")),
        "V-11",
        "GE02 = GS06 = ISA13 (without leading zeros) and IEA02 = ISA13",
    )


def _money(parts: dict[str, pl.DataFrame], rule: Add) -> None:
    add = rule
    cas_amounts = [cents(pl.col(f"a{k}")) for k in range(3, 19, 3)]
    present = [pl.col(f"a{k}") != "" for k in range(3, 19, 3)]
    pr_group = _el(1) == "PR"
    cas_sum = pl.sum_horizontal(
        pl.when(p).then(a).otherwise(0) for p, a in zip(present, cas_amounts, strict=True)
    )
    bad_cas = pl.any_horizontal(p & a.is_null() for p, a in zip(present, cas_amounts, strict=True))
    cas = (
        parts["CAS"]
        .with_columns(_el(k).alias(f"a{k}") for k in range(3, 19, 3))
        .with_columns(cas_sum.alias("amount"), bad_cas.alias("bad"), pr_group.alias("pr"))
    )
    add(cas, pl.col("bad"), "V-1", "a CAS amount is not an amount")
    lines = (
        parts["SVC"]
        .select("rid", "claim", "line", _el(2).alias("svc02"), _el(3).alias("svc03"))
        .with_columns(cents(pl.col("svc02")).alias("svc02"), cents(pl.col("svc03")).alias("svc03"))
    )
    line_cas = (
        cas.filter(pl.col("line") > 0)
        .group_by("rid", "claim", "line")
        .agg(pl.col("amount").sum().alias("cas"))
    )
    lines = lines.join(line_cas, on=["rid", "claim", "line"], how="left").with_columns(
        pl.col("cas").fill_null(0)
    )
    add(
        lines,
        pl.col("svc02") - pl.col("cas") != pl.col("svc03"),
        "V-1",
        pl.format("service line {} of a claim: SVC02 − ΣCAS ≠ SVC03", "line"),
    )
    claims = parts["CLP"].select(
        "rid",
        "claim",
        cents(_el(3)).alias("clp03"),
        cents(_el(4)).alias("clp04"),
        pl.when(_el(5) == "").then(0).otherwise(cents(_el(5))).alias("clp05"),
        _el(2).alias("clp02"),
        _el(7).alias("clp07"),
    )
    totals = cas.group_by("rid", "claim").agg(
        pl.col("amount").sum().alias("cas"),
        pl.col("amount").filter(pl.col("pr")).sum().alias("pr"),
    )
    svc = lines.group_by("rid", "claim").agg(
        pl.col("svc03").sum().alias("svc03"), pl.len().alias("lines")
    )
    amt_i = parts["AMT*I"].select("rid", "claim", "line", cents(_el(2)).alias("amount"))
    interest = amt_i.group_by("rid", "claim").agg(pl.col("amount").sum().alias("interest"))
    claims = (
        claims.join(totals, on=["rid", "claim"], how="left")
        .join(svc, on=["rid", "claim"], how="left")
        .join(interest, on=["rid", "claim"], how="left")
        .with_columns(pl.col("cas", "pr", "lines", "interest").fill_null(0))
    )
    where = pl.format("claim {}: ", "clp07")
    add(
        claims,
        pl.col("clp03") - pl.col("cas") != pl.col("clp04"),
        "V-2",
        pl.concat_str(where, pl.lit("CLP03 − ΣCAS ≠ CLP04")),
    )
    add(
        claims,
        (pl.col("lines") > 0) & (pl.col("svc03") != pl.col("clp04")),
        "V-2",
        pl.concat_str(where, pl.lit("CLP04 ≠ ΣSVC03")),
    )
    add(
        claims,
        pl.col("clp05") != pl.col("pr"),
        "V-4",
        pl.concat_str(where, pl.lit("CLP05 ≠ Σ PR")),
    )
    add(
        claims,
        (pl.col("interest") != 0) & (pl.col("clp02") == "22"),
        "V-5",
        pl.concat_str(where, pl.lit("no AMT*I on a reversal (CLP02 22)")),
    )
    add(
        amt_i,
        (pl.col("amount") == 0) | (pl.col("line") > 0),
        "V-5",
        "AMT*I is never 0 and belongs to the claim (loop 2100)",
    )
    plb = _plb_pairs(parts["PLB"])
    add(plb, pl.col("amount") == 0, "V-5", pl.format("PLB {} amount is 0", "code"))
    add(
        plb,
        ~pl.col("code").is_in(sorted(plb_rules.KNOWN_CODES)),
        "V-12",
        pl.format("PLB code {} is not in our reference list", "code"),
    )
    bpr = parts["BPR"].select(
        "rid",
        _el(1).alias("bpr01"),
        cents(_el(2)).alias("bpr02"),
        _el(4).alias("bpr04"),
        _el(10).alias("bpr10"),
        pl.concat_str([_el(k) for k in range(5, 16)]).alias("middle"),
    )
    trn = parts["TRN"].select("rid", _el(3).alias("trn03"))
    per_file = (
        bpr.join(trn, on="rid", how="full", coalesce=True)
        .join(
            claims.group_by("rid").agg(
                pl.col("clp04").sum().alias("clp04"), pl.col("interest").sum().alias("interest")
            ),
            on="rid",
            how="left",
        )
        .join(
            plb.group_by("rid").agg(
                pl.col("amount").sum().alias("plb"),
                pl.col("amount").filter(pl.col("code") == "L6").sum().alias("l6"),
            ),
            on="rid",
            how="left",
        )
        .with_columns(pl.col("clp04", "interest", "plb", "l6").fill_null(0))
    )
    add(per_file, pl.col("bpr02").is_null(), "V-6", "BPR is missing or BPR02 is no amount")
    add(per_file, pl.col("trn03").is_null(), "V-7", "TRN is missing")
    add(
        per_file,
        pl.col("bpr02") != pl.col("clp04") - pl.col("plb"),
        "V-3",
        pl.format("BPR02 {} ≠ ΣCLP04 {} − ΣPLB {} (cents)", "bpr02", "clp04", "plb"),
    )
    add(
        per_file,
        pl.col("l6") != -pl.col("interest"),
        "V-5",
        pl.format("PLB L6 total {} ≠ −ΣAMT*I (cents)", "l6"),
    )
    zero = pl.col("bpr02") == 0
    add(
        per_file,
        (pl.col("bpr02") < 0)
        | (
            zero
            & ((pl.col("bpr01") != "H") | (pl.col("bpr04") != "NON") | (pl.col("middle") != ""))
        )
        | (~zero & ((pl.col("bpr01") != "I") | ~pl.col("bpr04").is_in(["ACH", "CHK"]))),
        "V-6",
        "BPR02 ≥ 0; 0 only with BPR01 H and BPR04 NON; otherwise BPR01 I and ACH or CHK",
    )
    add(
        per_file,
        (pl.col("bpr04") == "ACH") & (pl.col("bpr10") != pl.col("trn03")),
        "V-6",
        "BPR10 must equal TRN03",
    )


def _plb_pairs(plb_segments: pl.DataFrame) -> pl.DataFrame:
    """rid, code, amount of every PLB pair."""
    plb = plb_segments.select("rid", pl.col("el").list.slice(3).alias("pairs"))
    plb = plb.with_columns(
        pl.col("pairs").list.gather_every(2).alias("codes"),
        pl.col("pairs").list.gather_every(2, offset=1).alias("amounts"),
    ).drop("pairs")
    plb = plb.explode("codes", "amounts")
    return plb.select(
        "rid",
        pl.col("codes").str.split(t.COMPONENT).list.get(0).fill_null("").alias("code"),
        cents(pl.col("amounts").fill_null("")).alias("amount"),
    )


def _codes(parts: dict[str, pl.DataFrame], settings: X12Settings, rule: Add) -> None:
    add = rule
    allowed = set(OWN_CARCS) | set(settings.extra_carcs)
    if settings.other_group_reason is not None:
        allowed.add(settings.other_group_reason[1])
    cas = parts["CAS"]
    reasons = [_el(k) for k in range(2, 20, 3)]
    unknown = pl.any_horizontal((r != "") & ~r.is_in(sorted(allowed)) for r in reasons)
    add(
        cas,
        ~_el(1).is_in(list(GROUP_ORDER)) | (pl.col("el").list.len() > 19) | unknown,
        "V-12",
        "CAS group must be CO, PR, OA or PI with at most six pairs of known reason codes",
    )
    clp = parts["CLP"]
    add(
        clp,
        (_el(1) == "") | (_el(2) == "") | (_el(6) == "") | (_el(7) == ""),
        "V-13",
        pl.format("claim {}: CLP01, CLP02, CLP06 and CLP07 are required", _el(7)),
    )
    add(
        clp,
        ~_el(2).is_in(["1", "22"]),
        "V-8",
        pl.format("claim {}: CLP02 is not 1 or 22", _el(7)),
    )
    nm1 = parts["NM1"]
    add(nm1, (_el(8) == "") != (_el(9) == ""), "V-13", "NM108 and NM109 go together (P0809)")
