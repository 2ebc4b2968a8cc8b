"""The graph's nodes and edges, and the indexes over them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

from svcdocs.graph.routing import Hop
from svcdocs.model import Model, Object, Service, Workload

if TYPE_CHECKING:
    from svcdocs.graph.labels import LabelIndex

EDGE_KINDS = ("routes", "attaches", "selects", "configures", "aliases", "calls", "isolates")


@dataclass(frozen=True, slots=True)
class Synthetic:
    """A node that no manifest defines: the Internet, an external DNS name, or a
    Gateway (or ListenerSet, or Istio Gateway) that routes attach to but that
    lives elsewhere (shared gateways)."""

    id: str
    kind: str
    name: str
    namespace: str = ""


INTERNET = Synthetic("Internet", "Internet", "Internet")

Node = Object | Synthetic


@dataclass(frozen=True, slots=True)
class PortMapping:
    port: int | None
    target_port: int | str | None
    container_port: int | None  # None: a named targetPort that no container declares


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    kind: str
    host: str | None = None
    path: str | None = None
    port: int | str | None = None
    listener: str | None = None
    env: tuple[str, ...] = ()
    ports: tuple[PortMapping, ...] = ()

    def sort_key(self) -> tuple:
        return (self.source, self.target, self.kind, self.host or "", self.path or "",
                str(self.port or ""), self.listener or "")


@dataclass(frozen=True)
class Graph:
    """Nodes by id, edges sorted, and adjacency by node. Never changed once
    built (the selection caches only remember what the edges say)."""

    model: Model
    nodes: dict[str, Node]
    edges: tuple[Edge, ...]
    outgoing: dict[str, tuple[Edge, ...]]
    incoming: dict[str, tuple[Edge, ...]]
    truncated: str | None = None  # why some edges were left out, if any were
    hops: tuple[Hop, ...] = ()  # every router's resolved ways (graph/routing.py), in router order
    pods: LabelIndex | None = None  # the pods' labels, for selectors that make no edge (policy peers)

    # (node, kind) -> its edges of that kind: asked for tens of thousands of times
    outgoing_by_kind: dict[tuple[str, str], Sequence[Edge]] = field(default_factory=dict)
    incoming_by_kind: dict[tuple[str, str], Sequence[Edge]] = field(default_factory=dict)

    def edges_from(self, node_id: str, kind: str | None = None) -> Sequence[Edge]:
        if kind is None:
            return self.outgoing.get(node_id, ())
        return self.outgoing_by_kind.get((node_id, kind), ())

    def edges_to(self, node_id: str, kind: str | None = None) -> Sequence[Edge]:
        if kind is None:
            return self.incoming.get(node_id, ())
        return self.incoming_by_kind.get((node_id, kind), ())

    # Asked for by most stages, several times for each object: made once each.
    _selected: dict[str, tuple[Workload, ...]] = field(default_factory=dict, repr=False, compare=False)
    _selecting: dict[str, tuple[Service, ...]] = field(default_factory=dict, repr=False, compare=False)

    def selected_workloads(self, service: Service) -> tuple[Workload, ...]:
        found = self._selected.get(service.id)
        if found is None:
            found = self._selected[service.id] = tuple(
                self.nodes[e.target] for e in self.edges_from(service.id, "selects"))
        return found

    def selecting_services(self, workload: Workload) -> tuple[Service, ...]:
        found = self._selecting.get(workload.id)
        if found is None:
            found = self._selecting[workload.id] = tuple(
                self.nodes[e.source] for e in self.edges_to(workload.id, "selects"))
        return found

    def get(self, node_id: str) -> Node | None:
        return self.nodes.get(node_id)
