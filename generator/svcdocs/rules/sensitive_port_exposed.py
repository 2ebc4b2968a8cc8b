"""sensitive-port-exposed: a database, cache, queue, coordination or admin port behind an entry point."""

from __future__ import annotations

import re

from svcdocs.analysis import EntryPoint
from svcdocs.model import Ingress, Route, Service, Workload
from svcdocs.model.pods import repository
from svcdocs.rules.context import Context, Hit, named

ID = "sensitive-port-exposed"
SEVERITY = "error"
SECURITY_SEVERITY = "8.6"  # code scanning: a database, cache or admin port reachable from outside the cluster
SUMMARY = ("A well-known database, cache, queue, coordination or admin port reachable through an entry point "
           "(an error from the internet when the image, container or port name says what listens there; a warning "
           "from the private network or the nodes, or from the port number alone).")
RATIONALE = (
    "Databases, caches, message brokers, coordination stores and admin consoles are built to be reached "
    "by the services next to them, not by the world: many accept connections without authentication by "
    "default, and all are scanned for and attacked within minutes of appearing on a public address. "
    "Behind a LoadBalancer, an Ingress or route, an external IP, a NodePort or a hostPort, the port is "
    "reachable from outside the cluster. The ports checked are those of the Service (or hostPort) and "
    "the container ports they lead to. A number alone proves little (an echo server on 8888 is no Jupyter): "
    "it is an error only when the image, the container's name or the port's name says what listens there, "
    "and a warning that says so otherwise."
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
# Words that, in an image, a container's name or a port's name, say that what
# usually listens on the port does listen there.
EVIDENCE = {
    1433: ("mssql", "sqlserver", "sql-server"), 1521: ("oracle",), 2181: ("zookeeper", "zk"),
    2375: ("docker", "dind"), 2376: ("docker", "dind"), 2379: ("etcd",), 2380: ("etcd",),
    3306: ("mysql", "mariadb", "percona", "vitess"), 4222: ("nats",),
    5432: ("postgres", "postgis", "pgbouncer", "timescale", "cloudnative-pg", "spilo", "pgvector", "pg"),
    5672: ("rabbitmq", "amqp"), 5984: ("couchdb",), 6379: ("redis", "valkey", "keydb", "dragonfly"),
    7687: ("neo4j", "bolt"), 8086: ("influx",), 8500: ("consul",), 8888: ("jupyter", "notebook"),
    9042: ("cassandra", "scylla", "cql"), 9092: ("kafka", "redpanda"), 9200: ("elasticsearch", "opensearch", "elastic"),
    9300: ("elasticsearch", "opensearch", "elastic"), 10250: ("kubelet",), 11211: ("memcached",),
    11434: ("ollama",), 15672: ("rabbitmq",), 26257: ("cockroach",), 27017: ("mongo",), 27018: ("mongo",),
    28015: ("rethinkdb",),
}
_WORDS = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
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
            evidence = _evidence(ctx, entry, number)
            listens = "listens" if evidence else "usually listens"
            leads = f", where {SENSITIVE_PORTS[number]} {listens}," if opened == number else \
                f", which leads to port {number} where {SENSITIVE_PORTS[number]} {listens},"
            door = f"port {opened}"
            if entry.kind == "nodeport":
                door = f"{f'node port {entry.node_port}' if entry.node_port else 'a node port'} for port {opened}"
            alone = "" if evidence else (", though only its number says what listens there (no image, container "
                                         "or port name names it)")
            yield Hit(via, _line(ctx, via, entry),
                      f"{named(via)} opens {door}{target}{leads} to {PLACES[entry.level]} ({_how(entry)}), "
                      f"so it is exposed to scans and attacks{alone}.",
                      severity="error" if entry.level == "internet" and evidence else "warning")
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


def _evidence(ctx: Context, entry: EntryPoint, number: int) -> bool:
    """Whether the image, the name of a container or the name of a port
    that the way in leads to says what usually listens on `number`."""
    words = EVIDENCE.get(number, ())
    names: list[str] = []
    service = ctx.graph.get(entry.service) if entry.service else None
    names += [p.name or "" for p in getattr(service, "ports", ())]
    for workload_id in entry.workloads:
        workload = ctx.graph.get(workload_id)
        for container in getattr(workload, "containers", ()):
            ports = [p for p in container.ports if number in (p.number, p.host_port)]
            if ports or not container.ports:
                names += [container.name, repository(container.image)] + [p.name or "" for p in ports]
    found = {w for name in names for w in _WORDS.findall(name.lower())} | \
        {part for name in names for w in _WORDS.findall(name.lower()) for part in w.split("-")}
    return any(word in found for word in words)


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
