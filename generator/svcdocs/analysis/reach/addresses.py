"""Addresses outside the cluster: IPv4 and IPv6 ranges, and the ipBlocks of
NetworkPolicies as sets of them.

Pods are never matched by an ipBlock (their addresses are not in the
manifests): an ipBlock stands for addresses outside the cluster, as
netpol-analyzer reads it. The address space is cut at every edge of every
ipBlock (`cidr` and `except`) into blocks that every ipBlock either covers or
misses whole, so that a connection is computed once per block.
"""

from __future__ import annotations

import bisect
import ipaddress
from dataclasses import dataclass

from svcdocs.analysis.reach import intervals
from svcdocs.analysis.reach.intervals import Intervals

FAMILIES = (4, 6)
TOP = {4: 2**32 - 1, 6: 2**128 - 1}


@dataclass(frozen=True, slots=True)
class Addresses:
    """A set of IPv4 and IPv6 addresses."""

    v4: Intervals = ()
    v6: Intervals = ()

    def family(self, version: int) -> Intervals:
        return self.v4 if version == 4 else self.v6

    @property
    def empty(self) -> bool:
        return not self.v4 and not self.v6


EVERYWHERE = Addresses(((0, TOP[4]),), ((0, TOP[6]),))
NOWHERE = Addresses()


def network(cidr: str) -> tuple[int, Intervals]:
    net = ipaddress.ip_network(cidr, strict=False)
    return net.version, ((int(net.network_address), int(net.broadcast_address)),)


def ip_block(cidr: str, excepts: tuple[str, ...] = ()) -> Addresses:
    """`cidr` minus its `except` ranges (ranges of the other family are ignored)."""
    version, block = network(cidr)
    for other in excepts:
        other_version, cut = network(other)
        if other_version == version:
            block = intervals.difference(block, cut)
    return Addresses(v4=block) if version == 4 else Addresses(v6=block)


def union(a: Addresses, b: Addresses) -> Addresses:
    return Addresses(intervals.union(a.v4, b.v4), intervals.union(a.v6, b.v6))


def intersection(a: Addresses, b: Addresses) -> Addresses:
    return Addresses(intervals.intersection(a.v4, b.v4), intervals.intersection(a.v6, b.v6))


def text(version: int, low: int, high: int) -> str:
    """`10.0.0.0-10.255.255.255`, as netpol-analyzer writes a range."""
    make = ipaddress.IPv4Address if version == 4 else ipaddress.IPv6Address
    return f"{make(low)}-{make(high)}"


def cidrs(addresses: Addresses) -> list[str]:
    """The fewest CIDRs that cover exactly these addresses: `10.0.0.0/8`."""
    found = []
    for version in FAMILIES:
        make = ipaddress.IPv4Address if version == 4 else ipaddress.IPv6Address
        for low, high in addresses.family(version):
            found += [str(n) for n in ipaddress.summarize_address_range(make(low), make(high))]
    return found


class Blocks:
    """The address space of one family cut at given edges: block `i` is
    `[starts[i], starts[i+1] - 1]`."""

    def __init__(self, version: int, sets: list[Intervals]):
        edges = {0}
        for found in sets:
            for low, high in found:
                edges.add(low)
                if high < TOP[version]:
                    edges.add(high + 1)
        self.version = version
        self.starts = sorted(edges)

    def __len__(self) -> int:
        return len(self.starts)

    def bounds(self, i: int) -> tuple[int, int]:
        end = self.starts[i + 1] - 1 if i + 1 < len(self.starts) else TOP[self.version]
        return self.starts[i], end

    def covered(self, found: Intervals) -> int:
        """The blocks inside `found`, as a bit set (bit i: block i)."""
        bits = 0
        for low, high in found:
            first = bisect.bisect_left(self.starts, low)
            last = bisect.bisect_right(self.starts, high)  # blocks first..last-1 start inside
            bits |= ((1 << (last - first)) - 1) << first
        return bits
