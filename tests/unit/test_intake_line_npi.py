"""Intake claims whose lines name several providers (issue 11), as a property: whatever NPIs the
lines name, every one is kept per line, the billing provider is the explicit one or line 1's, and
what the claim adds to the top providers sums to its net fee, once per NPI."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from paymentprocess.service.claims.parse import parse_claim

POOL = ("1497775530", "1234567893", "1999999991", "1000000001")


@st.composite
def mixed_claims(draw: st.DrawFn) -> tuple[dict[str, Any], list[str], list[int], str | None]:
    n = draw(st.integers(1, 6))
    npis = [draw(st.sampled_from(POOL)) for _ in range(n)]
    nets: list[int] = []
    lines = []
    for npi in npis:
        allowed = draw(st.integers(0, 50_000))
        billed = allowed + draw(st.integers(0, 20_000))
        coins, copay = draw(st.integers(0, 5_000)), draw(st.integers(0, 5_000))
        nets.append(billed + coins + copay - allowed)
        lines.append(
            {
                "service_date": "2024-05-01",
                "submitted_procedure": "D0120",
                "plan_group": "G",
                "subscriber_number": "S1",
                # spelled with separators now and then: stored as digits
                "provider_npi": f"{npi[:4]}-{npi[4:]}" if draw(st.booleans()) else npi,
                "provider_fees": f"{billed // 100}.{billed % 100:02d}",
                "allowed_fees": f"{allowed // 100}.{allowed % 100:02d}",
                "member_coinsurance": f"{coins // 100}.{coins % 100:02d}",
                "member_copay": f"{copay // 100}.{copay % 100:02d}",
            }
        )
    billing = draw(st.none() | st.sampled_from(POOL))
    body: dict[str, Any] = {"lines": lines}
    if billing is not None:
        body["billing_provider_npi"] = billing
    return body, npis, nets, billing


@given(mixed_claims())
def test_lines_keep_their_npi_and_the_aggregate_adds_up(
    case: tuple[dict[str, Any], list[str], list[int], str | None],
) -> None:
    body, npis, nets, billing = case
    built = parse_claim(body)
    assert [line.provider_npi for line in built.lines] == npis
    assert built.provider_npi == (billing or npis[0])
    adds = built.line_npis()
    assert set(adds) == set(npis)
    assert all(count == 1 for count, _ in adds.values())
    assert {npi: net for npi, (_, net) in adds.items()} == {
        npi: sum(net for n, net in zip(npis, nets, strict=True) if n == npi) for npi in set(npis)
    }
    assert sum(net for _, net in adds.values()) == built.net_fee == sum(nets)
    # the same claim with its lines' NPIs moved to other lines is another content
    if len(set(npis)) > 1:
        moved = {**body, "lines": [dict(line) for line in body["lines"]]}
        for line, npi in zip(moved["lines"], npis[1:] + npis[:1], strict=True):
            line["provider_npi"] = npi
        if npis[1:] + npis[:1] != npis:
            other = parse_claim(moved)
            assert other.content_hash() != built.content_hash()
