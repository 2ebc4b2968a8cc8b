"""Who can reach each workload, in a few words, and the exposure the
policies really allow.

`reachable_from` sums up, per workload, what its ingress admits: from the
internet through its ways in, from a pod of any namespace (an unknown pod
without labels in a namespace the input does not hold, the weakest claim a
rule can meet), from every workload of some namespaces of the input, and from
single workloads. Each source's own egress policies are applied.

`effective_exposure` is the declared level, lowered where the policies block:
a Service or workload keeps the highest level of a way in that is not blocked
for it, else `cluster` when some pod of the cluster is admitted on one of its
ports, else `none`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from svcdocs.analysis.entrypoints import EntryPoint
from svcdocs.analysis.exposure import RANK, Exposure
from svcdocs.analysis.reach import ports
from svcdocs.analysis.reach.engine import Engine, PodClass
from svcdocs.analysis.reach.entries import EntryPolicy, targets_of
from svcdocs.analysis.reach.ports import ALL, NONE, Conn
from svcdocs.graph import Graph
from svcdocs.model import Service

ANY_NAMESPACE = "*"


@dataclass(frozen=True, slots=True)
class Reachers:
    """Who can reach one workload, and on which ports."""

    internet: Conn = NONE  # through its ways in from the internet that are not blocked
    any_namespace: Conn = NONE  # from a pod of any namespace, including those the input does not hold
    namespaces: tuple[tuple[str, Conn], ...] = ()  # from every workload of these namespaces (of the input)
    workloads: tuple[tuple[str, Conn], ...] = ()  # from these workloads, beyond the namespaces above
    policies: tuple[str, ...] = ()  # the NetworkPolicies that select it for ingress; none: not isolated

    @property
    def isolated(self) -> bool:
        return bool(self.policies)


def reachers(engine: Engine, graph: Graph, entries: dict[EntryPoint, EntryPolicy]) -> dict[str, Reachers]:
    internet = _internet(graph, entries)
    sizes: dict[str, int] = defaultdict(int)  # workloads per namespace
    for pod in engine.pods:
        sizes[pod.namespace] += 1
    per_class: dict[int, tuple[Conn, dict[str, Conn]]] = {}
    found = {}
    for pod in engine.pods:
        target = engine.pod_class(pod)
        if target.id not in per_class:
            per_class[target.id] = _sources(engine, target)
        anyone, by_workload = per_class[target.id]
        own = {w: c for w, c in by_workload.items() if w != pod.workload}
        namespaces, workloads = _grouped(engine, own, anyone, pod.namespace, sizes)
        found[pod.workload] = Reachers(internet.get(pod.workload, NONE), anyone, namespaces, workloads,
                                       tuple(engine.policies[i].id for i in target.ingress_policies))
    return found


def _internet(graph: Graph, entries: dict[EntryPoint, EntryPolicy]) -> dict[str, Conn]:
    """The container ports each workload is reached on from the internet."""
    found: dict[str, Conn] = defaultdict(lambda: NONE)
    for entry, policy in entries.items():
        if entry.level != "internet":
            continue
        for workload_id in entry.workloads:
            workload = graph.nodes.get(workload_id)
            if workload is None or policy.state_of(workload_id) == "blocked":
                continue
            for protocol, port in targets_of(graph, entry, workload):
                found[workload_id] = ports.union(found[workload_id], ports.conn(protocol, port))
    return found


def _sources(engine: Engine, target: PodClass) -> tuple[Conn, dict[str, Conn]]:
    """From any namespace, and from each workload the rules name (none listed
    when the target admits everything from anywhere)."""
    anyone = engine.conn(engine.pod_class(engine.stand_in), target)
    # Rules that match every pod match the stand-in too, so only the sources
    # that some narrower peer matches can differ from it: those a narrower deny
    # or pass matches may reach less (what any namespace reaches is then less),
    # those a narrower allow or pass matches may reach more.
    narrower: set[int] = set()
    wider: set[int] = set()
    for entry in target.ingress:
        if engine.universal(entry.peer):
            continue
        if entry.rule.action in ("Deny", "Pass"):
            narrower |= engine.peer_classes[entry.peer]
        if entry.rule.action in ("Allow", "Pass"):
            wider |= engine.peer_classes[entry.peer]
    for source in (engine.classes[i] for i in sorted(narrower)):
        anyone = ports.intersection(anyone, engine.conn(source, target))
    if anyone == ALL:
        return anyone, {}
    by_workload: dict[str, Conn] = {}
    for source in (engine.classes[i] for i in sorted(wider)):
        conn = engine.conn(source, target)
        if ports.empty(conn):
            continue
        for pod in source.members:
            if pod is not engine.stand_in:
                by_workload[pod.workload] = conn
    return anyone, by_workload


def _grouped(engine: Engine, by_workload: dict[str, Conn], anyone: Conn, target_namespace: str,
             sizes: dict[str, int]):
    """Namespaces whose every workload (but the target) reaches it alike, then
    the other workloads; what reaches no further than `anyone` is left out."""
    by_namespace: dict[str, list[tuple[str, Conn]]] = defaultdict(list)
    for workload, conn in by_workload.items():
        if ports.difference(conn, anyone) != NONE:
            by_namespace[engine.pod_of[workload].namespace].append((workload, conn))
    namespaces, workloads = [], []
    for namespace, found in sorted(by_namespace.items()):
        others = sizes[namespace] - (namespace == target_namespace)
        if len(found) == others and len(found) > 1 and len({c for _, c in found}) == 1:
            namespaces.append((namespace, found[0][1]))
        else:
            workloads += sorted(found)
    return tuple(namespaces), tuple(workloads)


def effective_exposure(engine: Engine, graph: Graph, declared: dict[str, Exposure],
                       entries: dict[EntryPoint, EntryPolicy]) -> dict[str, str]:
    """The level at which traffic is really admitted, for every Service and workload."""
    best: dict[str, str] = {}
    for entry, policy in entries.items():
        for workload_id, state in policy.workloads:
            if state != "blocked":
                _raise(best, workload_id, entry.level)
        if entry.service and (policy.state != "blocked" or not policy.workloads):
            _raise(best, entry.service, entry.level)
    found = {}
    for object_id, exposure in declared.items():
        node = graph.nodes.get(object_id)
        level = exposure.level
        if level in ("none", "egress") or (isinstance(node, Service) and not graph.selected_workloads(node)):
            found[object_id] = level  # nothing a policy could block
            continue
        if object_id in best:
            found[object_id] = best[object_id]
        elif _admits_the_cluster(engine, graph, node):
            found[object_id] = "cluster"
        else:
            found[object_id] = "none"
        if RANK[found[object_id]] > RANK[level]:
            found[object_id] = level
    return found


def _raise(best: dict[str, str], object_id: str, level: str) -> None:
    if object_id not in best or RANK[level] > RANK[best[object_id]]:
        best[object_id] = level


def _admits_the_cluster(engine: Engine, graph: Graph, node) -> bool:
    """Some pod of the cluster is admitted: on one of the Service's container
    ports, or on any port of a workload."""
    if isinstance(node, Service):
        resolved = False
        for edge in graph.edges_from(node.id, "selects"):
            wanted = [(p.protocol, m.container_port) for p, m in zip(node.ports, edge.ports)
                      if m.container_port is not None]
            resolved = resolved or bool(wanted)
            target = engine.pod_class(engine.pod_of[edge.target])
            if any(_admits_pods(engine, target, protocol, port) for protocol, port in wanted):
                return True
        return not resolved  # its ports lead nowhere: not the policies' doing
    target = engine.pod_class(engine.pod_of[node.id])
    return _admits_pods(engine, target, None, None)


def _admits_pods(engine: Engine, target: PodClass, protocol: str | None, port: int | None) -> bool:
    conn = engine.from_some_pod(target)
    return not ports.empty(conn) if protocol is None else ports.allows(conn, protocol, port)


def every_namespace_conn(engine: Engine, target: PodClass) -> Conn:
    """What `target` admits from every pod of every namespace."""
    return engine.from_every_pod(target)


INTERNET = "internet"
EVERY_OTHER_NAMESPACE = "*other"


@dataclass(frozen=True)
class NamespaceReach:
    """Who reaches a namespace and whom it reaches, by groups of its
    workloads that the policies treat alike (one class each)."""

    namespace: str
    groups: tuple[tuple[str, ...], ...]  # workload ids, one tuple per group
    # (source, group index, conn); source: INTERNET, ANY_NAMESPACE, a namespace (its own: its other
    # workloads), or ("group", j) for some workloads of group j
    inbound: tuple[tuple[object, int, Conn], ...]
    # (group index, target namespace or EVERY_OTHER_NAMESPACE, conn, workloads reached)
    outbound: tuple[tuple[int, str, Conn, int], ...]
    outside: tuple[tuple[int, Conn], ...]  # (group index, what it may send to addresses outside the cluster)


def namespace_reach(engine: Engine, found: dict[str, Reachers], namespace: str) -> NamespaceReach:
    classes: dict[int, list[str]] = {}
    for pod in engine.pods:
        if pod.namespace == namespace:
            classes.setdefault(engine.pod_class(pod).id, []).append(pod.workload)
    order = sorted(classes, key=lambda c: sorted(classes[c])[0])
    groups = tuple(tuple(sorted(classes[c])) for c in order)
    group_of = {w: i for i, members in enumerate(groups) for w in members}
    inbound: dict[tuple[object, int], Conn] = defaultdict(lambda: NONE)
    for i, members in enumerate(groups):
        for workload in members:
            reached = found[workload]
            for source, conn in ((INTERNET, reached.internet), (ANY_NAMESPACE, reached.any_namespace)):
                if not ports.empty(conn):
                    inbound[(source, i)] = ports.union(inbound[(source, i)], conn)
            for other, conn in reached.namespaces:  # the own namespace too: its other workloads
                inbound[(other, i)] = ports.union(inbound[(other, i)], conn)
            for other, conn in reached.workloads:
                source = ("group", group_of[other]) if other in group_of else engine.pod_of[other].namespace
                inbound[(source, i)] = ports.union(inbound[(source, i)], conn)
    outbound, outside = _outbound(engine, namespace, order)
    return NamespaceReach(namespace, groups, tuple((s, i, c) for (s, i), c in inbound.items()), outbound, outside)


def _outbound(engine: Engine, namespace: str, order: list[int]):
    """Whom each group reaches in the other namespaces of the input, and outside."""
    others = sorted({p.namespace for p in engine.pods} - {namespace})
    found = []
    outside = []
    for i, class_id in enumerate(order):
        source = engine.classes[class_id]
        by_namespace: dict[str, tuple[Conn, int]] = {}
        for target in engine.classes:
            spread = [(ns, n) for ns, n in engine.namespace_counts(target).items() if ns != namespace]
            if not spread:
                continue
            conn = engine.conn(source, target)
            if ports.empty(conn):
                continue
            for other, count in spread:
                before, reached = by_namespace.get(other, (NONE, 0))
                by_namespace[other] = (ports.union(before, conn), reached + count)
        conns = {c for c, _ in by_namespace.values()}
        if len(others) > 1 and len(by_namespace) == len(others) and len(conns) == 1:
            found.append((i, EVERY_OTHER_NAMESPACE, conns.pop(), sum(n for _, n in by_namespace.values())))
        else:
            found += [(i, ns, c, n) for ns, (c, n) in sorted(by_namespace.items())]
        sent = ports.union_all(c for version in engine.families for _, _, c in engine.to_outside(source, version))
        if not ports.empty(sent):
            outside.append((i, sent))
    return tuple(found), tuple(outside)
