"""Stage `load`: bulk-read the cycle into Polars frames (COPY / one statement per frame).

Reads the cycle's claims (effective status Unpaid, assigned to the event) and their service
lines, the paid history of their chains (and, for the chains of their replacements and voids,
the latest claim paid outside the cycle with its lines' payable), the links named by replacements, the payees of the
event's type, the open carry-over records and open refunds, and the largest ids in use. Effective
status: a claim is Paid if imported Paid or if a Final Run inserted a `claim_result` row `paid`.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import polars as pl
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Integer,
    Table,
    and_,
    case,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import Select
from sqlalchemy.sql.functions import FunctionElement

from paymentprocess.domain import columns as col
from paymentprocess.domain.cycle import CycleData
from paymentprocess.domain.run_config import RunConfig
from paymentprocess.engine.compute import line_payables
from paymentprocess.engine.payees import claim_contract_types
from paymentprocess.storage import tables as t
from paymentprocess.storage.claims_view import paid_by_final_run
from paymentprocess.storage.database import is_sqlite
from paymentprocess.storage.frames_schema import table_schema
from paymentprocess.storage.frames_side_by_side import FrameQuery, Reader, read_frames

I64, STR, DATE = pl.Int64(), pl.String(), pl.Date()


def _is_unpaid(c: Table) -> ColumnElement[bool]:
    return and_(c.c.status == "Unpaid", ~paid_by_final_run(c))


def in_cycle(cfg: RunConfig) -> ColumnElement[bool]:
    """The claims of the event's cycle: assigned to it and effectively Unpaid."""
    c = t.claim_fin_core
    return and_(c.c.payment_event_id == cfg.payment_event_id, _is_unpaid(c))


Part = tuple[int, int]  # (index, count): one partition of the cycle's chains (engine.partition)


class _CharCode(FunctionElement[int]):
    """The code point of a one-character text (NULL for empty text on SQLite, 0 on PostgreSQL)."""

    type = Integer()
    inherit_cache = True


@compiles(_CharCode, "sqlite")
def _char_code_sqlite(element: _CharCode, compiler: Any, **kw: Any) -> str:
    return f"unicode({compiler.process(element.clauses, **kw)})"


@compiles(_CharCode, "postgresql")
def _char_code_postgresql(element: _CharCode, compiler: Any, **kw: Any) -> str:
    return f"ascii({compiler.process(element.clauses, **kw)})"


def partition_of(chain: ColumnElement[Any], parts: int) -> ColumnElement[Any]:
    """The partition (0 … parts−1) of a chain id, from its last three characters' code points —
    cheap in SQL, spread evenly for sequential ids. The same expression for a claim's chain and
    for history keyed by chain, so each chain's rows meet in one partition."""
    length = func.length(chain)

    def code(back: int) -> ColumnElement[Any]:
        return func.coalesce(_CharCode(func.substr(chain, length - back, 1)), 0)

    return (code(0) + code(1) * 31 + code(2) * 961) % parts


def _in_part(chain: ColumnElement[Any], part: Part | None) -> ColumnElement[bool]:
    return literal(True) if part is None else partition_of(chain, part[1]) == part[0]


def _claim_chain(c: Table) -> ColumnElement[Any]:
    return func.coalesce(c.c.parent_claim_core_id, c.c.claim_core_id)


def _claim_queries(cfg: RunConfig, part: Part | None) -> dict[str, FrameQuery]:
    """The reads keyed by chain: the cycle's claims and lines, their chains' history."""
    c, sl = t.claim_fin_core, t.service_line
    mine = and_(in_cycle(cfg), _in_part(_claim_chain(c), part))
    return {  # largest first: three readers side by side on PostgreSQL
        "lines": (  # a semi-join: the cycle test runs once per claim, not once per line
            select(*(sl.c[n] for n in col.LINE_INPUT)).where(
                sl.c.claim_core_id.in_(select(c.c.claim_core_id).where(mine))
            ),
            table_schema(sl, col.LINE_INPUT),
        ),
        "claims": (
            select(*(c.c[n] for n in col.CLAIM_INPUT)).where(mine),
            table_schema(c, col.CLAIM_INPUT),
        ),
        "history": _history_query(cfg, part),
        "history_claims": _history_claims_query(cfg, part),
        "history_lines": _history_lines_query(cfg, part),
    }


