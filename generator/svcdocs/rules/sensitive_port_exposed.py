"""sensitive-port-exposed: a database, cache, queue, coordination or admin port behind an entry point."""

from __future__ import annotations

from svcdocs.analysis import EntryPoint
from svcdocs.model import Ingress, Route, Service, Workload
from svcdocs.rules.context import Context, Hit, named

ID = "sensitive-port-exposed"
SEVERITY = "error"
SECURITY_SEVERITY = "8.6"  # code scanning: a database, cache or admin port reachable from outside the cluster
SUMMARY = ("A well-known database, cache, queue, coordination or admin port reachable through an entry point "
           "(an error from the internet, a warning from the private network or the nodes).")
RATIONALE = (
    "Databases, caches, message brokers, coordination stores and admin consoles are built to be reached "
    "by the services next to them, not by the world: many accept connections without authentication by "
    "default, and all are scanned for and attacked within minutes of appearing on a public address. "
    "Behind a LoadBalancer, an Ingress or route, an external IP, a NodePort or a hostPort, the port is "
    "reachable from outside the cluster. The ports checked are those of the Service (or hostPort) and "
    "the container ports they lead to."
)
FIX = ("Keep the Service ClusterIP and let only the workloads that need it connect (a NetworkPolicy), or put "
       "an authenticated proxy or VPN in front of it; for a private load balancer, restrict its source ranges.")
EXAMPLE = """\
kind: Service
metadata: {name: orders-db}
spec:
  type: LoadBalancer
  ports: [{port: 5432}]
"""
USE_INSTEAD = """\
kind: Service
metadata: {name: orders-db}
spec:
  type: ClusterIP
  ports: [{port: 5432}]
"""
# Ports that no one outside the cluster should reach, by what usually listens there.
SENSITIVE_PORTS = {
    1433: "SQL Server", 1521: "Oracle Database", 2181: "ZooKeeper", 2375: "the Docker API",
    2376: "the Docker API", 2379: "etcd", 2380: "etcd peers", 3306: "MySQL", 4222: "NATS",
    5432: "PostgreSQL", 5672: "RabbitMQ (AMQP)", 5984: "CouchDB", 6379: "Redis", 7687: "Neo4j (Bolt)",
    8086: "InfluxDB", 8500: "Consul", 8888: "Jupyter",
    9042: "Cassandra (CQL)", 9092: "Kafka", 9200: "Elasticsearch", 9300: "Elasticsearch (transport)",
    10250: "the kubelet API", 11211: "Memcached", 11434: "Ollama", 15672: "RabbitMQ management",
    26257: "CockroachDB", 27017: "MongoDB", 27018: "MongoDB", 28015: "RethinkDB",
}
PLACES = {"internet": "the internet", "network": "the private network", "node": "anything that reaches a node"}


def check(ctx: Context):
    seen: set[tuple[str, str, int]] = set()
    for entry in ctx.analysis.entrypoints:
        if entry.level not in PLACES:
            continue
        for number in _ports(ctx, entry):
            via = ctx.graph.get(entry.via)
            if via is None or not hasattr(via, "file") or (entry.via, entry.service or "", number) in seen:
                continue
            seen.add((entry.via, entry.service or "", number))
            target = f" of Service {entry.service.split('/', 2)[2]}" if entry.service and entry.service != entry.via else ""
            opened = entry.port if isinstance(entry.port, int) else number
            leads = f", where {SENSITIVE_PORTS[number]} listens," if opened == number else \
                f", which leads to port {number} where {SENSITIVE_PORTS[number]} listens,"
            door = f"port {opened}"
            if entry.kind == "nodeport":
                door = f"{f'node port {entry.node_port}' if entry.node_port else 'a node port'} for port {opened}"
            yield Hit(via, _line(ctx, via, entry),
                      f"{named(via)} opens {door}{target}{leads} to {PLACES[entry.level]} ({_how(entry)}), "
                      f"so it is exposed to scans and attacks.",
                      severity="error" if entry.level == "internet" else "warning")
            break  # one finding per way in


def _ports(ctx: Context, entry: EntryPoint) -> list[int]:
    """The sensitive numbers among the entry's port and the container ports it leads to."""
    numbers = [entry.port] if isinstance(entry.port, int) else []
    if entry.service:
        service = ctx.graph.get(entry.service)
        index = next((i for i, p in enumerate(getattr(service, "ports", ())) if p.port == entry.port), None)
        if index is not None:
            target = service.ports[index].target
            numbers += [target] if isinstance(target, int) else []
            for edge in ctx.graph.edges_from(entry.service, "selects"):
                if index < len(edge.ports) and edge.ports[index].container_port:
                    numbers.append(edge.ports[index].container_port)
    return [n for n in dict.fromkeys(numbers) if n in SENSITIVE_PORTS]


def _how(entry: EntryPoint) -> str:
    if entry.kind == "loadbalancer" and entry.level == "network":
        return "an internal LoadBalancer"
    return {"loadbalancer": "a LoadBalancer", "external-ip": "an external IP", "nodeport": "a NodePort",
            "host-port": "a hostPort", "ingress": "an Ingress", "route": "a route"}.get(entry.kind, entry.kind)


def _line(ctx: Context, via, entry: EntryPoint) -> int:
    """The line of the field that opens the port: the Service port, the router's
    backend, the container port."""
    if isinstance(via, Service):
        return next((p.line for p in via.ports if p.port == entry.port), via.type_line or via.name_line)
    if isinstance(via, Ingress) and entry.service:
        name = entry.service.split("/", 2)[2]
        backends = [p.backend for r in via.rules for p in r.paths] + [via.default_backend]
        return next((b.line for b in backends if b is not None and b.service == name), via.name_line)
    if isinstance(via, Route) and entry.service:
        return next((b.line for r in via.rules for b in r.backends if b.id == entry.service), via.name_line)
    if isinstance(via, Workload):
        return next((p.line for c in via.containers for p in c.ports
                     if entry.port in (p.host_port, p.number)), via.name_line)
    return via.name_line
