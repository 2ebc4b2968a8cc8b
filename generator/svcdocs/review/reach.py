"""Reachability gained and lost between two reports, summed up.

For every workload in both, who can reach it before and after, source by
source: the internet (through its ways in), any namespace, and each workload
of both reports (a namespace-wide entry stands for each of its workloads).
What a source gained or lost is a connection (ports). Sources are then summed
up: every workload of a namespace alike becomes that namespace; and targets
of one namespace that gained or lost the same from the same sources become
one row, so the review stays short whatever the fan-out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from svcdocs.analysis.reach import ANY_NAMESPACE, INTERNET, Reachers, Reachability
from svcdocs.analysis.reach.ports import NONE, Conn, difference, empty, union
from svcdocs.pipeline import Report

WORKLOAD = "workload"
NAMESPACE = "namespace"


@dataclass(frozen=True, slots=True)
class ReachChange:
    change: str  # gained | lost
    targets: tuple[str, ...]  # the workloads (of one namespace) that gained or lost it
    namespace: str  # theirs
    sources: tuple[str, ...]  # INTERNET, ANY_NAMESPACE, namespaces (every workload of each), or workload ids
    source_kind: str  # internet | any | namespace | workload
    conn: Conn
    because: tuple[tuple[str, str], ...] = ()  # (NetworkPolicy id, added | removed | changed) selecting the targets
    source_namespaces: tuple[str, ...] = ()  # of the namespace and workload sources

    @property
    def from_outside(self) -> bool:
        """Reach from the internet or from another namespace than the targets'."""
        return self.source_kind in (INTERNET, "any") or any(n != self.namespace for n in self.source_namespaces)


def reach_changes(base: Report, head: Report, changed_policies: dict[str, str]) -> tuple[ReachChange, ...]:
    before, after = base.analysis.reach, head.analysis.reach
    common = sorted(before.reachers.keys() & after.reachers.keys())
    shared = set(common)
    members = {id(before): _members(before, shared), id(after): _members(after, shared)}
    per_target: dict[tuple[str, str, str, str], list[tuple[str, Conn]]] = defaultdict(list)
    for target in common:
        old, new = before.reachers[target], after.reachers[target]
        if old == new:
            continue
        old_sources = _sources(old, members[id(before)], shared)
        new_sources = _sources(new, members[id(after)], shared)
        namespace = after.engine.pod_of[target].namespace
        for change, one, other, reach in (("gained", new_sources, old_sources, after),
                                          ("lost", old_sources, new_sources, before)):
            for (kind, source), conn in _summed(reach, members[id(reach)], one, other, target):
                per_target[(change, namespace, kind, source)].append((target, conn))
    # Targets that gained (or lost) the same from a source are one row; sources of
    # one kind that give the same targets the same are one row too.
    rows: dict[tuple, list[str]] = defaultdict(list)
    for (change, namespace, kind, source), items in per_target.items():
        by_conn: dict[Conn, list[str]] = defaultdict(list)
        for target, conn in items:
            by_conn[conn].append(target)
        for conn, targets in by_conn.items():
            rows[(change, namespace, kind, conn, tuple(sorted(targets)))].append(source)
    found = []
    for (change, namespace, kind, conn, targets), sources in rows.items():
        policies = sorted({p for t in targets for p in (*before.reachers[t].policies, *after.reachers[t].policies)
                           if p in changed_policies})
        homes = {s if kind == NAMESPACE else (after if change == "gained" else before).engine.pod_of[s].namespace
                 for s in sources if kind in (NAMESPACE, WORKLOAD)}
        found.append(ReachChange(change, targets, namespace, tuple(sorted(sources)), kind, conn,
                                 tuple((p, changed_policies[p]) for p in policies), tuple(sorted(homes))))
    return tuple(sorted(found, key=lambda c: (c.change, c.namespace, c.targets, c.source_kind, c.sources)))


def _sources(reachers: Reachers, members: dict[str, list[str]], shared: set[str]) -> dict[tuple[str, str], Conn]:
    """(kind, source) -> conn, every namespace-wide entry spelled out per workload of both reports."""
    found: dict[tuple[str, str], Conn] = {}
    if not empty(reachers.internet):
        found[(INTERNET, INTERNET)] = reachers.internet
    if not empty(reachers.any_namespace):
        found[("any", ANY_NAMESPACE)] = reachers.any_namespace
    for namespace, conn in reachers.namespaces:
        for workload in members.get(namespace, ()):
            found[(WORKLOAD, workload)] = union(found.get((WORKLOAD, workload), NONE), conn)
    for workload, conn in reachers.workloads:
        if workload in shared:
            found[(WORKLOAD, workload)] = union(found.get((WORKLOAD, workload), NONE), conn)
    return found


def _members(reach: Reachability, shared: set[str]) -> dict[str, list[str]]:
    """The workloads of each namespace that both reports hold."""
    members: dict[str, list[str]] = defaultdict(list)
    for pod in reach.engine.pods:
        if pod.workload in shared:
            members[pod.namespace].append(pod.workload)
    return members


def _summed(reach: Reachability, members: dict[str, list[str]], one: dict, other: dict, target: str):
    """What `one` has beyond `other`, per source; workloads of a namespace
    that all differ alike (but the target) are the namespace."""
    beyond = {key: d for key, conn in one.items() if not empty(d := difference(conn, other.get(key, NONE)))}
    by_namespace: dict[str, list[tuple[str, Conn]]] = defaultdict(list)
    for (kind, source), conn in beyond.items():
        if kind == WORKLOAD:
            by_namespace[reach.engine.pod_of[source].namespace].append((source, conn))
        else:
            yield (kind, source), conn
    for namespace, items in sorted(by_namespace.items()):
        everyone = [w for w in members.get(namespace, ()) if w != target]
        conns = {conn for _, conn in items}
        if len(items) > 1 and len(items) == len(everyone) and len(conns) == 1:
            yield (NAMESPACE, namespace), items[0][1]
        else:
            yield from (((WORKLOAD, w), conn) for w, conn in sorted(items))
