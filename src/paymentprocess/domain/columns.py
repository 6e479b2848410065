"""The columns of the engine's frames, written down once.

Frames between stages: `claims` (one row per cycle claim), `lines` (one row per service line),
`payees` (one row per cycle payee), `ledger` (open carry-over records), `refunds` (open refunds).
Money is Int64 cents throughout; dates are pl.Date.
"""

from __future__ import annotations

from paymentprocess.domain.payee_result import STATS_NAMES

# a line's (and a claim header's) amounts; the member's share is what the allowed amount is
# reduced by: payable = max(0, allowed − Σ member share)
MEMBER_SHARE = (
    "deductible_amount",
    "coinsurance_amount",
    "copay_amount",
    "other_adjustment_amount",
)
MONEY = ("billed_amount", "allowed_amount", *MEMBER_SHARE)

# A claim's BillingProviderAddress in parts (given as an object, or parsed from its text on load);
# a payee a Final Run creates takes them as its Address, in this order: Line1, Line2, City, State, Zip.
BILLING_ADDRESS = tuple(
    f"billing_provider_address_{part}" for part in ("line1", "line2", "city", "state", "zip")
)
PAYEE_ADDRESS = ("address_line1", "address_line2", "address_city", "address_state", "address_zip")

CLAIM_INPUT = (
    "claim_core_id",
    "parent_claim_core_id",
    "frequency_code",
    "tax_id",
    "npi",
    "member_id",
    "billing_provider_name",
    "billing_provider_address",
    *BILLING_ADDRESS,
    "contract_type",
    "benefit_plan_id",
    "received_date",
    "service_begin_date",
    "service_end_date",
    "void_claim_core_id",
    "original_claim_core_id",
    "process_codes",
    *MONEY,
)
LINE_INPUT = ("claim_core_id", "line_number", "procedure_code", *MONEY)

# derived per claim
PAYEE_KEY = "payee_key"
PAYABLE = "payable"  # Final: Σ line payables; Dry Run: the header estimate
ESTIMATE = "estimate"
LINE_PAYABLE_SUM = "line_payable"
OUTCOME = "outcome"  # paid | held | excluded
HOLD_REASON = "hold_reason"
NET = "net"
INTEREST = "interest"

PAID, HELD, EXCLUDED = "paid", "held", "excluded"

# The payee-result columns of the stats document's payee rows (every field: domain.payee_result).
PAYEE_RESULT = STATS_NAMES
