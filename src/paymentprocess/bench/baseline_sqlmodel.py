"""The baseline for `bench intake`: claim intake written the typical FastAPI + SQLModel way.

Same endpoint shape as the product (`POST /claims` with `{"claim_reference", "provider_tin",
"lines": [...]}` → 201 with the stored claim and its net fee; `GET /health`), the same writes
(claim, lines, provider aggregate, outbox event, one transaction) and comparable checks (pydantic
models: procedure starts with D, ten-digit NPI, non-negative amounts with at most two decimals,
a unique claim reference) — but done the way tutorials show it: a synchronous endpoint in the
thread pool, a `Session` per request, one ORM object added per claim, per line, per aggregate
and per outbox row, the aggregate read and updated through the ORM, then `commit` and `refresh`.
It is a measuring stick, not product code, and uses its own `baseline_*` tables. Run it with
`python -m paymentprocess.bench.baseline_sqlmodel --db-uri URI --port P --workers N`.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated

import uvicorn
from fastapi import Depends, FastAPI, HTTPException
from pydantic import field_validator
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, create_engine
from uvicorn.supervisors import Multiprocess

from paymentprocess.storage.database import sqlalchemy_url

DB_ENV = "PAYMENT_BASELINE_DB_URI"
Money = Annotated[Decimal, Field(ge=0, le=10_000_000, max_digits=12, decimal_places=2)]


class BaselineClaim(SQLModel, table=True):
    __tablename__ = "baseline_claim"
    id: int | None = Field(default=None, primary_key=True)
    claim_reference: str | None = Field(default=None, unique=True)
    provider_tin: str | None = None
    provider_npi: str = Field(index=True)
    plan_group: str
    subscriber_number: str
    service_begin_date: date
    service_end_date: date
    net_fee: Decimal = Field(max_digits=14, decimal_places=2)
    created_at: datetime


class BaselineLine(SQLModel, table=True):
    __tablename__ = "baseline_line"
    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="baseline_claim.id", index=True)
    line_number: int
    service_date: date
    submitted_procedure: str
    quadrant: str | None = None
    provider_fees: Decimal = Field(max_digits=12, decimal_places=2)
    allowed_fees: Decimal = Field(max_digits=12, decimal_places=2)
    member_coinsurance: Decimal = Field(max_digits=12, decimal_places=2)
    member_copay: Decimal = Field(max_digits=12, decimal_places=2)
    net_fee: Decimal = Field(max_digits=14, decimal_places=2)


class BaselineProvider(SQLModel, table=True):
    __tablename__ = "baseline_provider"
    provider_npi: str = Field(primary_key=True)
    claim_count: int
    total_net_fee: Decimal = Field(max_digits=16, decimal_places=2)


class BaselineOutbox(SQLModel, table=True):
    __tablename__ = "baseline_outbox"
    id: int | None = Field(default=None, primary_key=True)
    topic: str
    payload: str
    created_at: datetime


class LineIn(SQLModel):
    service_date: date
    submitted_procedure: str = Field(regex=r"^[Dd][A-Za-z0-9]{1,15}$")
    quadrant: str | None = None
    plan_group: str = Field(min_length=1, max_length=64)
    subscriber_number: str = Field(min_length=1, max_length=64)
    provider_npi: str = Field(regex=r"^\d{10}$")
    provider_fees: Money
    allowed_fees: Money
    member_coinsurance: Money
    member_copay: Money

    @field_validator("submitted_procedure")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()


class ClaimIn(SQLModel):
    claim_reference: str | None = Field(default=None, max_length=128)
    provider_tin: str | None = Field(default=None, regex=r"^\d{9}$")
    lines: list[LineIn] = Field(min_length=1, max_length=200)


def create_app(engine: Engine) -> FastAPI:
    app = FastAPI(title="baseline claims (FastAPI + SQLModel)")

    def get_session() -> Iterator[Session]:
        with Session(engine) as session:
            yield session

    @app.get("/health")
    def health(session: Annotated[Session, Depends(get_session)]) -> dict[str, str]:
        session.exec(text("SELECT 1"))  # type: ignore[call-overload]
        return {"status": "ok"}

    @app.post("/claims", status_code=201)
    def create_claim(
        claim: ClaimIn, session: Annotated[Session, Depends(get_session)]
    ) -> dict[str, object]:
        first = claim.lines[0]
        nets = [
            ln.provider_fees + ln.member_coinsurance + ln.member_copay - ln.allowed_fees
            for ln in claim.lines
        ]
        now = datetime.now(UTC).replace(tzinfo=None)
        row = BaselineClaim(
            claim_reference=claim.claim_reference, provider_tin=claim.provider_tin,
            provider_npi=first.provider_npi, plan_group=first.plan_group,
            subscriber_number=first.subscriber_number,
            service_begin_date=min(ln.service_date for ln in claim.lines),
            service_end_date=max(ln.service_date for ln in claim.lines),
            net_fee=sum(nets, Decimal(0)), created_at=now,
        )  # fmt: skip
        session.add(row)
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            raise HTTPException(409, "claim_reference already used") from None
        assert row.id is not None
        for number, (ln, net) in enumerate(zip(claim.lines, nets, strict=True), start=1):
            data = ln.model_dump(exclude={"plan_group", "subscriber_number", "provider_npi"})
            session.add(BaselineLine(claim_id=row.id, line_number=number, net_fee=net, **data))
        provider = session.get(BaselineProvider, first.provider_npi)
        if provider is None:
            provider = BaselineProvider(
                provider_npi=first.provider_npi, claim_count=0, total_net_fee=Decimal(0)
            )
        provider.claim_count += 1
        provider.total_net_fee += row.net_fee
        session.add(provider)
        payload = {
            "claim_id": row.id,
            "provider_npi": row.provider_npi,
            "net_fee": str(row.net_fee),
        }
        session.add(
            BaselineOutbox(topic="claim.created", payload=json.dumps(payload), created_at=now)
        )
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            raise HTTPException(409, "conflict, retry") from None
        session.refresh(row)
        return {
            **row.model_dump(mode="json"),
            "lines": [ln.model_dump(mode="json") for ln in claim.lines],
        }

    return app


def make_engine(db_uri: str) -> Engine:
    url = sqlalchemy_url(db_uri)
    if url.startswith("sqlite"):
        return create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
    return create_engine(url)


def app_from_env() -> FastAPI:
    return create_app(make_engine(os.environ[DB_ENV]))


def _tcp_socket(host: str, port: int) -> socket.socket:
    """A listening socket marked IPPROTO_TCP, so that every worker sets TCP_NODELAY."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="the FastAPI + SQLModel baseline intake app")
    parser.add_argument("--db-uri", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    engine = make_engine(args.db_uri)
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    os.environ[DB_ENV] = args.db_uri
    config = uvicorn.Config(
        "paymentprocess.bench.baseline_sqlmodel:app_from_env", factory=True, host=args.host,
        port=args.port, workers=args.workers, access_log=False, log_level="warning",
    )  # fmt: skip
    sock = _tcp_socket(args.host, args.port)
    if args.workers > 1:
        Multiprocess(config, sockets=[sock]).run()
    else:
        uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
