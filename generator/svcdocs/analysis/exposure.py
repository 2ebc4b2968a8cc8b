"""Exposure: how far out each Service and workload can be reached from.

Levels, lowest first: none < egress < cluster < node < network < internet. A
Service gets the first level of the table in DESIGN.md that applies; a workload
the highest level of the Services that select it, at least `node` when it binds
a host port or the host network, and `none` when nothing exposes it.
"""

from __future__ import annotations

from dataclasses import dataclass

from svcdocs.graph import Graph
from svcdocs.model import ROUTE_KINDS, Gateway, Ingress, Route, Service, Workload

LEVELS = ("none", "egress", "cluster", "node", "network", "internet")
RANK = {level: i for i, level in enumerate(LEVELS)}

# Annotations that ask a cloud for a load balancer on a private address, with
# the values that do (None: any value but "false").
INTERNAL_LB_ANNOTATIONS: dict[str, frozenset[str] | None] = {
    "service.beta.kubernetes.io/aws-load-balancer-internal": None,
    "service.beta.kubernetes.io/aws-load-balancer-scheme": frozenset({"internal"}),
    "networking.gke.io/load-balancer-type": frozenset({"internal"}),
    "cloud.google.com/load-balancer-type": frozenset({"internal"}),
    "service.beta.kubernetes.io/azure-load-balancer-internal": frozenset({"true"}),
    "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type": frozenset({"intranet"}),
    "service.beta.kubernetes.io/oci-load-balancer-internal": frozenset({"true"}),
    "oci-network-load-balancer.oraclecloud.com/internal": frozenset({"true"}),
    "service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type": frozenset({"private"}),
    "service.beta.kubernetes.io/openstack-internal-load-balancer": frozenset({"true"}),
    "service.beta.kubernetes.io/cce-load-balancer-internal-vpc": frozenset({"true"}),
    "service.kubernetes.io/qcloud-loadbalancer-internal-subnetid": None,
    "load-balancer.hetzner.cloud/disable-public-network": frozenset({"true"}),
}


@dataclass(frozen=True, slots=True)
class Exposure:
    level: str
    reasons: tuple[str, ...] = ()  # what makes it so, e.g. "type LoadBalancer", an Ingress id


def is_internal_lb(service: Service) -> bool:
    for key, value in service.annotations:
        if key in INTERNAL_LB_ANNOTATIONS:
            wanted = INTERNAL_LB_ANNOTATIONS[key]
            if (wanted is None and value.lower() != "false") or (wanted and value.lower() in wanted):
                return True
    return False


def router_level(graph: Graph, router_id: str, internal_classes: frozenset[str]) -> str | None:
    """The level an Ingress or route gives its backends: internet, network for
    an internal class, None for a route that attaches to no Gateway (mesh)."""
    router = graph.nodes.get(router_id)
    if isinstance(router, Ingress):
        return "network" if router.class_name in internal_classes else "internet"
    if not isinstance(router, Route):
        return None
    best = None
    for edge in graph.edges_from(router_id, "attaches"):
        parent = graph.nodes.get(edge.target)
        if parent is None or parent.kind == "Service":
            continue  # mesh routing does not raise exposure
        internal = isinstance(parent, Gateway) and parent.class_name in internal_classes
        level = "network" if internal else "internet"
        if best is None or RANK[level] > RANK[best]:
            best = level
    return best


def service_exposure(graph: Graph, service: Service, internal_classes: frozenset[str]) -> Exposure:
    by_level: dict[str, list[str]] = {}
    if service.type == "LoadBalancer":
        by_level.setdefault("network" if is_internal_lb(service) else "internet", []).append("type LoadBalancer")
    if service.external_ips:
        by_level.setdefault("internet", []).append("externalIPs")
    for edge in graph.edges_to(service.id, "routes"):
        level = router_level(graph, edge.source, internal_classes)
        if level is not None and edge.source not in by_level.get(level, ()):
            by_level.setdefault(level, []).append(edge.source)
    for level in ("internet", "network"):
        if level in by_level:
            return Exposure(level, tuple(by_level[level]))
    if service.type == "NodePort":
        return Exposure("node", ("type NodePort",))
    if service.type == "ExternalName":
        return Exposure("egress", ("type ExternalName",))
    return Exposure("cluster", ())


def workload_exposure(graph: Graph, workload: Workload, services: dict[str, Exposure]) -> Exposure:
    level, reasons = "none", []
    for edge in graph.edges_to(workload.id, "selects"):
        service_level = services[edge.source].level
        if RANK[service_level] > RANK[level]:
            level, reasons = service_level, [edge.source]
        elif service_level == level:
            reasons.append(edge.source)
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


def exposure_of(graph: Graph, internal_classes: frozenset[str] = frozenset()) -> dict[str, Exposure]:
    """The exposure of every Service and every workload, by id."""
    result = {s.id: service_exposure(graph, s, internal_classes) for s in graph.model.services}
    for workload in graph.model.workloads:
        result[workload.id] = workload_exposure(graph, workload, result)
    return dict(sorted(result.items()))


def router_levels(graph: Graph, internal_classes: frozenset[str] = frozenset()) -> dict[str, str]:
    """The level each Ingress, route and Gateway opens: internet, or network
    for an internal class. Mesh routes open nothing and are left out."""
    levels: dict[str, str] = {}
    for node in graph.nodes.values():
        if node.kind == "Ingress" or node.kind in ROUTE_KINDS:
            level = router_level(graph, node.id, internal_classes)
        elif node.kind == "Gateway":
            level = "network" if getattr(node, "class_name", None) in internal_classes else "internet"
        else:
            continue
        if level is not None:
            levels[node.id] = level
    return levels
