"""Build the graph from the model: one pass per edge kind, through indexes."""

from __future__ import annotations

from collections import defaultdict
from itertools import islice

from svcdocs.graph.labels import LabelIndex
from svcdocs.graph.types import INTERNET, Edge, Graph, Node, PortMapping, Synthetic
from svcdocs.model import Ingress, Model, Route, Service, Workload, object_id

# Edges can grow as Services x workloads from a small file; real repositories of
# 10,000 Services have about 25,000.
MAX_EDGES = 250_000


def build_graph(model: Model) -> Graph:
    nodes: dict[str, Node] = {obj.id: obj for obj in model.objects()}
    nodes[INTERNET.id] = INTERNET
    services = {s.id: s for s in model.services}
    index = LabelIndex(model.workloads)
    edges: list[Edge] = []
    truncated = None
    for kind in (_selects(model, index), _ingress_routes(model, services), _route_edges(model, services, nodes),
                 _aliases(model, nodes), _calls(model, services), _isolates(model, index)):
        edges.extend(islice(kind, MAX_EDGES - len(edges) + 1))
        if len(edges) > MAX_EDGES:
            del edges[MAX_EDGES:]
            truncated = (f"more than {MAX_EDGES:,} edges (a limit against hostile input: selectors that match "
                         f"everything, routes with many hostnames); the graph shows the first {MAX_EDGES:,}")
            break
    unique = sorted(set(edges), key=Edge.sort_key)
    outgoing: dict[str, list[Edge]] = defaultdict(list)
    incoming: dict[str, list[Edge]] = defaultdict(list)
    for edge in unique:
        outgoing[edge.source].append(edge)
        incoming[edge.target].append(edge)
    return Graph(
        model=model,
        nodes=dict(sorted(nodes.items())),
        edges=tuple(unique),
        outgoing={k: tuple(v) for k, v in outgoing.items()},
        incoming={k: tuple(v) for k, v in incoming.items()},
        truncated=truncated,
        pods=index,
    )


def _selects(model: Model, index: LabelIndex):
    for service in model.services:
        if service.selector and service.type != "ExternalName":
            for workload in index.matching(service.namespace, service.selector):
                yield Edge(service.id, workload.id, "selects", ports=port_mappings(service, workload))


def port_mappings(service: Service, workload: Workload) -> tuple[PortMapping, ...]:
    """`port -> targetPort -> containerPort`; a named targetPort is looked up
    among the workload's container ports."""
    named = {}
    for container in workload.containers:
        for port in container.ports:
            if port.name:
                named.setdefault(port.name, port.number)
    mappings = []
    for port in service.ports:
        target = port.target
        container_port = named.get(target) if isinstance(target, str) else target
        mappings.append(PortMapping(port.port, target, container_port))
    return tuple(mappings)


def service_port_number(service: Service | None, port: int | str | None) -> int | str | None:
    """A backend's port as the Service port number, resolving a port name."""
    if isinstance(port, str) and service is not None:
        for p in service.ports:
            if p.name == port:
                return p.port
    return port


def _ingress_routes(model: Model, services: dict[str, Service]):
    for ingress in model.ingresses:
        for host, path, backend in ingress_backends(ingress):
            target = object_id("Service", ingress.namespace, backend.service)
            if target in services:
                port = service_port_number(services[target], backend.port)
                yield Edge(ingress.id, target, "routes", host=host, path=path, port=port)


def ingress_backends(ingress: Ingress):
    """(host, path, backend) for every rule path, and the default backend
    (no host, no path). A rule path without `path` serves `/`."""
    if ingress.default_backend is not None:
        yield None, None, ingress.default_backend
    for rule in ingress.rules:
        for path in rule.paths:
            yield rule.host, path.path or "/", path.backend


def _route_edges(model: Model, services: dict[str, Service], nodes: dict[str, Node]):
    for route in model.routes:
        for parent in route.parents:
            if parent.id not in nodes and parent.kind == "Gateway":
                nodes[parent.id] = Synthetic(parent.id, "Gateway", parent.name, parent.namespace)
            yield Edge(route.id, parent.id, "attaches", listener=parent.section)
        for host, path, backend in route_backends(route):
            if backend.kind == "Service" and backend.id in services:
                yield Edge(route.id, backend.id, "routes", host=host, path=path, port=backend.port)


def route_backends(route: Route):
    """(host, path, backendRef) for every hostname, path and backend of a route.
    A route without hostnames gives no host; TCP, TLS and UDP routes no path."""
    for rule in route.rules:
        for backend in rule.backends:
            for host in route.hostnames or (None,):
                for path in rule.paths or (None,):
                    yield host, path, backend


def _aliases(model: Model, nodes: dict[str, Node]):
    for service in model.services:
        if service.type == "ExternalName" and service.external_name:
            name = service.external_name.lower()
            external = Synthetic(f"External/{name}", "External", name)
            nodes.setdefault(external.id, external)
            yield Edge(service.id, external.id, "aliases")


def _calls(model: Model, services: dict[str, Service]):
    for workload in model.workloads:
        variables: dict[str, set[str]] = defaultdict(set)
        for container in workload.containers:
            for ref in container.env_refs:
                target = service_named(ref.host, workload.namespace)
                if target in services:
                    variables[target].add(ref.variable)
        for target, names in variables.items():
            yield Edge(workload.id, target, "calls", env=tuple(sorted(names)))


def service_named(host: str, namespace: str) -> str | None:
    """The Service id a cluster DNS name refers to: `svc`, `svc.ns`,
    `svc.ns.svc[.cluster.local]`, or a pod of a headless Service
    (`pod.svc.ns.svc[.cluster.local]`)."""
    parts = host.split(".")
    if len(parts) == 1:
        return object_id("Service", namespace, parts[0])
    if len(parts) == 2:
        return object_id("Service", parts[1], parts[0])
    if parts[2] == "svc":
        return object_id("Service", parts[1], parts[0])
    if len(parts) >= 4 and parts[3] == "svc":
        return object_id("Service", parts[2], parts[1])
    return None


def _isolates(model: Model, index: LabelIndex):
    for policy in model.network_policies:
        for workload in index.selecting(policy.namespace, policy.pod_selector):
            yield Edge(policy.id, workload.id, "isolates")
