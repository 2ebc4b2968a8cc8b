"""host-port: a container port bound on the node (hostPort)."""

from __future__ import annotations

from svcdocs.rules.context import Context, Hit, named

ID = "host-port"
SEVERITY = "warning"
SECURITY_SEVERITY = "5.3"  # code scanning: a port open on the node that runs the pod
SUMMARY = "A container port that sets hostPort."
RATIONALE = (
    "A hostPort opens the port on the address of every node the pod runs on: anything that can reach "
    "the node reaches the container, past any Service, load balancer or TLS in front of the cluster. "
    "It also limits scheduling to one such pod per node and port, and a pod cannot start on a node "
    "where another process holds the port. On the host network every port is the node's anyway: "
    "host-network reports those pods."
)
FIX = "Remove hostPort and expose the port through a Service (a NodePort or LoadBalancer when it must be reached from outside)."
EXAMPLE = """\
containers:
  - name: web
    ports: [{containerPort: 80, hostPort: 80}]
"""
USE_INSTEAD = """\
containers:
  - name: web
    ports: [{containerPort: 80}]   # and a Service that targets it
"""


def check(ctx: Context):
    for workload in ctx.model.workloads:
        if workload.host_network:
            continue  # every port is on the node: host-network says so
        for container in workload.containers:
            for port in container.ports:
                if port.host_port:
                    yield Hit(workload, port.line,
                              f"Container {container.name} of {named(workload)} binds port {port.host_port} on "
                              f"its node (hostPort), so anything that reaches the node reaches container port "
                              f"{port.number}, past any Service.")
