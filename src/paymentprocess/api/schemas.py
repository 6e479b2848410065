"""The API's documented shapes (pydantic): requests, responses, errors, with OpenAPI examples.

Claims are answered from JSON-ready documents built by `service.claims.write`; these models
describe them for `/docs` and for schema checks (amounts are strings with two decimals, dates ISO,
timestamps UTC). `ClaimIn` documents the JSON intake body; the service itself parses the body so
that field names may be spelled any way (`Provider NPI`, `provider_npi`, ...).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MoneyText = Annotated[str, Field(pattern=r"^-?\d+\.\d{2}$", examples=["81.25"])]
AmountIn = Annotated[Decimal | str, Field(examples=["130.00", "$16.25 "])]


class ErrorItem(BaseModel):
    line: int | None = Field(description="1-based service line, null for the claim or request")
    field: str | None = Field(description="the field, header, query or path parameter at fault")
    message: str


class ErrorBody(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "detail": [
                        {"line": 2, "field": "provider_npi", "message": "must be exactly 10 digits"}
                    ]
                }
            ]
        }
    )
    detail: list[ErrorItem]


class ClaimLineIn(BaseModel):
    model_config = ConfigDict(extra="allow")
    service_date: str = Field(examples=["2018-03-28", "3/28/18 0:00"])
    submitted_procedure: str = Field(examples=["D4346"], description="begins with D")
    quadrant: str | None = Field(None, examples=["UR"])
    plan_group: str = Field(examples=["GRP-1000"], description="also spelled `Plan/Group #`")
    subscriber_number: str = Field(examples=["3730189502"], description="also `Subscriber#`")
    provider_npi: str = Field(
        examples=["1497775530"],
        description="exactly 10 digits; the line's own (rendering) provider, lines may differ",
    )
    provider_fees: AmountIn
    allowed_fees: AmountIn
    member_coinsurance: AmountIn
    member_copay: AmountIn
    line_item_control_number: str | None = Field(
        None, max_length=50, examples=["LN-0001"], description="optional: the 835's REF*6R"
    )
    modifiers: list[str] | str | None = Field(
        None,
        examples=[["25", "59"], "25:59"],
        description="optional: at most 4 procedure modifiers of 2 letters or digits, a list or "
        "a text with ':', ',' or spaces between them; stored upper case",
    )


class ClaimIn(BaseModel):
    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "claim_reference": "claim_1234",
                    "provider_tin": "123456789",
                    "lines": [
                        {
                            "service_date": "2018-03-28",
                            "submitted_procedure": "D4346",
                            "quadrant": None,
                            "plan_group": "GRP-1000",
                            "subscriber_number": "3730189502",
                            "provider_npi": "1497775530",
                            "provider_fees": "130.00",
                            "allowed_fees": "65.00",
                            "member_coinsurance": "16.25",
                            "member_copay": "0.00",
                        }
                    ],
                }
            ]
        },
    )
    claim_reference: str | None = Field(None, description="unique when given")
    provider_tin: str | None = Field(None, description="9 digits, optional")
    billing_provider_npi: str | None = Field(
        None,
        examples=["1497775530"],
        description="10 digits, optional: the claim's billing provider (default: line 1's NPI)",
    )
    patient_control_number: str | None = Field(
        None, max_length=38, examples=["ACCT-55012"], description="optional: the 835's CLP01"
    )
    patient_first_name: str | None = Field(None, max_length=35, description="optional: NM1*QC")
    patient_last_name: str | None = Field(None, max_length=60, description="optional: NM1*QC")
    lines: list[ClaimLineIn] = Field(min_length=1, max_length=200)


_ONLY_WHEN_SET = "present only when stored"


class ClaimLineOut(BaseModel):
    line_number: int
    service_date: date | None
    submitted_procedure: str | None
    quadrant: str | None
    provider_npi: str | None = Field(description="the line's own provider NPI")
    provider_fees: MoneyText
    allowed_fees: MoneyText
    member_coinsurance: MoneyText
    member_copay: MoneyText
    net_fee: MoneyText = Field(
        description="provider_fees + member_coinsurance + member_copay − allowed_fees"
    )
    line_item_control_number: str | None = Field(None, description=_ONLY_WHEN_SET)
    modifiers: list[str] | None = Field(None, description=_ONLY_WHEN_SET)


class ClaimOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "claim_id": "01J9Z6Q8X4V3T2S1R0P9N8M7K6",
                    "claim_reference": "claim_1234",
                    "status": "Unpaid",
                    "provider_npi": "1497775530",
                    "provider_tin": None,
                    "plan_group": "GRP-1000",
                    "subscriber_number": "3730189502",
                    "received_date": "2024-10-01",
                    "service_begin_date": "2018-03-28",
                    "service_end_date": "2018-03-28",
                    "created_at": "2024-10-01T12:00:00.000000Z",
                    "provider_fees": "516.00",
                    "allowed_fees": "451.00",
                    "member_coinsurance": "51.85",
                    "member_copay": "0.00",
                    "net_fee": "116.85",
                    "lines": [],
                }
            ]
        }
    )
    claim_id: str
    claim_reference: str | None
    status: str = Field(description="Unpaid, or Paid once a Final Run paid it")
    provider_npi: str | None = Field(description="the billing provider's NPI")
    provider_tin: str | None
    plan_group: str | None
    subscriber_number: str | None
    received_date: date | None
    service_begin_date: date | None
    service_end_date: date | None
    created_at: datetime | None
    provider_fees: MoneyText | None
    allowed_fees: MoneyText | None
    member_coinsurance: MoneyText | None
    member_copay: MoneyText | None
    net_fee: MoneyText
    patient_control_number: str | None = Field(None, description=_ONLY_WHEN_SET)
    patient_first_name: str | None = Field(None, description=_ONLY_WHEN_SET)
    patient_last_name: str | None = Field(None, description=_ONLY_WHEN_SET)
    lines: list[ClaimLineOut]


class ClaimPage(BaseModel):
    total: int = Field(description="exact number of matching claims")
    limit: int
    claims: list[ClaimOut]
    next_cursor: str | None
    prev_cursor: str | None


class TopProvider(BaseModel):
    rank: int
    provider_npi: str
    claim_count: int
    total_net_fee: MoneyText


class TopProviders(BaseModel):
    limit: int
    providers: list[TopProvider]


class OutboxHealth(BaseModel):
    unsent: int = Field(description="outbox events not yet confirmed by the broker")
    lag_seconds: float = Field(description="age of the oldest unsent event (0 when none)")


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    database: Literal["ok", "unreachable"]
    outbox: OutboxHealth | None = Field(
        None, description="the relays' backlog (docs/events.md); absent when the database is down"
    )


class PaymentEventIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "payment_event_id": "PE-2024-10",
                    "event_type": "Provider",
                    "payment_due_date": "2024-10-15",
                    "business_id": "B1",
                    "funding_source_id": "FS1",
                    "inclusion_criteria_id": None,
                }
            ]
        },
    )
    payment_event_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
    event_type: Literal["Provider", "DMR"]
    payment_due_date: date
    business_id: str | None = Field(None, max_length=64)
    funding_source_id: str = Field(min_length=1, max_length=64)
    inclusion_criteria_id: str | None = Field(None, max_length=64)


class RunRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"mode": "dry-run", "force": False}]}
    )
    mode: Literal["dry-run", "final"]
    force: bool = False


class RunJob(BaseModel):
    job_id: str
    payment_event_id: str
    mode: str
    state: Literal["queued", "running", "done", "failed"]
    exit_code: int | None
    run_id: int | None
    message: str | None
    created_at: datetime
    finished_at: datetime | None


class StatsRun(BaseModel):
    run_id: int
    mode: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    document: dict[str, Any] = Field(description="the PaymentEventStats document (SPEC §8)")


class EventStats(BaseModel):
    payment_event_id: str
    runs: list[StatsRun]
