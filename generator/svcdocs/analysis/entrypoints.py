"""Entry points: every way in from outside the cluster.

`Internet -> [Ingress host+path | Gateway listener + route | any other router
(Istio, Contour, Traefik, OpenShift, Knative, NGINX, GKE) | LoadBalancer |
externalIPs | NodePort] -> Service:port -> workloads`, pods that bind a port
on the node directly, and workloads that are their own way in (a Knative
Service).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from svcdocs.analysis.exposure import is_internal_lb
from svcdocs.graph import Graph, Hop
from svcdocs.graph.build import service_port_number
from svcdocs.model import Ingress, RoutedWorkload, Router, Service, Workload


@dataclass(frozen=True, slots=True)
class EntryPoint:
    via: str  # the router, or the Service (or workload) itself
    kind: str  # ingress | route | loadbalancer | external-ip | nodeport | host-port
    level: str  # internet | network | node
    service: str | None = None
    port: int | str | None = None
    host: str | None = None
    path: str | None = None
    node_port: int | None = None
    gateways: tuple[str, ...] = ()  # what the router hangs on: Gateways, listeners, the routers that delegate to it
    workloads: tuple[str, ...] = ()
    listeners: tuple[str, ...] = ()  # the controller's listeners it is served on (Traefik entryPoints)
    tls: bool | None = None  # for a router's host: served with TLS, or plain; None when not known

    def sort_key(self) -> tuple:
        return (self.via, self.service or "", self.host or "", self.path or "", str(self.port or ""), self.kind)


def entrypoints(graph: Graph, levels: dict[str, str]) -> tuple[EntryPoint, ...]:
    """`levels`: what each router opens (analysis.exposure.router_levels)."""
    found: list[EntryPoint] = []
    for service in graph.model.services:
        found += _service_entries(service, tuple(w.id for w in graph.selected_workloads(service)))
    found += _router_entries(graph, levels)
    for workload in graph.model.workloads:
        found += _host_entries(workload)
    return tuple(sorted(set(found), key=EntryPoint.sort_key))


def _router_entries(graph: Graph, levels: dict[str, str]):
    """One per hop of a router that opens a way in and reaches a Service (or
    a workload) over a `routes` edge: a backend the graph left out (missing,
    or in another namespace without a ReferenceGrant) carries no traffic."""
    routed: set[tuple[str, str]] = set()
    parents: dict[str, list[str]] = defaultdict(list)
    for edge in graph.edges:
        if edge.kind == "routes":
            routed.add((edge.source, edge.target))
        elif edge.kind == "attaches" and graph.nodes.get(edge.target) is not None \
                and not isinstance(graph.nodes[edge.target], Service):
            parents[edge.source].append(edge.target)
    selected: dict[str, tuple[str, ...]] = {}  # a Service's workloads, looked up once however many hops reach it
    served_on: dict[str, tuple[str, ...]] = {}  # a router's listeners, likewise
    for hop in graph.hops:
        level = levels.get(hop.router)
        target = hop.backend.id
        if level is None or not (target == hop.router or (hop.router, target) in routed):
            continue
        if hop.router not in served_on:
            served_on[hop.router] = _listeners(graph, hop.router, parents)
        yield _router_entry(graph, hop, level, tuple(parents.get(hop.router, ())), served_on[hop.router], selected)


def _listeners(graph: Graph, router_id: str, parents: dict[str, list[str]], depth: int = 0) -> tuple[str, ...]:
    """The controller's listeners a router is served on: its own, else those of
    the routers it is delegated from (a TraefikService takes its IngressRoute's)."""
    node = graph.nodes[router_id]
    router = node.router if isinstance(node, RoutedWorkload) else node
    own = router.listeners if isinstance(router, Router) else ()
    if own or depth >= 8:
        return own
    return tuple(dict.fromkeys(listener for p in parents.get(router_id, ()) if isinstance(graph.nodes.get(p), Router)
                               for listener in _listeners(graph, p, parents, depth + 1)))


def _router_entry(graph: Graph, hop: Hop, level: str, gateways: tuple[str, ...], listeners: tuple[str, ...],
                  selected: dict[str, tuple[str, ...]]) -> EntryPoint:
    router = graph.nodes[hop.router]
    target = graph.nodes[hop.backend.id]
    common = dict(via=hop.router, kind="ingress" if isinstance(router, Ingress) else "route", level=level,
                  host=hop.host, path=hop.path, gateways=gateways, listeners=listeners, tls=hop.tls)
    if isinstance(target, Service):
        if target.id not in selected:
            selected[target.id] = tuple(w.id for w in graph.selected_workloads(target))
        return EntryPoint(**common, service=target.id,
                          port=service_port_number(target, hop.backend.port, hop.backend.target_port),
                          workloads=selected[target.id])
    return EntryPoint(**common, workloads=(target.id,))


def toward_absent(graph: Graph, levels: dict[str, str]) -> tuple[EntryPoint, ...]:
    """The ways in whose backend is a Service that is not in the input (one
    deployed from another repository, most often): each carries traffic once
    that Service exists, and what it exposes cannot be seen from here. Not
    entry points (nothing is reached yet): the review names the new ones."""
    found = set()
    for hop in graph.hops:
        level = levels.get(hop.router)
        backend = hop.backend
        if level is None or backend.kind != "Service" or backend.id in graph.nodes:
            continue
        router = graph.nodes[hop.router]
        found.add(EntryPoint(via=hop.router, kind="ingress" if isinstance(router, Ingress) else "route", level=level,
                             service=backend.id, port=backend.port, host=hop.host, path=hop.path, tls=hop.tls))
    return tuple(sorted(found, key=EntryPoint.sort_key))


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
