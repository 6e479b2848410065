"""Hypothesis helper: the same Appendix A documents in the shapes the legacy MongoDB export has.

`legacy_shapes(documents)` draws a rewritten deep copy of valid documents (as
`tests/strategies.py` `cycle_documents()` produces them) in which random values take an
equivalent legacy shape — equivalent meaning that loading either gives the same data:

- money `"410.00"` (and a rate `"0.04125"`) as `{"$numberDouble": "410.0"}` (canonical mongoexport) or as the relaxed JSON
  number `410.0` (a Decimal, as the reader parses it), always the double's exact shortest form;
- TaxID / NPI with separators (`12-3456789`, `12 345 6789`, `1234-567-893`);
- whole numbers as text (`"1004"`, `" 7 "`), `$numberInt` or `$numberLong`;
- dates as `MM/DD/YYYY`, `M/D/YY`, `{"$date": "...Z"}` or `{"$date": {"$numberLong": ms}}`;
- PaymentEvent `Stage` as a legacy alias in any capitalisation (`Completed`, `open`, `PRERUN`);
- SequenceNumbers in MongoDB's counters shape `{"_id": name, "seq": n}`;
- a BillingProviderAddress text as the equivalent object `{Line1, Line2, City, State, Zip}`;
- a collection under an alternate name (`OverAndUnderPayments`, `PaymentCenters`, ...).

Fields it does not know are left alone, so documents with more fields still rewrite. The one
stored difference is the form of an address (`billing_provider_address` holds the text only when
text was given) and what is derived from it (the claims' fingerprint); see
`tests/integration/test_legacy_shapes_property.py`.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from paymentprocess.domain.addresses import address_of
from paymentprocess.domain.stages import LEGACY_STAGE_ALIASES, STAGES
from paymentprocess.io.files import ALTERNATE_NAMES

Doc = dict[str, Any]
Documents = dict[str, list[Doc]]

MONEY = {
    "BilledAmount", "AllowedAmount", "DeductibleAmount", "CoinsuranceAmount", "CopayAmount",
    "OtherAdjustmentAmount", "PaidAmount", "TotalAmount", "RemainingAmount", "RemaingAmount",
    "Amount", "AppliedAmount", "MinimumPayment", "AnnualRate",
}  # fmt: skip
WHOLE = {
    "PaymentCenter_ID", "OverAndUnderPayment_ID", "LineNumber", "Units", "GraceDays",
    "CustomInterestDays", "Value",
}  # fmt: skip
DATES = {
    "ReceivedDate", "ServiceBeginDate", "ServiceEndDate", "ServiceDate", "PaymentDueDate",
    "EffectiveFrom", "EffectiveTo", "CreatedDate",
}  # fmt: skip
IDENTIFIERS = {"TaxID", "NPI"}
_EPOCH = dt.date(1970, 1, 1)


def _aliases(stage: str) -> list[str]:
    names = [stage] + [a for a, s in LEGACY_STAGE_ALIASES.items() if s == stage]
    return names + [n.upper() for n in names] + [n.lower() for n in names]


def _money(draw: st.DrawFn, value: Any) -> Any:
    if not isinstance(value, str | int) or isinstance(value, bool):
        return value
    shortest = repr(float(Decimal(str(value))))  # exact: the value has at most two decimals
    return draw(st.sampled_from(({"$numberDouble": shortest}, Decimal(shortest), value)))


def _whole(draw: st.DrawFn, value: Any) -> Any:
    if type(value) is not int:
        return value
    return draw(
        st.sampled_from(
            (str(value), f" {value} ", {"$numberInt": str(value)}, {"$numberLong": str(value)})
            if abs(value) < 2**31
            else (str(value), {"$numberLong": str(value)})
        )
    )


def _date(draw: st.DrawFn, value: Any) -> Any:
    if not isinstance(value, str) or len(value) != 10:
        return value
    day = dt.date.fromisoformat(value)
    forms: list[Any] = [
        f"{day.month:02d}/{day.day:02d}/{day.year}",
        {"$date": f"{value}T00:00:00Z"},
        {"$date": {"$numberLong": str((day - _EPOCH).days * 86_400_000)}},
    ]
    if 2000 <= day.year <= dt.date.today().year + 1:  # a two-digit year that reads back as 20yy
        forms.append(f"{day.month}/{day.day}/{day.year % 100:02d}")
    return draw(st.sampled_from(forms))


def _identifier(draw: st.DrawFn, value: Any) -> Any:
    if not isinstance(value, str) or len(value) < 4:
        return value
    cut = draw(st.integers(1, len(value) - 1))
    separator = draw(st.sampled_from(("-", " ", ".", "/")))
    return value[:cut] + separator + value[cut:]


def _stage(draw: st.DrawFn, value: Any) -> Any:
    return draw(st.sampled_from(_aliases(value))) if value in STAGES else value


def _address(_draw: st.DrawFn, value: Any) -> Any:
    return address_of(value).as_dict() if isinstance(value, str) else value


_SHAPES = {
    **dict.fromkeys(MONEY, _money),
    **dict.fromkeys(WHOLE, _whole),
    **dict.fromkeys(DATES, _date),
    **dict.fromkeys(IDENTIFIERS, _identifier),
    "Stage": _stage,
    "BillingProviderAddress": _address,
}


def _value(draw: st.DrawFn, name: str, value: Any) -> Any:
    """`value` of field `name`, sometimes in a legacy shape (about half of the values)."""
    shape = _SHAPES.get(name)
    if shape is None or value is None or not draw(st.booleans()):
        return value
    return shape(draw, value)


def _document(draw: st.DrawFn, doc: Doc) -> Doc:
    out: Doc = {}
    for name, value in doc.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            out[name] = [_document(draw, item) for item in value]  # service lines
        else:
            out[name] = _value(draw, name, value)
    return out


def _sequence(draw: st.DrawFn, doc: Doc) -> Doc:
    if set(doc) != {"Name", "Value"} or not draw(st.booleans()):
        return _document(draw, doc)
    return {"_id": doc["Name"], "seq": _whole(draw, doc["Value"])}


def _collection_name(draw: st.DrawFn, name: str) -> str:
    names = (name, *ALTERNATE_NAMES.get(name, ()))
    return draw(st.sampled_from(names))


@st.composite
def legacy_shapes(draw: st.DrawFn, documents: Documents) -> Documents:
    """A deep copy of `documents` with random values in their legacy shapes."""
    out: Documents = {}
    for name, docs in copy.deepcopy(documents).items():
        rewrite = _sequence if name == "SequenceNumbers" else _document
        out[_collection_name(draw, name)] = [rewrite(draw, doc) for doc in docs]
    return out
