"""Hypothesis strategies for whole payment cycles: random but valid-to-load Appendix A documents.

`cycle_documents()` draws `(documents, payment_event_id)`: one event (Provider or DMR) with a
business (with or without custom interest days), dated interest rows over several six-month
periods, a funding source with a minimum payment, sometimes restrictive inclusion criteria, benefit
plans, service codes, process codes (some holding), existing and new payees, a prior event's paid
claims, and up to ~30 cycle claims in chains: originals with 1–4 lines, voids and replacements
(chains spanning cycles, void + original in the same cycle, missing parents), prior OverPayment
and UnderPayment records, refunds, late claims and some bad data (negative amounts, invalid NPIs,
unknown service codes, now and then a bad frequency code, a missing payee id, an unknown plan, a
duplicate original or a sequence behind its ids). Ids are unique; amounts have two decimals.

Shapes of real legacy data, not of our generator: paid originals whose `ParentClaimCore_ID` is
absent, null or blank (their own parent), refunds in every state shape (none, `Status`,
`AppliedAmount`, `RemainingAmount`, both), ledger records that carry their `Applications`, members
without an address (no check can be mailed), now and then no check sequence at all.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st
from tests.golden.builders import npi_with_check_digit, with_bank_account

Doc = dict[str, Any]
Documents = dict[str, list[Doc]]
EVENT, PRIOR = "PE-1", "PE-0"
PLANS = ("BP1", "BP2", "BP3")
CODES = ("D0120", "D1110", "D2740", "D4341")
SCENARIOS = (
    "original",
    "original",
    "original_void",
    "original_replacement",
    "paid_replacement",
    "paid_void",
    "paid_void_replacement",
    "twice_paid_replacement",
    "missing_parent",
    "history_only",
)


def text(cents: int) -> str:
    """Cents as a two-place decimal string: -5 → "-0.05"."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def rarely(draw: st.DrawFn, one_in: int) -> bool:
    """True about once in `one_in` draws (shrinks towards False)."""
    return draw(st.integers(0, one_in - 1)) == one_in - 1


