"""no-network-policy: a workload that no NetworkPolicy selects."""

from __future__ import annotations

from svcdocs.model import Workload
from svcdocs.rules.context import Context, Hit, named

ID = "no-network-policy"
SEVERITY = "warning"
SECURITY_SEVERITY = "4.3"  # code scanning: pods any workload in the cluster can reach
SUMMARY = "A workload whose pods listen for connections and that no NetworkPolicy selects."
RATIONALE = (
    "Kubernetes lets every pod connect to every other pod, in any namespace, until a NetworkPolicy "
    "selects it. A pod that no policy selects accepts connections from anything that runs in the "
    "cluster, so one compromised or misbehaving workload reaches it directly. A default-deny policy "
    "per namespace plus policies that allow the traffic you expect keeps each workload's reach to "
    "what its architecture diagram shows. A workload that listens on nothing (no container port, no "
    "hostPort, no Service selecting it: most Jobs and CronJobs) has nothing to protect, and a pod on the "
    "host network is outside NetworkPolicy altogether (host-network says so)."
)
FIX = ("Add a NetworkPolicy whose podSelector matches the workload's pod labels, for example a "
       "default-deny policy for the namespace (podSelector: {}) and policies that allow its callers.")
EXAMPLE = """\
kind: Deployment
metadata: {name: grafana, namespace: ops}   # no NetworkPolicy in namespace ops
"""
USE_INSTEAD = """\
kind: NetworkPolicy
metadata: {name: default-deny, namespace: ops}
spec:
  podSelector: {}
  policyTypes: [Ingress]
"""


def check(ctx: Context):
    for workload in ctx.model.workloads:
        if workload.host_network or not listens(ctx, workload):
            continue
        if not ctx.graph.edges_to(workload.id, "isolates"):
            yield Hit(workload, workload.pod_labels_line,
                      f"{named(workload)} runs pods that no NetworkPolicy selects, so anything running in "
                      f"the cluster can connect to them.")


def listens(ctx: Context, workload: Workload) -> bool:
    """Whether the pods accept connections: a container port (hostPorts are
    container ports), a Service that selects them, or pods an operator makes
    (databases, brokers, servers) from a spec that does not list them."""
    if workload.operator and not workload.containers:
        return True
    return any(c.ports for c in workload.containers) or bool(ctx.graph.edges_to(workload.id, "selects"))
