"""The loaded cycle: the frames the `load` stage reads and every computing stage and rule reads.

Column names are in `domain.columns`; money is Int64 cents.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl


@dataclass
class CycleData:
    """Everything the computing stages read, as frames."""

    claims: pl.DataFrame
    lines: pl.DataFrame
    history: pl.DataFrame  # parent_claim_core_id, paid_history, paid_count
    links: pl.DataFrame  # claim_core_id, parent_claim_core_id, frequency_code of linked voids
    payees: pl.DataFrame  # payment_center_id, payee_key, contract_type, payment_method
    ledger: pl.DataFrame  # open records
    refunds: pl.DataFrame  # open refunds
    max_payment_center_id: int
    max_ledger_id: int
    max_check_number: int
    # the event's funding source names a payer with what every 835 needs (REMIT_DATA_MISSING)
    payer_ready: bool = True
    # per chain of the cycle's 7/8 claims, its latest claim paid outside the cycle:
    # parent_claim_core_id, claim_core_id, frequency_code, received_date, tax_id, npi, member_id,
    # payable (Σ its own lines' payables) — REMIT_PAYEE_CHANGED, REMIT_HISTORY_MISMATCH
    history_claims: pl.DataFrame = field(default_factory=pl.DataFrame)