def _lookup_queries(cfg: RunConfig) -> dict[str, FrameQuery]:
    """The reads keyed by payee or claim id, the same for every partition."""
    return {
        "links": _links_query(cfg),
        "payees": _payees_query(cfg),
        "ledger": _ledger_query(cfg),
        "refunds": _refunds_query(),
    }


def input_queries(cfg: RunConfig) -> list[Select[Any]]:
    """The queries of a whole-cycle read (bench.copy_floor times them as COPY)."""
    frames = {**_claim_queries(cfg, None), **_lookup_queries(cfg)}
    return [query for query, _ in frames.values()]


def load_cycle(
    conn: Connection, cfg: RunConfig, timings: dict[str, int] | None = None
) -> CycleData:
    """Read the cycle as of one snapshot; `timings` receives `load.<part>` milliseconds when
    given (`load.frames` the wall time of every frame read, `load.claims` / `lines` / `history`
    each read's own time — they overlap on PostgreSQL — and `load.finish` the rest)."""
    spent = timings if timings is not None else {}
    start = time.perf_counter()
    parts: dict[str, int] = {}
    frames = read_frames(
        conn,
        {**_claim_queries(cfg, None), **_lookup_queries(cfg)},
        parts,
        large=not is_sqlite(conn) or _is_large(conn, cfg),
    )
    _add_read_times(spent, parts, start)
    start = time.perf_counter()
    data = _with_claim_frames(_lookups(conn, cfg, frames), frames)
    spent["load.finish"] = round((time.perf_counter() - start) * 1000)
    return data


def load_lookups(
    conn: Connection, cfg: RunConfig, reader: Reader | None, timings: dict[str, int]
) -> CycleData:
    """The reads every partition shares (payees, ledger, refunds, links, the largest ids), with
    empty claim frames; `load_partition` adds a partition's."""
    start = time.perf_counter()
    frames = read_frames(conn, _lookup_queries(cfg), reader=reader)
    data = _lookups(conn, cfg, frames)
    empty = {
        name: pl.DataFrame(schema=schema) for name, (_, schema) in _claim_queries(cfg, None).items()
    }
    timings["load.lookups"] = timings.get("load.lookups", 0) + _ms(start)
    return _with_claim_frames(data, empty)


def load_partition(
    conn: Connection,
    cfg: RunConfig,
    lookups: CycleData,
    part: Part,
    reader: Reader | None,
    timings: dict[str, int],
    *,
    large: bool,
) -> CycleData:
    """One partition of the cycle's chains (its claims, lines and history) beside `lookups`,
    read as of `reader`'s snapshot (the same for every partition of a run)."""
    start = time.perf_counter()
    parts: dict[str, int] = {}
    frames = read_frames(conn, _claim_queries(cfg, part), parts, large=large, reader=reader)
    _add_read_times(timings, parts, start)
    return _with_claim_frames(lookups, frames)


def load_contract_types(conn: Connection, cfg: RunConfig) -> pl.DataFrame:
    """engine.payees.claim_contract_types of the whole cycle, from one grouped read: per
    (TaxID, NPI, ContractType) its smallest claim id, then per payee key the smallest."""
    c = t.claim_fin_core
    query = (
        select(c.c.tax_id, c.c.npi, c.c.contract_type, func.min(c.c.claim_core_id))
        .where(in_cycle(cfg), c.c.contract_type.is_not(None))
        .group_by(c.c.tax_id, c.c.npi, c.c.contract_type)
    )
    schema: dict[str, pl.DataType] = {
        "tax_id": STR,
        "npi": STR,
        "contract_type": STR,
        "claim_core_id": STR,
    }
    groups = read_frames(conn, {"contract_types": (query, schema)})["contract_types"]
    return claim_contract_types(groups, cfg)


def _ms(start: float) -> int:
    return round((time.perf_counter() - start) * 1000)


