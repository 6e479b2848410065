"""Issue the files of a Final Run: render every kind, record them once, write them as one set.

`issue_outputs(engine, event_id, out_dir)` — the `paymentprocess outputs` command:

1. In one transaction: the event must be at stage `Final`. Its remittances are built from its
   stored rows (outputs.gather, outputs.remittance), every kind is rendered and checked by our own
   validators (a file that fails them is never written).
2. First issue: the values that are not a function of the data (O-4) are allocated — the
   creation time (UTC, to the minute), one ISA13 per 835 from `InterchangeControl:<ISA06>`, the
   NACHA file-id modifier from `AchFileId:<FS>:<YYMMDD>`, a zero payment's TRN02 `NP<ISA13>` —
   and stored with each file's SHA-256 in `output_file`, its items in `output_item` (one issued
   file per payment and kind: a unique index), what each 835 said in `remittance` and
   `remittance_plb`. Then the file set is written (outputs.files: temp files, fsync, rename; the
   whole set or the previous one) and the transaction commits. A crash before the commit leaves
   no rows, and the next run allocates afresh; a crash after it leaves rows whose files the next
   run rewrites byte for byte.
3. Any later run re-renders from the same rows with the stored values: equal hashes → the same
   bytes are (re)written, or with `verify=True` the files on disk are compared and nothing is
   written; a different hash → `OutputDriftError` (OUTPUT_DRIFT) naming the files, nothing
   written. Re-issuing is `reissue_outputs`, never automatic.

A kind whose data are incomplete (O-5) is not generated; the others are, and the report lists the
problems (payee ids, never member ids or bank numbers).
"""

from __future__ import annotations

import json
import string
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Connection, Engine, delete, insert, select, update

from paymentprocess.config import Settings
from paymentprocess.errors import PaymentError, RunRefusedError, SettingsError
from paymentprocess.logs import get_logger
from paymentprocess.outputs import files
from paymentprocess.outputs.checks import (
    CheckItem,
    check_positive_pay,
    positive_pay_profile,
    render_check_register,
    render_positive_pay,
)
from paymentprocess.outputs.cross_check import CrossOutputError, cross_problems
from paymentprocess.outputs.details import EventDetails, read_event_details
from paymentprocess.outputs.fhir import FhirDetail, FhirRemittance, render_payment_reconciliations
from paymentprocess.outputs.gather import read_remit_inputs
from paymentprocess.outputs.nacha import (
    AchEntry,
    AchFileHeader,
    AchFileInput,
    AchOriginator,
    render_nacha,
    trn_segment,
)
from paymentprocess.outputs.nacha_check import check_nacha
from paymentprocess.outputs.problems import OutputDataError
from paymentprocess.outputs.remit_model import RemitModelError, X12Settings
from paymentprocess.outputs.remittance import RemitInputs, Remittances, build_remittances
from paymentprocess.storage import tables as t
from paymentprocess.storage.database import unit_of_work
from paymentprocess.storage.frames_write import write_frame

log = get_logger(__name__)

KINDS = ("835", "ACH", "CHECK_REGISTER", "POSITIVE_PAY", "FHIR_PR")
MODIFIERS = string.ascii_uppercase + string.digits  # NACHA file-id modifier A–Z, 0–9


class OutputDriftError(RunRefusedError):
    """OUTPUT_DRIFT: the event's data changed after its files were issued; nothing was written."""

    def __init__(self, event_id: str, paths: Sequence[str]) -> None:
        self.paths = tuple(paths)
        shown = ", ".join(paths[:10]) + (f" and {len(paths) - 10} more" if len(paths) > 10 else "")
        super().__init__(
            f"OUTPUT_DRIFT: payment event {event_id!r}: {len(paths)} issued file(s) would "
            f"differ from what was issued: {shown}. The event's rows changed after its files "
            "were issued; nothing was written. If the bank or a payee must get corrected files, "
            "re-issue them explicitly (`paymentprocess outputs reissue`)."
        )


@dataclass(frozen=True)
class Controls:
    """The values of an issue that are not a function of the data (O-4)."""

    created_at: datetime  # UTC, truncated to the minute
    isa13: dict[str, int]  # remit_id → interchange control number
    ach_modifier: str | None


