#!/usr/bin/env python3
"""N policies of mixed kinds over a corpus of bench/corpus.py (or the shared
generator): every kind svcdocs applies, each policy with selectors of its own.

Usage: policies.py N SERVICES OUTDIR

Policy i is about the Service svc-<j> (j = i * SERVICES / N, its pods carry
app=svc-<j>) in its namespace (team-<j // 50>), and names the next Service's
pods as a peer. In turn: a NetworkPolicy (matchLabels), a NetworkPolicy
(matchExpressions, which no label pair indexes), a CiliumNetworkPolicy with
an ingress and a deny rule, a Calico NetworkPolicy in the default tier, a
Calico GlobalNetworkPolicy in a tier, an AdminNetworkPolicy that passes, a
ClusterNetworkPolicy of the Admin tier that denies a port; plus one
BaselineAdminNetworkPolicy and the Calico tier.
"""

from __future__ import annotations

import os
import sys


def generate(n: int, services: int, out: str) -> None:
    docs = [_tier(), _baseline()]
    for i in range(n):
        j = i * services // n
        j = j + 1 if j % 40 == 0 else j  # every 40th Service is an ExternalName: no pods
        peer = (j + 1) if (j + 1) % 40 else j + 2
        docs.append(KINDS[i % len(KINDS)](i, f"team-{j // 50:03d}", f"svc-{j:05d}", f"svc-{peer % services:05d}"))
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "policies.yaml"), "w", encoding="utf-8") as f:
        f.write("---\n".join(docs))


def _network_policy(i: int, ns: str, app: str, peer: str) -> str:
    return (f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p{i}, namespace: {ns}}}\n"
            f"spec:\n  podSelector: {{matchLabels: {{app: {app}}}}}\n  ingress:\n"
            f"  - from: [{{podSelector: {{matchLabels: {{app: {peer}}}}}}}]\n    ports: [{{port: 80}}]\n")


def _expressions(i: int, ns: str, app: str, peer: str) -> str:
    return (f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p{i}, namespace: {ns}}}\n"
            f"spec:\n  podSelector: {{matchExpressions: [{{key: app, operator: In, values: [{app}]}}]}}\n"
            f"  ingress:\n  - from: [{{podSelector: {{matchExpressions: [{{key: app, operator: In, values: [{peer}]}}]}}}}]\n")


def _cilium(i: int, ns: str, app: str, peer: str) -> str:
    return (f"apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {{name: p{i}, namespace: {ns}}}\n"
            f"spec:\n  endpointSelector: {{matchLabels: {{app: {app}}}}}\n  ingress:\n"
            f"  - fromEndpoints: [{{matchLabels: {{app: {peer}}}}}]\n"
            f"    toPorts: [{{ports: [{{port: '8080', protocol: TCP}}]}}]\n"
            f"  ingressDeny:\n  - fromEntities: [world]\n")


def _calico(i: int, ns: str, app: str, peer: str) -> str:
    return (f"apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {{name: p{i}, namespace: {ns}}}\n"
            f"spec:\n  selector: app == '{app}'\n  order: {i % 100}\n  ingress:\n"
            f"  - action: Allow\n    protocol: TCP\n    source: {{selector: app == '{peer}'}}\n"
            f"    destination: {{ports: [80, 8080]}}\n")


def _calico_global(i: int, ns: str, app: str, peer: str) -> str:
    return (f"apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {{name: p{i}}}\n"
            f"spec:\n  tier: platform\n  order: {i}\n  selector: app == '{app}' && tier in {{'web', 'api'}}\n"
            f"  ingress:\n  - action: Deny\n    source: {{selector: app == '{peer}', namespaceSelector: all()}}\n"
            f"  - action: Pass\n")


def _admin(i: int, ns: str, app: str, peer: str) -> str:
    return (f"apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {{name: p{i}}}\n"
            f"spec:\n  priority: {i % 1000}\n  subject:\n    pods:\n"
            f"      namespaceSelector: {{matchLabels: {{kubernetes.io/metadata.name: {ns}}}}}\n"
            f"      podSelector: {{matchLabels: {{app: {app}}}}}\n  ingress:\n  - action: Pass\n"
            f"    from: [{{pods: {{namespaceSelector: {{}}, podSelector: {{matchLabels: {{app: {peer}}}}}}}}}]\n")


def _cluster(i: int, ns: str, app: str, peer: str) -> str:
    return (f"apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {{name: p{i}}}\n"
            f"spec:\n  tier: Admin\n  priority: {i % 1000}\n  subject:\n    pods:\n"
            f"      namespaceSelector: {{matchLabels: {{kubernetes.io/metadata.name: {ns}}}}}\n"
            f"      podSelector: {{matchLabels: {{app: {app}}}}}\n  egress:\n  - action: Deny\n"
            f"    to: [{{pods: {{namespaceSelector: {{}}, podSelector: {{matchLabels: {{app: {peer}}}}}}}}}]\n"
            f"    protocols: [{{tcp: {{destinationPort: {{number: 9090}}}}}}]\n")


def _tier() -> str:
    return "apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: platform}\nspec: {order: 100}\n"


def _baseline() -> str:
    return ("apiVersion: policy.networking.k8s.io/v1alpha1\nkind: BaselineAdminNetworkPolicy\n"
            "metadata: {name: default}\nspec:\n  subject: {namespaces: {}}\n  ingress:\n  - action: Deny\n"
            "    from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: untrusted}}}]\n")


KINDS = (_network_policy, _expressions, _cilium, _calico, _calico_global, _admin, _cluster)

if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    generate(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])
