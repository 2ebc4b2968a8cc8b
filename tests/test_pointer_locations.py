"""GitOps pointers found in a kustomize render, and what is not rendered
because of them, are said at the file and line a person edits (through
kustomize's origin annotations, load/placement.py), never at a line of
svcdocs's internal render (`clusters/prod (kustomize):18`)."""

from __future__ import annotations

import json

import pytest

from conftest import write
from svcdocs.load.environments import discover_environments
from test_environments import needs_kustomize

APPS = """\
# the apps of this cluster
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 10m
  path: ./apps
  sourceRef: {kind: GitRepository, name: flux-system}
"""
PODINFO = """\
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: podinfo
  namespace: flux-system
spec:
  url: https://stefanprodan.github.io/podinfo
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: flux-system
spec:
  chart:
    spec:
      chart: podinfo
      version: 6.5.0
      sourceRef: {kind: HelmRepository, name: podinfo}
"""
APPSET = """\
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: guestbook
  namespace: argocd
spec:
  generators:
  - list:
      elements: []
  - clusters: {}
  template:
    metadata: {name: guestbook}
    spec:
      project: default
      source: {repoURL: https://example.com/repo.git, path: guestbook}
      destination: {server: https://kubernetes.default.svc, namespace: guestbook}
"""


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A cluster folder rendered by kustomize, holding a Flux Kustomization of
    its own and, through a base, a HelmRelease and an ApplicationSet."""
    root = tmp_path / "repo"
    write(root, "clusters/prod/kustomization.yaml", "resources:\n- ../../infra\n- apps.yaml\n")
    write(root, "clusters/prod/apps.yaml", APPS)
    write(root, "infra/kustomization.yaml", "resources:\n- podinfo.yaml\n- appset.yaml\n")
    write(root, "infra/podinfo.yaml", PODINFO)
    write(root, "infra/appset.yaml", APPSET)
    write(root, "apps/web.yaml", """\
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop}
        spec: {selector: {app: web}, ports: [{port: 80}]}
        """)
    monkeypatch.chdir(root)
    return root


@needs_kustomize
def test_pointers_in_a_render_are_placed_at_their_source_files(repo):
    found = discover_environments(["."])
    placed = {(p.kind, p.name): (p.file, p.line) for p in found.pointers}
    assert placed[("Kustomization", "apps")] == ("clusters/prod/apps.yaml", 3)
    assert placed[("HelmRelease", "podinfo")] == ("infra/podinfo.yaml", 9)
    # the generator svcdocs does not expand, at its own line
    assert placed[("ApplicationSet", "guestbook")] == ("infra/appset.yaml", 10)
    assert not any("(kustomize)" in p.file for p in found.pointers)


@needs_kustomize
def test_what_is_not_rendered_because_of_them_is_placed_there_too(repo):
    found = discover_environments(["."])
    release = next(n for n in found.not_rendered if n.kind == "helm-release")
    assert (release.file, release.line) == ("infra/podinfo.yaml", 9)
    assert not any("(kustomize)" in n.file for n in found.not_rendered)


@needs_kustomize
def test_every_output_says_the_source_file(repo, cli):
    result = cli("graph", "--format", "json")
    document = json.loads(result.stdout)
    where = {(p["kind"], p["name"]): (p["file"], p["line"]) for p in document["pointers"]}
    assert where[("HelmRelease", "podinfo")] == ("infra/podinfo.yaml", 9)
    assert "infra/podinfo.yaml:9: HelmRelease flux-system/podinfo not rendered" in result.stderr
    assert "(kustomize):" not in result.stderr
