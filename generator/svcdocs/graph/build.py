"""Build the graph from the model: one pass per edge kind, through indexes."""

from __future__ import annotations

from collections import defaultdict
from itertools import islice

from svcdocs.graph.labels import LabelIndex
from svcdocs.graph.routing import GATEWAY_KINDS, Hop, Routing
from svcdocs.graph.types import INTERNET, Edge, Graph, Node, PortMapping, Synthetic
from svcdocs.model import EnvRef, Model, Service, Workload, object_id

# Edges can grow as Services x workloads from a small file; real repositories
# of 10,000 Services have about 25,000.
MAX_EDGES = 250_000
# A route's ways grow as hostnames x paths x backends, and each one is an edge
# and an entry point: 2,400 hostnames x 2,400 backends fit in 94 KB. Real
# routers have a few hundred.
MAX_HOPS = 50_000
TRUNCATED = ("more than {limit:,} edges (a limit against hostile input: selectors that match everything); "
             "the graph shows the first {limit:,}")
TRUNCATED_HOPS = ("more than {limit:,} routes of a host and path to a backend (a limit against hostile input: "
                  "routers with many hostnames, paths and backends); the graph shows the first {limit:,}")


def build_graph(model: Model) -> Graph:
    nodes: dict[str, Node] = {obj.id: obj for obj in model.objects()}
    nodes[INTERNET.id] = INTERNET
    services = {s.id: s for s in model.services}
    index = LabelIndex(model.workloads)
    routing = Routing(model)
    hops = list(islice(routing.hops(), MAX_HOPS + 1))
    truncated = []
    if len(hops) > MAX_HOPS:
        del hops[MAX_HOPS:]
        truncated.append(TRUNCATED_HOPS.format(limit=MAX_HOPS))
    edges: list[Edge] = []
    for kind in (_selects(model, index), _configures(model, index), _route_edges(hops, routing, services, nodes),
                 _attaches(routing, nodes), _aliases(model, nodes), _calls(model, services, edges),
                 _isolates(model, index)):
        edges.extend(islice(kind, MAX_EDGES - len(edges) + 1))
        if len(edges) > MAX_EDGES:
            del edges[MAX_EDGES:]
            truncated.append(TRUNCATED.format(limit=MAX_EDGES))
            break
    unique = sorted(set(edges), key=Edge.sort_key)
    outgoing: dict[str, list[Edge]] = defaultdict(list)
    incoming: dict[str, list[Edge]] = defaultdict(list)
    outgoing_by_kind: dict[tuple[str, str], list[Edge]] = defaultdict(list)
    incoming_by_kind: dict[tuple[str, str], list[Edge]] = defaultdict(list)
    for edge in unique:
        outgoing[edge.source].append(edge)
        incoming[edge.target].append(edge)
        outgoing_by_kind[(edge.source, edge.kind)].append(edge)
        incoming_by_kind[(edge.target, edge.kind)].append(edge)
    return Graph(
        model=model,
        nodes=dict(sorted(nodes.items())),
        edges=tuple(unique),
        outgoing={k: tuple(v) for k, v in outgoing.items()},
        incoming={k: tuple(v) for k, v in incoming.items()},
        outgoing_by_kind=dict(outgoing_by_kind),  # lists, never changed: a copy of each would cost a tenth of a second
        incoming_by_kind=dict(incoming_by_kind),
        truncated="; ".join(truncated) or None,
        hops=tuple(hops),
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


def service_port_number(service: Service | None, port: int | str | None, target_port: bool = False) -> int | str | None:
    """A backend's port as the Service port number, resolving a port name (or,
    for `target_port`, a number the Service's targetPort names)."""
    if service is None:
        return port
    for p in service.ports:
        if (isinstance(port, str) and p.name == port) or (target_port and isinstance(port, int) and p.target == port):
            return p.port
    if len(service.ports) == 1 and (port is None or target_port):
        return service.ports[0].port  # the only port: where a backend without one (or a pod port) goes
    return port


def _configures(model: Model, index: LabelIndex):
    """An Istio Gateway to the proxy pods its selector picks, in any
    namespace (as Istio does by default), with its servers' ports."""
    for gateway in model.gateways:
        if not gateway.selector:
            continue
        ports = sorted({listener.port for listener in gateway.listeners if listener.port is not None})
        for workload in index.matching_anywhere(gateway.selector):
            declared = {p.number for c in workload.containers for p in c.ports}
            yield Edge(gateway.id, workload.id, "configures",
                       ports=tuple(PortMapping(port, port, port if port in declared else None) for port in ports))


def _route_edges(hops: list[Hop], routing: Routing, services: dict[str, Service], nodes: dict[str, Node]):
    """A router to the Service (or the workload that serves by itself) each
    of its hops reaches, unless a ReferenceGrant is missing."""
    reached: dict[tuple[str, int], tuple[str, int | str | None] | None] = {}  # per router and backend, not per hop
    for hop in hops:
        key = (hop.router, id(hop.backend))  # a way's backends are shared by all its hops
        if key not in reached:
            reached[key] = _reached(hop, routing, services, nodes)
        if reached[key] is not None:
            target, port = reached[key]
            yield Edge(hop.router, target, "routes", host=hop.host, path=hop.path, port=port)


def _reached(hop: Hop, routing: Routing, services: dict[str, Service], nodes: dict[str, Node]):
    """The Service (or workload) and port a hop's backend reaches, or None."""
    backend = hop.backend
    target = backend.id
    if target == hop.router or target not in nodes or target in routing.delegates:
        return None
    if not isinstance(nodes[target], (Service, Workload)) or not routing.granted(routing.routers[hop.router], backend):
        return None
    return target, service_port_number(services.get(target), backend.port, backend.target_port)


def _attaches(routing: Routing, nodes: dict[str, Node]):
    """A router to what it hangs on: its Gateways (or listeners), the Service
    of mesh routing, the routers that delegate to it; a ListenerSet to its
    Gateway. A Gateway that lives elsewhere gets a node of its own."""
    for router in routing.routers.values():
        for parent in router.parents:
            _gateway_node(parent, nodes)
            yield Edge(router.id, parent.id, "attaches", listener=parent.section)
        for way in router.ways:
            for backend in way.backends:
                if backend.id in routing.delegates and backend.id != router.id:
                    yield Edge(backend.id, router.id, "attaches")
    for gateway in routing.gateways.values():
        for parent in gateway.parents:
            _gateway_node(parent, nodes)
            yield Edge(gateway.id, parent.id, "attaches", listener=parent.section)


def _gateway_node(parent, nodes: dict[str, Node]) -> None:
    if parent.id not in nodes and parent.kind in GATEWAY_KINDS:
        nodes[parent.id] = Synthetic(parent.id, parent.kind.split(".", 1)[0], parent.name, parent.namespace)


def _aliases(model: Model, nodes: dict[str, Node]):
    """An ExternalName Service to its target; an Istio ServiceEntry to each
    of its hosts outside the mesh."""
    for service in model.services:
        if service.type == "ExternalName" and service.external_name:
            yield Edge(service.id, _external(service.external_name, nodes), "aliases")
    for entry in model.service_entries:
        if entry.external:
            for host in entry.hosts:
                yield Edge(entry.id, _external(host, nodes), "aliases")


def _external(name: str, nodes: dict[str, Node]) -> str:
    name = name.lower().rstrip(".")
    external = Synthetic(f"External/{name}", "External", name)
    nodes.setdefault(external.id, external)
    return external.id


def _calls(model: Model, services: dict[str, Service], edges: list[Edge]):
    """A workload to the Services that its variables (its own, and those of
    the ConfigMaps it imports with `envFrom`), its args and its command
    name. A Service that selects the workload itself is no call: a variable
    that names the workload's own Service (`OTEL_SERVICE_NAME`, a database's
    own address in the ConfigMap it shares with its clients) says who it is.
    `edges` holds the `selects` edges by the time this runs."""
    own = {(e.target, e.source) for e in edges if e.kind == "selects"}
    config_maps = {u.id: u.refs for u in model.inputs.unmodelled if u.refs}
    for workload in model.workloads:
        variables: dict[str, set[str]] = defaultdict(set)
        for container in workload.containers:
            refs = list(container.env_refs)
            for name, prefix in container.env_from:
                refs += [EnvRef(prefix + r.variable, r.host, r.line)
                         for r in config_maps.get(object_id("ConfigMap", workload.namespace, name), ())]
            for ref in refs:
                target = service_named(ref.host, workload.namespace)
                if target in services and (workload.id, target) not in own:
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
