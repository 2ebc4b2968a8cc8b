"""unresolved-target-port: a Service targetPort that the selected containers do not declare."""

from __future__ import annotations

from svcdocs.model import Workload
from svcdocs.model.pods import image_is, repository
from svcdocs.rules.context import Context, Hit, listed, named

ID = "unresolved-target-port"
SEVERITY = "error"
SUMMARY = ("A named targetPort that no container of the selected workloads declares (a warning for a "
           "number, when those containers declare other ports but not this one; info when the process's env, "
           "args or image say it listens there).")
RATIONALE = (
    "A Service forwards each port to its targetPort on the pods. A named targetPort is looked up "
    "among the pod's container ports; when no container declares that name, the Service has no "
    "endpoints for the port and every connection fails. A numeric targetPort works even when "
    "undeclared, so it is only a warning, but when the containers list their ports and this number "
    "is not among them it is usually a stale or mistyped port; when the container's env or args name "
    "that port (`KONG_ADMIN_LISTEN: 0.0.0.0:8444`, `--http-port=8080`), or its image listens there by "
    "default, the process serves it without declaring it, which is only worth declaring. Pods whose ports another program "
    "sets are not judged: an operator's pods, and Istio gateway pods, whose injected proxy listens "
    "on the ports of the Istio Gateway servers that select them."
)
FIX = ("Set targetPort to the name or number of a port that the selected containers declare in "
       "ports[].containerPort, or declare the port in the container.")
EXAMPLE = """\
kind: Service
spec:
  ports: [{port: 9000, targetPort: grpc-api}]
---
kind: Deployment
spec:
  template:
    spec:
      containers: [{name: fraud-scoring, ports: [{name: grpc, containerPort: 9000}]}]
"""
USE_INSTEAD = """\
kind: Service
spec:
  ports: [{port: 9000, targetPort: grpc}]   # the name the container declares
"""


def check(ctx: Context):
    for service in ctx.model.services:
        workloads = ctx.graph.selected_workloads(service)
        if not workloads or any(w.operator and not w.containers for w in workloads):
            continue  # selecting nothing is dangling-service; an operator's pods have the ports it gives them
        injected = [injected_ports(ctx, w) for w in workloads if w.gateway_injection]
        if any(ports is None for ports in injected):
            continue
        declared = [p for w in workloads for c in w.containers for p in c.ports]
        names = {p.name for p in declared if p.name}
        numbers = {p.number for p in declared}.union(*injected)
        selected = listed(w.name for w in workloads)
        for port in service.ports:
            target = port.target
            line = port.target_port_line or port.line
            if isinstance(target, str) and target not in names:
                yield Hit(service, line,
                          f"{named(service)} sends port {port.port} to targetPort {target!r}, a port name "
                          f"that no container of {selected} declares, so that port has no endpoints.")
            elif isinstance(target, int) and numbers and target not in numbers:
                why = _served(workloads, target)
                if why:
                    yield Hit(service, line,
                              f"{named(service)} sends port {port.port} to targetPort {target}, not declared by any "
                              f"container of {selected}, though {why}: declare it among the container's ports.",
                              severity="info")
                else:
                    yield Hit(service, line,
                              f"{named(service)} sends port {port.port} to targetPort {target}, which no container "
                              f"of {selected} declares (they declare {_listed(numbers)}), so it is likely stale.",
                              severity="warning")


# Ports that controllers' images listen on by default, without a flag or a
# variable that names them.
IMAGE_PORTS: dict[str, tuple[int, ...]] = {
    # https://github.com/haproxytech/kubernetes-ingress/blob/master/documentation/controller.md
    # (--http-bind-port 8080, --https-bind-port 8443, --default-backend-port 6060 for pprof and prometheus)
    "haproxytech/kubernetes-ingress": (8080, 8443, 6060),
}


def _served(workloads, target: int) -> str:
    """Why the process is known to listen on `target`, or ""."""
    for workload in workloads:
        for container in workload.containers:
            if target in container.named_ports:
                return f"container {container.name}'s env or args name that port"
            if image_is(container.image, [image for image, ports in IMAGE_PORTS.items() if target in ports]):
                return f"its image {repository(container.image)} listens there by default"
    return ""


def injected_ports(ctx: Context, workload: Workload) -> frozenset[int] | None:
    """The ports that Istio's gateway injection gives a pod: its proxy listens
    on the ports of the servers of the Istio Gateways that select the pod
    (their `configures` edges), each as the gateway's Service translates it
    (a server on port 80 behind a Service `80 -> 8080` listens on 8080). None
    when no Istio Gateway in the input selects it: the pod then counts as
    declaring every port its Services target."""
    edges = ctx.graph.edges_to(workload.id, "configures")
    if not edges:
        return None
    servers = {m.port for e in edges for m in e.ports if m.port is not None}
    translated = {p.target for s in ctx.graph.selecting_services(workload) for p in s.ports
                  if p.port in servers and isinstance(p.target, int)}
    return frozenset(servers | translated)


def _listed(numbers: set[int]) -> str:
    return listed(str(n) for n in sorted(numbers))
