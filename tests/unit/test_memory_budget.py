"""The memory budget's sizes and the partition count it asks for (domain.memory_budget)."""

from __future__ import annotations

import pytest

from paymentprocess.domain.memory_budget import (
    KEPT_BYTES_PER_CLAIM,
    MAX_PARTITIONS,
    PEAK_BYTES_PER_CLAIM,
    machine_default,
    parse_size,
    partitions_for,
)


@pytest.mark.parametrize(
    ("text", "size"),
    [("4GB", 4 << 30), ("512MB", 512 << 20), ("64kb", 64 << 10), ("1.5G", 3 << 29), ("1000", 1000)],
)
def test_sizes_read_with_their_units(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "lots", "4 GiB", "-1GB", "0"])
def test_a_bad_size_says_what_a_size_looks_like(text: str) -> None:
    with pytest.raises(ValueError, match=r"size such as 4GB|more than 0"):
        parse_size(text)


def test_a_cycle_that_fits_is_one_partition_and_a_larger_one_is_split_to_fit() -> None:
    budget = 4 << 30
    fits = budget // PEAK_BYTES_PER_CLAIM
    assert partitions_for(fits, budget) == 1
    ten_million = 10_000_000
    n = partitions_for(ten_million, budget)
    # the largest partition fits beside the kept rows of the whole cycle, and n is the fewest
    kept = ten_million * KEPT_BYTES_PER_CLAIM
    assert kept + ten_million * PEAK_BYTES_PER_CLAIM / n <= budget
    assert kept + ten_million * PEAK_BYTES_PER_CLAIM / (n - 1) > budget
    assert n == 9  # 24 GB of peak over the 2.8 GB left beside 1.5 GB of kept rows
    assert partitions_for(10**9, budget) == MAX_PARTITIONS  # the kept rows alone do not fit
    assert partitions_for(3, 1) == 3  # never more partitions than claims


def test_the_default_budget_is_half_the_machine() -> None:
    with open("/proc/meminfo") as meminfo:
        total_kb = int(meminfo.readline().split()[1])
    assert abs(machine_default() - total_kb * 1024 // 2) < 64 << 20
