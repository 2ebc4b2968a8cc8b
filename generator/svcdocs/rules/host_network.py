"""host-network: a pod on the node's network."""

from __future__ import annotations

from svcdocs.rules.context import Context, Hit, named

ID = "host-network"
SEVERITY = "warning"
SECURITY_SEVERITY = "6.5"  # code scanning: a pod on the node's network: its ports are the node's, past NetworkPolicies
SUMMARY = "A workload whose pods use the node's network (hostNetwork: true)."
RATIONALE = (
    "A pod on the host network shares the node's network namespace: every port it opens is open on "
    "each address of the node it runs on, reachable by anything that reaches the node, past any "
    "Service, load balancer or TLS in front of the cluster. NetworkPolicy selects pods by their own "
    "addresses and does not apply to host-network pods, and the pod can see and bind the node's "
    "interfaces. Only node agents (CNI, kube-proxy, node exporters) need it."
)
FIX = "Remove hostNetwork and reach the pods through a Service; keep it only for a node agent that must use the node's interfaces."
EXAMPLE = """\
kind: Deployment
spec:
  template:
    spec:
      hostNetwork: true
      containers: [{name: api, ports: [{containerPort: 8080}]}]
"""
USE_INSTEAD = """\
kind: Deployment
spec:
  template:
    spec:
      containers: [{name: api, ports: [{containerPort: 8080}]}]   # behind a Service
"""


def check(ctx: Context):
    for workload in ctx.model.workloads:
        if workload.host_network:
            yield Hit(workload, workload.host_network_line,
                      f"{named(workload)} runs its pods on the host network, so every port they open is open on "
                      f"the node's addresses, past any Service, and no NetworkPolicy applies to them.")
