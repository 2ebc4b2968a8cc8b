"""Exposure: how far out each Service and workload can be reached from.

Levels, lowest first: none < egress < cluster < node < network < internet. A
Service gets the first level of the table in DESIGN.md that applies; a workload
the highest level of the Services that select it, at least `node` when it binds
a host port or the host network, and `none` when nothing exposes it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from svcdocs.graph import Graph
from svcdocs.analysis.controllers import OUTSIDE, Controllers
from svcdocs.graph.routing import GATEWAY_KINDS
from svcdocs.model import Gateway, Ingress, RoutedWorkload, Service, Workload
from svcdocs.model.schemes import PRIVATE, service_scheme

LEVELS = ("none", "egress", "cluster", "node", "network", "internet")
RANK = {level: i for i, level in enumerate(LEVELS)}

@dataclass(frozen=True, slots=True)
class Exposure:
    level: str
    reasons: tuple[str, ...] = ()  # what makes it so, e.g. "type LoadBalancer", an Ingress id


def is_internal_lb(service: Service) -> bool:
    """Whether a LoadBalancer gets a private address, by its cloud's
    documented scheme (model/schemes.py)."""
    return service_scheme(service.annotations, service.load_balancer_class)[0] == PRIVATE


def own_level(service: Service) -> str:
    """A Service's level from its own spec alone, whatever routes to it."""
    if service.type == "LoadBalancer":
        return "network" if is_internal_lb(service) else "internet"
    if service.external_ips:
        return "internet"
    return {"NodePort": "node", "ExternalName": "egress"}.get(service.type, "cluster")


def router_levels(graph: Graph, internal_classes: frozenset[str] = frozenset(),
                  notes: dict[str, str] | None = None) -> dict[str, str]:
    """The level each router, Gateway and ListenerSet opens, computed once for
    all of them: `internet`, `network` (an internal class, annotation or
    visibility) or `node`. Routers that open nothing (mesh routes, cluster-local
    ones, routes that hang on nothing, those whose controller is reached only
    inside the cluster) are left out.

    A router that is a way in of its own is reached as far out as its
    controller (analysis/controllers.py), and the highest of what it hangs
    on: a Gateway's, or the level of the routers that delegate to it. A
    Gateway is reached as its controller's pods are, and `internet` when they
    are not in the input (shared gateways usually live elsewhere) unless its
    class is internal; a ListenerSet's is its Gateway's; an Istio Gateway whose
    proxy pods are in the input is reached as the Services in front of those
    pods are. `notes`, when given, gets what to say of a level that was
    assumed or narrowed, by id."""
    said: dict[str, str] = notes if notes is not None else {}
    controllers = Controllers(graph, own_level)
    attaches: dict[str, list[str]] = defaultdict(list)
    configures: dict[str, list[str]] = defaultdict(list)
    for edge in graph.edges:
        if edge.kind == "attaches":
            attaches[edge.source].append(edge.target)
        elif edge.kind == "configures":
            configures[edge.source].append(edge.target)
    routers = {r.id: r for r in graph.model.every_router()}
    levels: dict[str, str | None] = {}

    def gateway_level(node_id: str, seen: tuple[str, ...]) -> str | None:
        node = graph.nodes.get(node_id)
        if isinstance(node, Gateway) and node.class_name in internal_classes:
            return "network"
        if attaches.get(node_id):  # a ListenerSet: its Gateway's level
            return _highest(level_of(p, seen) for p in attaches[node_id])
        if configures.get(node_id):
            return _proxy_level(graph, configures[node_id])
        if isinstance(node, Gateway) and node.kind == "Gateway" and not node.selector:
            return _said(node_id, controllers.gateway(node))
        return "internet"

    def _said(node_id: str, opened) -> str | None:
        if opened.note:
            said[node_id] = opened.note
        return opened.level if opened.level in OUTSIDE else None

    def level_of(node_id: str, seen: tuple[str, ...] = ()) -> str | None:
        if node_id in levels:
            return levels[node_id]
        if node_id in seen:
            return None  # a loop of delegation opens nothing more
        seen = (*seen, node_id)
        node = graph.nodes.get(node_id)
        if node_id in routers:
            router = routers[node_id]
            own = router.opens if router.opens in ("internet", "network") else None
            if own == "internet" and router.class_name in internal_classes:
                own = "network"
            elif own is not None and (isinstance(router, Ingress) or router.controller):
                own = _said(node_id, controllers.router(router, own))
            found = _highest([own, *(level_of(p, seen) for p in attaches.get(node_id, ())
                                     if p in routers or _is_gateway(graph, p))])
        elif node is not None and _is_gateway(graph, node_id):
            found = gateway_level(node_id, seen)
        else:
            found = None
        levels[node_id] = found
        return found

    for node_id in (*routers, *(n for n in graph.nodes if _is_gateway(graph, n))):
        level_of(node_id)
    return {k: v for k, v in sorted(levels.items()) if v is not None}


