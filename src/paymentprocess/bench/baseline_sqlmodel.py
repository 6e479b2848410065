"""The baseline for `bench intake`: claim intake written the typical FastAPI + SQLModel way.

Same endpoint shape as the product (`POST /claims` with `{"claim_reference", "provider_tin",
"lines": [...]}` → 201 with the stored claim and its net fee; `GET /health`), the same writes
(claim, lines, provider aggregate, outbox event, one transaction) and comparable checks (pydantic
models: procedure starts with D, ten-digit NPI, non-negative amounts with at most two decimals,
a unique claim reference) — but done the way tutorials show it: a synchronous endpoint in the
thread pool, a `Session` per request, one ORM object added per claim, per line, per aggregate
and per outbox row, the aggregate read and updated through the ORM, then `commit` and `refresh`.
It is a measuring stick, not product code, and uses its own `baseline_*` tables. Run it with
`python -m paymentprocess.bench.baseline_server --db-uri URI --port P --workers N`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request
from pydantic import field_validator
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, create_engine

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
    submitted_procedure: str = Field(min_length=2, max_length=16)
    quadrant: str | None = None
    plan_group: str = Field(min_length=1, max_length=64)
    subscriber_number: str = Field(min_length=1, max_length=64)
    provider_npi: str = Field(min_length=10, max_length=10)
    provider_fees: Money
    allowed_fees: Money
    member_coinsurance: Money
    member_copay: Money

    @field_validator("submitted_procedure")
    @classmethod
    def _procedure(cls, value: str) -> str:
        if not (value[:1] in "Dd" and value.isalnum()):
            raise ValueError("must begin with D")
        return value.upper()

    @field_validator("provider_npi")
    @classmethod
    def _npi(cls, value: str) -> str:
        if not value.isdigit():
            raise ValueError("must be 10 digits")
        return value


class ClaimIn(SQLModel):
    claim_reference: str | None = Field(default=None, max_length=128)
    provider_tin: str | None = Field(default=None, min_length=9, max_length=9)
    lines: list[LineIn] = Field(min_length=1, max_length=200)

    @field_validator("provider_tin")
    @classmethod
    def _tin(cls, value: str | None) -> str | None:
        if value is not None and not value.isdigit():
            raise ValueError("must be 9 digits")
        return value


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def create_app(engine: Engine) -> FastAPI:
    app = FastAPI(title="baseline claims (FastAPI + SQLModel)")
    app.state.engine = engine

    @app.get("/health")
    def health(session: SessionDep) -> dict[str, str]:
        session.exec(text("SELECT 1"))  # type: ignore[call-overload]
        return {"status": "ok"}

    @app.post("/claims", status_code=201)
    def create_claim(claim: ClaimIn, session: SessionDep) -> dict[str, object]:
        first = claim.lines[0]
        nets = [
            ln.provider_fees + ln.member_coinsurance + ln.member_copay - ln.allowed_fees
            for ln in claim.lines
        ]
        now = datetime.now(UTC)
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
