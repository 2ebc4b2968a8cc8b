#!/usr/bin/env python3
"""One Flux deployment of N apps, and the same objects as one plain folder.

Usage: flux_apps.py N OUTDIR [--plain]

The deployment, in the layout of Flux's monorepo guide and of the home-lab
templates:

  clusters/prod/flux-system/gotk-sync.yaml   the GitRepository and the root Kustomization (path ./clusters/prod)
  clusters/prod/flux-system/kustomization.yaml
  clusters/prod/apps.yaml                    a Kustomization of ./apps
  apps/kustomization.yaml                    lists every app's ks.yaml
  apps/app-NNN/ks.yaml                       a Kustomization of ./apps/app-NNN/app, into namespace team-NN
  apps/app-NNN/app/kustomization.yaml        lists the two files beside it
  apps/app-NNN/app/deployment.yaml           a Deployment
  apps/app-NNN/app/service.yaml              its Service

With --plain, OUTDIR holds only the Deployments and Services, in the same
files under the same folders, each naming its namespace: what svcdocs reads
when nothing points anywhere. Ten apps share a namespace.
"""

from __future__ import annotations

import os
import sys

SYNC = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 1m0s
  ref:
    branch: main
  url: ssh://git@github.com/example/fleet
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: flux-system
  namespace: flux-system
spec:
  interval: 10m0s
  path: ./clusters/{cluster}
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
"""


def _flux_kustomization(name: str, path: str, namespace: str | None = None) -> str:
    target = f"  targetNamespace: {namespace}\n" if namespace else ""
    return (f"apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: {name}\n"
            f"  namespace: flux-system\nspec:\n  interval: 10m\n  path: {path}\n  prune: true\n{target}"
            f"  sourceRef:\n    kind: GitRepository\n    name: flux-system\n")


def _deployment(name: str, ns: str, port: int) -> str:
    return (f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n"
            f"  replicas: 2\n  selector:\n    matchLabels:\n      app: {name}\n  template:\n    metadata:\n"
            f"      labels:\n        app: {name}\n    spec:\n      containers:\n      - name: main\n"
            f"        image: registry.example.com/{name}:1.0\n        ports:\n        - containerPort: {port}\n")


def _service(name: str, ns: str, port: int, kind: str) -> str:
    return (f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  type: {kind}\n"
            f"  selector:\n    app: {name}\n  ports:\n  - name: http\n    port: 80\n    targetPort: {port}\n")


def _write(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def generate(n: int, out: str, plain: bool = False) -> None:
    apps = [f"app-{i:03d}" for i in range(n)]
    for i, app in enumerate(apps):
        ns, port = f"team-{i // 10:02d}", (80, 8080, 3000, 5000, 9090)[(i * 7) % 5]
        folder = os.path.join(out, "apps", app, "app")
        _write(os.path.join(folder, "deployment.yaml"), _deployment(app, ns, port))
        _write(os.path.join(folder, "service.yaml"), _service(app, ns, port, "LoadBalancer" if i % 25 == 0 else "ClusterIP"))
        if plain:
            continue
        _write(os.path.join(folder, "kustomization.yaml"), "resources:\n- deployment.yaml\n- service.yaml\n")
        _write(os.path.join(out, "apps", app, "ks.yaml"), _flux_kustomization(app, f"./apps/{app}/app", ns))
    if plain:
        return
    _write(os.path.join(out, "apps", "kustomization.yaml"), "resources:\n" + "".join(f"- {a}/ks.yaml\n" for a in apps))
    write_cluster(out, "prod", "./apps")


def write_cluster(out: str, cluster: str, path: str) -> None:
    """clusters/CLUSTER: Flux's own objects, and a Kustomization of `path`."""
    folder = os.path.join(out, "clusters", cluster)
    _write(os.path.join(folder, "flux-system", "gotk-sync.yaml"), SYNC.format(cluster=cluster))
    _write(os.path.join(folder, "flux-system", "kustomization.yaml"), "resources:\n- gotk-sync.yaml\n")
    _write(os.path.join(folder, "apps.yaml"), _flux_kustomization("apps", path))

if __name__ == "__main__":
    argv = [a for a in sys.argv[1:] if a != "--plain"]
    if len(argv) != 2:
        sys.exit(__doc__)
    generate(int(argv[0]), argv[1], plain="--plain" in sys.argv)
