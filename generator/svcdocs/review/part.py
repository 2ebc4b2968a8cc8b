"""The changed part of the graph, for a diagram: changed nodes and edges, the
Internet's edges to every way in that appeared or went, and one hop of
unchanged context around each changed node."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable

from svcdocs.graph import INTERNET, Edge
from svcdocs.model import Service
from svcdocs.pipeline import Report

# Internet -> the first hop of an entry point (an Ingress, a route, a Service).
ENTRY = "entry"


@dataclass(frozen=True, slots=True)
class PartNode:
    id: str
    kind: str
    namespace: str
    name: str
    status: str  # added | removed | changed | touched (an end of a changed edge) | context
    type: str | None = None  # a Service's type, as of HEAD (BASE when removed)
    before: str | None = None  # exposure level in BASE
    after: str | None = None  # exposure level in HEAD


@dataclass(frozen=True, slots=True)
class PartEdge:
    edge: Edge
    status: str  # added | removed | changed | context


@dataclass(frozen=True)
class ChangedPart:
    nodes: tuple[PartNode, ...] = ()
    edges: tuple[PartEdge, ...] = ()

    def without_context(self) -> ChangedPart:
        return replace(self, nodes=tuple(n for n in self.nodes if n.status != "context"),
                       edges=tuple(e for e in self.edges if e.status != "context"))


def changed_part(base: Report, head: Report, changed: set[str],
                 edge_changes: Iterable[tuple[str, Edge]]) -> ChangedPart:
    """`changed`: ids of objects whose content or exposure changed."""
    edges = [PartEdge(edge, status) for status, edge in edge_changes] + _entry_edges(base, head)
    touched = {end for e in edges for end in (e.edge.source, e.edge.target)}
    hubs = changed - {INTERNET.id}
    unchanged = set(base.graph.edges) & set(head.graph.edges) | set(_entries(base)) & set(_entries(head))
    context = [PartEdge(e, "context") for e in unchanged if e.source in hubs or e.target in hubs]
    edges += context
    ids = changed | touched | {end for e in context for end in (e.edge.source, e.edge.target)}
    nodes = [_node(node_id, base, head, changed, touched) for node_id in sorted(ids)]
    return ChangedPart(tuple(nodes), tuple(sorted(edges, key=lambda e: (e.edge.sort_key(), e.status))))


def _entries(report: Report) -> list[Edge]:
    return [Edge(INTERNET.id, via, ENTRY) for via in sorted({e.via for e in report.analysis.entrypoints})]


def _entry_edges(base: Report, head: Report) -> list[PartEdge]:
    before, after = set(_entries(base)), set(_entries(head))
    return [PartEdge(e, "added") for e in sorted(after - before, key=Edge.sort_key)] + \
           [PartEdge(e, "removed") for e in sorted(before - after, key=Edge.sort_key)]


def _node(node_id: str, base: Report, head: Report, changed: set[str], touched: set[str]) -> PartNode:
    old, new = base.graph.get(node_id), head.graph.get(node_id)
    if old is None:
        status = "added"
    elif new is None:
        status = "removed"
    else:
        status = "changed" if node_id in changed else "touched" if node_id in touched else "context"
    node = new or old
    return PartNode(
        id=node_id, kind=node.kind, namespace=node.namespace, name=node.name, status=status,
        type=node.type if isinstance(node, Service) else None,  # a Knative Service is a workload, without a type
        before=base.analysis.level(node_id), after=head.analysis.level(node_id),
    )
