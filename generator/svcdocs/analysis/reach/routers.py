"""Traffic that Ingresses and routes bring in: from the controller's pods to
the workloads behind each backend Service, on the pods' ports.

The port is the backend's Service port (matched by name, `port` or
`targetPort`; no port named: every port of the Service), then its targetPort
(its `port` when unset), a named targetPort looked up in the pod's container
ports; TCP only, and only a port the pod declares, as netpol-analyzer has it.
"""

from __future__ import annotations

from dataclasses import dataclass

from svcdocs.analysis.reach import ports
from svcdocs.analysis.reach.engine import Engine, Pod
from svcdocs.analysis.reach.ports import NONE, Conn
from svcdocs.graph import Graph
from svcdocs.model import Ingress, Service

OPENSHIFT_ROUTE = "Route"  # route.openshift.io: served by the cluster's router, like an Ingress


@dataclass(frozen=True, slots=True)
class RouterBackend:
    router: str  # the Ingress or route id
    service: Service
    port: int | str | None  # the Service port the router names; None: every port
    pods: tuple[Pod, ...]  # the endpoints the Service selects


def router_backends(engine: Engine, graph: Graph, router_levels: dict[str, str]) -> list[RouterBackend]:
    """Every (router, Service, port) whose traffic comes from an ingress
    controller: Ingresses, OpenShift Routes, and routes attached to a Gateway
    (mesh routes are traffic inside the cluster, not brought in)."""
    pods_of = {pod.workload: pod for pod in engine.pods}
    found = []
    for edge in graph.edges:
        if edge.kind != "routes":
            continue
        router = graph.nodes[edge.source]
        if not (isinstance(router, Ingress) or router.kind == OPENSHIFT_ROUTE or edge.source in router_levels):
            continue
        service = graph.nodes.get(edge.target)
        if not isinstance(service, Service) or service.selector is None:
            continue
        pods = tuple(pods_of[e.target] for e in graph.edges_from(service.id, "selects") if e.target in pods_of)
        found.append(RouterBackend(edge.source, service, edge.port, pods))
    return found


def backend_ports(service: Service, required: int | str | None, pod: Pod) -> Conn:
    """The TCP ports of `pod` that the router reaches through `service`."""
    found = NONE
    for port in _service_ports(service, required):
        target = port.target
        if isinstance(target, str):
            named = pod.named_port(target)
            if named is None or named.protocol != "TCP":
                continue
            target = named.number
        if target is not None and any(p.number == target for p in pod.ports):
            found = ports.union(found, ports.conn("TCP", target))
    return found


def _service_ports(service: Service, required: int | str | None):
    if required is None:
        return service.ports
    for port in service.ports:
        if (port.name and port.name == required) or port.port == required or (
                port.target_port is not None and port.target_port == required):
            return (port,)
    return ()


def controller_conn(engine: Engine, controller: Pod, backend: RouterBackend, pod: Pod) -> Conn:
    """What reaches `pod` from `controller` through `backend`: its ports, as
    far as the policies on both sides allow."""
    wanted = backend_ports(backend.service, backend.port, pod)
    if ports.empty(wanted):
        return NONE
    return ports.intersection(wanted, engine.conn(engine.pod_class(controller), engine.pod_class(pod)))
