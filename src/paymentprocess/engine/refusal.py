"""When a run is refused: the one place that decides (docs/semantics.md, "When a Final Run is
refused").

`refuse_if_not_allowed` is called by the pipeline twice: right after the `config` stage (stage
checks) and, for a Final Run, once the claims are loaded (their fingerprint must be the one the
last Dry Run saw). A refusal is a `RunRefusedError`; its `exit_code` is 0 when there is nothing to
do ("already Final; nothing changed") and 1 otherwise. Nothing has been written when it is raised.
"""

from __future__ import annotations

from paymentprocess.domain.run_config import RunConfig
from paymentprocess.errors import RunRefusedError


def refuse_if_not_allowed(
    cfg: RunConfig,
    force: bool,
    claims_fingerprint: str | None = None,
    approved_fingerprint: str | None = None,
) -> None:
    """Raise RunRefusedError when the run may not go ahead; `claims_fingerprint` is None before
    the claims are read and the loaded claims' fingerprint after. `approved_fingerprint` (a
    Final Run under maker-checker) is the fingerprint the approval is bound to: the loaded
    claims must have it, and `force` does not replace that."""
    event = cfg.payment_event_id
    if cfg.mode == "dry-run":
        if cfg.stage == "Final":
            raise RunRefusedError(
                f"payment event {event} is already Final; a Dry Run would change nothing"
            )
        return
    if cfg.stage == "Final":
        raise RunRefusedError(
            f"payment event {event} is already Final; nothing changed", exit_code=0
        )
    if (
        approved_fingerprint is not None
        and claims_fingerprint is not None
        and claims_fingerprint != approved_fingerprint
    ):
        raise RunRefusedError(
            f"the claims of {event} changed since the approved Dry Run: the approval does not "
            "cover them (--force does not replace an approval); run a Dry Run again and request "
            "a new approval"
        )
    if force:
        return
    if cfg.stage != "DryRun":
        raise RunRefusedError(
            f"payment event {event} is at stage {cfg.stage!r}: run a Dry Run first (or --force)"
        )
    if not cfg.fingerprint:
        raise RunRefusedError(
            f"payment event {event} is at stage 'DryRun' but no Dry Run of it was done on this "
            "database (it has no claims fingerprint: was it loaded at stage DryRun?): "
            "run a Dry Run first (or --force)"
        )
    if claims_fingerprint is not None and claims_fingerprint != cfg.fingerprint:
        raise RunRefusedError(
            f"the claims of {event} changed since the last Dry Run: "
            "run a Dry Run again (or --force)"
        )
