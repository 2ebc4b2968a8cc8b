"""entrypoint-blocked-by-policy: a declared way in that the NetworkPolicies block."""

from __future__ import annotations

from svcdocs.analysis import EntryPoint
from svcdocs.analysis.reach.entries import OUTSIDE, OUTSIDE_KINDS, UNKNOWN_CONTROLLER, EntryPolicy, targets_of
from svcdocs.model import Object, Router, Service, Workload
from svcdocs.rules.context import Context, Hit, listed, named, policy_label

ID = "entrypoint-blocked-by-policy"
SEVERITY = "error"
SUMMARY = "A way in (Ingress, route, LoadBalancer, NodePort, hostPort) whose traffic the network policies admit nowhere."
RATIONALE = (
    "A LoadBalancer, a NodePort or an Ingress promises that clients can get in, but the pods behind it "
    "accept only what the NetworkPolicies that select them allow. When those policies admit neither "
    "the addresses outside the cluster nor the ingress controller on the port the traffic arrives at, "
    "the way in is dead: clients time out, health checks fail, and the load balancer keeps costing "
    "money. It usually follows a new Ingress path or Service type without the matching allow rule, "
    "or a default-deny policy added to the namespace."
)
FIX = ("Add an ingress rule that admits the traffic's source (the ingress controller's namespace, or an "
       "ipBlock for addresses outside the cluster) on the container port, or remove the way in.")
EXAMPLE = """\
kind: Service
metadata: {name: catalog, namespace: shop}
spec:
  type: LoadBalancer            # but shop admits only its own pods:
---
kind: NetworkPolicy
metadata: {name: allow-same-namespace, namespace: shop}
spec:
  podSelector: {}
  ingress: [{from: [{podSelector: {}}]}]
"""
USE_INSTEAD = """\
kind: NetworkPolicy
metadata: {name: allow-catalog-public, namespace: shop}
spec:
  podSelector: {matchLabels: {app: catalog}}
  ingress:
    - from: [{ipBlock: {cidr: 0.0.0.0/0}}]
      ports: [{port: 8080}]
"""


def check(ctx: Context):
    seen = set()
    backend_lines: dict[tuple, int] = {}  # (router, host, path, Service name) -> the backend's line
    for hop in ctx.graph.hops:
        backend_lines.setdefault((hop.router, hop.host, hop.path, hop.backend.name), hop.backend.line)
    for entry, policy in sorted(ctx.analysis.reach.entries.items(), key=lambda item: item[0].sort_key()):
        if policy.state != "blocked" or not policy.workloads:
            continue
        via = ctx.graph.nodes.get(entry.via)
        if not isinstance(via, Object):
            continue
        line = _line(entry, via, backend_lines)
        key = (via.id, line, entry.service, entry.port)
        if key not in seen:
            seen.add(key)
            yield Hit(via, line, _message(ctx, entry, via, policy))


def _message(ctx: Context, entry: EntryPoint, via: Object, policy: EntryPolicy) -> str:
    workloads = [named(ctx.graph.nodes[w]) for w, _ in policy.workloads]
    policies = listed(policy_label(p) for p in policy.policies)
    carrier = ("addresses outside the cluster" if policy.carrier == OUTSIDE else
               "an ingress controller in another namespace" if policy.carrier == UNKNOWN_CONTROLLER else
               f"its ingress controller ({listed(named(ctx.graph.nodes[w]) for w in policy.carrier.split(', '))})")
    targets = {t for w, _ in policy.workloads for t in targets_of(ctx.graph, entry, ctx.graph.nodes[w])}
    where = ", ".join(str(port) if protocol == "TCP" else f"{port}/{protocol}" for protocol, port in sorted(targets))
    kinds = "NetworkPolicies" if all(p.startswith("NetworkPolicy/") for p in policy.policies) else "network policies"
    return (f"{_way_in(ctx, entry, via)}, but the {kinds} that select {listed(workloads)} "
            f"({policies}) admit nothing from {carrier} on port {where}, so this way in carries no traffic.")


def _way_in(ctx: Context, entry: EntryPoint, via: Object) -> str:
    service = ctx.graph.nodes.get(entry.service or "")
    target = f"Service {service.namespace}/{service.name} port {entry.port}" if isinstance(service, Service) else ""
    if entry.kind not in OUTSIDE_KINDS:
        what = f"requests for {entry.host or ''}{entry.path or ''}" if entry.host or entry.path else "its traffic"
        return f"{named(via)} sends {what} to {target}"
    if entry.kind == "loadbalancer":
        return f"{named(via)} is a LoadBalancer on port {entry.port}"
    if entry.kind == "nodeport":
        return f"{named(via)} opens NodePort {entry.node_port or ''} for port {entry.port}".replace("  ", " ")
    if entry.kind == "external-ip":
        return f"{named(via)} takes traffic for its externalIPs on port {entry.port}"
    return f"{named(via)} binds hostPort {entry.port}"


def _line(entry: EntryPoint, via: Object, backend_lines: dict[tuple, int]) -> int:
    """The line of the way in: the backend of a router's way, the Service's
    type or externalIPs, the container port bound on the host."""
    service_name = entry.service.rsplit("/", 1)[-1] if entry.service else None
    if isinstance(via, Router):
        return backend_lines.get((via.id, entry.host, entry.path, service_name), via.name_line)
    if isinstance(via, Service):
        if entry.kind == "external-ip" and via.external_ips_line:
            return via.external_ips_line
        return via.type_line or via.name_line
    if isinstance(via, Workload):
        for container in via.containers:
            for port in container.ports:
                if port.host_port == entry.port or (via.host_network and port.number == entry.port):
                    return port.line
    return via.name_line
