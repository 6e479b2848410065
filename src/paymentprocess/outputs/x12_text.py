"""Text, money, date and fixed-width rules of the X12 835 (OUTPUTS.md O-7, §3.1).

Every free-text value that goes into an element passes through `clean_text`: NFKD → ASCII,
control characters dropped, the delimiters `* : ~ ^` replaced by a space, runs of spaces collapsed,
trimmed, truncated to the element maximum. Money is integer cents rendered as the X12 `R` type in
its minimal form (`7200` → `72`, `120` → `1.2`, `-5000` → `-50`, `0` → `0`).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

# The delimiters this renderer uses: element, component, repetition, segment terminator.
ELEMENT = "*"
COMPONENT = ":"
REPETITION = "^"
TERMINATOR = "~"
_DELIMITERS = str.maketrans(dict.fromkeys("*:~^", " "))
_SPACES = re.compile(r" +")
# Already clean: printable ASCII without delimiters, single inner spaces (the common case).
CLEAN_PATTERN = re.compile(r"[!-)+-9;-\]_-}](?: ?[!-)+-9;-\]_-}])*")

# Element maxima used by the renderer [pyx12 dataele.xml, OUTPUTS.md O-7].
MAX_N102 = 60
MAX_N301 = 55
MAX_N401 = 30
MAX_NM103 = 60
MAX_NM104 = 35
MAX_REF02 = 50
MAX_CLP01 = 38
MAX_CLP07 = 50
MAX_PER02 = 60
MAX_PER_NUMBER = 256
MAX_TRN02 = 50
MAX_PROCEDURE = 48
MAX_PLB_REF = 50


class X12ValueError(ValueError):
    """A value cannot be written into an X12 element (names the element)."""


def clean_text(value: object, max_len: int) -> str:
    """`value` as X12-safe ASCII text of at most `max_len` characters (O-7)."""
    if value is None:
        return ""
    if isinstance(value, str) and CLEAN_PATTERN.fullmatch(value):
        return value[:max_len].rstrip()
    text = unicodedata.normalize("NFKD", str(value))
    text = text.encode("ascii", "ignore").decode("ascii")
    # Whitespace controls become a space (a word break), the other controls are dropped.
    text = "".join(
        " " if ch in "\t\r\n\f\v" else ch for ch in text if ch >= " " or ch in "\t\r\n\f\v"
    )
    text = text.replace("\x7f", "")
    text = text.translate(_DELIMITERS)
    text = _SPACES.sub(" ", text).strip()
    return text[:max_len].rstrip()


def x12_amount(cents: int) -> str:
    """Integer cents as an X12 `R` value in minimal form: 7200 → `72`, 120 → `1.2`, 0 → `0`."""
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise X12ValueError(f"money must be integer cents, not {type(cents).__name__}")
    sign = "-" if cents < 0 else ""
    units, frac = divmod(abs(cents), 100)
    if frac == 0:
        return f"{sign}{units}"
    if frac % 10 == 0:
        return f"{sign}{units}.{frac // 10}"
    return f"{sign}{units}.{frac:02d}"


def parse_x12_amount(text: str) -> int:
    """An X12 `R` money value back to integer cents; refuses more than two decimals."""
    raw = text.strip()
    if not raw or not re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)", raw):
        raise X12ValueError(f"not an X12 amount: {text!r}")
    try:
        dec = Decimal(raw)
    except InvalidOperation:  # pragma: no cover - the regex already refused it
        raise X12ValueError(f"not an X12 amount: {text!r}") from None
    scaled = dec.scaleb(2)
    if scaled != scaled.to_integral_value():
        raise X12ValueError(f"amount has more than two decimals: {text!r}")
    return int(scaled)


def x12_date(day: date) -> str:
    """CCYYMMDD."""
    return day.strftime("%Y%m%d")


def isa_date(moment: datetime) -> str:
    """ISA09: YYMMDD (a common mistake is CCYYMMDD, transcom/mymove #5041)."""
    return moment.strftime("%y%m%d")


def x12_time(moment: datetime) -> str:
    """HHMM."""
    return moment.strftime("%H%M")


def fixed(value: str, width: int, *, what: str) -> str:
    """An ISA field: cleaned, left-justified, space-padded to exactly `width` characters."""
    text = clean_text(value, 10_000)
    if len(text) > width:
        raise X12ValueError(f"{what} is longer than {width} characters")
    return text.ljust(width)


def control_number(number: int, *, what: str = "ISA13") -> str:
    """ISA13 / IEA02: exactly nine digits, zero-filled (1 ≤ n ≤ 999999999)."""
    if isinstance(number, bool) or not isinstance(number, int) or not 0 < number < 10**9:
        raise X12ValueError(f"{what} must be an integer between 1 and 999999999")
    return f"{number:09d}"


def units_text(units: int) -> str:
    """SVC05 / quantity as an X12 `R` integer."""
    return str(int(units))
