"""reachable-from-all-namespaces: a workload that its NetworkPolicies open to
every pod of every namespace, on every port."""

from __future__ import annotations

from svcdocs.analysis.reach.ports import ALL
from svcdocs.rules.context import Context, Hit, listed, named

ID = "reachable-from-all-namespaces"
SEVERITY = "info"
SECURITY_SEVERITY = "3.7"  # code scanning: pods any namespace can reach on every port
SUMMARY = ("A workload that NetworkPolicies select, yet any pod of any namespace can reach on every port "
           "and protocol.")
RATIONALE = (
    "A namespace with NetworkPolicies says that its pods should not accept traffic from just anywhere. "
    "A workload there whose policies still admit every pod of every namespace on every port (a rule "
    "with `namespaceSelector: {}` and no ports, or one without `from`) is as open as if no policy "
    "selected it: a compromised pod in any other team's namespace reaches it directly. Sometimes that "
    "is meant (a shared DNS or metrics endpoint); then it is worth saying so. Workloads that no policy "
    "selects at all are reported by `no-network-policy`."
)
FIX = ("Narrow the rule that admits every namespace: name the namespaces and pods that call the "
       "workload, and the ports they call it on.")
EXAMPLE = """\
kind: NetworkPolicy
metadata: {name: allow-all-namespaces, namespace: data}
spec:
  podSelector: {matchLabels: {app: postgres}}
  ingress:
    - from: [{namespaceSelector: {}}]
"""
USE_INSTEAD = """\
kind: NetworkPolicy
metadata: {name: allow-postgres-clients, namespace: data}
spec:
  podSelector: {matchLabels: {app: postgres}}
  ingress:
    - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}}]
      ports: [{port: 5432}]
"""


def check(ctx: Context):
    reach = ctx.analysis.reach
    for workload in ctx.model.workloads:
        found = reach.reachers.get(workload.id)
        if found is None or not found.isolated or reach.from_every_namespace(workload.id) != ALL:
            continue
        policies = listed(p.split("/", 1)[1] for p in found.policies)
        yield Hit(workload, workload.pod_labels_line,
                  f"{named(workload)} is selected by NetworkPolicies ({policies}) that still admit every pod "
                  f"of every namespace on every port, so their selection protects it from nothing.")
