"""Findings in a kustomize render point at the source file and the field's line
there (load/origin.py, load/placement.py), in every output, and never at a
path that does not exist."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from svcdocs.config import Config
from svcdocs.load import LoadOptions
from svcdocs.pipeline import report_for_paths

from conftest import needs_kustomize, write


BASE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: sidecar
          image: envoy:1
        - name: web
          image: web:1
          ports:
            - name: http
              containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector: {app: web}
  ports:
    - port: 80
      targetPort: htp
"""


@pytest.fixture
def overlay(tmp_path, monkeypatch) -> Path:
    """base/ with a Deployment and a Service; overlays/prod/ renames, moves
    and patches them (a namePrefix, a namespace, a label, a probe)."""
    write(tmp_path, "base/app.yaml", BASE)
    write(tmp_path, "base/kustomization.yaml", "resources: [app.yaml]\n")
    write(tmp_path, "overlays/prod/kustomization.yaml", """\
        resources: [../../base]
        namePrefix: prod-
        namespace: prod
        labels:
          - pairs: {env: prod}
            includeSelectors: true
        configMapGenerator:
          - name: settings
            literals: [mode=prod]
        patches:
          - path: replicas.yaml
        """)
    write(tmp_path, "overlays/prod/replicas.yaml", """\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          replicas: 3
        """)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def located(report) -> dict[str, tuple[str, int]]:
    return {f.rule: (f.file, f.line) for f in report.findings}


@needs_kustomize
def test_findings_point_at_the_resource_file_and_the_field(overlay):
    report = report_for_paths(["overlays/prod"], Config())
    assert located(report) == {
        "nodeport-service": ("base/app.yaml", 26),  # type: NodePort
        "unresolved-target-port": ("base/app.yaml", 30),  # targetPort: htp
        "no-network-policy": ("base/app.yaml", 10),  # the pod template's labels
    }
    deployment = report.graph.nodes["Deployment/prod/prod-web"]
    assert (deployment.file, deployment.line, deployment.name_line) == ("base/app.yaml", 1, 4)
    web = next(c for c in deployment.containers if c.name == "web")
    assert web.line == 15 and web.ports[0].line == 18  # matched by name, not by position


@needs_kustomize
def test_every_output_names_a_file_that_exists(overlay, cli):
    text = cli("check", "overlays/prod").stdout
    assert "base/app.yaml:26: warning nodeport-service" in text and "(kustomize)" not in text
    findings = json.loads(cli("check", "overlays/prod", "--format", "json").stdout)["findings"]
    github = cli("check", "overlays/prod", "--format", "github").stdout
    sarif = json.loads(cli("check", "overlays/prod", "--format", "sarif").stdout)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]]
    assert {f["file"] for f in findings} == {"base/app.yaml"} == set(uris)
    assert github.count("file=base/app.yaml,line=") == len(findings)
    for f in findings:
        assert Path(f["file"]).is_file()
    graph = json.loads(cli("graph", "overlays/prod").stdout)
    assert {n.get("file") for n in graph["nodes"]} <= {None, "base/app.yaml"}


@needs_kustomize
def test_the_site_links_the_source_file(overlay, tmp_path):
    from svcdocs.render.site.build import build_options, build_site
    report = report_for_paths(["overlays/prod"], Config())
    out = tmp_path / "site"
    build_site(report, build_options(("overlays/prod",), str(out), repo_url="https://github.com/o/r/blob/abc/"),
               say=lambda _: None)
    page = (out / "services" / "prod" / "prod-web" / "index.html").read_text(encoding="utf-8")
    assert 'href="https://github.com/o/r/blob/abc/base/app.yaml#L21"' in page
    assert "(kustomize)" not in page


@needs_kustomize
def test_a_field_a_patch_adds_points_at_its_nearest_ancestor_in_the_file(tmp_path, monkeypatch):
    write(tmp_path, "base/svc.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: db\nspec:\n"
                                     "  ports:\n    - port: 5432\n")
    write(tmp_path, "base/kustomization.yaml", "resources: [svc.yaml]\npatches:\n  - path: public.yaml\n")
    write(tmp_path, "base/public.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: db}\n"
                                        "spec: {type: LoadBalancer}\n")
    monkeypatch.chdir(tmp_path)
    report = report_for_paths(["base"], Config())
    assert located(report)["sensitive-port-exposed"] == ("base/svc.yaml", 7)  # the port's line
    assert report.graph.nodes["Service/default/db"].type_line == 5  # spec:, where the patch put type


@needs_kustomize
def test_a_render_of_the_folder_itself_keeps_its_paths(overlay, monkeypatch):
    (overlay / ".git").mkdir()  # the repository the base may be read from (else: the working directory)
    monkeypatch.chdir(overlay / "overlays" / "prod")
    report = report_for_paths(["."], Config())
    assert {f.file for f in report.findings} == {"../../base/app.yaml"}


