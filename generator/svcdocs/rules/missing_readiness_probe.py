"""missing-readiness-probe: a container that serves a Service's port without a readinessProbe."""

from __future__ import annotations

from svcdocs.model import Container, Service, Workload
from svcdocs.rules.context import Context, Hit, listed, named

ID = "missing-readiness-probe"
SEVERITY = "warning"
SUMMARY = "A container that serves a port a Service sends traffic to, without readinessProbe."
RATIONALE = (
    "A Service sends traffic to a pod as soon as the pod is Ready. Without a readiness probe, a "
    "container counts as ready the moment it starts, before it listens or has warmed up, and stays "
    "ready while it is overloaded or has lost its database: during every rollout and restart, "
    "clients get connection errors. A liveness probe does not help here; it restarts containers "
    "but does not take them out of the Service. Only the containers that serve a port the Service "
    "targets count (the one that declares it, or the only container that could serve it); sidecars "
    "that serve none, and init containers, do not."
)
FIX = "Add a readinessProbe to the container that checks that it can serve requests (an HTTP health endpoint, a TCP or gRPC check)."
EXAMPLE = """\
containers:
  - name: search
    ports: [{name: http, containerPort: 8080}]
    livenessProbe: {tcpSocket: {port: http}}
"""
USE_INSTEAD = """\
containers:
  - name: search
    ports: [{name: http, containerPort: 8080}]
    livenessProbe: {tcpSocket: {port: http}}
    readinessProbe: {httpGet: {path: /ready, port: http}}
"""


def check(ctx: Context):
    for workload in ctx.model.workloads:
        unready: dict[str, tuple[Container, list[str]]] = {}
        for service in ctx.graph.selecting_services(workload):
            for container in _serving(workload, service):
                if not container.readiness_probe:
                    names = unready.setdefault(container.name, (container, []))[1]
                    if service.name not in names:
                        names.append(service.name)
        if unready:
            yield _hit(workload, list(unready.values()))


def _serving(workload: Workload, service: Service) -> list[Container]:
    """The containers that serve a port the Service targets: those that
    declare it (or probe it), or, for a number no container declares, the one
    container that declares no port at all."""
    regular = [c for c in workload.containers if not c.sidecar]
    found: dict[str, Container] = {}
    for port in service.ports:
        target = port.target
        serving = [c for c in regular if target in _ports_of(c)]
        if not serving and isinstance(target, int):
            portless = [c for c in regular if not _ports_of(c)]
            serving = portless if len(portless) == 1 else regular if len(regular) == 1 else []
        for container in serving:
            found.setdefault(container.name, container)
    return list(found.values())


def _ports_of(container: Container) -> set[int | str]:
    """The numbers and names a container declares, and the numbers its probes check."""
    ports: set[int | str] = {p.number for p in container.ports} | {p.name for p in container.ports if p.name}
    return ports | {p.port for p in container.probes if isinstance(p.port, int)}


def _hit(workload: Workload, unready: list[tuple[Container, list[str]]]) -> Hit:
    containers = listed(c.name for c, _ in unready)
    services = listed(dict.fromkeys(name for _, names in unready for name in names))
    several = len(unready) > 1
    service_word = "Services" if "," in services or " and " in services else "Service"
    return Hit(workload, unready[0][0].line,
               f"{'Containers' if several else 'Container'} {containers} of {named(workload)} "
               f"{'serve' if several else 'serves'} {service_word} {services} without a readinessProbe, so "
               f"{'they get' if several else 'it gets'} traffic before {'they' if several else 'it'} can answer "
               f"and while {'they' if several else 'it'} cannot.")
