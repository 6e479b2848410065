"""The OpenAPI document: FastAPI's, plus the two bodies `POST /claims` accepts.

`POST /claims` parses its own body (JSON or CSV, field names spelled any way), so FastAPI cannot
infer it; `CLAIM_REQUEST_BODY` documents both media types with examples, and `install_openapi`
adds the `ClaimIn` schemas it refers to.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from paymentprocess.api.schemas import ClaimIn

CSV_EXAMPLE = (
    'service date,"submitted procedure",quadrant,"Plan/Group #",Subscriber#,"Provider NPI",'
    '"provider fees","Allowed fees","member coinsurance","member copay"\n'
    "3/28/18 0:00,D0180,,GRP-1000,3730189502,1497775530,$100.00 ,$100.00 ,$0.00 ,$0.00 \n"
    "3/28/18 0:00,D4346,,GRP-1000,3730189502,1497775530,$130.00 ,$65.00 ,$16.25 ,$0.00 \n"
)

CLAIM_REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "description": (
        "One claim: JSON with `lines`, or the CSV of claim_1234.csv (one row per service line). "
        "Field names match whatever their case, spaces or punctuation."
    ),
    "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/ClaimIn"}},
        "text/csv": {"schema": {"type": "string"}, "example": CSV_EXAMPLE},
    },
}


def install_openapi(app: FastAPI) -> None:
    """Make `app.openapi()` include the intake body schemas (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            schema = ClaimIn.model_json_schema(ref_template="#/components/schemas/{model}")
            components = document.setdefault("components", {}).setdefault("schemas", {})
            components.update(schema.pop("$defs", {}))
            components["ClaimIn"] = schema
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