@dataclass(frozen=True)
class Rendered:
    kind: str
    scope: str  # the FundingSource_ID or PaymentCenter_ID the file is for
    path: str  # relative to the event's directory
    content: bytes
    control: dict[str, Any]
    items: tuple[tuple[str, str | None], ...]  # (item_id, trace_number)


@dataclass
class OutputReport:
    event_id: str
    directory: Path
    status: str  # issued | rewritten | verified
    files: list[Rendered] = field(default_factory=list)
    skipped: dict[str, OutputDataError] = field(default_factory=dict)  # kind → why
    mismatches: list[str] = field(default_factory=list)  # verify: files on disk that differ
    timings_ms: dict[str, int] = field(default_factory=dict)  # step → milliseconds

    @contextmanager
    def timed(self, step: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings_ms[step] = self.timings_ms.get(step, 0) + round(
                (time.perf_counter() - start) * 1000
            )

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.files:
            out[f.kind] = out.get(f.kind, 0) + 1
        return out


# Renders the 835s of the remittances; set by outputs.remit_835 (kept apart: the 835 is big).
Render835 = Callable[
    [Connection, EventDetails, Remittances, Controls, X12Settings | None], list[Rendered]
]


def issue_outputs(
    engine: Engine,
    event_id: str,
    out_dir: Path,
    *,
    verify: bool = False,
    fhir: bool = False,
    now: datetime | None = None,
    x12: X12Settings | None = None,
) -> OutputReport:
    """Render, record and write the files of `event_id` (module docstring)."""
    from paymentprocess.outputs.x12_835_bulk import render_835s_bulk

    directory = Path(out_dir) / files.event_dir_name(event_id)
    report = OutputReport(event_id, directory, "issued")
    with unit_of_work(engine, write=not verify) as uow:
        conn = uow.conn
        with report.timed("read"):
            details = read_event_details(conn, event_id)
            inputs = read_remit_inputs(conn, event_id)
            details = replace(details, register=inputs.register)
        with report.timed("remittances"):
            remits = build_remittances(inputs)
        render_835s = _with_frames(render_835s_bulk, inputs)
        del inputs  # the 835 renderer holds the claims and lines it needs until it is done
        issued = _issued(conn, event_id)
        if issued:
            controls = _stored_controls(issued)
        elif verify:
            raise RunRefusedError(
                f"payment event {event_id!r} has no issued files to verify "
                "(run `paymentprocess outputs -p ...` first)"
            )
        else:
            controls = _allocate(conn, details, remits, now or datetime.now(UTC))
        remits = _with_zero_pay_trn(remits, controls)
        _render_all(
            conn,
            details,
            remits,
            controls,
            render_835s,
            report,
            fhir=fhir or _has_fhir(issued),
            x12=x12,
        )
        digests = {f.path: files.sha256_hex(f.content) for f in report.files}  # hashed once
        if issued:
            _refuse_drift(event_id, issued, digests)
            expected = {f.path: f.content for f in report.files}
            if verify:
                report.status = "verified"
                report.mismatches = [
                    str(m) for m in files.verify_file_set(out_dir, event_id, digests)
                ]
                return report
            with report.timed("write"):
                files.write_file_set(out_dir, event_id, expected, digests)
            uow.commit()
            report.status = "rewritten"
            return report
        with report.timed("record"):
            _record(conn, details, remits, controls, report.files, digests)
        with report.timed("write"):
            content = {f.path: f.content for f in report.files}
            files.write_file_set(out_dir, event_id, content, digests)
        with report.timed("commit"):
            uow.commit()
    log.info(
        "outputs_issued",
        payment_event_id=event_id,
        files=len(report.files),
        kinds=report.counts(),
        skipped=sorted(report.skipped),
    )
    return report


def reissue_outputs(
    engine: Engine,
    event_id: str,
    out_dir: Path,
    *,
    reason: str,
    now: datetime | None = None,
    x12: X12Settings | None = None,
) -> OutputReport:
    """Replace the event's issued files by a new set with new control values (OUTPUTS.md O-4):
    the old `output_file` rows and their items become `superseded` with `reason` (never deleted),
    the remittances are recorded again, and the new set replaces the old one on disk."""
    from paymentprocess.outputs.x12_835_bulk import render_835s_bulk

    directory = Path(out_dir) / files.event_dir_name(event_id)
    with unit_of_work(engine) as uow:
        conn = uow.conn
        details = read_event_details(conn, event_id)
        issued = _issued(conn, event_id)
        if not issued:
            raise RunRefusedError(
                f"payment event {event_id!r} has no issued files to re-issue "
                "(run `paymentprocess outputs -p ...` first)"
            )
        _supersede(conn, event_id, issued, reason)
        # on this connection: the reads must see the rows _supersede has just changed
        inputs = read_remit_inputs(conn, event_id, side_by_side=False)
        details = replace(details, register=inputs.register)
        remits = build_remittances(inputs)
        render_835s = _with_frames(render_835s_bulk, inputs)
        del inputs
        controls = _allocate(conn, details, remits, now or datetime.now(UTC))
        remits = _with_zero_pay_trn(remits, controls)
        report = OutputReport(event_id, directory, "reissued")
        _render_all(
            conn, details, remits, controls, render_835s, report, fhir=_has_fhir(issued), x12=x12
        )
        new_ids = _record(conn, details, remits, controls, report.files)
        _link_superseded(conn, issued, report.files, new_ids)
        files.write_file_set(out_dir, event_id, {f.path: f.content for f in report.files})
        uow.commit()
    log.info("outputs_reissued", payment_event_id=event_id, files=len(report.files))
    return report


class _With835Frames:
    """A `Render835` that hands the bulk renderer the claims and lines `read_remit_inputs`
    already read (once: it lets go of them as soon as it has called the renderer)."""

    def __init__(self, render: Callable[..., list[Rendered]], inputs: RemitInputs) -> None:
        self.render = render
        frames = inputs.item_claims, inputs.item_lines
        self.frames: tuple[pl.DataFrame, pl.DataFrame] | None = None
        if frames[0] is not None and frames[1] is not None:
            self.frames = (frames[0], frames[1])

    def __call__(
        self,
        conn: Connection,
        details: EventDetails,
        remits: Remittances,
        controls: Controls,
        x12: X12Settings | None,
    ) -> list[Rendered]:
        # handed over, not kept: the renderer lets go of them when it is done
        return self.render(conn, details, remits, controls, x12, frames=self._take())

    def _take(self) -> tuple[pl.DataFrame, pl.DataFrame] | None:
        frames, self.frames = self.frames, None
        return frames


def _with_frames(render: Callable[..., list[Rendered]], inputs: RemitInputs) -> Render835:
    return _With835Frames(render, inputs)


def _supersede(conn: Connection, event_id: str, issued: list[dict[str, Any]], reason: str) -> None:
    ids = [row["output_file_id"] for row in issued]
    f, item = t.output_file, t.output_item
    conn.execute(
        update(f).where(f.c.output_file_id.in_(ids)).values(status="superseded", reason=reason)
    )
    conn.execute(update(item).where(item.c.output_file_id.in_(ids)).values(status="superseded"))
    remit_ids = select(t.remittance.c.remit_id).where(t.remittance.c.payment_event_id == event_id)
    conn.execute(delete(t.remittance_plb).where(t.remittance_plb.c.remit_id.in_(remit_ids)))
    conn.execute(delete(t.remittance).where(t.remittance.c.payment_event_id == event_id))


def _link_superseded(
    conn: Connection,
    issued: list[dict[str, Any]],
    rendered: list[Rendered],
    new_ids: dict[str, int],
) -> None:
    """Each superseded file points at the new file of the same kind and scope, where one exists."""
    f = t.output_file
    by_scope = {(r.kind, r.scope): new_ids[r.path] for r in rendered}
    for row in issued:
        successor = by_scope.get((row["kind"], row["scope"]))
        if successor is not None:
            conn.execute(
                update(f)
                .where(f.c.output_file_id == row["output_file_id"])
                .values(superseded_by=successor)
            )


def issued_files(engine: Engine, event_id: str) -> list[dict[str, Any]]:
    """The event's issued files (id, kind, scope, name, SHA-256, size, status), in issue order."""
    f = t.output_file
    with unit_of_work(engine, write=False) as uow:
        rows = uow.conn.execute(
            select(f.c.output_file_id, f.c.kind, f.c.scope, f.c.file_name, f.c.sha256, f.c.size)
            .add_columns(f.c.status)
            .where(f.c.payment_event_id == event_id, f.c.status == "issued")
            .order_by(f.c.output_file_id)
        ).mappings()
        return [dict(r) for r in rows]


def x12_settings(settings: Settings) -> X12Settings:
    """The 835 rules that are settings (PAYMENT_OTHER_ADJUSTMENT_CAS), checked."""
    try:
        return X12Settings(other_adjustment_cas=settings.other_adjustment_cas or None)
    except RemitModelError as exc:
        raise SettingsError(f"PAYMENT_OTHER_ADJUSTMENT_CAS: {exc}") from None


# --- controls -----------------------------------------------------------------------------------


def _issued(conn: Connection, event_id: str) -> list[dict[str, Any]]:
    f = t.output_file
    rows = conn.execute(
        select(f)
        .where(f.c.payment_event_id == event_id, f.c.status == "issued")
        .order_by(f.c.output_file_id)
    ).mappings()
    return [dict(r) for r in rows]


def _has_fhir(issued: list[dict[str, Any]]) -> bool:
    return any(r["kind"] == "FHIR_PR" for r in issued)


def _stored_controls(issued: list[dict[str, Any]]) -> Controls:
    created = issued[0]["created_at"]
    isa13: dict[str, int] = {}
    modifier = None
    for row in issued:
        control = row["control"] or {}
        if "isa13" in control:
            isa13[control["remit_id"]] = int(control["isa13"])
        if "file_id_modifier" in control:
            modifier = str(control["file_id_modifier"])
    return Controls(created_at=created, isa13=isa13, ach_modifier=modifier)


def _next_values(conn: Connection, name: str, count: int) -> int:
    """Advance sequence `name` by `count`; returns the first new value (sequence row locked)."""
    seq = t.sequence_numbers
    current = conn.execute(select(seq.c.value).where(seq.c.name == name).with_for_update()).scalar()
    if current is None:
        conn.execute(insert(seq).values(name=name, value=count))
        return 1
    conn.execute(update(seq).where(seq.c.name == name).values(value=int(current) + count))
    return int(current) + 1


def _allocate(
    conn: Connection, details: EventDetails, remits: Remittances, now: datetime
) -> Controls:
    created = now.astimezone(UTC).replace(second=0, microsecond=0, tzinfo=None)
    sender = (details.payer or {}).get("isa_sender_id") or "UNSET"
    remit_ids = remits.headers["remit_id"].to_list()
    first = _next_values(conn, f"InterchangeControl:{sender}", len(remit_ids)) if remit_ids else 1
    if first + len(remit_ids) - 1 > 999_999_999:
        raise RunRefusedError(
            f"sequence InterchangeControl:{sender} would pass 999999999 (ISA13 has 9 digits)"
        )
    modifier = None
    eft = details.payees.filter(pl.col("payment_method") == "EFT").height
    if eft:
        day = details.payment_date.strftime("%y%m%d")
        name = f"AchFileId:{details.funding_source['funding_source_id']}:{day}"
        number = _next_values(conn, name, 1)
        if number > len(MODIFIERS):
            raise RunRefusedError(
                f"sequence {name}: {number - 1} NACHA files were already created for this "
                f"funding source and date; the file-id modifier has only {len(MODIFIERS)} values"
            )
        modifier = MODIFIERS[number - 1]
    isa13 = {rid: first + i for i, rid in enumerate(remit_ids)}
    return Controls(created_at=created, isa13=isa13, ach_modifier=modifier)


def _with_zero_pay_trn(remits: Remittances, controls: Controls) -> Remittances:
    """A zero payment's TRN02 is `NP` + its ISA13 (never a repeated value, RFI 1847)."""
    isa = pl.DataFrame(
        {"remit_id": list(controls.isa13), "isa13": list(controls.isa13.values())},
        schema={"remit_id": pl.String, "isa13": pl.Int64},
    )
    headers = remits.headers.join(isa, on="remit_id", how="left").with_columns(
        pl.coalesce("trn02", pl.concat_str(pl.lit("NP"), pl.col("isa13").cast(pl.String))).alias(
            "trn02"
        )
    )
    return Remittances(headers, remits.items, remits.plb)


# --- rendering ----------------------------------------------------------------------------------


def _render_all(
    conn: Connection,
    details: EventDetails,
    remits: Remittances,
    controls: Controls,
    render_835s: Render835,
    report: OutputReport,
    *,
    fhir: bool,
    x12: X12Settings | None = None,
) -> None:
    steps: list[tuple[str, Callable[[], list[Rendered]]]] = [
        ("835", lambda: render_835s(conn, details, remits, controls, x12)),
        ("ACH", lambda: _ach(details, remits, controls)),
        ("CHECK_REGISTER", lambda: _check_files(details, remits)),
    ]
    if fhir:
        steps.append(("FHIR_PR", lambda: _fhir(details, remits, controls)))
    for kind, render in steps:
        try:
            with report.timed(kind):
                report.files.extend(render())
        except OutputDataError as problem:
            report.skipped[kind] = problem
            if kind == "CHECK_REGISTER":
                report.skipped["POSITIVE_PAY"] = problem
    with report.timed("cross_check"):
        problems = cross_problems(report.files, remits.headers, details.register)
    if problems:
        raise CrossOutputError(problems)


def _trn(details: EventDetails, trn02: str) -> str:
    payer = details.payer or {}
    return trn_segment(trn02, str(payer.get("tin") or ""), details.funding_source.get("trn04_code"))


def _payee_name(row: dict[str, Any]) -> str | None:
    if row["payment_center_type"] == "Member":
        parts = [row.get("name_first"), row.get("name_last")]
        name = " ".join(p for p in parts if p)
        return name or row.get("vendor_name")
    return row.get("vendor_name")


def _ach(details: EventDetails, remits: Remittances, controls: Controls) -> list[Rendered]:
    pays = _paid_rows(details, "EFT")
    if not pays:
        return []
    fs = details.funding_source
    entries = tuple(
        AchEntry(
            payment_id=p["payment_id"],
            payment_center_id=p["payment_center_id"],
            payee_name=_payee_name(p) or "",
            rdfi_routing=p["bank_routing_number"] or "",
            account_number=p["bank_account_number"] or "",
            account_type=p["bank_account_type"] or "",
            amount_cents=p["amount"],
            kind="member" if p["payment_center_type"] == "Member" else "provider",
            trn_segment=_trn(details, p["check_number"])
            if p["payment_center_type"] == "Provider"
            else None,
        )
        for p in pays
    )
    spec = AchFileInput(
        header=AchFileHeader(
            immediate_destination=fs.get("ach_immediate_destination") or "",
            immediate_destination_name=fs.get("ach_immediate_destination_name") or "",
            immediate_origin=fs.get("ach_immediate_origin") or "",
            immediate_origin_name=fs.get("ach_immediate_origin_name") or "",
            created_at=controls.created_at,
            file_id_modifier=controls.ach_modifier or "A",
        ),
        originator=AchOriginator(
            company_name=fs.get("ach_company_name") or "",
            company_id=fs.get("ach_company_id") or "",
            odfi_routing=fs.get("bank_routing_number") or "",
        ),
        effective_date=details.payment_date,
        entries=entries,
    )
    nacha = render_nacha(spec)
    problems = check_nacha(nacha.content)
    if problems:
        raise PaymentError(f"NACHA file failed our checker (not written): {problems[:5]}")
    path = files.ach_file_name(
        fs["funding_source_id"], details.payment_date, spec.header.file_id_modifier
    )
    return [
        Rendered(
            kind="ACH",
            scope=fs["funding_source_id"],
            path=path,
            content=nacha.content,
            control={"file_id_modifier": spec.header.file_id_modifier},
            items=tuple((tr.payment_id, tr.trace_number) for tr in nacha.traces),
        )
    ]


def _paid_rows(details: EventDetails, method: str) -> list[dict[str, Any]]:
    """The event's payments by `method` with their payees, in PaymentCenter_ID order."""
    register = details.register.filter(pl.col("method") == method)
    return (
        register.join(details.payees, on="payment_center_id", how="left")
        .sort("payment_center_id")
        .to_dicts()
    )


def _check_files(details: EventDetails, remits: Remittances) -> list[Rendered]:
    pays = _paid_rows(details, "CHECK")
    if not pays:
        return []
    fs = details.funding_source
    items = [
        CheckItem(
            payment_event_id=details.event_id,
            payment_id=p["payment_id"],
            funding_source_id=fs["funding_source_id"],
            check_number=p["check_number"],
            issue_date=p["payment_date"],
            amount_cents=p["amount"],
            payee_id=p["payment_center_id"],
            payee_type="Member" if p["payment_center_type"] == "Member" else "Provider",
            payee_name=_payee_name(p),
            address_line1=p["address_line1"],
            address_line2=p["address_line2"],
            city=p["address_city"],
            state=p["address_state"],
            zip=p["address_zip"],
            trn02=p["check_number"],
        )
        for p in pays
    ]
    register = render_check_register(items)
    profile = positive_pay_profile(fs.get("positive_pay_profile")).name
    positive = render_positive_pay(items, fs.get("bank_account_number") or "", profile)
    problems = check_positive_pay(register, positive, profile)
    if problems:
        raise PaymentError(f"Positive Pay file disagrees with the check register: {problems}")
    payments = tuple((it.payment_id, None) for it in items)
    scope = fs["funding_source_id"]
    return [
        Rendered(
            "CHECK_REGISTER", scope, files.check_register_file_name(scope), register, {}, payments
        ),
        Rendered(
            "POSITIVE_PAY",
            scope,
            files.positive_pay_file_name(scope),
            positive,
            {"profile": profile},
            payments,
        ),
    ]


def _fhir(details: EventDetails, remits: Remittances, controls: Controls) -> list[Rendered]:
    headers = remits.headers.filter(pl.col("net_pay") > 0)
    if headers.height == 0:
        return []
    npi = dict(details.payees.select("payment_center_id", "npi").iter_rows())
    items = remits.items.group_by("payment_center_id", maintain_order=True).agg(pl.all())
    item_rows = {r["payment_center_id"]: r for r in items.iter_rows(named=True)}
    plb = remits.plb.group_by("payment_center_id", maintain_order=True).agg(pl.all())
    plb_rows = {r["payment_center_id"]: r for r in plb.iter_rows(named=True)}
    resources = []
    for h in headers.iter_rows(named=True):
        pc = h["payment_center_id"]
        nd = str(npi.get(pc) or "")
        its = item_rows.get(pc)
        lines: list[FhirDetail] = []
        if its is not None:
            for kind, claim, for_claim, amount in zip(
                its["kind"], its["claim_core_id"], its["for_claim"], its["clp04"], strict=True
            ):
                lines.append(
                    FhirDetail(
                        type="adjustment" if kind == "reversal" else "payment",
                        request_claim_id=for_claim if kind == "reversal" else claim,
                        predecessor_claim_id=claim if kind == "reversal" else None,
                        payee_npi=nd,
                        date=details.payment_date,
                        amount_cents=amount,
                    )
                )
        ps = plb_rows.get(pc)
        if ps is not None:
            for code, ref, amount in zip(ps["code"], ps["reference"], ps["amount"], strict=True):
                reference = f"{code}:{ref if ref is not None else h['trn02']}"
                lines.append(
                    FhirDetail(
                        type="adjustment",
                        request_claim_id=None,
                        predecessor_claim_id=None,
                        payee_npi=nd,
                        date=details.payment_date,
                        amount_cents=-amount,
                        reference=reference if code != "L6" else "L6",
                    )
                )
        resources.append(
            FhirRemittance(
                remit_id=h["remit_id"],
                payment_id=h["payment_id"],
                payee_id=pc,
                created_at=controls.created_at,
                payer_tin=str((details.payer or {}).get("tin") or ""),
                payment_date=details.payment_date,
                amount_cents=h["net_pay"],
                trn02=h["trn02"],
                details=tuple(lines),
            )
        )
    content = render_payment_reconciliations(resources)
    ids = tuple((h["remit_id"], None) for h in headers.iter_rows(named=True))
    return [Rendered("FHIR_PR", details.event_id, files.fhir_file_name(), content, {}, ids)]


# --- recording and drift ------------------------------------------------------------------------


def _record(
    conn: Connection,
    details: EventDetails,
    remits: Remittances,
    controls: Controls,
    rendered: list[Rendered],
    digests: dict[str, str] | None = None,
) -> dict[str, int]:
    """Insert the issue's control rows in bulk (the files, their items, the remittances: bulk
    writes — COPY on PostgreSQL); returns path → output_file_id.

    The files' ids are the identity values their rows took (in `rendered` order), read back by
    name: the event has no other issued file (a first issue has none, a re-issue has marked the
    old ones superseded), and a name is unique within the event's set."""
    f = t.output_file
    if not rendered:
        return {}
    write_frame(
        conn,
        f,
        pl.DataFrame(
            {
                "file_name": [r.path for r in rendered],
                "kind": [r.kind for r in rendered],
                "scope": [r.scope for r in rendered],
                "control": [json.dumps(r.control) for r in rendered],
                "sha256": [
                    digests[r.path] if digests is not None else files.sha256_hex(r.content)
                    for r in rendered
                ],
                "size": [len(r.content) for r in rendered],
            },
            schema={
                "file_name": pl.String,
                "kind": pl.String,
                "scope": pl.String,
                "control": pl.String,
                "sha256": pl.String,
                "size": pl.Int64,
            },
        ).with_columns(
            pl.lit(details.event_id).alias("payment_event_id"),
            pl.lit(controls.created_at, dtype=pl.Datetime("us")).alias("created_at"),
            pl.lit("issued").alias("status"),
        ),
    )
    ids: dict[str, int] = {
        name: int(file_id)
        for name, file_id in conn.execute(
            select(f.c.file_name, f.c.output_file_id).where(
                f.c.payment_event_id == details.event_id, f.c.status == "issued"
            )
        )
    }
    file_ids = {r.path: ids[r.path] for r in rendered}
    items = [(file_ids[r.path], r.kind, item, trace) for r in rendered for item, trace in r.items]
    write_frame(
        conn,
        t.output_item,
        pl.DataFrame(
            items,
            schema={
                "output_file_id": pl.Int64,
                "kind": pl.String,
                "item_id": pl.String,
                "trace_number": pl.String,
            },
            orient="row",
        ).with_columns(pl.lit("issued").alias("status")),
    )
    remit_file = pl.DataFrame(
        [(r.control["remit_id"], file_ids[r.path]) for r in rendered if "remit_id" in r.control],
        schema={"remit_id": pl.String, "output_file_id": pl.Int64},
        orient="row",
    )
    h = remits.headers
    paid = pl.col("net_pay") > 0
    write_frame(
        conn,
        t.remittance,
        h.join(remit_file, on="remit_id", how="left").select(
            "remit_id",
            pl.lit(details.event_id).alias("payment_event_id"),
            "payment_center_id",
            pl.when(paid).then(pl.col("payment_id")).alias("payment_id"),
            "trn02",
            pl.when(paid).then(pl.lit("I")).otherwise(pl.lit("H")).alias("bpr01"),
            "bpr04",
            pl.col("net_pay").alias("amount"),
            "output_file_id",
        ),
    )
    write_frame(
        conn,
        t.remittance_plb,
        remits.plb.join(
            h.select("payment_center_id", "remit_id", "trn02"), on="payment_center_id"
        ).select(
            "remit_id",
            "seq",
            pl.col("code").alias("reason"),
            pl.coalesce("reference", "trn02").alias("reference"),
            "amount",
        ),
    )
    return file_ids


def _refuse_drift(event_id: str, issued: list[dict[str, Any]], now: dict[str, str]) -> None:
    """OUTPUT_DRIFT unless `now` (path → SHA-256 of what was rendered) is what was issued."""
    then = {row["file_name"]: row["sha256"] for row in issued}
    drift = sorted(p for p in then.keys() | now.keys() if then.get(p) != now.get(p))
    if drift:
        raise OutputDriftError(event_id, drift)
