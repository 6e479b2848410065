"""Render one provider remittance as an X12 005010X221A1 835 interchange (OUTPUTS.md §3).

`render_835(remit, settings)` is pure: the same model and settings give the same bytes (no wall
clock, no random, no dict order; PLB entries are sorted by rule, claims keep the caller's O-7
order). One interchange ISA/GS/ST…SE/GE/IEA per remittance; segment terminator `~` followed by
`settings.segment_newline` (default `\\n`). `render_checked` also runs our validator
(`x12_check.assert_valid`) so a file that fails a V-rule is never returned.
"""

from __future__ import annotations

import re

from paymentprocess.outputs import plb as plb_rules
from paymentprocess.outputs import x12_text as t
from paymentprocess.outputs.cas import Adjustment, ItemPlan, cas_groups, plan_item
from paymentprocess.outputs.remit_model import (
    Address,
    RemitModelError,
    Remittance,
    X12Settings,
)

IMPLEMENTATION = "005010X221A1"
_CDT = re.compile(r"^D\d{4}$")

Segment = list[str]


def _seg(*elements: str) -> Segment:
    """A segment with trailing empty elements dropped (never inside the ISA)."""
    out = list(elements)
    while len(out) > 1 and out[-1] == "":
        out.pop()
    return out


def _digits(value: str | None) -> str:
    return re.sub(r"\D", "", value or "")


def _address(addr: Address) -> list[Segment]:
    n3 = _seg("N3", t.clean_text(addr.line1, t.MAX_N301), t.clean_text(addr.line2, t.MAX_N301))
    n4 = _seg(
        "N4", t.clean_text(addr.city, t.MAX_N401), t.clean_text(addr.state, 2), _digits(addr.zip)
    )
    return [n3, n4]


def _isa(remit: Remittance) -> str:
    payer, env = remit.payer, remit.envelope
    fields = [
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        t.fixed(payer.isa_sender_qualifier, 2, what="ISA05"),
        t.fixed(payer.isa_sender_id, 15, what="ISA06"),
        t.fixed(env.receiver_qualifier, 2, what="ISA07"),
        t.fixed(env.receiver_id, 15, what="ISA08"),
        t.isa_date(env.created_at),
        t.x12_time(env.created_at),
        t.REPETITION,
        "00501",
        t.control_number(env.isa13),
        "0",
        payer.usage_indicator,
        t.COMPONENT,
    ]
    return t.ELEMENT.join(fields)


def _bpr(remit: Remittance) -> Segment:
    pay, fund, payee, payer = remit.payment, remit.funding, remit.payee, remit.payer
    amount = t.x12_amount(pay.amount_cents)
    date16 = t.x12_date(pay.payment_date)
    empty11 = [""] * 11
    if pay.method == "NON":
        return ["BPR", "H", amount, "C", "NON", *empty11, date16]
    if pay.method == "CHK":
        return ["BPR", "I", amount, "C", "CHK", *empty11, date16]
    missing = [
        name
        for name, value in (
            ("payee.bank_routing", payee.bank_routing),
            ("payee.bank_account", payee.bank_account),
            ("payee.bank_account_type", payee.bank_account_type),
            ("funding.routing", fund.routing),
            ("funding.account", fund.account),
        )
        if not value
    ]
    if missing:
        raise RemitModelError(
            f"remittance {remit.remit_id}: EFT needs {', '.join(missing)} (EFT_BANK_INVALID)"
        )
    return [
        "BPR",
        "I",
        amount,
        "C",
        "ACH",
        "CCP",
        "01",
        _digits(fund.routing),
        "DA",
        t.clean_text(fund.account, 35),
        "1" + payer.tin,
        t.clean_text(fund.trn04_code, 9),
        "01",
        _digits(payee.bank_routing),
        "SG" if payee.bank_account_type == "S" else "DA",
        t.clean_text(payee.bank_account, 35),
        date16,
    ]


