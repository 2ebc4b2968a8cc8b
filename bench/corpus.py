#!/usr/bin/env python3
"""A deterministic synthetic corpus of N Services, for when the project's shared
generator (../shared/bench/gen_corpus.py) is not beside the checkout.

Usage: corpus.py N OUTDIR [--no-netpol]

The same mix as that generator: one namespace per 50 Services, one file per 10;
every Service has a Deployment (every 7th a StatefulSet behind a headless
Service); every 10th is routed from an Ingress, every 25th is a LoadBalancer,
one in 50 a NodePort, every 40th an ExternalName, every 30th selects nothing,
every 20th uses a named targetPort; each namespace has a default-deny and an
allow-from-ingress NetworkPolicy unless --no-netpol.
"""

from __future__ import annotations

import os
import sys


def generate(n: int, out: str, netpol: bool = True) -> None:
    files: dict[str, list[str]] = {}
    for i in range(n):
        ns, name = f"team-{i // 50:03d}", f"svc-{i:05d}"
        docs = files.setdefault(os.path.join(out, ns, f"group-{i // 10:05d}.yaml"), [])
        if i % 50 == 0:
            docs += _namespace(ns, netpol)
        if i % 40 == 0:
            docs.append(_doc("v1", "Service", name, ns, f"  type: ExternalName\n  externalName: {name}.db.example.com\n"))
            continue
        port = (80, 8080, 3000, 5000, 9090)[(i * 7) % 5]
        kind = "StatefulSet" if i % 7 == 0 else "Deployment"
        svc_type = "LoadBalancer" if i % 25 == 0 else "NodePort" if i % 50 == 13 else "ClusterIP"
        dangling = i % 30 == 0
        target = "http" if i % 20 == 0 else str(port)
        docs.append(_workload(kind, name, ns, port, named=i % 20 == 0))
        head = "  clusterIP: None\n" if kind == "StatefulSet" and svc_type == "ClusterIP" else f"  type: {svc_type}\n"
        selector = name + ("-missing" if dangling else "")
        docs.append(_doc("v1", "Service", name, ns, head + f"  selector:\n    app: {selector}\n"
                         f"  ports:\n  - name: http\n    port: 80\n    targetPort: {target}\n"))
        if i % 10 == 0 and not dangling:
            docs.append(_doc("networking.k8s.io/v1", "Ingress", name, ns,
                             f"  ingressClassName: nginx\n  rules:\n  - host: {name}.example.com\n    http:\n"
                             f"      paths:\n      - path: /\n        pathType: Prefix\n        backend:\n"
                             f"          service:\n            name: {name}\n            port:\n              number: 80\n"))
    for path, docs in files.items():
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write("---\n".join(docs))


def _doc(api: str, kind: str, name: str, ns: str, spec: str) -> str:
    return f"apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n{spec}"


def _namespace(ns: str, netpol: bool) -> list[str]:
    docs = [f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n"]
    if netpol:
        docs.append(_doc("networking.k8s.io/v1", "NetworkPolicy", "default-deny", ns,
                         "  podSelector: {}\n  policyTypes: [Ingress]\n"))
        docs.append(_doc("networking.k8s.io/v1", "NetworkPolicy", "allow-ingress-controller", ns,
                         "  podSelector:\n    matchLabels:\n      tier: web\n  ingress:\n  - from:\n"
                         "    - namespaceSelector:\n        matchLabels:\n"
                         "          kubernetes.io/metadata.name: ingress-nginx\n"))
    return docs


def _workload(kind: str, name: str, ns: str, port: int, named: bool) -> str:
    tier = ("web", "api", "worker")[len(name) % 3]
    extra = f"  serviceName: {name}\n" if kind == "StatefulSet" else ""
    port_line = "        - name: http\n          containerPort" if named else "        - containerPort"
    return _doc("apps/v1", kind, name, ns,
                f"  replicas: 2\n{extra}  selector:\n    matchLabels:\n      app: {name}\n  template:\n"
                f"    metadata:\n      labels:\n        app: {name}\n        tier: {tier}\n    spec:\n"
                f"      containers:\n      - name: main\n        image: registry.example.com/{name}:1.0\n"
                f"        ports:\n{port_line}: {port}\n        readinessProbe:\n          httpGet:\n"
                f"            path: /healthz\n            port: {port}\n")


if __name__ == "__main__":
    argv = [a for a in sys.argv[1:] if a != "--no-netpol"]
    if len(argv) != 2:
        sys.exit(__doc__)
    generate(int(argv[0]), argv[1], netpol="--no-netpol" not in sys.argv)
