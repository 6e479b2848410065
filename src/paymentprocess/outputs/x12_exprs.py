"""The X12 text rules of outputs.x12_text as Polars expressions and Series functions, for rendering
many 835s at once (outputs.x12_835_bulk). Each one gives exactly the text its scalar twin gives:
`amount` = `x12_text.x12_amount`, `clean` = `x12_text.clean_text`, `digits` = the renderer's
digits-only rule, `date8` = `x12_text.x12_date`. Tests compare them value by value.
"""

from __future__ import annotations

import polars as pl

from paymentprocess.outputs import x12_text as t

# x12_text's own already-clean pattern (printable ASCII, no delimiters, single spaces), anchored.
_CLEAN_RE = f"^{t.CLEAN_PATTERN.pattern}$"


# The text after the units of every cents remainder 0–99: '' for 0, '.5' for 50, '.05' for 5,
# '.12' for 12 (x12_amount's trailing zeros and bare point already dropped).
_FRACTIONS = ["" if f == 0 else f".{f // 10}" if f % 10 == 0 else f".{f:02d}" for f in range(100)]


def amount(cents: pl.Expr) -> pl.Expr:
    """Integer cents as the minimal X12 `R` text: 7200 → `72`, 120 → `1.2`, -5 → `-0.05`
    (`<sign><units>` and the remainder's text from a table of the 100 remainders, rather than a
    regular expression over every value)."""
    a = cents.abs()
    return pl.concat_str(
        pl.when(cents < 0).then(pl.lit("-")).otherwise(pl.lit("")),
        (a // 100).cast(pl.String),
        (a % 100).replace_strict(list(range(100)), _FRACTIONS, return_dtype=pl.String),
    )


def date8(day: pl.Expr) -> pl.Expr:
    """CCYYMMDD."""
    return day.dt.strftime("%Y%m%d")


def digits(text: pl.Expr) -> pl.Expr:
    """Only the digits of `text` ('' for null)."""
    return text.fill_null("").str.replace_all(r"\D", "")


def clean(values: pl.Series, max_len: int) -> pl.Series:
    """`x12_text.clean_text` of every value: the clean ones (almost all) by expression, the others
    through the scalar rule once per distinct value."""
    frame = pl.DataFrame({"v": values.cast(pl.String)})
    is_clean = pl.col("v").str.contains(_CLEAN_RE)
    fast = pl.col("v").str.slice(0, max_len).str.strip_chars_end(" ")
    dirty = frame.filter(pl.col("v").is_not_null() & ~is_clean)["v"].unique()
    out = frame.select(
        pl.when(pl.col("v").is_null())
        .then(pl.lit(""))
        .when(is_clean)
        .then(fast)
        .otherwise(pl.lit(None, pl.String))
        .alias("out")
    )["out"]
    if dirty.len():
        fixed = dict(zip(dirty.to_list(), (t.clean_text(v, max_len) for v in dirty), strict=True))
        slow = values.cast(pl.String).replace_strict(fixed, default=None, return_dtype=pl.String)
        out = out.fill_null(slow)
    return out.rename(values.name)


def seg(*elements: pl.Expr | str) -> pl.Expr:
    """A segment's text: elements joined by `*`, trailing empty elements dropped (`_seg`)."""
    return joined(*elements).str.strip_chars_end(t.ELEMENT)


def joined(*elements: pl.Expr | str) -> pl.Expr:
    """A segment's text with every element kept (segments the renderer does not trim)."""
    parts: list[pl.Expr] = []
    for index, element in enumerate(elements):
        if index:
            parts.append(pl.lit(t.ELEMENT))
        parts.append(pl.lit(element) if isinstance(element, str) else element.fill_null(""))
    return pl.concat_str(parts)
