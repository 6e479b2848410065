"""`/payment-events/{id}/outputs`: issue the payment files of a Final Run, list them, download one.

The files go under the `PAYMENT_OUTPUT_DIR` directory (default `outputs`), exactly as
`paymentprocess outputs -p ID --out DIR` writes them (outputs.issue): the first request issues
them, later requests regenerate the same bytes, and data changed since issue answers 409
OUTPUT_DRIFT with nothing written. A download serves the issued bytes only after checking them
against the SHA-256 recorded at issue.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path as FsPath
from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from paymentprocess.api.deps import EngineDep, ReadPrincipal, SettingsDep, WritePrincipal
from paymentprocess.api.schemas import ErrorBody
from paymentprocess.outputs.issue import x12_settings
from paymentprocess.service import payment_files

router = APIRouter(prefix="/payment-events", tags=["payment outputs"])
EventId = Annotated[str, Path(min_length=1, max_length=64)]
ERRORS: dict[int | str, dict[str, Any]] = {
    c: {"model": ErrorBody} for c in (400, 401, 403, 404, 409, 422)
}


class OutputRequest(BaseModel):
    fhir: bool = False  # also FHIR R4 PaymentReconciliation NDJSON (kept once issued)


class OutputFile(BaseModel):
    output_file_id: int
    kind: str
    scope: str | None
    file_name: str
    sha256: str
    size: int
    status: str


@router.post(
    "/{payment_event_id}/outputs",
    response_model=list[OutputFile],
    summary="Issue (or regenerate) the payment files of a Final Run",
    responses=ERRORS,
)
async def post_outputs(
    engine: EngineDep,
    settings: SettingsDep,
    principal: WritePrincipal,
    payment_event_id: EventId,
    body: OutputRequest | None = None,
) -> list[dict[str, Any]]:
    fhir = body.fhir if body is not None else False
    x12 = x12_settings(settings)  # PAYMENT_OTHER_ADJUSTMENT_CAS, as the CLI reads it
    await run_in_threadpool(
        partial(
            payment_files.generate_outputs,
            engine,
            payment_event_id,
            settings.output_dir,
            principal=principal,
            fhir=fhir,
            x12=x12,
        )
    )
    return payment_files.list_files(engine, payment_event_id, principal=principal)


@router.get(
    "/{payment_event_id}/outputs",
    response_model=list[OutputFile],
    summary="The issued payment files of an event",
    responses=ERRORS,
)
def list_outputs(
    engine: EngineDep, principal: ReadPrincipal, payment_event_id: EventId
) -> list[dict[str, Any]]:
    return payment_files.list_files(engine, payment_event_id, principal=principal)


@router.get(
    "/{payment_event_id}/outputs/{output_file_id}",
    summary="Download one issued file (bytes checked against its recorded SHA-256)",
    responses={200: {"content": {"application/octet-stream": {}}}, **ERRORS},
)
def download_output(
    engine: EngineDep,
    settings: SettingsDep,
    principal: WritePrincipal,
    payment_event_id: EventId,
    output_file_id: Annotated[int, Path(ge=1, le=2**62)],
) -> Response:
    got = payment_files.download(
        engine, payment_event_id, output_file_id, FsPath(settings.output_dir), principal=principal
    )
    return Response(
        got.content,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{got.file_name}"'},
    )
