"""no-network-policy: a workload that no NetworkPolicy selects."""

from __future__ import annotations

from svcdocs.rules.context import Context, Hit, named

ID = "no-network-policy"
SEVERITY = "warning"
SUMMARY = "A workload whose pods no NetworkPolicy selects."
RATIONALE = (
    "Kubernetes lets every pod connect to every other pod, in any namespace, until a NetworkPolicy "
    "selects it. A pod that no policy selects accepts connections from anything that runs in the "
    "cluster, so one compromised or misbehaving workload reaches it directly. A default-deny policy "
    "per namespace plus policies that allow the traffic you expect keeps each workload's reach to "
    "what its architecture diagram shows."
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
        if not ctx.graph.edges_to(workload.id, "isolates"):
            yield Hit(workload, workload.pod_labels_line,
                      f"{named(workload)} runs pods that no NetworkPolicy selects, so anything running in "
                      f"the cluster can connect to them.")
