"""Sets of integers as sorted, disjoint, non-adjacent `(low, high)` ranges,
both ends included: ports 1-65535 and IP addresses alike."""

from __future__ import annotations

from functools import lru_cache

Intervals = tuple[tuple[int, int], ...]


def normal(ranges) -> Intervals:
    """Sorted and merged: overlapping and adjacent ranges become one."""
    merged: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1] + 1:
            if high > merged[-1][1]:
                merged[-1] = (merged[-1][0], high)
        else:
            merged.append((low, high))
    return tuple(merged)


@lru_cache(maxsize=65536)
def union(a: Intervals, b: Intervals) -> Intervals:
    if not a or a == b:
        return b
    if not b:
        return a
    return normal(a + b)


@lru_cache(maxsize=65536)
def intersection(a: Intervals, b: Intervals) -> Intervals:
    if not a or not b:
        return ()
    if a == b:
        return a
    found, i, j = [], 0, 0
    while i < len(a) and j < len(b):
        low, high = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if low <= high:
            found.append((low, high))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(found)


def difference(a: Intervals, b: Intervals) -> Intervals:
    found, j = [], 0
    for low, high in a:
        current = low
        while j < len(b) and b[j][1] < current:
            j += 1
        k = j
        while k < len(b) and b[k][0] <= high and current <= high:
            if b[k][0] > current:
                found.append((current, b[k][0] - 1))
            current = max(current, b[k][1] + 1)
            k += 1
        if current <= high:
            found.append((current, high))
    return tuple(found)


def contains(a: Intervals, value: int) -> bool:
    return any(low <= value <= high for low, high in a)


def size(a: Intervals) -> int:
    return sum(high - low + 1 for low, high in a)