def _is_gateway(graph: Graph, node_id: str) -> bool:
    node = graph.nodes.get(node_id)
    return isinstance(node, Gateway) or (node is not None and node_id.split("/", 1)[0] in GATEWAY_KINDS)


def _proxy_level(graph: Graph, workloads: list[str]) -> str | None:
    """How far out the proxy pods of an Istio Gateway are reached: the
    Services in front of them, by their own type, and host ports."""
    levels = []
    for workload_id in workloads:
        workload = graph.nodes[workload_id]
        levels += [own_level(s) for s in graph.selecting_services(workload)]
        if host_bindings(workload):
            levels.append("node")
    found = _highest(levels)
    return found if found in ("internet", "network", "node") else None


def _highest(levels) -> str | None:
    found = [level for level in levels if level is not None]
    return max(found, key=RANK.__getitem__) if found else None


def service_exposure(graph: Graph, service: Service, levels: dict[str, str]) -> Exposure:
    by_level: dict[str, list[str]] = {}
    if service.type == "LoadBalancer":
        by_level.setdefault("network" if is_internal_lb(service) else "internet", []).append("type LoadBalancer")
    if service.external_ips:
        by_level.setdefault("internet", []).append("externalIPs")
    for edge in graph.edges_to(service.id, "routes"):
        level = levels.get(edge.source)
        if level is not None and edge.source not in by_level.get(level, ()):
            by_level.setdefault(level, []).append(edge.source)
    for level in ("internet", "network"):
        if level in by_level:
            return Exposure(level, tuple(by_level[level]))
    if "node" in by_level:  # a router whose proxies are reached on the nodes' ports
        return Exposure("node", tuple(by_level["node"]) + (("type NodePort",) if service.type == "NodePort" else ()))
    if service.type == "NodePort":
        return Exposure("node", ("type NodePort",))
    if service.type == "ExternalName":
        return Exposure("egress", ("type ExternalName",))
    return Exposure("cluster", ())


def workload_exposure(graph: Graph, workload: Workload, services: dict[str, Exposure],
                      levels: dict[str, str]) -> Exposure:
    """The highest level of the Services that select it, of the routers that
    route to it (or of its own way in, for a Knative Service), at least
    `node` for host ports."""
    level, reasons = "none", []
    sources = [(services[e.source].level, e.source) for e in graph.edges_to(workload.id, "selects")]
    sources += [(levels[e.source], e.source) for e in graph.edges_to(workload.id, "routes") if e.source in levels]
    if isinstance(workload, RoutedWorkload):
        sources.append((levels.get(workload.id) or workload.router.opens or "cluster", workload.id))
    for source_level, source in sources:
        source_level = source_level if source_level in RANK else "cluster"
        if RANK[source_level] > RANK[level]:
            level, reasons = source_level, [source]
        elif source_level == level and source not in reasons:
            reasons.append(source)
    host = host_bindings(workload)
    if host and RANK[level] < RANK["node"]:
        level, reasons = "node", host
    return Exposure(level, tuple(reasons))


def host_bindings(workload: Workload) -> list[str]:
    """How the pod binds the node's network: hostNetwork, or hostPorts."""
    found = ["hostNetwork"] if workload.host_network else []
    for container in workload.containers:
        found += [f"hostPort {p.host_port}" for p in container.ports if p.host_port]
    return found


def exposure_of(graph: Graph, internal_classes: frozenset[str] = frozenset(),
                levels: dict[str, str] | None = None) -> dict[str, Exposure]:
    """The exposure of every Service and every workload, by id; `levels` are
    the routers' (router_levels), computed here when not given."""
    if levels is None:
        levels = router_levels(graph, internal_classes)
    result = {s.id: service_exposure(graph, s, levels) for s in graph.model.services}
    for workload in graph.model.workloads:
        result[workload.id] = workload_exposure(graph, workload, result, levels)
    return dict(sorted(result.items()))
