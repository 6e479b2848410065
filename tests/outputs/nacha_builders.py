"""Small builders of NACHA inputs for the output tests (valid unless a test changes a field)."""

from __future__ import annotations

from datetime import date, datetime

from stdnum.us import rtn

from paymentprocess.outputs.nacha import (
    AchEntry,
    AchFileHeader,
    AchFileInput,
    AchOriginator,
    trn_segment,
)

PAYER_TIN = "987654321"
ODFI = "121000248"  # the funding account's bank
DESTINATION = "091000019"  # the ODFI's processing site given as immediate destination
THURSDAY = date(2026, 1, 15)
HEADER = AchFileHeader(
    immediate_destination=DESTINATION,
    immediate_destination_name="Wells Fargo",
    immediate_origin="1" + PAYER_TIN,
    immediate_origin_name="Acme Health Plan",
    created_at=datetime(2026, 1, 14, 16, 5),
    file_id_modifier="B",
)
ORIGINATOR = AchOriginator(
    company_name="Acme Health Plan", company_id="1" + PAYER_TIN, odfi_routing=ODFI
)


def aba(prefix8: str) -> str:
    """A routing number with the 8 digits `prefix8` and its ABA check digit (computed by stdnum)."""
    return prefix8 + rtn.calc_check_digit(prefix8)


def provider(
    pcid: int,
    amount: int,
    *,
    routing: str = "021000021",
    account_type: str = "C",
    trn02: str | None = None,
    name: str | None = None,
) -> AchEntry:
    return AchEntry(
        payment_id=f"PE-1:{pcid}",
        payment_center_id=pcid,
        payee_name=name or f"Provider {pcid}",
        rdfi_routing=routing,
        account_number=f"{700000 + pcid}",
        account_type=account_type,
        amount_cents=amount,
        kind="provider",
        trn_segment=trn_segment(trn02 or str(1000 + pcid), PAYER_TIN),
    )


def member(
    pcid: int, amount: int, *, routing: str = "026009593", account_type: str = "C"
) -> AchEntry:
    return AchEntry(
        payment_id=f"PE-1:{pcid}",
        payment_center_id=pcid,
        payee_name=f"Member {pcid}",
        rdfi_routing=routing,
        account_number=f"{900000 + pcid}",
        account_type=account_type,
        amount_cents=amount,
        kind="member",
    )


def spec(*entries: AchEntry, effective_date: date = THURSDAY) -> AchFileInput:
    return AchFileInput(HEADER, ORIGINATOR, effective_date, tuple(entries))
