"""The 835s of an event: its remittances (outputs.remittance) as `remit_model.Remittance`s, rendered
and checked (outputs.x12_835, outputs.x12_check), one file per provider payee.

The claims and lines the items name are read in two set-based queries; the rest is a walk over
the remittances that builds each one's model (rendering text is per segment by nature).
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import polars as pl
from sqlalchemy import Connection, select

from paymentprocess.domain.finding_codes import FindingCode
from paymentprocess.engine.compute import line_payables
from paymentprocess.outputs import files
from paymentprocess.outputs.details import EventDetails
from paymentprocess.outputs.gather import (
    CLAIM_COLUMNS,
    HASH_JOINS,
    LARGE_EVENT_ITEMS,
    LINE_COLUMNS,
    item_claims,
)
from paymentprocess.outputs.issue import Controls, Rendered
from paymentprocess.outputs.problems import OutputDataError, OutputProblem
from paymentprocess.outputs.remit_model import (
    Address,
    ClaimItem,
    Envelope,
    FundingBank,
    Payee,
    Payer,
    Payment,
    PlbEntry,
    RemitModelError,
    Remittance,
    ServiceLine,
    X12Settings,
)
from paymentprocess.outputs.remittance import Remittances
from paymentprocess.outputs.x12_835 import render_checked
from paymentprocess.storage import tables as t
from paymentprocess.storage.frames_schema import table_schema
from paymentprocess.storage.frames_side_by_side import read_frames

DEFAULT_RECEIVER_QUALIFIER = "ZZ"  # mutually defined; ISA08 then = the payee's NPI


def render_835s(
    conn: Connection,
    details: EventDetails,
    remits: Remittances,
    controls: Controls,
    settings: X12Settings | None = None,
) -> list[Rendered]:
    """One checked 835 per remittance, or OutputDataError listing every payee that lacks data.

    The per-remittance renderer: the oracle of `x12_835_bulk.render_835s_bulk` (the product path),
    and the path the bulk renderer hands the remittances whose shapes it does not render itself.
    """
    if remits.headers.height == 0:
        return []
    claims, lines = claim_frames(conn, details.event_id, remits)
    out, problems = render_remittances(details, remits, claims, lines, controls, settings)
    if problems:
        raise OutputDataError("835", problems)
    return out


def render_remittances(
    details: EventDetails,
    remits: Remittances,
    claims: pl.DataFrame,
    lines: pl.DataFrame,
    controls: Controls,
    settings: X12Settings | None = None,
) -> tuple[list[Rendered], list[OutputProblem]]:
    """The checked 835 of every remittance of `remits`, one model at a time, and the problems of
    those that lack data (`claims`/`lines` as `claim_frames` reads them)."""
    settings = settings or X12Settings()
    payer, problems = payer_model(details)
    claim_rows = {r["claim_core_id"]: r for r in claims.iter_rows(named=True)}
    line_rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in lines.iter_rows(named=True):
        line_rows[line["claim_core_id"]].append(line)
    payees = {p["payment_center_id"]: p for p in details.payees.to_dicts()}
    items = defaultdict(list)
    for row in remits.items.iter_rows(named=True):
        items[row["payment_center_id"]].append(row)
    plb = defaultdict(list)
    for row in remits.plb.iter_rows(named=True):
        plb[row["payment_center_id"]].append(row)
    funding = funding_bank(details)
    out: list[Rendered] = []
    for h in remits.headers.iter_rows(named=True):
        pc = h["payment_center_id"]
        payee = payees.get(pc, {})
        if h["remit_id"] not in controls.isa13:
            problems.append(
                OutputProblem(
                    FindingCode.REMIT_DATA_MISSING,
                    pc,
                    "isa13",
                    "the event's files were issued without this 835 (its data were missing "
                    "then); `paymentprocess outputs reissue` issues a complete set",
                )
            )
            continue
        try:
            if payer is None:
                continue
            remit = Remittance(
                remit_id=h["remit_id"],
                payer=payer,
                funding=funding,
                payee=_payee(payee, h),
                payment=Payment(
                    method=h["bpr04"],
                    amount_cents=h["net_pay"],
                    payment_date=details.payment_date,
                    trn02=h["trn02"],
                ),
                envelope=Envelope(
                    isa13=controls.isa13[h["remit_id"]],
                    created_at=controls.created_at,
                    receiver_qualifier=payee.get("era_receiver_qualifier")
                    or DEFAULT_RECEIVER_QUALIFIER,
                    receiver_id=payee.get("era_receiver_id") or str(payee.get("npi") or ""),
                ),
                items=tuple(_item(i, claim_rows, line_rows) for i in items.get(pc, [])),
                plb=tuple(
                    PlbEntry(
                        code=p["code"],
                        amount_cents=p["amount"],
                        reference=p["reference"] if p["reference"] is not None else h["trn02"],
                    )
                    if p["code"] != "L6"
                    else PlbEntry(code="L6", amount_cents=p["amount"])
                    for p in plb.get(pc, [])
                ),
            )
            content = render_checked(remit, settings)
        except (RemitModelError, KeyError) as exc:
            problems.append(OutputProblem(FindingCode.REMIT_DATA_MISSING, pc, "835", str(exc)))
            continue
        out.append(rendered_835(details, h, controls, content))
    return out, problems


def rendered_835(
    details: EventDetails, header: dict[str, Any], controls: Controls, content: bytes
) -> Rendered:
    """The `Rendered` of one 835 (its file name, control values and item)."""
    remit_id = header["remit_id"]
    return Rendered(
        kind="835",
        scope=str(header["payment_center_id"]),
        path=files.x12_file_name(
            details.funding_source["funding_source_id"],
            header["payment_center_id"],
            header["trn02"],
        ),
        content=content,
        control={"remit_id": remit_id, "isa13": controls.isa13[remit_id]},
        items=((remit_id, None),),
    )


def funding_bank(details: EventDetails) -> FundingBank:
    fs = details.funding_source
    return FundingBank(
        funding_source_id=fs["funding_source_id"],
        routing=fs.get("bank_routing_number") or "",
        account=fs.get("bank_account_number") or "",
        trn04_code=fs.get("trn04_code"),
    )


def payer_model(details: EventDetails) -> tuple[Payer | None, list[OutputProblem]]:
    row = details.payer
    if row is None:
        return None, [
            OutputProblem(
                FindingCode.REMIT_DATA_MISSING,
                None,
                "funding_source.payer_id",
                "the event's funding source names no payer (Payer collection)",
            )
        ]
    try:
        return (
            Payer(
                legal_name=row["legal_name"] or "",
                tin=row["tin"] or "",
                address=Address(
                    line1=row["address_line1"] or "",
                    line2=row["address_line2"],
                    city=row["address_city"] or "",
                    state=row["address_state"] or "",
                    zip=row["address_zip"] or "",
                ),
                edi_contact_name=row["edi_contact_name"] or "",
                edi_contact_phone=row["edi_contact_phone"] or "",
                edi_contact_email=row["edi_contact_email"],
                edi_contact_url=row["edi_contact_url"],
                isa_sender_qualifier=row["isa_sender_qualifier"] or "",
                isa_sender_id=row["isa_sender_id"] or "",
                gs_sender_code=row["gs_sender_code"] or "",
                usage_indicator=row["usage_indicator"] or "P",
                payer_identifier=row["payer_identifier"],
            ),
            [],
        )
    except RemitModelError as exc:
        return None, [OutputProblem(FindingCode.REMIT_DATA_MISSING, None, "payer", str(exc))]


def _payee(row: dict[str, Any], header: dict[str, Any]) -> Payee:
    address = None
    if row.get("address_line1"):
        address = Address(
            line1=row["address_line1"],
            line2=row.get("address_line2"),
            city=row.get("address_city") or "",
            state=row.get("address_state") or "",
            zip=row.get("address_zip") or "",
        )
    eft = header["bpr04"] == "ACH"
    return Payee(
        payment_center_id=str(header["payment_center_id"]),
        vendor_name=row.get("vendor_name") or "",
        npi=row.get("npi") or "",
        tin=row.get("tax_id") or "",
        address=address,
        bank_routing=row.get("bank_routing_number") if eft else None,
        bank_account=row.get("bank_account_number") if eft else None,
        bank_account_type=row.get("bank_account_type") if eft else None,
    )


def claim_frames(
    conn: Connection, event_id: str, remits: Remittances
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The claims the items name (with their plan's filing indicator) and their lines (with the
    engine's `payable`), lines in (claim, line_number) order."""
    c, sl, bp = t.claim_fin_core, t.service_line, t.benefit_plan
    named = item_claims(event_id)
    # Side by side as of one snapshot on PostgreSQL (three server processes); on SQLite the
    # ADBC reader processes pay their start-up only for a large event.
    read = read_frames(
        conn,
        {
            "claims": (
                select(*(c.c[n] for n in CLAIM_COLUMNS)).where(named),
                table_schema(c, CLAIM_COLUMNS),
            ),
            "plans": (
                select(bp.c.benefit_plan_id, bp.c.claim_filing_indicator),
                table_schema(bp, ["benefit_plan_id", "claim_filing_indicator"]),
            ),
            "lines": (
                select(*(sl.c[n] for n in LINE_COLUMNS)).where(
                    sl.c.claim_core_id.in_(select(c.c.claim_core_id).where(named))
                ),
                table_schema(sl, LINE_COLUMNS),
            ),
        },
        large=remits.items.height > LARGE_EVENT_ITEMS,
        planner=HASH_JOINS,
    )
    claims = read["claims"].join(read["plans"], on="benefit_plan_id", how="left")
    lines = read["lines"].sort("claim_core_id", "line_number")
    return claim_frames_of(remits, claims, line_payables(lines))