def _add_read_times(spent: dict[str, int], parts: dict[str, int], start: float) -> None:
    for name in ("claims", "lines", "history"):
        spent[f"load.{name}"] = spent.get(f"load.{name}", 0) + parts[name]
    spent["load.frames"] = spent.get("load.frames", 0) + _ms(start)


def _lookups(conn: Connection, cfg: RunConfig, frames: dict[str, pl.DataFrame]) -> CycleData:
    empty = pl.DataFrame()
    return CycleData(
        claims=empty,
        lines=empty,
        history=empty,
        links=frames["links"],
        payees=with_eft_ready(frames["payees"]),
        ledger=frames["ledger"],
        refunds=frames["refunds"],
        max_payment_center_id=_scalar(conn, select(func.max(t.payment_center.c.payment_center_id))),
        max_ledger_id=_scalar(
            conn, select(func.max(t.over_and_under_payment.c.over_and_under_payment_id))
        ),
        max_check_number=_max_check(conn, cfg),
        payer_ready=_scalar(conn, _payer_ready_query(cfg)) > 0,
    )


def _with_claim_frames(lookups: CycleData, frames: dict[str, pl.DataFrame]) -> CycleData:
    return replace(
        lookups,
        claims=frames["claims"].sort("claim_core_id"),  # byte order, whatever the collation
        lines=frames["lines"],
        history=frames["history"],
        history_claims=_latest_history_claims(frames["history_claims"], frames["history_lines"]),
    )


LARGE_CYCLE_CLAIMS = 50_000  # from here on, SQLite reader processes pay for their start-up


def _is_large(conn: Connection, cfg: RunConfig) -> bool:
    return cycle_size(conn, cfg) >= LARGE_CYCLE_CLAIMS


def cycle_size(conn: Connection, cfg: RunConfig) -> int:
    """The claims assigned to the event (an upper bound of the cycle's)."""
    c = t.claim_fin_core
    return _scalar(conn, select(func.count()).where(c.c.payment_event_id == cfg.payment_event_id))


def _scalar(conn: Connection, query: Select[Any]) -> int:
    value = conn.execute(query).scalar()
    return int(value or 0)


def _history_query(cfg: RunConfig, part: Part | None = None) -> FrameQuery:
    h, r, c = t.claim_fin_core.alias("h"), t.claim_result, t.claim_fin_core
    chains = select(c.c.parent_claim_core_id).where(c.c.payment_event_id == cfg.payment_event_id)
    paid = func.coalesce(r.c.net, h.c.paid_amount, literal(0))
    query = (
        select(h.c.parent_claim_core_id, func.sum(paid), func.count())
        .select_from(
            h.outerjoin(r, and_(r.c.claim_core_id == h.c.claim_core_id, r.c.outcome == col.PAID))
        )
        .where(or_(h.c.status == "Paid", r.c.claim_core_id.is_not(None)))
        .where(h.c.parent_claim_core_id.in_(chains), _in_part(h.c.parent_claim_core_id, part))
        .group_by(h.c.parent_claim_core_id)
    )
    return query, {"parent_claim_core_id": STR, "paid_history": I64, "paid_count": I64}


def _history_candidates(cfg: RunConfig, part: Part | None = None) -> Select[Any]:
    """The claims paid outside the cycle (imported Paid, or paid by a Final Run) of the chains of
    the cycle's replacements and voids: the claims their 835 reversals may reverse."""
    h, r, c = t.claim_fin_core.alias("h"), t.claim_result, t.claim_fin_core
    chains = select(c.c.parent_claim_core_id).where(
        in_cycle(cfg), or_(c.c.frequency_code == "7", c.c.frequency_code == "8")
    )
    return (
        select(*(h.c[n] for n in _HISTORY_CLAIM))
        .select_from(
            h.outerjoin(r, and_(r.c.claim_core_id == h.c.claim_core_id, r.c.outcome == col.PAID))
        )
        .where(or_(h.c.status == "Paid", r.c.claim_core_id.is_not(None)))
        .where(h.c.parent_claim_core_id.in_(chains), _in_part(h.c.parent_claim_core_id, part))
    )


_HISTORY_CLAIM = (
    "parent_claim_core_id",
    "claim_core_id",
    "frequency_code",
    "received_date",
    "tax_id",
    "npi",
    "member_id",
)


