"""Policy kinds besides NetworkPolicy, each family one module mapping its
objects onto the one policy model of `types` (a stage of the decision order,
an order in it, pods selected, ordered rules per direction):

- `admin`: AdminNetworkPolicy, BaselineAdminNetworkPolicy (v1alpha1) and
  ClusterNetworkPolicy (v1alpha2);
- `cilium`: CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy;
- `calico`: Calico's NetworkPolicy, GlobalNetworkPolicy and Tier.

`NOT_APPLIED` names the policy kinds that svcdocs reads as objects but does
not apply to connections: they are said wherever the answer is shown.
"""

from __future__ import annotations

from typing import Callable

from svcdocs.model.objects import Object
from svcdocs.model.policies import admin, calico, cilium
from svcdocs.model.policies.types import AddressSet, PolicyPart, PolicyTier, Selection, TieredPolicy, TieredRule
from svcdocs.model.reader import Reader

__all__ = ["BUILDERS", "KINDS", "NOT_APPLIED", "AddressSet", "PolicyPart", "PolicyTier", "Selection", "TieredPolicy", "TieredRule",
           "builder", "not_applied"]

Builder = Callable[[Reader, dict, dict], Object]
BUILDERS: dict[tuple[str, str], Builder] = {**admin.BUILDERS, **cilium.BUILDERS, **calico.BUILDERS}
KINDS = frozenset(kind for _, kind in BUILDERS)  # policies and tiers: not boxes in a diagram
# Kinds that decide connections which svcdocs does not apply: (group, kind) -> what they are.
NOT_APPLIED: dict[tuple[str, str], str] = {
    ("security.istio.io", "AuthorizationPolicy"): "Istio's authorization at the sidecar",
    ("policy.linkerd.io", "AuthorizationPolicy"): "Linkerd's authorization",
    ("policy.linkerd.io", "Server"): "Linkerd's server policy",
    ("policy.linkerd.io", "ServerAuthorization"): "Linkerd's authorization",
    ("policy.linkerd.io", "MeshTLSAuthentication"): "Linkerd's authorization",
    ("policy.linkerd.io", "NetworkAuthentication"): "Linkerd's authorization",
    ("crd.antrea.io", "NetworkPolicy"): "Antrea's network policy",
    ("crd.antrea.io", "ClusterNetworkPolicy"): "Antrea's network policy",
    ("crd.antrea.io", "Tier"): "Antrea's policy tiers",
    ("projectcalico.org", "HostEndpoint"): "Calico's host firewall",
    ("crd.projectcalico.org", "HostEndpoint"): "Calico's host firewall",
    ("k8s.cni.cncf.io", "MultiNetworkPolicy"): "policy on secondary networks",
}


def builder(group: str | None, kind: str) -> Builder | None:
    return BUILDERS.get((group or "", kind))


def not_applied(group: str | None, kind: str) -> bool:
    return (group or "", kind) in NOT_APPLIED