def _interest_rows(draw: st.DrawFn, member_row: bool) -> list[Doc]:
    rows = []
    for contract in ("CMS", "Contract", *(("Member",) if member_row else ())):
        for half in range(6):  # 2024-01 … 2026-12 in six-month periods, some missing
            if rarely(draw, 6):
                continue
            start = dt.date(2024 + half // 2, 1 + 6 * (half % 2), 1)
            end = dt.date(start.year, 6, 30) if half % 2 == 0 else dt.date(start.year, 12, 31)
            last = half == 5 and draw(st.booleans())
            rows.append(
                {
                    "ContractType": contract,
                    "AnnualRate": f"0.{draw(st.integers(0, 99999)):05d}",
                    "GraceDays": draw(st.integers(0, 45)),
                    "EffectiveFrom": start.isoformat(),
                    "EffectiveTo": None if last else end.isoformat(),
                }
            )
    return rows


def _payees(draw: st.DrawFn) -> list[Doc]:
    """Identities (TaxID, NPI, MemberID, …); `existing` ones get a PaymentCenter_ID."""
    people = []
    for i in range(draw(st.integers(1, 6))):
        npi = npi_with_check_digit(f"1{i:02d}{draw(st.integers(0, 999999)):06d}")
        if rarely(draw, 12):
            npi = npi[:9] + str((int(npi[9]) + 1) % 10)  # wrong check digit
        people.append(
            {
                "TaxID": f"{i + 1}{draw(st.integers(0, 99999999)):08d}",
                "NPI": npi,
                "MemberID": f"M{i:03d}",
                "existing": draw(st.booleans()),
                "PaymentCenter_ID": 10 + i,
                "ContractType": draw(st.sampled_from(("CMS", "Contract"))),
                "PaymentMethod": draw(st.sampled_from(("CHECK", "EFT"))),
                "has_address": not rarely(draw, 6),  # a member without one cannot get a check
            }
        )
    return people


def _payment_center(person: Doc, payee_type: str) -> Doc:
    doc = {
        "PaymentCenter_ID": person["PaymentCenter_ID"],
        "PaymentCenterType": payee_type,
        "VendorName": f"Vendor {person['PaymentCenter_ID']}",
        "ContractType": person["ContractType"],
        "PaymentMethod": person["PaymentMethod"],
    }
    if person["has_address"]:
        doc["Address"] = {"Line1": f"{person['PaymentCenter_ID']} Elm St", "City": "Springfield",
                          "State": "IL", "Zip": "62704"}  # fmt: skip
    if payee_type == "Member":
        doc["MemberID"] = person["MemberID"]
    else:
        doc.update(TaxID=person["TaxID"], NPI=person["NPI"])
    return with_bank_account(doc)  # an EFT payee without one would block every Final Run


def _line(draw: st.DrawFn, number: int) -> Doc:
    allowed = draw(st.integers(0, 150_000))
    share = [allowed * draw(st.sampled_from((0, 0, 5, 10, 20))) // 100 for _ in range(4)]
    if rarely(draw, 25):
        share[0] = allowed + 1_000  # member share above allowed: NEGATIVE_PAYABLE
    if rarely(draw, 30):
        share[3] = -draw(st.integers(1, 1_000))  # NEGATIVE_AMOUNT
    code = draw(st.sampled_from(CODES)) if not rarely(draw, 20) else "X999"
    return {
        "LineNumber": number,
        "ProcedureCode": code,
        "Units": 1,
        "ServiceDate": "2025-01-02",
        "BilledAmount": text(allowed + 100),
        "AllowedAmount": text(allowed),
        "DeductibleAmount": text(share[0]),
        "CoinsuranceAmount": text(share[1]),
        "CopayAmount": text(share[2]),
        "OtherAdjustmentAmount": text(share[3]),
    }


class _Claims:
    """Accumulates claims with unique ids."""

    def __init__(self, draw: st.DrawFn, due: dt.date, people: list[Doc]) -> None:
        self.draw, self.due, self.people = draw, due, people
        self.docs: list[Doc] = []
        self.history: list[Doc] = []

    def add(
        self, person: Doc, chain: str | None, freq: str, *, paid: bool = False, **extra: Any
    ) -> Doc:
        draw = self.draw
        cid = f"C{len(self.docs) + 1:03d}"
        lines = [] if freq == "8" else [_line(draw, n + 1) for n in range(draw(st.integers(1, 4)))]
        if len(lines) > 1 and rarely(draw, 4):  # a line of its own (rendering) provider
            lines[-1]["NPI"] = draw(st.sampled_from(self.people))["NPI"]
        back = draw(st.integers(200, 400)) if paid else draw(st.integers(0, 150))
        doc: Doc = {
            "ClaimCore_ID": cid,
            "ParentClaimCore_ID": chain or cid,
            "FrequencyCode": freq,
            "PaymentEvent_ID": PRIOR if paid else EVENT,
            "Status": "Paid" if paid else "Unpaid",
            "TaxID": person["TaxID"],
            "NPI": person["NPI"],
            "MemberID": person["MemberID"],
            "BillingProviderName": f"Provider {person['TaxID']}",
            "BillingProviderAddress": "1 Main St",
            "BenefitPlan_ID": draw(st.sampled_from(PLANS)),
            "ServiceLines": lines,
            "ReceivedDate": (self.due - dt.timedelta(days=back)).isoformat(),
            "ServiceBeginDate": "2025-01-02",
            "ServiceEndDate": "2025-01-02",
            **extra,
        }
        if paid:
            doc.update(
                PaidAmount=text(draw(st.integers(-5_000, 90_000))), PaidPaymentEvent_ID=PRIOR
            )
        if chain is None and draw(st.booleans()):  # the legacy system left an original's parent out
            legacy = draw(st.sampled_from(("absent", None, "", "  ")))
            if legacy == "absent":
                del doc["ParentClaimCore_ID"]
            else:
                doc["ParentClaimCore_ID"] = legacy
        if rarely(draw, 4):
            doc["ContractType"] = draw(st.sampled_from(("CMS", "Contract")))
        if rarely(draw, 5):
            doc["ProcessCodes"] = [draw(st.sampled_from(("PX1", "PX2", "PX3")))]
        if rarely(draw, 6) and lines:
            doc["AllowedAmount"] = text(draw(st.integers(0, 200_000)))  # header ≠ lines sometimes
        self.docs.append(doc)
        if paid:
            self.history.append(doc)
        return doc


def _chain(c: _Claims, person: Doc, scenario: str) -> None:
    draw = c.draw
    if scenario in ("original", "original_void", "original_replacement"):
        first = c.add(person, None, "1")
        chain = first["ClaimCore_ID"]
        if scenario == "original_void":
            c.add(person, chain, "8")
        elif scenario == "original_replacement":
            c.add(person, chain, "7")
        return
    if scenario == "missing_parent":
        c.add(person, f"GONE{len(c.docs)}", draw(st.sampled_from(("7", "8"))))
        return
    chain = c.add(person, None, "1", paid=True)["ClaimCore_ID"]
    if scenario == "twice_paid_replacement":
        c.add(person, chain, "7", paid=True)
    if scenario in ("paid_void", "paid_void_replacement"):
        void = c.add(person, chain, "8")
        if scenario == "paid_void_replacement":
            c.add(person, chain, "7", VoidClaimCore_ID=void["ClaimCore_ID"])
    elif scenario != "history_only":
        link = (
            {"VoidClaimCore_ID": chain} if rarely(draw, 8) else {}
        )  # not a void: INVALID_VOID_LINK
        other = draw(st.sampled_from(c.people)) if rarely(draw, 8) else person  # payee changes
        c.add(other, chain, "7", **link)


def _ledger(draw: st.DrawFn, people: list[Doc], history: list[Doc], due: dt.date) -> list[Doc]:
    records = []
    for person in (p for p in people if p["existing"]):
        for _ in range(draw(st.integers(0, 3))):
            total = draw(st.integers(1, 60_000))
            doc = {
                "OverAndUnderPayment_ID": 100 + len(records),
                "PaymentCenter_ID": person["PaymentCenter_ID"],
                "PaymentEvent_ID": PRIOR,
                "Type": draw(st.sampled_from(("OverPayment", "OverPayment", "UnderPayment"))),
                "TotalAmount": text(total),
                "RemainingAmount": text(total * draw(st.sampled_from((100, 0, 50, 100))) // 100),
                "CreatedDate": (due - dt.timedelta(days=draw(st.integers(30, 400)))).isoformat(),
            }
            applied = total - int(doc["RemainingAmount"].replace(".", ""))
            if applied > 1 and draw(st.booleans()):  # an export of ours: what earlier cycles took
                doc["Applications"] = [
                    {"PaymentEvent_ID": PRIOR, "Kind": "offset", "Amount": text(applied // 2)}
                ]
            chains = [
                h.get("ParentClaimCore_ID") or h["ClaimCore_ID"]
                for h in history
                if h["TaxID"] == person["TaxID"]
            ]
            if chains and draw(st.booleans()):
                doc["ClaimChain_ID"] = draw(st.sampled_from(chains))
            records.append(doc)
    return records


def _refunds(draw: st.DrawFn, claims: list[Doc], history: list[Doc], due: dt.date) -> list[Doc]:
    refunds = []
    pool = [c["ClaimCore_ID"] for c in (history if history and draw(st.booleans()) else claims)]
    for i in range(draw(st.integers(0, 3))):
        target = draw(st.sampled_from(pool)) if pool else "NONE"
        if rarely(draw, 6):
            target = f"UNKNOWN{i}"
        amount = draw(st.integers(1, 40_000))
        refund = {
            "Refund_ID": f"RF{i}",
            "OriginalClaimCore_ID": target,
            "Amount": text(amount),
            "ReceivedDate": (due - dt.timedelta(days=draw(st.integers(1, 60)))).isoformat(),
        }
        refund.update(_refund_state(draw, amount))
        refunds.append(refund)
    return refunds


def _refund_state(draw: st.DrawFn, amount: int) -> Doc:
    """How far the legacy system (or an earlier cycle) already applied a refund, in its shapes."""
    applied = draw(st.sampled_from((0, amount, amount // 3)))
    shape = draw(st.sampled_from(("none", "status", "applied", "remaining", "both")))
    if shape == "none":
        return {}  # legacy: no state at all, taken as open
    if shape == "status":
        return {"Status": "Applied" if applied == amount else "Open"} if applied in (0, amount) else {
            "AppliedAmount": text(applied)}  # fmt: skip
    if shape == "applied":
        return {"AppliedAmount": text(applied)}
    if shape == "remaining":
        return {"RemainingAmount": text(amount - applied)}
    return {"Status": "Applied" if applied == amount else "Open", "AppliedAmount": text(applied)}


def _spoil(draw: st.DrawFn, claims: list[Doc], payee_type: str) -> None:
    """Now and then one Critical problem on a cycle claim."""
    cycle = [c for c in claims if c["Status"] == "Unpaid"]
    if not cycle:
        return
    if rarely(draw, 12):
        draw(st.sampled_from(cycle))["FrequencyCode"] = "9"
    if rarely(draw, 12):
        draw(st.sampled_from(cycle))["MemberID" if payee_type == "Member" else "NPI"] = None
    if rarely(draw, 15):
        draw(st.sampled_from(cycle))["BenefitPlan_ID"] = "BPX"


def _sequences(draw: st.DrawFn, people: list[Doc], ledger: list[Doc]) -> list[Doc]:
    used = {
        "PaymentCenter": max((p["PaymentCenter_ID"] for p in people if p["existing"]), default=0),
        "OverAndUnderPayment": max((r["OverAndUnderPayment_ID"] for r in ledger), default=0),
        "CheckNumber:FS1": 0,
    }
    sequences = []
    for name, largest in used.items():
        if rarely(draw, 8 if name != "CheckNumber:FS1" else 30):
            continue  # a missing id sequence starts from the largest id in use; checks: Critical
        value = largest + draw(st.integers(0, 5)) * (1 if name != "CheckNumber:FS1" else 1000)
        if largest > 0 and rarely(draw, 20):
            value = largest - 1  # SEQUENCE_MISMATCH
        sequences.append({"Name": name, "Value": value})
    return sequences


def _criteria(draw: st.DrawFn, people: list[Doc], payee_type: str) -> Doc | None:
    if not rarely(draw, 3):
        return None

    def ref(p: Doc) -> str | int:
        key = p["MemberID"] if payee_type == "Member" else f"{p['TaxID']}|{p['NPI']}"
        return draw(st.sampled_from((key, p["PaymentCenter_ID"], str(p["PaymentCenter_ID"]))))

    return {
        "InclusionCriteria_ID": "IC1",
        "BenefitPlan_IDs": draw(st.lists(st.sampled_from(PLANS), unique=True, max_size=2)),
        "IncludePaymentCenters": [ref(p) for p in people if rarely(draw, 2)]
        if rarely(draw, 3)
        else [],
        "ExcludePaymentCenters": [ref(p) for p in people if rarely(draw, 4)],
    }


@st.composite
def cycle_documents(draw: st.DrawFn) -> tuple[Documents, str]:
    """A random, valid-to-load document set for one cycle, and its PaymentEvent_ID."""
    event_type = draw(st.sampled_from(("Provider", "DMR")))
    payee_type = "Member" if event_type == "DMR" else "Provider"
    due = dt.date(2024, 3, 1) + dt.timedelta(days=draw(st.integers(0, 900)))
    people = _payees(draw)
    claims = _Claims(draw, due, people)
    for _ in range(draw(st.integers(0, 14))):
        _chain(claims, draw(st.sampled_from(people)), draw(st.sampled_from(SCENARIOS)))
    if claims.history and rarely(draw, 15):  # an original of an already paid chain
        paid = draw(st.sampled_from(claims.history))
        chain = (paid.get("ParentClaimCore_ID") or "").strip() or paid["ClaimCore_ID"]
        claims.add(draw(st.sampled_from(people)), chain, "1")
    _spoil(draw, claims.docs, payee_type)
    ledger = _ledger(draw, people, claims.history, due)
    criteria = _criteria(draw, people, payee_type)
    event = {
        "PaymentEvent_ID": EVENT,
        "Business_ID": "B1",
        "FundingSource_ID": "FS1",
        "InclusionCriteria_ID": None if criteria is None else "IC1",
        "PaymentDueDate": due.isoformat(),
        "PaymentEventType": event_type,
        "Stage": "New",
    }
    prior = {
        **event,
        "PaymentEvent_ID": PRIOR,
        "InclusionCriteria_ID": None,
        "Stage": "Final",
        "PaymentDueDate": (due - dt.timedelta(days=120)).isoformat(),
    }
    custom = draw(st.none() | st.integers(0, 40))
    documents: Documents = {
        "PaymentEvent": [prior, event],
        "Business": [{"Business_ID": "B1", "Name": "Health plan", "CustomInterestDays": custom}],
        "FundingSource": [
            {
                "FundingSource_ID": "FS1",
                "Name": "Main",
                "MinimumPayment": text(draw(st.sampled_from((0, 500, 2_500, 10_000)))),
            }
        ],
        "InclusionCriteria": [] if criteria is None else [criteria],
        "InterestConfig": _interest_rows(draw, member_row=draw(st.booleans())),
        "BenefitPlan": [{"BenefitPlan_ID": p, "Name": p} for p in PLANS],
        "ServiceCode": [{"ServiceCode": c, "Description": c} for c in CODES],
        "ProcessCodeEx": [
            {"ProcessCode": "PX1", "HoldsPayment": True},
            {"ProcessCode": "PX2", "HoldsPayment": False},
            {"ProcessCode": "PX3", "HoldsPayment": True},
        ],
        "PaymentCenter": [_payment_center(p, payee_type) for p in people if p["existing"]],
        "ClaimFinCore": claims.docs,
        "OverAndUnderPayment": ledger,
        "Refund": _refunds(draw, claims.docs, claims.history, due),
        "SequenceNumbers": _sequences(draw, people, ledger),
    }
    return documents, EVENT