def trn_segment(remit: Remittance) -> Segment:
    """TRN*1*<TRN02>*1<payer TIN>[*<TRN04>] (also the CCD+ addenda text, V-9)."""
    trn02 = t.clean_text(remit.payment.trn02, t.MAX_TRN02)
    if not trn02:
        raise RemitModelError(f"remittance {remit.remit_id}: payment.trn02 is empty")
    return _seg(
        "TRN", "1", trn02, "1" + remit.payer.tin, t.clean_text(remit.funding.trn04_code, 50)
    )


def _cas(adjustments: tuple[Adjustment, ...]) -> list[Segment]:
    out: list[Segment] = []
    for group, pairs in cas_groups(adjustments):
        elements = ["CAS", group]
        for index, (reason, amount) in enumerate(pairs):
            if index:
                elements.append("")  # CASnn quantity of the previous pair
            elements += [reason, t.x12_amount(amount)]
        out.append(elements)
    return out


def procedure_text(code: str, modifiers: tuple[str, ...]) -> str:
    """SVC01: `AD` for a CDT code (`D` + 4 digits), else `HC`, then the code and its modifiers."""
    clean = t.clean_text(code, t.MAX_PROCEDURE).replace(" ", "")
    qualifier = "AD" if _CDT.match(clean) else "HC"
    mods = [t.clean_text(m, 2).replace(" ", "") for m in modifiers]
    return t.COMPONENT.join([qualifier, clean, *[m for m in mods if m]])


def _item(plan: ItemPlan, settings: X12Settings) -> list[Segment]:
    item = plan.item
    pcn = t.clean_text(item.patient_control_number, t.MAX_CLP01) or t.clean_text(
        item.claim_id, t.MAX_CLP01
    )
    segs: list[Segment] = [
        [
            "CLP",
            pcn,
            plan.status,
            t.x12_amount(plan.charge),
            t.x12_amount(plan.paid),
            t.x12_amount(plan.patient_responsibility) if plan.patient_responsibility else "",
            t.clean_text(item.filing_indicator, 2),
            t.clean_text(item.claim_id, t.MAX_CLP07),
            "",
            t.clean_text(item.frequency_code, 1),
        ]
    ]
    segs += _cas(plan.claim_adjustments)
    segs.append(
        _seg(
            "NM1",
            "QC",
            "1",
            t.clean_text(item.patient_last_name, t.MAX_NM103),
            t.clean_text(item.patient_first_name, t.MAX_NM104),
            "",
            "",
            "",
            # NM108/NM109 go together (P0809): no member id known → neither
            "MI" if t.clean_text(item.member_id, 80) else "",
            t.clean_text(item.member_id, 80),
        )
    )
    with_interest = item.kind == "claim" and item.interest_cents > 0
    if with_interest and settings.emit_dtm050_with_interest:
        segs.append(["DTM", "050", t.x12_date(item.received_date)])
    if with_interest:
        segs.append(["AMT", "I", t.x12_amount(item.interest_cents)])
    for lp in plan.lines:
        line = lp.line
        units = ""
        if line.units != 1 or not settings.svc05_only_when_not_one:
            units = t.units_text(line.units)
        segs.append(
            _seg(
                "SVC",
                procedure_text(line.procedure_code, line.modifiers),
                t.x12_amount(lp.billed),
                t.x12_amount(lp.paid),
                "",
                units,
            )
        )
        day = line.service_date or item.service_date
        if day is not None:
            segs.append(["DTM", "472", t.x12_date(day)])
        segs += _cas(lp.adjustments)
        lic = t.clean_text(line.line_item_control_number, t.MAX_REF02)
        if lic:
            segs.append(["REF", "6R", lic])
        if settings.emit_amt_b6:
            segs.append(["AMT", "B6", t.x12_amount(lp.allowed)])
    return segs


