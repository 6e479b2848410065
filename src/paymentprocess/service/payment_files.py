"""The payment files of a Final Run as a use case: issue, re-issue, list, download — each
checked against the role table and written to the audit log (docs/console.md, "The audit log").

The rendering, recording and checks are `outputs.issue`; this module adds who may (GENERATE_OUTPUTS
to issue or re-issue, DOWNLOAD_OUTPUTS to download, READ to list) and the audit rows (the files'
names and SHA-256 checksums, never their contents). The CLI's `outputs` commands and the API's
`/payment-events/{id}/outputs` routes call these.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from paymentprocess.domain.roles import Action
from paymentprocess.errors import NotFoundError, RunRefusedError
from paymentprocess.outputs import files
from paymentprocess.outputs.issue import OutputReport, issue_outputs, issued_files, reissue_outputs
from paymentprocess.service.access.authorize import require
from paymentprocess.service.access.principal import LOCAL, Principal
from paymentprocess.service.audit import record_now


def _files_detail(report: OutputReport) -> dict[str, Any]:
    return {
        "status": report.status,
        "files": [{"name": f.path, "sha256": files.sha256_hex(f.content)} for f in report.files],
    }


def generate_outputs(
    engine: Engine,
    event_id: str,
    out_dir: Path,
    *,
    principal: Principal = LOCAL,
    verify: bool = False,
    **options: Any,
) -> OutputReport:
    """`outputs.issue.issue_outputs` for a principal allowed GENERATE_OUTPUTS (READ to verify)."""
    require(principal, Action.READ if verify else Action.GENERATE_OUTPUTS)
    report = issue_outputs(engine, event_id, out_dir, verify=verify, **options)
    if not verify:
        record_now(
            engine, principal, "outputs_generated", event_id=event_id, detail=_files_detail(report)
        )
    return report


def reissue(
    engine: Engine,
    event_id: str,
    out_dir: Path,
    *,
    reason: str,
    principal: Principal = LOCAL,
    **options: Any,
) -> OutputReport:
    """`outputs.issue.reissue_outputs` for a principal allowed GENERATE_OUTPUTS."""
    require(principal, Action.GENERATE_OUTPUTS)
    report = reissue_outputs(engine, event_id, out_dir, reason=reason, **options)
    detail = {**_files_detail(report), "reason": reason}
    record_now(engine, principal, "outputs_reissued", event_id=event_id, detail=detail)
    return report


def list_files(
    engine: Engine, event_id: str, *, principal: Principal = LOCAL
) -> list[dict[str, Any]]:
    """The issued files of an event (READ)."""
    require(principal, Action.READ)
    return issued_files(engine, event_id)


@dataclass(frozen=True)
class Download:
    file_name: str
    content: bytes
    sha256: str


def download(
    engine: Engine,
    event_id: str,
    output_file_id: int,
    out_dir: Path,
    *,
    principal: Principal = LOCAL,
) -> Download:
    """One issued file's bytes, checked against the SHA-256 recorded at issue
    (DOWNLOAD_OUTPUTS); the download is written to the audit log."""
    require(principal, Action.DOWNLOAD_OUTPUTS)
    listed = {r["output_file_id"]: r for r in issued_files(engine, event_id)}
    row = listed.get(output_file_id)
    if row is None:
        raise NotFoundError(f"payment event {event_id!r} has no issued file {output_file_id}")
    path = Path(out_dir) / files.event_dir_name(event_id) / row["file_name"]
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        raise RunRefusedError(
            f"file {row['file_name']} of {event_id!r} is missing from the output "
            "directory; POST .../outputs writes it again"
        ) from None
    if files.sha256_hex(content) != row["sha256"]:
        raise RunRefusedError(
            f"file {row['file_name']} of {event_id!r} differs from what was issued; "
            "it is not served (POST .../outputs rewrites the issued bytes)"
        )
    record_now(
        engine,
        principal,
        "output_downloaded",
        event_id=event_id,
        detail={
            "output_file_id": output_file_id,
            "name": row["file_name"],
            "sha256": row["sha256"],
        },
    )
    return Download(Path(row["file_name"]).name, content, row["sha256"])
