"""probe-port-mismatch: a probe on a port the container does not declare."""

from __future__ import annotations

from svcdocs.rules.context import Context, Hit, listed, named

ID = "probe-port-mismatch"
SEVERITY = "error"
SUMMARY = ("A liveness, readiness or startup probe on a port name the container does not declare (info for a "
           "number, when the container declares other ports but not this one).")
RATIONALE = (
    "The kubelet resolves a probe's named port among the container's own ports: when the container "
    "declares no port of that name, the probe fails every time, so the pod never becomes Ready (a "
    "readiness or startup probe) or is restarted again and again (a liveness probe). A probe on a "
    "number works whether or not the number is declared, so a number the container does not declare "
    "is only worth a look: it is often a separate health port, and sometimes a stale one."
)
FIX = "Point the probe at a port the container declares in ports[] (by its name or number), or declare the port the probe checks."
EXAMPLE = """\
containers:
  - name: api
    ports: [{name: http, containerPort: 8080}]
    readinessProbe: {httpGet: {path: /ready, port: web}}   # no port named web
"""
USE_INSTEAD = """\
containers:
  - name: api
    ports: [{name: http, containerPort: 8080}]
    readinessProbe: {httpGet: {path: /ready, port: http}}
"""


def check(ctx: Context):
    for workload in ctx.model.workloads:
        for container in workload.containers:
            names = {p.name for p in container.ports if p.name}
            numbers = {p.number for p in container.ports}
            for probe in container.probes:
                where = f"The {probe.kind} probe of container {container.name} of {named(workload)}"
                line = probe.port_line or probe.line
                if isinstance(probe.port, str) and probe.port not in names and container.ports:
                    yield Hit(workload, line,
                              f"{where} checks port {probe.port!r}, which the container does not declare "
                              f"(it declares {_declared(container)}), so the probe always fails.")
                elif isinstance(probe.port, int) and numbers and probe.port not in numbers:
                    yield Hit(workload, line,
                              f"{where} checks port {probe.port}, which the container does not declare (it "
                              f"declares {_declared(container)}): fine for a health port the process listens "
                              f"on, a failing probe if the port is stale.", severity="info")


def _declared(container) -> str:
    return listed(f"{p.name} {p.number}" if p.name else str(p.number) for p in container.ports)