def claim_frames_of(
    remits: Remittances, claims: pl.DataFrame, lines: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`claim_frames` from frames already read (`RemitInputs.item_claims`, `item_lines`): the
    claims the items name, and the lines as given."""
    ids = remits.items.select(pl.col("claim_core_id").drop_nulls().unique())
    return ids.join(claims, on="claim_core_id", how="inner"), lines


def _line(row: dict[str, Any]) -> ServiceLine:
    return ServiceLine(
        procedure_code=row["procedure_code"] or "",
        billed=row["billed_amount"],
        allowed=row["allowed_amount"],
        payable=row["payable"],  # engine.compute.line_payables, the run's own formula
        deductible=row["deductible_amount"],
        coinsurance=row["coinsurance_amount"],
        copay=row["copay_amount"],
        other_adjustment=row["other_adjustment_amount"],
        modifiers=tuple(json.loads(row["modifiers"])) if row["modifiers"] else (),
        units=row["units"] if row["units"] is not None else 1,
        service_date=row["service_date"],
        line_item_control_number=row["line_item_control_number"],
    )


def _item(
    row: dict[str, Any],
    claims: dict[str, dict[str, Any]],
    lines: dict[str, list[dict[str, Any]]],
) -> ClaimItem:
    claim_id = row["claim_core_id"]
    if claim_id is None:
        raise RemitModelError(
            f"the reversal before claim {row['for_claim']} names no claim of the chain"
        )
    claim = claims[claim_id]
    own = tuple(_line(line) for line in lines.get(claim_id, []))
    reversal = row["kind"] == "reversal"
    header = {m: claim[m] or 0 for m in t.CLAIM_MONEY}
    return ClaimItem(
        kind="reversal" if reversal else "claim",
        claim_id=claim_id,
        patient_control_number=claim["patient_control_number"]
        or claim["claim_reference"]
        or claim_id,
        frequency_code=claim["frequency_code"] or "1",
        filing_indicator=claim["claim_filing_indicator"] or "",
        member_id=claim["member_id"] or "",
        received_date=claim["received_date"],
        lines=own,
        patient_last_name=claim["patient_last_name"],
        patient_first_name=claim["patient_first_name"],
        interest_cents=0 if reversal else row["interest"],
        service_date=claim["service_begin_date"],
        billed=header["billed_amount"],
        allowed=header["allowed_amount"],
        deductible=header["deductible_amount"],
        coinsurance=header["coinsurance_amount"],
        copay=header["copay_amount"],
        other_adjustment=header["other_adjustment_amount"],
        payable=row["clp04"] if not reversal else -row["clp04"],
        effective_before=-row["clp04"] if reversal else None,
    )
