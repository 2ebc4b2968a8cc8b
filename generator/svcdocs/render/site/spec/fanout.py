"""Fan-out made drawable: the workloads of a Service that selects many are one
node, and so are the Services of a workload that many select."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Iterable

from svcdocs.graph import Edge as GraphEdge
from svcdocs.model import Service
from svcdocs.render.site.spec.builder import Builder, higher, highest, operator_ports, port_chain, selects_edge
from svcdocs.render.site.spec.diagram import Edge, Node

FANOUT = 12  # a Service that selects more workloads draws them as one node
FANIN = 12  # a workload that more Services select (besides those above) draws them as one node


@dataclass(frozen=True)
class Folding:
    edges: list[Edge]  # the other edges given, then the selects edges as drawn
    nodes: dict[str, Node]  # the summaries
    into: dict[str, str]  # a Service that selects many workloads -> the node drawn for them
    crowd: dict[str, str]  # a workload that many Services select -> the node drawn for them
    hidden: frozenset[str]  # workloads drawn only inside a summary

    def instead(self, source: str, target: str) -> tuple[str, str]:
        """The edge drawn for the selects edge `source` -> `target`."""
        if source in self.into:
            return source, self.into[source]
        if target in self.crowd:
            return self.crowd[target], target
        return source, target


def fold(b: Builder, selects: Iterable[GraphEdge], edges: list[Edge], keep: Iterable[str] = ()) -> Folding:
    """The graph's `selects` edges as drawn beside `edges`, fan-out made
    drawable in as many nodes and edges as there are objects: the workloads
    of a Service that selects more than FANOUT are one node ("150
    workloads"), shared by the Services that select exactly those; a
    workload that more than FANIN other Services select gets one node for
    them ("30 Services"). A workload then drawn only inside a summary is left
    out, unless it has other edges or is in `keep`."""
    selects = list(selects)
    targets: dict[str, list[str]] = defaultdict(list)
    for e in selects:
        targets[e.source].append(e.target)
    sharing: dict[frozenset[str], list[str]] = defaultdict(list)
    for service in sorted(s for s, workloads in targets.items() if len(workloads) > FANOUT):
        sharing[frozenset(targets[service])].append(service)
    into: dict[str, str] = {}
    nodes: dict[str, Node] = {}
    for workloads, services in sharing.items():
        node = _workloads_node(b, services, workloads)
        nodes[node.id] = node
        into.update(dict.fromkeys(services, node.id))
    selected_by: dict[str, list[str]] = defaultdict(list)
    for service, workloads in targets.items():
        if service not in into:
            for workload in workloads:
                selected_by[workload].append(service)
    crowd: dict[str, str] = {}
    for workload, services in selected_by.items():
        if len(services) > FANIN:
            node = _services_node(b, workload, services)
            nodes[node.id] = node
            crowd[workload] = node.id
    if not nodes:
        return Folding(edges + [selects_edge(b, e) for e in selects], {}, {}, {}, frozenset())
    folding = Folding([*edges], nodes, into, crowd, frozenset())
    seen = {n for e in edges for n in (e.source, e.target)} | set(keep)
    inside: set[str] = set()
    folded: dict[tuple[str, str], tuple[str | None, dict[str, None]]] = {}  # drawn edge -> level, label lines
    for service, node_id in into.items():  # labelled with the Service's own ports, not each workload's
        inside.update(targets[service])
        seen.update((service, node_id))
        folded[(service, node_id)] = (b.level(service), dict.fromkeys(_service_ports(b.graph.nodes[service])))
    for e in selects:
        if e.source in into:
            continue
        drawn = folding.instead(e.source, e.target)
        seen.update(drawn)
        if drawn == (e.source, e.target):
            folding.edges.append(selects_edge(b, e))
            continue
        level, lines = folded.get(drawn, (None, {}))
        if e.ports:
            lines[port_chain(e.ports, operator_ports(b, e.target))] = None
        folded[drawn] = (higher(level, b.level(e.source)), lines)
    folding.edges.extend(Edge(source, target, "selects", tuple(lines), level)
                         for (source, target), (level, lines) in folded.items())
    return replace(folding, hidden=frozenset(inside - seen))


def _workloads_node(b: Builder, services: list[str], workloads: frozenset[str]) -> Node:
    service = b.graph.nodes[services[0]]
    who = f"Service {service.namespace}/{service.name}" if len(services) == 1 else f"{len(services)} Services"
    return Node(
        id=f"more/workloads/{services[0]}", kind="More", label=(f"{len(workloads)} workloads",),
        level=highest(b.level(w) for w in workloads), link=_namespace_part(b, service.namespace, "workloads"),
        tooltip=f"The {len(workloads)} workloads that {who} select{'s' * (len(services) == 1)}: "
                f"see the namespace page", cluster=service.namespace,
    )


def _services_node(b: Builder, workload_id: str, services: list[str]) -> Node:
    workload = b.graph.nodes[workload_id]
    return Node(
        id=f"more/services/{workload_id}", kind="More", label=(f"{len(services)} Services",),
        level=highest(b.level(s) for s in services), link=_namespace_part(b, workload.namespace, "services"),
        tooltip=f"The {len(services)} Services that select {workload.kind} {workload.namespace}/{workload.name}: "
                f"see the namespace page", cluster=workload.namespace,
    )


def _service_ports(service: Service) -> tuple[str, ...]:
    """`80`, `80→8080`: a Service's ports and targetPorts, for the edge to its many workloads."""
    text = ", ".join(str(p.port) + (f"→{p.target}" if p.target not in (None, p.port) else "")
                     for p in service.ports if p.port is not None)
    return (text,) if text else ()


def _namespace_part(b: Builder, namespace: str, heading: str) -> tuple[str, str]:
    return b.sitemap.namespaces[namespace], heading

