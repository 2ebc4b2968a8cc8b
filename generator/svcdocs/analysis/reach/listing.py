"""Every allowed connection as netpol-analyzer's `list` prints it: `src => dst : conn`.

Endpoints are workloads (`ns/name[Kind]`), ranges of addresses outside the
cluster (`a.b.c.d-e.f.g.h[External]`) and `{ingress-controller}`, the source of
the traffic that Ingresses and routes bring in. Pairs are expanded from the
engine's classes here, and only here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from svcdocs.analysis.reach import addresses, ports
from svcdocs.analysis.reach.engine import STAND_IN, Engine, Pod, PodClass
from svcdocs.analysis.reach.ports import NONE, Conn
from svcdocs.analysis.reach.routers import RouterBackend, controller_conn

EXTERNAL = "[External]"


@dataclass(frozen=True, slots=True)
class Endpoint:
    name: str  # as printed
    sort_key: tuple
    namespace: str | None = None  # None: outside the cluster, or the stand-in controller
    external: tuple[int, int, int] | None = None  # (version, low, high) of an address range
    place: str | None = None  # a named place outside the cluster


@dataclass
class Connection:
    src: Endpoint
    dst: Endpoint
    conn: Conn = NONE
    # What made it, for --explain: class pairs, address blocks, router backends.
    classes: list[tuple[PodClass, PodClass]] = field(default_factory=list)
    outside: list[PodClass] = field(default_factory=list)  # the workload side of an address pair
    routers: list[RouterBackend] = field(default_factory=list)


def workload_endpoint(pod: Pod) -> Endpoint:
    return Endpoint(pod.endpoint, (1, pod.endpoint), pod.namespace)


def external_endpoint(version: int, low: int, high: int) -> Endpoint:
    return Endpoint(addresses.text(version, low, high) + EXTERNAL, (0, version, low, high), None, (version, low, high))


def place_endpoint(name: str) -> Endpoint:
    """A named place outside the cluster (Cilium's toFQDNs), as an ExternalName's target is named."""
    return Endpoint(name + EXTERNAL, (0, 0, name), None, None, name)


CONTROLLER = Endpoint(STAND_IN, (2, STAND_IN))


def connections(engine: Engine, backends: list[RouterBackend], focus: set[str] | None = None,
                denied: bool = False) -> list[Connection]:
    """Every pair of endpoints with an allowed connection, sorted. With
    `focus` (endpoint names), only pairs that touch one of them; with
    `denied`, also the pairs of workloads that policies keep apart (`No
    Connections`), for explaining."""
    found: dict[tuple[str, str], Connection] = {}

    def add(src: Endpoint, dst: Endpoint, conn: Conn) -> Connection | None:
        if focus is not None and src.name not in focus and dst.name not in focus:
            return None
        key = (src.name, dst.name)
        connection = found.get(key)
        if connection is None:
            connection = found[key] = Connection(src, dst)
        connection.conn = ports.union(connection.conn, conn)
        return connection

    listed = [c for c in engine.classes if any(p is not engine.stand_in for p in c.members)]
    for target in listed:
        for source in (listed if denied else engine.sources(target)):
            conn = engine.conn(source, target)
            if ports.empty(conn) and not (denied and (target.isolated_ingress or source.isolated_egress)):
                continue
            for src in source.members:
                for dst in target.members:
                    if src is engine.stand_in or dst is engine.stand_in or src.endpoint == dst.endpoint:
                        continue
                    made = add(workload_endpoint(src), workload_endpoint(dst), conn)
                    if made is not None:
                        made.classes.append((source, target))
    for pod_class in listed:
        for place in engine.places:
            conn = engine.to_place(pod_class, place)
            if conn is None or ports.empty(conn):
                continue
            for pod in pod_class.members:
                if pod is not engine.stand_in:
                    made = add(workload_endpoint(pod), place_endpoint(place), conn)
                    if made is not None:
                        made.outside.append(pod_class)
        for version in engine.families:
            inbound = list(engine.ranges(engine.from_outside(pod_class, version)))
            outbound = list(engine.ranges(engine.to_outside(pod_class, version)))
            for pod in pod_class.members:
                if pod is engine.stand_in:
                    continue
                for low, high, conn in inbound:
                    made = add(external_endpoint(version, low, high), workload_endpoint(pod), conn)
                    if made is not None:
                        made.outside.append(pod_class)
                for low, high, conn in outbound:
                    made = add(workload_endpoint(pod), external_endpoint(version, low, high), conn)
                    if made is not None:
                        made.outside.append(pod_class)
    for backend in backends:
        for pod in backend.pods:
            conn = controller_conn(engine, engine.stand_in, backend, pod)
            if not ports.empty(conn):
                made = add(CONTROLLER, workload_endpoint(pod), conn)
                if made is not None:
                    made.routers.append(backend)
    return sorted(found.values(), key=lambda c: (c.src.sort_key, c.dst.sort_key))


def endpoints_named(engine: Engine, wanted: str) -> set[str]:
    """The endpoints that `--focus` means: `name`, `ns/name`, `ns/name[Kind]`,
    or a svcdocs id `Kind/ns/name` (of the workload, or of a Pod it owns)."""
    found = set()
    for pod in engine.pods:
        namespace_name = pod.endpoint.rsplit("[", 1)[0]
        if wanted in (pod.endpoint, namespace_name, namespace_name.split("/", 1)[1], pod.workload):
            found.add(pod.endpoint)
    if wanted == STAND_IN:
        found.add(STAND_IN)
    return found