def _fake_kubectl(folder: Path, script: str) -> None:
    path = folder / "kubectl"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def test_without_origins_findings_point_at_the_kustomization(tmp_path, monkeypatch):
    """A kustomize that refuses the wrapping kustomization (before v4.5 it had no
    buildMetadata): the folder is rendered as it is, and its objects point at
    its kustomization.yaml, which exists."""
    # namePrefix: more than a list of files, which svcdocs reads without kustomize (load/listed.py)
    write(tmp_path, "app/kustomization.yaml", "resources: [svc.yaml]\nnamePrefix: x-\n")
    write(tmp_path, "app/svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
                                    "spec: {type: NodePort, ports: [{port: 80}]}\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _fake_kubectl(bin_dir, 'for last; do :; done\n'
                           'case "$last" in *svcdocs-origin-*) echo "unknown field buildMetadata" >&2; exit 1;; esac\n'
                           'cat "$last/svc.yaml"\n')
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.chdir(tmp_path)
    report = report_for_paths(["app"], Config())
    assert located(report) == {"nodeport-service": ("app/kustomization.yaml", 1)}


def test_an_origin_outside_the_machine_points_at_the_kustomization(tmp_path, monkeypatch):
    """A remote base (`repo:` in the origin) or a file gone since the render."""
    write(tmp_path, "app/kustomization.yaml", "resources: [https://github.com/example/base]\n")
    rendered = write(tmp_path, "rendered.yaml", """\
        apiVersion: v1
        kind: Service
        metadata:
          name: web
          annotations:
            config.kubernetes.io/origin: |
              path: deploy/svc.yaml
              repo: https://github.com/example/base
        spec: {type: NodePort, ports: [{port: 80}]}
        """)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _fake_kubectl(bin_dir, f'cat "{rendered}"\n')
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.chdir(tmp_path)
    report = report_for_paths(["app"], Config(), options=LoadOptions(allow_remote=True))
    assert located(report) == {"nodeport-service": ("app/kustomization.yaml", 1)}


@needs_kustomize
def test_diff_git_places_findings_in_the_files_of_the_users_path(tmp_path, monkeypatch, cli):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    write(tmp_path, "deploy/base/app.yaml", BASE.replace("type: NodePort", "type: ClusterIP"))
    write(tmp_path, "deploy/base/kustomization.yaml", "resources: [app.yaml]\n")
    write(tmp_path, "deploy/prod/kustomization.yaml", "resources: [../base]\nnamespace: prod\n")

    def git(*args):
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)
    git("init", "-q", "-b", "main")
    git("-c", "user.email=t@example.com", "-c", "user.name=t", "add", "-A")
    git("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "-m", "base")
    write(tmp_path, "deploy/base/app.yaml", BASE)
    monkeypatch.chdir(tmp_path)
    review = json.loads(cli("diff", "--git", "HEAD", "deploy/prod", "--format", "json").stdout)
    new = [f for f in review["findings"] if f["rule"] == "nodeport-service"]
    assert [(f["change"], f["file"], f["line"]) for f in new] == [("new", "deploy/base/app.yaml", 26)]
    assert all(Path(f["file"]).is_file() for f in review["findings"])


@needs_kustomize
def test_only_the_origins_kustomize_writes_are_read(tmp_path, monkeypatch):
    """Text in a value that looks like an origin annotation names no file to read."""
    write(tmp_path, "app/kustomization.yaml", "resources: [cm.yaml, svc.yaml]\n")
    write(tmp_path, "app/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: trick}\ndata:\n"
                                   "  x: |\n    config.kubernetes.io/origin: |\n      path: /etc/hostname\n")
    write(tmp_path, "app/svc.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n"
                                    "    config.kubernetes.io/origin: |\n      path: /etc/hostname\n"
                                    "spec: {type: NodePort, ports: [{port: 80}]}\n")
    monkeypatch.chdir(tmp_path)
    from svcdocs.load import discover
    [source] = discover(["app"]).sources
    assert sorted(from_folder for _, from_folder, _ in source.origins.files) == ["cm.yaml", "svc.yaml"]
    assert located(report_for_paths(["app"], Config())) == {"nodeport-service": ("app/svc.yaml", 8)}


def test_an_origin_outside_the_repository_is_not_read(tmp_path, monkeypatch):
    """An origin annotation that names a file outside the repository (a
    render a pull request shaped, say): that file is never read, and the
    object points at the kustomization."""
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    write(tmp_path, "repo/app/kustomization.yaml", "resources: [svc.yaml]\nnamePrefix: x-\n")  # kustomize runs
    write(tmp_path, "repo/app/svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n")
    write(tmp_path, "outside.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {type: NodePort}\n")
    rendered = write(tmp_path, "rendered.yaml", f"""\
        apiVersion: v1
        kind: Service
        metadata:
          annotations:
            config.kubernetes.io/origin: |
              path: {tmp_path / "outside.yaml"}
          name: web
        spec: {{type: NodePort, ports: [{{port: 80}}]}}
        """)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _fake_kubectl(bin_dir, f'cat "{rendered}"\n')
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.chdir(tmp_path / "repo")
    report = report_for_paths(["app"], Config())
    assert located(report) == {"nodeport-service": ("app/kustomization.yaml", 1)}
