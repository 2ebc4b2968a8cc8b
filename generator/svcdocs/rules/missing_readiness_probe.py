"""missing-readiness-probe: a container behind a Service without a readinessProbe."""

from __future__ import annotations

from svcdocs.rules.context import Context, Hit, listed, named

ID = "missing-readiness-probe"
SEVERITY = "warning"
SUMMARY = "A container without readinessProbe in a workload that a Service sends traffic to."
RATIONALE = (
    "A Service sends traffic to a pod as soon as the pod is Ready. Without a readiness probe, a "
    "container counts as ready the moment it starts, before it listens or has warmed up, and stays "
    "ready while it is overloaded or has lost its database: during every rollout and restart, "
    "clients get connection errors. A liveness probe does not help here; it restarts containers "
    "but does not take them out of the Service."
)
FIX = "Add a readinessProbe to the container that checks that it can serve requests (an HTTP health endpoint, a TCP or gRPC check)."
EXAMPLE = """\
containers:
  - name: search
    livenessProbe: {tcpSocket: {port: http}}
"""
USE_INSTEAD = """\
containers:
  - name: search
    livenessProbe: {tcpSocket: {port: http}}
    readinessProbe: {httpGet: {path: /ready, port: http}}
"""


def check(ctx: Context):
    for workload in ctx.model.workloads:
        services = ctx.graph.selecting_services(workload)
        if not services:
            continue
        behind = listed(s.name for s in services)
        for container in workload.containers:
            if not container.readiness_probe and not container.sidecar:
                yield Hit(workload, container.line,
                          f"Container {container.name} of {named(workload)} has no readinessProbe, so Service "
                          f"{behind} sends it traffic before it can answer and while it cannot.")