def _history_claims_query(cfg: RunConfig, part: Part | None = None) -> FrameQuery:
    return _history_candidates(cfg, part), table_schema(t.claim_fin_core, _HISTORY_CLAIM)


def _history_lines_query(cfg: RunConfig, part: Part | None = None) -> FrameQuery:
    sl = t.service_line
    ids = _history_candidates(cfg, part).subquery("history_candidates")
    query = select(*(sl.c[n] for n in col.LINE_INPUT)).where(
        sl.c.claim_core_id.in_(select(ids.c.claim_core_id))
    )
    return query, table_schema(sl, col.LINE_INPUT)


def _latest_history_claims(claims: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
    """Per chain, its latest claim paid outside the cycle (ReceivedDate, ClaimCore_ID) with what
    that claim's own lines pay (`payable`, 0 without lines), as outputs.gather finds it."""
    pays = (
        line_payables(lines).group_by("claim_core_id").agg(pl.col(col.PAYABLE).sum().cast(pl.Int64))
    )
    latest = claims.sort(
        "parent_claim_core_id", "received_date", "claim_core_id", nulls_last=False
    ).unique("parent_claim_core_id", keep="last", maintain_order=True)
    return latest.join(pays, on="claim_core_id", how="left").with_columns(
        pl.col(col.PAYABLE).fill_null(0)
    )


def _links_query(cfg: RunConfig) -> FrameQuery:
    c, v = t.claim_fin_core, t.claim_fin_core.alias("v")
    named = select(c.c.void_claim_core_id).where(
        c.c.payment_event_id == cfg.payment_event_id, c.c.void_claim_core_id.is_not(None)
    )
    query = select(v.c.claim_core_id, v.c.parent_claim_core_id, v.c.frequency_code).where(
        v.c.claim_core_id.in_(named)
    )
    return query, {"claim_core_id": STR, "parent_claim_core_id": STR, "frequency_code": STR}


def _payees_query(cfg: RunConfig) -> FrameQuery:
    """Existing payees of the event's type; `mailing_ready` (1/0): a check can be mailed to it
    (name and a whole address). Names and addresses themselves (PHI for members) stay stored."""
    pc = t.payment_center
    names = ("payment_center_id", "payee_key", "contract_type", "payment_method")
    mailing = ("vendor_name", "address_line1", "address_city", "address_state", "address_zip")
    ready = case(
        (and_(*(func.coalesce(func.trim(pc.c[n]), "") != "" for n in mailing)), 1), else_=0
    )
    query = select(
        *(pc.c[n] for n in names),
        ready.label("mailing_ready"),
        *_output_flags(pc),
        pc.c.bank_routing_number,  # checked in Polars (with_eft_ready), then dropped
    ).where(pc.c.payment_center_type == cfg.payee_type)
    flags = {"account_ready": I64, "remit_ready": I64, "bank_routing_number": STR}
    return query, {**table_schema(pc, names), "mailing_ready": I64, **flags}


def _filled(column: ColumnElement[Any]) -> ColumnElement[bool]:
    return func.coalesce(func.trim(column), "") != ""


def _output_flags(pc: Table) -> list[ColumnElement[Any]]:
    """`account_ready` (1/0): an account number and an account type C or S; `remit_ready`: a
    name and an NPI for the 835's N1*PE. The numbers themselves stay stored."""
    account = and_(
        _filled(pc.c.bank_account_number),
        or_(pc.c.bank_account_type == "C", pc.c.bank_account_type == "S"),
    )
    named = and_(_filled(pc.c.vendor_name), _filled(pc.c.npi))
    return [
        case((account, 1), else_=0).label("account_ready"),
        case((named, 1), else_=0).label("remit_ready"),
    ]


def routing_valid_expr(routing: pl.Expr) -> pl.Expr:
    """`domain.identifiers.routing_number_valid` over a column: 9 ASCII digits whose 3-7-1
    weighted sum is a multiple of 10 (null → False)."""
    digits = pl.when(routing.str.contains(r"^[0-9]{9}$")).then(routing)
    total = pl.sum_horizontal(
        digits.str.slice(i, 1).cast(pl.Int64) * w for i, w in enumerate((3, 7, 1) * 3)
    )
    return (digits.is_not_null() & (total % 10 == 0)).fill_null(False)


def with_eft_ready(payees: pl.DataFrame) -> pl.DataFrame:
    """`eft_ready` (1/0) = routing passes the ABA check and `account_ready`; the routing number
    leaves the frame."""
    ready = routing_valid_expr(pl.col("bank_routing_number")) & (pl.col("account_ready") == 1)
    return payees.with_columns(eft_ready=ready.cast(pl.Int64)).drop(
        "bank_routing_number", "account_ready"
    )


def _payer_ready_query(cfg: RunConfig) -> Select[Any]:
    """1 when the event's funding source names a payer with a legal name, a TIN, a whole
    address and an EDI contact number (phone, e-mail or URL)."""
    fs, p = t.funding_source, t.payer
    needed = [p.c[n] for n in ("legal_name", "tin", *(f"address_{x}" for x in _MAILING_PARTS))]
    contact = or_(*(_filled(p.c[f"edi_contact_{c}"]) for c in ("phone", "email", "url")))
    return (
        select(func.count())
        .select_from(fs.join(p, p.c.payer_id == fs.c.payer_id))
        .where(fs.c.funding_source_id == cfg.funding_source_id, *map(_filled, needed), contact)
    )


_MAILING_PARTS = ("line1", "city", "state", "zip")


def _applied(group_col: str) -> Select[tuple[object, int]]:
    a = t.over_and_under_payment_application
    return select(a.c[group_col].label("ref"), func.sum(a.c.amount).label("applied")).group_by(
        a.c[group_col]
    )


def _ledger_query(cfg: RunConfig) -> FrameQuery:
    ou, pc = t.over_and_under_payment, t.payment_center
    applied = _applied("over_and_under_payment_id").subquery()
    remaining = ou.c.opening_remaining_amount - func.coalesce(applied.c.applied, 0)
    query = (
        select(
            ou.c.over_and_under_payment_id,
            ou.c.payment_center_id,
            ou.c.type,
            ou.c.created_date,
            ou.c.claim_chain_id,
            remaining.label("remaining"),
        )
        .join(pc, pc.c.payment_center_id == ou.c.payment_center_id)
        .outerjoin(applied, applied.c.ref == ou.c.over_and_under_payment_id)
        .where(pc.c.payment_center_type == cfg.payee_type, remaining > 0)
    )
    schema = {
        "over_and_under_payment_id": I64,
        "payment_center_id": I64,
        "type": STR,
        "created_date": DATE,
        "claim_chain_id": STR,
        "remaining": I64,
    }
    return query, schema


def _refunds_query() -> FrameQuery:
    rf, c = t.refund, t.claim_fin_core
    applied = _applied("refund_id").subquery()
    remaining = rf.c.amount - rf.c.opening_applied_amount - func.coalesce(applied.c.applied, 0)
    query = (
        select(
            rf.c.refund_id,
            rf.c.original_claim_core_id,
            rf.c.received_date,
            remaining.label("remaining"),
            c.c.parent_claim_core_id,
            c.c.tax_id,
            c.c.npi,
            c.c.member_id,
        )
        .outerjoin(c, c.c.claim_core_id == rf.c.original_claim_core_id)
        .outerjoin(applied, applied.c.ref == rf.c.refund_id)
        .where(remaining > 0)
    )
    schema = {
        "refund_id": STR,
        "original_claim_core_id": STR,
        "received_date": DATE,
        "remaining": I64,
        "parent_claim_core_id": STR,
        "tax_id": STR,
        "npi": STR,
        "member_id": STR,
    }
    return query, schema


def _max_check(conn: Connection, cfg: RunConfig) -> int:
    pr, ev = t.payment_register, t.payment_event
    query = (
        select(func.max(func.cast(pr.c.check_number, BigInteger)))
        .join(ev, ev.c.payment_event_id == pr.c.payment_event_id)
        .where(ev.c.funding_source_id == cfg.funding_source_id)
    )
    return _scalar(conn, query)
