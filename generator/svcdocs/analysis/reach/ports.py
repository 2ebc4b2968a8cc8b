"""Connections: which ports of which protocols, as netpol-analyzer writes them.

A `Conn` is a tuple of three port sets, one per protocol in PROTOCOLS order
(SCTP, TCP, UDP). `ALL` is every port of every protocol ("All Connections");
`NONE` is nothing.
"""

from __future__ import annotations

from functools import lru_cache

from svcdocs.analysis.reach import intervals
from svcdocs.analysis.reach.intervals import Intervals

PROTOCOLS = ("SCTP", "TCP", "UDP")
INDEX = {p: i for i, p in enumerate(PROTOCOLS)}
MIN_PORT, MAX_PORT = 1, 65535
EVERY_PORT: Intervals = ((MIN_PORT, MAX_PORT),)
Conn = tuple[Intervals, Intervals, Intervals]
ALL: Conn = (EVERY_PORT, EVERY_PORT, EVERY_PORT)
NONE: Conn = ((), (), ())


def conn(protocol: str, low: int = MIN_PORT, high: int | None = None) -> Conn:
    """Ports `low`-`high` (one port when `high` is None) of one protocol; NONE
    for a protocol NetworkPolicy does not know or ports outside 1-65535."""
    high = low if high is None else high
    if protocol not in INDEX or low < MIN_PORT or high > MAX_PORT or high < low:
        return NONE
    found: list[Intervals] = [(), (), ()]
    found[INDEX[protocol]] = ((low, high),)
    return tuple(found)  # type: ignore[return-value]


def every_port(protocol: str) -> Conn:
    return conn(protocol, MIN_PORT, MAX_PORT)


@lru_cache(maxsize=65536)
def union(a: Conn, b: Conn) -> Conn:
    if a is NONE or a == NONE or a == b:
        return b
    if b == NONE:
        return a
    return tuple(intervals.union(x, y) for x, y in zip(a, b))  # type: ignore[return-value]


@lru_cache(maxsize=65536)
def intersection(a: Conn, b: Conn) -> Conn:
    if a == ALL:
        return b
    if b == ALL or a == b:
        return a
    return tuple(intervals.intersection(x, y) for x, y in zip(a, b))  # type: ignore[return-value]


@lru_cache(maxsize=65536)
def difference(a: Conn, b: Conn) -> Conn:
    return tuple(intervals.difference(x, y) for x, y in zip(a, b))  # type: ignore[return-value]


def empty(c: Conn) -> bool:
    return not (c[0] or c[1] or c[2])


def allows(c: Conn, protocol: str, port: int) -> bool:
    return protocol in INDEX and intervals.contains(c[INDEX[protocol]], port)


def union_all(conns) -> Conn:
    found = NONE
    for c in conns:
        found = union(found, c)
    return found


@lru_cache(maxsize=16384)
def text(c: Conn) -> str:
    """`All Connections`, or `TCP 8080,9090,UDP 53`: protocols in alphabetical
    order, each with its ports ascending; empty: `No Connections`."""
    if c == ALL:
        return "All Connections"
    parts = []
    for protocol, ports in zip(PROTOCOLS, c):
        if ports:
            parts.append(protocol + " " + ",".join(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in ports))
    return ",".join(parts) or "No Connections"