def _plb(remit: Remittance) -> list[Segment]:
    entries = plb_rules.ordered(remit.plb)
    npi = t.clean_text(remit.payee.npi, 50)
    period = t.x12_date(plb_rules.fiscal_period_end(remit.payment.payment_date))
    out: list[Segment] = []
    for chunk in plb_rules.chunks(entries):
        elements = ["PLB", npi, period]
        for entry in chunk:
            code = t.clean_text(entry.code, 2)
            ref = t.clean_text(entry.reference, t.MAX_PLB_REF)
            elements += [f"{code}{t.COMPONENT}{ref}" if ref else code]
            elements += [t.x12_amount(entry.amount_cents)]
        out.append(elements)
    return out


def transaction_segments(remit: Remittance, settings: X12Settings) -> list[Segment]:
    """ST … SE of the 835 (without the envelope), SE01 counted."""
    payer, payee, env = remit.payer, remit.payee, remit.envelope
    segs: list[Segment] = [["ST", "835", "0001"], _bpr(remit), trn_segment(remit)]
    prod = remit.payment.production_date
    if settings.emit_dtm405 and prod is not None and prod != env.created_at.date():
        segs.append(["DTM", "405", t.x12_date(prod)])
    segs.append(["N1", "PR", t.clean_text(payer.legal_name, t.MAX_N102)])
    segs += _address(payer.address)
    if payer.payer_identifier:
        segs.append(["REF", "2U", t.clean_text(payer.payer_identifier, t.MAX_REF02)])
    per = [
        "PER",
        "BL",
        t.clean_text(payer.edi_contact_name, t.MAX_PER02),
        "TE",
        _digits(payer.edi_contact_phone) or t.clean_text(payer.edi_contact_phone, 256),
    ]
    if payer.edi_contact_email:
        per += ["EM", t.clean_text(payer.edi_contact_email, t.MAX_PER_NUMBER)]
    if payer.edi_contact_url:
        per += ["UR", t.clean_text(payer.edi_contact_url, t.MAX_PER_NUMBER)]
    segs.append(per)
    segs.append(["N1", "PE", t.clean_text(payee.vendor_name, t.MAX_N102), "XX", _digits(payee.npi)])
    if payee.address is not None:
        segs += _address(payee.address)
    if settings.emit_ref_tj and payee.tin:
        segs.append(["REF", "TJ", _digits(payee.tin)])
    if remit.items:
        segs.append(["LX", "1"])
        for item in remit.items:
            segs += _item(plan_item(item, settings), settings)
    segs += _plb(remit)
    segs.append(["SE", str(len(segs) + 1), "0001"])
    return segs


def render_835(remit: Remittance, settings: X12Settings | None = None) -> bytes:
    """The 835 interchange of `remit` as ASCII bytes (deterministic)."""
    settings = settings or X12Settings()
    end = t.TERMINATOR + settings.segment_newline
    env, payer = remit.envelope, remit.payer
    gs06 = str(env.isa13)
    gs = [
        "GS",
        "HP",
        t.clean_text(payer.gs_sender_code, 15),
        t.clean_text(env.gs_receiver_code or env.receiver_id, 15),
        t.x12_date(env.created_at.date()),
        t.x12_time(env.created_at),
        gs06,
        "X",
        IMPLEMENTATION,
    ]
    body = transaction_segments(remit, settings)
    tail = [["GE", "1", gs06], ["IEA", "1", t.control_number(env.isa13)]]
    lines = [_isa(remit)] + [t.ELEMENT.join(seg) for seg in [gs, *body, *tail]]
    return "".join(line + end for line in lines).encode("ascii")


def render_checked(remit: Remittance, settings: X12Settings | None = None) -> bytes:
    """`render_835` followed by `x12_check.assert_valid`: never returns a failing file."""
    from paymentprocess.outputs.x12_check import assert_valid

    settings = settings or X12Settings()
    data = render_835(remit, settings)
    assert_valid(data, name=remit.remit_id, settings=settings)
    return data
