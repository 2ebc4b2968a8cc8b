"""Entry points: every way in from outside the cluster.

`Internet -> [Ingress host+path | Gateway listener + route | LoadBalancer |
externalIPs | NodePort] -> Service:port -> workloads`, and pods that bind a
port on the node directly.
"""

from __future__ import annotations

from dataclasses import dataclass

from svcdocs.analysis.exposure import is_internal_lb, router_level
from svcdocs.graph import Graph
from svcdocs.model import Route, Service, Workload


@dataclass(frozen=True, slots=True)
class EntryPoint:
    via: str  # the Ingress or route, or the Service (or workload) itself
    kind: str  # ingress | route | loadbalancer | external-ip | nodeport | host-port
    level: str  # internet | network | node
    service: str | None = None
    port: int | str | None = None
    host: str | None = None
    path: str | None = None
    node_port: int | None = None
    gateways: tuple[str, ...] = ()
    workloads: tuple[str, ...] = ()

    def sort_key(self) -> tuple:
        return (self.via, self.service or "", self.host or "", self.path or "", str(self.port or ""), self.kind)


def entrypoints(graph: Graph, internal_classes: frozenset[str] = frozenset()) -> tuple[EntryPoint, ...]:
    found: list[EntryPoint] = []
    for service in graph.model.services:
        workloads = tuple(w.id for w in graph.selected_workloads(service))
        found += _service_entries(service, workloads)
        for edge in graph.edges_to(service.id, "routes"):
            level = router_level(graph, edge.source, internal_classes)
            if level is None:
                continue
            router = graph.nodes[edge.source]
            gateways = tuple(e.target for e in graph.edges_from(router.id, "attaches")) if isinstance(router, Route) else ()
            found.append(EntryPoint(
                via=edge.source, kind="route" if isinstance(router, Route) else "ingress", level=level,
                service=service.id, port=edge.port, host=edge.host, path=edge.path,
                gateways=gateways, workloads=workloads,
            ))
    for workload in graph.model.workloads:
        found += _host_entries(workload)
    return tuple(sorted(set(found), key=EntryPoint.sort_key))


def _service_entries(service: Service, workloads: tuple[str, ...]):
    kinds = []
    if service.type == "LoadBalancer":
        kinds.append(("loadbalancer", "network" if is_internal_lb(service) else "internet"))
    if service.external_ips:
        kinds.append(("external-ip", "internet"))
    if service.type == "NodePort":
        kinds.append(("nodeport", "node"))
    for kind, kind_level in kinds:
        for port in service.ports:
            yield EntryPoint(via=service.id, kind=kind, level=kind_level, service=service.id,
                             port=port.port, node_port=port.node_port, workloads=workloads)


def _host_entries(workload: Workload):
    for container in workload.containers:
        for port in container.ports:
            if port.host_port or workload.host_network:
                yield EntryPoint(via=workload.id, kind="host-port", level="node",
                                 port=port.host_port or port.number, workloads=(workload.id,))
