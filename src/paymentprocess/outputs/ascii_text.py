"""Text for bank files: plain printable ASCII, the O-7 rule of docs/outputs-files.md.

`ascii_text` turns any name or address into what a NACHA record or a Positive Pay file may carry:
Unicode compatibility decomposition (NFKD: `É` → `E` + accent, NBSP → space, `ﬁ` → `fi`), the
accents dropped, a few letters without a decomposition spelt out (`ß` → `SS`, `Ø` → `O`,
`Æ` → `AE`, …), white-space control characters (tab, CR, LF) turned into a space, every other
character outside printable ASCII (0x20–0x7E) dropped, runs of spaces collapsed, the ends trimmed,
then cut to the field's length (and trimmed again). `upper=True` upper-cases (NACHA, Positive Pay).
Characters in `remove` are replaced by a space first (the comma of a CSV field, X12 delimiters).
"""

from __future__ import annotations

import re
import unicodedata

# Letters NFKD leaves alone (no decomposition) but that have a usual ASCII spelling.
_SPELT = str.maketrans(
    {
        "ß": "ss",
        "ẞ": "SS",
        "Ø": "O",
        "ø": "o",
        "Æ": "AE",
        "æ": "ae",
        "Œ": "OE",
        "œ": "oe",
        "Ł": "L",
        "ł": "l",
        "Đ": "D",
        "đ": "d",
        "Ð": "D",
        "ð": "d",
        "Þ": "TH",
        "þ": "th",
        "ı": "i",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "–": "-",
        "—": "-",
    }
)
_SPACES = re.compile(r" {2,}")
_WHITE_CONTROLS = str.maketrans({"\t": " ", "\n": " ", "\r": " ", "\v": " ", "\f": " "})


def _blanks(chars: str) -> dict[int, str]:
    return {ord(c): " " for c in chars}


def ascii_text(
    text: str | None, max_len: int | None = None, *, upper: bool = False, remove: str = ""
) -> str:
    """`text` as trimmed printable ASCII of at most `max_len` characters (see the module doc)."""
    if not text:
        return ""
    if remove:
        text = text.translate(_blanks(remove))
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPELT)).translate(_SPELT)
    decomposed = decomposed.translate(_WHITE_CONTROLS)
    kept = "".join(c for c in decomposed if 0x20 <= ord(c) <= 0x7E)
    if remove:  # NFKD may have produced a removed character (e.g. full-width comma → ",")
        kept = kept.translate(_blanks(remove))
    out = _SPACES.sub(" ", kept).strip()
    if upper:
        out = out.upper()
    if max_len is not None and len(out) > max_len:
        out = out[:max_len].rstrip()
    return out
